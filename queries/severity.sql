-- name: SeverityCreate :one
-- SeverityCreate adds a bug severity.
INSERT INTO severities (name, weight, icon, color) VALUES (@name, @weight, @icon, @color)
RETURNING id, name, weight, icon, color;

-- name: SeverityFilter :many
-- SeverityFilter answers Severity.filter, by id.
SELECT s.id, s.name, s.weight, s.icon, s.color FROM severities s WHERE /* filter */ TRUE ORDER BY s.id;
