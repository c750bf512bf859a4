-- Supply side, core: warehouses, partners (suppliers and customers), products, stock
-- levels and the stock-movement ledger. Every table tenant-keyed, RLS enabled and
-- forced (see 0001). Later migrations add replenishment, purchase orders, stocktake
-- and contracts on top of these.
--
-- The ledger is enforced by PostgreSQL: the runtime role may INSERT and SELECT
-- stock_movements (never UPDATE or DELETE), and may not write stock_levels.on_hand at
-- all; a trigger on each movement adds its quantity to the level and records the
-- balance after it. On hand can never go negative, nor below what is reserved.

CREATE TABLE warehouses (
    tenant_id  bigint NOT NULL REFERENCES tenants (id),
    id         bigint GENERATED ALWAYS AS IDENTITY,
    code       text NOT NULL CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$'),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    address    text NOT NULL DEFAULT '' CHECK (length(address) <= 200),
    is_active  boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, code)
);

CREATE TABLE partners (
    tenant_id  bigint NOT NULL REFERENCES tenants (id),
    id         bigint GENERATED ALWAYS AS IDENTITY,
    code       text NOT NULL CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$'),
    kind       text NOT NULL CHECK (kind IN ('supplier', 'customer')),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    contact    text NOT NULL DEFAULT '' CHECK (length(contact) <= 50),
    phone      text NOT NULL DEFAULT '' CHECK (length(phone) <= 30),
    address    text NOT NULL DEFAULT '' CHECK (length(address) <= 200),
    is_active  boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, code)
);
CREATE INDEX partners_kind_idx ON partners (tenant_id, kind, code);

CREATE TABLE products (
    tenant_id           bigint NOT NULL REFERENCES tenants (id),
    id                  bigint GENERATED ALWAYS AS IDENTITY,
    sku                 text NOT NULL CHECK (sku ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$'),
    name                text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    spec                text NOT NULL DEFAULT '' CHECK (length(spec) <= 100),
    unit                text NOT NULL DEFAULT '件' CHECK (length(unit) BETWEEN 1 AND 10),
    price_fen           bigint NOT NULL CHECK (price_fen >= 0),
    -- The last purchase cost (set when a purchase order is received); NULL until then.
    last_cost_fen       bigint CHECK (last_cost_fen >= 0),
    description         text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
    status              text NOT NULL CHECK (status IN ('draft', 'listed', 'delisted', 'eliminated')),
    -- The usual supplier, the default of a purchase order.
    default_supplier_id bigint,
    created_by          bigint,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, sku),
    FOREIGN KEY (tenant_id, default_supplier_id) REFERENCES partners (tenant_id, id),
    FOREIGN KEY (tenant_id, created_by) REFERENCES users (tenant_id, id)
);
CREATE INDEX products_status_idx ON products (tenant_id, status, sku);
CREATE INDEX products_sku_pattern_idx ON products (tenant_id, sku text_pattern_ops);

-- Per product and warehouse. `on_hand` is written only by the ledger trigger below.
CREATE TABLE stock_levels (
    tenant_id     bigint NOT NULL REFERENCES tenants (id),
    product_id    bigint NOT NULL,
    warehouse_id  bigint NOT NULL,
    on_hand       bigint NOT NULL DEFAULT 0,
    reserved      bigint NOT NULL DEFAULT 0,
    safety_stock  bigint NOT NULL DEFAULT 0,
    reorder_point bigint NOT NULL DEFAULT 0,
    max_level     bigint NOT NULL DEFAULT 0,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, product_id, warehouse_id),
    FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, id),
    FOREIGN KEY (tenant_id, warehouse_id) REFERENCES warehouses (tenant_id, id),
    CONSTRAINT stock_on_hand_not_negative CHECK (on_hand >= 0),
    CONSTRAINT stock_reserved_within_on_hand CHECK (reserved >= 0 AND reserved <= on_hand),
    CONSTRAINT stock_levels_ordered CHECK (0 <= safety_stock AND safety_stock <= reorder_point AND reorder_point <= max_level)
);
CREATE INDEX stock_levels_warehouse_idx ON stock_levels (tenant_id, warehouse_id, product_id);
-- The low-stock page: rows at or below their reorder point.
CREATE INDEX stock_levels_low_idx ON stock_levels (tenant_id, warehouse_id, product_id)
    WHERE reorder_point > 0 AND on_hand - reserved <= reorder_point;

-- The ledger. `quantity` is the signed change of on hand; `balance_after` is set by
-- the trigger. `doc_type`/`doc_id` name the document the movement came from
-- (e.g. 'purchase_order' 17, 'stocktake' 3, 'import' NULL, 'manual' NULL).
CREATE TABLE stock_movements (
    tenant_id     bigint NOT NULL REFERENCES tenants (id),
    id            bigint GENERATED ALWAYS AS IDENTITY,
    product_id    bigint NOT NULL,
    warehouse_id  bigint NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('receipt', 'shipment', 'return', 'adjustment', 'transfer_in', 'transfer_out')),
    quantity      bigint NOT NULL CHECK (quantity <> 0),
    balance_after bigint NOT NULL DEFAULT 0,
    reason        text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    doc_type      text NOT NULL CHECK (doc_type IN ('manual', 'import', 'purchase_order', 'stocktake', 'transfer', 'order', 'after_sale')),
    doc_id        bigint,
    created_by    bigint,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, id),
    FOREIGN KEY (tenant_id, warehouse_id) REFERENCES warehouses (tenant_id, id),
    FOREIGN KEY (tenant_id, created_by) REFERENCES users (tenant_id, id),
    CHECK ((kind IN ('receipt', 'return', 'transfer_in') AND quantity > 0)
        OR (kind IN ('shipment', 'transfer_out') AND quantity < 0)
        OR kind = 'adjustment')
);
CREATE INDEX stock_movements_item_idx ON stock_movements (tenant_id, product_id, warehouse_id, id DESC);
CREATE INDEX stock_movements_doc_idx ON stock_movements (tenant_id, doc_type, doc_id) WHERE doc_id IS NOT NULL;

-- Apply a movement to its stock level (creating the level at zero) and record the
-- balance after it. SECURITY DEFINER so the runtime role, which may not write
-- on_hand, can move stock only by inserting a movement; RLS still applies (the
-- owner is subject to the forced policy, and the tenant setting is the caller's).
CREATE FUNCTION app.apply_stock_movement() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$
BEGIN
    -- Not INSERT … ON CONFLICT: its check constraints are evaluated on the proposed
    -- row, so a shipment (negative quantity) of an existing level would fail.
    UPDATE public.stock_levels SET on_hand = on_hand + NEW.quantity, updated_at = now()
    WHERE tenant_id = NEW.tenant_id AND product_id = NEW.product_id AND warehouse_id = NEW.warehouse_id
    RETURNING on_hand INTO NEW.balance_after;
    IF NOT FOUND THEN
        BEGIN
            INSERT INTO public.stock_levels (tenant_id, product_id, warehouse_id, on_hand)
            VALUES (NEW.tenant_id, NEW.product_id, NEW.warehouse_id, NEW.quantity)
            RETURNING on_hand INTO NEW.balance_after;
        EXCEPTION WHEN unique_violation THEN
            -- A concurrent first movement created the level: add to it.
            UPDATE public.stock_levels SET on_hand = on_hand + NEW.quantity, updated_at = now()
            WHERE tenant_id = NEW.tenant_id AND product_id = NEW.product_id AND warehouse_id = NEW.warehouse_id
            RETURNING on_hand INTO NEW.balance_after;
        END;
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION app.apply_stock_movement() FROM PUBLIC;

CREATE TRIGGER stock_movements_apply BEFORE INSERT ON stock_movements
    FOR EACH ROW EXECUTE FUNCTION app.apply_stock_movement();

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['warehouses', 'partners', 'products', 'stock_levels', 'stock_movements'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = (SELECT app.current_tenant())) WITH CHECK (tenant_id = (SELECT app.current_tenant()))', t);
    END LOOP;
END $$;

GRANT SELECT, INSERT, UPDATE ON warehouses TO yunying_app;
GRANT SELECT, INSERT, UPDATE ON partners TO yunying_app;
GRANT SELECT, INSERT, UPDATE ON products TO yunying_app;
-- Levels: the runtime role creates rows and sets reserved and the three thresholds;
-- on_hand only moves through the ledger.
GRANT SELECT ON stock_levels TO yunying_app;
GRANT INSERT (tenant_id, product_id, warehouse_id, reserved, safety_stock, reorder_point, max_level, updated_at)
    ON stock_levels TO yunying_app;
GRANT UPDATE (reserved, safety_stock, reorder_point, max_level, updated_at) ON stock_levels TO yunying_app;
GRANT SELECT, INSERT ON stock_movements TO yunying_app;
