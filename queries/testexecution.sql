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

-- name: TestExecutionUpdate :one
-- TestExecutionUpdate sets the fields of an execution whose set_ flag is true; run_build sets the build to the run's current one and latest_text the case_text_version to the case's latest history row (or keeps it when the case has none). It writes the '~' history row, a copy of the record (TestExecution.history works the change reason out when asked, so the hot path only copies), and returns the execution with its tags and FK names, in one statement.
WITH u AS (
    UPDATE test_executions e SET
        status_id         = CASE WHEN @set_status::boolean THEN sqlc.narg(status_id)::bigint ELSE e.status_id END,
        build_id          = CASE WHEN @run_build::boolean THEN (SELECT r.build_id FROM test_runs r WHERE r.id = e.run_id)
                                 WHEN @set_build::boolean THEN sqlc.narg(build_id)::bigint ELSE e.build_id END,
        case_text_version = CASE WHEN @latest_text::boolean THEN coalesce((SELECT max(hi.history_id) FROM history hi
                                     WHERE hi.owner = 'testcases_testcase' AND hi.object_id = e.case_id), e.case_text_version)
                                 WHEN @set_case_text_version::boolean THEN sqlc.narg(case_text_version)::bigint
                                 ELSE e.case_text_version END,
        sortkey           = CASE WHEN @set_sortkey::boolean THEN sqlc.narg(sortkey)::bigint ELSE e.sortkey END,
        start_date        = CASE WHEN @set_start_date::boolean THEN sqlc.narg(start_date)::timestamptz ELSE e.start_date END,
        stop_date         = CASE WHEN @set_stop_date::boolean THEN sqlc.narg(stop_date)::timestamptz ELSE e.stop_date END,
        assignee_id       = CASE WHEN @set_assignee::boolean THEN sqlc.narg(assignee_id)::bigint ELSE e.assignee_id END,
        tested_by_id      = CASE WHEN @set_tested_by::boolean THEN sqlc.narg(tested_by_id)::bigint ELSE e.tested_by_id END
    WHERE e.id = @id
    RETURNING *
), h AS (
    INSERT INTO history (owner, object_id, history_type, history_user_id, record)
    SELECT 'testruns_testexecution', u.id, '~', @history_user_id::bigint, to_jsonb(u) - 'slot' FROM u
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

-- name: TestExecutionReport :many
-- TestExecutionReport is TestExecution.bulk_update in one statement. items is a jsonb array of {id, status, set_start, start_date, set_stop, stop_date, comment, set_tester, tester}, one per execution: a status (null: unchanged) also makes the tester the caller, unless set_tester names one, and the build the run's current one; the dates are set when set_start / set_stop; a comment other than '' is added as the caller. o locks the executions in id order, so that two bulk updates never deadlock, and u changes them only when every one was found. Each gets a '~' history row. It returns the executions with their tags and FK names in the order of the items.
WITH v AS (
    SELECT (x.i->>'id')::bigint AS id, (x.i->>'status')::bigint AS status, (x.i->>'set_start')::boolean AS set_start,
        (x.i->>'start_date')::timestamptz AS start_date, (x.i->>'set_stop')::boolean AS set_stop,
        (x.i->>'stop_date')::timestamptz AS stop_date, x.i->>'comment' AS comment,
        (x.i->>'set_tester')::boolean AS set_tester, (x.i->>'tester')::bigint AS tester, x.ord
    FROM jsonb_array_elements(@items::jsonb) WITH ORDINALITY AS x (i, ord)
), o AS (
    SELECT x.id, x.run_id FROM test_executions x WHERE x.id IN (SELECT v.id FROM v) ORDER BY x.id FOR UPDATE
), u AS (
    UPDATE test_executions e SET
        status_id    = coalesce(v.status, e.status_id),
        tested_by_id = CASE WHEN v.set_tester THEN v.tester WHEN v.status IS NULL THEN e.tested_by_id ELSE @user_id::bigint END,
        build_id     = CASE WHEN v.status IS NULL THEN e.build_id ELSE r.build_id END,
        start_date   = CASE WHEN v.set_start THEN v.start_date ELSE e.start_date END,
        stop_date    = CASE WHEN v.set_stop THEN v.stop_date ELSE e.stop_date END
    FROM v JOIN o ON o.id = v.id JOIN test_runs r ON r.id = o.run_id
    WHERE e.id = v.id AND (SELECT count(*) FROM o) = (SELECT count(*) FROM v)
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

-- name: TestExecutionFirstMissing :one
-- TestExecutionFirstMissing returns the first of the ids given that no execution has.
SELECT i::bigint FROM unnest(@ids::bigint[]) i
WHERE NOT EXISTS (SELECT 1 FROM test_executions WHERE id = i) LIMIT 1;
