-- The stock levels themselves in the search index (docs/search.md), so that the
-- stock list's name search reads one range of `search_terms` and then only the
-- page's levels. Before, it took the matching products (kind 'product') and probed
-- `stock_levels` once per product for its levels in the warehouse: 1,837 probes for
-- 晨光 on the 50,000-product demo, ~4 ms of a 6–8 ms statement.
--
-- A level's terms are its product's (SKU prefix, name suffixes: exactly kind
-- 'product'), under kind 'stock:<warehouse id>', with the warehouse id as text in
-- `sort_key` and the product id in `id`. A search in one warehouse is then one range
-- (kind, term) that holds only that warehouse's levels; one without a warehouse reads
-- that range in each of the tenant's warehouses.
--
-- Kept by triggers like the other kinds (0015, 0021): inserted levels (the ledger's
-- first movement, the demo, imports) once per statement from the transition table;
-- a level deleted, or its key changed, by a row trigger; a product's SKU or name
-- changed re-indexes each of its levels.

-- The terms of one level: its product's (SKU prefix, name suffixes), under its
-- warehouse's kind. The one definition the triggers and the fill below share.
CREATE FUNCTION app.stock_terms_of(tenant bigint, product bigint, warehouse bigint, sku text, name text)
    RETURNS TABLE (tenant_id bigint, kind text, term text, sort_key text, id bigint)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT tenant, 'stock:' || warehouse, t, warehouse::text, product
          FROM app.search_terms_of(ARRAY[sku], ARRAY[name]) AS t $$;

-- Inserted levels (one statement: the ledger's first movement, app.post_movements,
-- the demo, the stock import): their products' terms, in key order.
CREATE FUNCTION app.index_inserted_stock_terms() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO public.search_terms (tenant_id, kind, term, sort_key, id)
    SELECT x.* FROM new_rows n
    JOIN public.products p ON p.tenant_id = n.tenant_id AND p.id = n.product_id,
         app.stock_terms_of(n.tenant_id, n.product_id, n.warehouse_id, p.sku, p.name) AS x
    ORDER BY 1, 2, 3, 4, 5;
    RETURN NULL;
END $$;

CREATE TRIGGER stock_levels_search_terms_inserted AFTER INSERT ON stock_levels
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION app.index_inserted_stock_terms();

-- A product's levels in `warehouses` re-indexed: the terms of (old_sku, old_name)
-- go (by the primary key), those of (new_sku, new_name) come; NULL SKU: none.
CREATE FUNCTION app.reindex_stock_terms(p_tenant bigint, p_product bigint, p_warehouses bigint[],
                                        old_sku text, old_name text, new_sku text, new_name text)
    RETURNS void
    LANGUAGE plpgsql
    AS $$
DECLARE
    w bigint;
BEGIN
    FOREACH w IN ARRAY p_warehouses LOOP
        DELETE FROM public.search_terms t
        WHERE t.tenant_id = p_tenant AND t.kind = 'stock:' || w AND t.sort_key = w::text AND t.id = p_product
          AND t.term = ANY (ARRAY(SELECT x.term FROM app.stock_terms_of(p_tenant, p_product, w, old_sku, old_name) AS x));
        INSERT INTO public.search_terms (tenant_id, kind, term, sort_key, id)
        SELECT x.* FROM app.stock_terms_of(p_tenant, p_product, w, new_sku, new_name) AS x;
    END LOOP;
END $$;

-- A level deleted or moved to another key (neither is done by the application: the
-- runtime role may not delete levels or change their keys). Its terms are its
-- product's current ones (a rename re-indexes every level of the product, below).
CREATE FUNCTION app.index_stock_terms() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    p record;
BEGIN
    SELECT sku, name INTO p FROM public.products WHERE tenant_id = OLD.tenant_id AND id = OLD.product_id;
    PERFORM app.reindex_stock_terms(OLD.tenant_id, OLD.product_id, ARRAY[OLD.warehouse_id], p.sku, p.name, NULL, NULL);
    IF TG_OP = 'UPDATE' THEN
        SELECT sku, name INTO p FROM public.products WHERE tenant_id = NEW.tenant_id AND id = NEW.product_id;
        PERFORM app.reindex_stock_terms(NEW.tenant_id, NEW.product_id, ARRAY[NEW.warehouse_id], NULL, NULL, p.sku, p.name);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER stock_levels_search_terms AFTER DELETE OR UPDATE OF tenant_id, product_id, warehouse_id ON stock_levels
    FOR EACH ROW EXECUTE FUNCTION app.index_stock_terms();

-- A product's SKU or name changed: each of its levels re-indexed (the product's own
-- terms are the trigger's of 0015/0021).
CREATE FUNCTION app.index_product_stock_terms() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM app.reindex_stock_terms(
        NEW.tenant_id, NEW.id,
        ARRAY(SELECT s.warehouse_id FROM public.stock_levels s WHERE s.tenant_id = NEW.tenant_id AND s.product_id = NEW.id),
        OLD.sku, OLD.name, NEW.sku, NEW.name);
    RETURN NULL;
END $$;

CREATE TRIGGER products_stock_search_terms AFTER UPDATE OF sku, name ON products
    FOR EACH ROW WHEN (OLD.sku IS DISTINCT FROM NEW.sku OR OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION app.index_product_stock_terms();

-- A statement run once for every tenant, with app.tenant_id set to it (row-level
-- security is forced on the owner too): how a migration fills what it derives
-- from the rows that exist.
CREATE FUNCTION app.for_each_tenant(statement text) RETURNS void
    LANGUAGE plpgsql
    AS $$
DECLARE
    tenant bigint;
BEGIN
    FOR tenant IN SELECT id FROM public.tenants ORDER BY id LOOP
        PERFORM set_config('app.tenant_id', tenant::text, true);
        EXECUTE statement;
    END LOOP;
    PERFORM set_config('app.tenant_id', '', true);
END $$;
REVOKE ALL ON FUNCTION app.for_each_tenant(text) FROM PUBLIC;

-- The levels that exist already.
SELECT app.for_each_tenant($$
    INSERT INTO search_terms (tenant_id, kind, term, sort_key, id)
    SELECT x.* FROM stock_levels s
    JOIN products p ON p.tenant_id = s.tenant_id AND p.id = s.product_id,
         app.stock_terms_of(s.tenant_id, s.product_id, s.warehouse_id, p.sku, p.name) AS x
    WHERE s.tenant_id = app.current_tenant()
    ORDER BY 1, 2, 3, 4, 5
$$);
