-- name: UserCreate :one
-- UserCreate inserts a user with an already hashed password.
INSERT INTO users (username, email, password, first_name, last_name, is_staff, is_superuser, is_active)
VALUES (@username, @email, @password, @first_name, @last_name, @is_staff, @is_superuser, @is_active)
RETURNING *;

-- name: UserGetByUsername :one
-- UserGetByUsername returns a user and its password hash for login.
SELECT * FROM users WHERE username = @username;

-- name: UserHasSuperuser :one
-- UserHasSuperuser tells whether any superuser exists.
SELECT EXISTS (SELECT 1 FROM users WHERE is_superuser);

-- name: UserLoginFailed :one
-- UserLoginFailed locks the user until locked_until once LoginBegin has counted max_failures wrong passwords in a row, and restarts the count.
UPDATE users SET
    locked_until = CASE WHEN failed_logins >= @max_failures::int THEN @locked_until::timestamptz ELSE locked_until END,
    failed_logins = CASE WHEN failed_logins >= @max_failures::int THEN 0 ELSE failed_logins END
WHERE id = @id
RETURNING locked_until;

-- name: UserGet :one
-- UserGet returns one user.
SELECT * FROM users WHERE id = @id;

-- name: UserResolve :many
-- UserResolve finds users by id or by exact username.
SELECT id, username FROM users WHERE id = ANY (@ids::bigint[]) OR username = ANY (@names::text[]);

-- name: LoginBegin :one
-- LoginBegin takes one attempt under each throttling key given, the address's and the (address, username)'s (empty for none), and one under the account: it counts as a failure until LoginSucceeded gives it back. A key with no room left refuses the attempt (allowed false) without counting it. A key's level is the part of its limit in use: a failure adds its weight (1/limit) and the level drains to 0 over window_seconds. Each key and the account are updated under their row lock, so concurrent attempts are counted one by one. attempt is the account's count of failures including this one, 0 when the account is locked or has max_failures attempts under way (or the attempt was refused, or lockout is off).
WITH arg AS (
    SELECT @now::timestamptz AS now, @window_seconds::float8 AS win
),
k AS (
    SELECT @address_key::text AS key, @address_weight::float8 AS weight
    UNION ALL
    SELECT @user_key::text, @user_weight::float8
),
counted AS (
    INSERT INTO login_failures AS f (key, level, updated_at, refused)
    SELECT k.key, k.weight, arg.now, false FROM k, arg WHERE k.key <> ''
    ON CONFLICT (key) DO UPDATE SET
        level = CASE
            WHEN greatest(0, f.level - extract(epoch FROM excluded.updated_at - f.updated_at)::float8 / (SELECT win FROM arg)) + excluded.level <= 1.000001
            THEN greatest(0, f.level - extract(epoch FROM excluded.updated_at - f.updated_at)::float8 / (SELECT win FROM arg)) + excluded.level
            ELSE greatest(0, f.level - extract(epoch FROM excluded.updated_at - f.updated_at)::float8 / (SELECT win FROM arg))
        END,
        refused = greatest(0, f.level - extract(epoch FROM excluded.updated_at - f.updated_at)::float8 / (SELECT win FROM arg)) + excluded.level > 1.000001,
        updated_at = excluded.updated_at
    RETURNING f.key, f.level, f.refused
),
verdict AS (
    SELECT NOT coalesce(bool_or(c.refused), false) AS allowed,
        coalesce(max(CASE WHEN c.refused THEN c.level + k.weight - 1 END), 0) * (SELECT win FROM arg) AS wait_seconds
    FROM counted c JOIN k ON k.key = c.key
),
acct AS (
    UPDATE users u SET failed_logins = u.failed_logins + 1
    FROM verdict, arg
    WHERE u.username = @username::text AND verdict.allowed AND @max_failures::int > 0
        AND (u.locked_until IS NULL OR u.locked_until <= arg.now) AND u.failed_logins < @max_failures::int
    RETURNING u.id, u.failed_logins
),
swept AS (
    DELETE FROM login_failures lf USING arg
    WHERE lf.updated_at < arg.now - make_interval(secs => arg.win) AND lf.key NOT IN (SELECT key FROM k)
)
SELECT verdict.allowed, verdict.wait_seconds::float8 AS wait_seconds,
    u.id, u.username, u.password, u.is_active, u.is_superuser, coalesce(acct.failed_logins, 0)::int AS attempt
FROM verdict LEFT JOIN users u ON u.username = @username::text AND verdict.allowed
LEFT JOIN acct ON acct.id = u.id;

-- name: LoginSucceeded :exec
-- LoginSucceeded records a login, and the password hash when it was upgraded; it clears any lockout and takes back the attempt LoginBegin counted under each key.
WITH k AS (
    SELECT @address_key::text AS key, @address_weight::float8 AS weight
    UNION ALL
    SELECT @user_key::text, @user_weight::float8
),
refund AS (
    UPDATE login_failures f SET level = greatest(0, f.level - k.weight) FROM k WHERE f.key = k.key
)
UPDATE users SET last_login = @now::timestamptz, password = coalesce(sqlc.narg(password), password),
    failed_logins = 0, locked_until = NULL
WHERE id = @id;

-- name: UserUpdate :one
-- UserUpdate sets the fields given (null keeps a value), lifts a lockout when unlock, and ends the user's sessions when end_sessions.
WITH sess AS (
    UPDATE sessions SET revoked_at = @now::timestamptz
    WHERE sessions.user_id = @user_id::bigint AND revoked_at IS NULL AND @end_sessions::bool
)
UPDATE users SET
    first_name = coalesce(sqlc.narg(first_name), first_name),
    last_name = coalesce(sqlc.narg(last_name), last_name),
    email = coalesce(sqlc.narg(email), email),
    password = coalesce(sqlc.narg(password), password),
    is_active = coalesce(sqlc.narg(is_active), is_active),
    is_staff = coalesce(sqlc.narg(is_staff), is_staff),
    is_superuser = coalesce(sqlc.narg(is_superuser), is_superuser),
    failed_logins = CASE WHEN @unlock::bool THEN 0 ELSE failed_logins END,
    locked_until = CASE WHEN @unlock::bool THEN NULL ELSE locked_until END
WHERE users.id = @user_id::bigint
RETURNING *;

-- name: UserDeactivate :many
-- UserDeactivate makes users inactive and ends their sessions; their groups, grants and password stay, so that reactivation restores them.
WITH sess AS (UPDATE sessions SET revoked_at = now() WHERE user_id = ANY (@ids::bigint[]) AND revoked_at IS NULL)
UPDATE users SET is_active = false
WHERE id = ANY (@ids::bigint[])
RETURNING *;

-- name: UserTenants :many
-- UserTenants lists the schemas of the tenants a user is authorised for.
SELECT t.schema_name FROM tenant_authorized_users a JOIN tenants t ON t.id = a.tenant_id
WHERE a.user_id = @user_id ORDER BY t.schema_name;

-- name: UserGetVisible :one
-- UserGetVisible returns one user that records of the tenant of the current search_path may name: anyone in public, an authorised user in a tenant.
SELECT u.* FROM users u
WHERE u.id = @id AND (current_schema() = 'public' OR EXISTS (
    SELECT 1 FROM tenant_authorized_users a JOIN tenants t ON t.id = a.tenant_id
    WHERE t.schema_name = current_schema() AND a.user_id = u.id));

-- name: UserPassword :one
-- UserPassword returns a user's password hash.
SELECT password FROM users WHERE id = @id;

-- name: UserRemoveCheck :one
-- UserRemoveCheck returns what decides whether a user may be removed: whether it is an active superuser, how many other active superusers there are, and the first tenant it owns ("" for none). It locks every active superuser, in id order, so that concurrent removals take turns and cannot leave none.
WITH su AS MATERIALIZED (SELECT s.id FROM users s WHERE s.is_superuser AND s.is_active ORDER BY s.id FOR UPDATE)
SELECT u.username, (u.is_superuser AND u.is_active)::bool AS active_superuser,
    (SELECT count(*) FROM su WHERE su.id <> u.id) AS other_superusers,
    coalesce((SELECT min(t.schema_name) FROM tenants t WHERE t.owner_id = u.id), '')::text AS owns
FROM users u WHERE u.id = @id;

-- name: UserPlaceholder :one
-- UserPlaceholder returns the id of the inactive account, without password or labels, that keeps the records of removed users, creating it on first use.
WITH made AS (
    INSERT INTO users (username, password, is_active) VALUES (@username, '!', false)
    ON CONFLICT (username) DO NOTHING RETURNING id
)
SELECT id FROM made UNION ALL SELECT id FROM users WHERE username = @username LIMIT 1;

-- name: UserHandOver :one
-- UserHandOver gives the placeholder account the records of the tenant of the current search_path that a user authored, manages or reported, and empties the components' initial owner where it was the user; it returns how many records changed.
WITH plans AS (UPDATE test_plans tp SET author_id = @placeholder::bigint WHERE tp.author_id = @user_id::bigint RETURNING 1),
cases AS (UPDATE test_cases tc SET author_id = @placeholder::bigint WHERE tc.author_id = @user_id::bigint RETURNING 1),
runs AS (UPDATE test_runs tr SET manager_id = @placeholder::bigint WHERE tr.manager_id = @user_id::bigint RETURNING 1),
bugs AS (UPDATE bugs b SET reporter_id = @placeholder::bigint WHERE b.reporter_id = @user_id::bigint RETURNING 1),
files AS (UPDATE attachments a SET creator_id = @placeholder::bigint WHERE a.creator_id = @user_id::bigint RETURNING 1),
owned AS (UPDATE components c SET initial_owner_id = NULL WHERE c.initial_owner_id = @user_id::bigint RETURNING 1)
SELECT ((SELECT count(*) FROM plans) + (SELECT count(*) FROM cases) + (SELECT count(*) FROM runs)
    + (SELECT count(*) FROM bugs) + (SELECT count(*) FROM files) + (SELECT count(*) FROM owned))::bigint;

-- name: UserDelete :exec
-- UserDelete removes an account; its sessions, tokens, memberships, grants and tenant authorisations go with it, and the person fields that may be empty are emptied.
DELETE FROM users WHERE id = @id;

-- name: ThrottleRefund :exec
-- ThrottleRefund gives back an attempt LoginBegin counted under each key given (empty for none).
WITH k AS (SELECT unnest(@keys::text[]) AS key, unnest(@weights::float8[]) AS weight)
UPDATE login_failures f SET level = greatest(0, f.level - k.weight)
FROM k WHERE f.key = k.key;

-- name: UserFilter :many
-- UserFilter answers User.filter, by id, over the users records of the
-- tenant of the current search_path may name: everyone in public, the
-- authorised users in a tenant.
SELECT u.id, u.username, u.email, u.first_name, u.last_name, u.is_active, u.is_staff, u.is_superuser
FROM users u
WHERE (current_schema() = 'public' OR EXISTS (
    SELECT 1 FROM tenant_authorized_users a JOIN tenants t ON t.id = a.tenant_id
    WHERE t.schema_name = current_schema() AND a.user_id = u.id)) AND /* filter */ TRUE
ORDER BY u.id;
