-- GET /inventory/low-stock[?page=N]: the page's list query and its capped count
-- query, as src/purchasing/low_stock.rs `page` builds them without filters, in the
-- tenant transaction of db::begin_tenant. pgbench variables (-D): tenant, limit
-- (per page, 50), offset ((page − 1) × 50).
-- The count looks twenty pages past the current one (web::pagination::COUNT_AHEAD).
\set cap :offset + 1000
BEGIN;
SELECT set_config('app.tenant_id', :tenant, true);
WITH k AS (SELECT s.product_id, s.warehouse_id FROM stock_levels s WHERE s.tenant_id = :tenant AND s.reorder_point > 0 AND s.on_hand - s.reserved <= s.reorder_point ORDER BY s.warehouse_id, s.product_id LIMIT :limit OFFSET :offset),
        pg AS (SELECT s.product_id, s.warehouse_id, s.on_hand, s.reserved, s.safety_stock, s.reorder_point, s.max_level
               FROM k JOIN stock_levels s ON s.tenant_id = :tenant AND s.product_id = k.product_id AND s.warehouse_id = k.warehouse_id)
        SELECT pg.product_id, pg.warehouse_id, p.sku, p.name, p.unit, w.code AS warehouse_code, w.name AS warehouse_name,
               pg.on_hand, pg.reserved, pg.safety_stock, pg.reorder_point, pg.max_level,
               (SELECT coalesce(sum(l.quantity - l.received_quantity), 0)::bigint
                FROM purchase_order_lines l
                JOIN purchase_orders o ON o.tenant_id = l.tenant_id AND o.id = l.purchase_order_id
                WHERE l.tenant_id = p.tenant_id AND l.product_id = pg.product_id AND l.warehouse_id = pg.warehouse_id
                  AND l.received_quantity < l.quantity AND o.status IN ('open', 'partial')) AS on_order,
               (SELECT r.id FROM replenishment_requests r
                WHERE r.tenant_id = p.tenant_id AND r.product_id = pg.product_id AND r.warehouse_id = pg.warehouse_id
                  AND r.status IN ('pending', 'director_pending', 'approved')) AS open_request
        FROM pg
        JOIN products p ON p.tenant_id = :tenant AND p.id = pg.product_id
        JOIN warehouses w ON w.tenant_id = p.tenant_id AND w.id = pg.warehouse_id
        ORDER BY pg.warehouse_id, pg.product_id;
SELECT count(*) FROM (SELECT 1 FROM stock_levels s WHERE s.tenant_id = :tenant AND s.reorder_point > 0 AND s.on_hand - s.reserved <= s.reorder_point LIMIT :cap) c;
COMMIT;
