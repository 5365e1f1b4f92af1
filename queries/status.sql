-- name: TestCaseStatusCreate :one
-- TestCaseStatusCreate adds a test case status.
INSERT INTO test_case_statuses (name, description, is_confirmed) VALUES (@name, @description, @is_confirmed)
RETURNING id, name, description, is_confirmed;

-- name: TestCaseStatusLockAll :many
-- TestCaseStatusLockAll returns every test case status, locked until the transaction ends, so that a change can check what will remain.
SELECT id, is_confirmed FROM test_case_statuses ORDER BY id FOR UPDATE;

-- name: TestCaseStatusUpdate :one
-- TestCaseStatusUpdate changes the given (non-NULL) fields of a test case status.
UPDATE test_case_statuses SET name = coalesce(sqlc.narg(name), name),
    description = coalesce(sqlc.narg(description), description),
    is_confirmed = coalesce(sqlc.narg(is_confirmed), is_confirmed)
WHERE id = @id RETURNING id, name, description, is_confirmed;

-- name: TestCaseStatusDelete :exec
-- TestCaseStatusDelete removes a test case status.
DELETE FROM test_case_statuses WHERE id = @id;

-- name: TestExecutionStatusCreate :one
-- TestExecutionStatusCreate adds a test execution status.
INSERT INTO test_execution_statuses (name, weight, icon, color) VALUES (@name, @weight, @icon, @color)
RETURNING id, name, weight, icon, color;

-- name: TestExecutionStatusLockAll :many
-- TestExecutionStatusLockAll returns every test execution status, locked until the transaction ends, so that a change can check what will remain.
SELECT id, weight FROM test_execution_statuses ORDER BY id FOR UPDATE;

-- name: TestExecutionStatusUpdate :one
-- TestExecutionStatusUpdate changes the given (non-NULL) fields of a test execution status.
UPDATE test_execution_statuses SET name = coalesce(sqlc.narg(name), name),
    weight = coalesce(sqlc.narg(weight), weight),
    icon = coalesce(sqlc.narg(icon), icon),
    color = coalesce(sqlc.narg(color), color)
WHERE id = @id RETURNING id, name, weight, icon, color;

-- name: TestExecutionStatusDelete :exec
-- TestExecutionStatusDelete removes a test execution status.
DELETE FROM test_execution_statuses WHERE id = @id;

-- name: TestCaseStatusFilter :many
-- TestCaseStatusFilter answers TestCaseStatus.filter, by id.
SELECT cs.id, cs.name, cs.description, cs.is_confirmed FROM test_case_statuses cs
WHERE /* filter */ TRUE ORDER BY cs.id;

-- name: TestExecutionStatusFilter :many
-- TestExecutionStatusFilter answers TestExecutionStatus.filter, by id.
SELECT s.id, s.name, s.weight, s.icon, s.color FROM test_execution_statuses s
WHERE /* filter */ TRUE ORDER BY s.id;
