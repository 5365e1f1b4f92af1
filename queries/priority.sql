-- name: PriorityCreate :one
-- PriorityCreate adds a priority.
INSERT INTO priorities (value, is_active) VALUES (@value, @is_active) RETURNING id, value, is_active;

-- name: PriorityFilter :many
-- PriorityFilter answers Priority.filter, by id.
SELECT pr.id, pr.value, pr.is_active FROM priorities pr WHERE /* filter */ TRUE ORDER BY pr.id;
