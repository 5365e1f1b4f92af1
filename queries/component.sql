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
