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

-- name: UserResolve :many
-- UserResolve finds users by id or by exact username.
SELECT id, username FROM users WHERE id = ANY (@ids::bigint[]) OR username = ANY (@names::text[]);

-- name: UserUpdateProfile :one
-- UserUpdateProfile sets the names and email given; null keeps a value.
UPDATE users SET
    first_name = coalesce(sqlc.narg(first_name), first_name),
    last_name = coalesce(sqlc.narg(last_name), last_name),
    email = coalesce(sqlc.narg(email), email)
WHERE id = @id
RETURNING *;

-- name: UserDeactivate :many
-- UserDeactivate makes users unable to log in or hold anything, as Kiwi's User.deactivate.
WITH perms AS (DELETE FROM user_permissions WHERE user_id = ANY (@ids::bigint[])),
grps AS (DELETE FROM user_groups WHERE user_id = ANY (@ids::bigint[])),
sess AS (UPDATE sessions SET revoked_at = now() WHERE user_id = ANY (@ids::bigint[]) AND revoked_at IS NULL)
UPDATE users SET password = '!', is_active = false, is_staff = false, is_superuser = false
WHERE id = ANY (@ids::bigint[])
RETURNING *;
