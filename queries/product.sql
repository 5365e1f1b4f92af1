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
