-- name: TemplateCreate :one
-- TemplateCreate adds a test case template.
INSERT INTO templates (name, text) VALUES (@name, @text) RETURNING id, name, text;

-- name: TemplateFilter :many
-- TemplateFilter answers Template.filter, by id.
SELECT tp.id, tp.name, tp.text FROM templates tp WHERE /* filter */ TRUE ORDER BY tp.id;
