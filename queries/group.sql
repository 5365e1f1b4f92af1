-- name: GroupCreate :one
-- GroupCreate adds a group.
INSERT INTO groups (name) VALUES (@name) RETURNING id, name;

-- name: GroupGet :one
-- GroupGet returns one group.
SELECT id, name FROM groups WHERE id = @id;

-- name: GroupRename :one
-- GroupRename renames a group.
UPDATE groups SET name = @name WHERE id = @id RETURNING id, name;

-- name: GroupDelete :execrows
-- GroupDelete removes a group with its grants and memberships.
DELETE FROM groups WHERE id = @id;

-- name: GroupPermissionLabels :one
-- GroupPermissionLabels lists a group's labels; no row means there is no
-- such group.
SELECT ARRAY(SELECT (p.app_label || '.' || p.codename)::text
    FROM group_permissions gp JOIN permissions p ON p.id = gp.permission_id
    WHERE gp.group_id = g.id ORDER BY 1)::text[] AS labels
FROM groups g WHERE g.id = @group_id;

-- name: GroupUsers :many
-- GroupUsers lists a group's members by username: no row means there is
-- no such group, one row of nulls that it has no members.
SELECT u.id, u.username FROM groups g
LEFT JOIN user_groups ug ON ug.group_id = g.id LEFT JOIN users u ON u.id = ug.user_id
WHERE g.id = @group_id ORDER BY u.username;

-- name: GroupGrant :exec
-- GroupGrant gives a group permissions; held ones stay as they are.
INSERT INTO group_permissions (group_id, permission_id)
SELECT @group_id, unnest(@permission_ids::bigint[]) ON CONFLICT DO NOTHING;

-- name: GroupRevoke :exec
-- GroupRevoke takes permissions from a group.
DELETE FROM group_permissions WHERE group_id = @group_id AND permission_id = ANY (@permission_ids::bigint[]);

-- name: GroupAddUsers :exec
-- GroupAddUsers makes users members of a group; members stay as they are.
INSERT INTO user_groups (user_id, group_id)
SELECT unnest(@user_ids::bigint[]), @group_id ON CONFLICT DO NOTHING;

-- name: GroupRemoveUsers :exec
-- GroupRemoveUsers takes users out of a group.
DELETE FROM user_groups WHERE group_id = @group_id AND user_id = ANY (@user_ids::bigint[]);

-- name: UserJoinGroupsByName :many
-- UserJoinGroupsByName makes a user a member of the named groups that exist and returns their names.
WITH g AS (SELECT id, name FROM groups WHERE name = ANY (@names::text[])),
ins AS (INSERT INTO user_groups (user_id, group_id) SELECT @user_id, id FROM g ON CONFLICT DO NOTHING)
SELECT name FROM g;

-- name: UserGrant :exec
-- UserGrant gives a user permissions directly; held ones stay as they are.
INSERT INTO user_permissions (user_id, permission_id)
SELECT @user_id, unnest(@permission_ids::bigint[]) ON CONFLICT DO NOTHING;

-- name: UserRevoke :exec
-- UserRevoke takes direct permissions from a user.
DELETE FROM user_permissions WHERE user_id = @user_id AND permission_id = ANY (@permission_ids::bigint[]);

-- name: GroupResolve :many
-- GroupResolve finds groups by id or by exact name.
SELECT id, name FROM groups WHERE id = ANY (@ids::bigint[]) OR name = ANY (@names::text[]);

-- name: GroupFilter :many
-- GroupFilter answers Group.filter, by id.
SELECT g.id, g.name FROM groups g WHERE /* filter */ TRUE ORDER BY g.id;
