-- GET /inventory/stock?warehouse=ID&q=TEXT[&page=N]: the search path of
-- src/inventory/repo.rs `stock` (matching products first, then their levels) with
-- the warehouse filter; TEXT without Latin letters, so the name is matched with LIKE
-- (repo `name_match`). Extra variables: wh (warehouse id), sku_like ('TEXT%'),
-- name_like ('%TEXT%').
BEGIN;
SELECT set_config('app.tenant_id', :tenant, true);
WITH p AS MATERIALIZED (SELECT * FROM products p WHERE p.tenant_id = :tenant AND (p.sku LIKE :sku_like OR p.name LIKE :name_like)) SELECT s.product_id, s.warehouse_id, p.sku, p.name AS product_name, p.unit,
                w.code AS warehouse_code, w.name AS warehouse_name, s.on_hand, s.reserved, s.safety_stock,
                s.reorder_point, s.max_level FROM p JOIN stock_levels s ON s.tenant_id = p.tenant_id AND s.product_id = p.id
             JOIN warehouses w ON w.tenant_id = s.tenant_id AND w.id = s.warehouse_id WHERE s.tenant_id = :tenant AND s.warehouse_id = :wh ORDER BY s.warehouse_id, s.product_id LIMIT :limit OFFSET :offset;
WITH p AS MATERIALIZED (SELECT id, tenant_id FROM products p WHERE p.tenant_id = :tenant AND (p.sku LIKE :sku_like OR p.name LIKE :name_like)) SELECT count(*) FROM (SELECT 1 FROM p JOIN stock_levels s ON s.tenant_id = p.tenant_id AND s.product_id = p.id WHERE s.tenant_id = :tenant AND s.warehouse_id = :wh LIMIT :cap) t;
COMMIT;
