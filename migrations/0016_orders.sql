-- Orders (CONTRACT.md "Orders"): the order and its lines, holds, stock reservations,
-- parcels and the timeline. Money in fen; every key starts with tenant_id; RLS
-- forced with the one tenant policy; every table notifies the home cache.

CREATE TABLE orders (
    tenant_id     bigint NOT NULL REFERENCES tenants (id),
    id            bigint GENERATED ALWAYS AS IDENTITY,
    platform      text NOT NULL CHECK (platform IN ('taobao', 'tmall', 'jd', 'pdd', 'douyin', 'offline', 'other')),
    -- The platform's number, or SO-000001… for orders entered here.
    order_no      text NOT NULL CHECK (length(order_no) BETWEEN 1 AND 64),
    shop          text NOT NULL DEFAULT '' CHECK (length(shop) <= 100),
    source        text NOT NULL CHECK (source IN ('import', 'manual', 'contract')),
    customer_id   bigint,
    contract_id   bigint,
    buyer         text NOT NULL DEFAULT '' CHECK (length(buyer) <= 100),
    receiver      text NOT NULL DEFAULT '' CHECK (length(receiver) <= 50),
    phone         text NOT NULL DEFAULT '' CHECK (length(phone) <= 30),
    province      text NOT NULL DEFAULT '' CHECK (length(province) <= 20),
    city          text NOT NULL DEFAULT '' CHECK (length(city) <= 30),
    district      text NOT NULL DEFAULT '' CHECK (length(district) <= 30),
    address       text NOT NULL DEFAULT '' CHECK (length(address) <= 200),
    buyer_note    text NOT NULL DEFAULT '' CHECK (length(buyer_note) <= 500),
    seller_note   text NOT NULL DEFAULT '' CHECK (length(seller_note) <= 500),
    goods_fen     bigint NOT NULL CHECK (goods_fen >= 0),
    shipping_fen  bigint NOT NULL DEFAULT 0 CHECK (shipping_fen >= 0),
    discount_fen  bigint NOT NULL DEFAULT 0 CHECK (discount_fen >= 0),
    paid_fen      bigint NOT NULL DEFAULT 0 CHECK (paid_fen >= 0),
    ordered_at    timestamptz NOT NULL,
    paid_at       timestamptz,
    status        text NOT NULL DEFAULT 'pending_review' CHECK (status IN ('pending_review', 'approved', 'allocated',
                      'partially_shipped', 'shipped', 'delivered', 'exception', 'cancelled')),
    -- Where its stock is reserved (set by allocation).
    warehouse_id  bigint,
    -- The sales rep it belongs to: the contract's drafter, or the customer's rep.
    rep_id        bigint,
    rep_department text,
    created_by    bigint,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    approved_at   timestamptz,
    shipped_at    timestamptz,
    delivered_at  timestamptz,
    cancelled_at  timestamptz,
    cancel_reason text NOT NULL DEFAULT '' CHECK (length(cancel_reason) <= 500),
    -- The last four digits of the phone ("尾号"), which a masked number keeps.
    phone_tail    text GENERATED ALWAYS AS (right(phone, 4)) STORED,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, platform, order_no),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES partners (tenant_id, id),
    FOREIGN KEY (tenant_id, contract_id) REFERENCES contracts (tenant_id, id),
    FOREIGN KEY (tenant_id, warehouse_id) REFERENCES warehouses (tenant_id, id),
    FOREIGN KEY (tenant_id, rep_id) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, created_by) REFERENCES users (tenant_id, id)
);
CREATE INDEX orders_list_idx ON orders (tenant_id, id DESC);
CREATE INDEX orders_status_idx ON orders (tenant_id, status, id DESC);
CREATE INDEX orders_rep_idx ON orders (tenant_id, rep_id, id DESC);
CREATE INDEX orders_customer_idx ON orders (tenant_id, customer_id, id DESC);
CREATE INDEX orders_contract_idx ON orders (tenant_id, contract_id) WHERE contract_id IS NOT NULL;

CREATE TABLE order_lines (
    tenant_id      bigint NOT NULL REFERENCES tenants (id),
    order_id       bigint NOT NULL,
    -- 1, 2, … as on the order page (the `qty_N` of the ship form).
    line_no        integer NOT NULL CHECK (line_no >= 1),
    product_id     bigint NOT NULL,
    quantity       bigint NOT NULL CHECK (quantity >= 1),
    unit_price_fen bigint NOT NULL CHECK (unit_price_fen >= 0),
    -- The contract line it comes from (orders made from a contract).
    contract_line_id bigint,
    reserved_qty   bigint NOT NULL DEFAULT 0,
    shipped_qty    bigint NOT NULL DEFAULT 0,
    returned_qty   bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, order_id, line_no),
    FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id),
    FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, id),
    FOREIGN KEY (tenant_id, contract_line_id) REFERENCES contract_lines (tenant_id, id),
    -- What is reserved and what has shipped never exceed what was ordered.
    CONSTRAINT order_lines_quantities CHECK (reserved_qty >= 0 AND shipped_qty >= 0 AND returned_qty >= 0
        AND reserved_qty + shipped_qty <= quantity AND returned_qty <= shipped_qty)
);
CREATE INDEX order_lines_product_idx ON order_lines (tenant_id, product_id);
-- A contract's line is ordered at most once.
CREATE UNIQUE INDEX order_lines_contract_line_idx ON order_lines (tenant_id, contract_line_id)
    WHERE contract_line_id IS NOT NULL;

CREATE TABLE order_holds (
    tenant_id    bigint NOT NULL REFERENCES tenants (id),
    id           bigint GENERATED ALWAYS AS IDENTITY,
    order_id     bigint NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('unpaid', 'address', 'stock', 'manual')),
    reason       text NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    placed_by    bigint,
    placed_at    timestamptz NOT NULL DEFAULT now(),
    released_by  bigint,
    released_at  timestamptz,
    release_note text NOT NULL DEFAULT '' CHECK (length(release_note) <= 500),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id),
    FOREIGN KEY (tenant_id, placed_by) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, released_by) REFERENCES users (tenant_id, id),
    CHECK (released_at IS NOT NULL OR (released_by IS NULL AND release_note = ''))
);
-- Each kind at most once active per order.
CREATE UNIQUE INDEX order_holds_active_idx ON order_holds (tenant_id, order_id, kind) WHERE released_at IS NULL;
CREATE INDEX order_holds_kind_idx ON order_holds (tenant_id, kind, order_id) WHERE released_at IS NULL;

-- One row per reservation of stock for an order line: reserved → consumed (shipped)
-- or released (cancelled, reassigned). "reserved" of a stock level is always the
-- sum of its open reservations.
CREATE TABLE order_reservations (
    tenant_id    bigint NOT NULL REFERENCES tenants (id),
    id           bigint GENERATED ALWAYS AS IDENTITY,
    order_id     bigint NOT NULL,
    line_no      integer NOT NULL,
    warehouse_id bigint NOT NULL,
    product_id   bigint NOT NULL,
    quantity     bigint NOT NULL CHECK (quantity >= 1),
    state        text NOT NULL DEFAULT 'reserved' CHECK (state IN ('reserved', 'consumed', 'released')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    closed_at    timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, order_id, line_no) REFERENCES order_lines (tenant_id, order_id, line_no),
    FOREIGN KEY (tenant_id, warehouse_id, product_id) REFERENCES stock_levels (tenant_id, warehouse_id, product_id),
    CHECK ((state = 'reserved') = (closed_at IS NULL))
);
CREATE INDEX order_reservations_order_idx ON order_reservations (tenant_id, order_id, line_no) WHERE state = 'reserved';
CREATE INDEX order_reservations_level_idx ON order_reservations (tenant_id, warehouse_id, product_id) WHERE state = 'reserved';

CREATE TABLE parcels (
    tenant_id      bigint NOT NULL REFERENCES tenants (id),
    id             bigint GENERATED ALWAYS AS IDENTITY,
    order_id       bigint NOT NULL,
    warehouse_id   bigint NOT NULL,
    carrier        text NOT NULL CHECK (carrier IN ('SF', 'ZTO', 'YTO', 'STO', 'YD', 'JD', 'EMS', 'JTSD', 'DBL', 'POSTB', 'OTHER')),
    tracking_no    text NOT NULL CHECK (tracking_no ~ '^[A-Za-z0-9-]{4,40}$'),
    status         text NOT NULL DEFAULT 'in_transit' CHECK (status IN ('in_transit', 'delivered', 'exception')),
    shipped_by     bigint NOT NULL,
    shipped_at     timestamptz NOT NULL DEFAULT now(),
    delivered_at   timestamptz,
    exception_kind text CHECK (exception_kind IN ('delay', 'lost', 'damaged', 'refused')),
    exception_note text NOT NULL DEFAULT '' CHECK (length(exception_note) <= 500),
    PRIMARY KEY (tenant_id, id),
    -- A tracking number is used once per carrier in the tenant.
    UNIQUE (tenant_id, carrier, tracking_no),
    FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id),
    FOREIGN KEY (tenant_id, warehouse_id) REFERENCES warehouses (tenant_id, id),
    FOREIGN KEY (tenant_id, shipped_by) REFERENCES users (tenant_id, id)
);
CREATE INDEX parcels_order_idx ON parcels (tenant_id, order_id, id);
CREATE INDEX parcels_tracking_idx ON parcels (tenant_id, tracking_no COLLATE "C");

CREATE TABLE parcel_lines (
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    parcel_id bigint NOT NULL,
    order_id  bigint NOT NULL,
    line_no   integer NOT NULL,
    quantity  bigint NOT NULL CHECK (quantity >= 1),
    PRIMARY KEY (tenant_id, parcel_id, line_no),
    FOREIGN KEY (tenant_id, parcel_id) REFERENCES parcels (tenant_id, id),
    FOREIGN KEY (tenant_id, order_id, line_no) REFERENCES order_lines (tenant_id, order_id, line_no)
);

-- The timeline: every event of an order with who and when (intake, holds, review,
-- allocation, prints, parcels, delivery, exceptions, cancel).
CREATE TABLE order_events (
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    id        bigint GENERATED ALWAYS AS IDENTITY,
    order_id  bigint NOT NULL,
    kind      text NOT NULL CHECK (kind IN ('intake', 'hold', 'release', 'paid', 'approve', 'allocate', 'reassign',
                  'print_slip', 'print_label', 'print_picking', 'ship', 'deliver', 'exception', 'cancel', 'note')),
    actor_id  bigint,
    actor_name text NOT NULL,
    note      text NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    detail    jsonb,
    at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id),
    FOREIGN KEY (tenant_id, actor_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX order_events_order_idx ON order_events (tenant_id, order_id, id);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['orders', 'order_lines', 'order_holds', 'order_reservations', 'parcels', 'parcel_lines',
                             'order_events']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = (SELECT app.current_tenant())) '
                       'WITH CHECK (tenant_id = (SELECT app.current_tenant()))', t);
        EXECUTE format('CREATE TRIGGER home_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I '
                       'FOR EACH STATEMENT EXECUTE FUNCTION app.notify_home()', t);
    END LOOP;
END $$;

GRANT SELECT, INSERT, UPDATE ON orders, order_lines, order_holds, order_reservations, parcels TO yunying_app;
GRANT SELECT, INSERT ON parcel_lines, order_events TO yunying_app;

-- The list's search (db::search, kind 'order'): the order number and the phone by
-- their start, the phone's last four digits, the receiver's name anywhere in it.
CREATE TRIGGER orders_search_terms AFTER INSERT OR DELETE OR UPDATE OF order_no, phone, receiver ON orders
    FOR EACH ROW EXECUTE FUNCTION app.index_search_terms('order', 'order_no', 'order_no,phone,phone_tail', 'receiver');

-- Big imports refresh the order tables' statistics (the runtime role owns nothing).
CREATE FUNCTION app.analyze_order_tables() RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path = pg_catalog, public
    AS $$ ANALYZE public.orders, public.order_lines, public.order_holds, public.order_events $$;
REVOKE ALL ON FUNCTION app.analyze_order_tables() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.analyze_order_tables() TO yunying_app;
