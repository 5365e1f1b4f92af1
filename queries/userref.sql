-- name: UserByRef :one
-- UserByRef finds the user a user field names by id, username or email, among those records of the current tenant may name (user_by_ref); no row when there is none.
SELECT r.r::bigint AS id FROM user_by_ref(@ids::bigint[], @names::text[]) AS r;

-- name: UserIDsUnnamable :many
-- UserIDsUnnamable lists, ascending, the user ids given that records of the current tenant may not name (user_by_ref): users that do not exist and, inside a tenant, users not authorised for it.
SELECT w.id::bigint FROM unnest(@ids::bigint[]) AS w (id)
WHERE NOT EXISTS (SELECT 1 FROM user_by_ref(ARRAY[w.id], '{}'::text[])) ORDER BY w.id;
