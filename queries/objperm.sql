-- name: ObjectGrantResolve :one
-- ObjectGrantResolve looks up a grant's grantee (user by id or username, among those records of the current tenant may name as user_by_ref finds them; group by id or name) and permission, and tells whether the object exists; what is not found comes back NULL.
SELECT u.id AS user_id, g.id AS group_id, p.id AS permission_id,
    -- Each entity adds its table here when it arrives; until then any positive id is accepted.
    (CASE @object_type::text
        WHEN 'User' THEN EXISTS (SELECT 1 FROM users o WHERE o.id = @object_id::bigint)
        WHEN 'TestPlan' THEN EXISTS (SELECT 1 FROM test_plans o WHERE o.id = @object_id::bigint)

        WHEN 'TestCase' THEN EXISTS (SELECT 1 FROM test_cases o WHERE o.id = @object_id::bigint)
        WHEN 'Bug' THEN EXISTS (SELECT 1 FROM bugs o WHERE o.id = @object_id::bigint)
        ELSE true
    END)::boolean AS object_exists
FROM (SELECT 1) AS one
LEFT JOIN users u ON (u.id = sqlc.narg(user_id)::bigint OR u.username = sqlc.narg(username)::text)
    AND EXISTS (SELECT 1 FROM user_by_ref(ARRAY[u.id], '{}'::text[]))
LEFT JOIN groups g ON g.id = sqlc.narg(group_id)::bigint OR g.name = sqlc.narg(group_name)::text
LEFT JOIN permissions p ON p.app_label || '.' || p.codename = @label::text;

-- name: ObjectGrantAdd :execrows
-- ObjectGrantAdd stores a grant; an existing one stays as it is.
INSERT INTO object_permissions (user_id, group_id, permission_id, object_type, object_id)
VALUES (sqlc.narg(user_id), sqlc.narg(group_id), @permission_id, @object_type, @object_id)
ON CONFLICT ON CONSTRAINT object_permissions_grant_key DO NOTHING;

-- name: ObjectGrantDelete :execrows
-- ObjectGrantDelete removes one grant, if it exists.
DELETE FROM object_permissions
WHERE user_id IS NOT DISTINCT FROM sqlc.narg(user_id)::bigint
    AND group_id IS NOT DISTINCT FROM sqlc.narg(group_id)::bigint
    AND permission_id = @permission_id AND object_type = @object_type AND object_id = @object_id;

-- name: ObjectGrantFilter :many
-- ObjectGrantFilter lists the grants a filter matches, by id.
SELECT op.id, op.user_id, u.username, op.group_id, g.name AS group_name,
    (p.app_label || '.' || p.codename)::text AS permission, op.object_type, op.object_id
FROM object_permissions op
JOIN permissions p ON p.id = op.permission_id
LEFT JOIN users u ON u.id = op.user_id
LEFT JOIN groups g ON g.id = op.group_id
WHERE /* filter */ TRUE
ORDER BY op.id;

-- name: ObjectGrantHeld :one
-- ObjectGrantHeld tells whether an active user holds a label on one object, directly or through a group.
SELECT EXISTS (
    SELECT 1 FROM object_permissions op
    JOIN permissions p ON p.id = op.permission_id
    JOIN users u ON u.id = @user_id::bigint AND u.is_active
    WHERE p.app_label || '.' || p.codename = @label::text
        AND op.object_type = @object_type::text AND op.object_id = @object_id::bigint
        AND (op.user_id = u.id OR op.group_id IN (SELECT ug.group_id FROM user_groups ug WHERE ug.user_id = u.id))
);
