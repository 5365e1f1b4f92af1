-- name: ProductCreate :one
-- ProductCreate adds a product with its --default-- category, its
-- unspecified version and that version's unspecified build, in one
-- statement.
WITH p AS (
    INSERT INTO products (name, classification_id, description)
    VALUES (@name, @classification_id, @description)
    RETURNING id, name, classification_id, description
), c AS (
    INSERT INTO categories (name, product_id) SELECT '--default--', id FROM p
), v AS (
    INSERT INTO versions (value, product_id) SELECT 'unspecified', id FROM p RETURNING id
), b AS (
    INSERT INTO builds (name, version_id) SELECT 'unspecified', id FROM v
)
SELECT id, name, classification_id, description FROM p;

-- name: ProductUpdate :one
-- ProductUpdate sets the given fields of a product; null keeps a field.
UPDATE products SET
    name              = coalesce(sqlc.narg(name), name),
    classification_id = coalesce(sqlc.narg(classification_id), classification_id),
    description       = coalesce(sqlc.narg(description), description)
WHERE id = @id
RETURNING id, name, classification_id, description;

-- name: ProductLockMatching :many
-- ProductLockMatching locks the products a filter matches and their
-- categories, versions, builds and components (what other records refer
-- to) until the transaction ends, so that nothing starts referring to
-- them while they are checked and deleted; it returns the products' ids.
WITH p AS (SELECT p.id FROM products p WHERE /* filter */ TRUE ORDER BY p.id FOR UPDATE)
SELECT p.id FROM p
WHERE (SELECT count(*) FROM (SELECT 1 FROM categories ca WHERE ca.product_id = p.id FOR UPDATE) x) >= 0
    AND (SELECT count(*) FROM (SELECT 1 FROM versions v WHERE v.product_id = p.id FOR UPDATE) x) >= 0
    AND (SELECT count(*) FROM (SELECT 1 FROM builds b JOIN versions v ON v.id = b.version_id WHERE v.product_id = p.id FOR UPDATE OF b) x) >= 0
    AND (SELECT count(*) FROM (SELECT 1 FROM components co WHERE co.product_id = p.id FOR UPDATE) x) >= 0
ORDER BY p.id;

-- name: ProductReferences :many
-- ProductReferences counts, per product, the records outside it that
-- refer to it or to its categories, versions and builds.
SELECT p.id, p.name,
    (SELECT count(*) FROM test_plans tp WHERE tp.product_id = p.id
        OR tp.product_version_id IN (SELECT v.id FROM versions v WHERE v.product_id = p.id)) AS plans,
    (SELECT count(*) FROM test_cases tc JOIN categories ca ON ca.id = tc.category_id WHERE ca.product_id = p.id) AS cases,
    (SELECT count(*) FROM test_runs tr JOIN builds b ON b.id = tr.build_id JOIN versions v ON v.id = b.version_id
        WHERE v.product_id = p.id) AS runs,
    (SELECT count(*) FROM test_executions e JOIN builds b ON b.id = e.build_id JOIN versions v ON v.id = b.version_id
        WHERE v.product_id = p.id) AS executions,
    (SELECT count(*) FROM bugs bg WHERE bg.product_id = p.id
        OR bg.version_id IN (SELECT v.id FROM versions v WHERE v.product_id = p.id)) AS bugs
FROM products p WHERE p.id = ANY(@ids::bigint[]) ORDER BY p.id;

-- name: ProductDelete :one
-- ProductDelete deletes products with their categories, versions, builds
-- and components (and those components' links to test cases), counting
-- each.
WITH counts AS (
    SELECT (SELECT count(*) FROM categories WHERE product_id = ANY(@ids::bigint[])) AS categories,
        (SELECT count(*) FROM versions WHERE product_id = ANY(@ids::bigint[])) AS versions,
        (SELECT count(*) FROM builds b JOIN versions v ON v.id = b.version_id WHERE v.product_id = ANY(@ids::bigint[])) AS builds,
        (SELECT count(*) FROM components WHERE product_id = ANY(@ids::bigint[])) AS components,
        (SELECT count(*) FROM test_case_components tcc JOIN components co ON co.id = tcc.component_id
            WHERE co.product_id = ANY(@ids::bigint[])) AS case_components
), d AS (DELETE FROM products WHERE id = ANY(@ids::bigint[]) RETURNING 1)
SELECT (SELECT count(*) FROM d) AS products, counts.categories, counts.versions, counts.builds, counts.components,
    counts.case_components
FROM counts;

-- name: ProductFilter :many
-- ProductFilter answers Product.filter, by id.
SELECT p.id, p.name, p.classification_id, p.description FROM products p
WHERE /* filter */ TRUE ORDER BY p.id;
