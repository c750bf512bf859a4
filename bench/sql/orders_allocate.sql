-- POST /orders/{id}/allocate (warehouse=CODE) of an approved one-line order without
-- holds, by the ops manager (every order in scope; not a reassignment): the
-- transaction of src/orders/shipping.rs `allocate` — lock the order with the record
-- query (flow::lock → repo::find, FOR UPDATE OF o), the warehouse list
-- (repo::warehouse_choices: the app finds the form's code in it in Rust; here the
-- query returns that one warehouse), the order's lines (repo::lines), then for its
-- line the ledger's conditional reservation (ledger::reserve) and the reservation
-- row with the line's reserved quantity (repo::insert_reservation), the order's
-- warehouse (repo::set_warehouse) and state (repo::set_status), the timeline event
-- (repo::event → insert_events) and the audit row (audit::by_user), COMMIT. The
-- checks (permission, state, holds, the reservation's row count) are in Rust.
-- Each client allocates its own ids: lo + client_id + clients × n, n = 0, 1, 2, …
-- (pgbench variables persist per client across transactions). The warehouse of order
-- id is the (id mod nwh)-th by code, as the pool's stock was received and as the
-- HTTP side's Lua script chooses it.
-- Variables (-D): tenant, lo, clients, n (0), nwh, newstatus (allocated), user (the
-- ops manager's id), actor (name (username), as the audit row names the user).
\set id :lo + :client_id + :clients * :n
\set n :n + 1
\set wi :id % :nwh
BEGIN;
SELECT set_config('app.tenant_id', :tenant, true);
SELECT o.id, o.platform, o.order_no, o.shop, o.source, o.customer_id, c.name AS customer_name,
    o.contract_id, k.contract_no, o.buyer, o.receiver, o.phone, o.province, o.city, o.district, o.address, o.buyer_note,
    o.seller_note, o.goods_fen, o.shipping_fen, o.discount_fen, o.paid_fen, o.ordered_at, o.paid_at, o.status,
    o.warehouse_id, w.code AS warehouse_code, o.rep_id, u.display_name AS rep_name, o.rep_department,
    coalesce((SELECT string_agg(h.kind, ',' ORDER BY h.kind) FROM order_holds h
              WHERE h.tenant_id = o.tenant_id AND h.order_id = o.id AND h.released_at IS NULL), '') AS holds,
    o.cancel_reason FROM orders o LEFT JOIN partners c ON c.tenant_id = o.tenant_id AND c.id = o.customer_id
    LEFT JOIN contracts k ON k.tenant_id = o.tenant_id AND k.id = o.contract_id
    LEFT JOIN warehouses w ON w.tenant_id = o.tenant_id AND w.id = o.warehouse_id
    LEFT JOIN users u ON u.tenant_id = o.tenant_id AND u.id = o.rep_id WHERE o.tenant_id = :tenant AND o.id = :id FOR UPDATE OF o
\gset o_
SELECT id AS wid, code AS whcode, name AS whname FROM warehouses WHERE tenant_id = :tenant ORDER BY code LIMIT 1 OFFSET :wi
\gset
SELECT l.line_no, l.product_id, p.sku, p.name, p.spec, p.unit, l.quantity, l.unit_price_fen, l.reserved_qty,
                l.shipped_qty, l.returned_qty, l.lost_qty
         FROM order_lines l JOIN products p ON p.tenant_id = l.tenant_id AND p.id = l.product_id
         WHERE l.tenant_id = :tenant AND l.order_id = :id ORDER BY l.line_no
\gset l_
UPDATE stock_levels SET reserved = reserved + :l_quantity, updated_at = now()
         WHERE tenant_id = :tenant AND product_id = :l_product_id AND warehouse_id = :wid AND on_hand - reserved >= :l_quantity;
WITH r AS (INSERT INTO order_reservations (tenant_id, order_id, line_no, warehouse_id, product_id, quantity)
                    VALUES (:tenant, :id, :l_line_no, :wid, :l_product_id, :l_quantity))
         UPDATE order_lines SET reserved_qty = reserved_qty + :l_quantity
         WHERE tenant_id = :tenant AND order_id = :id AND line_no = :l_line_no;
UPDATE orders SET warehouse_id = :wid, updated_at = now() WHERE tenant_id = :tenant AND id = :id;
UPDATE orders SET status = :newstatus, updated_at = now(),
                approved_at = CASE WHEN :newstatus = 'approved' THEN now() ELSE approved_at END,
                delivered_at = CASE WHEN :newstatus = 'delivered' THEN now() ELSE delivered_at END,
                cancelled_at = CASE WHEN :newstatus = 'cancelled' THEN now() ELSE cancelled_at END,
                cancel_reason = coalesce(NULL::text, cancel_reason)
         WHERE tenant_id = :tenant AND id = :id;
INSERT INTO order_events (tenant_id, order_id, kind, actor_id, actor_name, note)
             SELECT :tenant, o, 'allocate', :user, :actor, n
             FROM UNNEST(ARRAY[:id]::bigint[], ARRAY['仓库 ' || :whcode || '，预留 ' || :l_quantity || ' 件']::text[]) AS x(o, n);
INSERT INTO audit_log (tenant_id, actor_user_id, actor_name, action, entity_type, entity_id, summary, before, after, ip, request_id)
         VALUES (:tenant, :user, :actor, 'order.allocate', 'order', :id,
                 '订单 ' || :o_order_no || '：已在仓库 ' || :whcode || ' 配货',
                 jsonb_build_object('status', :o_status::text, 'holds', :o_holds::text),
                 jsonb_build_object('warehouse', :whcode::text, 'reserved', :l_quantity::bigint, 'released', 0),
                 '127.0.0.1', 'pgbench-' || :client_id || '-' || :n);
COMMIT;
