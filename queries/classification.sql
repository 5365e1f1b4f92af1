-- name: ClassificationCreate :one
-- ClassificationCreate adds a classification.
INSERT INTO classifications (name) VALUES (@name) RETURNING id, name;

-- name: ClassificationUpdate :one
-- ClassificationUpdate renames a classification.
UPDATE classifications SET name = @name WHERE id = @id RETURNING id, name;

-- name: ClassificationLockMatching :many
-- ClassificationLockMatching locks the classifications a filter matches
-- until the transaction ends and returns their ids.
SELECT cl.id FROM classifications cl WHERE /* filter */ TRUE ORDER BY cl.id FOR UPDATE;

-- name: ClassificationReferences :many
-- ClassificationReferences counts, per classification, the products that
-- refer to it.
SELECT cl.id, cl.name, (SELECT count(*) FROM products p WHERE p.classification_id = cl.id) AS products
FROM classifications cl WHERE cl.id = ANY(@ids::bigint[]) ORDER BY cl.id;

-- name: ClassificationDelete :one
-- ClassificationDelete deletes classifications and counts them.
WITH d AS (DELETE FROM classifications WHERE id = ANY(@ids::bigint[]) RETURNING 1)
SELECT count(*) AS classifications FROM d;

-- name: ClassificationFilter :many
-- ClassificationFilter answers Classification.filter, by id.
SELECT cl.id, cl.name FROM classifications cl WHERE /* filter */ TRUE ORDER BY cl.id;
