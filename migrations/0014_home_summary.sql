-- The signed-in home page in one statement: its recent activity and every queue
-- count it shows, in one round trip instead of a transaction of six or more (the
-- home page is the page every user opens first and most often).
--
-- SECURITY INVOKER, like app.session_lookup: it runs as the caller (the runtime
-- role), so row-level security applies to every query below exactly as it did to
-- the statements this replaces. The tenant is set transaction-local, so it ends
-- with the statement's own transaction. Permissions stay in Rust: the caller names
-- the activity scope and the queue groups this user may see (p_groups), and only
-- those groups are counted.
--
-- Returns {"activity": [{id, at, actor_name, action, summary}…],
--          "queues": {"<group>.<queue>": [count, oldest raised or null], …}}.
CREATE FUNCTION app.home_summary(
    p_tenant bigint, p_user bigint, p_dept text, p_scope text, p_groups text[], p_activity integer, p_cap integer
)
RETURNS json
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
AS $$
DECLARE
    v_activity json;
    v_queues jsonb := '{}';
BEGIN
    PERFORM set_config('app.tenant_id', p_tenant::text, true);

    -- Recent activity in the data scope (own / department / tenant), newest first:
    -- one static query per scope, so each keeps its own plan.
    IF p_scope = 'own' THEN
        SELECT coalesce(json_agg(x), '[]') INTO v_activity FROM (
            SELECT a.id, a.at, a.actor_name, a.action, a.summary FROM public.audit_log a
            WHERE a.tenant_id = p_tenant AND a.actor_user_id = p_user
            ORDER BY a.at DESC, a.id DESC LIMIT p_activity) x;
    ELSIF p_scope = 'department' THEN
        SELECT coalesce(json_agg(x), '[]') INTO v_activity FROM (
            SELECT a.id, a.at, a.actor_name, a.action, a.summary FROM public.audit_log a
            JOIN public.users u ON u.tenant_id = a.tenant_id AND u.id = a.actor_user_id
            WHERE a.tenant_id = p_tenant AND u.department = p_dept
            ORDER BY a.at DESC, a.id DESC LIMIT p_activity) x;
    ELSIF p_scope = 'tenant' THEN
        SELECT coalesce(json_agg(x), '[]') INTO v_activity FROM (
            SELECT a.id, a.at, a.actor_name, a.action, a.summary FROM public.audit_log a
            WHERE a.tenant_id = p_tenant
            ORDER BY a.at DESC, a.id DESC LIMIT p_activity) x;
    ELSE
        RAISE EXCEPTION 'app.home_summary: unknown scope %', p_scope;
    END IF;

    -- Tenant administration: active and deactivated users.
    IF 'users' = ANY (p_groups) THEN
        SELECT v_queues || jsonb_build_object(
                'users.active', jsonb_build_array(count(*) FILTER (WHERE is_active), NULL),
                'users.inactive', jsonb_build_array(count(*) FILTER (WHERE NOT is_active), NULL))
        INTO v_queues
        FROM public.users WHERE tenant_id = p_tenant;
    END IF;

    -- Product eliminations: pending ones proposed by others (approvers) or by this user.
    IF 'eliminations' = ANY (p_groups) THEN
        SELECT v_queues || jsonb_build_object(
                'eliminations.pending', jsonb_build_array(
                    count(*) FILTER (WHERE proposed_by <> p_user), min(proposed_at) FILTER (WHERE proposed_by <> p_user)),
                'eliminations.mine', jsonb_build_array(
                    count(*) FILTER (WHERE proposed_by = p_user), min(proposed_at) FILTER (WHERE proposed_by = p_user)))
        INTO v_queues
        FROM public.product_eliminations WHERE tenant_id = p_tenant AND status = 'pending';
    END IF;

    -- Replenishment requests: awaiting a manager or a director (not this user's own),
    -- and this user's own open ones.
    IF 'replenishments' = ANY (p_groups) THEN
        SELECT v_queues || jsonb_build_object(
                'replenishments.pending', jsonb_build_array(
                    count(*) FILTER (WHERE status = 'pending' AND requested_by <> p_user),
                    min(created_at) FILTER (WHERE status = 'pending' AND requested_by <> p_user)),
                'replenishments.director_pending', jsonb_build_array(
                    count(*) FILTER (WHERE status = 'director_pending' AND requested_by <> p_user),
                    min(created_at) FILTER (WHERE status = 'director_pending' AND requested_by <> p_user)),
                'replenishments.mine', jsonb_build_array(
                    count(*) FILTER (WHERE requested_by = p_user), min(created_at) FILTER (WHERE requested_by = p_user)))
        INTO v_queues
        FROM public.replenishment_requests
        WHERE tenant_id = p_tenant AND status IN ('pending', 'director_pending', 'approved');
    END IF;

    -- Stock levels at or below their reorder point, counted up to p_cap.
    IF 'low_stock' = ANY (p_groups) THEN
        SELECT v_queues || jsonb_build_object('low_stock.items', jsonb_build_array(count(*), NULL))
        INTO v_queues
        FROM (SELECT 1 FROM public.stock_levels s
              WHERE s.tenant_id = p_tenant AND s.reorder_point > 0 AND s.on_hand - s.reserved <= s.reorder_point
              LIMIT p_cap) low;
    END IF;

    -- Purchase orders still to be received.
    IF 'purchase_orders' = ANY (p_groups) THEN
        SELECT v_queues || jsonb_build_object('purchase_orders.open', jsonb_build_array(count(*), min(created_at)))
        INTO v_queues
        FROM public.purchase_orders WHERE tenant_id = p_tenant AND status IN ('open', 'partial');
    END IF;

    -- Stocktakes: submitted ones (to approve) and ones counting in this user's department.
    IF 'stocktakes' = ANY (p_groups) THEN
        SELECT v_queues || jsonb_build_object(
                'stocktakes.submitted', jsonb_build_array(
                    count(*) FILTER (WHERE status = 'submitted'), min(submitted_at) FILTER (WHERE status = 'submitted')),
                'stocktakes.counting', jsonb_build_array(
                    count(*) FILTER (WHERE status = 'counting' AND department = p_dept),
                    min(created_at) FILTER (WHERE status = 'counting' AND department = p_dept)))
        INTO v_queues
        FROM public.stocktakes WHERE tenant_id = p_tenant AND status IN ('counting', 'submitted');
    END IF;

    -- Contracts: submitted in this user's department by others (its manager decides),
    -- awaiting a director, and this user's own drafts and rejected ones.
    IF 'contracts' = ANY (p_groups) THEN
        SELECT v_queues || jsonb_build_object(
                'contracts.submitted', jsonb_build_array(
                    count(*) FILTER (WHERE status = 'submitted' AND department = p_dept AND drafted_by <> p_user),
                    min(submitted_at) FILTER (WHERE status = 'submitted' AND department = p_dept AND drafted_by <> p_user)),
                'contracts.director_pending', jsonb_build_array(
                    count(*) FILTER (WHERE status = 'director_pending'),
                    min(manager_at) FILTER (WHERE status = 'director_pending')),
                'contracts.mine', jsonb_build_array(
                    count(*) FILTER (WHERE drafted_by = p_user AND status IN ('draft', 'rejected')),
                    min(updated_at) FILTER (WHERE drafted_by = p_user AND status IN ('draft', 'rejected'))))
        INTO v_queues
        FROM public.contracts
        WHERE tenant_id = p_tenant AND status IN ('submitted', 'director_pending', 'draft', 'rejected');
    END IF;

    RETURN json_build_object('activity', v_activity, 'queues', v_queues);
END
$$;
REVOKE ALL ON FUNCTION app.home_summary(bigint, bigint, text, text, text[], integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.home_summary(bigint, bigint, text, text, text[], integer, integer) TO yunying_app;
