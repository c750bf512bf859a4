-- POST /orders/{id}/ship (carrier=SF, tracking_no=a number of its own, no qty_N: every
-- reserved unit ships) of an allocated one-line order without holds, by the
-- warehouse specialist: the transaction of src/orders/shipping.rs `ship` and
-- `send_parcel` — lock the order with the record query (flow::lock → repo::find,
-- FOR UPDATE OF o), its lines (repo::lines), the parcel (repo::insert_parcel, ON
-- CONFLICT on the carrier's tracking number), the open reservations locked
-- (repo::open_reservations via stock::ship), then for the line: the ledger's release
-- (ledger::release), the shipment movement (ledger::post; its row trigger lowers the
-- level's on hand), the reservation consumed and the line's reserved and shipped
-- quantities (repo::close_reservation), the parcel's line (repo::insert_parcel_line);
-- the lines again for what is left (repo::lines), the state (repo::set_status), the
-- first shipment time (repo::mark_shipped), the timeline event and the audit row,
-- COMMIT. The checks (permission, state, holds, the form, row counts) are in Rust.
-- Each client ships its own ids: lo + client_id + clients × n, n = 0, 1, 2, …, with
-- tracking number PG<id> (the HTTP side sends WK<id>).
-- Variables (-D): tenant, lo, clients, n (0), newstatus (shipped), user (the warehouse
-- specialist's id), actor (name (username)).
\set id :lo + :client_id + :clients * :n
\set n :n + 1
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
SELECT l.line_no, l.product_id, p.sku, p.name, p.spec, p.unit, l.quantity, l.unit_price_fen, l.reserved_qty,
                l.shipped_qty, l.returned_qty, l.lost_qty
         FROM order_lines l JOIN products p ON p.tenant_id = l.tenant_id AND p.id = l.product_id
         WHERE l.tenant_id = :tenant AND l.order_id = :id ORDER BY l.line_no
\gset l_
INSERT INTO parcels (tenant_id, order_id, warehouse_id, carrier, tracking_no, shipped_by)
         VALUES (:tenant, :id, :o_warehouse_id, 'SF', 'PG' || :id, :user) ON CONFLICT (tenant_id, carrier, tracking_no) DO NOTHING RETURNING id AS parcel_id
\gset
SELECT id, line_no, warehouse_id, product_id, quantity FROM order_reservations
         WHERE tenant_id = :tenant AND order_id = :id AND state = 'reserved' ORDER BY product_id, line_no, id FOR UPDATE
\gset r_
UPDATE stock_levels SET reserved = reserved - :r_quantity, updated_at = now()
         WHERE tenant_id = :tenant AND product_id = :r_product_id AND warehouse_id = :r_warehouse_id AND reserved >= :r_quantity;
INSERT INTO stock_movements (tenant_id, product_id, warehouse_id, kind, quantity, reason, doc_type, doc_id, created_by)
         VALUES (:tenant, :r_product_id, :r_warehouse_id, 'shipment', -(:r_quantity::bigint), '订单 ' || :o_order_no || ' 发货（顺丰 PG' || :id || '）', 'order', :id, :user)
         RETURNING id, balance_after;
UPDATE order_reservations SET state = 'consumed', closed_at = now() WHERE tenant_id = :tenant AND id = :r_id;
UPDATE order_lines SET reserved_qty = reserved_qty - :r_quantity,
                shipped_qty = shipped_qty + CASE WHEN true THEN :r_quantity ELSE 0 END
         WHERE tenant_id = :tenant AND order_id = :id AND line_no = :r_line_no;
INSERT INTO parcel_lines (tenant_id, parcel_id, order_id, line_no, quantity) VALUES (:tenant, :parcel_id, :id, :r_line_no, :r_quantity);
SELECT l.line_no, l.product_id, p.sku, p.name, p.spec, p.unit, l.quantity, l.unit_price_fen, l.reserved_qty,
                l.shipped_qty, l.returned_qty, l.lost_qty
         FROM order_lines l JOIN products p ON p.tenant_id = l.tenant_id AND p.id = l.product_id
         WHERE l.tenant_id = :tenant AND l.order_id = :id ORDER BY l.line_no;
UPDATE orders SET status = :newstatus, updated_at = now(),
                approved_at = CASE WHEN :newstatus = 'approved' THEN now() ELSE approved_at END,
                delivered_at = CASE WHEN :newstatus = 'delivered' THEN now() ELSE delivered_at END,
                cancelled_at = CASE WHEN :newstatus = 'cancelled' THEN now() ELSE cancelled_at END,
                cancel_reason = coalesce(NULL::text, cancel_reason)
         WHERE tenant_id = :tenant AND id = :id;
UPDATE orders SET shipped_at = coalesce(shipped_at, now()) WHERE tenant_id = :tenant AND id = :id;
INSERT INTO order_events (tenant_id, order_id, kind, actor_id, actor_name, note)
             SELECT :tenant, o, 'ship', :user, :actor, n
             FROM UNNEST(ARRAY[:id]::bigint[], ARRAY['顺丰 PG' || :id || '，' || :r_quantity || ' 件']::text[]) AS x(o, n);
INSERT INTO audit_log (tenant_id, actor_user_id, actor_name, action, entity_type, entity_id, summary, before, after, ip, request_id)
         VALUES (:tenant, :user, :actor, 'order.ship', 'order', :id,
                 '订单 ' || :o_order_no || '：已发货（顺丰 PG' || :id || '，' || :r_quantity || ' 件）',
                 jsonb_build_object('status', :o_status::text, 'holds', :o_holds::text),
                 jsonb_build_object('parcel', :parcel_id::bigint, 'carrier', 'SF', 'tracking_no', 'PG' || :id,
                                    'units', :r_quantity::bigint, 'status', :newstatus::text),
                 '127.0.0.1', 'pgbench-' || :client_id || '-' || :n);
COMMIT;
