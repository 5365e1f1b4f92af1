-- name: SessionCreate :exec
-- SessionCreate stores a new session.
INSERT INTO sessions (id, user_id, created_at, expires_at) VALUES (@id, @user_id, @now, @expires_at);

-- name: SessionPrincipal :one
-- SessionPrincipal returns the user of a live session: not revoked, not expired, user active.
SELECT u.id, u.username, u.is_superuser, s.expires_at
FROM sessions s JOIN users u ON u.id = s.user_id
WHERE s.id = @id AND s.revoked_at IS NULL AND s.expires_at > @now AND u.is_active;

-- name: SessionRevoke :exec
-- SessionRevoke ends one session; ending an ended or unknown session is a no-op.
UPDATE sessions SET revoked_at = @now::timestamptz WHERE id = @id AND revoked_at IS NULL;

-- name: SessionRevokeByUser :exec
-- SessionRevokeByUser ends every live session of a user.
UPDATE sessions SET revoked_at = @now::timestamptz WHERE user_id = @user_id AND revoked_at IS NULL;

-- name: AuthNotify :exec
-- AuthNotify tells every process to drop cached sessions or credentials; it is delivered on commit.
SELECT pg_notify('tcms_auth', @payload::text);
