-- name: AuditAdd :exec
-- AuditAdd records changes in the audit log: one row per target, with its details as JSON text.
INSERT INTO audit_log (at, tenant, actor_id, actor, address, action, target, details)
SELECT @at::timestamptz, @tenant::text, sqlc.narg(actor_id)::bigint, @actor::text, @address::text, @action::text,
    unnest(@targets::text[]), unnest(@details::text[])::jsonb;

-- name: AuditFilter :many
-- AuditFilter answers Audit.filter over every row, by id, a page at most.
SELECT a.id, a.at, a.tenant, a.actor_id, a.actor, a.address, a.action, a.target, a.details
FROM audit_log a WHERE /* filter */ TRUE
ORDER BY a.id LIMIT @page;

-- name: AuditFilterTenant :many
-- AuditFilterTenant is AuditFilter over the rows of one tenant ('' for
-- the public address).
SELECT a.id, a.at, a.tenant, a.actor_id, a.actor, a.address, a.action, a.target, a.details
FROM audit_log a WHERE a.tenant = @tenant AND /* filter */ TRUE
ORDER BY a.id LIMIT @page;
