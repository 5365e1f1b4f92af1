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

-- name: GroupGiveDefaults :exec
-- GroupGiveDefaults gives a default group the labels of its default set it has not received before, and records them as received; labels an administrator took or granted stay as they are. A group with grants but no record comes from a version that kept none: its whole default set counts as received.
WITH g AS (SELECT id FROM groups WHERE groups.name = @group_name::text),
upgrade AS (
    SELECT NOT EXISTS (SELECT 1 FROM group_default_grants d WHERE d.group_id = g.id)
        AND EXISTS (SELECT 1 FROM group_permissions gp WHERE gp.group_id = g.id) AS yes
    FROM g
),
fresh AS (
    SELECT l.label FROM unnest(@labels::text[]) AS l (label), g
    WHERE NOT EXISTS (SELECT 1 FROM group_default_grants d WHERE d.group_id = g.id AND d.label = l.label)
),
granted AS (
    INSERT INTO group_permissions (group_id, permission_id)
    SELECT g.id, p.id FROM g, upgrade, permissions p
    WHERE NOT upgrade.yes AND p.app_label || '.' || p.codename IN (SELECT label FROM fresh)
    ON CONFLICT DO NOTHING
)
INSERT INTO group_default_grants (group_id, label)
SELECT g.id, fresh.label FROM g, fresh
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

-- name: UserGuard :one
-- UserGuard finds the first of the users, by id, that is a superuser or holds directly, through a shared group or as an object grant (of the public tenant) a label outside held; beyond is that label (empty for a superuser, or when none does).
SELECT username, is_superuser, beyond FROM (
    SELECT u.id, u.username, u.is_superuser, coalesce((
            SELECT min(p.app_label || '.' || p.codename) FROM permissions p
            WHERE p.id IN (
                SELECT up.permission_id FROM user_permissions up WHERE up.user_id = u.id
                UNION ALL
                SELECT gp.permission_id FROM group_permissions gp JOIN user_groups ug ON ug.group_id = gp.group_id
                WHERE ug.user_id = u.id
                UNION ALL
                SELECT o.permission_id FROM object_permissions o
                WHERE o.user_id = u.id OR o.group_id IN (SELECT ug.group_id FROM user_groups ug WHERE ug.user_id = u.id)
            ) AND (p.app_label || '.' || p.codename) <> ALL (@held::text[])
        ), '')::text AS beyond
    FROM users u
    WHERE u.id = ANY (@user_ids::bigint[])
) g
ORDER BY is_superuser DESC, beyond = '', id
LIMIT 1;

-- name: GroupLabelsBeyond :one
-- GroupLabelsBeyond returns the first label, by label, that one of the shared groups holds outside held, unbound or as an object grant (of the public tenant), or "".
SELECT coalesce(min(p.app_label || '.' || p.codename), '')::text
FROM permissions p
WHERE p.id IN (
        SELECT gp.permission_id FROM group_permissions gp WHERE gp.group_id = ANY (@group_ids::bigint[])
        UNION ALL
        SELECT o.permission_id FROM object_permissions o WHERE o.group_id = ANY (@group_ids::bigint[])
    ) AND (p.app_label || '.' || p.codename) <> ALL (@held::text[]);

-- name: PermissionFilter :many
-- PermissionFilter answers Permission.filter, by label.
SELECT p.id, p.name, p.app_label, p.codename, (p.app_label || '.' || p.codename)::text AS label
FROM permissions p WHERE /* filter */ TRUE
ORDER BY p.app_label, p.codename;
