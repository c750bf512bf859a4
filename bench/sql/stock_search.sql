-- GET /inventory/stock?warehouse=ID&q=TEXT[&page=N] for a TEXT the search index
-- answers exactly (db::search::Search::exact: at most 8 characters):
-- src/inventory/repo.rs `stock_by_term` — the matching levels' keys from their own
-- terms in search_terms (kind 'stock:' || warehouse, migration 0024), the page's rows
-- joined to their levels and products, the capped count over the same keys. Extra
-- variables: wh (warehouse id), term (TEXT).
-- The count looks twenty pages past the current one (web::pagination::COUNT_AHEAD).
\set cap :offset + 1000
BEGIN;
SELECT set_config('app.tenant_id', :tenant, true);
WITH m AS MATERIALIZED (SELECT DISTINCT t.sort_key::bigint AS warehouse_id, t.id AS product_id FROM search_terms t WHERE t.tenant_id = :tenant AND t.kind = 'stock:' || :wh AND t.term >= app.search_prefix(:term) AND t.term < app.search_prefix(:term) || chr(1114111)) SELECT s.product_id, s.warehouse_id, p.sku, p.name AS product_name, p.unit,
                w.code AS warehouse_code, w.name AS warehouse_name, s.on_hand, s.reserved, s.safety_stock,
                s.reorder_point, s.max_level, (SELECT count(*) FROM (SELECT 1 FROM m LIMIT :cap) c) AS total FROM (SELECT warehouse_id, product_id FROM m ORDER BY warehouse_id, product_id LIMIT :limit OFFSET :offset) k JOIN stock_levels s ON s.tenant_id = :tenant AND s.warehouse_id = k.warehouse_id AND s.product_id = k.product_id JOIN products p ON p.tenant_id = s.tenant_id AND p.id = s.product_id
         JOIN warehouses w ON w.tenant_id = s.tenant_id AND w.id = s.warehouse_id ORDER BY k.warehouse_id, k.product_id;
COMMIT;
