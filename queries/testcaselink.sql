-- name: TestCaseProductLock :one
-- TestCaseProductLock returns the product of a case's category, and keeps the case from being deleted until the transaction ends.
SELECT cat.product_id FROM test_cases tc JOIN categories cat ON cat.id = tc.category_id
WHERE tc.id = @case_id FOR KEY SHARE OF tc;

-- name: TestCaseAddTags :exec
-- TestCaseAddTags links tags to a case; existing links stay as they are.
INSERT INTO test_case_tags (case_id, tag_id)
SELECT @case_id::bigint, unnest(@tag_ids::bigint[])
ON CONFLICT DO NOTHING;

-- name: TestCaseRemoveTag :one
-- TestCaseRemoveTag unlinks the tags of a name from a case and says whether the case and a tag of that name exist.
WITH c AS (SELECT tc.id FROM test_cases tc WHERE tc.id = @case_id),
t AS (SELECT g.id FROM tags g WHERE g.name = @name),
d AS (DELETE FROM test_case_tags l USING c, t WHERE l.case_id = c.id AND l.tag_id = t.id)
SELECT EXISTS (SELECT 1 FROM c) AS case_found, EXISTS (SELECT 1 FROM t) AS other_found;

-- name: TestCaseAddComponent :one
-- TestCaseAddComponent links the product's component of a name to a case (an existing link stays) and returns the component; no row means the product has no such component.
WITH co AS (
    SELECT x.id, x.name, x.product_id, x.initial_owner_id, x.description FROM components x
    WHERE x.product_id = @product_id AND x.name = @name
), ins AS (
    INSERT INTO test_case_components (case_id, component_id)
    SELECT @case_id::bigint, co.id FROM co
    ON CONFLICT DO NOTHING
)
SELECT co.id, co.name, co.product_id, co.initial_owner_id, co.description FROM co;

-- name: TestCaseRemoveComponent :one
-- TestCaseRemoveComponent unlinks a component from a case and says whether the case and the component exist.
WITH c AS (SELECT tc.id FROM test_cases tc WHERE tc.id = @case_id),
co AS (SELECT x.id FROM components x WHERE x.id = @component_id),
d AS (DELETE FROM test_case_components l USING c, co WHERE l.case_id = c.id AND l.component_id = co.id)
SELECT EXISTS (SELECT 1 FROM c) AS case_found, EXISTS (SELECT 1 FROM co) AS other_found;

-- name: TestCasePropertyAdd :one
-- TestCasePropertyAdd is get-or-create on (case, name, value): the new row, or the existing one. No row means the case does not exist (or a concurrent insert of the same property is not yet visible).
WITH c AS (
    SELECT tc.id AS case_id FROM test_cases tc WHERE tc.id = @case_id
), ins AS (
    INSERT INTO test_case_properties (case_id, name, value)
    SELECT c.case_id, @name, @value FROM c
    ON CONFLICT ON CONSTRAINT test_case_properties_case_id_name_value_key DO NOTHING
    RETURNING id, name, value, case_id
)
SELECT id, name, value, case_id FROM ins
UNION ALL
SELECT p.id, p.name, p.value, p.case_id FROM test_case_properties p
WHERE p.case_id = @case_id AND p.name = @name AND p.value = @value
LIMIT 1;

-- name: TestCaseCCGet :one
-- TestCaseCCGet returns a case's notification CC list (comma-separated), locking the case for an update.
SELECT cc_list FROM test_cases WHERE id = @case_id FOR NO KEY UPDATE;

-- name: TestCaseCCSet :exec
-- TestCaseCCSet replaces a case's notification CC list.
UPDATE test_cases SET cc_list = @cc_list WHERE id = @case_id;

-- name: TestCasePropertyFilter :many
-- TestCasePropertyFilter answers TestCase.properties, by case, name and
-- value.
SELECT p.id, p.case_id AS "case", p.name, p.value
FROM test_case_properties p WHERE /* filter */ TRUE
ORDER BY p.case_id, p.name, p.value, p.id;

-- name: TestCasePropertyDeleteMatching :exec
-- TestCasePropertyDeleteMatching deletes the case properties a filter
-- matches.
DELETE FROM test_case_properties p WHERE /* filter */ TRUE;
