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
