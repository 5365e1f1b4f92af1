-- name: CategoryCreate :one
-- CategoryCreate adds a test case category to a product.
INSERT INTO categories (name, product_id, description) VALUES (@name, @product_id, @description)
RETURNING id, name, product_id, description;

-- name: CategoryUpdate :one
-- CategoryUpdate sets the given fields of a category; null keeps a field.
UPDATE categories SET
    name        = coalesce(sqlc.narg(name), name),
    product_id  = coalesce(sqlc.narg(product_id), product_id),
    description = coalesce(sqlc.narg(description), description)
WHERE id = @id
RETURNING id, name, product_id, description;

-- name: CategoryLockMatching :many
-- CategoryLockMatching locks the categories a filter matches until the
-- transaction ends and returns their ids.
SELECT ca.id FROM categories ca WHERE /* filter */ TRUE ORDER BY ca.id FOR UPDATE;

-- name: CategoryReferences :many
-- CategoryReferences counts, per category, its test cases.
SELECT ca.id, ca.name, (SELECT count(*) FROM test_cases tc WHERE tc.category_id = ca.id) AS cases
FROM categories ca WHERE ca.id = ANY(@ids::bigint[]) ORDER BY ca.id;

-- name: CategoryDelete :one
-- CategoryDelete deletes categories and counts them.
WITH d AS (DELETE FROM categories WHERE id = ANY(@ids::bigint[]) RETURNING 1)
SELECT count(*) AS categories FROM d;

-- name: CategoryFilter :many
-- CategoryFilter answers Category.filter, by id.
SELECT ca.id, ca.name, ca.product_id, ca.description FROM categories ca
WHERE /* filter */ TRUE ORDER BY ca.id;
