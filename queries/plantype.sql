-- name: PlanTypeCreate :one
-- PlanTypeCreate adds a plan type.
INSERT INTO plan_types (name, description) VALUES (@name, @description)
RETURNING id, name, description;

-- name: PlanTypeFilter :many
-- PlanTypeFilter answers PlanType.filter, by id.
SELECT pt.id, pt.name, pt.description FROM plan_types pt WHERE /* filter */ TRUE ORDER BY pt.id;
