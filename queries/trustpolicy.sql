-- Trust policies (issue 20). Every statement but TrustPolicyCandidates is scoped to the
-- tenant of the search_path: in public all policies, in a tenant only the ones naming it.

-- name: TrustPolicyTenant :one
-- TrustPolicyTenant returns the id of the tenant with the given schema, or of the current tenant when none is given.
SELECT id FROM tenants WHERE schema_name = coalesce(sqlc.narg(schema_name)::text, current_schema());

-- name: TrustPolicyBindable :one
-- TrustPolicyBindable says whether a user a policy would bind is active and authorised for the tenant (always, without one).
SELECT u.username, u.is_active,
    coalesce(sqlc.narg(tenant_id)::bigint IS NULL OR EXISTS (
        SELECT 1 FROM tenant_authorized_users a WHERE a.tenant_id = sqlc.narg(tenant_id)::bigint AND a.user_id = u.id), false)::boolean AS authorized
FROM users u WHERE u.id = @user_id;

-- name: TrustPolicyCreate :one
-- TrustPolicyCreate adds a policy and returns its id.
INSERT INTO trust_policies (issuer, audience, conditions, user_id, tenant_id, max_session, created_by_id)
VALUES (@issuer, @audience, @conditions, @user_id, sqlc.narg(tenant_id), @max_session, sqlc.narg(created_by_id))
RETURNING id;

-- name: TrustPolicyGet :one
-- TrustPolicyGet returns a policy in scope, locked until the transaction ends.
SELECT tp.id, tp.issuer, tp.audience, tp.conditions, tp.user_id, tp.tenant_id, t.schema_name AS tenant, tp.max_session
FROM trust_policies tp LEFT JOIN tenants t ON t.id = tp.tenant_id
WHERE tp.id = @id AND (current_schema() = 'public' OR t.schema_name = current_schema())
FOR UPDATE OF tp;

-- name: TrustPolicySet :exec
-- TrustPolicySet replaces every changeable field of a policy.
UPDATE trust_policies SET issuer = @issuer, audience = @audience, conditions = @conditions, user_id = @user_id,
    tenant_id = sqlc.narg(tenant_id), max_session = @max_session
WHERE id = @id;

-- name: TrustPolicyDelete :execrows
-- TrustPolicyDelete removes a policy in scope.
DELETE FROM trust_policies tp
WHERE tp.id = @id AND (current_schema() = 'public'
    OR tp.tenant_id = (SELECT t.id FROM tenants t WHERE t.schema_name = current_schema()));

-- name: TrustPolicyCandidates :many
-- TrustPolicyCandidates lists, oldest first, the policies of an issuer that may start a session at the current address (the ones naming no tenant and the ones naming the current tenant) and whose user is active; at most 1000.
SELECT tp.id, tp.audience, tp.conditions, tp.user_id, u.username, u.is_superuser, tp.tenant_id, t.schema_name AS tenant, tp.max_session
FROM trust_policies tp JOIN users u ON u.id = tp.user_id LEFT JOIN tenants t ON t.id = tp.tenant_id
WHERE tp.issuer = @issuer AND u.is_active AND (tp.tenant_id IS NULL OR t.schema_name = current_schema())
ORDER BY tp.id
LIMIT 1000;

-- name: TrustPolicyFilter :many
-- TrustPolicyFilter answers TrustPolicy.filter over the policies in scope, by id.
SELECT tp.id, tp.issuer, tp.audience, tp.conditions, tp.user_id, u.username, t.schema_name AS tenant,
    tp.max_session, tp.created_at, tp.created_by_id
FROM trust_policies tp JOIN users u ON u.id = tp.user_id LEFT JOIN tenants t ON t.id = tp.tenant_id
WHERE (current_schema() = 'public' OR t.schema_name = current_schema()) AND /* filter */ TRUE
ORDER BY tp.id;
