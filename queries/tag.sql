-- name: TagCreate :one
-- TagCreate adds a tag; names may repeat.
INSERT INTO tags (name) VALUES (@name) RETURNING id, name;

-- name: TagCreateMany :many
-- TagCreateMany adds one tag per name.
INSERT INTO tags (name) SELECT unnest(@names::text[]) RETURNING id, name;

-- name: TagFirstByName :many
-- TagFirstByName returns, for each of the names that exists, the tag of that name with the lowest id.
SELECT DISTINCT ON (name) id, name FROM tags WHERE name = ANY (@names::text[]) ORDER BY name, id;

-- name: TagLockNames :exec
-- TagLockNames holds, until the transaction ends, a lock per name that tag creators take, so that two transactions cannot both create the same name. Pass the names sorted, so that lockers never deadlock.
SELECT pg_advisory_xact_lock(hashtext('tags.name'), hashtext(n)) FROM unnest(@names::text[]) AS n;
