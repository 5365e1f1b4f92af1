-- name: UserByRef :one
-- UserByRef finds the user a user field names by id, username or email, among those records of the current tenant may name (user_by_ref); no row when there is none.
SELECT r.r::bigint AS id FROM user_by_ref(@ids::bigint[], @names::text[]) AS r;
