-- name: TagCreate :one
-- TagCreate adds a tag; names may repeat.
INSERT INTO tags (name) VALUES (@name) RETURNING id, name;

-- name: TagCreateMany :many
-- TagCreateMany adds one tag per name.
INSERT INTO tags (name) SELECT unnest(@names::text[]) RETURNING id, name;

-- name: TagFirstByName :many
-- TagFirstByName returns, for each of the names that exists, the tag of that name with the lowest id.
SELECT DISTINCT ON (name) id, name FROM tags WHERE name = ANY (@names::text[]) ORDER BY name, id;

-- name: TagLockNames :exec
-- TagLockNames holds, until the transaction ends, a lock per name that tag creators take, so that two transactions cannot both create the same name. Pass the names sorted, so that lockers never deadlock.
SELECT pg_advisory_xact_lock(hashtext('tags.name'), hashtext(n)) FROM unnest(@names::text[]) AS n;

-- name: TagUpdate :one
-- TagUpdate renames a tag.
UPDATE tags SET name = @name WHERE id = @id RETURNING id, name;

-- name: TagLockMatching :many
-- TagLockMatching locks the tags a filter matches until the transaction
-- ends and returns their ids; the filter sees each tag with each
-- combination of its records, as Tag.filter does.
SELECT t.id FROM tags t
WHERE t.id IN (SELECT t.id FROM tags t
    LEFT JOIN test_case_tags ct ON ct.tag_id = t.id
    LEFT JOIN test_plan_tags pt ON pt.tag_id = t.id
    LEFT JOIN test_run_tags rt ON rt.tag_id = t.id
    LEFT JOIN test_execution_tags et ON et.tag_id = t.id
    LEFT JOIN bug_tags bt ON bt.tag_id = t.id
    WHERE /* filter */ TRUE)
ORDER BY t.id FOR UPDATE;

-- name: TagReferences :many
-- TagReferences counts, per tag, the records it labels.
SELECT t.id, t.name,
    (SELECT count(*) FROM test_case_tags x WHERE x.tag_id = t.id) AS cases,
    (SELECT count(*) FROM test_plan_tags x WHERE x.tag_id = t.id) AS plans,
    (SELECT count(*) FROM test_run_tags x WHERE x.tag_id = t.id) AS runs,
    (SELECT count(*) FROM test_execution_tags x WHERE x.tag_id = t.id) AS executions,
    (SELECT count(*) FROM bug_tags x WHERE x.tag_id = t.id) AS bugs
FROM tags t WHERE t.id = ANY(@ids::bigint[]) ORDER BY t.id;

-- name: TagDelete :one
-- TagDelete deletes tags and counts them.
WITH d AS (DELETE FROM tags WHERE id = ANY(@ids::bigint[]) RETURNING 1)
SELECT count(*) AS tags FROM d;

-- name: TagFilter :many
-- TagFilter answers Tag.filter, by id then by the records: one row per
-- combination of the tag's cases, plans, runs, executions and bugs (ids
-- or null), as Kiwi.
SELECT t.id, t.name, ct.case_id AS "case", pt.plan_id AS plan, rt.run_id AS run,
    et.execution_id AS execution, bt.bug_id AS bugs
FROM tags t
LEFT JOIN test_case_tags ct ON ct.tag_id = t.id
LEFT JOIN test_plan_tags pt ON pt.tag_id = t.id
LEFT JOIN test_run_tags rt ON rt.tag_id = t.id
LEFT JOIN test_execution_tags et ON et.tag_id = t.id
LEFT JOIN bug_tags bt ON bt.tag_id = t.id
WHERE /* filter */ TRUE
ORDER BY t.id, ct.case_id, pt.plan_id, rt.run_id, et.execution_id, bt.bug_id;
