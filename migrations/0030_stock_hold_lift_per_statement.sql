-- The stock-hold lift of 0020 once per statement instead of once per movement: the
-- row trigger looked at every line of the received product for each incoming
-- movement, so a statement of many — the demo's hundred thousand after-sales cases
-- restocking some forty thousand returns through `ledger::post_many`, a large receipt
-- import — looked at the same lines again and again (about 12 ms a movement at a
-- million orders: ten minutes of the demo). Now each product the statement brings in
-- is looked at once, after all of the statement's movements have raised their levels
-- (so the check sees the stock the statement leaves, as the last row's did). Same
-- rule, same writes; the audit row names the statement's last movement of the product.
CREATE FUNCTION app.lift_stock_holds_of_statement() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, public
    AS $$
BEGIN
    WITH incoming AS (
        SELECT n.tenant_id, n.product_id, max(n.id) AS movement_id
        FROM new_rows n WHERE n.quantity > 0 GROUP BY n.tenant_id, n.product_id
    ), held AS (
        SELECT DISTINCT ON (h.tenant_id, h.id) h.tenant_id, h.id, h.order_id, o.order_no, i.movement_id
        FROM incoming i
        JOIN public.order_lines l ON l.tenant_id = i.tenant_id AND l.product_id = i.product_id
        JOIN public.order_holds h ON h.tenant_id = l.tenant_id AND h.order_id = l.order_id AND h.kind = 'stock'
                                 AND h.released_at IS NULL
        JOIN public.orders o ON o.tenant_id = l.tenant_id AND o.id = l.order_id AND o.status = 'pending_review'
        ORDER BY h.tenant_id, h.id, i.movement_id DESC
    ), covered AS (
        SELECT held.*, (
            SELECT w.code FROM public.warehouses w
            WHERE w.tenant_id = held.tenant_id AND w.is_active AND NOT EXISTS (
                SELECT 1 FROM public.order_lines l
                LEFT JOIN public.stock_levels s ON s.tenant_id = l.tenant_id AND s.warehouse_id = w.id
                                               AND s.product_id = l.product_id
                WHERE l.tenant_id = held.tenant_id AND l.order_id = held.order_id
                  AND l.quantity - l.shipped_qty - l.reserved_qty > coalesce(s.on_hand - s.reserved, 0))
            ORDER BY w.code LIMIT 1) AS code
        FROM held
    ), released AS (
        UPDATE public.order_holds h
        SET released_at = now(), release_note = '到货后自动检查：仓库 ' || c.code || ' 可满足整单'
        FROM covered c
        WHERE h.tenant_id = c.tenant_id AND h.id = c.id AND c.code IS NOT NULL AND h.released_at IS NULL
        RETURNING h.tenant_id, h.order_id, c.order_no, c.code, c.movement_id, h.release_note
    ), events AS (
        INSERT INTO public.order_events (tenant_id, order_id, kind, actor_id, actor_name, note)
        SELECT r.tenant_id, r.order_id, 'release', NULL, '系统', '缺货：' || r.release_note FROM released r
    )
    INSERT INTO public.audit_log (tenant_id, actor_user_id, actor_name, action, entity_type, entity_id, summary, before, after)
    SELECT r.tenant_id, NULL, '系统', 'order.release', 'order', r.order_id::text,
           '订单 ' || r.order_no || '：到货后缺货挂起自动解除', jsonb_build_object('holds', 'stock'),
           jsonb_build_object('hold', 'stock', 'warehouse', r.code, 'movement', r.movement_id)
    FROM released r;
    RETURN NULL;
END $$;

DROP TRIGGER stock_movements_lift_stock_holds ON stock_movements;
CREATE TRIGGER stock_movements_lift_stock_holds AFTER INSERT ON stock_movements
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION app.lift_stock_holds_of_statement();
DROP FUNCTION app.lift_stock_holds();
