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

-- name: BugAddExecution :exec
-- BugAddExecution links an execution to a bug; linking twice changes
-- nothing.
INSERT INTO bug_executions (bug_id, execution_id) VALUES (@bug_id, @execution_id) ON CONFLICT DO NOTHING;

-- name: BugWithFirstComment :one
-- BugWithFirstComment returns a bug with the text of its oldest comment
-- not removed (empty when there is none), as Bug.details describes it.
SELECT bg.id, bg.summary, bg.status, coalesce((SELECT cm.comment FROM comments cm
    WHERE cm.owner = 'bugs_bug' AND cm.object_id = bg.id AND NOT cm.is_removed ORDER BY cm.id LIMIT 1), '')::text AS first_comment
FROM bugs bg WHERE bg.id = @id;

-- name: BugReportSource :one
-- BugReportSource returns what a bug reported from an execution is made
-- of, and keeps the execution until the transaction ends.
SELECT e.id, e.run_id, r.summary AS run_summary, c.id AS case_id, c.summary AS case_summary, c.text AS case_text,
    c.default_tester_id, tp.product_id, pr.name AS product_name, tp.product_version_id AS version_id,
    v.value AS version_value, e.build_id, b.name AS build_name, st.name AS status_name
FROM test_executions e
JOIN test_runs r ON r.id = e.run_id
JOIN test_plans tp ON tp.id = r.plan_id
JOIN products pr ON pr.id = tp.product_id
JOIN versions v ON v.id = tp.product_version_id
JOIN test_cases c ON c.id = e.case_id
JOIN builds b ON b.id = e.build_id
JOIN test_execution_statuses st ON st.id = e.status_id
WHERE e.id = @execution_id FOR KEY SHARE OF e;

-- name: BugReport :one
-- BugReport creates the bug reported from an execution ("Failed test:
-- <case summary>"), links the execution to it as a bug execution and as a
-- defect link to its URL (site + /bugs/<id>/), and adds its first comment,
-- by the reporter; it returns the URL.
WITH bg AS (
    INSERT INTO bugs (summary, reporter_id, assignee_id, product_id, version_id, build_id)
    VALUES (left('Failed test: ' || @case_summary::text, 255), @reporter_id, sqlc.narg(assignee_id), @product_id,
        @version_id, @build_id)
    RETURNING id, @site::text || '/bugs/' || id || '/' AS url
), be AS (
    INSERT INTO bug_executions (bug_id, execution_id) SELECT bg.id, @execution_id FROM bg
), l AS (
    INSERT INTO links (execution_id, url, is_defect) SELECT @execution_id, bg.url, true FROM bg
), cm AS (
    INSERT INTO comments (owner, object_id, user_id, user_name, user_email, comment)
    SELECT 'bugs_bug', bg.id, u.id, left(u.username, 50), u.email, @comment FROM bg, users u WHERE u.id = @reporter_id
)
SELECT bg.url::text FROM bg;
