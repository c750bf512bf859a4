-- GET /inventory/stock[?page=N]: the list query and its capped count query of
-- src/inventory/repo.rs `stock` (called by inventory::stock::list) without a search
-- (keys paged first, then joined), in the tenant transaction of db::begin_tenant.
-- Variables (-D): tenant, limit, offset.
-- The count looks twenty pages past the current one (web::pagination::COUNT_AHEAD).
\set cap :offset + 1000
BEGIN;
SELECT set_config('app.tenant_id', :tenant, true);
SELECT s.product_id, s.warehouse_id, p.sku, p.name AS product_name, p.unit,
                w.code AS warehouse_code, w.name AS warehouse_name, s.on_hand, s.reserved, s.safety_stock,
                s.reorder_point, s.max_level FROM (SELECT s.warehouse_id, s.product_id FROM stock_levels s WHERE s.tenant_id = :tenant ORDER BY s.warehouse_id, s.product_id LIMIT :limit OFFSET :offset) k JOIN stock_levels s ON s.tenant_id = :tenant AND s.warehouse_id = k.warehouse_id AND s.product_id = k.product_id JOIN products p ON p.tenant_id = s.tenant_id AND p.id = s.product_id
         JOIN warehouses w ON w.tenant_id = s.tenant_id AND w.id = s.warehouse_id ORDER BY k.warehouse_id, k.product_id;
SELECT count(*) FROM (SELECT 1 FROM stock_levels s WHERE s.tenant_id = :tenant LIMIT :cap) t;
COMMIT;
