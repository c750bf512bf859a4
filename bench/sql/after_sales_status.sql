-- GET /after-sales?status=STATUS[&page=N] as the service manager: src/after_sales/repo/mod.rs
-- `list` with the state filter (push_from: ` AND a.status = $`; after_sales_status_idx),
-- the page and the capped count, in the tenant transaction, as bench/sql/after_sales.sql.
-- Extra variable: status (e.g. requested).
\set cap :offset + 1000
BEGIN;
SELECT set_config('app.tenant_id', :tenant, true);
SELECT a.id, a.case_no, a.order_id, o.order_no, o.receiver, o.phone, a.line_no, a.product_id,
    p.sku, p.name AS product_name, p.unit, a.kind, a.quantity, a.received_qty, a.asked_fen, a.refunded_fen,
    a.category, a.reason, a.status, a.rep_id, a.raised_by, r.display_name AS raised_by_name, a.raised_at,
    d.display_name AS decided_by_name, a.decided_at, a.decision_comment, a.parcel_id FROM (SELECT a.id FROM after_sales a WHERE a.tenant_id = :tenant AND a.status = :status ORDER BY a.id DESC LIMIT :limit OFFSET :offset) pg JOIN after_sales a ON a.tenant_id = :tenant AND a.id = pg.id JOIN orders o ON o.tenant_id = a.tenant_id AND o.id = a.order_id
    JOIN products p ON p.tenant_id = a.tenant_id AND p.id = a.product_id
    JOIN users r ON r.tenant_id = a.tenant_id AND r.id = a.raised_by
    LEFT JOIN users d ON d.tenant_id = a.tenant_id AND d.id = a.decided_by ORDER BY a.id DESC;
SELECT count(*) FROM (SELECT 1 FROM after_sales a WHERE a.tenant_id = :tenant AND a.status = :status LIMIT :cap) capped;
COMMIT;
