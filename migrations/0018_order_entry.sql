-- Orders entered here (by hand, or from a signed sales contract) are numbered
-- SO-000001, SO-000002 … per tenant: the last number given, one row per tenant and
-- prefix, bumped (and so locked) by the transaction that creates the order. A
-- rolled-back order gives its number back, so the numbers have no gaps.

CREATE TABLE order_numbers (
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    prefix    text NOT NULL CHECK (prefix IN ('SO')),
    last      bigint NOT NULL CHECK (last >= 1),
    PRIMARY KEY (tenant_id, prefix)
);

ALTER TABLE order_numbers ENABLE ROW LEVEL SECURITY;
ALTER TABLE order_numbers FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON order_numbers USING (tenant_id = (SELECT app.current_tenant()))
    WITH CHECK (tenant_id = (SELECT app.current_tenant()));
CREATE TRIGGER home_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON order_numbers
    FOR EACH STATEMENT EXECUTE FUNCTION app.notify_home();

GRANT SELECT, INSERT, UPDATE ON order_numbers TO yunying_app;
