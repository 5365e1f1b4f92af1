-- name: AttachmentAdd :one
-- AttachmentAdd stores a file; a name taken on the same record gets a suffix before its extension.
INSERT INTO attachments (owner, object_id, filename, content, creator_id)
SELECT @owner::text, @object_id::bigint, CASE WHEN NOT EXISTS (
        SELECT 1 FROM attachments WHERE owner = @owner::text AND object_id = @object_id::bigint AND filename = @filename::text)
    THEN @filename::text ELSE @alt_filename::text END,
    @content::bytea, @creator_id::bigint
RETURNING id, filename;

-- name: AttachmentList :many
-- AttachmentList lists a record's attachments, newest first.
SELECT a.id, a.owner, a.object_id, a.filename, a.creator_id, u.username, a.created
FROM attachments a JOIN users u ON u.id = a.creator_id
WHERE a.owner = @owner AND a.object_id = @object_id
ORDER BY a.created DESC, a.id DESC;

-- name: AttachmentGet :one
-- AttachmentGet returns one attachment's metadata.
SELECT id, owner, object_id, filename, creator_id FROM attachments WHERE id = @id;

-- name: AttachmentContent :one
-- AttachmentContent returns a file by its URL parts.
SELECT content FROM attachments WHERE owner = @owner AND object_id = @object_id AND filename = @filename;

-- name: AttachmentDelete :exec
-- AttachmentDelete removes one attachment.
DELETE FROM attachments WHERE id = @id;
