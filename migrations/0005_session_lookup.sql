-- The session lookup of every request in one round trip. SECURITY INVOKER: it runs
-- as the caller (the runtime role), so row-level security applies exactly as in the
-- statements it replaces: the token hash opens the one session row, whose tenant
-- is then set for the user and tenant rows. Both settings are transaction-local,
-- so they end with the statement's transaction.
CREATE FUNCTION app.session_lookup(p_token_hash bytea)
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
    PERFORM set_config('app.session_token', encode(p_token_hash, 'hex'), true);
    SELECT s.tenant_id INTO v_tenant FROM public.sessions s WHERE s.token_hash = p_token_hash;
    IF v_tenant IS NULL THEN
        RETURN;
    END IF;
    PERFORM set_config('app.tenant_id', v_tenant::text, true);
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
REVOKE ALL ON FUNCTION app.session_lookup(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.session_lookup(bytea) TO yunying_app;
