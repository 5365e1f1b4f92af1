-- name: PermissionSync :exec
-- PermissionSync adds the catalogue's missing permissions and renames changed ones.
INSERT INTO permissions (app_label, codename, name)
SELECT split_part(l.label, '.', 1), split_part(l.label, '.', 2), n.name
FROM unnest(@labels::text[]) WITH ORDINALITY AS l (label, i)
JOIN unnest(@names::text[]) WITH ORDINALITY AS n (name, i) USING (i)
ON CONFLICT (app_label, codename) DO UPDATE SET name = excluded.name;

-- name: PermissionDeleteStale :execrows
-- PermissionDeleteStale removes permissions the catalogue no longer has, with their grants.
DELETE FROM permissions WHERE app_label || '.' || codename <> ALL (@labels::text[]);

-- name: GroupResetPermissions :exec
-- GroupResetPermissions makes a group hold exactly the given labels.
WITH g AS (SELECT id FROM groups WHERE groups.name = @group_name::text),
want AS (SELECT id FROM permissions WHERE app_label || '.' || codename = ANY (@labels::text[])),
gone AS (
    DELETE FROM group_permissions
    WHERE group_id = (SELECT id FROM g) AND permission_id NOT IN (SELECT id FROM want)
)
INSERT INTO group_permissions (group_id, permission_id)
SELECT g.id, want.id FROM g, want
ON CONFLICT DO NOTHING;

-- name: PermissionIDs :many
-- PermissionIDs resolves labels to permission ids; unknown labels are left out.
SELECT id, (app_label || '.' || codename)::text AS label FROM permissions
WHERE app_label || '.' || codename = ANY (@labels::text[]);

-- name: UserEffectivePermissions :many
-- UserEffectivePermissions lists an active user's labels: direct and from every group.
SELECT DISTINCT (p.app_label || '.' || p.codename)::text AS label
FROM permissions p
WHERE p.id IN (
    SELECT up.permission_id FROM user_permissions up WHERE up.user_id = @user_id
    UNION ALL
    SELECT gp.permission_id FROM group_permissions gp JOIN user_groups ug ON ug.group_id = gp.group_id
    WHERE ug.user_id = @user_id
) AND EXISTS (SELECT 1 FROM users u WHERE u.id = @user_id AND u.is_active);

-- name: UserPermissionSources :many
-- UserPermissionSources lists each label a user holds with where it comes from: "direct" or the group's name.
SELECT (p.app_label || '.' || p.codename)::text AS label, 'direct'::text AS source
FROM user_permissions up JOIN permissions p ON p.id = up.permission_id WHERE up.user_id = @user_id
UNION ALL
SELECT p.app_label || '.' || p.codename, g.name::text
FROM user_groups ug JOIN groups g ON g.id = ug.group_id
JOIN group_permissions gp ON gp.group_id = g.id JOIN permissions p ON p.id = gp.permission_id
WHERE ug.user_id = @user_id
ORDER BY 1, 2;
