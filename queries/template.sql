-- name: TemplateCreate :one
-- TemplateCreate adds a test case template.
INSERT INTO templates (name, text) VALUES (@name, @text) RETURNING id, name, text;
