-- name: SeverityCreate :one
-- SeverityCreate adds a bug severity.
INSERT INTO severities (name, weight, icon, color) VALUES (@name, @weight, @icon, @color)
RETURNING id, name, weight, icon, color;
