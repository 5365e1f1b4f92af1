-- The whole database schema. Migrate runs this file on every start, so each
-- statement must be idempotent: CREATE ... IF NOT EXISTS now, and later
-- upgrades append ALTER TABLE ... ADD COLUMN IF NOT EXISTS below the table
-- they change. sqlc reads the same file to type the queries.
--
-- Two parts (docs/tenants.md). The shared part, down to the TENANT PART
-- marker, lives in the public schema only: accounts, permissions and the
-- tenants themselves. The tenant part is applied to public (the public
-- tenant) and to every tenant schema, with search_path "<tenant>, public":
-- it names no schema, so its references to users and permissions resolve
-- to the shared tables.

-- SHARED PART

CREATE TABLE IF NOT EXISTS users (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username     varchar(150) NOT NULL CONSTRAINT users_username_key UNIQUE,
    email        varchar(254) NOT NULL DEFAULT '',
    first_name   varchar(150) NOT NULL DEFAULT '',
    last_name    varchar(150) NOT NULL DEFAULT '',
    password     text NOT NULL,
    is_active    boolean NOT NULL DEFAULT true,
    is_staff     boolean NOT NULL DEFAULT false,
    is_superuser boolean NOT NULL DEFAULT false,
    date_joined  timestamptz NOT NULL DEFAULT now(),
    last_login   timestamptz
);
COMMENT ON TABLE users IS 'Accounts, as Django''s auth_user.';
COMMENT ON COLUMN users.password IS 'argon2id PHC string, or a Django pbkdf2_sha256 hash until the next login.';
ALTER TABLE users ADD COLUMN IF NOT EXISTS failed_logins int NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN IF NOT EXISTS locked_until timestamptz;
COMMENT ON COLUMN users.failed_logins IS 'Wrong passwords since the last login or lockout.';
COMMENT ON COLUMN users.locked_until IS 'Logins are refused until then, after too many wrong passwords.';
-- user_by_ref finds users by id, username or email: without an index on each, it reads every account.
CREATE INDEX IF NOT EXISTS users_email_idx ON users (email);

CREATE TABLE IF NOT EXISTS sessions (
    id         text PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz
);
CREATE INDEX IF NOT EXISTS sessions_user_id_idx ON sessions (user_id);
COMMENT ON TABLE sessions IS 'Login sessions; the id is the JWT ID. A session is live until expires_at unless revoked.';

CREATE TABLE IF NOT EXISTS settings (
    key   text PRIMARY KEY,
    value bytea NOT NULL
);
COMMENT ON TABLE settings IS 'Server-wide values such as secret_key, the HMAC key for session tokens.';

CREATE TABLE IF NOT EXISTS api_tokens (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    name         varchar(100) NOT NULL,
    token_hash   bytea NOT NULL CONSTRAINT api_tokens_token_hash_key UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz,
    last_used_at timestamptz,
    CONSTRAINT api_tokens_user_id_name_key UNIQUE (user_id, name)
);
COMMENT ON TABLE api_tokens IS 'API tokens: each authenticates as its user until revoked or expired.';
COMMENT ON COLUMN api_tokens.token_hash IS 'SHA-256 of the token text; the token itself is never stored.';
COMMENT ON COLUMN api_tokens.last_used_at IS 'Last time the token was checked against the database (callers are cached for a few minutes).';

-- Permissions, as Django's auth: labels are app_label.codename. The rows
-- are kept in step with the code's catalogue by `tcms refresh-permissions`.
CREATE TABLE IF NOT EXISTS permissions (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    app_label varchar(100) NOT NULL,
    codename  varchar(100) NOT NULL,
    name      varchar(255) NOT NULL,
    CONSTRAINT permissions_app_label_codename_key UNIQUE (app_label, codename)
);

CREATE TABLE IF NOT EXISTS groups (
    id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name varchar(150) NOT NULL CONSTRAINT groups_name_key UNIQUE
);
COMMENT ON TABLE groups IS 'Groups of users; Administrator and Tester always exist and keep their names.';
INSERT INTO groups (name) VALUES ('Administrator'), ('Tester') ON CONFLICT (name) DO NOTHING;

CREATE TABLE IF NOT EXISTS group_permissions (
    group_id      bigint NOT NULL REFERENCES groups ON DELETE CASCADE,
    permission_id bigint NOT NULL REFERENCES permissions ON DELETE CASCADE,
    PRIMARY KEY (group_id, permission_id)
);

CREATE TABLE IF NOT EXISTS user_groups (
    user_id  bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    group_id bigint NOT NULL REFERENCES groups ON DELETE CASCADE,
    PRIMARY KEY (user_id, group_id)
);
CREATE INDEX IF NOT EXISTS user_groups_group_id_idx ON user_groups (group_id);

CREATE TABLE IF NOT EXISTS user_permissions (
    user_id       bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    permission_id bigint NOT NULL REFERENCES permissions ON DELETE CASCADE,
    PRIMARY KEY (user_id, permission_id)
);

-- Which default labels each default group has been given (issue 15), so that
-- an upgrade adds only labels new in that version and never undoes an
-- administrator's grant or removal.
CREATE TABLE IF NOT EXISTS group_default_grants (
    group_id bigint NOT NULL REFERENCES groups ON DELETE CASCADE,
    label    text NOT NULL,
    PRIMARY KEY (group_id, label)
);
COMMENT ON TABLE group_default_grants IS 'Default labels a default group has already received from migrate or refresh-permissions.';

-- Failed logins per client address and per (address, username), shared by
-- every server process (issue 15). level is the part of the limit in use:
-- each failure adds 1/limit, and it drains to 0 over the failure window.
CREATE TABLE IF NOT EXISTS login_failures (
    key        text PRIMARY KEY,
    level      double precision NOT NULL,
    updated_at timestamptz NOT NULL
);
ALTER TABLE login_failures ADD COLUMN IF NOT EXISTS refused boolean NOT NULL DEFAULT false;
CREATE INDEX IF NOT EXISTS login_failures_updated_at_idx ON login_failures (updated_at);
COMMENT ON TABLE login_failures IS 'Login throttling: a:<address> and u:<address> <username>; at level 1 the key is throttled. refused: the last attempt under the key was.';

-- Tenants (issue 9): organisations, each with its own schema holding the
-- tenant part below. The public tenant has no row here.
CREATE TABLE IF NOT EXISTS tenants (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    schema_name       varchar(63) NOT NULL CONSTRAINT tenants_schema_name_key UNIQUE,
    name              varchar(100) NOT NULL,
    organization      varchar(100) NOT NULL DEFAULT '',
    owner_id          bigint NOT NULL REFERENCES users ON DELETE RESTRICT,
    publicly_readable boolean NOT NULL DEFAULT false,
    paid_until        timestamptz,
    created_on        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tenants_schema_name_check CHECK (schema_name ~ '^[a-z][a-z0-9_]{0,62}$'
        AND schema_name NOT IN ('public', 'information_schema') AND schema_name NOT LIKE 'pg\_%')
);
COMMENT ON TABLE tenants IS 'Organisations served from their own PostgreSQL schema, named schema_name.';
COMMENT ON COLUMN tenants.publicly_readable IS 'Anonymous and unauthorised callers may call view methods.';
COMMENT ON COLUMN tenants.paid_until IS 'After this time every call is refused; NULL: never expires.';

CREATE TABLE IF NOT EXISTS tenant_domains (
    domain    varchar(253) PRIMARY KEY,
    tenant_id bigint NOT NULL REFERENCES tenants ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS tenant_domains_tenant_id_idx ON tenant_domains (tenant_id);
COMMENT ON TABLE tenant_domains IS 'Extra host names of a tenant, besides <schema>.<TCMS_TENANTS_DOMAIN>.';

CREATE TABLE IF NOT EXISTS tenant_authorized_users (
    tenant_id bigint NOT NULL REFERENCES tenants ON DELETE CASCADE,
    user_id   bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX IF NOT EXISTS tenant_authorized_users_user_id_idx ON tenant_authorized_users (user_id);
COMMENT ON TABLE tenant_authorized_users IS 'Users who may work in a tenant; the owner is one.';

CREATE TABLE IF NOT EXISTS invitations (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id     bigint NOT NULL REFERENCES tenants ON DELETE CASCADE,
    user_id       bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    email         varchar(254) NOT NULL,
    invited_by_id bigint REFERENCES users ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS invitations_tenant_id_idx ON invitations (tenant_id);
COMMENT ON TABLE invitations IS 'Tenant.invite: who was invited where, until when.';

-- Sessions a trust policy issued for one tenant (issue 20) work only at that tenant's address.
ALTER TABLE sessions ADD COLUMN IF NOT EXISTS tenant_id bigint REFERENCES tenants ON DELETE CASCADE;
CREATE INDEX IF NOT EXISTS sessions_tenant_id_idx ON sessions (tenant_id) WHERE tenant_id IS NOT NULL;
COMMENT ON COLUMN sessions.tenant_id IS 'The only tenant where the session is valid; NULL: wherever its user may work.';

-- Trust policies (issue 20): which CI identities (signed OpenID Connect ID tokens) may act
-- as which user, through Auth.exchange_oidc. Shared, as users are; a policy that names a
-- tenant is managed at that tenant and yields sessions valid only there.
CREATE TABLE IF NOT EXISTS trust_policies (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    issuer        varchar(255) NOT NULL,
    audience      varchar(255) NOT NULL,
    conditions    jsonb NOT NULL CONSTRAINT trust_policies_conditions_check CHECK (jsonb_typeof(conditions) = 'object'),
    user_id       bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    tenant_id     bigint REFERENCES tenants ON DELETE CASCADE,
    max_session   integer NOT NULL DEFAULT 3600 CONSTRAINT trust_policies_max_session_check CHECK (max_session BETWEEN 60 AND 86400),
    created_at    timestamptz NOT NULL DEFAULT now(),
    created_by_id bigint REFERENCES users ON DELETE SET NULL
);
CREATE INDEX IF NOT EXISTS trust_policies_issuer_idx ON trust_policies (issuer);
CREATE INDEX IF NOT EXISTS trust_policies_user_id_idx ON trust_policies (user_id);
CREATE INDEX IF NOT EXISTS trust_policies_tenant_id_idx ON trust_policies (tenant_id);
COMMENT ON TABLE trust_policies IS 'Which OIDC identities (issuer, audience, claim conditions) may start sessions as which user.';
COMMENT ON COLUMN trust_policies.conditions IS 'Claim name -> pattern: exact text, or a glob (*, ?, [...]; * stops at /). Every one must match.';
COMMENT ON COLUMN trust_policies.max_session IS 'Longest session an exchange yields, in seconds.';

-- Invitations have a lifecycle (issue 19): pending until accepted with
-- Auth.accept_invitation's token, revoked, or past expires_at. There is one
-- row per tenant and address: inviting again renews it. user_id is the
-- account that accepted (in rows older than issue 19, the account
-- Tenant.invite made at once; those were authorised at once, so they count
-- as accepted, and their re-invitations, which piled up, collapse).
ALTER TABLE invitations ALTER COLUMN user_id DROP NOT NULL;
ALTER TABLE invitations ADD COLUMN IF NOT EXISTS token_hash bytea;
ALTER TABLE invitations ADD COLUMN IF NOT EXISTS accepted_at timestamptz;
ALTER TABLE invitations ADD COLUMN IF NOT EXISTS revoked_at timestamptz;
UPDATE invitations SET accepted_at = created_at WHERE token_hash IS NULL AND accepted_at IS NULL AND revoked_at IS NULL;
DELETE FROM invitations a USING invitations b
WHERE a.tenant_id = b.tenant_id AND lower(a.email) = lower(b.email) AND a.id < b.id;
CREATE UNIQUE INDEX IF NOT EXISTS invitations_tenant_email_key ON invitations (tenant_id, lower(email));
CREATE UNIQUE INDEX IF NOT EXISTS invitations_token_hash_key ON invitations (token_hash);
COMMENT ON COLUMN invitations.token_hash IS 'SHA-256 of the acceptance token; the token itself is never stored.';

-- Password resets (issue 19): at most one live token per account, used once.
CREATE TABLE IF NOT EXISTS password_resets (
    user_id    bigint PRIMARY KEY REFERENCES users ON DELETE CASCADE,
    token_hash bytea NOT NULL CONSTRAINT password_resets_token_hash_key UNIQUE,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
COMMENT ON TABLE password_resets IS 'Auth.request_password_reset tokens, by SHA-256; Auth.reset_password deletes the row it uses.';

-- The audit log (issue 19): one row per change to accounts, groups, grants,
-- tokens, invitations and tenants, written in the change's transaction.
-- One table for every tenant (tenant: the schema, '' for the public
-- address), so that a tenant's rows outlive the tenant, and actor is a
-- copy of the username, so that rows outlive accounts. Nothing changes or
-- deletes rows.
CREATE TABLE IF NOT EXISTS audit_log (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at       timestamptz NOT NULL,
    tenant   varchar(63) NOT NULL,
    actor_id bigint,
    actor    varchar(150) NOT NULL,
    address  varchar(64) NOT NULL,
    action   varchar(100) NOT NULL,
    target   text NOT NULL,
    details  jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_log_tenant_id_idx ON audit_log (tenant, id);
COMMENT ON TABLE audit_log IS 'Who changed which account, group, grant, token, invitation or tenant, when, from where.';
COMMENT ON COLUMN audit_log.actor_id IS 'The acting user''s id when it acted (no foreign key: rows outlive accounts); NULL for the server''s own commands and anonymous callers.';

-- user_by_ref finds the user a user field names by id, username or email (a username first,
-- then the lowest id), among those records of the current tenant may name: anyone in public, the
-- authorised users in a tenant. A set-returning SQL function, so that PostgreSQL inlines it into
-- the statement that calls it: a write that names its users stays one statement.
CREATE OR REPLACE FUNCTION user_by_ref(ids bigint[], names text[]) RETURNS SETOF bigint
LANGUAGE sql STABLE AS $$
    SELECT u.id FROM users u
    WHERE (u.id = ANY (ids) OR u.username = ANY (names) OR u.email = ANY (names))
        AND (current_schema() = 'public' OR EXISTS (SELECT 1 FROM tenant_authorized_users a
            JOIN tenants t ON t.id = a.tenant_id WHERE t.schema_name = current_schema() AND a.user_id = u.id))
    ORDER BY u.username = ANY (names) DESC, u.id
    LIMIT 1
$$;
-- history_diff is the change reason of a history row: a short unified-diff-like text of the keys
-- whose values differ between the records old and new, in key order, or NULL when none does.
CREATE OR REPLACE FUNCTION history_diff(old jsonb, new jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT string_agg(format(E'--- %1$s\n+++ %1$s\n@@ -1 +1 @@\n-%2$s\n+%3$s', k,
        replace(coalesce(old->>k, ''), E'\n', E'\n-'), replace(coalesce(new->>k, ''), E'\n', E'\n+')), E'\n' ORDER BY k)
    FROM jsonb_object_keys(new) k WHERE old->k IS DISTINCT FROM new->k
$$;
-- Every (user, label) of the public address, for Permission.export:
-- superusers hold every label, others their direct and shared groups'
-- labels (source 'superuser', 'direct' or 'group:<name>'; tenant '').
CREATE OR REPLACE VIEW user_labels AS
SELECT u.id AS user_id, u.username, u.email, u.is_active, u.is_superuser, l.permission, l.source, ''::text AS tenant
FROM users u CROSS JOIN LATERAL (
    SELECT (p.app_label || '.' || p.codename)::text AS permission, 'superuser'::text AS source FROM permissions p WHERE u.is_superuser
    UNION ALL
    SELECT p.app_label || '.' || p.codename, 'direct' FROM user_permissions up JOIN permissions p ON p.id = up.permission_id
    WHERE up.user_id = u.id AND NOT u.is_superuser
    UNION ALL
    SELECT p.app_label || '.' || p.codename, 'group:' || g.name FROM user_groups ug JOIN groups g ON g.id = ug.group_id
    JOIN group_permissions gp ON gp.group_id = g.id JOIN permissions p ON p.id = gp.permission_id
    WHERE ug.user_id = u.id AND NOT u.is_superuser) l;

-- TENANT PART

-- Object-level grants: a label on one record, to a user or to a group.
-- Only single-record getters honour them (docs/permissions.md).
CREATE TABLE IF NOT EXISTS object_permissions (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id       bigint REFERENCES users ON DELETE CASCADE,
    group_id      bigint REFERENCES groups ON DELETE CASCADE,
    permission_id bigint NOT NULL REFERENCES permissions ON DELETE CASCADE,
    object_type   varchar(50) NOT NULL,
    object_id     bigint NOT NULL,
    CONSTRAINT object_permissions_grantee_check CHECK ((user_id IS NULL) <> (group_id IS NULL)),
    CONSTRAINT object_permissions_grant_key UNIQUE NULLS NOT DISTINCT (user_id, group_id, permission_id, object_type, object_id)
);
CREATE INDEX IF NOT EXISTS object_permissions_object_idx ON object_permissions (object_type, object_id);

-- Attachments of any record, kept in the database so that a backup of it is
-- a backup of everything. owner is "<app>_<model>" (auth_user,
-- testcases_testcase ...) and object_id the record's id.
CREATE TABLE IF NOT EXISTS attachments (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner      varchar(64) NOT NULL,
    object_id  bigint NOT NULL,
    filename   varchar(100) NOT NULL,
    content    bytea NOT NULL,
    creator_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    created    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT attachments_file_key UNIQUE (owner, object_id, filename)
);

-- Catalogue (issue 4): environments with their properties, and bug trackers.
CREATE TABLE IF NOT EXISTS environments (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        varchar(255) NOT NULL CONSTRAINT environments_name_key UNIQUE,
    description text NOT NULL DEFAULT ''
);
COMMENT ON TABLE environments IS 'Named test environments, as Kiwi''s testruns.Environment.';

CREATE TABLE IF NOT EXISTS environment_properties (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    environment_id bigint NOT NULL REFERENCES environments ON DELETE CASCADE,
    name           varchar(255) NOT NULL,
    value          varchar(255) NOT NULL,
    CONSTRAINT environment_properties_environment_id_name_value_key UNIQUE (environment_id, name, value)
);
COMMENT ON TABLE environment_properties IS 'Name/value pairs of an environment. Kiwi has no unique key here but only ever adds with get-or-create; the key makes that safe under concurrency.';

CREATE TABLE IF NOT EXISTS bug_trackers (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         varchar(255) NOT NULL CONSTRAINT bug_trackers_name_key UNIQUE,
    tracker_type varchar(128) NOT NULL DEFAULT 'IssueTrackerType',
    base_url     varchar(1024),
    api_url      varchar(1024),
    api_username varchar(256),
    api_password bytea
);
COMMENT ON TABLE bug_trackers IS 'Issue trackers, as Kiwi''s testcases.BugSystem.';
COMMENT ON COLUMN bug_trackers.api_password IS 'AES-256-GCM: 12-byte nonce || ciphertext, under TCMS_ENCRYPTION_KEY or the stored encryption_key setting. Never returned or filterable.';
INSERT INTO bug_trackers (name, tracker_type)
SELECT v.name, 'tcms.issuetracker.types.IssueTrackerType'
FROM (VALUES (1, 'Bugzilla'), (2, 'JIRA')) AS v (ord, name)
WHERE NOT EXISTS (SELECT 1 FROM bug_trackers)
ORDER BY v.ord;

-- Catalogue (issue 4), statuses and labels: plan types, tags, templates,
-- test case and test execution statuses, severities. Seed rows follow
-- Kiwi's seed data and go only into an empty table, in order, so their
-- ids are Kiwi's.

CREATE TABLE IF NOT EXISTS plan_types (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        varchar(64) NOT NULL CONSTRAINT plan_types_name_key UNIQUE,
    description text
);
COMMENT ON TABLE plan_types IS 'Kinds of test plan (Unit, Integration ...), TestPlan.type.';
INSERT INTO plan_types (name, description)
SELECT seed.name, '' FROM unnest(ARRAY['Unit', 'Integration', 'Function', 'System', 'Acceptance',
    'Installation', 'Performance', 'Product', 'Interoperability', 'Smoke', 'Regression'])
    WITH ORDINALITY AS seed (name, n)
WHERE NOT EXISTS (SELECT 1 FROM plan_types) ORDER BY seed.n;

CREATE TABLE IF NOT EXISTS tags (
    id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name varchar(255) NOT NULL
);
CREATE INDEX IF NOT EXISTS tags_name_idx ON tags (name);
COMMENT ON TABLE tags IS 'Labels of plans, cases, runs, executions and bugs. Names are not unique, as in Kiwi; a lookup by name takes the lowest id.';

CREATE TABLE IF NOT EXISTS templates (
    id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name varchar(255) NOT NULL,
    text text NOT NULL
);
COMMENT ON TABLE templates IS 'Starting texts for new test cases.';
INSERT INTO templates (name, text)
SELECT seed.name, seed.text FROM (VALUES
    (1, 'Gherkin syntax', E'**Scenario**: ... what behavior will be tested ...\n  **Given** ... conditions ...\n  **When** ... actions ...\n  **Then** ... expected results ...\n'),
    (2, 'Itemized list', E'**Steps to reproduce**:\n\n1. item\n2. item\n3. item\n\n**Expected results**:\n\n1. item\n2. item\n3. item\n')
) AS seed (n, name, text)
WHERE NOT EXISTS (SELECT 1 FROM templates) ORDER BY seed.n;

CREATE TABLE IF NOT EXISTS test_case_statuses (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         varchar(255) NOT NULL,
    description  text,
    is_confirmed boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE test_case_statuses IS 'Statuses of test cases. At least one confirmed and one unconfirmed status always exist. Tables that refer to a status do so ON DELETE RESTRICT, so a status in use cannot be removed.';
INSERT INTO test_case_statuses (name, description, is_confirmed)
SELECT seed.name, '', seed.is_confirmed FROM (VALUES
    (1, 'PROPOSED', false), (2, 'CONFIRMED', true), (3, 'DISABLED', false), (4, 'NEED_UPDATE', false)
) AS seed (n, name, is_confirmed)
WHERE NOT EXISTS (SELECT 1 FROM test_case_statuses) ORDER BY seed.n;

CREATE TABLE IF NOT EXISTS test_execution_statuses (
    id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name   varchar(60) NOT NULL CONSTRAINT test_execution_statuses_name_key UNIQUE,
    weight integer NOT NULL DEFAULT 0,
    icon   varchar(64) NOT NULL,
    color  varchar(25) NOT NULL DEFAULT '#FFFFFF'
);
COMMENT ON TABLE test_execution_statuses IS 'Outcomes of test executions. Weight > 0 is a pass, < 0 a failure, 0 not done; at least one of each always exists. Tables that refer to a status do so ON DELETE RESTRICT, so a status in use cannot be removed.';
COMMENT ON COLUMN test_execution_statuses.icon IS 'CSS class names, e.g. "fa fa-check-circle-o".';
INSERT INTO test_execution_statuses (name, weight, color, icon)
SELECT seed.name, seed.weight, seed.color, seed.icon FROM (VALUES
    (1, 'IDLE', 0, '#72767b', 'fa fa-question-circle-o'),
    (2, 'RUNNING', 0, '#72767b', 'fa fa-play-circle-o'),
    (3, 'PAUSED', 0, '#72767b', 'fa fa-pause-circle-o'),
    (4, 'PASSED', 20, '#92d400', 'fa fa-check-circle-o'),
    (5, 'FAILED', -30, '#cc0000', 'fa fa-times-circle-o'),
    (6, 'BLOCKED', -10, '#cc0000', 'fa fa-stop-circle-o'),
    (7, 'ERROR', -20, '#cc0000', 'fa fa-minus-circle'),
    (8, 'WAIVED', 10, '#92d400', 'fa fa-commenting-o')
) AS seed (n, name, weight, color, icon)
WHERE NOT EXISTS (SELECT 1 FROM test_execution_statuses) ORDER BY seed.n;

CREATE TABLE IF NOT EXISTS severities (
    id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name   varchar(64) NOT NULL CONSTRAINT severities_name_key UNIQUE,
    weight integer NOT NULL DEFAULT 0,
    icon   varchar(64) NOT NULL,
    color  varchar(25) NOT NULL DEFAULT '#FFFFFF'
);
COMMENT ON TABLE severities IS 'Severities of bugs; none are seeded, as in Kiwi.';

-- Catalogue, management part (issue 4): classifications, products, versions,
-- builds, components, categories and priorities. Deleting a parent cascades,
-- as in Kiwi. Unique constraints are named for store/errors.go.
CREATE TABLE IF NOT EXISTS classifications (
    id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name varchar(64) NOT NULL CONSTRAINT classifications_name_key UNIQUE
);
COMMENT ON TABLE classifications IS 'Product classifications; none is seeded, as in Kiwi.';

CREATE TABLE IF NOT EXISTS products (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name              varchar(255) NOT NULL CONSTRAINT products_name_key UNIQUE,
    classification_id bigint NOT NULL REFERENCES classifications ON DELETE CASCADE,
    description       text NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS products_classification_id_idx ON products (classification_id);
COMMENT ON TABLE products IS 'Products; creating one also creates its --default-- category and its unspecified version and build.';

CREATE TABLE IF NOT EXISTS versions (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    value      varchar(192) NOT NULL,
    product_id bigint NOT NULL REFERENCES products ON DELETE CASCADE,
    CONSTRAINT versions_product_id_value_key UNIQUE (product_id, value)
);
COMMENT ON TABLE versions IS 'Product versions; creating one also creates its unspecified build.';

CREATE TABLE IF NOT EXISTS builds (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       varchar(255) NOT NULL,
    version_id bigint NOT NULL REFERENCES versions ON DELETE CASCADE,
    is_active  boolean NOT NULL DEFAULT true,
    CONSTRAINT builds_version_id_name_key UNIQUE (version_id, name)
);

CREATE TABLE IF NOT EXISTS categories (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        varchar(255) NOT NULL,
    product_id  bigint NOT NULL REFERENCES products ON DELETE CASCADE,
    description text NOT NULL DEFAULT '',
    CONSTRAINT categories_product_id_name_key UNIQUE (product_id, name)
);
COMMENT ON TABLE categories IS 'Test case categories (Kiwi''s testcases.Category), per product.';

CREATE TABLE IF NOT EXISTS components (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name             varchar(64) NOT NULL,
    product_id       bigint NOT NULL REFERENCES products ON DELETE CASCADE,
    initial_owner_id bigint REFERENCES users ON DELETE CASCADE,
    description      text NOT NULL,
    CONSTRAINT components_product_id_name_key UNIQUE (product_id, name)
);
CREATE INDEX IF NOT EXISTS components_initial_owner_id_idx ON components (initial_owner_id);

CREATE TABLE IF NOT EXISTS priorities (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    value     varchar(64) NOT NULL CONSTRAINT priorities_value_key UNIQUE,
    is_active boolean NOT NULL DEFAULT true
);
COMMENT ON TABLE priorities IS 'Test case priorities; P1 to P5 (ids 1 to 5) are seeded into an empty table.';
INSERT INTO priorities (value)
SELECT v FROM (VALUES ('P1'), ('P2'), ('P3'), ('P4'), ('P5')) AS seed (v)
WHERE NOT EXISTS (SELECT 1 FROM priorities) ORDER BY v;

-- Test plans and test cases (issue 5). Statuses, categories, priorities and
-- plan types a case or plan uses cannot be deleted (ON DELETE RESTRICT).
CREATE TABLE IF NOT EXISTS test_plans (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name               varchar(255) NOT NULL,
    text               text NOT NULL DEFAULT '',
    create_date        timestamptz NOT NULL DEFAULT now(),
    is_active          boolean NOT NULL DEFAULT true,
    extra_link         varchar(1024),
    product_version_id bigint NOT NULL REFERENCES versions ON DELETE CASCADE,
    author_id          bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    product_id         bigint NOT NULL REFERENCES products ON DELETE CASCADE,
    type_id            bigint NOT NULL REFERENCES plan_types ON DELETE RESTRICT,
    parent_id          bigint REFERENCES test_plans ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS test_plans_name_idx ON test_plans (name);
CREATE INDEX IF NOT EXISTS test_plans_product_id_idx ON test_plans (product_id);
CREATE INDEX IF NOT EXISTS test_plans_parent_id_idx ON test_plans (parent_id);

CREATE TABLE IF NOT EXISTS test_cases (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    create_date       timestamptz NOT NULL DEFAULT now(),
    is_automated      boolean NOT NULL DEFAULT false,
    script            text,
    arguments         text,
    extra_link        varchar(1024),
    summary           varchar(255) NOT NULL,
    requirement       varchar(255),
    notes             text,
    text              text NOT NULL DEFAULT '',
    setup_duration    interval,
    testing_duration  interval,
    case_status_id    bigint NOT NULL REFERENCES test_case_statuses ON DELETE RESTRICT,
    category_id       bigint NOT NULL REFERENCES categories ON DELETE CASCADE,
    priority_id       bigint NOT NULL REFERENCES priorities ON DELETE RESTRICT,
    author_id         bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    default_tester_id bigint REFERENCES users ON DELETE SET NULL,
    reviewer_id       bigint REFERENCES users ON DELETE SET NULL,
    cc_list           text NOT NULL DEFAULT ''
);
COMMENT ON COLUMN test_cases.cc_list IS 'Notification CC addresses, comma-separated (Kiwi''s TestCaseEmailSettings.cc_list).';
CREATE INDEX IF NOT EXISTS test_cases_summary_idx ON test_cases (summary);
CREATE INDEX IF NOT EXISTS test_cases_category_id_idx ON test_cases (category_id);

CREATE TABLE IF NOT EXISTS test_case_plans (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id bigint NOT NULL REFERENCES test_plans ON DELETE CASCADE,
    case_id bigint NOT NULL REFERENCES test_cases ON DELETE CASCADE,
    sortkey integer,
    CONSTRAINT test_case_plans_plan_id_case_id_key UNIQUE (plan_id, case_id)
);
CREATE INDEX IF NOT EXISTS test_case_plans_case_id_idx ON test_case_plans (case_id);

CREATE TABLE IF NOT EXISTS test_case_components (
    case_id      bigint NOT NULL REFERENCES test_cases ON DELETE CASCADE,
    component_id bigint NOT NULL REFERENCES components ON DELETE CASCADE,
    PRIMARY KEY (case_id, component_id)
);

CREATE TABLE IF NOT EXISTS test_case_tags (
    case_id bigint NOT NULL REFERENCES test_cases ON DELETE CASCADE,
    tag_id  bigint NOT NULL REFERENCES tags ON DELETE CASCADE,
    PRIMARY KEY (case_id, tag_id)
);
CREATE INDEX IF NOT EXISTS test_case_tags_tag_id_idx ON test_case_tags (tag_id);

CREATE TABLE IF NOT EXISTS test_plan_tags (
    plan_id bigint NOT NULL REFERENCES test_plans ON DELETE CASCADE,
    tag_id  bigint NOT NULL REFERENCES tags ON DELETE CASCADE,
    PRIMARY KEY (plan_id, tag_id)
);
CREATE INDEX IF NOT EXISTS test_plan_tags_tag_id_idx ON test_plan_tags (tag_id);

CREATE TABLE IF NOT EXISTS test_case_properties (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id bigint NOT NULL REFERENCES test_cases ON DELETE CASCADE,
    name    varchar(255) NOT NULL,
    value   varchar(255) NOT NULL,
    CONSTRAINT test_case_properties_case_id_name_value_key UNIQUE (case_id, name, value)
);

-- Comments of any record, as django_comments: owner is "<app>_<model>"
-- (testcases_testcase, testruns_testexecution, bugs_bug) and object_id the record's id.
CREATE TABLE IF NOT EXISTS comments (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner       varchar(64) NOT NULL,
    object_id   bigint NOT NULL,
    user_id     bigint REFERENCES users ON DELETE SET NULL,
    user_name   varchar(50) NOT NULL DEFAULT '',
    user_email  varchar(254) NOT NULL DEFAULT '',
    comment     text NOT NULL,
    submit_date timestamptz NOT NULL DEFAULT now(),
    is_public   boolean NOT NULL DEFAULT true,
    is_removed  boolean NOT NULL DEFAULT false
);
CREATE INDEX IF NOT EXISTS comments_object_idx ON comments (owner, object_id);

-- Change history, as django-simple-history: one row per save, holding a
-- copy of the record (jsonb, keys as the S-Hist* shapes name them).
CREATE TABLE IF NOT EXISTS history (
    history_id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner                 varchar(64) NOT NULL,
    object_id             bigint NOT NULL,
    history_date          timestamptz NOT NULL DEFAULT now(),
    history_type          char(1) NOT NULL CONSTRAINT history_type_check CHECK (history_type IN ('+', '~', '-')),
    history_change_reason text,
    history_user_id       bigint REFERENCES users ON DELETE SET NULL,
    record                jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS history_object_idx ON history (owner, object_id, history_id DESC);

-- Test runs and executions (issue 6): the CI reporting path.
CREATE TABLE IF NOT EXISTS test_runs (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    summary           text NOT NULL,
    notes             text NOT NULL DEFAULT '',
    plan_id           bigint NOT NULL REFERENCES test_plans ON DELETE CASCADE,
    build_id          bigint NOT NULL REFERENCES builds ON DELETE CASCADE,
    manager_id        bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    default_tester_id bigint REFERENCES users ON DELETE SET NULL,
    start_date        timestamptz,
    stop_date         timestamptz,
    planned_start     timestamptz,
    planned_stop      timestamptz,
    last_sortkey      integer NOT NULL DEFAULT 0
);
COMMENT ON COLUMN test_runs.last_sortkey IS 'The highest sortkey TestRun.add_case has handed out in this run. Updating it locks the run row, so concurrent add_case calls into one run take turns and never hand out the same sortkey.';
CREATE INDEX IF NOT EXISTS test_runs_plan_id_idx ON test_runs (plan_id);
CREATE INDEX IF NOT EXISTS test_runs_build_id_idx ON test_runs (build_id);
CREATE INDEX IF NOT EXISTS test_runs_manager_id_idx ON test_runs (manager_id);

CREATE TABLE IF NOT EXISTS test_executions (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id            bigint NOT NULL REFERENCES test_runs ON DELETE CASCADE,
    case_id           bigint NOT NULL REFERENCES test_cases ON DELETE CASCADE,
    slot              integer,
    assignee_id       bigint REFERENCES users ON DELETE SET NULL,
    tested_by_id      bigint REFERENCES users ON DELETE SET NULL,
    case_text_version bigint NOT NULL,
    start_date        timestamptz,
    stop_date         timestamptz,
    sortkey           integer,
    status_id         bigint NOT NULL REFERENCES test_execution_statuses ON DELETE RESTRICT,
    build_id          bigint NOT NULL REFERENCES builds ON DELETE CASCADE,
    CONSTRAINT test_executions_run_id_case_id_slot_key UNIQUE (run_id, case_id, slot)
);
COMMENT ON COLUMN test_executions.slot IS 'The property-matrix combination (0, 1, ...) TestRun.add_case created this execution for; NULL for TestExecution.create. The unique key on (run, case, slot) makes two concurrent add_case calls for one case create one set of executions.';
CREATE INDEX IF NOT EXISTS test_executions_case_id_idx ON test_executions (case_id);
-- No index on status_id: reporting a result changes the status, and with no index on it (and
-- room left in each page) PostgreSQL updates the row in place (a HOT update) instead of adding
-- an entry to every index. Only deleting a status, an admin action, scans the table for users.
DROP INDEX IF EXISTS test_executions_status_id_idx;
ALTER TABLE test_executions SET (fillfactor = 85);
CREATE INDEX IF NOT EXISTS test_executions_build_id_idx ON test_executions (build_id);
-- TestRun.add_case numbers new executions after the run's highest sortkey: without this index
-- finding it read every execution of every run (0.7 ms a call at 5,000 executions, growing).
CREATE INDEX IF NOT EXISTS test_executions_run_id_sortkey_idx ON test_executions (run_id, sortkey);

CREATE TABLE IF NOT EXISTS test_run_properties (
    id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id bigint NOT NULL REFERENCES test_runs ON DELETE CASCADE,
    name   varchar(255) NOT NULL,
    value  varchar(255) NOT NULL,
    CONSTRAINT test_run_properties_run_id_name_value_key UNIQUE (run_id, name, value)
);

CREATE TABLE IF NOT EXISTS test_execution_properties (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    execution_id bigint NOT NULL REFERENCES test_executions ON DELETE CASCADE,
    name         varchar(255) NOT NULL,
    value        varchar(255) NOT NULL,
    CONSTRAINT test_execution_properties_execution_id_name_value_key UNIQUE (execution_id, name, value)
);

CREATE TABLE IF NOT EXISTS test_run_tags (
    run_id bigint NOT NULL REFERENCES test_runs ON DELETE CASCADE,
    tag_id bigint NOT NULL REFERENCES tags ON DELETE CASCADE,
    PRIMARY KEY (run_id, tag_id)
);
CREATE INDEX IF NOT EXISTS test_run_tags_tag_id_idx ON test_run_tags (tag_id);

CREATE TABLE IF NOT EXISTS test_execution_tags (
    execution_id bigint NOT NULL REFERENCES test_executions ON DELETE CASCADE,
    tag_id       bigint NOT NULL REFERENCES tags ON DELETE CASCADE,
    PRIMARY KEY (execution_id, tag_id)
);
CREATE INDEX IF NOT EXISTS test_execution_tags_tag_id_idx ON test_execution_tags (tag_id);

CREATE TABLE IF NOT EXISTS test_run_cc (
    run_id  bigint NOT NULL REFERENCES test_runs ON DELETE CASCADE,
    user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    PRIMARY KEY (run_id, user_id)
);

-- Links from executions to URLs (Kiwi's linkreference.LinkReference).
CREATE TABLE IF NOT EXISTS links (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    execution_id bigint NOT NULL REFERENCES test_executions ON DELETE CASCADE,
    name         varchar(64) NOT NULL DEFAULT '',
    url          varchar(200) NOT NULL,
    created_on   timestamptz NOT NULL DEFAULT now(),
    is_defect    boolean NOT NULL DEFAULT false
);
CREATE INDEX IF NOT EXISTS links_execution_id_idx ON links (execution_id);
CREATE INDEX IF NOT EXISTS links_url_idx ON links (url);

-- Kiwi's own bug tracker (issue 7): bugs, linked to executions and tagged.
CREATE TABLE IF NOT EXISTS bugs (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    summary     varchar(255) NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    status      boolean NOT NULL DEFAULT true,
    reporter_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    assignee_id bigint REFERENCES users ON DELETE SET NULL,
    product_id  bigint NOT NULL REFERENCES products ON DELETE CASCADE,
    version_id  bigint NOT NULL REFERENCES versions ON DELETE CASCADE,
    build_id    bigint NOT NULL REFERENCES builds ON DELETE CASCADE,
    severity_id bigint REFERENCES severities ON DELETE SET NULL
);
COMMENT ON COLUMN bugs.status IS 'true: open, false: closed.';
CREATE INDEX IF NOT EXISTS bugs_summary_idx ON bugs (summary);
CREATE INDEX IF NOT EXISTS bugs_created_at_idx ON bugs (created_at);
CREATE INDEX IF NOT EXISTS bugs_product_id_idx ON bugs (product_id);

CREATE TABLE IF NOT EXISTS bug_executions (
    bug_id       bigint NOT NULL REFERENCES bugs ON DELETE CASCADE,
    execution_id bigint NOT NULL REFERENCES test_executions ON DELETE CASCADE,
    PRIMARY KEY (bug_id, execution_id)
);
CREATE INDEX IF NOT EXISTS bug_executions_execution_id_idx ON bug_executions (execution_id);

CREATE TABLE IF NOT EXISTS bug_tags (
    bug_id bigint NOT NULL REFERENCES bugs ON DELETE CASCADE,
    tag_id bigint NOT NULL REFERENCES tags ON DELETE CASCADE,
    PRIMARY KEY (bug_id, tag_id)
);
CREATE INDEX IF NOT EXISTS bug_tags_tag_id_idx ON bug_tags (tag_id);

-- Tenant groups (issue 9): inside a tenant, a user's permissions come from
-- these, not from the shared groups. Administrator and Tester always exist.
CREATE TABLE IF NOT EXISTS tenant_groups (
    id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name varchar(150) NOT NULL CONSTRAINT tenant_groups_name_key UNIQUE
);
INSERT INTO tenant_groups (name) VALUES ('Administrator'), ('Tester') ON CONFLICT (name) DO NOTHING;

CREATE TABLE IF NOT EXISTS tenant_group_permissions (
    group_id      bigint NOT NULL REFERENCES tenant_groups ON DELETE CASCADE,
    permission_id bigint NOT NULL REFERENCES permissions ON DELETE CASCADE,
    PRIMARY KEY (group_id, permission_id)
);

CREATE TABLE IF NOT EXISTS tenant_group_users (
    group_id bigint NOT NULL REFERENCES tenant_groups ON DELETE CASCADE,
    user_id  bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX IF NOT EXISTS tenant_group_users_user_id_idx ON tenant_group_users (user_id);

-- Which default labels each default tenant group has been given; see
-- group_default_grants.
CREATE TABLE IF NOT EXISTS tenant_group_default_grants (
    group_id bigint NOT NULL REFERENCES tenant_groups ON DELETE CASCADE,
    label    text NOT NULL,
    PRIMARY KEY (group_id, label)
);

-- Every (user, label) of the tenant of the search_path, for
-- Permission.export there: its authorised users, superusers with every
-- label, the others with the labels of its groups (tenant: the schema).
CREATE OR REPLACE VIEW tenant_user_labels AS
SELECT u.id AS user_id, u.username, u.email, u.is_active, u.is_superuser, l.permission, l.source, t.schema_name::text AS tenant
FROM tenants t JOIN tenant_authorized_users a ON a.tenant_id = t.id JOIN users u ON u.id = a.user_id
CROSS JOIN LATERAL (
    SELECT (p.app_label || '.' || p.codename)::text AS permission, 'superuser'::text AS source FROM permissions p WHERE u.is_superuser
    UNION ALL
    SELECT p.app_label || '.' || p.codename, 'group:' || g.name FROM tenant_group_users gu JOIN tenant_groups g ON g.id = gu.group_id
    JOIN tenant_group_permissions gp ON gp.group_id = g.id JOIN permissions p ON p.id = gp.permission_id
    WHERE gu.user_id = u.id AND NOT u.is_superuser) l
WHERE t.schema_name = current_schema();
