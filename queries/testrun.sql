-- name: TestRunSummary :many
-- TestRunSummary counts a run's executions per execution status: one row
-- per status, in id order, with run_exists false when there is no such
-- run.
SELECT s.id, s.name, s.weight, count(e.id) AS executions,
    EXISTS (SELECT 1 FROM test_runs tr WHERE tr.id = @run_id) AS run_exists
FROM test_execution_statuses s
LEFT JOIN test_executions e ON e.status_id = s.id AND e.run_id = @run_id
GROUP BY s.id, s.name, s.weight
ORDER BY s.id;

-- name: TestRunFilter :many
-- TestRunFilter answers TestRun.filter, by id: S-TestRun-f, each run with
-- the names of its plan, build, version and users.
SELECT tr.id, tr.start_date, tr.stop_date, tr.planned_start, tr.planned_stop, tr.summary, tr.notes,
    tr.plan_id, tr.build_id, tr.manager_id, tr.default_tester_id,
    tp.name AS plan__name, b.name AS build__name, b.version_id AS build__version, v.value AS build__version__value,
    v.product_id AS build__version__product, m.username AS manager__username, dt.username AS default_tester__username
FROM test_runs tr
JOIN test_plans tp ON tp.id = tr.plan_id
JOIN builds b ON b.id = tr.build_id
JOIN versions v ON v.id = b.version_id
JOIN users m ON m.id = tr.manager_id
LEFT JOIN users dt ON dt.id = tr.default_tester_id
WHERE /* filter */ TRUE
ORDER BY tr.id;

-- name: TestRunLockMatching :many
-- TestRunLockMatching locks the test runs a filter matches until the
-- transaction ends and returns their ids.
SELECT tr.id FROM test_runs tr WHERE /* filter */ TRUE ORDER BY tr.id FOR UPDATE;

-- name: TestRunPropertyFilter :many
-- TestRunPropertyFilter answers TestRun.properties, by run, name and value.
SELECT p.id, p.run_id AS run, p.name, p.value FROM test_run_properties p
WHERE /* filter */ TRUE
ORDER BY p.run_id, p.name, p.value, p.id;

-- name: TestRunDelete :one
-- TestRunDelete deletes test runs (their executions went first), with
-- their comments and attachments, writing a '-' history row for each, and
-- counts them and their tags, CC and properties (the cascades, which the
-- statement's snapshot still sees).
WITH cm AS (DELETE FROM comments WHERE owner = 'testruns_testrun' AND object_id = ANY(@ids::bigint[]) RETURNING 1),
at AS (DELETE FROM attachments WHERE owner = 'testruns_testrun' AND object_id = ANY(@ids::bigint[]) RETURNING 1),
r AS (DELETE FROM test_runs WHERE id = ANY(@ids::bigint[]) RETURNING *),
h AS (
    INSERT INTO history (owner, object_id, history_type, history_user_id, record)
    SELECT 'testruns_testrun', r.id, '-', @history_user_id::bigint, to_jsonb(r) - 'last_sortkey' FROM r
)
SELECT (SELECT count(*) FROM r) AS runs,
    (SELECT count(*) FROM test_run_tags x WHERE x.run_id = ANY(@ids::bigint[])) AS tags,
    (SELECT count(*) FROM test_run_cc x WHERE x.run_id = ANY(@ids::bigint[])) AS cc,
    (SELECT count(*) FROM test_run_properties x WHERE x.run_id = ANY(@ids::bigint[])) AS properties,
    (SELECT count(*) FROM cm) AS comments, (SELECT count(*) FROM at) AS attachments;
