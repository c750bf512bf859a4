-- Home-page cache invalidation (src/home/cache.rs): every server instance keeps each
-- user's home summary until the tenant's data changes. Every statement that writes
-- a tenant table sends `NOTIFY yunying_home` with the writer's tenant (the
-- transaction's `app.tenant_id`; empty when none is set, which drops every summary).
-- Notifications are sent at commit, and identical ones in a transaction once, so a
-- transaction costs one notification however many rows and statements it writes.
--
-- Every table with a tenant_id gets the trigger except sessions and login attempts,
-- which no summary reads (a test holds every future tenant table to this), and the
-- tenant directory itself gets it too.

CREATE FUNCTION app.notify_home() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM pg_notify('yunying_home', coalesce(current_setting('app.tenant_id', true), ''));
    RETURN NULL;
END $$;

DO $$
DECLARE
    t regclass;
BEGIN
    FOR t IN
        SELECT c.oid::regclass
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public'
          AND c.relkind IN ('r', 'p')
          AND c.relname NOT IN ('sessions', 'login_attempts')
          AND (c.relname = 'tenants'
               OR EXISTS (SELECT 1 FROM pg_attribute a
                          WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped))
    LOOP
        EXECUTE format('CREATE TRIGGER home_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %s '
                       'FOR EACH STATEMENT EXECUTE FUNCTION app.notify_home()', t);
    END LOOP;
END $$;
