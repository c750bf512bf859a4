-- GET /inventory/stock?warehouse=ID&q=TEXT[&page=N]: the search path of
-- src/inventory/repo.rs `stock` (matching products first, then their levels) with
-- the warehouse filter; TEXT without Latin letters, so the name is matched with LIKE
-- (repo `name_match`), the candidates from the bigram index (`push_search`). Extra
-- variables: wh (warehouse id), sku_like ('TEXT%'), name_like ('%TEXT%'), grams (the
-- text's bigrams as a text[] literal) and n (their number).
-- The count looks twenty pages past the current one (web::pagination::COUNT_AHEAD).
\set cap :offset + 1000
BEGIN;
SELECT set_config('app.tenant_id', :tenant, true);
WITH p AS MATERIALIZED (SELECT id, tenant_id, sku, name, unit FROM products p WHERE p.tenant_id = :tenant AND (p.sku ILIKE :sku_like OR p.name LIKE :name_like) AND p.id IN (SELECT t.product_id FROM product_terms t WHERE t.tenant_id = :tenant AND t.term = ANY(:grams::text[]) GROUP BY t.product_id HAVING count(*) = :n)), m AS MATERIALIZED (SELECT s.*, p.sku, p.name AS product_name, p.unit
                FROM p JOIN stock_levels s ON s.tenant_id = p.tenant_id AND s.product_id = p.id WHERE s.tenant_id = :tenant AND s.warehouse_id = :wh) SELECT s.product_id, s.warehouse_id, s.sku, s.product_name, s.unit,
                w.code AS warehouse_code, w.name AS warehouse_name, s.on_hand, s.reserved, s.safety_stock,
                s.reorder_point, s.max_level, (SELECT count(*) FROM (SELECT 1 FROM m LIMIT :cap) c) AS total
             FROM m s JOIN warehouses w ON w.tenant_id = s.tenant_id AND w.id = s.warehouse_id
             ORDER BY s.warehouse_id, s.product_id LIMIT :limit OFFSET :offset;
COMMIT;
