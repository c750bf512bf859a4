-- Bulk writes, two of them. Movements posted in bulk (`inventory::ledger::post_many`: the demo's months of
-- shipments), applied to their levels once per level instead of once per row.
--
-- The row trigger `stock_movements_apply` updates the movement's level for every
-- movement. A million shipments over a few hundred levels in one transaction update
-- each level thousands of times, and every update of a row already updated by the
-- same transaction walks all of that row's earlier versions (none can be pruned
-- while the transaction runs): quadratic, minutes for the demo. `app.post_movements`
-- locks the levels (in key order), checks that no level's running balance would
-- break its checks at any step (the same constraint names, so the caller sees what
-- a row-by-row post would have raised), raises each level once by its total and
-- inserts the movements with the balance after each — exactly the rows and levels
-- the row trigger would have produced.
--
-- While it inserts, the row trigger stands aside for rows that come with their
-- balance: its WHEN clause applies a movement only when `balance_after` is NULL.
-- The runtime role may insert every column of a movement but that one (column
-- privileges below), so each of its movements is applied by the trigger; only the
-- ledger's owner — this SECURITY DEFINER function — inserts a balance. Incoming
-- movements' `stock_movements_lift_stock_holds` (0020) still runs per row, after
-- the levels are raised.

REVOKE INSERT ON stock_movements FROM yunying_app;
GRANT INSERT (tenant_id, product_id, warehouse_id, kind, quantity, reason, doc_type, doc_id, created_by, created_at)
    ON stock_movements TO yunying_app;
ALTER TABLE stock_movements ALTER COLUMN balance_after DROP DEFAULT;

DROP TRIGGER stock_movements_apply ON stock_movements;
CREATE TRIGGER stock_movements_apply BEFORE INSERT ON stock_movements
    FOR EACH ROW WHEN (NEW.balance_after IS NULL) EXECUTE FUNCTION app.apply_stock_movement();

-- Post movements, in the order given, for `tenant` (row-level security holds it to
-- the transaction's tenant). Validation of each movement (kind and sign, reason) is
-- the caller's and the table's checks'.
CREATE FUNCTION app.post_movements(tenant bigint, products bigint[], warehouses bigint[], kinds text[], quantities bigint[],
                                   reasons text[], doc_types text[], doc_ids bigint[], creators bigint[])
    RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public
    AS $$
DECLARE
    broken text;
BEGIN
    -- Levels that do not exist yet start at zero (as the row trigger creates them).
    INSERT INTO stock_levels (tenant_id, product_id, warehouse_id, on_hand)
    SELECT DISTINCT tenant, x.p, x.w, 0 FROM unnest(products, warehouses) AS x (p, w)
    ON CONFLICT DO NOTHING;
    PERFORM 1 FROM stock_levels s
    WHERE s.tenant_id = tenant
      AND (s.product_id, s.warehouse_id) IN (SELECT DISTINCT x.p, x.w FROM unnest(products, warehouses) AS x (p, w))
    ORDER BY s.product_id, s.warehouse_id
    FOR NO KEY UPDATE;
    -- The lowest balance each level passes through, against its checks.
    SELECT CASE WHEN s.on_hand + r.low < 0 THEN 'stock_on_hand_not_negative'
                ELSE 'stock_reserved_within_on_hand' END
    INTO broken
    FROM (SELECT y.p, y.w, min(y.run) AS low
          FROM (SELECT x.p, x.w, sum(x.q) OVER (PARTITION BY x.p, x.w ORDER BY x.n) AS run
                FROM unnest(products, warehouses, quantities) WITH ORDINALITY AS x (p, w, q, n)) y
          GROUP BY y.p, y.w) r
    JOIN stock_levels s ON s.tenant_id = tenant AND s.product_id = r.p AND s.warehouse_id = r.w
    WHERE s.on_hand + r.low < 0 OR s.on_hand + r.low < s.reserved
    LIMIT 1;
    IF broken IS NOT NULL THEN
        RAISE EXCEPTION 'new row for relation "stock_levels" violates check constraint "%"', broken
            USING ERRCODE = 'check_violation', CONSTRAINT = broken, TABLE = 'stock_levels';
    END IF;
    WITH raised AS (
        UPDATE stock_levels s SET on_hand = s.on_hand + t.total, updated_at = now()
        FROM (SELECT x.p, x.w, sum(x.q) AS total FROM unnest(products, warehouses, quantities) AS x (p, w, q)
              GROUP BY x.p, x.w) t
        WHERE s.tenant_id = tenant AND s.product_id = t.p AND s.warehouse_id = t.w
        RETURNING s.product_id, s.warehouse_id, s.on_hand - t.total AS before
    )
    INSERT INTO stock_movements (tenant_id, product_id, warehouse_id, kind, quantity, reason, doc_type, doc_id,
                                 created_by, balance_after)
    SELECT tenant, x.p, x.w, x.k, x.q, x.r, x.d, x.i, x.c,
           raised.before + sum(x.q) OVER (PARTITION BY x.p, x.w ORDER BY x.n)
    FROM unnest(products, warehouses, kinds, quantities, reasons, doc_types, doc_ids, creators)
         WITH ORDINALITY AS x (p, w, k, q, r, d, i, c, n)
    JOIN raised ON raised.product_id = x.p AND raised.warehouse_id = x.w
    ORDER BY x.n;
END $$;
REVOKE ALL ON FUNCTION app.post_movements(bigint, bigint[], bigint[], text[], bigint[], text[], text[], bigint[], bigint[])
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.post_movements(bigint, bigint[], bigint[], text[], bigint[], text[], text[], bigint[], bigint[])
    TO yunying_app;

-- The search terms of inserted rows (0021), written in key order: a bulk insert of
-- orders adds about five terms per order, and in key order consecutive terms land
-- on the same index pages instead of one random page each. And no foreign key to
-- `tenants`: a term is derived from a row of its tenant (whose own key checks the
-- tenant) and written only by these triggers; the check cost a third of a bulk
-- insert's terms.
CREATE OR REPLACE FUNCTION app.index_inserted_search_terms() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    EXECUTE format(
        'INSERT INTO public.search_terms (tenant_id, kind, term, sort_key, id)
         SELECT n.tenant_id, %L, t, n.%I, n.id
         FROM new_rows n, app.search_terms_of(ARRAY[%s]::text[], ARRAY[%s]::text[]) AS t
         ORDER BY 1, 2, 3, 4, 5',
        TG_ARGV[0], TG_ARGV[1],
        coalesce((SELECT string_agg(format('n.%I', c), ', ') FROM unnest(string_to_array(TG_ARGV[2], ',')) AS c
                  WHERE c <> ''), ''),
        coalesce((SELECT string_agg(format('n.%I', c), ', ') FROM unnest(string_to_array(TG_ARGV[3], ',')) AS c
                  WHERE c <> ''), ''));
    RETURN NULL;
END $$;
ALTER TABLE search_terms DROP CONSTRAINT search_terms_tenant_id_fkey;
