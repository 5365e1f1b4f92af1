-- name: PasswordResetAccounts :many
-- PasswordResetAccounts lists the active accounts with an address, whatever its case, oldest first, at most ten.
SELECT id, username FROM users WHERE lower(email) = lower(@email) AND email <> '' AND is_active ORDER BY id LIMIT 10;

-- name: PasswordResetCreate :exec
-- PasswordResetCreate stores an account's reset token by its hash, replacing any earlier one.
INSERT INTO password_resets (user_id, token_hash, created_at, expires_at) VALUES (@user_id, @token_hash, @now, @expires_at)
ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at, expires_at = excluded.expires_at;

-- name: PasswordResetUse :one
-- PasswordResetUse takes a reset token out (it works once) and returns its account.
WITH used AS (DELETE FROM password_resets WHERE token_hash = @token_hash RETURNING user_id, expires_at)
SELECT used.user_id, used.expires_at, u.username, u.is_active FROM used JOIN users u ON u.id = used.user_id;
