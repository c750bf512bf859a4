-- GET /after-sales?q=TEXT[&page=N] for a TEXT longer than the search index answers
-- exactly (db::search::Search::exact: more than 8 characters — a phone number, an order
-- number) as the service manager: src/after_sales/repo/mod.rs `list` with push_from's
-- search — the case number exactly (upper-cased) OR the cases of the orders whose search
-- terms (db::search::Search::push_from, kind 'order': order number or phone by their
-- start, the phone's last four digits, the receiver) lie in the query's range, rechecked
-- with the orders' LIKE / ILIKE (EXISTS … so.order_no ILIKE …) — the page and the capped
-- count, in the tenant transaction. Extra variables: kind (order), q (TEXT), qupper
-- (TEXT upper-cased), qprefix (TEXT, LIKE-escaped, then %), qany (%, TEXT LIKE-escaped, %).
\set cap :offset + 1000
BEGIN;
SELECT set_config('app.tenant_id', :tenant, true);
SELECT a.id, a.case_no, a.order_id, o.order_no, o.receiver, o.phone, a.line_no, a.product_id,
    p.sku, p.name AS product_name, p.unit, a.kind, a.quantity, a.received_qty, a.asked_fen, a.refunded_fen,
    a.category, a.reason, a.status, a.rep_id, a.raised_by, r.display_name AS raised_by_name, a.raised_at,
    d.display_name AS decided_by_name, a.decided_at, a.decision_comment, a.parcel_id FROM (SELECT a.id FROM after_sales a WHERE a.tenant_id = :tenant AND (a.case_no = :qupper OR a.order_id IN (SELECT t.id FROM search_terms t WHERE t.tenant_id = :tenant AND t.kind = :kind AND t.term >= app.search_prefix(:q) AND t.term < app.search_prefix(:q) || chr(1114111)) AND EXISTS (SELECT 1 FROM orders so WHERE so.tenant_id = a.tenant_id AND so.id = a.order_id AND (so.order_no ILIKE :qprefix OR so.phone ILIKE :qprefix OR so.receiver ILIKE :qany))) ORDER BY a.id DESC LIMIT :limit OFFSET :offset) pg JOIN after_sales a ON a.tenant_id = :tenant AND a.id = pg.id JOIN orders o ON o.tenant_id = a.tenant_id AND o.id = a.order_id
    JOIN products p ON p.tenant_id = a.tenant_id AND p.id = a.product_id
    JOIN users r ON r.tenant_id = a.tenant_id AND r.id = a.raised_by
    LEFT JOIN users d ON d.tenant_id = a.tenant_id AND d.id = a.decided_by ORDER BY a.id DESC;
SELECT count(*) FROM (SELECT 1 FROM after_sales a WHERE a.tenant_id = :tenant AND (a.case_no = :qupper OR a.order_id IN (SELECT t.id FROM search_terms t WHERE t.tenant_id = :tenant AND t.kind = :kind AND t.term >= app.search_prefix(:q) AND t.term < app.search_prefix(:q) || chr(1114111)) AND EXISTS (SELECT 1 FROM orders so WHERE so.tenant_id = a.tenant_id AND so.id = a.order_id AND (so.order_no ILIKE :qprefix OR so.phone ILIKE :qprefix OR so.receiver ILIKE :qany))) LIMIT :cap) capped;
COMMIT;
