-- The monthly report's top products from a daily rollup (issue 13): summing the
-- month's order lines cost ~0.7 s a view at 1,000,000 orders (the report ran at 1.8
-- requests/s). `product_days`: per tenant, product and local paid day, of the orders
-- paid and not cancelled, the lines' quantity, their amount (quantity × unit price)
-- and the number of orders with the product — exactly what
-- src/dashboard/report/repo.rs top_products counted from the lines.
--
-- Kept like the other rollups (0035): statement-level triggers only INSERT loose rows
-- of changes, readers sum, app.compact_rollups() folds. An order's part is, per
-- product of its lines, (quantity, amount, 1) on its paid day when it counts. On
-- orders, a change of paid_at, of being cancelled, takes the old part out and puts
-- the new one in. On order lines, a statement's orders have their part with the lines
-- as they are now put in and with the lines as they were taken out (before = now −
-- the new rows + the old rows, a line known by its key: order and line number), so a product's order counts once however many lines
-- it has. Lines are written with their order in the transaction that creates it (the
-- app has no other INSERT of lines, and its line UPDATEs change quantities reserved,
-- shipped and returned, which count nothing); a statement that changes a product,
-- quantity or price of an existing order's lines locks those orders first (FOR NO
-- KEY UPDATE), as the holds' trigger does (0038).
CREATE TABLE product_days (
    tenant_id  bigint NOT NULL REFERENCES tenants (id),
    id         bigint GENERATED ALWAYS AS IDENTITY,
    compacted  boolean NOT NULL DEFAULT false,
    product_id bigint NOT NULL,
    day        date NOT NULL,
    quantity   bigint NOT NULL DEFAULT 0,
    amount_fen bigint NOT NULL DEFAULT 0,
    orders     bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX product_days_day_idx ON product_days (tenant_id, day) INCLUDE (product_id, quantity, amount_fen, orders);
CREATE INDEX product_days_loose_idx ON product_days (tenant_id, product_id, day) WHERE NOT compacted;

-- The statement adding the parts of `changed` — a query of (o orders, sign, lines
-- text: 'now' or 'before') — where the lines 'before' are those of `before_sql`, a
-- query of order_lines rows. Run with EXECUTE: only the trigger function sees its
-- transition tables.
CREATE FUNCTION app.product_days_insert(changed text, lines_sql text) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $f$ SELECT format($q$
    WITH c AS (%s),
    s AS (SELECT * FROM app.rollup_settings(ARRAY(SELECT DISTINCT (c.o).tenant_id FROM c))),
    l AS (%s),
    parts AS (
        SELECT (c.o).tenant_id, x.product_id, ((c.o).paid_at AT TIME ZONE s.tz)::date AS day,
               c.sign * x.quantity AS quantity, c.sign * x.amount_fen AS amount_fen, c.sign AS orders
        FROM c JOIN s ON s.tenant_id = (c.o).tenant_id
        CROSS JOIN LATERAL (
            SELECT l.product_id, sum(l.quantity)::bigint AS quantity, sum(l.quantity * l.unit_price_fen)::bigint AS amount_fen
            FROM l WHERE l.tenant_id = (c.o).tenant_id AND l.order_id = (c.o).id AND l.lines = c.lines
            GROUP BY l.product_id) x
        WHERE (c.o).paid_at IS NOT NULL AND (c.o).status <> 'cancelled')
    INSERT INTO public.product_days (tenant_id, product_id, day, quantity, amount_fen, orders)
    SELECT tenant_id, product_id, day, sum(quantity), sum(amount_fen), sum(orders)
    FROM parts GROUP BY 1, 2, 3
    HAVING sum(quantity) <> 0 OR sum(amount_fen) <> 0 OR sum(orders) <> 0
    $q$, changed, lines_sql) $f$;

-- The lines of a set of orders as they are now, tagged 'now'.
CREATE FUNCTION app.lines_now_sql(orders_sql text) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $f$ SELECT format($q$
    SELECT l.tenant_id, l.order_id, l.product_id, l.quantity, l.unit_price_fen, 'now' AS lines
    FROM public.order_lines l WHERE (l.tenant_id, l.order_id) IN (%s) $q$, orders_sql) $f$;

CREATE FUNCTION app.rollup_products_orders() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$
BEGIN
    -- A new order has no lines yet, a deleted one none left (the lines' foreign key):
    -- only updates of what decides whether and when an order counts move anything.
    EXECUTE app.product_days_insert(
        'SELECT x.o, x.sign, ''now'' AS lines
         FROM old_rows b JOIN new_rows a ON a.tenant_id = b.tenant_id AND a.id = b.id
         CROSS JOIN LATERAL (VALUES (b::public.orders, -1), (a::public.orders, 1)) AS x (o, sign)
         WHERE (b.paid_at, b.status = ''cancelled'') IS DISTINCT FROM (a.paid_at, a.status = ''cancelled'')',
        app.lines_now_sql('SELECT tenant_id, id FROM new_rows'));
    RETURN NULL;
END $$;

CREATE TRIGGER orders_products_updated AFTER UPDATE ON orders
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION app.rollup_products_orders();

-- Lines: the orders whose counted lines changed, their part now in and before out.
CREATE FUNCTION app.rollup_products_lines() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$
DECLARE
    cols constant text := 'tenant_id, order_id, line_no, product_id, quantity, unit_price_fen';
    new_sql text := format('SELECT %s FROM new_rows', cols);
    old_sql text := format('SELECT %s FROM old_rows', cols);
    touched text;
BEGIN
    IF TG_OP = 'INSERT' THEN
        old_sql := format('SELECT %s FROM new_rows WHERE false', cols);
    ELSIF TG_OP = 'DELETE' THEN
        new_sql := format('SELECT %s FROM old_rows WHERE false', cols);
    ELSE
        -- Only the rows whose key or counted columns changed (reservations, shipments
        -- and returns update lines all day long and count nothing).
        new_sql := format('SELECT %1$s FROM new_rows a WHERE (%1$s) NOT IN (SELECT %1$s FROM old_rows)', cols);
        old_sql := format('SELECT %1$s FROM old_rows b WHERE (%1$s) NOT IN (SELECT %1$s FROM new_rows)', cols);
    END IF;
    touched := format('SELECT tenant_id, order_id FROM (%s) n UNION SELECT tenant_id, order_id FROM (%s) d',
                      new_sql, old_sql);
    IF TG_OP <> 'INSERT' THEN
        EXECUTE format('SELECT count(*) FROM (SELECT 1 FROM public.orders o WHERE (o.tenant_id, o.id) IN (%s)
                        ORDER BY o.tenant_id, o.id FOR NO KEY UPDATE) locked', touched);
    END IF;
    EXECUTE app.product_days_insert(
        format('SELECT o, x.sign, x.lines FROM public.orders o
                CROSS JOIN (VALUES (1, ''now''), (-1, ''before'')) AS x (sign, lines)
                WHERE (o.tenant_id, o.id) IN (%s)', touched),
        format('SELECT * FROM (%s) n
                UNION ALL
                SELECT l.tenant_id, l.order_id, l.product_id, l.quantity, l.unit_price_fen, ''before''
                FROM public.order_lines l
                WHERE (l.tenant_id, l.order_id) IN (%s)
                  AND (l.tenant_id, l.order_id, l.line_no) NOT IN (SELECT tenant_id, order_id, line_no FROM (%s) a)
                UNION ALL
                SELECT tenant_id, order_id, product_id, quantity, unit_price_fen, ''before'' FROM (%s) b',
               app.lines_now_sql(touched), touched, new_sql, old_sql));
    RETURN NULL;
END $$;

CREATE TRIGGER order_lines_products_inserted AFTER INSERT ON order_lines
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION app.rollup_products_lines();
CREATE TRIGGER order_lines_products_updated AFTER UPDATE ON order_lines
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION app.rollup_products_lines();
CREATE TRIGGER order_lines_products_deleted AFTER DELETE ON order_lines
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION app.rollup_products_lines();

-- A tenant's product days recounted from its orders and lines (the tenant must be
-- the current one: RLS).
CREATE FUNCTION app.rebuild_product_days(tenant bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$
BEGIN
    DELETE FROM public.product_days WHERE tenant_id = tenant;
    EXECUTE app.product_days_insert(
        format('SELECT o, 1 AS sign, ''now'' AS lines FROM public.orders o WHERE o.tenant_id = %s', tenant),
        format('SELECT l.tenant_id, l.order_id, l.product_id, l.quantity, l.unit_price_fen, ''now'' AS lines
                FROM public.order_lines l WHERE l.tenant_id = %s', tenant));
    UPDATE public.product_days SET compacted = true WHERE tenant_id = tenant;
END $$;
REVOKE ALL ON FUNCTION app.rebuild_product_days(bigint) FROM PUBLIC;

-- The fold of the product days' loose rows of the current tenant.
CREATE FUNCTION app.compact_product_days() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$
DECLARE
    t bigint := app.current_tenant();
BEGIN
    IF t IS NOT NULL AND EXISTS (SELECT 1 FROM public.product_days WHERE tenant_id = t AND NOT compacted) THEN
    WITH loose AS (SELECT DISTINCT product_id, day FROM public.product_days WHERE tenant_id = t AND NOT compacted),
         gone AS (DELETE FROM public.product_days s USING loose l
                  WHERE s.tenant_id = t AND s.product_id = l.product_id AND s.day = l.day RETURNING s.*)
    INSERT INTO public.product_days (tenant_id, compacted, product_id, day, quantity, amount_fen, orders)
    SELECT t, true, product_id, day, sum(quantity), sum(amount_fen), sum(orders)
    FROM gone GROUP BY product_id, day
    HAVING sum(quantity) <> 0 OR sum(amount_fen) <> 0 OR sum(orders) <> 0;
    END IF;
END $$;

-- app.compact_rollups and app.rebuild_rollups (0038) keep their names and callers
-- and do the product days too: the earlier functions renamed, new ones call them.
ALTER FUNCTION app.compact_rollups() RENAME TO compact_daily_rollups;
CREATE FUNCTION app.compact_rollups() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$
BEGIN
    PERFORM app.compact_daily_rollups();
    PERFORM app.compact_product_days();
END $$;

-- (The renamed rebuild ends with app.compact_rollups(): the new one.)
ALTER FUNCTION app.rebuild_rollups(bigint) RENAME TO rebuild_daily_rollups;
CREATE FUNCTION app.rebuild_rollups(tenant bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$
BEGIN
    PERFORM app.rebuild_product_days(tenant);
    PERFORM app.rebuild_daily_rollups(tenant);
END $$;
REVOKE ALL ON FUNCTION app.rebuild_rollups(bigint) FROM PUBLIC;

ALTER TABLE product_days ENABLE ROW LEVEL SECURITY;
ALTER TABLE product_days FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON product_days USING (tenant_id = (SELECT app.current_tenant()))
    WITH CHECK (tenant_id = (SELECT app.current_tenant()));
GRANT SELECT ON product_days TO yunying_app;

DO $$
DECLARE
    t bigint;
BEGIN
    FOR t IN SELECT id FROM tenants LOOP
        PERFORM set_config('app.tenant_id', t::text, true);
        PERFORM app.rebuild_product_days(t);
    END LOOP;
END $$;
