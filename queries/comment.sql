-- name: CommentList :many
-- CommentList lists the comments of a record that are not removed, by id.
SELECT id, object_id, user_id, user_name, user_email, comment, submit_date, is_public, is_removed
FROM comments
WHERE owner = @owner AND object_id = @object_id AND NOT is_removed
ORDER BY id;

-- name: CommentRemove :exec
-- CommentRemove deletes one comment of a record, or all of them when id is null.
DELETE FROM comments
WHERE owner = @owner AND object_id = @object_id AND (sqlc.narg(id)::bigint IS NULL OR id = sqlc.narg(id));
