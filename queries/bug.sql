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

-- name: BugFilter :many
-- BugFilter answers Bug.filter, by id: S-Bug-f, the id as pk and the
-- names of the bug's FKs.
SELECT bg.id AS pk, bg.summary, bg.created_at, p.name AS product__name, v.value AS version__value,
    b.name AS build__name, rp.username AS reporter__username, asg.username AS assignee__username,
    sv.name AS severity__name, sv.color AS severity__color, sv.icon AS severity__icon
FROM bugs bg
JOIN products p ON p.id = bg.product_id
JOIN versions v ON v.id = bg.version_id
JOIN builds b ON b.id = bg.build_id
JOIN users rp ON rp.id = bg.reporter_id
LEFT JOIN users asg ON asg.id = bg.assignee_id
LEFT JOIN severities sv ON sv.id = bg.severity_id
WHERE /* filter */ TRUE
ORDER BY bg.id;

-- name: BugFilterCanonical :many
-- BugFilterCanonical answers Bug.filter_canonical, by id: S-Bug-c.
SELECT bg.id, bg.summary, bg.created_at, bg.status, bg.reporter_id, bg.assignee_id, bg.product_id, bg.version_id,
    bg.build_id, bg.severity_id
FROM bugs bg
WHERE /* filter */ TRUE
ORDER BY bg.id;

-- name: BugGet :one
-- BugGet returns one bug with the ids of its executions and tags: S-Bug.
SELECT bg.id, bg.summary, bg.created_at, bg.status, bg.reporter_id, bg.assignee_id, bg.product_id, bg.version_id,
    bg.build_id, bg.severity_id,
    ARRAY(SELECT be.execution_id FROM bug_executions be WHERE be.bug_id = bg.id ORDER BY be.execution_id)::bigint[] AS executions,
    ARRAY(SELECT bt.tag_id FROM bug_tags bt WHERE bt.bug_id = bg.id ORDER BY bt.tag_id)::bigint[] AS tags
FROM bugs bg
WHERE bg.id = @id;

-- name: BugLockMatching :many
-- BugLockMatching locks the bugs a filter matches until the transaction
-- ends and returns their ids.
SELECT bg.id FROM bugs bg WHERE /* filter */ TRUE ORDER BY bg.id FOR UPDATE;

-- name: BugDelete :exec
-- BugDelete deletes bugs with their comments and attachments; their links
-- to executions and tags go by cascade.
WITH cm AS (DELETE FROM comments WHERE owner = 'bugs_bug' AND object_id = ANY(@ids::bigint[])),
at AS (DELETE FROM attachments WHERE owner = 'bugs_bug' AND object_id = ANY(@ids::bigint[]))
DELETE FROM bugs WHERE id = ANY(@ids::bigint[]);
