-- Product name search without a scan of every product.
--
-- A search is "SKU prefix (any case) or name substring". Under forced row-level security the
-- planner may only use leakproof operators in index conditions, and LIKE is not
-- leakproof, so neither a pattern index nor pg_trgm (which also finds no trigrams
-- in Chinese text under the C locale) can serve it. Instead every product's name and
-- SKU are split into their character bigrams (ASCII letters folded to lower case),
-- kept here by a trigger; a search looks its query's bigrams up by equality
-- (leakproof, so the primary key serves it), and the LIKE / ILIKE conditions then
-- recheck the few candidates, so results are exactly what a scan would give.

CREATE TABLE product_terms (
    tenant_id  bigint NOT NULL REFERENCES tenants (id),
    term       text NOT NULL,
    product_id bigint NOT NULL,
    PRIMARY KEY (tenant_id, term, product_id),
    FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, id) ON DELETE CASCADE
);
ALTER TABLE product_terms ENABLE ROW LEVEL SECURITY;
ALTER TABLE product_terms FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON product_terms
    USING (tenant_id = (SELECT app.current_tenant())) WITH CHECK (tenant_id = (SELECT app.current_tenant()));
GRANT SELECT, INSERT, DELETE ON product_terms TO yunying_app;

-- The distinct bigrams of a name, ASCII letters folded (whatever the database's
-- locale); `catalog::search::bigrams` computes the same in Rust for a query.
CREATE FUNCTION app.product_bigrams(name text) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT coalesce(array_agg(DISTINCT substr(f, i, 2)), '{}')
    FROM (SELECT translate(name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') AS f) n,
         generate_series(1, length(f) - 1) AS i
$$;
GRANT EXECUTE ON FUNCTION app.product_bigrams(text) TO yunying_app;

CREATE FUNCTION app.index_product_terms() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.name IS NOT DISTINCT FROM OLD.name AND NEW.sku IS NOT DISTINCT FROM OLD.sku THEN
            RETURN NULL;
        END IF;
        DELETE FROM public.product_terms WHERE tenant_id = NEW.tenant_id AND product_id = NEW.id;
    END IF;
    INSERT INTO public.product_terms (tenant_id, term, product_id)
    SELECT DISTINCT NEW.tenant_id, t, NEW.id
    FROM unnest(app.product_bigrams(NEW.name) || app.product_bigrams(NEW.sku)) AS t;
    RETURN NULL;
END $$;

CREATE TRIGGER products_index_terms AFTER INSERT OR UPDATE OF name, sku ON products
    FOR EACH ROW EXECUTE FUNCTION app.index_product_terms();

-- Products that exist already, tenant by tenant (row-level security is forced on
-- the owner too).
DO $$
DECLARE t bigint;
BEGIN
    FOR t IN SELECT id FROM tenants LOOP
        PERFORM set_config('app.tenant_id', t::text, true);
        INSERT INTO product_terms (tenant_id, term, product_id)
        SELECT DISTINCT p.tenant_id, g, p.id
        FROM products p, unnest(app.product_bigrams(p.name) || app.product_bigrams(p.sku)) AS g
        WHERE p.tenant_id = t;
    END LOOP;
    PERFORM set_config('app.tenant_id', '', true);
END $$;
