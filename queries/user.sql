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
