-- name: VersionCreate :one
-- VersionCreate adds a version with its unspecified build, in one statement.
WITH v AS (
    INSERT INTO versions (value, product_id) VALUES (@value, @product_id)
    RETURNING id, value, product_id
), b AS (
    INSERT INTO builds (name, version_id) SELECT 'unspecified', id FROM v
)
SELECT id, value, product_id FROM v;

-- name: VersionUpdate :one
-- VersionUpdate sets the given fields of a version; null keeps a field.
UPDATE versions SET
    value      = coalesce(sqlc.narg(value), value),
    product_id = coalesce(sqlc.narg(product_id), product_id)
WHERE id = @id
RETURNING id, value, product_id;

-- name: VersionLockMatching :many
-- VersionLockMatching locks the versions a filter matches and their
-- builds until the transaction ends and returns the versions' ids.
WITH v AS (SELECT v.id FROM versions v WHERE /* filter */ TRUE ORDER BY v.id FOR UPDATE)
SELECT v.id FROM v
WHERE (SELECT count(*) FROM (SELECT 1 FROM builds b WHERE b.version_id = v.id FOR UPDATE) x) >= 0
ORDER BY v.id;

-- name: VersionReferences :many
-- VersionReferences counts, per version, the records that refer to it or
-- to its builds.
SELECT v.id, v.value AS name,
    (SELECT count(*) FROM test_plans tp WHERE tp.product_version_id = v.id) AS plans,
    (SELECT count(*) FROM test_runs tr JOIN builds b ON b.id = tr.build_id WHERE b.version_id = v.id) AS runs,
    (SELECT count(*) FROM test_executions e JOIN builds b ON b.id = e.build_id WHERE b.version_id = v.id) AS executions,
    (SELECT count(*) FROM bugs bg WHERE bg.version_id = v.id
        OR bg.build_id IN (SELECT b.id FROM builds b WHERE b.version_id = v.id)) AS bugs
FROM versions v WHERE v.id = ANY(@ids::bigint[]) ORDER BY v.id;

-- name: VersionDelete :one
-- VersionDelete deletes versions with their builds, counting each.
WITH counts AS (
    SELECT (SELECT count(*) FROM builds WHERE version_id = ANY(@ids::bigint[])) AS builds
), d AS (DELETE FROM versions WHERE id = ANY(@ids::bigint[]) RETURNING 1)
SELECT (SELECT count(*) FROM d) AS versions, counts.builds FROM counts;

-- name: VersionFilter :many
-- VersionFilter answers Version.filter, by product then id: S-Version-f.
SELECT v.id, v.value, v.product_id, p.name AS product__name
FROM versions v JOIN products p ON p.id = v.product_id
WHERE /* filter */ TRUE
ORDER BY v.product_id, v.id;
