-- name: ComponentCreate :one
-- ComponentCreate adds a component to a product.
INSERT INTO components (name, product_id, initial_owner_id, description)
VALUES (@name, @product_id, sqlc.narg(initial_owner_id), @description)
RETURNING id, name, product_id, initial_owner_id, description;

-- name: ComponentUpdate :one
-- ComponentUpdate sets the given fields of a component; null keeps a
-- field, except the owner, which set_owner replaces (null clears it).
UPDATE components SET
    name             = coalesce(sqlc.narg(name), name),
    product_id       = coalesce(sqlc.narg(product_id), product_id),
    initial_owner_id = CASE WHEN @set_owner::boolean THEN sqlc.narg(initial_owner_id) ELSE initial_owner_id END,
    description      = coalesce(sqlc.narg(description), description)
WHERE id = @id
RETURNING id, name, product_id, initial_owner_id, description;

-- name: ComponentLockMatching :many
-- ComponentLockMatching locks the components a filter matches until the
-- transaction ends and returns their ids; the filter sees each component
-- with each of its cases (cc), as Component.filter does.
SELECT c.id FROM components c
WHERE c.id IN (SELECT c.id FROM components c LEFT JOIN test_case_components cc ON cc.component_id = c.id WHERE /* filter */ TRUE)
ORDER BY c.id FOR UPDATE;

-- name: ComponentReferences :many
-- ComponentReferences counts, per component, the test cases linked to it.
SELECT c.id, c.name, (SELECT count(*) FROM test_case_components tcc WHERE tcc.component_id = c.id) AS cases
FROM components c WHERE c.id = ANY(@ids::bigint[]) ORDER BY c.id;

-- name: ComponentDelete :one
-- ComponentDelete deletes components and counts them.
WITH d AS (DELETE FROM components WHERE id = ANY(@ids::bigint[]) RETURNING 1)
SELECT count(*) AS components FROM d;

-- name: ComponentFilter :many
-- ComponentFilter answers Component.filter, by id: one row per linked
-- test case (cc), cases null when none.
SELECT sqlc.embed(c), cc.case_id AS cases
FROM components c LEFT JOIN test_case_components cc ON cc.component_id = c.id
WHERE /* filter */ TRUE
ORDER BY c.id, cc.case_id;
