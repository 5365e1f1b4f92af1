-- name: BugTrackerCreate :one
-- BugTrackerCreate adds a bug tracker; api_password is already encrypted
-- and is not returned.
INSERT INTO bug_trackers (name, tracker_type, base_url, api_url, api_username, api_password)
VALUES (@name, @tracker_type, sqlc.narg('base_url'), sqlc.narg('api_url'), sqlc.narg('api_username'), sqlc.narg('api_password'))
RETURNING id, name, tracker_type, base_url, api_url, api_username;

-- name: BugTrackerCredentials :one
-- BugTrackerCredentials returns a tracker's user name and encrypted password.
SELECT api_username, api_password FROM bug_trackers WHERE id = @id;

-- name: BugTrackerUpdate :one
-- BugTrackerUpdate sets the given fields of a bug tracker: null keeps a
-- field; the set_ flags say whether the optional ones are given (null
-- then clears them); api_password is already encrypted.
UPDATE bug_trackers SET
    name         = coalesce(sqlc.narg(name), name),
    tracker_type = coalesce(sqlc.narg(tracker_type), tracker_type),
    base_url     = CASE WHEN @set_base_url::boolean THEN sqlc.narg(base_url) ELSE base_url END,
    api_url      = CASE WHEN @set_api_url::boolean THEN sqlc.narg(api_url) ELSE api_url END,
    api_username = CASE WHEN @set_api_username::boolean THEN sqlc.narg(api_username) ELSE api_username END,
    api_password = CASE WHEN @set_api_password::boolean THEN sqlc.narg(api_password) ELSE api_password END
WHERE id = @id
RETURNING id, name, tracker_type, base_url, api_url, api_username;

-- name: BugTrackerDeleteMatching :one
-- BugTrackerDeleteMatching deletes the bug trackers a filter matches
-- (nothing refers to a tracker) and counts them.
WITH d AS (DELETE FROM bug_trackers b WHERE /* filter */ TRUE RETURNING 1)
SELECT count(*) AS trackers FROM d;

-- name: BugTrackerFilter :many
-- BugTrackerFilter answers BugTracker.filter, by id: never the password.
SELECT b.id, b.name, b.tracker_type, b.base_url, b.api_url, b.api_username
FROM bug_trackers b WHERE /* filter */ TRUE ORDER BY b.id;

-- name: BugTrackerWithBaseURL :many
-- BugTrackerWithBaseURL lists the trackers that have a base_url, by id,
-- for matching links against.
SELECT b.id, b.tracker_type, b.base_url::text AS base_url FROM bug_trackers b
WHERE coalesce(b.base_url, '') <> '' ORDER BY b.id;

-- name: BugTrackerLinkExecution :exec
-- BugTrackerLinkExecution links an execution to a bug of the built-in
-- tracker, if the bug exists; linking twice changes nothing.
INSERT INTO bug_executions (bug_id, execution_id) SELECT b.id, @execution_id FROM bugs b WHERE b.id = @bug_id
ON CONFLICT DO NOTHING;

-- name: BugTrackerType :one
-- BugTrackerType returns a tracker's type.
SELECT tracker_type FROM bug_trackers WHERE id = @id;
