-- name: TestPlanCreate :one
-- TestPlanCreate adds a plan and its '+' history row in one statement; a null create_date means now.
WITH p AS (
    INSERT INTO test_plans (name, text, create_date, is_active, extra_link, product_version_id, author_id, product_id, type_id, parent_id)
    VALUES (@name, @text, coalesce(sqlc.narg(create_date)::timestamptz, now()), @is_active, sqlc.narg(extra_link),
        @product_version_id, @author_id, @product_id, @type_id, sqlc.narg(parent_id))
    RETURNING id, name, text, create_date, is_active, extra_link, product_version_id, author_id, product_id, type_id, parent_id
), h AS (
    INSERT INTO history (owner, object_id, history_type, history_user_id, record)
    SELECT 'testplans_testplan', p.id, '+', @history_user_id, to_jsonb(p) FROM p
)
SELECT id, name, text, create_date, is_active, extra_link, product_version_id, author_id, product_id, type_id, parent_id FROM p;

-- name: TestPlanUpdate :one
-- TestPlanUpdate sets the given fields of a plan (null keeps a field; set_extra_link and set_parent say whether those nullable ones are given) and writes its '~' history row, in one statement.
WITH p AS (
    UPDATE test_plans SET
        name               = coalesce(sqlc.narg(name), name),
        text               = coalesce(sqlc.narg(text), text),
        is_active          = coalesce(sqlc.narg(is_active), is_active),
        extra_link         = CASE WHEN @set_extra_link::boolean THEN sqlc.narg(extra_link) ELSE extra_link END,
        product_version_id = coalesce(sqlc.narg(product_version_id), product_version_id),
        author_id          = coalesce(sqlc.narg(author_id), author_id),
        product_id         = coalesce(sqlc.narg(product_id), product_id),
        type_id            = coalesce(sqlc.narg(type_id), type_id),
        parent_id          = CASE WHEN @set_parent::boolean THEN sqlc.narg(parent_id) ELSE parent_id END
    WHERE id = @id
    RETURNING id, name, text, create_date, is_active, extra_link, product_version_id, author_id, product_id, type_id, parent_id
), h AS (
    INSERT INTO history (owner, object_id, history_type, history_user_id, record)
    SELECT 'testplans_testplan', p.id, '~', @history_user_id, to_jsonb(p) FROM p
)
SELECT id, name, text, create_date, is_active, extra_link, product_version_id, author_id, product_id, type_id, parent_id FROM p;

-- name: TestPlanLock :one
-- TestPlanLock locks one plan's row until the transaction ends, so that its links change one transaction at a time.
SELECT id FROM test_plans WHERE id = @id FOR UPDATE;

-- name: TestPlanTreeLock :exec
-- TestPlanTreeLock serialises changes of plan parents until the transaction ends, so that two of them cannot close a loop together.
SELECT pg_advisory_xact_lock(hashtext('test_plans.parent_id'));

-- name: TestPlanIsAncestor :one
-- TestPlanIsAncestor tells whether plan ancestor_id is plan_id itself or one of its ancestors.
WITH RECURSIVE up AS (
    SELECT b.id, b.parent_id FROM test_plans b WHERE b.id = @plan_id::bigint
    UNION
    SELECT t.id, t.parent_id FROM test_plans t JOIN up ON t.id = up.parent_id
)
SELECT EXISTS (SELECT 1 FROM up u WHERE u.id = @ancestor_id::bigint)::boolean;

-- name: TestPlanVersionProduct :one
-- TestPlanVersionProduct returns the product a version belongs to.
SELECT product_id FROM versions WHERE id = @id;

-- name: TestPlanTree :many
-- TestPlanTree lists the whole family of a plan from its root, depth first, children in id order.
WITH RECURSIVE up AS (
    SELECT b.id, b.parent_id FROM test_plans b WHERE b.id = @id::bigint
    UNION
    SELECT t.id, t.parent_id FROM test_plans t JOIN up ON t.id = up.parent_id
), down AS (
    SELECT t.id, t.name, t.parent_id, 0 AS tree_depth, ARRAY[t.id] AS path
    FROM test_plans t WHERE t.id IN (SELECT u.id FROM up u WHERE u.parent_id IS NULL)
    UNION ALL
    SELECT t.id, t.name, t.parent_id, d.tree_depth + 1, d.path || t.id
    FROM test_plans t JOIN down d ON t.parent_id = d.id
)
SELECT id, name, parent_id, tree_depth::integer AS tree_depth FROM down ORDER BY path;

-- name: TestPlanAddCase :exec
-- TestPlanAddCase links an existing case to a plan, after the plan's highest sortkey (+10, or 0 when it has none); an existing link keeps its sortkey.
INSERT INTO test_case_plans (plan_id, case_id, sortkey)
SELECT @plan_id, c.id, coalesce((SELECT max(sortkey) + 10 FROM test_case_plans WHERE plan_id = @plan_id), 0)
FROM test_cases c WHERE c.id = @case_id
ON CONFLICT ON CONSTRAINT test_case_plans_plan_id_case_id_key DO NOTHING;

-- name: TestPlanCase :one
-- TestPlanCase returns a case of a plan with the link's sortkey.
SELECT c.id, c.is_automated, c.script, c.arguments, c.extra_link, c.summary, c.requirement, c.notes, c.text,
    c.setup_duration, c.testing_duration,
    c.case_status_id, c.category_id, c.priority_id, c.author_id, c.default_tester_id, c.reviewer_id, c.create_date, l.sortkey
FROM test_cases c JOIN test_case_plans l ON l.case_id = c.id
WHERE l.plan_id = @plan_id AND c.id = @case_id;

-- name: TestPlanRemoveCase :exec
-- TestPlanRemoveCase unlinks a case from a plan, if linked.
DELETE FROM test_case_plans WHERE plan_id = @plan_id AND case_id = @case_id;

-- name: TestPlanCaseOrder :exec
-- TestPlanCaseOrder sets the sortkey of a case in a plan, if linked.
UPDATE test_case_plans SET sortkey = @sortkey WHERE plan_id = @plan_id AND case_id = @case_id;

-- name: TestPlanAddTag :exec
-- TestPlanAddTag tags a plan; a present tag stays.
INSERT INTO test_plan_tags (plan_id, tag_id) VALUES (@plan_id, @tag_id) ON CONFLICT DO NOTHING;

-- name: TestPlanRemoveTag :execrows
-- TestPlanRemoveTag takes every tag of that name off a plan and returns how many tags have the name.
WITH t AS (SELECT id FROM tags WHERE name = @name), d AS (
    DELETE FROM test_plan_tags WHERE plan_id = @plan_id AND tag_id IN (SELECT id FROM t)
)
SELECT id FROM t;

-- name: TestPlanLockMatching :many
-- TestPlanLockMatching locks the plans a filter matches until the
-- transaction ends and returns their ids.
SELECT tp.id FROM test_plans tp WHERE /* filter */ TRUE ORDER BY tp.id FOR UPDATE;

-- name: TestPlanReferences :many
-- TestPlanReferences counts, per plan, its test runs and the child plans
-- that are not among the plans given.
SELECT tp.id, tp.name,
    (SELECT count(*) FROM test_runs tr WHERE tr.plan_id = tp.id) AS runs,
    (SELECT count(*) FROM test_plans ch WHERE ch.parent_id = tp.id AND NOT ch.id = ANY(@ids::bigint[])) AS children
FROM test_plans tp WHERE tp.id = ANY(@ids::bigint[]) ORDER BY tp.id;

-- name: TestPlanDelete :one
-- TestPlanDelete deletes plans with their links to cases and tags and
-- their attachments, writing a '-' history row for each plan, and counts
-- each.
WITH counts AS (
    SELECT (SELECT count(*) FROM test_case_plans WHERE plan_id = ANY(@ids::bigint[])) AS case_links,
        (SELECT count(*) FROM test_plan_tags WHERE plan_id = ANY(@ids::bigint[])) AS tag_links
), at AS (
    DELETE FROM attachments WHERE owner = 'testplans_testplan' AND object_id = ANY(@ids::bigint[]) RETURNING 1
), p AS (
    DELETE FROM test_plans WHERE id = ANY(@ids::bigint[])
    RETURNING id, name, text, create_date, is_active, extra_link, product_version_id, author_id, product_id, type_id, parent_id
), h AS (
    INSERT INTO history (owner, object_id, history_type, history_user_id, record)
    SELECT 'testplans_testplan', p.id, '-', @history_user_id, to_jsonb(p) FROM p
)
SELECT (SELECT count(*) FROM p) AS plans, counts.case_links, counts.tag_links, (SELECT count(*) FROM at) AS attachments
FROM counts;

-- name: TestPlanAddCases :execrows
-- TestPlanAddCases links existing cases to a plan in the order given (a repeated id counts once), after the plan's highest sortkey (+10 each, from 0 when it has none); linked cases keep their sortkey.
WITH want AS (
    SELECT DISTINCT ON (w.id) w.id, w.ord FROM unnest(@case_ids::bigint[]) WITH ORDINALITY AS w (id, ord) ORDER BY w.id, w.ord
), new AS (
    SELECT want.id, row_number() OVER (ORDER BY want.ord) AS n FROM want
    WHERE NOT EXISTS (SELECT 1 FROM test_case_plans l WHERE l.plan_id = @plan_id AND l.case_id = want.id)
)
INSERT INTO test_case_plans (plan_id, case_id, sortkey)
SELECT @plan_id, new.id, (SELECT coalesce(max(l.sortkey) + 10, 0) FROM test_case_plans l WHERE l.plan_id = @plan_id) + 10 * (new.n - 1)
FROM new
ON CONFLICT ON CONSTRAINT test_case_plans_plan_id_case_id_key DO NOTHING;

-- name: TestPlanFilter :many
-- TestPlanFilter answers TestPlan.filter, by product then id:
-- S-TestPlan-f.
SELECT sqlc.embed(tp), v.value AS product_version__value, p.name AS product__name,
    u.username AS author__username, pt.name AS type__name,
    (SELECT count(*) FROM test_plans c WHERE c.parent_id = tp.id) AS children__count
FROM test_plans tp
JOIN versions v ON v.id = tp.product_version_id
JOIN products p ON p.id = tp.product_id
JOIN users u ON u.id = tp.author_id
JOIN plan_types pt ON pt.id = tp.type_id
WHERE /* filter */ TRUE
ORDER BY tp.product_id, tp.id;
