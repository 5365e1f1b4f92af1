-- Permission.export: every (user, label) of a place, from the views of
-- schema.sql.

-- name: PermissionExport :many
-- PermissionExport lists the labels of the public address a filter
-- matches, by username and label.
SELECT x.user_id, x.username, x.email, x.is_active, x.is_superuser, x.permission, x.source, x.tenant
FROM user_labels x WHERE /* filter */ TRUE
ORDER BY x.username, x.permission, x.source;

-- name: PermissionExportTenant :many
-- PermissionExportTenant lists the labels of the tenant of the current
-- search_path a filter matches, by username and label.
SELECT x.user_id, x.username, x.email, x.is_active, x.is_superuser, x.permission, x.source, x.tenant
FROM tenant_user_labels x WHERE /* filter */ TRUE
ORDER BY x.username, x.permission, x.source;
