-- Inserted rows index their search terms once per statement, from the statement's
-- transition table, instead of once per row: the row trigger of 0015 turned each
-- new row into jsonb and ran its own INSERT, which made a bulk intake (a
-- platform export, the demo's million orders) spend most of its time there — about
-- 0.3 ms an order. Updates and deletes keep the row trigger (they touch one row
-- and must remove that row's old terms). Same terms, same rows: tests/it/search.rs.
CREATE FUNCTION app.index_inserted_search_terms() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    EXECUTE format(
        'INSERT INTO public.search_terms (tenant_id, kind, term, sort_key, id)
         SELECT n.tenant_id, %L, t, n.%I, n.id
         FROM new_rows n, app.search_terms_of(ARRAY[%s]::text[], ARRAY[%s]::text[]) AS t',
        TG_ARGV[0], TG_ARGV[1],
        coalesce((SELECT string_agg(format('n.%I', c), ', ') FROM unnest(string_to_array(TG_ARGV[2], ',')) AS c
                  WHERE c <> ''), ''),
        coalesce((SELECT string_agg(format('n.%I', c), ', ') FROM unnest(string_to_array(TG_ARGV[3], ',')) AS c
                  WHERE c <> ''), ''));
    RETURN NULL;
END $$;

-- Each indexed table: its row trigger for updates and deletes, a statement trigger for inserts.
DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT * FROM (VALUES
        ('products', 'product', 'sku', 'sku', 'name', 'sku, name'),
        ('partners', 'partner', 'code', '', 'code,name', 'code, name'),
        ('employees', 'employee', 'employee_no', '', 'employee_no,name', 'employee_no, name'),
        ('orders', 'order', 'order_no', 'order_no,phone,phone_tail', 'receiver', 'order_no, phone, receiver'))
        AS x (tbl, kind, sort_col, prefix_cols, text_cols, watched)
    LOOP
        EXECUTE format('DROP TRIGGER %I ON %I', t.tbl || '_search_terms', t.tbl);
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE OR UPDATE OF %s ON %I FOR EACH ROW '
                       'EXECUTE FUNCTION app.index_search_terms(%L, %L, %L, %L)',
                       t.tbl || '_search_terms', t.watched, t.tbl, t.kind, t.sort_col, t.prefix_cols, t.text_cols);
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT '
                       'EXECUTE FUNCTION app.index_inserted_search_terms(%L, %L, %L, %L)',
                       t.tbl || '_search_terms_inserted', t.tbl, t.kind, t.sort_col, t.prefix_cols, t.text_cols);
    END LOOP;
END $$;
