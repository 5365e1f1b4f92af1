-- name: CategoryCreate :one
-- CategoryCreate adds a test case category to a product.
INSERT INTO categories (name, product_id, description) VALUES (@name, @product_id, @description)
RETURNING id, name, product_id, description;
