-- name: SessionCreate :exec
-- SessionCreate stores a new session, valid only in the given tenant when one is given.
INSERT INTO sessions (id, user_id, created_at, expires_at, tenant_id) VALUES (@id, @user_id, @now, @expires_at, sqlc.narg(tenant_id));

-- name: SessionPrincipal :one
-- SessionPrincipal returns the user of a live session (not revoked, not expired, user active) and the schema of the only tenant it is valid in, if any.
SELECT u.id, u.username, u.is_superuser, s.expires_at, t.schema_name AS tenant
FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN tenants t ON t.id = s.tenant_id
WHERE s.id = @id AND s.revoked_at IS NULL AND s.expires_at > @now AND u.is_active;

-- name: SessionRevoke :exec
-- SessionRevoke ends one session (ending an ended or unknown session changes nothing) and, as AuthNotify, tells every process to drop it from its cache.
WITH r AS (UPDATE sessions SET revoked_at = @now::timestamptz WHERE id = @id AND revoked_at IS NULL)
SELECT pg_notify('tcms_auth', @payload::text);

-- name: AuthNotify :exec
-- AuthNotify tells every process to drop cached sessions or credentials; it is delivered on commit. Payloads are "s:<session id>" (session ended), "t:<token id>" (API token revoked), "u:<user id>" (user changed) and "p" (grants, groups or tenants changed).
SELECT pg_notify('tcms_auth', @payload::text);

-- name: AuthListen :exec
-- AuthListen subscribes the connection to AuthNotify's channel.
LISTEN tcms_auth;
