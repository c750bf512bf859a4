-- One search index for every list that searches names (docs/search.md).
--
-- Under forced row-level security the planner may use only leakproof operators in
-- index conditions; LIKE / ILIKE are not leakproof, so no pattern or trigram index
-- can serve "the name contains q". Comparisons of text are leakproof. So every
-- searchable row keeps here the *suffixes* of its folded texts (each cut to 16
-- characters) and, for a text searched by prefix (a SKU), the text itself:
-- "contains q" becomes "some term starts with fold(q)", one range of the primary
-- key. With `sort_key` (the list's order, e.g. the SKU) in the key as well, a list
-- pages through the matches without reading the rows it skips.
--
-- fold(s) = lower(s), exactly what ILIKE compares in a UTF-8 database, with
-- U+10FFFF (a noncharacter) replaced by U+10FFFE so that `fold(q) || U+10FFFF` is an
-- exclusive upper bound of the range. A query of at most 8 characters with neither
-- of those two characters is answered exactly by the index (its fold is at most 16
-- characters: lower() never more than doubles a string); any other query rechecks
-- its candidates with the list's own LIKE.

CREATE TABLE search_terms (
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    -- which list: 'product' (SKU prefix, name), 'partner' (code, name),
    -- 'employee' (employee number, name)
    kind      text NOT NULL,
    term      text COLLATE "C" NOT NULL,
    sort_key  text NOT NULL,
    id        bigint NOT NULL,
    PRIMARY KEY (tenant_id, kind, term, sort_key, id)
);
ALTER TABLE search_terms ENABLE ROW LEVEL SECURITY;
ALTER TABLE search_terms FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON search_terms
    USING (tenant_id = (SELECT app.current_tenant())) WITH CHECK (tenant_id = (SELECT app.current_tenant()));
GRANT SELECT, INSERT, DELETE ON search_terms TO yunying_app;
-- Like every tenant table (migration 0014), though its writes come with those of
-- the rows it indexes.
CREATE TRIGGER home_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON search_terms
    FOR EACH STATEMENT EXECUTE FUNCTION app.notify_home();

CREATE FUNCTION app.search_fold(s text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN replace(lower(s), chr(1114111), chr(1114110));
GRANT EXECUTE ON FUNCTION app.search_fold(text) TO yunying_app;

-- The start of the range a query looks up (`db::search` binds the query).
CREATE FUNCTION app.search_prefix(q text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN left(app.search_fold(q), 16);
GRANT EXECUTE ON FUNCTION app.search_prefix(text) TO yunying_app;

-- The distinct terms of a row: each prefix text cut to 16 characters, and every
-- suffix of every substring text, cut the same way.
CREATE FUNCTION app.search_terms_of(prefixes text[], texts text[]) RETURNS SETOF text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT DISTINCT t FROM (
        SELECT left(app.search_fold(p), 16) FROM unnest(prefixes) AS p
        UNION ALL
        SELECT left(substr(f, i), 16)
        FROM (SELECT app.search_fold(x) AS f FROM unnest(texts) AS x) s, generate_series(1, length(f)) AS i
    ) u (t)
    WHERE t <> ''
$$;
GRANT EXECUTE ON FUNCTION app.search_terms_of(text[], text[]) TO yunying_app;

-- The row trigger: TG_ARGV = kind, the sort-key column, the prefix columns and the
-- substring columns (comma-separated). An update that changes none of them costs
-- nothing; otherwise the row's old terms go and its new ones come.
CREATE FUNCTION app.index_search_terms() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    v_kind text := TG_ARGV[0];
    sort_col text := TG_ARGV[1];
    prefix_cols text[] := string_to_array(TG_ARGV[2], ',');
    text_cols text[] := string_to_array(TG_ARGV[3], ',');
    cols text[] := ARRAY[sort_col] || prefix_cols || text_cols;
    o jsonb;
    n jsonb;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        o := to_jsonb(OLD);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        n := to_jsonb(NEW);
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF NOT EXISTS (SELECT 1 FROM unnest(cols) AS c WHERE o -> c IS DISTINCT FROM n -> c) THEN
            RETURN NULL;
        END IF;
    END IF;
    IF o IS NOT NULL THEN
        DELETE FROM public.search_terms t
        WHERE t.tenant_id = OLD.tenant_id AND t.kind = v_kind AND t.sort_key = o ->> sort_col AND t.id = OLD.id
          AND t.term = ANY (ARRAY(SELECT app.search_terms_of(
                ARRAY(SELECT o ->> c FROM unnest(prefix_cols) AS c), ARRAY(SELECT o ->> c FROM unnest(text_cols) AS c))));
    END IF;
    IF n IS NOT NULL THEN
        INSERT INTO public.search_terms (tenant_id, kind, term, sort_key, id)
        SELECT NEW.tenant_id, v_kind, t, n ->> sort_col, NEW.id
        FROM app.search_terms_of(
            ARRAY(SELECT n ->> c FROM unnest(prefix_cols) AS c), ARRAY(SELECT n ->> c FROM unnest(text_cols) AS c)) AS t;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER products_search_terms AFTER INSERT OR DELETE OR UPDATE OF sku, name ON products
    FOR EACH ROW EXECUTE FUNCTION app.index_search_terms('product', 'sku', 'sku', 'name');
CREATE TRIGGER partners_search_terms AFTER INSERT OR DELETE OR UPDATE OF code, name ON partners
    FOR EACH ROW EXECUTE FUNCTION app.index_search_terms('partner', 'code', '', 'code,name');
CREATE TRIGGER employees_search_terms AFTER INSERT OR DELETE OR UPDATE OF employee_no, name ON employees
    FOR EACH ROW EXECUTE FUNCTION app.index_search_terms('employee', 'employee_no', '', 'employee_no,name');

-- The rows that exist already, tenant by tenant (row-level security is forced on
-- the owner too).
DO $$
DECLARE t bigint;
BEGIN
    FOR t IN SELECT id FROM tenants LOOP
        PERFORM set_config('app.tenant_id', t::text, true);
        INSERT INTO search_terms (tenant_id, kind, term, sort_key, id)
        SELECT p.tenant_id, 'product', x, p.sku, p.id
        FROM products p, app.search_terms_of(ARRAY[p.sku], ARRAY[p.name]) AS x WHERE p.tenant_id = t;
        INSERT INTO search_terms (tenant_id, kind, term, sort_key, id)
        SELECT p.tenant_id, 'partner', x, p.code, p.id
        FROM partners p, app.search_terms_of('{}', ARRAY[p.code, p.name]) AS x WHERE p.tenant_id = t;
        INSERT INTO search_terms (tenant_id, kind, term, sort_key, id)
        SELECT e.tenant_id, 'employee', x, e.employee_no, e.id
        FROM employees e, app.search_terms_of('{}', ARRAY[e.employee_no, e.name]) AS x WHERE e.tenant_id = t;
    END LOOP;
    PERFORM set_config('app.tenant_id', '', true);
END $$;

-- The product bigram index (0013) is replaced.
DROP TRIGGER products_index_terms ON products;
DROP FUNCTION app.index_product_terms();
DROP TABLE product_terms;
DROP FUNCTION app.product_bigrams(text);
