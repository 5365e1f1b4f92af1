-- name: EnvironmentCreate :one
-- EnvironmentCreate adds an environment.
INSERT INTO environments (name, description) VALUES (@name, @description)
RETURNING id, name, description;

-- name: EnvironmentPropertyAdd :one
-- EnvironmentPropertyAdd is get-or-create on (environment, name, value):
-- the new row, or the existing one. No row means the environment does not
-- exist (or a concurrent insert of the same property is not yet visible).
WITH env AS (
    SELECT e.id AS env_id FROM environments e WHERE e.id = @environment_id
), ins AS (
    INSERT INTO environment_properties (environment_id, name, value)
    SELECT env.env_id, @name, @value FROM env
    ON CONFLICT ON CONSTRAINT environment_properties_environment_id_name_value_key DO NOTHING
    RETURNING id, name, value, environment_id
)
SELECT id, name, value, environment_id FROM ins
UNION ALL
SELECT p.id, p.name, p.value, p.environment_id FROM environment_properties p
WHERE p.environment_id = @environment_id AND p.name = @name AND p.value = @value
LIMIT 1;

-- name: EnvironmentFilter :many
-- EnvironmentFilter answers Environment.filter, by name and description.
SELECT e.id, e.name, e.description FROM environments e WHERE /* filter */ TRUE
ORDER BY e.name, e.description, e.id;

-- name: EnvironmentPropertyFilter :many
-- EnvironmentPropertyFilter answers Environment.properties, by
-- environment, name and value.
SELECT p.id, p.environment_id AS environment, p.name, p.value
FROM environment_properties p WHERE /* filter */ TRUE
ORDER BY p.environment_id, p.name, p.value, p.id;

-- name: EnvironmentPropertyDeleteMatching :exec
-- EnvironmentPropertyDeleteMatching deletes the properties a filter matches.
DELETE FROM environment_properties p WHERE /* filter */ TRUE;
