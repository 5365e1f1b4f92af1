-- name: TestExecutionCreate :one
-- TestExecutionCreate adds a test execution and its '+' history row (the record without the matrix slot) in one statement; nothing is defaulted. It returns the execution; a new one has no tags.
WITH e AS (
    INSERT INTO test_executions (run_id, case_id, status_id, build_id, case_text_version, sortkey, start_date, stop_date,
        assignee_id, tested_by_id)
    VALUES (sqlc.narg(run_id)::bigint, sqlc.narg(case_id)::bigint, sqlc.narg(status_id)::bigint, sqlc.narg(build_id)::bigint,
        sqlc.narg(case_text_version)::bigint, sqlc.narg(sortkey)::bigint,
        sqlc.narg(start_date)::timestamptz, sqlc.narg(stop_date)::timestamptz, sqlc.narg(assignee_id)::bigint,
        sqlc.narg(tested_by_id)::bigint)
    RETURNING *
), h AS (
    INSERT INTO history (owner, object_id, history_type, history_user_id, record)
    SELECT 'testruns_testexecution', e.id, '+', @history_user_id::bigint, to_jsonb(e) - 'slot' FROM e
)
SELECT e.id, e.assignee_id, e.tested_by_id, e.case_text_version, e.start_date, e.stop_date, e.sortkey,
    e.run_id, e.case_id, e.status_id, e.build_id, '{}'::bigint[] AS tag
FROM e;

-- name: TestExecutionChange :many
-- TestExecutionChange is TestExecution.update and bulk_update in one statement. ids are the executions and changes a jsonb array of objects, one per id in the same order (the ids are an array of their own so that PostgreSQL plans for a few rows and reads the executions by their index): for each field a set_ flag and the value (set_status/status, set_build/build, set_text/text for case_text_version, set_sortkey/sortkey, set_start/start, set_stop/stop, set_assignee/assignee, set_tester/tester); run_build takes the run's current build and latest_text the case's latest history row as case_text_version (kept when the case has none); a comment other than '' is added as the user. o locks the executions in id order, so that two bulk updates never deadlock, and u changes them only when every one was found. Each gets a '~' history row, a copy of the record (TestExecution.history works the change reason out when asked, so the hot path only copies). It returns the executions with their tags and FK names in the order of the changes.
WITH v AS (
    SELECT w.id, w.ord,
        (x.c->>'set_status')::boolean AS set_status, (x.c->>'status')::bigint AS status,
        (x.c->>'run_build')::boolean AS run_build, (x.c->>'set_build')::boolean AS set_build, (x.c->>'build')::bigint AS build,
        (x.c->>'latest_text')::boolean AS latest_text, (x.c->>'set_text')::boolean AS set_text, (x.c->>'text')::bigint AS text,
        (x.c->>'set_sortkey')::boolean AS set_sortkey, (x.c->>'sortkey')::bigint AS sortkey,
        (x.c->>'set_start')::boolean AS set_start, (x.c->>'start')::timestamptz AS start_date,
        (x.c->>'set_stop')::boolean AS set_stop, (x.c->>'stop')::timestamptz AS stop_date,
        (x.c->>'set_assignee')::boolean AS set_assignee, (x.c->>'assignee')::bigint AS assignee,
        (x.c->>'set_tester')::boolean AS set_tester, (x.c->>'tester')::bigint AS tester, x.c->>'comment' AS comment
    FROM unnest(@ids::bigint[]) WITH ORDINALITY AS w (id, ord)
    CROSS JOIN LATERAL (SELECT @changes::jsonb -> (w.ord::int - 1) AS c) x
), o AS (
    SELECT x.id, x.run_id FROM test_executions x WHERE x.id = ANY (@ids::bigint[]) ORDER BY x.id FOR UPDATE
), u AS (
    UPDATE test_executions e SET
        status_id         = CASE WHEN v.set_status THEN v.status ELSE e.status_id END,
        build_id          = CASE WHEN v.run_build THEN r.build_id WHEN v.set_build THEN v.build ELSE e.build_id END,
        case_text_version = CASE WHEN v.latest_text THEN coalesce((SELECT max(hi.history_id) FROM history hi
                                     WHERE hi.owner = 'testcases_testcase' AND hi.object_id = e.case_id), e.case_text_version)
                                 WHEN v.set_text THEN v.text ELSE e.case_text_version END,
        sortkey           = CASE WHEN v.set_sortkey THEN v.sortkey ELSE e.sortkey END,
        start_date        = CASE WHEN v.set_start THEN v.start_date ELSE e.start_date END,
        stop_date         = CASE WHEN v.set_stop THEN v.stop_date ELSE e.stop_date END,
        assignee_id       = CASE WHEN v.set_assignee THEN v.assignee ELSE e.assignee_id END,
        tested_by_id      = CASE WHEN v.set_tester THEN v.tester ELSE e.tested_by_id END
    FROM v JOIN o ON o.id = v.id JOIN test_runs r ON r.id = o.run_id
    WHERE e.id = v.id AND (SELECT count(*) FROM o) = cardinality(@ids::bigint[])
    RETURNING e.*, to_jsonb(e) - 'slot' AS new_rec, v.ord, v.comment
), cm AS (
    INSERT INTO comments (owner, object_id, user_id, user_name, user_email, comment)
    SELECT 'testruns_testexecution', u.id, us.id, left(us.username, 50), us.email, u.comment
    FROM u JOIN users us ON us.id = @user_id::bigint WHERE u.comment <> ''
), h AS (
    INSERT INTO history (owner, object_id, history_type, history_user_id, record)
    SELECT 'testruns_testexecution', u.id, '~', @user_id::bigint, u.new_rec FROM u
)
SELECT u.id, u.assignee_id, u.tested_by_id, u.case_text_version, u.start_date, u.stop_date, u.sortkey,
    u.run_id, u.case_id, u.status_id, u.build_id,
    ARRAY(SELECT xt.tag_id FROM test_execution_tags xt WHERE xt.execution_id = u.id ORDER BY xt.tag_id)::bigint[] AS tag,
    au.username AS assignee_username, tb.username AS tested_by_username, c.summary AS case_summary,
    b.name AS build_name, st.name AS status_name
FROM u
JOIN test_cases c ON c.id = u.case_id
JOIN builds b ON b.id = u.build_id
JOIN test_execution_statuses st ON st.id = u.status_id
LEFT JOIN users au ON au.id = u.assignee_id
LEFT JOIN users tb ON tb.id = u.tested_by_id
ORDER BY u.ord;

-- name: TestExecutionUpdate :one
-- TestExecutionUpdate is TestExecution.update: TestExecutionChange for one execution, with the changes as parameters instead of a jsonb array and no locking pass before the update (one row needs no lock order), which halves PostgreSQL's time for the hot path's most frequent call (docs/performance.md). The flags and fields mean what they mean there. It returns the execution with its tags and FK names; no row means there is no such execution.
WITH u AS (
    UPDATE test_executions e SET
        status_id         = CASE WHEN @set_status::boolean THEN sqlc.narg(status)::bigint ELSE e.status_id END,
        build_id          = CASE WHEN @run_build::boolean THEN r.build_id WHEN @set_build::boolean THEN sqlc.narg(build)::bigint ELSE e.build_id END,
        case_text_version = CASE WHEN @latest_text::boolean THEN coalesce((SELECT max(hi.history_id) FROM history hi
                                     WHERE hi.owner = 'testcases_testcase' AND hi.object_id = e.case_id), e.case_text_version)
                                 WHEN @set_text::boolean THEN sqlc.narg(text)::bigint ELSE e.case_text_version END,
        sortkey           = CASE WHEN @set_sortkey::boolean THEN sqlc.narg(sortkey)::bigint ELSE e.sortkey END,
        start_date        = CASE WHEN @set_start::boolean THEN sqlc.narg(start_date)::timestamptz ELSE e.start_date END,
        stop_date         = CASE WHEN @set_stop::boolean THEN sqlc.narg(stop_date)::timestamptz ELSE e.stop_date END,
        assignee_id       = CASE WHEN @set_assignee::boolean THEN sqlc.narg(assignee)::bigint ELSE e.assignee_id END,
        tested_by_id      = CASE WHEN @set_tester::boolean THEN sqlc.narg(tester)::bigint ELSE e.tested_by_id END
    FROM test_runs r
    WHERE e.id = @id AND r.id = e.run_id
    RETURNING e.*, to_jsonb(e) - 'slot' AS new_rec
), h AS (
    INSERT INTO history (owner, object_id, history_type, history_user_id, record)
    SELECT 'testruns_testexecution', u.id, '~', @user_id::bigint, u.new_rec FROM u
)
SELECT u.id, u.assignee_id, u.tested_by_id, u.case_text_version, u.start_date, u.stop_date, u.sortkey,
    u.run_id, u.case_id, u.status_id, u.build_id,
    ARRAY(SELECT xt.tag_id FROM test_execution_tags xt WHERE xt.execution_id = u.id ORDER BY xt.tag_id)::bigint[] AS tag,
    au.username AS assignee_username, tb.username AS tested_by_username, c.summary AS case_summary,
    b.name AS build_name, st.name AS status_name
FROM u
JOIN test_cases c ON c.id = u.case_id
JOIN builds b ON b.id = u.build_id
JOIN test_execution_statuses st ON st.id = u.status_id
LEFT JOIN users au ON au.id = u.assignee_id
LEFT JOIN users tb ON tb.id = u.tested_by_id;

-- name: TestExecutionFirstMissing :one
-- TestExecutionFirstMissing returns the first of the ids given that no execution has.
SELECT i::bigint FROM unnest(@ids::bigint[]) i
WHERE NOT EXISTS (SELECT 1 FROM test_executions WHERE id = i) LIMIT 1;
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
