-- A `stock` hold (缺货, placed at review) is lifted by itself once a receipt into
-- stock lets one warehouse cover every open line of the order (issue "Orders",
-- item 3: "automatically after a receipt into stock"). Stock only comes in through
-- the ledger, so the moment is an incoming movement (receipt, return, positive
-- adjustment, transfer in) — the row trigger below, in the receipt's own
-- transaction, after `stock_movements_apply` has raised the level. Receipts sit
-- below orders in the layering (purchasing, stocktake, imports must not call
-- orders), which is why this is the database's and not the receipt code's.
-- The orders looked at are those waiting for review with an active stock hold
-- and a line of the received product (order_lines_product_idx, then the active
-- hold's unique index). "Covers" is `orders::repo::coverage`'s rule: available
-- (on hand − reserved) ≥ the line's open quantity (ordered − shipped − reserved)
-- for every open line, in one active warehouse; the first such by code is named.
CREATE FUNCTION app.lift_stock_holds() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, public
    AS $$
BEGIN
    WITH held AS (
        SELECT DISTINCT h.id, h.order_id, o.order_no
        FROM public.order_lines l
        JOIN public.order_holds h ON h.tenant_id = l.tenant_id AND h.order_id = l.order_id AND h.kind = 'stock'
                                 AND h.released_at IS NULL
        JOIN public.orders o ON o.tenant_id = l.tenant_id AND o.id = l.order_id AND o.status = 'pending_review'
        WHERE l.tenant_id = NEW.tenant_id AND l.product_id = NEW.product_id
    ), covered AS (
        SELECT held.*, (
            SELECT w.code FROM public.warehouses w
            WHERE w.tenant_id = NEW.tenant_id AND w.is_active AND NOT EXISTS (
                SELECT 1 FROM public.order_lines l
                LEFT JOIN public.stock_levels s ON s.tenant_id = l.tenant_id AND s.warehouse_id = w.id
                                               AND s.product_id = l.product_id
                WHERE l.tenant_id = NEW.tenant_id AND l.order_id = held.order_id
                  AND l.quantity - l.shipped_qty - l.reserved_qty > coalesce(s.on_hand - s.reserved, 0))
            ORDER BY w.code LIMIT 1) AS code
        FROM held
    ), released AS (
        UPDATE public.order_holds h
        SET released_at = now(), release_note = '到货后自动检查：仓库 ' || c.code || ' 可满足整单'
        FROM covered c
        WHERE h.tenant_id = NEW.tenant_id AND h.id = c.id AND c.code IS NOT NULL AND h.released_at IS NULL
        RETURNING h.order_id, c.order_no, c.code, h.release_note
    ), events AS (
        INSERT INTO public.order_events (tenant_id, order_id, kind, actor_id, actor_name, note)
        SELECT NEW.tenant_id, r.order_id, 'release', NULL, '系统', '缺货：' || r.release_note FROM released r
    )
    INSERT INTO public.audit_log (tenant_id, actor_user_id, actor_name, action, entity_type, entity_id, summary, before, after)
    SELECT NEW.tenant_id, NULL, '系统', 'order.release', 'order', r.order_id::text,
           '订单 ' || r.order_no || '：到货后缺货挂起自动解除', jsonb_build_object('holds', 'stock'),
           jsonb_build_object('hold', 'stock', 'warehouse', r.code, 'movement', NEW.id)
    FROM released r;
    RETURN NULL;
END $$;

CREATE TRIGGER stock_movements_lift_stock_holds AFTER INSERT ON stock_movements
    FOR EACH ROW WHEN (NEW.quantity > 0) EXECUTE FUNCTION app.lift_stock_holds();
