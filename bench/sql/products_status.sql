-- GET /products?status=S[&page=N]: as products.sql with the status filter of
-- src/catalog/repo.rs `push_product_filter`. Extra variable: status.
-- The count looks twenty pages past the current one (web::pagination::COUNT_AHEAD).
\set cap :offset + 1000
BEGIN;
SELECT set_config('app.tenant_id', :tenant, true);
SELECT p.id, p.sku, p.name, p.spec, p.unit, p.price_fen, p.last_cost_fen, p.description, p.status,
     p.default_supplier_id, s.name AS supplier_name, p.created_at FROM (SELECT p.sku FROM products p WHERE p.tenant_id = :tenant AND p.status = :status ORDER BY p.sku LIMIT :limit OFFSET :offset) k JOIN products p ON p.tenant_id = :tenant AND p.sku = k.sku LEFT JOIN partners s ON s.tenant_id = p.tenant_id AND s.id = p.default_supplier_id ORDER BY p.sku;
SELECT count(*) FROM (SELECT 1 FROM products p WHERE p.tenant_id = :tenant AND p.status = :status LIMIT :cap) t;
COMMIT;
