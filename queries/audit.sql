-- name: AuditAdd :exec
-- AuditAdd records changes in the audit log: one row per target, with its details as JSON text.
INSERT INTO audit_log (at, tenant, actor_id, actor, address, action, target, details)
SELECT @at::timestamptz, @tenant::text, sqlc.narg(actor_id)::bigint, @actor::text, @address::text, @action::text,
    unnest(@targets::text[]), unnest(@details::text[])::jsonb;
