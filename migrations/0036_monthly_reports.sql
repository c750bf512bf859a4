-- The monthly operations report (运营月报, issue 13 item 5): the figures are read
-- live (rollups and the month's orders); what is stored is only the text the
-- director writes for a month — conclusions (结论) and suggestions (建议) — with a
-- version for stale-edit detection. A month is its first day; every key starts
-- with tenant_id; RLS forced with the one tenant policy; notifies the home cache.

CREATE TABLE monthly_reports (
    tenant_id   bigint NOT NULL REFERENCES tenants (id),
    month       date NOT NULL CHECK (extract(day FROM month) = 1),
    conclusions text NOT NULL DEFAULT '' CHECK (length(conclusions) <= 2000),
    suggestions text NOT NULL DEFAULT '' CHECK (length(suggestions) <= 2000),
    -- 1 on the first save, +1 on each save that changes the text: a form carries
    -- the version it was loaded at, and a save of another version is refused.
    version     integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    updated_by  bigint NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, month),
    FOREIGN KEY (tenant_id, updated_by) REFERENCES users (tenant_id, id)
);

ALTER TABLE monthly_reports ENABLE ROW LEVEL SECURITY;
ALTER TABLE monthly_reports FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON monthly_reports USING (tenant_id = (SELECT app.current_tenant()))
    WITH CHECK (tenant_id = (SELECT app.current_tenant()));
CREATE TRIGGER home_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON monthly_reports
    FOR EACH STATEMENT EXECUTE FUNCTION app.notify_home();

GRANT SELECT, INSERT, UPDATE ON monthly_reports TO yunying_app;

-- The report's top products read the month's paid, not cancelled orders by
-- payment time (an index-only scan of the month instead of every order of the
-- tenant), then their lines. Measured on a 200,000-order demo (100,000 a tenant,
-- 30,500 paid in the month): the orders' part went from a 77 ms scan to 6 ms.
CREATE INDEX orders_paid_idx ON orders (tenant_id, paid_at) INCLUDE (id)
    WHERE paid_at IS NOT NULL AND status <> 'cancelled';
-- Slow-moving stock (the report's, the dashboard's count and the stock list's
-- slow=1): "no shipment of the item since …" is one probe per stock level
-- instead of a scan of the movements (88 ms → 3 ms on the same demo).
CREATE INDEX stock_movements_shipped_idx ON stock_movements (tenant_id, product_id, warehouse_id, created_at)
    WHERE kind = 'shipment';
