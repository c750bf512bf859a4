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
    -- 'foreign_key' (put back NOT VALID, then validated) or 'index'
    kind       text NOT NULL CHECK (kind IN ('foreign_key', 'index')),
    name       text NOT NULL,
    -- pg_get_constraintdef / pg_get_indexdef, as they were
    definition text NOT NULL,
    set_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (table_name, name)
);
REVOKE ALL ON app.bulk_set_aside FROM PUBLIC;
