-- Purchasing: replenishment requests (补货申请) and purchase orders (采购单).
--
-- A request records a snapshot of the stock levels at the moment it was raised and
-- goes pending → (director_pending →) approved → ordered, or → rejected. At most one
-- request per product and warehouse is open (pending, director_pending, approved)
-- at a time. An approved request becomes a purchase order (one line per request);
-- receiving it posts receipt movements to the ledger (doc_type 'purchase_order',
-- doc_id = the order's id), which are also the order's receipt history.

CREATE TABLE purchase_orders (
    tenant_id    bigint NOT NULL REFERENCES tenants (id),
    id           bigint GENERATED ALWAYS AS IDENTITY,
    -- 'CG-000123', set from the id right after the insert.
    po_no        text,
    supplier_id  bigint NOT NULL,
    warehouse_id bigint NOT NULL,
    status       text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'partial', 'received', 'cancelled')),
    note         text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    created_by   bigint NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    received_at  timestamptz,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, po_no),
    FOREIGN KEY (tenant_id, supplier_id) REFERENCES partners (tenant_id, id),
    FOREIGN KEY (tenant_id, warehouse_id) REFERENCES warehouses (tenant_id, id),
    FOREIGN KEY (tenant_id, created_by) REFERENCES users (tenant_id, id)
);
CREATE INDEX purchase_orders_list_idx ON purchase_orders (tenant_id, id DESC);
CREATE INDEX purchase_orders_status_idx ON purchase_orders (tenant_id, status, id DESC);
CREATE INDEX purchase_orders_supplier_idx ON purchase_orders (tenant_id, supplier_id, id DESC);

CREATE TABLE purchase_order_lines (
    tenant_id         bigint NOT NULL REFERENCES tenants (id),
    id                bigint GENERATED ALWAYS AS IDENTITY,
    purchase_order_id bigint NOT NULL,
    product_id        bigint NOT NULL,
    -- The order's warehouse, repeated so "on order" per product and warehouse is one index probe.
    warehouse_id      bigint NOT NULL,
    quantity          bigint NOT NULL CHECK (quantity > 0),
    unit_cost_fen     bigint NOT NULL CHECK (unit_cost_fen >= 0),
    received_quantity bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, purchase_order_id) REFERENCES purchase_orders (tenant_id, id),
    FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, id),
    FOREIGN KEY (tenant_id, warehouse_id) REFERENCES warehouses (tenant_id, id),
    CONSTRAINT purchase_line_received_within CHECK (received_quantity >= 0 AND received_quantity <= quantity)
);
CREATE INDEX purchase_order_lines_order_idx ON purchase_order_lines (tenant_id, purchase_order_id, id);
-- "Already on order": lines not yet fully received.
CREATE INDEX purchase_order_lines_open_idx ON purchase_order_lines (tenant_id, product_id, warehouse_id)
    WHERE received_quantity < quantity;

CREATE TABLE replenishment_requests (
    tenant_id           bigint NOT NULL REFERENCES tenants (id),
    id                  bigint GENERATED ALWAYS AS IDENTITY,
    product_id          bigint NOT NULL,
    warehouse_id        bigint NOT NULL,
    quantity            bigint NOT NULL CHECK (quantity > 0),
    reason              text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    status              text NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'director_pending', 'approved', 'rejected', 'ordered')),
    -- quantity × unit cost (the product's last cost, or its price when it has none).
    unit_cost_fen       bigint NOT NULL CHECK (unit_cost_fen >= 0),
    value_fen           bigint NOT NULL CHECK (value_fen >= 0),
    needs_director      boolean NOT NULL,
    -- The levels when the request was raised.
    snap_on_hand        bigint NOT NULL,
    snap_reserved       bigint NOT NULL,
    snap_on_order       bigint NOT NULL,
    snap_safety_stock   bigint NOT NULL,
    snap_reorder_point  bigint NOT NULL,
    snap_max_level      bigint NOT NULL,
    snap_suggested      bigint NOT NULL,
    requested_by        bigint NOT NULL,
    -- The requester's department code (data scope).
    department          text NOT NULL,
    manager_by          bigint,
    manager_at          timestamptz,
    manager_comment     text CHECK (length(manager_comment) <= 500),
    director_by         bigint,
    director_at         timestamptz,
    director_comment    text CHECK (length(director_comment) <= 500),
    purchase_order_id   bigint,
    ordered_by          bigint,
    ordered_at          timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, id),
    FOREIGN KEY (tenant_id, warehouse_id) REFERENCES warehouses (tenant_id, id),
    FOREIGN KEY (tenant_id, requested_by) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, manager_by) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, director_by) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, ordered_by) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, purchase_order_id) REFERENCES purchase_orders (tenant_id, id)
);
-- One open request per product and warehouse.
CREATE UNIQUE INDEX replenishment_requests_open_uq ON replenishment_requests (tenant_id, product_id, warehouse_id)
    WHERE status IN ('pending', 'director_pending', 'approved');
CREATE INDEX replenishment_requests_list_idx ON replenishment_requests (tenant_id, id DESC);
CREATE INDEX replenishment_requests_status_idx ON replenishment_requests (tenant_id, status, id);
CREATE INDEX replenishment_requests_mine_idx ON replenishment_requests (tenant_id, requested_by, id DESC);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['purchase_orders', 'purchase_order_lines', 'replenishment_requests'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = (SELECT app.current_tenant())) WITH CHECK (tenant_id = (SELECT app.current_tenant()))', t);
    END LOOP;
END $$;

GRANT SELECT, INSERT, UPDATE ON purchase_orders TO yunying_app;
GRANT SELECT, INSERT, UPDATE ON purchase_order_lines TO yunying_app;
GRANT SELECT, INSERT, UPDATE ON replenishment_requests TO yunying_app;
