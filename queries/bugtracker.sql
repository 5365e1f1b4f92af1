-- name: BugTrackerCreate :one
-- BugTrackerCreate adds a bug tracker; api_password is already encrypted
-- and is not returned.
INSERT INTO bug_trackers (name, tracker_type, base_url, api_url, api_username, api_password)
VALUES (@name, @tracker_type, sqlc.narg('base_url'), sqlc.narg('api_url'), sqlc.narg('api_username'), sqlc.narg('api_password'))
RETURNING id, name, tracker_type, base_url, api_url, api_username;

-- name: BugTrackerCredentials :one
-- BugTrackerCredentials returns a tracker's user name and encrypted password.
SELECT api_username, api_password FROM bug_trackers WHERE id = @id;
