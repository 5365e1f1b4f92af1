-- The tag and property operations test runs, test executions and bugs
-- share (store/recordlink.go): one query per kind of record.

-- name: TestRunKeyShare :one
-- TestRunKeyShare keeps a run from being deleted until the transaction ends; no row means there is no such run.
SELECT id FROM test_runs WHERE id = @id FOR KEY SHARE;

-- name: TestExecutionKeyShare :one
-- TestExecutionKeyShare keeps an execution from being deleted until the transaction ends; no row means there is no such execution.
SELECT id FROM test_executions WHERE id = @id FOR KEY SHARE;

-- name: BugKeyShare :one
-- BugKeyShare keeps a bug from being deleted until the transaction ends; no row means there is no such bug.
SELECT id FROM bugs WHERE id = @id FOR KEY SHARE;

-- name: TestRunTags :many
-- TestRunTags lists a run's tags by name (S-TagList).
SELECT t.id, t.name FROM tags t JOIN test_run_tags x ON x.tag_id = t.id WHERE x.run_id = @run_id ORDER BY t.name, t.id;

-- name: TestExecutionTags :many
-- TestExecutionTags lists an execution's tags by name (S-TagList).
SELECT t.id, t.name FROM tags t JOIN test_execution_tags x ON x.tag_id = t.id WHERE x.execution_id = @execution_id
ORDER BY t.name, t.id;

-- name: BugTags :many
-- BugTags lists a bug's tags by name (S-TagList).
SELECT t.id, t.name FROM tags t JOIN bug_tags x ON x.tag_id = t.id WHERE x.bug_id = @bug_id ORDER BY t.name, t.id;

-- name: TestRunAddTag :many
-- TestRunAddTag tags a run (tagging twice changes nothing) and lists all its tags by name.
WITH ins AS (INSERT INTO test_run_tags (run_id, tag_id) VALUES (@run_id, @tag_id) ON CONFLICT DO NOTHING)
SELECT t.id, t.name FROM tags t
WHERE t.id IN (SELECT x.tag_id FROM test_run_tags x WHERE x.run_id = @run_id) OR t.id = @tag_id
ORDER BY t.name, t.id;

-- name: TestExecutionAddTag :many
-- TestExecutionAddTag tags an execution (tagging twice changes nothing) and lists all its tags by name.
WITH ins AS (INSERT INTO test_execution_tags (execution_id, tag_id) VALUES (@execution_id, @tag_id) ON CONFLICT DO NOTHING)
SELECT t.id, t.name FROM tags t
WHERE t.id IN (SELECT x.tag_id FROM test_execution_tags x WHERE x.execution_id = @execution_id) OR t.id = @tag_id
ORDER BY t.name, t.id;

-- name: BugAddTag :many
-- BugAddTag tags a bug (tagging twice changes nothing) and lists all its tags by name.
WITH ins AS (INSERT INTO bug_tags (bug_id, tag_id) VALUES (@bug_id, @tag_id) ON CONFLICT DO NOTHING)
SELECT t.id, t.name FROM tags t
WHERE t.id IN (SELECT x.tag_id FROM bug_tags x WHERE x.bug_id = @bug_id) OR t.id = @tag_id
ORDER BY t.name, t.id;

-- name: TestRunRemoveTag :one
-- TestRunRemoveTag unlinks the tags of a name from a run and says whether a tag of that name exists.
WITH t AS (SELECT id FROM tags WHERE name = @name),
d AS (DELETE FROM test_run_tags x USING t WHERE x.run_id = @run_id AND x.tag_id = t.id)
SELECT EXISTS (SELECT 1 FROM t);

-- name: TestExecutionRemoveTag :one
-- TestExecutionRemoveTag unlinks the tags of a name from an execution and says whether a tag of that name exists.
WITH t AS (SELECT id FROM tags WHERE name = @name),
d AS (DELETE FROM test_execution_tags x USING t WHERE x.execution_id = @execution_id AND x.tag_id = t.id)
SELECT EXISTS (SELECT 1 FROM t);

-- name: BugRemoveTag :one
-- BugRemoveTag unlinks the tags of a name from a bug and says whether a tag of that name exists.
WITH t AS (SELECT id FROM tags WHERE name = @name),
d AS (DELETE FROM bug_tags x USING t WHERE x.bug_id = @bug_id AND x.tag_id = t.id)
SELECT EXISTS (SELECT 1 FROM t);

-- name: TestRunPropertyAdd :one
-- TestRunPropertyAdd is get-or-create on (run, name, value): the new row, or the existing one. No row means the run does not exist (or a concurrent insert of the same property is not yet visible).
WITH o AS (SELECT r.id AS owner_id FROM test_runs r WHERE r.id = @run_id),
ins AS (INSERT INTO test_run_properties (run_id, name, value) SELECT o.owner_id, @name, @value FROM o
    ON CONFLICT (run_id, name, value) DO NOTHING RETURNING id, run_id AS owner, name, value)
SELECT id, owner, name, value FROM ins
UNION ALL
SELECT p.id, p.run_id, p.name, p.value FROM test_run_properties p WHERE p.run_id = @run_id AND p.name = @name AND p.value = @value
LIMIT 1;

-- name: TestExecutionPropertyAdd :one
-- TestExecutionPropertyAdd is get-or-create on (execution, name, value): the new row, or the existing one. No row means the execution does not exist (or a concurrent insert of the same property is not yet visible).
WITH o AS (SELECT e.id AS owner_id FROM test_executions e WHERE e.id = @execution_id),
ins AS (INSERT INTO test_execution_properties (execution_id, name, value) SELECT o.owner_id, @name, @value FROM o
    ON CONFLICT (execution_id, name, value) DO NOTHING RETURNING id, execution_id AS owner, name, value)
SELECT id, owner, name, value FROM ins
UNION ALL
SELECT p.id, p.execution_id, p.name, p.value FROM test_execution_properties p
WHERE p.execution_id = @execution_id AND p.name = @name AND p.value = @value
LIMIT 1;

-- name: TestRunCCAdd :exec
-- TestRunCCAdd puts a user on a run's CC list; adding twice changes nothing.
INSERT INTO test_run_cc (run_id, user_id) VALUES (@run_id, @user_id) ON CONFLICT DO NOTHING;

-- name: TestRunCCRemove :exec
-- TestRunCCRemove takes a user off a run's CC list.
DELETE FROM test_run_cc WHERE run_id = @run_id AND user_id = @user_id;

-- name: TestRunCC :many
-- TestRunCC lists the email addresses of a run's CC list by username: no
-- row means there is no such run, one null row that its list is empty.
SELECT u.email FROM test_runs r
LEFT JOIN test_run_cc rc ON rc.run_id = r.id LEFT JOIN users u ON u.id = rc.user_id
WHERE r.id = @run_id ORDER BY u.username;
