-- GET /products?q=TEXT[&page=N] for a TEXT the search index answers exactly
-- (db::search::Search::exact: at most 8 characters): src/catalog/repo.rs
-- `list_matches` — the matches and their SKUs from search_terms (one range of its
-- primary key) made distinct by one sort, the page and the capped count (a window)
-- from that one pass, the page's rows
-- joined to products, in the tenant transaction of db::begin_tenant. Variables (-D):
-- tenant, limit, offset, q (TEXT).
-- The count looks twenty pages past the current one (web::pagination::COUNT_AHEAD).
\set cap :offset + 1000
BEGIN;
SELECT set_config('app.tenant_id', :tenant, true);
SELECT p.id, p.sku, p.name, p.spec, p.unit, p.price_fen, p.last_cost_fen, p.description, p.status,
     p.default_supplier_id, s.name AS supplier_name, p.created_at, k.total FROM (SELECT d.sort_key, d.id, least(count(*) OVER (), :cap) AS total FROM (SELECT DISTINCT t.sort_key, t.id FROM search_terms t WHERE t.tenant_id = :tenant AND t.kind = 'product' AND t.term >= app.search_prefix(:q) AND t.term < app.search_prefix(:q) || chr(1114111)) d ORDER BY d.sort_key LIMIT :limit OFFSET :offset) k JOIN products p ON p.tenant_id = :tenant AND p.id = k.id LEFT JOIN partners s ON s.tenant_id = p.tenant_id AND s.id = p.default_supplier_id ORDER BY k.sort_key;
COMMIT;
