-- name: VersionCreate :one
-- VersionCreate adds a version with its unspecified build, in one statement.
WITH v AS (
    INSERT INTO versions (value, product_id) VALUES (@value, @product_id)
    RETURNING id, value, product_id
), b AS (
    INSERT INTO builds (name, version_id) SELECT 'unspecified', id FROM v
)
SELECT id, value, product_id FROM v;
