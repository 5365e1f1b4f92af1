-- name: TenantCreate :one
-- TenantCreate adds a tenant row and authorises its owner.
WITH t AS (
    INSERT INTO tenants (schema_name, name, organization, owner_id, publicly_readable, paid_until)
    VALUES (@schema_name, @name, @organization, @owner_id, @publicly_readable, sqlc.narg(paid_until))
    RETURNING *
), a AS (INSERT INTO tenant_authorized_users (tenant_id, user_id) SELECT id, owner_id FROM t)
SELECT id FROM t;

-- name: TenantAddDomain :exec
-- TenantAddDomain gives a tenant an extra host name.
INSERT INTO tenant_domains (domain, tenant_id) VALUES (@domain, @tenant_id);

-- name: TenantLookup :one
-- TenantLookup finds the tenant named by schema, or owning the host name.
SELECT t.id, t.schema_name, t.name, t.organization, t.owner_id, t.publicly_readable, t.paid_until, t.created_on
FROM tenants t
WHERE t.schema_name = @schema_name OR t.id = (SELECT d.tenant_id FROM tenant_domains d WHERE d.domain = @domain)
ORDER BY t.schema_name = @schema_name DESC LIMIT 1;

-- name: TenantSchemas :many
-- TenantSchemas lists every tenant's schema, oldest first.
SELECT schema_name FROM tenants ORDER BY id;

-- name: TenantDelete :one
-- TenantDelete removes a tenant row (domains, authorisations and invitations go with it).
DELETE FROM tenants WHERE schema_name = @schema_name RETURNING schema_name;

-- name: TenantAuthorize :exec
-- TenantAuthorize lets users work in the tenant of the current search_path.
INSERT INTO tenant_authorized_users (tenant_id, user_id)
SELECT t.id, unnest(@user_ids::bigint[]) FROM tenants t WHERE t.schema_name = current_schema()
ON CONFLICT DO NOTHING;

-- name: TenantUnauthorize :exec
-- TenantUnauthorize takes users out of the tenant of the current search_path and out of its groups.
WITH g AS (DELETE FROM tenant_group_users WHERE user_id = ANY (@user_ids::bigint[]))
DELETE FROM tenant_authorized_users a USING tenants t
WHERE t.id = a.tenant_id AND t.schema_name = current_schema() AND a.user_id = ANY (@user_ids::bigint[]);

-- name: TenantUserAccess :one
-- TenantUserAccess says whether an active user is authorised for the tenant of the current search_path, and lists the labels it holds there: those its tenant groups give it, or every label for the tenant's owner.
SELECT EXISTS (
        SELECT 1 FROM tenant_authorized_users a JOIN tenants t ON t.id = a.tenant_id
        JOIN users u ON u.id = a.user_id AND u.is_active
        WHERE t.schema_name = current_schema() AND a.user_id = @user_id
    ) AS authorized,
    ARRAY(
        SELECT p.app_label || '.' || p.codename FROM permissions p
        WHERE EXISTS (SELECT 1 FROM tenants t WHERE t.schema_name = current_schema() AND t.owner_id = @user_id)
            OR p.id IN (
                SELECT gp.permission_id FROM tenant_group_users gu
                JOIN tenant_group_permissions gp ON gp.group_id = gu.group_id
                WHERE gu.user_id = @user_id)
        ORDER BY 1
    )::text[] AS labels;

-- name: TenantGroupGiveDefaults :exec
-- TenantGroupGiveDefaults is GroupGiveDefaults for a default group of the tenant of the current search_path.
WITH g AS (SELECT id FROM tenant_groups WHERE tenant_groups.name = @group_name::text),
upgrade AS (
    SELECT NOT EXISTS (SELECT 1 FROM tenant_group_default_grants d WHERE d.group_id = g.id)
        AND EXISTS (SELECT 1 FROM tenant_group_permissions gp WHERE gp.group_id = g.id) AS yes
    FROM g
),
fresh AS (
    SELECT l.label FROM unnest(@labels::text[]) AS l (label), g
    WHERE NOT EXISTS (SELECT 1 FROM tenant_group_default_grants d WHERE d.group_id = g.id AND d.label = l.label)
),
granted AS (
    INSERT INTO tenant_group_permissions (group_id, permission_id)
    SELECT g.id, p.id FROM g, upgrade, permissions p
    WHERE NOT upgrade.yes AND p.app_label || '.' || p.codename IN (SELECT label FROM fresh)
    ON CONFLICT DO NOTHING
)
INSERT INTO tenant_group_default_grants (group_id, label)
SELECT g.id, fresh.label FROM g, fresh
ON CONFLICT DO NOTHING;

-- name: TenantGroupJoinByName :exec
-- TenantGroupJoinByName makes users members of the named tenant groups that exist.
INSERT INTO tenant_group_users (group_id, user_id)
SELECT g.id, u FROM tenant_groups g, unnest(@user_ids::bigint[]) u WHERE g.name = ANY (@names::text[])
ON CONFLICT DO NOTHING;

-- name: TenantGroupCreate :one
-- TenantGroupCreate adds a tenant group.
INSERT INTO tenant_groups (name) VALUES (@name) RETURNING id, name;

-- name: TenantGroupGrant :exec
-- TenantGroupGrant gives a tenant group permissions; held ones stay.
INSERT INTO tenant_group_permissions (group_id, permission_id)
SELECT @group_id, unnest(@permission_ids::bigint[]) ON CONFLICT DO NOTHING;

-- name: TenantGroupRevoke :exec
-- TenantGroupRevoke takes permissions from a tenant group.
DELETE FROM tenant_group_permissions WHERE group_id = @group_id AND permission_id = ANY (@permission_ids::bigint[]);

-- name: TenantGroupAddUsers :execrows
-- TenantGroupAddUsers makes authorised users members of a tenant group; it adds nobody when the group does not exist.
INSERT INTO tenant_group_users (group_id, user_id)
SELECT g.id, unnest(@user_ids::bigint[]) FROM tenant_groups g WHERE g.id = @group_id ON CONFLICT DO NOTHING;

-- name: TenantGroupRemoveUsers :exec
-- TenantGroupRemoveUsers takes users out of a tenant group.
DELETE FROM tenant_group_users WHERE group_id = @group_id AND user_id = ANY (@user_ids::bigint[]);

-- name: TenantGroupLabelsBeyond :one
-- TenantGroupLabelsBeyond returns the first label, by label, that one of the tenant groups holds outside held, or "".
SELECT coalesce(min(p.app_label || '.' || p.codename), '')::text
FROM tenant_group_permissions gp JOIN permissions p ON p.id = gp.permission_id
WHERE gp.group_id = ANY (@group_ids::bigint[]) AND (p.app_label || '.' || p.codename) <> ALL (@held::text[]);

-- name: TenantGroupResolve :many
-- TenantGroupResolve finds tenant groups by id or by exact name.
SELECT id, name FROM tenant_groups WHERE id = ANY (@ids::bigint[]) OR name = ANY (@names::text[]);

-- name: TenantUserLabelSources :many
-- TenantUserLabelSources lists each label a user holds in the tenant of the current search_path with its source: "owner" for the tenant's owner, else "group:<tenant group>".
SELECT (p.app_label || '.' || p.codename)::text AS label, 'owner'::text AS source
FROM permissions p
WHERE EXISTS (SELECT 1 FROM tenants t WHERE t.schema_name = current_schema() AND t.owner_id = @user_id)
UNION ALL
SELECT p.app_label || '.' || p.codename, 'group:' || g.name
FROM tenant_group_users gu JOIN tenant_groups g ON g.id = gu.group_id
JOIN tenant_group_permissions gp ON gp.group_id = g.id JOIN permissions p ON p.id = gp.permission_id
WHERE gu.user_id = @user_id
ORDER BY 1, 2;

-- name: TenantOutsiders :many
-- TenantOutsiders returns which of the users are not authorised for the tenant of the current search_path.
SELECT u.id FROM users u
WHERE u.id = ANY (@ids::bigint[]) AND NOT EXISTS (
    SELECT 1 FROM tenant_authorized_users a JOIN tenants t ON t.id = a.tenant_id
    WHERE t.schema_name = current_schema() AND a.user_id = u.id);

-- name: UserObjectGrantLabels :many
-- UserObjectGrantLabels lists the labels of the object grants a user holds in the tenant of the current search_path, itself or through a shared group.
SELECT DISTINCT (p.app_label || '.' || p.codename)::text
FROM object_permissions o JOIN permissions p ON p.id = o.permission_id
WHERE o.user_id = @user_id OR o.group_id IN (SELECT ug.group_id FROM user_groups ug WHERE ug.user_id = @user_id);

-- name: TenantOwnerAmong :one
-- TenantOwnerAmong says whether one of the users owns the tenant of the current search_path.
SELECT EXISTS (SELECT 1 FROM tenants WHERE schema_name = current_schema() AND owner_id = ANY (@ids::bigint[]));

-- name: TenantLock :one
-- TenantLock returns a tenant by schema name and locks its row until the transaction ends.
SELECT id, owner_id FROM tenants WHERE schema_name = @schema_name FOR UPDATE;

-- name: TenantUpdate :exec
-- TenantUpdate sets the fields given (null keeps a value; paid_until is set, possibly to null, when set_paid_until).
UPDATE tenants SET
    name = coalesce(sqlc.narg(name), name),
    organization = coalesce(sqlc.narg(organization), organization),
    publicly_readable = coalesce(sqlc.narg(publicly_readable), publicly_readable),
    paid_until = CASE WHEN @set_paid_until::bool THEN sqlc.narg(paid_until) ELSE paid_until END,
    owner_id = coalesce(sqlc.narg(owner_id), owner_id)
WHERE id = @id;

-- name: TenantRemoveDomain :execrows
-- TenantRemoveDomain takes an extra host name from a tenant.
DELETE FROM tenant_domains WHERE tenant_id = @tenant_id AND domain = @domain;

-- name: TenantFilter :many
-- TenantFilter answers Tenant.filter, by id, over every tenant (every) or
-- the ones a user is authorised for.
SELECT t.id, t.schema_name, t.name, t.organization, t.owner_id, o.username AS owner_username,
    t.publicly_readable, t.paid_until, t.created_on
FROM tenants t JOIN users o ON o.id = t.owner_id
WHERE (@every::boolean OR t.id IN (SELECT a.tenant_id FROM tenant_authorized_users a WHERE a.user_id = @user_id))
    AND /* filter */ TRUE
ORDER BY t.id;

-- name: TenantGroupFilter :many
-- TenantGroupFilter answers TenantGroup.filter over the groups of the
-- tenant of the current search_path, with their labels and member ids, by
-- id.
SELECT g.id, g.name,
    ARRAY(SELECT p.app_label || '.' || p.codename FROM tenant_group_permissions gp JOIN permissions p ON p.id = gp.permission_id
        WHERE gp.group_id = g.id ORDER BY 1)::text[] AS permissions,
    ARRAY(SELECT gu.user_id FROM tenant_group_users gu WHERE gu.group_id = g.id ORDER BY 1)::bigint[] AS users
FROM tenant_groups g WHERE /* filter */ TRUE
ORDER BY g.id;
