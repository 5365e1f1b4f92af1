-- name: CommentAdd :one
-- CommentAdd stores a comment on a record as the user, with the user's name and email; no row means the user does not exist. A null submit_date means now.
INSERT INTO comments (owner, object_id, user_id, user_name, user_email, comment, submit_date)
SELECT @owner::text, @object_id::bigint, u.id, left(u.username, 50), u.email, @comment::text,
    coalesce(sqlc.narg(submit_date)::timestamptz, now())
FROM users u WHERE u.id = @user_id
RETURNING id, user_id, user_name, user_email, comment, submit_date, is_public, is_removed;

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
