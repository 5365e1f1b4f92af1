-- name: TestCaseCreate :many
-- TestCaseCreate is TestCase.create and bulk_create in one statement: it adds test cases, given as a jsonb array of objects keyed by column (durations in microseconds as setup_us and testing_us; create_date absent for now), each with its '+' history row by the user, and returns them ascending by id: in the order given.
WITH v AS (
    SELECT e.c, e.ord FROM jsonb_array_elements(@cases::jsonb) WITH ORDINALITY AS e (c, ord)
), ins AS (
    INSERT INTO test_cases (create_date, is_automated, script, arguments, extra_link, summary, requirement, notes, text,
        setup_duration, testing_duration, case_status_id, category_id, priority_id, author_id, default_tester_id, reviewer_id)
    SELECT coalesce((v.c->>'create_date')::timestamptz, now()), coalesce((v.c->>'is_automated')::boolean, false),
        v.c->>'script', v.c->>'arguments', v.c->>'extra_link', v.c->>'summary', v.c->>'requirement', v.c->>'notes',
        coalesce(v.c->>'text', ''),
        (v.c->>'setup_us')::bigint * interval '1 microsecond', (v.c->>'testing_us')::bigint * interval '1 microsecond',
        (v.c->>'case_status_id')::bigint, (v.c->>'category_id')::bigint, (v.c->>'priority_id')::bigint,
        (v.c->>'author_id')::bigint, (v.c->>'default_tester_id')::bigint, (v.c->>'reviewer_id')::bigint
    FROM v ORDER BY v.ord
    RETURNING *
), h AS (
    INSERT INTO history (owner, object_id, history_type, history_user_id, record)
    SELECT 'testcases_testcase', ins.id, '+', @user_id::bigint, (to_jsonb(ins) - 'cc_list') || jsonb_build_object(
        'setup_duration', extract(epoch FROM ins.setup_duration)::float8,
        'testing_duration', extract(epoch FROM ins.testing_duration)::float8)
    FROM ins
)
SELECT ins.id, ins.create_date, ins.is_automated, ins.script, ins.arguments, ins.extra_link, ins.summary, ins.requirement,
    ins.notes, ins.text, ins.case_status_id, ins.category_id, ins.priority_id, ins.author_id, ins.default_tester_id,
    ins.reviewer_id, ins.setup_duration, ins.testing_duration
FROM ins ORDER BY ins.id;

-- name: TestCaseMissing :many
-- TestCaseMissing lists, ascending, the ids given that no test case has.
SELECT w.id::bigint FROM unnest(@ids::bigint[]) AS w (id)
WHERE NOT EXISTS (SELECT 1 FROM test_cases c WHERE c.id = w.id) ORDER BY w.id;

-- name: TestCaseFilter :many
-- TestCaseFilter answers TestCase.filter, by id: each case with the names
-- of its FKs, its durations and the time of its latest history row (the
-- case's own history rows, found through the history index: a join on the
-- history table would read all of it, which every change grows).
SELECT tc.id, tc.create_date, tc.is_automated, tc.script, tc.arguments, tc.extra_link,
    tc.summary, tc.requirement, tc.notes, tc.text,
    tc.case_status_id, cs.name AS case_status__name, tc.category_id, cat.name AS category__name,
    tc.priority_id, pr.value AS priority__value, tc.author_id, au.username AS author__username,
    tc.default_tester_id, dt.username AS default_tester__username, tc.reviewer_id, rv.username AS reviewer__username,
    tc.setup_duration, tc.testing_duration,
    (SELECT max(h.history_date) FROM history h WHERE h.owner = 'testcases_testcase' AND h.object_id = tc.id) AS history_date
FROM test_cases tc
JOIN test_case_statuses cs ON cs.id = tc.case_status_id
JOIN categories cat ON cat.id = tc.category_id
JOIN priorities pr ON pr.id = tc.priority_id
JOIN users au ON au.id = tc.author_id
LEFT JOIN users dt ON dt.id = tc.default_tester_id
LEFT JOIN users rv ON rv.id = tc.reviewer_id
WHERE /* filter */ TRUE
ORDER BY tc.id;

-- name: TestCaseLockMatching :many
-- TestCaseLockMatching locks the test cases a filter matches until the
-- transaction ends and returns their ids.
SELECT tc.id FROM test_cases tc WHERE /* filter */ TRUE ORDER BY tc.id FOR UPDATE;

-- name: TestCasePlanSortkeys :many
-- TestCasePlanSortkeys lists the case and sortkey of the plan-case links
-- a filter matches, oldest link first.
SELECT tcp.case_id, tcp.sortkey FROM test_case_plans tcp WHERE /* filter */ TRUE ORDER BY tcp.id;

-- name: TestCaseDelete :one
-- TestCaseDelete deletes test cases (their executions went first), with
-- their comments and attachments, writing a '-' history row for each, and
-- counts them and their plan, tag, component and property links (the
-- cascades, which the statement's snapshot still sees).
WITH cm AS (DELETE FROM comments WHERE owner = 'testcases_testcase' AND object_id = ANY(@ids::bigint[]) RETURNING 1),
at AS (DELETE FROM attachments WHERE owner = 'testcases_testcase' AND object_id = ANY(@ids::bigint[]) RETURNING 1),
c AS (DELETE FROM test_cases WHERE id = ANY(@ids::bigint[]) RETURNING *),
h AS (
    INSERT INTO history (owner, object_id, history_type, history_user_id, record)
    SELECT 'testcases_testcase', c.id, '-', @history_user_id::bigint, (to_jsonb(c) - 'cc_list') || jsonb_build_object(
        'setup_duration', extract(epoch FROM c.setup_duration)::float8,
        'testing_duration', extract(epoch FROM c.testing_duration)::float8)
    FROM c
)
SELECT (SELECT count(*) FROM test_case_plans x WHERE x.case_id = ANY(@ids::bigint[])) AS plans,
    (SELECT count(*) FROM test_case_tags x WHERE x.case_id = ANY(@ids::bigint[])) AS tags,
    (SELECT count(*) FROM test_case_components x WHERE x.case_id = ANY(@ids::bigint[])) AS components,
    (SELECT count(*) FROM test_case_properties x WHERE x.case_id = ANY(@ids::bigint[])) AS properties,
    (SELECT count(*) FROM cm) AS comments, (SELECT count(*) FROM at) AS attachments, (SELECT count(*) FROM c) AS cases;
