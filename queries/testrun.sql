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

-- name: TestRunAddCases :many
-- TestRunAddCases adds cases to a run as Kiwi's TestRun.add_case does: a case that already has executions in the run keeps them; every other case must be confirmed and gets one execution per combination of its and the run's property values (the property matrix), each with its properties, or one execution when there are none. Nothing is written unless the run and every case exist and every case that needs executions is confirmed. It returns the executions of every case given, old and new, in case order, each with planned (the executions this call meant to add) and added (those it did add): when a concurrent call added one of the cases first, added is smaller and only the executions inserted got their properties and history; the caller asks again.
-- Every step reads the tables through their indexes, one CTE row at a time, and never joins two CTEs: PostgreSQL estimates a CTE over the array at ten rows and would scan one inside the other, which made 4,000 cases take seconds. So the matrix (m) grows each case's combinations one property name at a time from the properties tables, the new executions take their ids from the sequence before the insert, so that their properties and the reply come from the same rows without a join back, and updating the run's sortkey counter (k) makes calls into one run take turns. ip writes the properties of the executions ins did insert, looked up in ins by a hashed subplan (IS TRUE keeps PostgreSQL from turning it into a join of two CTEs): writing those of executions a concurrent call had inserted first broke their foreign key, failed the whole statement and sent the caller's retry into the same race.
WITH RECURSIVE r AS (
    SELECT id, build_id, default_tester_id FROM test_runs WHERE id = @run_id
), want AS (
    SELECT DISTINCT ON (w.case_id) w.case_id, w.ord
    FROM unnest(@case_ids::bigint[]) WITH ORDINALITY AS w (case_id, ord) ORDER BY w.case_id, w.ord
), c AS (
    SELECT want.ord, tc.id, tc.default_tester_id, cs.is_confirmed,
        coalesce((SELECT max(hi.history_id) FROM history hi WHERE hi.owner = 'testcases_testcase' AND hi.object_id = tc.id), 0) AS version,
        EXISTS (SELECT 1 FROM test_executions e WHERE e.run_id = @run_id AND e.case_id = tc.id) AS present
    FROM want JOIN test_cases tc ON tc.id = want.case_id JOIN test_case_statuses cs ON cs.id = tc.case_status_id
), ok AS (
    SELECT r.id FROM r WHERE (SELECT count(*) FROM c) = (SELECT count(*) FROM want)
        AND NOT EXISTS (SELECT 1 FROM c WHERE NOT c.present AND NOT c.is_confirmed)
), m (case_id, ord, default_tester_id, version, names, i, props) AS (
    SELECT c.id, c.ord, c.default_tester_id, c.version, (SELECT count(*) FROM (SELECT p.name FROM test_run_properties p WHERE p.run_id = @run_id
            UNION SELECT p.name FROM test_case_properties p WHERE p.case_id = c.id) n), 0::bigint, '[]'::jsonb
    FROM c WHERE NOT c.present AND EXISTS (SELECT 1 FROM ok)
    UNION ALL
    SELECT m.case_id, m.ord, m.default_tester_id, m.version, m.names, m.i + 1, m.props || jsonb_build_array(jsonb_build_object('name', v.name, 'value', v.value))
    FROM m CROSS JOIN LATERAL (
        SELECT pv.name, pv.value FROM (
            SELECT x.name, x.value, dense_rank() OVER (ORDER BY x.name) AS i
            FROM (SELECT p.name, p.value FROM test_run_properties p WHERE p.run_id = @run_id
                UNION SELECT p.name, p.value FROM test_case_properties p WHERE p.case_id = m.case_id) x
        ) pv WHERE pv.i = m.i + 1
    ) v
), combo AS (
    SELECT nextval(pg_get_serial_sequence('test_executions', 'id')) AS id, m.case_id, m.default_tester_id, m.version,
        (row_number() OVER (PARTITION BY m.case_id ORDER BY m.props::text) - 1)::int AS slot, m.props,
        row_number() OVER (ORDER BY m.ord, m.props::text) AS n, m.ord
    FROM m WHERE m.i = m.names
), k AS (
    UPDATE test_runs t SET last_sortkey = greatest(t.last_sortkey,
            coalesce((SELECT max(e.sortkey) FROM test_executions e WHERE e.run_id = @run_id), 0)) + 10 * (SELECT count(*) FROM combo)
    FROM ok WHERE t.id = ok.id AND EXISTS (SELECT 1 FROM combo)
    RETURNING t.last_sortkey, (SELECT count(*) FROM combo) AS planned,
        (SELECT s.id FROM test_execution_statuses s WHERE s.weight = 0 ORDER BY s.id LIMIT 1) AS status_id
), fresh AS (
    SELECT combo.id, r.id AS run_id, combo.case_id, combo.slot, (k.last_sortkey - 10 * (k.planned - combo.n))::int AS sortkey,
        coalesce(combo.default_tester_id, r.default_tester_id) AS assignee_id, combo.version AS case_text_version,
        k.status_id, r.build_id, combo.props, combo.ord, k.planned
    FROM combo, k, r
), ins AS (
    INSERT INTO test_executions (id, run_id, case_id, slot, sortkey, assignee_id, case_text_version, status_id, build_id)
    OVERRIDING SYSTEM VALUE
    SELECT f.id, f.run_id, f.case_id, f.slot, f.sortkey, f.assignee_id, f.case_text_version, f.status_id, f.build_id FROM fresh f
    ON CONFLICT (run_id, case_id, slot) DO NOTHING
    RETURNING *
), ip AS (
    INSERT INTO test_execution_properties (execution_id, name, value)
    SELECT f.id, p->>'name', p->>'value' FROM fresh f, jsonb_array_elements(f.props) p
    WHERE (f.id IN (SELECT ins.id FROM ins)) IS TRUE
), h AS (
    INSERT INTO history (owner, object_id, history_type, history_user_id, record)
    SELECT 'testruns_testexecution', ins.id, '+', @history_user_id::bigint, to_jsonb(ins) - 'slot' FROM ins
)
SELECT x.id, x.assignee_id, x.tested_by_id, x.case_text_version, x.start_date, x.stop_date, x.sortkey, x.run_id, x.case_id,
    x.status_id, x.build_id, x.tag, x.properties, x.planned, (SELECT count(*) FROM ins) AS added
FROM (
    SELECT e.id, e.assignee_id, e.tested_by_id, e.case_text_version, e.start_date, e.stop_date, e.sortkey, e.run_id, e.case_id,
        e.status_id, e.build_id,
        ARRAY(SELECT xt.tag_id FROM test_execution_tags xt WHERE xt.execution_id = e.id ORDER BY xt.tag_id)::bigint[] AS tag,
        (SELECT coalesce(jsonb_agg(jsonb_build_object('name', p.name, 'value', p.value) ORDER BY p.name, p.value), '[]')
            FROM test_execution_properties p WHERE p.execution_id = e.id)::jsonb AS properties,
        coalesce((SELECT k.planned FROM k), 0)::bigint AS planned, c.ord
    FROM c JOIN test_executions e ON e.run_id = @run_id AND e.case_id = c.id
    WHERE c.present AND EXISTS (SELECT 1 FROM ok)
    UNION ALL
    SELECT f.id, f.assignee_id, NULL, f.case_text_version, NULL, NULL, f.sortkey, f.run_id, f.case_id, f.status_id, f.build_id,
        '{}', f.props, f.planned, f.ord
    FROM fresh f
) x
ORDER BY x.ord, x.sortkey, x.id;

-- name: TestRunCreate :one
-- TestRunCreate adds a run and its '+' history row (the record without the sortkey counter) in one statement and returns it. Each user is an id (manager_id, default_tester_id) or else found as user_by_ref finds it (manager_ids and manager_names, tester_ids and tester_names; empty arrays for no default tester). The build must be an active build of the plan's version. No row means nothing was written: the build does not fit, or a user named was not found.
WITH u AS (
    SELECT coalesce(sqlc.narg(manager_id)::bigint,
            (SELECT r.r FROM user_by_ref(@manager_ids::bigint[], @manager_names::text[]) AS r)) AS manager_id,
        coalesce(sqlc.narg(default_tester_id)::bigint,
            (SELECT r.r FROM user_by_ref(@tester_ids::bigint[], @tester_names::text[]) AS r)) AS default_tester_id
), r AS (
    INSERT INTO test_runs (summary, notes, plan_id, build_id, manager_id, default_tester_id, start_date, stop_date,
        planned_start, planned_stop)
    SELECT @summary, coalesce(sqlc.narg(notes)::text, ''), @plan_id, @build_id, u.manager_id, u.default_tester_id,
        sqlc.narg(start_date)::timestamptz, sqlc.narg(stop_date)::timestamptz, sqlc.narg(planned_start)::timestamptz,
        sqlc.narg(planned_stop)::timestamptz
    FROM u
    WHERE u.manager_id IS NOT NULL
        AND (u.default_tester_id IS NOT NULL OR coalesce(cardinality(@tester_ids::bigint[]), 0) + coalesce(cardinality(@tester_names::text[]), 0) = 0)
        AND EXISTS (SELECT 1 FROM test_plans p JOIN builds b ON b.version_id = p.product_version_id
            WHERE p.id = @plan_id AND b.id = @build_id AND b.is_active)
    RETURNING *
), h AS (
    INSERT INTO history (owner, object_id, history_type, history_user_id, record)
    SELECT 'testruns_testrun', r.id, '+', @history_user_id::bigint, to_jsonb(r) - 'last_sortkey' FROM r
)
SELECT r.id, r.start_date, r.stop_date, r.planned_start, r.planned_stop, r.summary, r.notes, r.plan_id, r.build_id,
    r.manager_id, r.default_tester_id
FROM r;

-- name: TestRunUpdate :one
-- TestRunUpdate is TestRun.update in one statement: it sets the fields given (null keeps summary, notes, plan_id and build_id; the set_ flags say whether the dates are given, null then clearing them) and writes a '~' history row (the record without the sortkey counter) whose change reason lists the fields that changed (history_diff). Unless a plan is given, the build (given or current) must be an active build of the current plan's version. Each user given (set_manager, set_default_tester) is found as user_by_ref finds it (its ids and names; empty for no user). It returns the run; no row means nothing was written: the run is not found, the build does not fit, a user named is not found or the manager names none.
WITH u AS (
    SELECT (SELECT r.r FROM user_by_ref(@manager_ids::bigint[], @manager_names::text[]) AS r) AS manager_id,
        (SELECT r.r FROM user_by_ref(@tester_ids::bigint[], @tester_names::text[]) AS r) AS default_tester_id
), o AS (
    SELECT x.id, to_jsonb(x) - 'last_sortkey' AS rec,
        coalesce(b.is_active AND b.version_id = p.product_version_id, false) AS fit
    FROM test_runs x JOIN test_plans p ON p.id = x.plan_id
    LEFT JOIN builds b ON b.id = coalesce(sqlc.narg(build_id)::bigint, x.build_id)
    WHERE x.id = @id FOR UPDATE OF x
), c AS (
    UPDATE test_runs t SET
        summary           = coalesce(sqlc.narg(summary)::text, t.summary),
        notes             = coalesce(sqlc.narg(notes)::text, t.notes),
        plan_id           = coalesce(sqlc.narg(plan_id)::bigint, t.plan_id),
        build_id          = coalesce(sqlc.narg(build_id)::bigint, t.build_id),
        manager_id        = CASE WHEN @set_manager::boolean THEN u.manager_id ELSE t.manager_id END,
        default_tester_id = CASE WHEN @set_default_tester::boolean THEN u.default_tester_id ELSE t.default_tester_id END,
        start_date        = CASE WHEN @set_start_date::boolean THEN sqlc.narg(start_date)::timestamptz ELSE t.start_date END,
        stop_date         = CASE WHEN @set_stop_date::boolean THEN sqlc.narg(stop_date)::timestamptz ELSE t.stop_date END,
        planned_start     = CASE WHEN @set_planned_start::boolean THEN sqlc.narg(planned_start)::timestamptz
                                ELSE t.planned_start END,
        planned_stop      = CASE WHEN @set_planned_stop::boolean THEN sqlc.narg(planned_stop)::timestamptz
                                ELSE t.planned_stop END
    FROM o, u
    WHERE t.id = o.id AND (o.fit OR sqlc.narg(plan_id)::bigint IS NOT NULL)
        AND (NOT @set_manager::boolean OR u.manager_id IS NOT NULL)
        AND (NOT @set_default_tester::boolean OR u.default_tester_id IS NOT NULL
            OR coalesce(cardinality(@tester_ids::bigint[]), 0) + coalesce(cardinality(@tester_names::text[]), 0) = 0)
    RETURNING t.*
), n AS (
    SELECT c.id, to_jsonb(c) - 'last_sortkey' AS rec FROM c
), h AS (
    INSERT INTO history (owner, object_id, history_type, history_user_id, history_change_reason, record)
    SELECT 'testruns_testrun', n.id, '~', @history_user_id::bigint, history_diff(o.rec, n.rec), n.rec
    FROM n, o
)
SELECT c.id, c.start_date, c.stop_date, c.planned_start, c.planned_stop, c.summary, c.notes, c.plan_id, c.build_id,
    c.manager_id, c.default_tester_id
FROM c;

-- name: TestRunBuildFits :one
-- TestRunBuildFits tells whether a build (null: the run's current one) is an active build of the version of the run's plan; no row when there is no such run.
SELECT coalesce(b.is_active AND b.version_id = p.product_version_id, false)::boolean AS fit
FROM test_runs x JOIN test_plans p ON p.id = x.plan_id
LEFT JOIN builds b ON b.id = coalesce(sqlc.narg(build_id)::bigint, x.build_id)
WHERE x.id = @id;

-- name: TestRunCheck :one
-- TestRunCheck validates the keys of TestRun.create that change nothing: it returns the case ids given that are not confirmed cases, whether the product (if any) exists and whether every environment given exists.
SELECT ARRAY(SELECT unnest(@case_ids::bigint[]) EXCEPT
        SELECT tc.id FROM test_cases tc JOIN test_case_statuses cs ON cs.id = tc.case_status_id WHERE cs.is_confirmed)::bigint[] AS bad_cases,
    (sqlc.narg(product_id)::bigint IS NULL OR EXISTS (SELECT 1 FROM products WHERE id = sqlc.narg(product_id)::bigint))::boolean AS product_ok,
    (NOT EXISTS (SELECT unnest(@environment_ids::bigint[]) EXCEPT SELECT id FROM environments))::boolean AS environments_ok;

-- name: TestRunPlanExists :one
-- TestRunPlanExists tells whether a test plan exists.
SELECT EXISTS (SELECT 1 FROM test_plans WHERE id = @plan_id)::boolean;
-- name: TestRunFilter :many
-- TestRunFilter answers TestRun.filter, by id: S-TestRun-f, each run with
-- the names of its plan, build, version and users.
SELECT tr.id, tr.start_date, tr.stop_date, tr.planned_start, tr.planned_stop, tr.summary, tr.notes,
    tr.plan_id, tr.build_id, tr.manager_id, tr.default_tester_id,
    tp.name AS plan__name, b.name AS build__name, b.version_id AS build__version, v.value AS build__version__value,
    v.product_id AS build__version__product, m.username AS manager__username, dt.username AS default_tester__username
FROM test_runs tr
JOIN test_plans tp ON tp.id = tr.plan_id
JOIN builds b ON b.id = tr.build_id
JOIN versions v ON v.id = b.version_id
JOIN users m ON m.id = tr.manager_id
LEFT JOIN users dt ON dt.id = tr.default_tester_id
WHERE /* filter */ TRUE
ORDER BY tr.id;

-- name: TestRunLockMatching :many
-- TestRunLockMatching locks the test runs a filter matches until the
-- transaction ends and returns their ids.
SELECT tr.id FROM test_runs tr WHERE /* filter */ TRUE ORDER BY tr.id FOR UPDATE;

-- name: TestRunPropertyFilter :many
-- TestRunPropertyFilter answers TestRun.properties, by run, name and value.
SELECT p.id, p.run_id AS run, p.name, p.value FROM test_run_properties p
WHERE /* filter */ TRUE
ORDER BY p.run_id, p.name, p.value, p.id;

-- name: TestRunDelete :one
-- TestRunDelete deletes test runs (their executions went first), with
-- their comments and attachments, writing a '-' history row for each, and
-- counts them and their tags, CC and properties (the cascades, which the
-- statement's snapshot still sees).
WITH cm AS (DELETE FROM comments WHERE owner = 'testruns_testrun' AND object_id = ANY(@ids::bigint[]) RETURNING 1),
at AS (DELETE FROM attachments WHERE owner = 'testruns_testrun' AND object_id = ANY(@ids::bigint[]) RETURNING 1),
r AS (DELETE FROM test_runs WHERE id = ANY(@ids::bigint[]) RETURNING *),
h AS (
    INSERT INTO history (owner, object_id, history_type, history_user_id, record)
    SELECT 'testruns_testrun', r.id, '-', @history_user_id::bigint, to_jsonb(r) - 'last_sortkey' FROM r
)
SELECT (SELECT count(*) FROM r) AS runs,
    (SELECT count(*) FROM test_run_tags x WHERE x.run_id = ANY(@ids::bigint[])) AS tags,
    (SELECT count(*) FROM test_run_cc x WHERE x.run_id = ANY(@ids::bigint[])) AS cc,
    (SELECT count(*) FROM test_run_properties x WHERE x.run_id = ANY(@ids::bigint[])) AS properties,
    (SELECT count(*) FROM cm) AS comments, (SELECT count(*) FROM at) AS attachments;

-- name: TestRunCases :many
-- TestRunCases answers TestRun.get_cases: one row per execution of the run, by execution id, each the execution's case with the id and status name of the case's last execution in the run.
SELECT tc.id, tc.create_date, tc.is_automated, tc.script, tc.arguments, tc.extra_link, tc.summary, tc.requirement,
    tc.notes, tc.text, tc.case_status_id, tc.category_id, tc.priority_id, tc.author_id, tc.default_tester_id,
    tc.reviewer_id, last.id AS execution_id, last.name AS status
FROM test_executions e JOIN test_cases tc ON tc.id = e.case_id
JOIN LATERAL (SELECT l.id, st.name FROM test_executions l JOIN test_execution_statuses st ON st.id = l.status_id
    WHERE l.run_id = e.run_id AND l.case_id = e.case_id ORDER BY l.id DESC LIMIT 1) last ON true
WHERE e.run_id = @run_id
ORDER BY e.id;

-- name: TestRunAddCasesRefusal :one
-- TestRunAddCasesRefusal tells why TestRunAddCases wrote nothing: whether the run exists, the case ids given that no case has and the cases given that are not confirmed and not in the run yet, ascending.
SELECT EXISTS (SELECT 1 FROM test_runs r WHERE r.id = @run_id)::boolean AS run_exists,
    ARRAY(SELECT w FROM unnest(@case_ids::bigint[]) w
        WHERE NOT EXISTS (SELECT 1 FROM test_cases tc WHERE tc.id = w) ORDER BY w)::bigint[] AS missing,
    ARRAY(SELECT tc.id FROM test_cases tc JOIN test_case_statuses cs ON cs.id = tc.case_status_id
        WHERE tc.id = ANY (@case_ids::bigint[]) AND NOT cs.is_confirmed
            AND NOT EXISTS (SELECT 1 FROM test_executions e WHERE e.run_id = @run_id AND e.case_id = tc.id)
        ORDER BY tc.id)::bigint[] AS unconfirmed;
