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
