-- Daily rollups (issue 13 item 4): per tenant and local day, the sums the
-- dashboards, the monthly report, the sales targets and the campaign
-- reconciliation read, so that what they cost does not grow with the orders.
--
-- Kept exact by statement-level triggers on the source tables (orders, refunds,
-- stock_movements) that add what a statement changed, in the statement's own
-- transaction: a write and its rollup commit or roll back together, and what a
-- page reads is never behind. Each trigger adds the contribution of the rows after
-- the statement and subtracts that of the rows before it, from one definition per
-- source (`app.order_sales_parts`, `app.order_campaign_parts`, `app.refund_parts`,
-- `app.movement_parts`); `app.rebuild_rollups(tenant)` recomputes a tenant's
-- rollups from the source rows with the same definitions (after a change of the
-- tenant's time zone or `ship_within_hours`, which the rollups were bucketed by),
-- and a property test checks that the kept rollups always equal that recount.
--
-- What counts (docs/decisions.md, "Dashboards"):
-- - an order's sale: paid (`paid_at`), not cancelled, on the local day of paid_at;
-- - its shipment: `shipped_at` (the first parcel), not cancelled, on that local day,
--   on time when approved and shipped within `ship_within_hours` (48) of approval;
-- - a refund: `done`, its order not cancelled, on the local day of
--   coalesce(decided_at, recorded_at), under its order's dimensions;
-- - a campaign's orders (the reconciliation): paid, not cancelled, bucketed by the
--   local day the order was placed (`ordered_at`), with their done refunds whenever
--   they were;
-- - stock: every movement valued at the product's cost when it was recorded
--   (`unit_cost_fen`, new here: the last purchase cost, else the price), so the book
--   value at the end of a day is the running sum of the days' value changes.
--
-- sales_days is summed per (dimension, key, day): dimension 'all' (key '-': the
-- tenant), 'platform', 'rep' (users.id), 'dept' (orders.rep_department) and
-- 'warehouse' — the keys the order lists' scopes and the charts group by.
--
-- A trigger only ever INSERTs: each statement adds one loose row per key and day it
-- changed (`compacted` false), so concurrent writers of a tenant never wait for
-- one another on a day's row (an upsert of one row per day made every order
-- transaction of a day queue behind the others until commit, and two multi-
-- statement transactions deadlock — the demo's parallel order writers did at
-- once). Readers sum every row of a key and day; `app.compact_rollups()` folds the
-- loose rows of the current tenant into one row each, and is run before a
-- dashboard, targets grid or campaign page reads (src/dashboard/repo.rs).

CREATE TABLE sales_days (
    tenant_id       bigint NOT NULL REFERENCES tenants (id),
    id              bigint GENERATED ALWAYS AS IDENTITY,
    -- false: a change added by a trigger, not yet folded into its day's row.
    compacted       boolean NOT NULL DEFAULT false,
    dim             text NOT NULL CHECK (dim IN ('all', 'platform', 'rep', 'dept', 'warehouse')),
    key             text NOT NULL,
    day             date NOT NULL,
    paid_orders     bigint NOT NULL DEFAULT 0,
    paid_fen        bigint NOT NULL DEFAULT 0,
    refunds         bigint NOT NULL DEFAULT 0,
    refund_fen      bigint NOT NULL DEFAULT 0,
    shipped_orders  bigint NOT NULL DEFAULT 0,
    shipped_on_time bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX sales_days_key_idx ON sales_days (tenant_id, dim, key, day);
CREATE INDEX sales_days_loose_idx ON sales_days (tenant_id, dim, key, day) WHERE NOT compacted;

CREATE TABLE campaign_days (
    tenant_id    bigint NOT NULL REFERENCES tenants (id),
    id           bigint GENERATED ALWAYS AS IDENTITY,
    compacted    boolean NOT NULL DEFAULT false,
    campaign_id  bigint NOT NULL,
    day          date NOT NULL,
    orders       bigint NOT NULL DEFAULT 0,
    paid_fen     bigint NOT NULL DEFAULT 0,
    refunds      bigint NOT NULL DEFAULT 0,
    refund_fen   bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, campaign_id) REFERENCES campaigns (tenant_id, id)
);
CREATE INDEX campaign_days_key_idx ON campaign_days (tenant_id, campaign_id, day);
CREATE INDEX campaign_days_loose_idx ON campaign_days (tenant_id, campaign_id, day) WHERE NOT compacted;

CREATE TABLE stock_days (
    tenant_id        bigint NOT NULL REFERENCES tenants (id),
    id               bigint GENERATED ALWAYS AS IDENTITY,
    compacted        boolean NOT NULL DEFAULT false,
    warehouse_id     bigint NOT NULL,
    day              date NOT NULL,
    value_change_fen bigint NOT NULL DEFAULT 0,
    shipped_cost_fen bigint NOT NULL DEFAULT 0,
    shipped_units    bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, warehouse_id) REFERENCES warehouses (tenant_id, id)
);
CREATE INDEX stock_days_key_idx ON stock_days (tenant_id, warehouse_id, day);
CREATE INDEX stock_days_loose_idx ON stock_days (tenant_id, warehouse_id, day) WHERE NOT compacted;

-- The cost a movement was valued at (fen per unit).
ALTER TABLE stock_movements ADD COLUMN unit_cost_fen bigint CHECK (unit_cost_fen >= 0);

-- The movement's cost, set as it is recorded (after the level is moved).
CREATE FUNCTION app.cost_stock_movement() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$
BEGIN
    IF NEW.unit_cost_fen IS NULL THEN
        SELECT coalesce(p.last_cost_fen, p.price_fen) INTO NEW.unit_cost_fen
        FROM public.products p WHERE p.tenant_id = NEW.tenant_id AND p.id = NEW.product_id;
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION app.cost_stock_movement() FROM PUBLIC;
CREATE TRIGGER stock_movements_cost BEFORE INSERT ON stock_movements
    FOR EACH ROW EXECUTE FUNCTION app.cost_stock_movement();

UPDATE stock_movements m SET unit_cost_fen = coalesce(p.last_cost_fen, p.price_fen)
FROM products p WHERE p.tenant_id = m.tenant_id AND p.id = m.product_id;

-- A tenant's time zone as the rollups bucket by it: the setting, or Asia/Shanghai
-- when it is missing or not a zone PostgreSQL knows (as src/tz.rs falls back).
CREATE FUNCTION app.rollup_time_zone(tenant bigint) RETURNS text
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$
DECLARE
    tz text;
BEGIN
    SELECT t.settings ->> 'time_zone' INTO tz FROM public.tenants t WHERE t.id = tenant;
    IF tz IS NULL THEN
        RETURN 'Asia/Shanghai';
    END IF;
    BEGIN
        PERFORM now() AT TIME ZONE tz;
        RETURN tz;
    EXCEPTION WHEN others THEN
        RETURN 'Asia/Shanghai';
    END;
END $$;

-- The tenants of a statement with their time zone and on-time hours.
CREATE FUNCTION app.rollup_settings(tenants bigint[])
    RETURNS TABLE (tenant_id bigint, tz text, ship_hours integer)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$ SELECT t.id, app.rollup_time_zone(t.id),
                 coalesce((t.settings ->> 'ship_within_hours')::integer, 48)
          FROM public.tenants t WHERE t.id = ANY (tenants) $$;

-- An order's contribution to sales_days: its sale, its shipment and (when
-- `with_refunds`) its done refunds, under each of its dimensions.
CREATE FUNCTION app.order_sales_parts(o public.orders, tz text, ship_hours integer, with_refunds boolean)
    RETURNS TABLE (dim text, key text, day date, paid_orders bigint, paid_fen bigint, refunds bigint,
                   refund_fen bigint, shipped_orders bigint, shipped_on_time bigint)
    LANGUAGE sql STABLE SET search_path = pg_catalog, public
    AS $$
    WITH parts (day, paid_orders, paid_fen, refunds, refund_fen, shipped_orders, shipped_on_time) AS (
        SELECT (o.paid_at AT TIME ZONE tz)::date, 1::bigint, o.paid_fen, 0::bigint, 0::bigint, 0::bigint, 0::bigint
        WHERE o.paid_at IS NOT NULL AND o.status <> 'cancelled'
        UNION ALL
        SELECT (o.shipped_at AT TIME ZONE tz)::date, 0, 0, 0, 0, 1,
               CASE WHEN o.approved_at IS NOT NULL AND o.shipped_at <= o.approved_at + make_interval(hours => ship_hours)
                    THEN 1 ELSE 0 END
        WHERE o.shipped_at IS NOT NULL AND o.status <> 'cancelled'
        UNION ALL
        SELECT (coalesce(r.decided_at, r.recorded_at) AT TIME ZONE tz)::date, 0, 0, 1, r.amount_fen, 0, 0
        FROM public.refunds r
        WHERE with_refunds AND o.status <> 'cancelled' AND r.tenant_id = o.tenant_id AND r.order_id = o.id
          AND r.status = 'done')
    SELECT d.dim, d.key, p.day, p.paid_orders, p.paid_fen, p.refunds, p.refund_fen, p.shipped_orders, p.shipped_on_time
    FROM parts p
    CROSS JOIN LATERAL (VALUES ('all', '-'), ('platform', o.platform), ('rep', o.rep_id::text),
                               ('dept', o.rep_department), ('warehouse', o.warehouse_id::text)) AS d (dim, key)
    WHERE d.key IS NOT NULL AND d.key <> '' $$;

-- An order's contribution to campaign_days: itself when paid and not cancelled,
-- and its done refunds, on the day it was placed.
CREATE FUNCTION app.order_campaign_parts(o public.orders, tz text, with_refunds boolean)
    RETURNS TABLE (campaign_id bigint, day date, orders bigint, paid_fen bigint, refunds bigint, refund_fen bigint)
    LANGUAGE sql STABLE SET search_path = pg_catalog, public
    AS $$
    SELECT o.campaign_id, (o.ordered_at AT TIME ZONE tz)::date, 1::bigint, o.paid_fen,
           coalesce(r.n, 0), coalesce(r.fen, 0)
    FROM (SELECT 1) one
    LEFT JOIN LATERAL (SELECT count(*)::bigint AS n, sum(x.amount_fen)::bigint AS fen FROM public.refunds x
                       WHERE with_refunds AND x.tenant_id = o.tenant_id AND x.order_id = o.id AND x.status = 'done') r ON true
    WHERE o.campaign_id IS NOT NULL AND o.paid_at IS NOT NULL AND o.status <> 'cancelled' $$;

-- The statement that adds `parts` — a query of rows (tenant_id, dim, key, day,
-- sign, and the six measures) — to sales_days: one loose row per key and day
-- changed, rows whose change is all zero left out. Run by the triggers with EXECUTE, since only
-- the trigger function itself sees its transition tables.
CREATE FUNCTION app.sales_days_insert(parts text) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $f$ SELECT format($q$
    INSERT INTO public.sales_days (tenant_id, dim, key, day, paid_orders, paid_fen, refunds, refund_fen,
                                        shipped_orders, shipped_on_time)
    SELECT x.tenant_id, x.dim, x.key, x.day, sum(x.sign * x.paid_orders), sum(x.sign * x.paid_fen),
           sum(x.sign * x.refunds), sum(x.sign * x.refund_fen), sum(x.sign * x.shipped_orders),
           sum(x.sign * x.shipped_on_time)
    FROM (%s) x
    GROUP BY 1, 2, 3, 4
    HAVING sum(x.sign * x.paid_orders) <> 0 OR sum(x.sign * x.paid_fen) <> 0 OR sum(x.sign * x.refunds) <> 0
        OR sum(x.sign * x.refund_fen) <> 0 OR sum(x.sign * x.shipped_orders) <> 0
        OR sum(x.sign * x.shipped_on_time) <> 0
    $q$, parts) $f$;

-- The same for campaign_days (rows: tenant_id, campaign_id, day, sign, four measures).
CREATE FUNCTION app.campaign_days_insert(parts text) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $f$ SELECT format($q$
    INSERT INTO public.campaign_days (tenant_id, campaign_id, day, orders, paid_fen, refunds, refund_fen)
    SELECT x.tenant_id, x.campaign_id, x.day, sum(x.sign * x.orders), sum(x.sign * x.paid_fen),
           sum(x.sign * x.refunds), sum(x.sign * x.refund_fen)
    FROM (%s) x
    GROUP BY 1, 2, 3
    HAVING sum(x.sign * x.orders) <> 0 OR sum(x.sign * x.paid_fen) <> 0 OR sum(x.sign * x.refunds) <> 0
        OR sum(x.sign * x.refund_fen) <> 0
    $q$, parts) $f$;

-- The parts of a set of orders: `changed` a query of (o orders, sign, with_refunds).
CREATE FUNCTION app.order_parts_sql(changed text, target text) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $f$ SELECT CASE target
    WHEN 'sales' THEN format($q$
        WITH c AS (%s), s AS (SELECT * FROM app.rollup_settings(ARRAY(SELECT DISTINCT (c.o).tenant_id FROM c)))
        SELECT (c.o).tenant_id, p.dim, p.key, p.day, c.sign, p.paid_orders, p.paid_fen, p.refunds, p.refund_fen,
               p.shipped_orders, p.shipped_on_time
        FROM c JOIN s ON s.tenant_id = (c.o).tenant_id,
             app.order_sales_parts(c.o, s.tz, s.ship_hours, c.with_refunds) p $q$, changed)
    ELSE format($q$
        WITH c AS (%s), s AS (SELECT * FROM app.rollup_settings(ARRAY(SELECT DISTINCT (c.o).tenant_id FROM c)))
        SELECT (c.o).tenant_id, p.campaign_id, p.day, c.sign, p.orders, p.paid_fen, p.refunds, p.refund_fen
        FROM c JOIN s ON s.tenant_id = (c.o).tenant_id,
             app.order_campaign_parts(c.o, s.tz, c.with_refunds) p
        WHERE (c.o).campaign_id IS NOT NULL $q$, changed) END $f$;

-- What an orders statement changed: inserted orders (no refunds yet: a refund
-- needs its order), deleted ones, and updated ones whose counted columns changed
-- (the old row taken out, the new one put in, their refunds as they are now).
CREATE FUNCTION app.rollup_orders() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$
DECLARE
    changed text;
BEGIN
    changed := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT n::public.orders AS o, 1 AS sign, false AS with_refunds FROM new_rows n'
        WHEN 'DELETE' THEN 'SELECT d::public.orders AS o, -1 AS sign, true AS with_refunds FROM old_rows d'
        ELSE 'SELECT x.o, x.sign, true AS with_refunds
              FROM old_rows b JOIN new_rows a ON a.tenant_id = b.tenant_id AND a.id = b.id
              CROSS JOIN LATERAL (VALUES (b::public.orders, -1), (a::public.orders, 1)) AS x (o, sign)
              WHERE (b.paid_at, b.paid_fen, b.status = ''cancelled'', b.shipped_at, b.approved_at, b.ordered_at,
                     b.platform, b.rep_id, b.rep_department, b.warehouse_id, b.campaign_id)
                    IS DISTINCT FROM
                    (a.paid_at, a.paid_fen, a.status = ''cancelled'', a.shipped_at, a.approved_at, a.ordered_at,
                     a.platform, a.rep_id, a.rep_department, a.warehouse_id, a.campaign_id)' END;
    EXECUTE app.sales_days_insert(app.order_parts_sql(changed, 'sales'));
    EXECUTE app.campaign_days_insert(app.order_parts_sql(changed, 'campaign'));
    RETURN NULL;
END $$;

CREATE TRIGGER orders_rollup_inserted AFTER INSERT ON orders
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION app.rollup_orders();
CREATE TRIGGER orders_rollup_updated AFTER UPDATE ON orders
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION app.rollup_orders();
CREATE TRIGGER orders_rollup_deleted AFTER DELETE ON orders
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION app.rollup_orders();

-- A refund's contribution, under its order's dimensions as they are now (`r` a
-- refunds row, `sign` ±1).
CREATE FUNCTION app.refund_parts_sql(changed text, target text) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $f$ SELECT CASE target
    WHEN 'sales' THEN format($q$
        WITH c AS (%s), s AS (SELECT * FROM app.rollup_settings(ARRAY(SELECT DISTINCT (c.r).tenant_id FROM c)))
        SELECT o.tenant_id, d.dim, d.key, (coalesce((c.r).decided_at, (c.r).recorded_at) AT TIME ZONE s.tz)::date AS day,
               c.sign, 0 AS paid_orders, 0 AS paid_fen, 1 AS refunds, (c.r).amount_fen AS refund_fen,
               0 AS shipped_orders, 0 AS shipped_on_time
        FROM c JOIN s ON s.tenant_id = (c.r).tenant_id
        JOIN public.orders o ON o.tenant_id = (c.r).tenant_id AND o.id = (c.r).order_id
        CROSS JOIN LATERAL (VALUES ('all', '-'), ('platform', o.platform), ('rep', o.rep_id::text),
                                   ('dept', o.rep_department), ('warehouse', o.warehouse_id::text)) AS d (dim, key)
        WHERE (c.r).status = 'done' AND o.status <> 'cancelled' AND d.key IS NOT NULL AND d.key <> '' $q$, changed)
    ELSE format($q$
        WITH c AS (%s), s AS (SELECT * FROM app.rollup_settings(ARRAY(SELECT DISTINCT (c.r).tenant_id FROM c)))
        SELECT o.tenant_id, o.campaign_id, (o.ordered_at AT TIME ZONE s.tz)::date AS day, c.sign,
               0 AS orders, 0 AS paid_fen, 1 AS refunds, (c.r).amount_fen AS refund_fen
        FROM c JOIN s ON s.tenant_id = (c.r).tenant_id
        JOIN public.orders o ON o.tenant_id = (c.r).tenant_id AND o.id = (c.r).order_id
        WHERE (c.r).status = 'done' AND o.status <> 'cancelled' AND o.campaign_id IS NOT NULL
          AND o.paid_at IS NOT NULL $q$, changed) END $f$;

CREATE FUNCTION app.rollup_refunds() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$
DECLARE
    changed text;
BEGIN
    changed := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT n::public.refunds AS r, 1 AS sign FROM new_rows n'
        WHEN 'DELETE' THEN 'SELECT d::public.refunds AS r, -1 AS sign FROM old_rows d'
        ELSE 'SELECT x.r, x.sign
              FROM old_rows b JOIN new_rows a ON a.tenant_id = b.tenant_id AND a.id = b.id
              CROSS JOIN LATERAL (VALUES (b::public.refunds, -1), (a::public.refunds, 1)) AS x (r, sign)
              WHERE (b.status, b.amount_fen, b.decided_at, b.recorded_at, b.order_id)
                    IS DISTINCT FROM (a.status, a.amount_fen, a.decided_at, a.recorded_at, a.order_id)' END;
    EXECUTE app.sales_days_insert(app.refund_parts_sql(changed, 'sales'));
    EXECUTE app.campaign_days_insert(app.refund_parts_sql(changed, 'campaign'));
    RETURN NULL;
END $$;

CREATE TRIGGER refunds_rollup_inserted AFTER INSERT ON refunds
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION app.rollup_refunds();
CREATE TRIGGER refunds_rollup_updated AFTER UPDATE ON refunds
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION app.rollup_refunds();
CREATE TRIGGER refunds_rollup_deleted AFTER DELETE ON refunds
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION app.rollup_refunds();

-- Movements (the ledger is append-only): each valued at its cost on its local day.
CREATE FUNCTION app.stock_days_insert(movements text) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $f$ SELECT format($q$
    WITH m AS (%s), s AS (SELECT * FROM app.rollup_settings(ARRAY(SELECT DISTINCT m.tenant_id FROM m)))
    INSERT INTO public.stock_days (tenant_id, warehouse_id, day, value_change_fen, shipped_cost_fen, shipped_units)
    SELECT m.tenant_id, m.warehouse_id, (m.created_at AT TIME ZONE s.tz)::date,
           sum(m.quantity * coalesce(m.unit_cost_fen, 0)),
           coalesce(sum(-m.quantity * coalesce(m.unit_cost_fen, 0)) FILTER (WHERE m.kind = 'shipment'), 0),
           coalesce(sum(-m.quantity) FILTER (WHERE m.kind = 'shipment'), 0)
    FROM m JOIN s ON s.tenant_id = m.tenant_id
    GROUP BY 1, 2, 3
    $q$, movements) $f$;

CREATE FUNCTION app.rollup_movements() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$
BEGIN
    EXECUTE app.stock_days_insert('SELECT * FROM new_rows');
    RETURN NULL;
END $$;

CREATE TRIGGER stock_movements_rollup AFTER INSERT ON stock_movements
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION app.rollup_movements();

-- Fold the current tenant's loose rows (what the triggers added) into one row per
-- key and day. Only an optimisation — every reader sums whatever rows a key and
-- day have — so it may run at any time, concurrently with writers (they only
-- insert) and with itself (at worst a key keeps two compacted rows).
CREATE FUNCTION app.compact_rollups() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$
DECLARE
    t bigint := app.current_tenant();
BEGIN
    IF t IS NULL THEN
        RETURN;
    END IF;
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
    WITH loose AS (SELECT DISTINCT campaign_id, day FROM public.campaign_days WHERE tenant_id = t AND NOT compacted),
         gone AS (DELETE FROM public.campaign_days s USING loose l
                  WHERE s.tenant_id = t AND s.campaign_id = l.campaign_id AND s.day = l.day RETURNING s.*)
    INSERT INTO public.campaign_days (tenant_id, compacted, campaign_id, day, orders, paid_fen, refunds, refund_fen)
    SELECT t, true, campaign_id, day, sum(orders), sum(paid_fen), sum(refunds), sum(refund_fen)
    FROM gone GROUP BY campaign_id, day
    HAVING sum(orders) <> 0 OR sum(paid_fen) <> 0 OR sum(refunds) <> 0 OR sum(refund_fen) <> 0;
    WITH loose AS (SELECT DISTINCT warehouse_id, day FROM public.stock_days WHERE tenant_id = t AND NOT compacted),
         gone AS (DELETE FROM public.stock_days s USING loose l
                  WHERE s.tenant_id = t AND s.warehouse_id = l.warehouse_id AND s.day = l.day RETURNING s.*)
    INSERT INTO public.stock_days (tenant_id, compacted, warehouse_id, day, value_change_fen, shipped_cost_fen,
                                   shipped_units)
    SELECT t, true, warehouse_id, day, sum(value_change_fen), sum(shipped_cost_fen), sum(shipped_units)
    FROM gone GROUP BY warehouse_id, day
    HAVING sum(value_change_fen) <> 0 OR sum(shipped_cost_fen) <> 0 OR sum(shipped_units) <> 0;
END $$;

-- A tenant's rollups recomputed from its source rows, by the same definitions
-- (the tenant must be the current one: RLS).
CREATE FUNCTION app.rebuild_rollups(tenant bigint) RETURNS void
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
    PERFORM app.compact_rollups();
END $$;
REVOKE ALL ON FUNCTION app.rebuild_rollups(bigint) FROM PUBLIC;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['sales_days', 'campaign_days', 'stock_days']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = (SELECT app.current_tenant())) '
                       'WITH CHECK (tenant_id = (SELECT app.current_tenant()))', t);
    END LOOP;
END $$;

-- The runtime role reads the rollups; only the triggers write them.
GRANT SELECT ON sales_days, campaign_days, stock_days TO yunying_app;

-- The rollups of what exists already (RLS: one tenant at a time).
DO $$
DECLARE
    t bigint;
BEGIN
    FOR t IN SELECT id FROM tenants LOOP
        PERFORM set_config('app.tenant_id', t::text, true);
        PERFORM app.rebuild_rollups(t);
    END LOOP;
END $$;

-- The campaign reconciliation reads campaign_days now: 0034's index only cost writes.
DROP INDEX orders_campaign_paid_idx;
