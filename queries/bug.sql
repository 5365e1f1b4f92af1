-- name: BugUpdate :one
-- BugUpdate sets the given fields of a bug: null keeps a field; the set_
-- flags say whether the nullable assignee and severity are given (null
-- then clears them). It returns the bug with the ids of its executions
-- and tags.
WITH bg AS (
    UPDATE bugs SET
        summary     = coalesce(sqlc.narg(summary), summary),
        status      = coalesce(sqlc.narg(status), status),
        assignee_id = CASE WHEN @set_assignee::boolean THEN sqlc.narg(assignee_id) ELSE assignee_id END,
        severity_id = CASE WHEN @set_severity::boolean THEN sqlc.narg(severity_id) ELSE severity_id END,
        product_id  = coalesce(sqlc.narg(product_id), product_id),
        version_id  = coalesce(sqlc.narg(version_id), version_id),
        build_id    = coalesce(sqlc.narg(build_id), build_id)
    WHERE id = @id
    RETURNING id, summary, created_at, status, reporter_id, assignee_id, product_id, version_id, build_id, severity_id
), ex AS (
    SELECT array_agg(be.execution_id ORDER BY be.execution_id) AS ids FROM bug_executions be WHERE be.bug_id = @id
), tg AS (
    SELECT array_agg(bt.tag_id ORDER BY bt.tag_id) AS ids FROM bug_tags bt WHERE bt.bug_id = @id
)
SELECT bg.id, bg.summary, bg.created_at, bg.status, bg.reporter_id, bg.assignee_id, bg.product_id, bg.version_id,
    bg.build_id, bg.severity_id, coalesce(ex.ids, '{}')::bigint[] AS executions, coalesce(tg.ids, '{}')::bigint[] AS tags
FROM bg, ex, tg;
