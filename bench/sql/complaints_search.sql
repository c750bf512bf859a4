-- GET /complaints?q=TEXT[&page=N] as the service manager: src/complaints/repo/mod.rs
-- `list` with push_from's search (migration 0029) — the complaints whose search terms
-- (kind 'complaint': number, phone, its last four digits and order number by prefix,
-- customer by substring) lie in the query's range, rechecked with ILIKE — the page and
-- the capped count in the tenant transaction, as captured with log_statement = all
-- (bench/out/after-sales-*/statements.txt). Extra variables: kind (complaint), q
-- (TEXT), qprefix (TEXT, LIKE-escaped, then %), qany (%, TEXT LIKE-escaped, %).
\set cap :offset + 1000
BEGIN;
SELECT set_config('app.tenant_id', :tenant, true);
SELECT c.id, c.complaint_no, c.customer, c.phone, c.order_id, c.order_no, c.channel, c.category,
    c.severity, c.content, c.demand, c.received_at, c.soon_at, c.due_at, c.first_reply_at, c.status, c.assignee_id,
    a.display_name AS assignee_name, c.result, c.cause, c.improvement, c.satisfaction,
    r.display_name AS resolved_by_name, c.resolved_at, k.display_name AS closed_by_name, c.closed_at,
    u.display_name AS created_by_name FROM (SELECT c.id, c.closed_at, c.due_at FROM complaints c WHERE c.tenant_id = :tenant AND c.id IN (SELECT t.id FROM search_terms t WHERE t.tenant_id = :tenant AND t.kind = :kind AND t.term >= app.search_prefix(:q) AND t.term < app.search_prefix(:q) || chr(1114111)) AND (c.complaint_no ILIKE :qprefix OR c.phone ILIKE :qprefix OR c.order_no ILIKE :qprefix OR c.customer ILIKE :qany) ORDER BY (c.closed_at IS NOT NULL), c.due_at, c.id LIMIT :limit OFFSET :offset) pg JOIN complaints c ON c.tenant_id = :tenant AND c.id = pg.id JOIN users u ON u.tenant_id = c.tenant_id AND u.id = c.created_by
    LEFT JOIN users a ON a.tenant_id = c.tenant_id AND a.id = c.assignee_id
    LEFT JOIN users r ON r.tenant_id = c.tenant_id AND r.id = c.resolved_by
    LEFT JOIN users k ON k.tenant_id = c.tenant_id AND k.id = c.closed_by ORDER BY (c.closed_at IS NOT NULL), c.due_at, c.id;
SELECT count(*) FROM (SELECT 1 FROM complaints c WHERE c.tenant_id = :tenant AND c.id IN (SELECT t.id FROM search_terms t WHERE t.tenant_id = :tenant AND t.kind = :kind AND t.term >= app.search_prefix(:q) AND t.term < app.search_prefix(:q) || chr(1114111)) AND (c.complaint_no ILIKE :qprefix OR c.phone ILIKE :qprefix OR c.order_no ILIKE :qprefix OR c.customer ILIKE :qany) LIMIT :cap) capped;
COMMIT;
