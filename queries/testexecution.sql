-- name: TestExecutionFilter :many
-- TestExecutionFilter answers TestExecution.filter, by id: each execution
-- with its status's icon and colour, the names of its FKs and what its
-- durations are worked out from (its case's durations, its dates).
SELECT e.id, e.assignee_id, e.tested_by_id, e.case_text_version, e.start_date, e.stop_date, e.sortkey,
    e.run_id, e.case_id, e.build_id, e.status_id, st.icon AS status__icon, st.color AS status__color,
    c.setup_duration, c.testing_duration,
    au.username AS assignee__username, tb.username AS tested_by__username, c.summary AS case__summary,
    b.name AS build__name, st.name AS status__name
FROM test_executions e
JOIN test_cases c ON c.id = e.case_id
JOIN builds b ON b.id = e.build_id
JOIN test_execution_statuses st ON st.id = e.status_id
LEFT JOIN users au ON au.id = e.assignee_id
LEFT JOIN users tb ON tb.id = e.tested_by_id
WHERE /* filter */ TRUE
ORDER BY e.id;

-- name: TestExecutionPropertyFilter :many
-- TestExecutionPropertyFilter answers TestExecution.properties, by id.
SELECT p.id, p.name, p.value, p.execution_id AS execution FROM test_execution_properties p
WHERE /* filter */ TRUE
ORDER BY p.id;

-- name: TestExecutionLockMatching :many
-- TestExecutionLockMatching locks the executions a filter matches until
-- the transaction ends and returns their ids.
SELECT e.id FROM test_executions e JOIN test_cases c ON c.id = e.case_id
WHERE /* filter */ TRUE ORDER BY e.id FOR UPDATE OF e;

-- name: TestExecutionDelete :one
-- TestExecutionDelete deletes the executions given by id, or of the given
-- cases or runs, writing a '-' history row for each and deleting their
-- comments and attachments, in one statement. It counts the executions
-- and what goes with them: by cascade their properties, tags, links and
-- bug links (the statement's snapshot still sees those rows), and the
-- comments and attachments.
WITH x AS (
    DELETE FROM test_executions
    WHERE id = ANY(@ids::bigint[]) OR case_id = ANY(@case_ids::bigint[]) OR run_id = ANY(@run_ids::bigint[])
    RETURNING *
), h AS (
    INSERT INTO history (owner, object_id, history_type, history_user_id, record)
    SELECT 'testruns_testexecution', x.id, '-', @history_user_id::bigint, to_jsonb(x) - 'slot' FROM x
), cm AS (
    DELETE FROM comments WHERE owner = 'testruns_testexecution' AND object_id IN (SELECT x.id FROM x) RETURNING 1
), at AS (
    DELETE FROM attachments WHERE owner = 'testruns_testexecution' AND object_id IN (SELECT x.id FROM x) RETURNING 1
)
SELECT (SELECT count(*) FROM x) AS executions,
    (SELECT count(*) FROM test_execution_properties p WHERE p.execution_id IN (SELECT x.id FROM x)) AS properties,
    (SELECT count(*) FROM test_execution_tags t WHERE t.execution_id IN (SELECT x.id FROM x)) AS tags,
    (SELECT count(*) FROM links l WHERE l.execution_id IN (SELECT x.id FROM x)) AS links,
    (SELECT count(*) FROM bug_executions b WHERE b.execution_id IN (SELECT x.id FROM x)) AS bugs,
    (SELECT count(*) FROM cm) AS comments, (SELECT count(*) FROM at) AS attachments;
