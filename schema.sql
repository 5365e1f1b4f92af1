-- The whole database schema. Migrate runs this file on every start, so each
-- statement must be idempotent: CREATE ... IF NOT EXISTS now, and later
-- upgrades append ALTER TABLE ... ADD COLUMN IF NOT EXISTS below the table
-- they change. sqlc reads the same file to type the queries.

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
