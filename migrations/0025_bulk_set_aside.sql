-- Foreign keys and secondary indexes set aside while tables that have never held a
-- row are loaded in bulk (`db::bulk`: the demo's orders), and put back afterwards:
-- PostgreSQL's own advice for populating a database ("remove indexes", "remove
-- foreign key constraints"), since a foreign key checks every inserted row through
-- a trigger and a query of its own (about 15 µs a row here, most of a bulk insert)
-- while re-adding it checks the whole table in one join.
--
-- Each definition is recorded here, in the same transaction that drops it, so that
-- a load killed halfway loses nothing: every `yunying` command puts back what is
-- recorded (after its migrations) before doing anything else. Not tenant data: no
-- tenant_id, no row-level security, not distributed by deploy/citus.sql (it lives
-- with the schema, on the coordinator). Only the owner touches it.
CREATE TABLE app.bulk_set_aside (
    position   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    table_name text NOT NULL,
    -- 'foreign_key' (put back NOT VALID, then validated), 'index', or
    -- 'search_terms': a search-terms trigger disabled, the table's terms written
    -- by one sorted statement at the end instead of one per insert
    kind       text NOT NULL CHECK (kind IN ('foreign_key', 'index', 'search_terms')),
    name       text NOT NULL,
    -- pg_get_constraintdef / pg_get_indexdef, as they were; for 'search_terms' the
    -- statement that writes the table's terms (run for each tenant)
    definition text NOT NULL,
    set_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (table_name, name)
);
REVOKE ALL ON app.bulk_set_aside FROM PUBLIC;

-- The search terms of every row of a table, or of a statement's new rows: one
-- definition for the statement trigger of 0021 (source `new_rows`) and for the end of
-- a bulk load (source the table itself). Arguments as the triggers': kind, the
-- sort-key column, the prefix columns and the substring columns (comma-separated).
CREATE FUNCTION app.search_terms_insert(source text, kind text, sort_col text, prefix_cols text, text_cols text)
    RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$
    SELECT format(
        'INSERT INTO public.search_terms (tenant_id, kind, term, sort_key, id)
         SELECT n.tenant_id, %L, t, n.%I, n.id
         FROM %s n, app.search_terms_of(ARRAY[%s]::text[], ARRAY[%s]::text[]) AS t
         ORDER BY 1, 2, 3, 4, 5',
        kind, sort_col, source,
        coalesce((SELECT string_agg(format('n.%I', c), ', ') FROM unnest(string_to_array(prefix_cols, ',')) AS c
                  WHERE c <> ''), ''),
        coalesce((SELECT string_agg(format('n.%I', c), ', ') FROM unnest(string_to_array(text_cols, ',')) AS c
                  WHERE c <> ''), ''))
$$;

CREATE OR REPLACE FUNCTION app.index_inserted_search_terms() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    EXECUTE app.search_terms_insert('new_rows', TG_ARGV[0], TG_ARGV[1], TG_ARGV[2], TG_ARGV[3]);
    RETURN NULL;
END $$;

-- The statement that writes the terms of every row of the table of the statement
-- trigger `trigger_oid` (an app.index_inserted_search_terms trigger), from its
-- arguments.
CREATE FUNCTION app.search_terms_fill(trigger_oid oid) RETURNS text
    LANGUAGE sql STABLE
    AS $$
    SELECT app.search_terms_insert(format('ONLY %s', t.tgrelid::regclass), a[1], a[2], a[3], a[4])
    FROM pg_trigger t,
         -- tgargs: each argument followed by a NUL byte, which 'escape' shows as \000
         LATERAL (SELECT string_to_array(encode(t.tgargs, 'escape'), '\000') AS a) x
    WHERE t.oid = trigger_oid
$$;
