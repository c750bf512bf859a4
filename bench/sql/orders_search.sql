-- GET /orders?q=TEXT[&page=N] for a TEXT longer than the search index answers
-- exactly (db::search::Search::exact: more than 8 characters — a phone number, a
-- tracking number): src/orders/repo/mod.rs `push_filter` — the orders whose search
-- terms (order number or phone by their start, the phone's last four digits, the
-- receiver) lie in the query's range of search_terms, or with a parcel of that
-- tracking number (looked up in parcels_tracking_idx: its collation, "C"), each
-- rechecked with the list's own LIKE / ILIKE and the tracking number. Extra
-- variables: kind (order), q (TEXT), qprefix (TEXT, LIKE-escaped, then %), qany (%,
-- TEXT LIKE-escaped, %).
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
    o.cancel_reason FROM (SELECT o.id FROM orders o WHERE o.tenant_id = :tenant AND o.id IN (SELECT t.id FROM search_terms t WHERE t.tenant_id = :tenant AND t.kind = :kind AND t.term >= app.search_prefix(:q) AND t.term < app.search_prefix(:q) || chr(1114111) UNION SELECT p.order_id FROM parcels p WHERE p.tenant_id = :tenant AND p.tracking_no COLLATE "C" = :q) AND (o.order_no ILIKE :qprefix OR o.phone ILIKE :qprefix OR o.receiver ILIKE :qany OR EXISTS (SELECT 1 FROM parcels p WHERE p.tenant_id = o.tenant_id AND p.order_id = o.id AND p.tracking_no = :q)) ORDER BY o.id DESC LIMIT :limit OFFSET :offset) p JOIN orders o ON o.tenant_id = :tenant AND o.id = p.id LEFT JOIN partners c ON c.tenant_id = o.tenant_id AND c.id = o.customer_id
    LEFT JOIN contracts k ON k.tenant_id = o.tenant_id AND k.id = o.contract_id
    LEFT JOIN warehouses w ON w.tenant_id = o.tenant_id AND w.id = o.warehouse_id
    LEFT JOIN users u ON u.tenant_id = o.tenant_id AND u.id = o.rep_id ORDER BY o.id DESC;
SELECT count(*) FROM (SELECT 1 FROM orders o WHERE o.tenant_id = :tenant AND o.id IN (SELECT t.id FROM search_terms t WHERE t.tenant_id = :tenant AND t.kind = :kind AND t.term >= app.search_prefix(:q) AND t.term < app.search_prefix(:q) || chr(1114111) UNION SELECT p.order_id FROM parcels p WHERE p.tenant_id = :tenant AND p.tracking_no COLLATE "C" = :q) AND (o.order_no ILIKE :qprefix OR o.phone ILIKE :qprefix OR o.receiver ILIKE :qany OR EXISTS (SELECT 1 FROM parcels p WHERE p.tenant_id = o.tenant_id AND p.order_id = o.id AND p.tracking_no = :q)) LIMIT :cap) capped;
COMMIT;
