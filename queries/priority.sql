-- name: PriorityCreate :one
-- PriorityCreate adds a priority.
INSERT INTO priorities (value, is_active) VALUES (@value, @is_active) RETURNING id, value, is_active;
