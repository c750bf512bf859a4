-- POST /after-sales/{id}/refund (amount=1.00, reference=PG<id>, method left to its
-- default 原路退回) by the service manager (RefundApprove: a manager's refund never waits
-- for approval) on an approved refund-kind case of its own order: the transaction of
-- src/after_sales/refunds.rs `refund` — lock the case with the record query
-- (goods::lock → repo::find, FOR UPDATE OF a), lock the order with its record query
-- (orders::repo::find, FOR UPDATE OF o), the order's lines (orders::repo::lines; the
-- line's paid share is computed in Rust), what the order's and the line's refunds add up
-- to (repo::refunds_so_far), the refund row (repo::insert_refund, status done), the
-- case's refunded sum (repo::refunded), the order's (orders::repo::refunded), the case's
-- state (repo::set_status → refunded), then handlers::finish: the timeline event
-- (repo::event) and the audit row (audit::by_user), COMMIT. The checks (permission,
-- state, bounds, threshold) are in Rust.
-- Each client refunds its own cases: lo + client_id + clients × n, n = 0, 1, 2, …
-- (pgbench variables persist per client across transactions).
-- Variables (-D): tenant, lo, clients, n (0), user (the service manager's id), actor
-- (the manager's display name, as the event names the user), auditor (name（username）,
-- as the audit row names the user),
-- amount_fen (100), yuan (the amount as the note prints it: 1.00).
\set id :lo + :client_id + :clients * :n
\set n :n + 1
BEGIN;
SELECT set_config('app.tenant_id', :tenant, true);
SELECT a.id, a.case_no, a.order_id, o.order_no, o.receiver, o.phone, a.line_no, a.product_id,
    p.sku, p.name AS product_name, p.unit, a.kind, a.quantity, a.received_qty, a.asked_fen, a.refunded_fen,
    a.category, a.reason, a.status, a.rep_id, a.raised_by, r.display_name AS raised_by_name, a.raised_at,
    d.display_name AS decided_by_name, a.decided_at, a.decision_comment, a.parcel_id FROM after_sales a JOIN orders o ON o.tenant_id = a.tenant_id AND o.id = a.order_id
    JOIN products p ON p.tenant_id = a.tenant_id AND p.id = a.product_id
    JOIN users r ON r.tenant_id = a.tenant_id AND r.id = a.raised_by
    LEFT JOIN users d ON d.tenant_id = a.tenant_id AND d.id = a.decided_by WHERE a.tenant_id = :tenant AND a.id = :id FOR UPDATE OF a
\gset c_
SELECT o.id, o.platform, o.order_no, o.shop, o.source, o.customer_id, c.name AS customer_name,
    o.contract_id, k.contract_no, o.buyer, o.receiver, o.phone, o.province, o.city, o.district, o.address, o.buyer_note,
    o.seller_note, o.goods_fen, o.shipping_fen, o.discount_fen, o.paid_fen, o.ordered_at, o.paid_at, o.status,
    o.warehouse_id, w.code AS warehouse_code, o.rep_id, u.display_name AS rep_name, o.rep_department,
    coalesce((SELECT string_agg(h.kind, ',' ORDER BY h.kind) FROM order_holds h
              WHERE h.tenant_id = o.tenant_id AND h.order_id = o.id AND h.released_at IS NULL), '') AS holds,
    o.cancel_reason, o.after_sale_count, o.refunded_fen FROM orders o LEFT JOIN partners c ON c.tenant_id = o.tenant_id AND c.id = o.customer_id
    LEFT JOIN contracts k ON k.tenant_id = o.tenant_id AND k.id = o.contract_id
    LEFT JOIN warehouses w ON w.tenant_id = o.tenant_id AND w.id = o.warehouse_id
    LEFT JOIN users u ON u.tenant_id = o.tenant_id AND u.id = o.rep_id WHERE o.tenant_id = :tenant AND o.id = :c_order_id FOR UPDATE OF o
\gset o_
SELECT l.line_no, l.product_id, p.sku, p.name, p.spec, p.unit, l.quantity, l.unit_price_fen, l.reserved_qty,
                l.shipped_qty, l.returned_qty, l.lost_qty
         FROM order_lines l JOIN products p ON p.tenant_id = l.tenant_id AND p.id = l.product_id
         WHERE l.tenant_id = :tenant AND l.order_id = :c_order_id ORDER BY l.line_no;
SELECT coalesce(sum(amount_fen), 0)::bigint, coalesce(sum(amount_fen) FILTER (WHERE line_no = :c_line_no), 0)::bigint
         FROM refunds WHERE tenant_id = :tenant AND order_id = :c_order_id AND status <> 'rejected';
INSERT INTO refunds (tenant_id, case_id, order_id, line_no, amount_fen, method, reference, status, recorded_by)
         VALUES (:tenant, :id, :c_order_id, :c_line_no, :amount_fen, 'original', 'PG' || :id, 'done', :user) RETURNING id AS refund_id
\gset
UPDATE after_sales SET refunded_fen = refunded_fen + :amount_fen, updated_at = now() WHERE tenant_id = :tenant AND id = :id;
UPDATE orders SET refunded_fen = refunded_fen + :amount_fen, updated_at = now() WHERE tenant_id = :tenant AND id = :c_order_id;
UPDATE after_sales SET status = :newstatus, updated_at = now(),
                closed_at = CASE WHEN :newstatus = 'closed' THEN now() ELSE closed_at END
         WHERE tenant_id = :tenant AND id = :id;
INSERT INTO after_sale_events (tenant_id, case_id, kind, actor_id, actor_name, note) VALUES (:tenant, :id, 'refund', :user, :actor, '¥' || :yuan || '，原路退回（PG' || :id || '）');
INSERT INTO audit_log (tenant_id, actor_user_id, actor_name, action, entity_type, entity_id, summary, before, after, ip, request_id)
         VALUES (:tenant, :user, :auditor, 'after_sale.refund', 'after_sale', :id,
                 '售后单 ' || :c_case_no || '（订单 ' || :c_order_no || '）：已退款 ¥' || :yuan,
                 jsonb_build_object('status', :c_status::text),
                 jsonb_build_object('refund', :refund_id::bigint, 'amount_fen', :amount_fen::bigint, 'method', 'original',
                                    'reference', 'PG' || :id, 'refund_status', 'done', 'status', :newstatus::text,
                                    'order_refunds_fen', :amount_fen::bigint),
                 '127.0.0.1', 'pgbench-' || :client_id || '-' || :n);
COMMIT;
