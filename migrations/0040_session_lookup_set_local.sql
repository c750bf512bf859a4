-- The session lookup (migration 0005) sets its two transaction-local settings with
-- SET LOCAL instead of set_config(…, true): the same setting for the same
-- transaction on one PostgreSQL, and on Citus (deploy/citus.sql sets
-- citus.propagate_set_commands = 'local') a SET LOCAL also reaches every worker the
-- transaction uses, where the shards' row-level security reads it; set_config does not.
-- The body is otherwise 0005's.
CREATE OR REPLACE FUNCTION app.session_lookup(p_token_hash bytea)
RETURNS TABLE (
    tenant_id bigint, session_id bigint, user_id bigint, csrf_token text,
    last_seen_at timestamptz, expires_at timestamptz,
    username text, display_name text, level text, department text,
    is_tenant_admin boolean, is_active boolean, employee_no text,
    tenant_code text, tenant_name text, settings jsonb
)
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
AS $$
#variable_conflict use_column
DECLARE
    v_tenant bigint;
BEGIN
    EXECUTE format('SET LOCAL app.session_token = %L', encode(p_token_hash, 'hex'));
    SELECT s.tenant_id INTO v_tenant FROM public.sessions s WHERE s.token_hash = p_token_hash;
    IF v_tenant IS NULL THEN
        RETURN;
    END IF;
    EXECUTE format('SET LOCAL app.tenant_id = %L', v_tenant::text);
    RETURN QUERY
        SELECT s.tenant_id, s.id, s.user_id, s.csrf_token, s.last_seen_at, s.expires_at,
               u.username, u.display_name, u.level, u.department, u.is_tenant_admin, u.is_active, u.employee_no,
               t.code, t.name, t.settings
        FROM public.sessions s
        JOIN public.users u ON u.tenant_id = s.tenant_id AND u.id = s.user_id
        JOIN public.tenants t ON t.id = s.tenant_id
        WHERE s.tenant_id = v_tenant AND s.token_hash = p_token_hash;
END
$$;
