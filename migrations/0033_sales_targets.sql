-- Sales targets (销售目标, issue 12 item 6): a month's target per sales rep (set by
-- the sales manager) and per department (set by a director). A month is its first
-- day; an empty target is no row. Money in fen; every key starts with tenant_id;
-- RLS forced with the one tenant policy; every table notifies the home cache.

CREATE TABLE sales_targets (
    tenant_id  bigint NOT NULL REFERENCES tenants (id),
    month      date NOT NULL CHECK (extract(day FROM month) = 1),
    rep_id     bigint NOT NULL,
    target_fen bigint NOT NULL CHECK (target_fen > 0),
    set_by     bigint NOT NULL,
    set_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, month, rep_id),
    FOREIGN KEY (tenant_id, rep_id) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, set_by) REFERENCES users (tenant_id, id)
);

CREATE TABLE department_targets (
    tenant_id  bigint NOT NULL REFERENCES tenants (id),
    month      date NOT NULL CHECK (extract(day FROM month) = 1),
    department text NOT NULL,
    target_fen bigint NOT NULL CHECK (target_fen > 0),
    set_by     bigint NOT NULL,
    set_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, month, department),
    FOREIGN KEY (tenant_id, department) REFERENCES departments (tenant_id, code),
    FOREIGN KEY (tenant_id, set_by) REFERENCES users (tenant_id, id)
);

-- Attainment (src/targets/repo.rs): a rep's paid orders by payment time, and the
-- done refunds by the time they were paid back (the decision when one waited for a
-- manager, else when it was recorded), read by index only.
CREATE INDEX orders_rep_paid_idx ON orders (tenant_id, rep_id, paid_at) INCLUDE (paid_fen)
    WHERE rep_id IS NOT NULL AND paid_at IS NOT NULL AND status <> 'cancelled';
CREATE INDEX orders_rep_department_paid_idx ON orders (tenant_id, rep_department, paid_at) INCLUDE (paid_fen)
    WHERE rep_department IS NOT NULL AND paid_at IS NOT NULL AND status <> 'cancelled';
CREATE INDEX refunds_done_at_idx ON refunds (tenant_id, (coalesce(decided_at, recorded_at))) INCLUDE (order_id, amount_fen)
    WHERE status = 'done';

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['sales_targets', 'department_targets']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = (SELECT app.current_tenant())) '
                       'WITH CHECK (tenant_id = (SELECT app.current_tenant()))', t);
        EXECUTE format('CREATE TRIGGER home_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I '
                       'FOR EACH STATEMENT EXECUTE FUNCTION app.notify_home()', t);
    END LOOP;
END $$;

GRANT SELECT, INSERT, UPDATE, DELETE ON sales_targets, department_targets TO yunying_app;
