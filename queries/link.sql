-- name: LinkFilter :many
-- LinkFilter answers TestExecution.get_links, by id.
SELECT p.id, p.execution_id AS execution, p.name, p.url, p.is_defect, p.created_on FROM links p
WHERE /* filter */ TRUE
ORDER BY p.id;

-- name: LinkDeleteMatching :exec
-- LinkDeleteMatching deletes the links a filter matches.
DELETE FROM links p WHERE /* filter */ TRUE;
