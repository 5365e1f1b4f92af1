-- name: UserCreate :one
-- UserCreate inserts a user with an already hashed password.
INSERT INTO users (username, email, password, first_name, last_name, is_staff, is_superuser, is_active)
VALUES (@username, @email, @password, @first_name, @last_name, @is_staff, @is_superuser, @is_active)
RETURNING *;

-- name: UserGetByUsername :one
-- UserGetByUsername returns a user and its password hash for login.
SELECT * FROM users WHERE username = @username;

-- name: UserHasSuperuser :one
-- UserHasSuperuser tells whether any superuser exists.
SELECT EXISTS (SELECT 1 FROM users WHERE is_superuser);

-- name: UserSetActive :execrows
-- UserSetActive activates or deactivates a user.
UPDATE users SET is_active = @is_active WHERE id = @id;

-- name: UserSetPassword :execrows
-- UserSetPassword replaces a user's password hash.
UPDATE users SET password = @password WHERE id = @id;

-- name: UserLoggedIn :exec
-- UserLoggedIn records a login, and the password hash when it was upgraded.
UPDATE users SET last_login = @now::timestamptz, password = coalesce(sqlc.narg(password), password) WHERE id = @id;

-- name: UserGet :one
-- UserGet returns one user.
SELECT * FROM users WHERE id = @id;
