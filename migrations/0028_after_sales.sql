-- After-sales (CONTRACT.md "After-sales (售后) and complaints (投诉)"): cases on an
-- order line, the goods received back, refunds, and each case's timeline. Money in
-- fen; every key starts with tenant_id; RLS forced with the one tenant policy;
-- every table notifies the home cache.

CREATE TABLE after_sales (
    tenant_id      bigint NOT NULL REFERENCES tenants (id),
    id             bigint GENERATED ALWAYS AS IDENTITY,
    case_no        text NOT NULL CHECK (case_no ~ '^AS-[0-9]{6,}$'),
    order_id       bigint NOT NULL,
    line_no        integer NOT NULL,
    product_id     bigint NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('refund', 'return', 'exchange', 'repair')),
    quantity       bigint NOT NULL CHECK (quantity >= 1),
    received_qty   bigint NOT NULL DEFAULT 0,
    -- What the customer asks back (refund and return), and what has been refunded.
    asked_fen      bigint NOT NULL DEFAULT 0 CHECK (asked_fen >= 0),
    refunded_fen   bigint NOT NULL DEFAULT 0 CHECK (refunded_fen >= 0),
    category       text NOT NULL CHECK (category IN ('quality', 'wrong_item', 'missing', 'damaged', 'no_reason', 'other')),
    reason         text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    status         text NOT NULL DEFAULT 'requested' CHECK (status IN ('requested', 'approved', 'rejected', 'received',
                       'refund_pending', 'refunded', 'reshipped', 'repaired', 'closed')),
    -- The order's sales rep, copied when the case is raised (the reps' read-only scope).
    rep_id         bigint,
    rep_department text,
    raised_by      bigint NOT NULL,
    raised_at      timestamptz NOT NULL DEFAULT now(),
    decided_by     bigint,
    decided_at     timestamptz,
    decision_comment text NOT NULL DEFAULT '' CHECK (length(decision_comment) <= 500),
    -- The parcel that sent the replacement or the repaired goods out again.
    parcel_id      bigint,
    closed_at      timestamptz,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, case_no),
    FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id),
    FOREIGN KEY (tenant_id, order_id, line_no) REFERENCES order_lines (tenant_id, order_id, line_no),
    FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, id),
    FOREIGN KEY (tenant_id, rep_id) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, raised_by) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, decided_by) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, parcel_id) REFERENCES parcels (tenant_id, id),
    CHECK (received_qty >= 0 AND received_qty <= quantity),
    CHECK (kind IN ('refund', 'return') OR (asked_fen = 0 AND refunded_fen = 0))
);
CREATE INDEX after_sales_list_idx ON after_sales (tenant_id, id DESC);
CREATE INDEX after_sales_status_idx ON after_sales (tenant_id, status, id DESC);
CREATE INDEX after_sales_kind_idx ON after_sales (tenant_id, kind, id DESC);
CREATE INDEX after_sales_order_idx ON after_sales (tenant_id, order_id, line_no);
CREATE INDEX after_sales_rep_idx ON after_sales (tenant_id, rep_id, id DESC);
CREATE INDEX after_sales_raised_by_idx ON after_sales (tenant_id, raised_by, id DESC);

-- Goods back: one row per receipt (partial receipts allowed). `restock` puts them
-- back into a warehouse through a `return` movement; `scrap` records them and moves
-- no stock; `repair` keeps the customer's own item for repair (no stock either).
CREATE TABLE after_sale_receipts (
    tenant_id    bigint NOT NULL REFERENCES tenants (id),
    id           bigint GENERATED ALWAYS AS IDENTITY,
    case_id      bigint NOT NULL,
    quantity     bigint NOT NULL CHECK (quantity >= 1),
    disposition  text NOT NULL CHECK (disposition IN ('restock', 'scrap', 'repair')),
    warehouse_id bigint,
    movement_id  bigint,
    received_by  bigint NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES after_sales (tenant_id, id),
    FOREIGN KEY (tenant_id, warehouse_id) REFERENCES warehouses (tenant_id, id),
    FOREIGN KEY (tenant_id, movement_id) REFERENCES stock_movements (tenant_id, id),
    FOREIGN KEY (tenant_id, received_by) REFERENCES users (tenant_id, id),
    CHECK ((disposition = 'restock') = (movement_id IS NOT NULL)),
    CHECK (disposition <> 'restock' OR warehouse_id IS NOT NULL)
);
CREATE INDEX after_sale_receipts_case_idx ON after_sale_receipts (tenant_id, case_id, id);

-- Refunds: `pending` waits for a manager (the order's refunds reached the tenant's
-- threshold), `done` is paid back, `rejected` was refused by the manager. The
-- refunds of an order that are not rejected never add up to more than it was paid
-- (checked with the order's row locked).
CREATE TABLE refunds (
    tenant_id   bigint NOT NULL REFERENCES tenants (id),
    id          bigint GENERATED ALWAYS AS IDENTITY,
    case_id     bigint NOT NULL,
    order_id    bigint NOT NULL,
    line_no     integer NOT NULL,
    amount_fen  bigint NOT NULL CHECK (amount_fen >= 1),
    method      text NOT NULL CHECK (method IN ('original', 'bank', 'other')),
    reference   text NOT NULL DEFAULT '' CHECK (length(reference) <= 100),
    status      text NOT NULL CHECK (status IN ('pending', 'done', 'rejected')),
    recorded_by bigint NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    decided_by  bigint,
    decided_at  timestamptz,
    comment     text NOT NULL DEFAULT '' CHECK (length(comment) <= 500),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES after_sales (tenant_id, id),
    FOREIGN KEY (tenant_id, order_id, line_no) REFERENCES order_lines (tenant_id, order_id, line_no),
    FOREIGN KEY (tenant_id, recorded_by) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, decided_by) REFERENCES users (tenant_id, id)
);
CREATE INDEX refunds_order_idx ON refunds (tenant_id, order_id, line_no);
CREATE INDEX refunds_case_idx ON refunds (tenant_id, case_id, id);
-- At most one refund of a case waits for a manager or is paid.
CREATE UNIQUE INDEX refunds_one_per_case_idx ON refunds (tenant_id, case_id) WHERE status <> 'rejected';

CREATE TABLE after_sale_events (
    tenant_id  bigint NOT NULL REFERENCES tenants (id),
    id         bigint GENERATED ALWAYS AS IDENTITY,
    case_id    bigint NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('raise', 'approve', 'reject', 'receive', 'refund', 'refund_pending',
                   'refund_approve', 'refund_reject', 'reship', 'close')),
    actor_id   bigint,
    actor_name text NOT NULL,
    note       text NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES after_sales (tenant_id, id),
    FOREIGN KEY (tenant_id, actor_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX after_sale_events_case_idx ON after_sale_events (tenant_id, case_id, id);

-- The order carries its after-sales totals (written by after-sales through the
-- orders' own functions): how many cases and how much was refunded.
ALTER TABLE orders ADD COLUMN after_sale_count integer NOT NULL DEFAULT 0 CHECK (after_sale_count >= 0);
ALTER TABLE orders ADD COLUMN refunded_fen bigint NOT NULL DEFAULT 0 CHECK (refunded_fen >= 0);
-- A replacement or repaired goods sent out for a case (not one of the order's lines).
ALTER TABLE parcels ADD COLUMN after_sale_id bigint,
    ADD FOREIGN KEY (tenant_id, after_sale_id) REFERENCES after_sales (tenant_id, id);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['after_sales', 'after_sale_receipts', 'refunds', 'after_sale_events']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = (SELECT app.current_tenant())) '
                       'WITH CHECK (tenant_id = (SELECT app.current_tenant()))', t);
        EXECUTE format('CREATE TRIGGER home_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I '
                       'FOR EACH STATEMENT EXECUTE FUNCTION app.notify_home()', t);
    END LOOP;
END $$;

GRANT SELECT, INSERT, UPDATE ON after_sales, refunds TO yunying_app;
GRANT SELECT, INSERT ON after_sale_receipts, after_sale_events TO yunying_app;
