-- name: TokenCreate :one
-- TokenCreate stores a new API token by the hash of its text.
INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at)
VALUES (@user_id, @name, @token_hash, @now, sqlc.narg(expires_at))
RETURNING id, name, created_at, expires_at, last_used_at;

-- name: TokenListByUser :many
-- TokenListByUser lists a user's tokens, without their hashes, by id.
SELECT id, name, created_at, expires_at, last_used_at FROM api_tokens WHERE user_id = @user_id ORDER BY id;

-- name: TokenDelete :execrows
-- TokenDelete revokes one of a user's tokens.
DELETE FROM api_tokens WHERE id = @id AND user_id = @user_id;

-- name: TokenPrincipal :one
-- TokenPrincipal returns the user of a live token (not expired, user active) and records the use.
UPDATE api_tokens t SET last_used_at = @now::timestamptz
FROM users u
WHERE t.token_hash = @token_hash AND u.id = t.user_id AND u.is_active
  AND (t.expires_at IS NULL OR t.expires_at > @now::timestamptz)
RETURNING t.id, u.id AS user_id, u.username, u.is_superuser, t.expires_at;
