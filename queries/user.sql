-- name: UserCreate :one
-- UserCreate inserts a user with an already hashed password.
INSERT INTO users (username, email, password, is_staff, is_superuser)
VALUES (@username, @email, @password, @is_staff, @is_superuser)
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
-- UserLoggedIn records a login, and the password hash when it was upgraded; it clears any lockout.
UPDATE users SET last_login = @now::timestamptz, password = coalesce(sqlc.narg(password), password),
    failed_logins = 0, locked_until = NULL
WHERE id = @id;

-- name: UserLoginFailed :one
-- UserLoginFailed counts a wrong password; the max_failures-th one locks the user until locked_until and restarts the count.
UPDATE users SET
    failed_logins = CASE WHEN failed_logins + 1 >= @max_failures::int THEN 0 ELSE failed_logins + 1 END,
    locked_until = CASE WHEN failed_logins + 1 >= @max_failures::int THEN @locked_until::timestamptz ELSE locked_until END
WHERE id = @id
RETURNING locked_until;

-- name: UserUnlock :execrows
-- UserUnlock lifts a lockout and forgets the wrong passwords counted so far.
UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = @id;
