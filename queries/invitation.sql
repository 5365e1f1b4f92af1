-- name: InvitationUpsert :one
-- InvitationUpsert invites an address to the tenant of the current search_path, or renews its invitation: a new token, inviter and expiry, pending again.
INSERT INTO invitations (tenant_id, email, invited_by_id, token_hash, created_at, expires_at)
SELECT t.id, @email, sqlc.narg(invited_by_id), @token_hash, @now, @expires_at FROM tenants t WHERE t.schema_name = current_schema()
ON CONFLICT (tenant_id, lower(email)) DO UPDATE SET email = excluded.email, invited_by_id = excluded.invited_by_id,
    token_hash = excluded.token_hash, created_at = excluded.created_at, expires_at = excluded.expires_at,
    user_id = NULL, accepted_at = NULL, revoked_at = NULL
RETURNING id, email, expires_at;

-- name: InvitationLock :one
-- InvitationLock returns one invitation of the tenant of the current search_path and locks it until the transaction ends.
SELECT i.id, i.email, i.accepted_at, i.revoked_at FROM invitations i JOIN tenants t ON t.id = i.tenant_id
WHERE i.id = @id AND t.schema_name = current_schema()
FOR UPDATE OF i;

-- name: InvitationRenew :one
-- InvitationRenew gives an invitation a new token, inviter and expiry; a revoked one is pending again.
UPDATE invitations SET token_hash = @token_hash, invited_by_id = sqlc.narg(invited_by_id), expires_at = @expires_at, revoked_at = NULL
WHERE id = @id
RETURNING id, email, expires_at;

-- name: InvitationRevoke :exec
-- InvitationRevoke ends an invitation; its token is refused from then on.
UPDATE invitations SET revoked_at = coalesce(revoked_at, @now::timestamptz) WHERE id = @id;

-- name: InvitationByToken :one
-- InvitationByToken finds the invitation of a token, with its tenant's schema.
SELECT i.id, i.email, i.expires_at, i.accepted_at, i.revoked_at, t.schema_name
FROM invitations i JOIN tenants t ON t.id = i.tenant_id
WHERE i.token_hash = @token_hash;

-- name: InvitationAccept :execrows
-- InvitationAccept records that a user accepted a pending invitation; it changes nothing (0 rows) when the invitation is no longer pending.
UPDATE invitations SET accepted_at = @now::timestamptz, user_id = @user_id
WHERE id = @id AND token_hash = @token_hash AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > @now::timestamptz;

-- name: InvitationFilter :many
-- InvitationFilter answers Invitation.filter over the invitations of the
-- tenant of the current search_path, with their status, by id.
SELECT i.id, i.email,
    (CASE WHEN i.revoked_at IS NOT NULL THEN 'revoked' WHEN i.accepted_at IS NOT NULL THEN 'accepted'
        WHEN i.expires_at <= now() THEN 'expired' ELSE 'pending' END)::text AS status,
    i.invited_by_id, u.username AS invited_by_username, i.created_at, i.expires_at, i.accepted_at
FROM invitations i JOIN tenants t ON t.id = i.tenant_id LEFT JOIN users u ON u.id = i.invited_by_id
WHERE t.schema_name = current_schema() AND /* filter */ TRUE
ORDER BY i.id;
