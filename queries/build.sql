-- name: BuildCreate :one
-- BuildCreate adds a build.
INSERT INTO builds (name, version_id, is_active) VALUES (@name, @version_id, @is_active)
RETURNING id, name, version_id, is_active;

-- name: BuildUpdate :one
-- BuildUpdate sets the given fields of a build; null keeps a field.
UPDATE builds SET
    name       = coalesce(sqlc.narg(name), name),
    version_id = coalesce(sqlc.narg(version_id), version_id),
    is_active  = coalesce(sqlc.narg(is_active), is_active)
WHERE id = @id
RETURNING id, name, version_id, is_active;

-- name: BuildLockMatching :many
-- BuildLockMatching locks the builds a filter matches until the
-- transaction ends and returns their ids.
SELECT b.id FROM builds b WHERE /* filter */ TRUE ORDER BY b.id FOR UPDATE;

-- name: BuildReferences :many
-- BuildReferences counts, per build, the records that refer to it.
SELECT b.id, b.name,
    (SELECT count(*) FROM test_runs tr WHERE tr.build_id = b.id) AS runs,
    (SELECT count(*) FROM test_executions e WHERE e.build_id = b.id) AS executions,
    (SELECT count(*) FROM bugs bg WHERE bg.build_id = b.id) AS bugs
FROM builds b WHERE b.id = ANY(@ids::bigint[]) ORDER BY b.id;

-- name: BuildDelete :one
-- BuildDelete deletes builds and counts them.
WITH d AS (DELETE FROM builds WHERE id = ANY(@ids::bigint[]) RETURNING 1)
SELECT count(*) AS builds FROM d;

-- name: BuildFilter :many
-- BuildFilter answers Build.filter, by version then id: S-Build-f.
SELECT sqlc.embed(b), v.value AS version__value
FROM builds b JOIN versions v ON v.id = b.version_id
WHERE /* filter */ TRUE
ORDER BY b.version_id, b.id;
