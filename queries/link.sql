-- name: LinkFilter :many
-- LinkFilter answers TestExecution.get_links, by id.
SELECT p.id, p.execution_id AS execution, p.name, p.url, p.is_defect, p.created_on FROM links p
WHERE /* filter */ TRUE
ORDER BY p.id;

-- name: LinkDeleteMatching :exec
-- LinkDeleteMatching deletes the links a filter matches.
DELETE FROM links p WHERE /* filter */ TRUE;

-- name: LinkAdd :one
-- LinkAdd links a URL to an execution; no row means there is no such
-- execution.
INSERT INTO links (execution_id, name, url, is_defect)
SELECT e.id, @name, @url, @is_defect FROM test_executions e WHERE e.id = @execution_id
RETURNING id, execution_id, name, url, is_defect;
