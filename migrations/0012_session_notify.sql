-- Session-cache invalidation (src/auth/session_cache.rs): every server instance
-- LISTENs on `yunying_sessions` and evicts its cached sessions when one ends or when
-- a user or tenant they depend on changes, whoever made the change (this instance,
-- another one, an operator's SQL). Payload: 'tenant' or 'tenant:user'.
-- Notifications are sent at commit; identical ones in a transaction are sent once.

CREATE FUNCTION app.notify_session_user() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM pg_notify('yunying_sessions', OLD.tenant_id::text || ':' || OLD.user_id::text);
    RETURN NULL;
END $$;

CREATE TRIGGER sessions_notify_end AFTER DELETE ON sessions
    FOR EACH ROW EXECUTE FUNCTION app.notify_session_user();

CREATE FUNCTION app.notify_user_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM pg_notify('yunying_sessions', NEW.tenant_id::text || ':' || NEW.id::text);
    RETURN NULL;
END $$;

-- Only what a signed-in request reads from the user row (not last_login_at).
CREATE TRIGGER users_notify_change AFTER UPDATE ON users
    FOR EACH ROW
    WHEN (OLD.username IS DISTINCT FROM NEW.username
       OR OLD.display_name IS DISTINCT FROM NEW.display_name
       OR OLD.level IS DISTINCT FROM NEW.level
       OR OLD.department IS DISTINCT FROM NEW.department
       OR OLD.is_tenant_admin IS DISTINCT FROM NEW.is_tenant_admin
       OR OLD.is_active IS DISTINCT FROM NEW.is_active
       OR OLD.employee_no IS DISTINCT FROM NEW.employee_no
       OR OLD.password_hash IS DISTINCT FROM NEW.password_hash)
    EXECUTE FUNCTION app.notify_user_change();

CREATE FUNCTION app.notify_tenant_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM pg_notify('yunying_sessions', NEW.id::text);
    RETURN NULL;
END $$;

CREATE TRIGGER tenants_notify_change AFTER UPDATE ON tenants
    FOR EACH ROW EXECUTE FUNCTION app.notify_tenant_change();
