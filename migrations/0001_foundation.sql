-- Foundation: tenant directory, departments, users, sessions, login attempts, audit log.
--
-- Roles (created by the bootstrap code, cluster-wide, before migrations run):
--   * the owner (whoever runs these migrations) owns every object;
--   * `yunying_app` is the runtime role of the server's pool: LOGIN, NOSUPERUSER,
--     NOBYPASSRLS, owns nothing; it only gets the grants below.
--
-- Every tenant table: tenant_id in every primary, unique and foreign key; row-level
-- security ENABLEd and FORCEd with the policy `tenant_id = (SELECT app.current_tenant())`.
-- The tenant is set per transaction with set_config('app.tenant_id', $1, true).

CREATE SCHEMA app;

CREATE FUNCTION app.current_tenant() RETURNS bigint
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('app.tenant_id', true), '')::bigint $$;

-- The sha256 of a session token, set per transaction by the session lookup: it lets
-- that one transaction read the one session row whose token it holds, before it
-- knows the tenant (the token is a 256-bit secret, so its hash is a capability).
CREATE FUNCTION app.current_session_token() RETURNS bytea
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT decode(nullif(current_setting('app.session_token', true), ''), 'hex') $$;

GRANT USAGE ON SCHEMA app TO yunying_app;
GRANT EXECUTE ON FUNCTION app.current_tenant() TO yunying_app;
GRANT EXECUTE ON FUNCTION app.current_session_token() TO yunying_app;

-- The global tenant directory: the only table without tenant_id besides login_attempts.
CREATE TABLE tenants (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code           text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9][a-z0-9_-]{0,31}$'),
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    tracking_since date NOT NULL,
    settings       jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at     timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
-- Company codes are typed on the login page, so the directory is readable;
-- a tenant may change only its own name and settings.
CREATE POLICY tenants_read ON tenants FOR SELECT USING (true);
-- Only the owner creates tenants: the runtime role has no INSERT grant.
CREATE POLICY tenants_insert ON tenants FOR INSERT WITH CHECK (true);
CREATE POLICY tenants_update_own ON tenants FOR UPDATE
    USING (id = (SELECT app.current_tenant())) WITH CHECK (id = (SELECT app.current_tenant()));
GRANT SELECT ON tenants TO yunying_app;
GRANT UPDATE (name, settings) ON tenants TO yunying_app;

CREATE TABLE departments (
    tenant_id  bigint NOT NULL REFERENCES tenants (id),
    id         bigint GENERATED ALWAYS AS IDENTITY,
    code       text NOT NULL CHECK (code IN ('ops', 'marketing', 'sales', 'service', 'warehouse', 'hr', 'finance')),
    name       text NOT NULL,
    sort_order int NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, code)
);

CREATE TABLE users (
    tenant_id       bigint NOT NULL REFERENCES tenants (id),
    id              bigint GENERATED ALWAYS AS IDENTITY,
    username        text NOT NULL CHECK (username ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
    display_name    text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
    password_hash   text NOT NULL,
    level           text NOT NULL CHECK (level IN ('director', 'manager', 'specialist')),
    department      text NOT NULL,
    is_tenant_admin boolean NOT NULL DEFAULT false,
    is_active       boolean NOT NULL DEFAULT true,
    employee_no     text CHECK (employee_no IS NULL OR length(employee_no) BETWEEN 1 AND 32),
    last_login_at   timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, username),
    UNIQUE (tenant_id, employee_no),
    FOREIGN KEY (tenant_id, department) REFERENCES departments (tenant_id, code)
);
CREATE INDEX users_list_idx ON users (tenant_id, department, level, id);

CREATE TABLE sessions (
    tenant_id    bigint NOT NULL REFERENCES tenants (id),
    id           bigint GENERATED ALWAYS AS IDENTITY,
    token_hash   bytea NOT NULL CHECK (length(token_hash) = 32),
    user_id      bigint NOT NULL,
    csrf_token   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    ip           text,
    user_agent   text,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
-- Lookup by token before the tenant is known (not unique: uniqueness is per tenant).
CREATE INDEX sessions_token_idx ON sessions (token_hash);
CREATE INDEX sessions_user_idx ON sessions (tenant_id, user_id);

-- Failed and successful login attempts, for throttling. Global: the company typed
-- into a failed attempt may not exist. Only the server reads it; rows older than a
-- day are purged.
CREATE TABLE login_attempts (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    company    text NOT NULL,
    username   text NOT NULL,
    ip         text NOT NULL,
    success    boolean NOT NULL,
    at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_attempts_account_idx ON login_attempts (company, username, at);
CREATE INDEX login_attempts_ip_idx ON login_attempts (ip, at);
CREATE INDEX login_attempts_at_idx ON login_attempts (at);
GRANT SELECT, INSERT, DELETE ON login_attempts TO yunying_app;

-- Append-only: the runtime role may INSERT and SELECT, never UPDATE or DELETE.
CREATE TABLE audit_log (
    tenant_id     bigint NOT NULL REFERENCES tenants (id),
    id            bigint GENERATED ALWAYS AS IDENTITY,
    at            timestamptz NOT NULL DEFAULT now(),
    actor_user_id bigint,
    actor_name    text NOT NULL,
    action        text NOT NULL,
    entity_type   text,
    entity_id     text,
    summary       text NOT NULL DEFAULT '',
    before        jsonb,
    after         jsonb,
    ip            text,
    request_id    text,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, actor_user_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX audit_log_at_idx ON audit_log (tenant_id, at DESC, id DESC);
CREATE INDEX audit_log_actor_idx ON audit_log (tenant_id, actor_user_id, at DESC);
CREATE INDEX audit_log_action_idx ON audit_log (tenant_id, action, at DESC);

-- Row-level security on every tenant table.
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['departments', 'users', 'sessions', 'audit_log'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = (SELECT app.current_tenant())) WITH CHECK (tenant_id = (SELECT app.current_tenant()))', t);
    END LOOP;
END $$;

-- The one extra way into sessions: read the row whose token this transaction holds.
CREATE POLICY session_by_token ON sessions FOR SELECT
    USING (token_hash = (SELECT app.current_session_token()));

GRANT SELECT ON departments TO yunying_app;
GRANT SELECT, INSERT, UPDATE ON users TO yunying_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON sessions TO yunying_app;
GRANT SELECT, INSERT ON audit_log TO yunying_app;
