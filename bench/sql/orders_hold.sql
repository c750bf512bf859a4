-- GET /orders?hold=KIND[&page=N]: as orders.sql with the hold filter of
-- src/orders/repo/mod.rs `push_from` (a join with the active hold of that kind,
-- order_holds_kind_idx; one per order at most). Extra variable: hold.
-- The count looks twenty pages past the current one (web::pagination::COUNT_AHEAD).
\set cap :offset + 1000
BEGIN;
SELECT set_config('app.tenant_id', :tenant, true);
SELECT id, code, name FROM warehouses WHERE tenant_id = :tenant ORDER BY code LIMIT 500;
SELECT o.id, o.platform, o.order_no, o.shop, o.source, o.customer_id, c.name AS customer_name,
    o.contract_id, k.contract_no, o.buyer, o.receiver, o.phone, o.province, o.city, o.district, o.address, o.buyer_note,
    o.seller_note, o.goods_fen, o.shipping_fen, o.discount_fen, o.paid_fen, o.ordered_at, o.paid_at, o.status,
    o.warehouse_id, w.code AS warehouse_code, o.rep_id, u.display_name AS rep_name, o.rep_department,
    coalesce((SELECT string_agg(h.kind, ',' ORDER BY h.kind) FROM order_holds h
              WHERE h.tenant_id = o.tenant_id AND h.order_id = o.id AND h.released_at IS NULL), '') AS holds,
    o.cancel_reason FROM (SELECT o.id FROM orders o JOIN order_holds hk ON hk.tenant_id = o.tenant_id AND hk.order_id = o.id AND hk.kind = :hold AND hk.released_at IS NULL AND hk.tenant_id = :tenant WHERE o.tenant_id = :tenant ORDER BY o.id DESC LIMIT :limit OFFSET :offset) p JOIN orders o ON o.tenant_id = :tenant AND o.id = p.id LEFT JOIN partners c ON c.tenant_id = o.tenant_id AND c.id = o.customer_id
    LEFT JOIN contracts k ON k.tenant_id = o.tenant_id AND k.id = o.contract_id
    LEFT JOIN warehouses w ON w.tenant_id = o.tenant_id AND w.id = o.warehouse_id
    LEFT JOIN users u ON u.tenant_id = o.tenant_id AND u.id = o.rep_id ORDER BY o.id DESC;
SELECT count(*) FROM (SELECT 1 FROM orders o JOIN order_holds hk ON hk.tenant_id = o.tenant_id AND hk.order_id = o.id AND hk.kind = :hold AND hk.released_at IS NULL AND hk.tenant_id = :tenant WHERE o.tenant_id = :tenant LIMIT :cap) capped;
COMMIT;
