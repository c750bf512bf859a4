-- GET /after-sales?q=TEXT[&page=N] as the service manager: src/after_sales/repo/mod.rs
-- `list` with push_from's search (migration 0029's shape) — a.id IN (the case number
-- exactly, upper-cased, UNION ALL the cases of the orders the orders list's own search
-- finds: orders::repo::push_search_ids, the search terms of kind 'order' in the query's
-- range or a parcel's tracking number, rechecked with the orders' ILIKE) — the page and
-- the capped count in the tenant transaction, as captured with log_statement = all
-- (bench/out/after-sales-*/statements.txt). Extra variables: kind (order), q (TEXT),
-- qupper (TEXT upper-cased), qprefix (TEXT, LIKE-escaped, then %), qany (%, TEXT
-- LIKE-escaped, %).
\set cap :offset + 1000
BEGIN;
SELECT set_config('app.tenant_id', :tenant, true);
SELECT a.id, a.case_no, a.order_id, o.order_no, o.receiver, o.phone, a.line_no, a.product_id,
    p.sku, p.name AS product_name, p.unit, a.kind, a.quantity, a.received_qty, a.asked_fen, a.refunded_fen,
    a.category, a.reason, a.status, a.rep_id, a.raised_by, r.display_name AS raised_by_name, a.raised_at,
    d.display_name AS decided_by_name, a.decided_at, a.decision_comment, a.parcel_id FROM (SELECT a.id FROM after_sales a WHERE a.tenant_id = :tenant AND a.id IN (SELECT x.id FROM after_sales x WHERE x.tenant_id = :tenant AND x.case_no = :qupper UNION ALL SELECT x.id FROM after_sales x WHERE x.tenant_id = :tenant AND x.order_id IN (SELECT o.id FROM orders o WHERE o.tenant_id = :tenant AND o.id IN (SELECT t.id FROM search_terms t WHERE t.tenant_id = :tenant AND t.kind = :kind AND t.term >= app.search_prefix(:q) AND t.term < app.search_prefix(:q) || chr(1114111) UNION SELECT p.order_id FROM parcels p WHERE p.tenant_id = :tenant AND p.tracking_no COLLATE "C" = :q) AND (o.order_no ILIKE :qprefix OR o.phone ILIKE :qprefix OR o.receiver ILIKE :qany OR EXISTS (SELECT 1 FROM parcels p WHERE p.tenant_id = o.tenant_id AND p.order_id = o.id AND p.tracking_no = :q)))) ORDER BY a.id DESC LIMIT :limit OFFSET :offset) pg JOIN after_sales a ON a.tenant_id = :tenant AND a.id = pg.id JOIN orders o ON o.tenant_id = a.tenant_id AND o.id = a.order_id
    JOIN products p ON p.tenant_id = a.tenant_id AND p.id = a.product_id
    JOIN users r ON r.tenant_id = a.tenant_id AND r.id = a.raised_by
    LEFT JOIN users d ON d.tenant_id = a.tenant_id AND d.id = a.decided_by ORDER BY a.id DESC;
SELECT count(*) FROM (SELECT 1 FROM after_sales a WHERE a.tenant_id = :tenant AND a.id IN (SELECT x.id FROM after_sales x WHERE x.tenant_id = :tenant AND x.case_no = :qupper UNION ALL SELECT x.id FROM after_sales x WHERE x.tenant_id = :tenant AND x.order_id IN (SELECT o.id FROM orders o WHERE o.tenant_id = :tenant AND o.id IN (SELECT t.id FROM search_terms t WHERE t.tenant_id = :tenant AND t.kind = :kind AND t.term >= app.search_prefix(:q) AND t.term < app.search_prefix(:q) || chr(1114111) UNION SELECT p.order_id FROM parcels p WHERE p.tenant_id = :tenant AND p.tracking_no COLLATE "C" = :q) AND (o.order_no ILIKE :qprefix OR o.phone ILIKE :qprefix OR o.receiver ILIKE :qany OR EXISTS (SELECT 1 FROM parcels p WHERE p.tenant_id = o.tenant_id AND p.order_id = o.id AND p.tracking_no = :q)))) LIMIT :cap) capped;
COMMIT;
