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
