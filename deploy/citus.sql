-- Scale-out with Citus: every tenant table is keyed by tenant_id (in every primary,
-- unique and foreign key), so each is distributed by tenant_id and co-located with
-- the others; a tenant's transaction then runs on one worker. Run once, as the owner,
-- on the coordinator after `yunying migrate` (deploy/citus/test.sh does it on a local
-- cluster). Add each new tenant table here when it lands: tests/it/citus_schema.rs
-- fails naming any tenant table that is neither distributed here nor listed.
-- Why each step: docs/decisions.md, "Citus".
CREATE EXTENSION IF NOT EXISTS citus;

-- The tenant of a transaction must reach the workers, where the shards' row-level
-- security reads it: `SET LOCAL app.tenant_id` (db::begin_tenant) is sent on to every
-- worker the transaction uses when Citus propagates SET LOCAL. The triggers (stock
-- ledger, search terms, rollups, cache NOTIFYs) run on the shards: Citus needs to be
-- told that is wanted, now and for every later migration that creates a trigger.
SET citus.enable_unsafe_triggers = on;
SET citus.enable_local_reference_table_foreign_keys = off;
SELECT format('ALTER DATABASE %I SET citus.propagate_set_commands = %L', current_database(), 'local') \gexec
SELECT format('ALTER DATABASE %I SET citus.enable_unsafe_triggers = on', current_database()) \gexec

-- Citus refuses policies with subqueries on distributed tables; the migrations write
-- `tenant_id = (SELECT app.current_tenant())` (an init plan: one evaluation per query
-- on one PostgreSQL). Here every such policy becomes `tenant_id = app.current_tenant()`,
-- the same rows (the function is STABLE). Done here, not in a migration, so the single
-- PostgreSQL keeps its plans exactly; generic, so new tables' policies need nothing.
DO $$
DECLARE
    p record;
    sub constant text := '\( SELECT (app\.[a-z_]+\(\)) AS [a-z_]+\)';
BEGIN
    FOR p IN
        SELECT schemaname, tablename, policyname, qual, with_check FROM pg_policies
        WHERE qual ~ sub OR with_check ~ sub
    LOOP
        IF p.qual IS NOT NULL THEN
            EXECUTE format('ALTER POLICY %I ON %I.%I USING (%s)', p.policyname, p.schemaname, p.tablename,
                           regexp_replace(p.qual, sub, '\1', 'g'));
        END IF;
        IF p.with_check IS NOT NULL THEN
            EXECUTE format('ALTER POLICY %I ON %I.%I WITH CHECK (%s)', p.policyname, p.schemaname, p.tablename,
                           regexp_replace(p.with_check, sub, '\1', 'g'));
        END IF;
    END LOOP;
END $$;

-- The cache-invalidation triggers (migrations 0012, 0014 and every table since) would
-- run on the shards: a NOTIFY there never reaches the servers' listeners on the
-- coordinator, and it makes every transaction that writes on two nodes fail at
-- PREPARE ("cannot PREPARE a transaction that has executed … NOTIFY": a write to the
-- tenant directory, a multi-tenant statement). On Citus the functions send nothing,
-- and the servers keep their session and home caches off (src/cache.rs).
-- The triggers stay, so every later table's trigger is silent too.
SELECT format('CREATE OR REPLACE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql AS %L',
              p.oid::regproc, 'BEGIN RETURN NULL; END')
FROM pg_proc p
WHERE p.pronamespace = 'app'::regnamespace AND p.proname LIKE 'notify\_%'
  AND p.prorettype = 'trigger'::regtype \gexec

-- Statement triggers with transition tables (search terms, stock holds, the daily
-- rollups, the order desk counts): Citus plans a statement that names a distributed
-- table distributed, deparses it and sends it on, and the transition table
-- (`new_rows`, `old_rows`) does not go with it ("executor could not find named
-- tuplestore"). So on Citus each such trigger function first keeps its transition
-- tables as jsonb in transaction-local settings keyed by the table, and reads them
-- back through app.new_rows(NULL::table) / app.old_rows(NULL::table), ordinary set
-- functions that Citus evaluates on the node (a statement that also joins another
-- distributed table still fails: docs/decisions.md, "Citus"). The same rows; generic (functions
-- already rewritten are skipped).
-- PL/pgSQL, not SQL: Citus refuses to plan a parameterized SQL function's query
-- that names a distributed table's row type.
CREATE OR REPLACE FUNCTION app.new_rows(t anyelement) RETURNS SETOF anyelement
    LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN QUERY SELECT * FROM jsonb_populate_recordset(t, coalesce(nullif(current_setting(
        'app.tt_new_' || (SELECT typrelid FROM pg_catalog.pg_type WHERE oid = pg_typeof(t)), true), ''), '[]')::jsonb);
END $$;
CREATE OR REPLACE FUNCTION app.old_rows(t anyelement) RETURNS SETOF anyelement
    LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN QUERY SELECT * FROM jsonb_populate_recordset(t, coalesce(nullif(current_setting(
        'app.tt_old_' || (SELECT typrelid FROM pg_catalog.pg_type WHERE oid = pg_typeof(t)), true), ''), '[]')::jsonb);
END $$;
DO $$
DECLARE
    f record;
    src text;
    keep text;
BEGIN
    FOR f IN
        SELECT p.oid, p.prosrc, array_agg(DISTINCT t.tgrelid::regclass::text) AS tables
        FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
        WHERE (t.tgoldtable IS NOT NULL OR t.tgnewtable IS NOT NULL) AND NOT t.tgisinternal
          AND p.prosrc !~ 'app\.tt_new_'
        GROUP BY p.oid, p.prosrc
    LOOP
        IF cardinality(f.tables) = 1 THEN
            -- Everywhere, in SQL and in the strings of dynamic SQL alike.
            src := regexp_replace(f.prosrc, '\m(new|old)_rows\M',
                                  format('app.\1_rows(NULL::public.%s)', f.tables[1]), 'g');
            keep := format('%L::regclass::oid', 'public.' || f.tables[1]);
        ELSE
            -- A function of several tables names its source in dynamic SQL
            -- ('new_rows', app.search_terms_insert): the node's own table, by TG_RELID.
            src := replace(f.prosrc, '''new_rows''', 'format(''app.new_rows(NULL::%s)'', TG_RELID::regclass)');
            IF src ~ '\m(new|old)_rows\M(?!\()' AND src !~ 'app\.new_rows' THEN
                RAISE EXCEPTION 'cannot rewrite % for Citus', f.oid::regproc;
            END IF;
            keep := 'TG_RELID';
        END IF;
        src := format($f$
BEGIN
    -- deploy/citus.sql: the transition tables kept for app.new_rows/app.old_rows.
    BEGIN
        PERFORM set_config('app.tt_new_' || %1$s, coalesce((SELECT jsonb_agg(n)::text FROM new_rows n), '[]'), true);
    EXCEPTION WHEN undefined_table THEN NULL;
    END;
    BEGIN
        PERFORM set_config('app.tt_old_' || %1$s, coalesce((SELECT jsonb_agg(o)::text FROM old_rows o), '[]'), true);
    EXCEPTION WHEN undefined_table THEN NULL;
    END;
    %2$s;
END $f$, keep, src);
        EXECUTE replace(pg_get_functiondef(f.oid), f.prosrc, src);
    END LOOP;
END $$;

-- The tenant directory: replicated to every worker (every tenant table has a foreign
-- key to it; joins with it stay on the worker).
SELECT create_reference_table('tenants');
-- coordinator-local: login_attempts
--   Global, written at every login attempt and only ever read alone (throttling):
--   a reference table would make every attempt a write to every node (two-phase
--   commit); it stays a plain table of the coordinator, where the server connects.
-- coordinator-local: app.bulk_set_aside
--   Not tenant data: db::bulk's notes on the keys and indexes a bulk load set aside,
--   beside the schema it describes.

-- The foreign keys between tenant tables (some form cycles: parcels and after_sales
-- name each other) are set aside while the tables are distributed, in any order, and
-- put back after: Citus then checks each is between co-located tables on tenant_id.
CREATE TEMP TABLE citus_fk_stash AS
    SELECT conrelid::regclass AS tbl, conname, pg_get_constraintdef(oid) AS def
    FROM pg_constraint
    WHERE contype = 'f' AND confrelid <> 'tenants'::regclass
      AND connamespace = 'public'::regnamespace;
SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', tbl, conname) FROM citus_fk_stash \gexec

-- Tenant tables, co-located by tenant_id.
SELECT create_distributed_table('departments', 'tenant_id');
SELECT create_distributed_table('users', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('sessions', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('audit_log', 'tenant_id', colocate_with => 'departments');
-- Supply, contracts and people.
SELECT create_distributed_table('warehouses', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('partners', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('products', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('stock_levels', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('stock_movements', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('product_eliminations', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('replenishment_requests', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('purchase_orders', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('purchase_order_lines', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('stocktakes', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('stocktake_lines', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('stocktake_events', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('contracts', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('contract_lines', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('contract_events', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('employees', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('attendance', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('attendance_uploads', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('pending_uploads', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('calendar_days', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('leave_requests', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('performance_scores', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('policy_versions', 'tenant_id', colocate_with => 'departments');
-- Campaigns (before the orders, which may carry one).
SELECT create_distributed_table('campaigns', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('campaign_products', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('campaign_versions', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('campaign_acks', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('campaign_metrics', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('campaign_events', 'tenant_id', colocate_with => 'departments');
-- The search index and the orders.
SELECT create_distributed_table('search_terms', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('orders', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('order_lines', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('order_holds', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('order_desk_counts', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('order_reservations', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('parcels', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('parcel_lines', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('order_events', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('order_numbers', 'tenant_id', colocate_with => 'departments');
-- After-sales.
SELECT create_distributed_table('after_sales', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('after_sale_receipts', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('refunds', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('after_sale_events', 'tenant_id', colocate_with => 'departments');
-- Complaints.
SELECT create_distributed_table('complaints', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('complaint_events', 'tenant_id', colocate_with => 'departments');
-- Sales targets.
SELECT create_distributed_table('sales_targets', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('department_targets', 'tenant_id', colocate_with => 'departments');
-- Daily rollups (migration 0035): written by statement-level triggers with
-- transition tables on orders, refunds and stock_movements. They run on the shards
-- (rewritten above), but their statements join orders or order_lines without a
-- constant tenant, which Citus cannot plan there yet (docs/decisions.md, "Citus").
SELECT create_distributed_table('sales_days', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('product_days', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('campaign_days', 'tenant_id', colocate_with => 'departments');
SELECT create_distributed_table('stock_days', 'tenant_id', colocate_with => 'departments');
-- The monthly report's texts.
SELECT create_distributed_table('monthly_reports', 'tenant_id', colocate_with => 'departments');

-- The foreign keys between tenant tables, back (each includes tenant_id).
SELECT format('ALTER TABLE %s ADD CONSTRAINT %I %s', tbl, conname, def) FROM citus_fk_stash \gexec
DROP TABLE citus_fk_stash;

-- Functions created by the migrations before their tables were distributed (they
-- take a tenant table's row type) stayed on the coordinator: send them to the workers,
-- where the triggers that call them run.
SELECT create_distributed_function(p.oid::regprocedure)
FROM pg_proc p
WHERE p.pronamespace IN ('app'::regnamespace, 'public'::regnamespace)
  AND NOT EXISTS (SELECT FROM pg_catalog.pg_dist_object o WHERE o.classid = 'pg_proc'::regclass AND o.objid = p.oid);

-- Citus sends an INSERT on to the shards with every column (the defaults evaluated on
-- the coordinator), so the runtime role's column-level INSERT grants (it may not set
-- ids, balances, stamps) would refuse every insert there. The shards get INSERT on the
-- whole table; the coordinator, where the app connects, still checks the columns.
SELECT run_command_on_shards(logicalrelid, 'GRANT INSERT ON %s TO yunying_app')
FROM pg_dist_partition
WHERE partmethod = 'h' AND has_any_column_privilege('yunying_app', logicalrelid, 'INSERT')
  AND NOT has_table_privilege('yunying_app', logicalrelid, 'INSERT');
