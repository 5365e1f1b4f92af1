-- name: BuildCreate :one
-- BuildCreate adds a build.
INSERT INTO builds (name, version_id, is_active) VALUES (@name, @version_id, @is_active)
RETURNING id, name, version_id, is_active;

-- name: BuildUpdate :one
-- BuildUpdate sets the given fields of a build; null keeps a field.
UPDATE builds SET
    name       = coalesce(sqlc.narg(name), name),
    version_id = coalesce(sqlc.narg(version_id), version_id),
    is_active  = coalesce(sqlc.narg(is_active), is_active)
WHERE id = @id
RETURNING id, name, version_id, is_active;
