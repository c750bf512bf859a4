-- POST /inventory/replenishments/{id}/approve by the ops manager, below the director
-- threshold: the transaction of src/purchasing/requests.rs `decide` — lock the row
-- with the record page's query (`fetch_scoped`, SELECT_ONE … FOR UPDATE OF r; the ops
-- manager's scope is the whole tenant, so no scope condition), then (the checks are
-- in Rust) the UPDATE, the audit INSERT (audit::record) and COMMIT.
-- Each client approves its own ids: lo + client_id × stride + n, n = 0, 1, 2, …
-- (pgbench variables persist per client across transactions), so no id repeats as
-- long as no client runs more than `stride` transactions (the script checks this).
-- Variables (-D): tenant, lo, stride, n (0), manager (user id), actor (name), comment,
-- newstatus (approved), before/after (the audit row's JSON, as the handler serialises it).
\set id :lo + :client_id * :stride + :n
\set n :n + 1
BEGIN;
SELECT set_config('app.tenant_id', :tenant, true);
SELECT r.id, r.product_id, p.sku, p.name AS product_name, p.unit, p.default_supplier_id,
        p.last_cost_fen, p.price_fen, r.warehouse_id, w.code AS warehouse_code, w.name AS warehouse_name,
        r.quantity, r.reason, r.status, r.unit_cost_fen, r.value_fen, r.needs_director,
        r.snap_on_hand, r.snap_reserved, r.snap_on_order, r.snap_safety_stock, r.snap_reorder_point,
        r.snap_max_level, r.snap_suggested, r.requested_by, u.display_name AS requester_name, r.department,
        m.display_name AS manager_name, r.manager_at, r.manager_comment,
        d.display_name AS director_name, r.director_at, r.director_comment,
        r.purchase_order_id, po.po_no, o.display_name AS orderer_name, r.ordered_at, r.created_at
     FROM replenishment_requests r
     JOIN products p ON p.tenant_id = r.tenant_id AND p.id = r.product_id
     JOIN warehouses w ON w.tenant_id = r.tenant_id AND w.id = r.warehouse_id
     JOIN users u ON u.tenant_id = r.tenant_id AND u.id = r.requested_by
     LEFT JOIN users m ON m.tenant_id = r.tenant_id AND m.id = r.manager_by
     LEFT JOIN users d ON d.tenant_id = r.tenant_id AND d.id = r.director_by
     LEFT JOIN users o ON o.tenant_id = r.tenant_id AND o.id = r.ordered_by
     LEFT JOIN purchase_orders po ON po.tenant_id = r.tenant_id AND po.id = r.purchase_order_id
     WHERE r.tenant_id = :tenant AND r.id = :id FOR UPDATE OF r
\gset r_
UPDATE replenishment_requests SET status = :newstatus, manager_by = :manager, manager_at = now(), manager_comment = :comment,
                updated_at = now() WHERE tenant_id = :tenant AND id = :id;
INSERT INTO audit_log (tenant_id, actor_user_id, actor_name, action, entity_type, entity_id, summary, before, after, ip, request_id)
         VALUES (:tenant, :manager, :actor, 'replenishment.approve', 'replenishment', :id,
                 '经理批准补货申请 #' || :id || '：' || :r_product_name || '（' || :r_sku || '）在 ' || :r_warehouse_code || ' 补 ' || :r_quantity || ' ' || :r_unit,
                 (:before)::jsonb, (:after)::jsonb,
                 '127.0.0.1', 'pgbench-' || :client_id || '-' || :n);
COMMIT;
