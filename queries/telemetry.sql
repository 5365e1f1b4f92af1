-- The Testing namespace (Kiwi's telemetry). Each query takes a Kiwi
-- filter in its /* filter */ hole: over test cases (tc) or over test
-- executions (e, with their case c).

-- name: TelemetryBreakdown :many
-- TelemetryBreakdown counts the test cases the filter matches by whether
-- their status is confirmed, whether they are automated, their priority
-- value and their category name.
SELECT cs.is_confirmed, tc.is_automated, pr.value AS priority, cat.name AS category, count(*) AS cases
FROM test_cases tc
JOIN test_case_statuses cs ON cs.id = tc.case_status_id
JOIN priorities pr ON pr.id = tc.priority_id
JOIN categories cat ON cat.id = tc.category_id
WHERE /* filter */ TRUE
GROUP BY cs.is_confirmed, tc.is_automated, pr.value, cat.name
ORDER BY cs.is_confirmed, tc.is_automated, pr.value, cat.name;

-- name: TelemetryExecutionTrends :many
-- TelemetryExecutionTrends lists every execution status in id order with,
-- for each run, how many of the executions the filter matches have it; a
-- status none of them has comes once, with a null run.
WITH m AS (
    SELECT e.status_id, e.run_id, count(*) AS executions
    FROM test_executions e
    JOIN test_cases c ON c.id = e.case_id
    WHERE /* filter */ TRUE
    GROUP BY e.status_id, e.run_id
)
SELECT s.id, s.name, s.color, s.weight, m.run_id, m.executions
FROM test_execution_statuses s
LEFT JOIN m ON m.status_id = s.id
ORDER BY s.id, m.run_id;

-- name: TelemetryStatusMatrix :many
-- TelemetryStatusMatrix lists every execution status with its colour, and
-- with each execution the filter matches that has it (its case and run
-- with their summaries, and the run's plan), by case, run and id; a
-- status none of them has comes once, with null execution columns.
WITH x AS (
    SELECT e.id, e.status_id, e.case_id, c.summary AS case_summary, e.run_id, r.summary AS run_summary, r.plan_id
    FROM test_executions e
    JOIN test_cases c ON c.id = e.case_id
    JOIN test_runs r ON r.id = e.run_id
    WHERE /* filter */ TRUE
)
SELECT s.id AS status_id, s.color, x.id, x.case_id, x.case_summary, x.run_id, x.run_summary, x.plan_id
FROM test_execution_statuses s
LEFT JOIN x ON x.status_id = s.id
ORDER BY x.case_id, x.run_id, x.id, s.id;

-- name: TelemetryCaseHealth :many
-- TelemetryCaseHealth counts, per test case, the executions the filter
-- matches and those with a negative status; only cases with at least one
-- of those, the worst ratio first (then by case), at most 30.
SELECT e.case_id, c.summary AS case_summary, count(*) AS executions,
    count(*) FILTER (WHERE st.weight < 0) AS failed
FROM test_executions e
JOIN test_cases c ON c.id = e.case_id
JOIN test_execution_statuses st ON st.id = e.status_id
WHERE /* filter */ TRUE
GROUP BY e.case_id, c.summary
HAVING count(*) FILTER (WHERE st.weight < 0) > 0
ORDER BY count(*) FILTER (WHERE st.weight < 0)::float8 / count(*) DESC, e.case_id
LIMIT 30;

-- name: TelemetryIndividualCaseHealth :many
-- TelemetryIndividualCaseHealth lists each execution the filter matches
-- as its run's plan, its case and its status name and weight, by case,
-- plan, weight and id.
SELECT r.plan_id, e.case_id, st.name AS status_name, st.weight AS status_weight
FROM test_executions e
JOIN test_cases c ON c.id = e.case_id
JOIN test_runs r ON r.id = e.run_id
JOIN test_execution_statuses st ON st.id = e.status_id
WHERE /* filter */ TRUE
ORDER BY e.case_id, r.plan_id, st.weight, e.id;
