-- name: BugCreate :one
-- BugCreate adds a bug of the built-in tracker; the assignee is found as user_by_ref finds it (assignee_ids and assignee_names; empty for none), and a null created_at is now. No row means nothing was written: the assignee named was not found.
WITH a AS (
    SELECT (SELECT r.r FROM user_by_ref(@assignee_ids::bigint[], @assignee_names::text[]) AS r) AS id
)
INSERT INTO bugs (summary, status, reporter_id, assignee_id, product_id, version_id, build_id, severity_id, created_at)
SELECT @summary, @status, @reporter_id, a.id, @product_id, @version_id, @build_id, sqlc.narg(severity_id)::bigint,
    coalesce(sqlc.narg(created_at)::timestamptz, now())
FROM a
WHERE a.id IS NOT NULL OR coalesce(cardinality(@assignee_ids::bigint[]), 0) + coalesce(cardinality(@assignee_names::text[]), 0) = 0
RETURNING id, summary, created_at, status, reporter_id, assignee_id, product_id, version_id, build_id, severity_id;

-- name: BugUpdate :one
-- BugUpdate sets the given fields of a bug: null keeps a field; the set_
-- flags say whether the nullable assignee and severity are given (null
-- then clears them). The assignee is found as user_by_ref finds it
-- (assignee_ids and assignee_names; empty for none). It returns the bug
-- with the ids of its executions and tags; no row means nothing was
-- written: the bug or the assignee named was not found.
WITH a AS (
    SELECT (SELECT r.r FROM user_by_ref(@assignee_ids::bigint[], @assignee_names::text[]) AS r) AS id
), bg AS (
    UPDATE bugs SET
        summary     = coalesce(sqlc.narg(summary), summary),
        status      = coalesce(sqlc.narg(status), status),
        assignee_id = CASE WHEN @set_assignee::boolean THEN (SELECT a.id FROM a) ELSE assignee_id END,
        severity_id = CASE WHEN @set_severity::boolean THEN sqlc.narg(severity_id) ELSE severity_id END,
        product_id  = coalesce(sqlc.narg(product_id), product_id),
        version_id  = coalesce(sqlc.narg(version_id), version_id),
        build_id    = coalesce(sqlc.narg(build_id), build_id)
    WHERE id = @id AND ((SELECT a.id FROM a) IS NOT NULL
        OR coalesce(cardinality(@assignee_ids::bigint[]), 0) + coalesce(cardinality(@assignee_names::text[]), 0) = 0)
    RETURNING id, summary, created_at, status, reporter_id, assignee_id, product_id, version_id, build_id, severity_id
), ex AS (
    SELECT array_agg(be.execution_id ORDER BY be.execution_id) AS ids FROM bug_executions be WHERE be.bug_id = @id
), tg AS (
    SELECT array_agg(bt.tag_id ORDER BY bt.tag_id) AS ids FROM bug_tags bt WHERE bt.bug_id = @id
)
SELECT bg.id, bg.summary, bg.created_at, bg.status, bg.reporter_id, bg.assignee_id, bg.product_id, bg.version_id,
    bg.build_id, bg.severity_id, coalesce(ex.ids, '{}')::bigint[] AS executions, coalesce(tg.ids, '{}')::bigint[] AS tags
FROM bg, ex, tg;
