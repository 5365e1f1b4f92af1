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
