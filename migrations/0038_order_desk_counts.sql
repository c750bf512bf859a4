-- The order desk's counts now (issue 13: the dashboard's cost independent of the
-- number of orders): orders waiting for review, waiting to ship, held, and active
-- holds by kind, per tenant. Counting them from the orders read the backlog on every
-- first view after a write (the demo keeps ~15 % of its orders there: 34 ms of the
-- director's page at 100,000 orders, measured with log_min_duration_statement).
--
-- Kept like the daily rollups (0035): statement-level triggers only INSERT loose
-- rows of changes (`n` signed), readers sum a bucket's rows, and
-- app.compact_rollups() folds them. Buckets, by the definitions of the lists
-- (src/dashboard/repo.rs order_counts):
--   pending_review  orders in status pending_review
--   to_ship         orders in status approved, allocated or partially_shipped
--   held            orders with at least one active hold (released_at IS NULL)
--   hold:<kind>     active holds of that kind
-- Only the tenant-wide counts are kept: every role whose dashboard shows the order
-- desk sees the whole tenant's orders (orders::flow::scope); a narrower scope
-- counts from the orders as before.
CREATE TABLE order_desk_counts (
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    id        bigint GENERATED ALWAYS AS IDENTITY,
    compacted boolean NOT NULL DEFAULT false,
    bucket    text NOT NULL CHECK (bucket IN ('pending_review', 'to_ship', 'held') OR bucket LIKE 'hold:%'),
    n         bigint NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX order_desk_counts_bucket_idx ON order_desk_counts (tenant_id, bucket) INCLUDE (n);
CREATE INDEX order_desk_counts_loose_idx ON order_desk_counts (tenant_id, bucket) WHERE NOT compacted;

-- The bucket an order's status counts in (NULL: none).
CREATE FUNCTION app.order_desk_bucket(status text) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT CASE WHEN status = 'pending_review' THEN 'pending_review'
                      WHEN status IN ('approved', 'allocated', 'partially_shipped') THEN 'to_ship' END $$;

-- Orders: the status buckets of the new rows counted in, of the old ones out.
CREATE FUNCTION app.count_desk_orders() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO public.order_desk_counts (tenant_id, bucket, n)
        SELECT tenant_id, b, count(*) FROM (SELECT tenant_id, app.order_desk_bucket(status) AS b FROM new_rows) x
        WHERE b IS NOT NULL GROUP BY 1, 2;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO public.order_desk_counts (tenant_id, bucket, n)
        SELECT tenant_id, b, -count(*) FROM (SELECT tenant_id, app.order_desk_bucket(status) AS b FROM old_rows) x
        WHERE b IS NOT NULL GROUP BY 1, 2;
    ELSE
        INSERT INTO public.order_desk_counts (tenant_id, bucket, n)
        SELECT tenant_id, b, sum(s) FROM (
            SELECT tenant_id, app.order_desk_bucket(status) AS b, 1 AS s FROM new_rows
            UNION ALL
            SELECT tenant_id, app.order_desk_bucket(status), -1 FROM old_rows) x
        WHERE b IS NOT NULL GROUP BY 1, 2 HAVING sum(s) <> 0;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER orders_desk_inserted AFTER INSERT ON orders
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION app.count_desk_orders();
CREATE TRIGGER orders_desk_updated AFTER UPDATE ON orders
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION app.count_desk_orders();
CREATE TRIGGER orders_desk_deleted AFTER DELETE ON orders
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION app.count_desk_orders();

-- Holds: `changes` (tenant_id, order_id, kind, sign) — the active holds a statement
-- added (+1) and took away (-1). Per kind the signs add up. An order counts as held
-- when it has any active hold, so per order changed: `after` its active holds now,
-- `before` = after − its net change, and it moves in or out of `held`.
-- The orders changed are locked first by the trigger (FOR NO KEY UPDATE, in id order): a
-- concurrent transaction changing the same order's holds then waits for this one
-- to commit, and its own count of `after` (a new snapshot in READ COMMITTED) sees
-- this one's holds — two first holds placed at once count the order once. The app
-- locks the order before changing its holds anyway (orders::flow::lock).
CREATE FUNCTION app.desk_holds_insert(changes text) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $f$ SELECT format($q$
    WITH c AS (%s),
    per_order AS (SELECT tenant_id, order_id, sum(sign) AS d FROM c GROUP BY 1, 2 HAVING sum(sign) <> 0),
    now_active AS (SELECT p.tenant_id, p.order_id, p.d,
                          (SELECT count(*) FROM public.order_holds h
                           WHERE h.tenant_id = p.tenant_id AND h.order_id = p.order_id AND h.released_at IS NULL) AS after
                   FROM per_order p)
    INSERT INTO public.order_desk_counts (tenant_id, bucket, n)
    SELECT tenant_id, bucket, sum(n) FROM (
        SELECT tenant_id, 'hold:' || kind AS bucket, sign AS n FROM c
        UNION ALL
        SELECT tenant_id, 'held', (after > 0)::int - (after - d > 0)::int FROM now_active) x
    GROUP BY 1, 2 HAVING sum(n) <> 0
    $q$, changes) $f$;

CREATE FUNCTION app.count_desk_holds() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$
BEGIN
    -- The locks first, in a statement of their own, so the count below is taken
    -- after any concurrent writer of these orders has committed.
    IF TG_OP = 'INSERT' THEN
        PERFORM 1 FROM public.orders o WHERE (o.tenant_id, o.id) IN (SELECT tenant_id, order_id FROM new_rows)
        ORDER BY o.tenant_id, o.id FOR NO KEY UPDATE;
        EXECUTE app.desk_holds_insert(
            'SELECT tenant_id, order_id, kind, 1 AS sign FROM new_rows WHERE released_at IS NULL');
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM 1 FROM public.orders o WHERE (o.tenant_id, o.id) IN (SELECT tenant_id, order_id FROM old_rows)
        ORDER BY o.tenant_id, o.id FOR NO KEY UPDATE;
        EXECUTE app.desk_holds_insert(
            'SELECT tenant_id, order_id, kind, -1 AS sign FROM old_rows WHERE released_at IS NULL');
    ELSE
        PERFORM 1 FROM public.orders o
        WHERE (o.tenant_id, o.id) IN (SELECT tenant_id, order_id FROM new_rows UNION SELECT tenant_id, order_id FROM old_rows)
        ORDER BY o.tenant_id, o.id FOR NO KEY UPDATE;
        EXECUTE app.desk_holds_insert(
            'SELECT tenant_id, order_id, kind, 1 AS sign FROM new_rows WHERE released_at IS NULL
             UNION ALL
             SELECT tenant_id, order_id, kind, -1 FROM old_rows WHERE released_at IS NULL');
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER order_holds_desk_inserted AFTER INSERT ON order_holds
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION app.count_desk_holds();
CREATE TRIGGER order_holds_desk_updated AFTER UPDATE ON order_holds
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION app.count_desk_holds();
CREATE TRIGGER order_holds_desk_deleted AFTER DELETE ON order_holds
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION app.count_desk_holds();

-- A tenant's counts recounted from its orders and holds (the tenant must be the
-- current one: RLS).
CREATE FUNCTION app.rebuild_order_desk_counts(tenant bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$
BEGIN
    DELETE FROM public.order_desk_counts WHERE tenant_id = tenant;
    INSERT INTO public.order_desk_counts (tenant_id, compacted, bucket, n)
    SELECT tenant, true, b, count(*)
    FROM (SELECT app.order_desk_bucket(status) AS b FROM public.orders WHERE tenant_id = tenant) x
    WHERE b IS NOT NULL GROUP BY b;
    INSERT INTO public.order_desk_counts (tenant_id, compacted, bucket, n)
    SELECT tenant, true, 'held', count(DISTINCT order_id) FROM public.order_holds
    WHERE tenant_id = tenant AND released_at IS NULL HAVING count(*) > 0;
    INSERT INTO public.order_desk_counts (tenant_id, compacted, bucket, n)
    SELECT tenant, true, 'hold:' || kind, count(*) FROM public.order_holds
    WHERE tenant_id = tenant AND released_at IS NULL GROUP BY kind;
END $$;
REVOKE ALL ON FUNCTION app.rebuild_order_desk_counts(bigint) FROM PUBLIC;

-- app.rollups rebuilt (0035) with the counts too.
CREATE OR REPLACE FUNCTION app.rebuild_rollups(tenant bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$
BEGIN
    DELETE FROM public.sales_days WHERE tenant_id = tenant;
    DELETE FROM public.campaign_days WHERE tenant_id = tenant;
    DELETE FROM public.stock_days WHERE tenant_id = tenant;
    EXECUTE app.sales_days_insert(app.order_parts_sql(
        format('SELECT o, 1 AS sign, true AS with_refunds FROM public.orders o WHERE o.tenant_id = %s', tenant), 'sales'));
    EXECUTE app.campaign_days_insert(app.order_parts_sql(
        format('SELECT o, 1 AS sign, true AS with_refunds FROM public.orders o WHERE o.tenant_id = %s', tenant), 'campaign'));
    EXECUTE app.stock_days_insert(format('SELECT * FROM public.stock_movements WHERE tenant_id = %s', tenant));
    PERFORM app.rebuild_order_desk_counts(tenant);
    PERFORM app.compact_rollups();
END $$;

-- app.compact_rollups (0037) folding the counts too.
CREATE OR REPLACE FUNCTION app.compact_rollups() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$
DECLARE
    t bigint := app.current_tenant();
BEGIN
    IF t IS NULL THEN
        RETURN;
    END IF;
    -- Nothing loose (the common case: a page read twice without a write between)
    -- costs four probes of the partial indexes, no statement.
    IF EXISTS (SELECT 1 FROM public.sales_days WHERE tenant_id = t AND NOT compacted) THEN
    WITH loose AS (SELECT DISTINCT dim, key, day FROM public.sales_days WHERE tenant_id = t AND NOT compacted),
         gone AS (DELETE FROM public.sales_days s USING loose l
                  WHERE s.tenant_id = t AND s.dim = l.dim AND s.key = l.key AND s.day = l.day RETURNING s.*)
    INSERT INTO public.sales_days (tenant_id, compacted, dim, key, day, paid_orders, paid_fen, refunds, refund_fen,
                                   shipped_orders, shipped_on_time)
    SELECT t, true, dim, key, day, sum(paid_orders), sum(paid_fen), sum(refunds), sum(refund_fen), sum(shipped_orders),
           sum(shipped_on_time)
    FROM gone GROUP BY dim, key, day
    HAVING sum(paid_orders) <> 0 OR sum(paid_fen) <> 0 OR sum(refunds) <> 0 OR sum(refund_fen) <> 0
        OR sum(shipped_orders) <> 0 OR sum(shipped_on_time) <> 0;
    END IF;
    IF EXISTS (SELECT 1 FROM public.campaign_days WHERE tenant_id = t AND NOT compacted) THEN
    WITH loose AS (SELECT DISTINCT campaign_id, day FROM public.campaign_days WHERE tenant_id = t AND NOT compacted),
         gone AS (DELETE FROM public.campaign_days s USING loose l
                  WHERE s.tenant_id = t AND s.campaign_id = l.campaign_id AND s.day = l.day RETURNING s.*)
    INSERT INTO public.campaign_days (tenant_id, compacted, campaign_id, day, orders, paid_fen, refunds, refund_fen)
    SELECT t, true, campaign_id, day, sum(orders), sum(paid_fen), sum(refunds), sum(refund_fen)
    FROM gone GROUP BY campaign_id, day
    HAVING sum(orders) <> 0 OR sum(paid_fen) <> 0 OR sum(refunds) <> 0 OR sum(refund_fen) <> 0;
    END IF;
    IF EXISTS (SELECT 1 FROM public.stock_days WHERE tenant_id = t AND NOT compacted) THEN
    WITH loose AS (SELECT DISTINCT warehouse_id, day FROM public.stock_days WHERE tenant_id = t AND NOT compacted),
         gone AS (DELETE FROM public.stock_days s USING loose l
                  WHERE s.tenant_id = t AND s.warehouse_id = l.warehouse_id AND s.day = l.day RETURNING s.*)
    INSERT INTO public.stock_days (tenant_id, compacted, warehouse_id, day, value_change_fen, shipped_cost_fen,
                                   shipped_units)
    SELECT t, true, warehouse_id, day, sum(value_change_fen), sum(shipped_cost_fen), sum(shipped_units)
    FROM gone GROUP BY warehouse_id, day
    HAVING sum(value_change_fen) <> 0 OR sum(shipped_cost_fen) <> 0 OR sum(shipped_units) <> 0;
    END IF;
    IF EXISTS (SELECT 1 FROM public.order_desk_counts WHERE tenant_id = t AND NOT compacted) THEN
    WITH loose AS (SELECT DISTINCT bucket FROM public.order_desk_counts WHERE tenant_id = t AND NOT compacted),
         gone AS (DELETE FROM public.order_desk_counts s USING loose l
                  WHERE s.tenant_id = t AND s.bucket = l.bucket RETURNING s.*)
    INSERT INTO public.order_desk_counts (tenant_id, compacted, bucket, n)
    SELECT t, true, bucket, sum(n) FROM gone GROUP BY bucket HAVING sum(n) <> 0;
    END IF;
END $$;

ALTER TABLE order_desk_counts ENABLE ROW LEVEL SECURITY;
ALTER TABLE order_desk_counts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON order_desk_counts USING (tenant_id = (SELECT app.current_tenant()))
    WITH CHECK (tenant_id = (SELECT app.current_tenant()));
-- The runtime role reads the counts; only the triggers write them.
GRANT SELECT ON order_desk_counts TO yunying_app;

-- The counts of what exists already (RLS: one tenant at a time).
DO $$
DECLARE
    t bigint;
BEGIN
    FOR t IN SELECT id FROM tenants LOOP
        PERFORM set_config('app.tenant_id', t::text, true);
        PERFORM app.rebuild_order_desk_counts(t);
    END LOOP;
END $$;
