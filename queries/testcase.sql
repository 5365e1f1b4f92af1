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

-- name: TestCaseUpdate :one
-- TestCaseUpdate is TestCase.update in one statement: it sets the fields given (null keeps summary, text, is_automated, case_status_id, category_id and priority_id; the set_ flags say whether the nullable ones are given, null then clearing them) and writes a '~' history row whose change reason lists the fields that changed (history_diff). Each user given (set_author, set_default_tester, set_reviewer) is found as user_by_ref finds it (its ids and names; empty for no user). It returns the case as TestCaseFilter does (the history date is the new row's); no row means nothing was written: the case or a user named was not found, or the author names none.
WITH u AS (
    SELECT (SELECT r.r FROM user_by_ref(@author_ids::bigint[], @author_names::text[]) AS r) AS author_id,
        (SELECT r.r FROM user_by_ref(@tester_ids::bigint[], @tester_names::text[]) AS r) AS default_tester_id,
        (SELECT r.r FROM user_by_ref(@reviewer_ids::bigint[], @reviewer_names::text[]) AS r) AS reviewer_id
), o AS (
    SELECT x.id, (to_jsonb(x) - 'cc_list') || jsonb_build_object(
            'setup_duration', extract(epoch FROM x.setup_duration)::float8,
            'testing_duration', extract(epoch FROM x.testing_duration)::float8) AS rec
    FROM test_cases x WHERE x.id = @id FOR UPDATE
), c AS (
    UPDATE test_cases t SET
        summary           = coalesce(sqlc.narg(summary)::text, t.summary),
        text              = coalesce(sqlc.narg(text)::text, t.text),
        is_automated      = coalesce(sqlc.narg(is_automated)::boolean, t.is_automated),
        case_status_id    = coalesce(sqlc.narg(case_status_id)::bigint, t.case_status_id),
        category_id       = coalesce(sqlc.narg(category_id)::bigint, t.category_id),
        priority_id       = coalesce(sqlc.narg(priority_id)::bigint, t.priority_id),
        script            = CASE WHEN @set_script::boolean THEN sqlc.narg(script)::text ELSE t.script END,
        arguments         = CASE WHEN @set_arguments::boolean THEN sqlc.narg(arguments)::text ELSE t.arguments END,
        extra_link        = CASE WHEN @set_extra_link::boolean THEN sqlc.narg(extra_link)::text ELSE t.extra_link END,
        requirement       = CASE WHEN @set_requirement::boolean THEN sqlc.narg(requirement)::text ELSE t.requirement END,
        notes             = CASE WHEN @set_notes::boolean THEN sqlc.narg(notes)::text ELSE t.notes END,
        setup_duration    = CASE WHEN @set_setup::boolean THEN sqlc.narg(setup_us)::bigint * interval '1 microsecond'
                                ELSE t.setup_duration END,
        testing_duration  = CASE WHEN @set_testing::boolean THEN sqlc.narg(testing_us)::bigint * interval '1 microsecond'
                                ELSE t.testing_duration END,
        author_id         = CASE WHEN @set_author::boolean THEN u.author_id ELSE t.author_id END,
        default_tester_id = CASE WHEN @set_default_tester::boolean THEN u.default_tester_id ELSE t.default_tester_id END,
        reviewer_id       = CASE WHEN @set_reviewer::boolean THEN u.reviewer_id ELSE t.reviewer_id END
    FROM o, u
    WHERE t.id = o.id AND (NOT @set_author::boolean OR u.author_id IS NOT NULL)
        AND (NOT @set_default_tester::boolean OR u.default_tester_id IS NOT NULL
            OR coalesce(cardinality(@tester_ids::bigint[]), 0) + coalesce(cardinality(@tester_names::text[]), 0) = 0)
        AND (NOT @set_reviewer::boolean OR u.reviewer_id IS NOT NULL
            OR coalesce(cardinality(@reviewer_ids::bigint[]), 0) + coalesce(cardinality(@reviewer_names::text[]), 0) = 0)
    RETURNING t.*
), n AS (
    SELECT c.id, (to_jsonb(c) - 'cc_list') || jsonb_build_object(
            'setup_duration', extract(epoch FROM c.setup_duration)::float8,
            'testing_duration', extract(epoch FROM c.testing_duration)::float8) AS rec
    FROM c
), h AS (
    INSERT INTO history (owner, object_id, history_type, history_user_id, history_change_reason, record)
    SELECT 'testcases_testcase', n.id, '~', @history_user_id::bigint, history_diff(o.rec, n.rec), n.rec
    FROM n, o
    RETURNING object_id, history_date
)
SELECT c.id, c.create_date, c.is_automated, c.script, c.arguments, c.extra_link, c.summary, c.requirement, c.notes, c.text,
    c.case_status_id, cs.name AS case_status__name, c.category_id, cat.name AS category__name,
    c.priority_id, pr.value AS priority__value, c.author_id, au.username AS author__username,
    c.default_tester_id, dt.username AS default_tester__username, c.reviewer_id, rv.username AS reviewer__username,
    c.setup_duration, c.testing_duration, (SELECT max(h.history_date) FROM h) AS history_date
FROM c
JOIN test_case_statuses cs ON cs.id = c.case_status_id
JOIN categories cat ON cat.id = c.category_id
JOIN priorities pr ON pr.id = c.priority_id
JOIN users au ON au.id = c.author_id
LEFT JOIN users dt ON dt.id = c.default_tester_id
LEFT JOIN users rv ON rv.id = c.reviewer_id;

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
