-- name: ClassificationCreate :one
-- ClassificationCreate adds a classification.
INSERT INTO classifications (name) VALUES (@name) RETURNING id, name;
