-- Stocktake (盘点): a count of one warehouse. Opening it snapshots the book
-- quantity (on hand) of every product with a stock level there; counters enter
-- what they find without seeing the book figures (blind counting); the ops manager
-- or a director approves, and the differences (counted − book) are posted to the
-- ledger as adjustment movements (doc_type 'stocktake', doc_id = the stocktake).
--
-- States: counting → submitted → approved; a rejection sends it back to counting
-- (the rejection is kept in stocktake_events); counting or submitted → cancelled.
-- At most one open (counting or submitted) stocktake per warehouse.

CREATE TABLE stocktakes (
    tenant_id         bigint NOT NULL REFERENCES tenants (id),
    id                bigint GENERATED ALWAYS AS IDENTITY,
    -- Per-tenant running number; shown as PD-000012.
    seq               integer NOT NULL CHECK (seq > 0),
    no                text GENERATED ALWAYS AS ('PD-' || lpad(seq::text, 6, '0')) STORED,
    warehouse_id      bigint NOT NULL,
    status            text NOT NULL DEFAULT 'counting'
                      CHECK (status IN ('counting', 'submitted', 'approved', 'cancelled')),
    -- Optional SKU prefix the count was limited to ('' = the whole warehouse).
    sku_prefix        text NOT NULL DEFAULT '' CHECK (length(sku_prefix) <= 40),
    scope_note        text NOT NULL DEFAULT '' CHECK (length(scope_note) <= 200),
    line_count        integer NOT NULL DEFAULT 0,
    opened_by         bigint NOT NULL,
    -- The opener's department (data scope).
    department        text NOT NULL,
    submitted_by      bigint,
    submitted_at      timestamptz,
    decided_by        bigint,
    decided_at        timestamptz,
    decision_comment  text CHECK (length(decision_comment) <= 500),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, seq),
    FOREIGN KEY (tenant_id, warehouse_id) REFERENCES warehouses (tenant_id, id),
    FOREIGN KEY (tenant_id, opened_by) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, submitted_by) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, decided_by) REFERENCES users (tenant_id, id)
);
-- One open count per warehouse.
CREATE UNIQUE INDEX stocktakes_one_open_idx ON stocktakes (tenant_id, warehouse_id)
    WHERE status IN ('counting', 'submitted');
CREATE INDEX stocktakes_list_idx ON stocktakes (tenant_id, id DESC);
CREATE INDEX stocktakes_status_idx ON stocktakes (tenant_id, status, id DESC);

CREATE TABLE stocktake_lines (
    tenant_id        bigint NOT NULL REFERENCES tenants (id),
    stocktake_id     bigint NOT NULL,
    product_id       bigint NOT NULL,
    -- On hand when the count was opened.
    book_quantity    bigint NOT NULL CHECK (book_quantity >= 0),
    -- NULL until counted.
    counted_quantity bigint CHECK (counted_quantity >= 0),
    counted_by       bigint,
    counted_at       timestamptz,
    reason           text NOT NULL DEFAULT '' CHECK (length(reason) <= 200),
    PRIMARY KEY (tenant_id, stocktake_id, product_id),
    FOREIGN KEY (tenant_id, stocktake_id) REFERENCES stocktakes (tenant_id, id),
    FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, id),
    FOREIGN KEY (tenant_id, counted_by) REFERENCES users (tenant_id, id)
);

-- The history shown on the record page: open, submit, reject, approve, cancel.
CREATE TABLE stocktake_events (
    tenant_id    bigint NOT NULL REFERENCES tenants (id),
    id           bigint GENERATED ALWAYS AS IDENTITY,
    stocktake_id bigint NOT NULL,
    action       text NOT NULL CHECK (action IN ('open', 'submit', 'reject', 'approve', 'cancel')),
    actor_id     bigint NOT NULL,
    comment      text NOT NULL DEFAULT '' CHECK (length(comment) <= 500),
    at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, stocktake_id) REFERENCES stocktakes (tenant_id, id),
    FOREIGN KEY (tenant_id, actor_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX stocktake_events_doc_idx ON stocktake_events (tenant_id, stocktake_id, id);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['stocktakes', 'stocktake_lines', 'stocktake_events'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = (SELECT app.current_tenant())) WITH CHECK (tenant_id = (SELECT app.current_tenant()))', t);
    END LOOP;
END $$;

GRANT SELECT, INSERT, UPDATE ON stocktakes TO yunying_app;
GRANT SELECT, INSERT, UPDATE ON stocktake_lines TO yunying_app;
GRANT SELECT, INSERT ON stocktake_events TO yunying_app;
