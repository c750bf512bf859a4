-- GET /complaints?overdue=1[&page=N] as the service manager: src/complaints/repo/mod.rs
-- `list` with Sla::Overdue (push_from: ` AND c.first_reply_at IS NULL AND c.due_at < $`,
-- the handler's Utc::now() bound; complaints_unanswered_idx), the page and the capped
-- count in the tenant transaction, as bench/sql/complaints.sql. Extra variable: now (the
-- instant the clock is read at: the run's start, where the app binds each request's now).
\set cap :offset + 1000
BEGIN;
SELECT set_config('app.tenant_id', :tenant, true);
SELECT c.id, c.complaint_no, c.customer, c.phone, c.order_id, c.order_no, c.channel, c.category,
    c.severity, c.content, c.demand, c.received_at, c.soon_at, c.due_at, c.first_reply_at, c.status, c.assignee_id,
    a.display_name AS assignee_name, c.result, c.cause, c.improvement, c.satisfaction,
    r.display_name AS resolved_by_name, c.resolved_at, k.display_name AS closed_by_name, c.closed_at,
    u.display_name AS created_by_name FROM (SELECT c.id, c.closed_at, c.due_at FROM complaints c WHERE c.tenant_id = :tenant AND c.first_reply_at IS NULL AND c.due_at < :now ORDER BY (c.closed_at IS NOT NULL), c.due_at, c.id LIMIT :limit OFFSET :offset) pg JOIN complaints c ON c.tenant_id = :tenant AND c.id = pg.id JOIN users u ON u.tenant_id = c.tenant_id AND u.id = c.created_by
    LEFT JOIN users a ON a.tenant_id = c.tenant_id AND a.id = c.assignee_id
    LEFT JOIN users r ON r.tenant_id = c.tenant_id AND r.id = c.resolved_by
    LEFT JOIN users k ON k.tenant_id = c.tenant_id AND k.id = c.closed_by ORDER BY (c.closed_at IS NOT NULL), c.due_at, c.id;
SELECT count(*) FROM (SELECT 1 FROM complaints c WHERE c.tenant_id = :tenant AND c.first_reply_at IS NULL AND c.due_at < :now LIMIT :cap) capped;
COMMIT;
