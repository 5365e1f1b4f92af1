-- name: PlanTypeCreate :one
-- PlanTypeCreate adds a plan type.
INSERT INTO plan_types (name, description) VALUES (@name, @description)
RETURNING id, name, description;
