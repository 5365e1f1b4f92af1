-- name: CommentAdd :one
-- CommentAdd comments on a record (owner and object_id: a test case, execution, run or bug) as a user, stored with the user's username and email; a null submit_date is now. The record is locked against deletion (FOR KEY SHARE) until the comment is in. No row means nothing was written: the record or the user is missing.
WITH tc AS (SELECT x.id FROM test_cases x WHERE @owner::text = 'testcases_testcase' AND x.id = @object_id FOR KEY SHARE),
te AS (SELECT x.id FROM test_executions x WHERE @owner::text = 'testruns_testexecution' AND x.id = @object_id FOR KEY SHARE),
tr AS (SELECT x.id FROM test_runs x WHERE @owner::text = 'testruns_testrun' AND x.id = @object_id FOR KEY SHARE),
bg AS (SELECT x.id FROM bugs x WHERE @owner::text = 'bugs_bug' AND x.id = @object_id FOR KEY SHARE),
o AS (SELECT id FROM tc UNION ALL SELECT id FROM te UNION ALL SELECT id FROM tr UNION ALL SELECT id FROM bg)
INSERT INTO comments (owner, object_id, user_id, user_name, user_email, comment, submit_date)
SELECT @owner::text, o.id, u.id, left(u.username, 50), u.email, @comment, coalesce(sqlc.narg(submit_date)::timestamptz, now())
FROM o, users u WHERE u.id = @user_id
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

-- name: RecordLock :one
-- RecordLock locks a record that comments and attachments hang on (owner and object_id: a test case, execution, run or bug) against deletion (FOR KEY SHARE) until the transaction ends; no row when it does not exist.
WITH tc AS (SELECT x.id FROM test_cases x WHERE @owner::text = 'testcases_testcase' AND x.id = @object_id FOR KEY SHARE),
te AS (SELECT x.id FROM test_executions x WHERE @owner::text = 'testruns_testexecution' AND x.id = @object_id FOR KEY SHARE),
tr AS (SELECT x.id FROM test_runs x WHERE @owner::text = 'testruns_testrun' AND x.id = @object_id FOR KEY SHARE),
bg AS (SELECT x.id FROM bugs x WHERE @owner::text = 'bugs_bug' AND x.id = @object_id FOR KEY SHARE)
SELECT id FROM tc UNION ALL SELECT id FROM te UNION ALL SELECT id FROM tr UNION ALL SELECT id FROM bg;
