-- Catalog: product elimination (汰换) proposals. An ops specialist proposes with a
-- reason; the ops manager approves (the product becomes `eliminated`) or rejects with
-- a comment. At most one open (pending) proposal per product.

CREATE TABLE product_eliminations (
    tenant_id     bigint NOT NULL REFERENCES tenants (id),
    id            bigint GENERATED ALWAYS AS IDENTITY,
    product_id    bigint NOT NULL,
    reason        text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    proposed_by   bigint NOT NULL,
    proposed_at   timestamptz NOT NULL DEFAULT now(),
    decided_by    bigint,
    decided_at    timestamptz,
    comment       text NOT NULL DEFAULT '' CHECK (length(comment) <= 500),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, id),
    FOREIGN KEY (tenant_id, proposed_by) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, decided_by) REFERENCES users (tenant_id, id),
    CHECK ((status = 'pending') = (decided_at IS NULL))
);
-- At most one open proposal per product.
CREATE UNIQUE INDEX product_eliminations_open_idx ON product_eliminations (tenant_id, product_id)
    WHERE status = 'pending';
CREATE INDEX product_eliminations_status_idx ON product_eliminations (tenant_id, status, proposed_at);
CREATE INDEX product_eliminations_product_idx ON product_eliminations (tenant_id, product_id, id DESC);

-- The clearance list (eliminated products).
CREATE INDEX products_eliminated_idx ON products (tenant_id, sku) WHERE status = 'eliminated';

ALTER TABLE product_eliminations ENABLE ROW LEVEL SECURITY;
ALTER TABLE product_eliminations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON product_eliminations
    USING (tenant_id = (SELECT app.current_tenant()))
    WITH CHECK (tenant_id = (SELECT app.current_tenant()));

GRANT SELECT, INSERT, UPDATE ON product_eliminations TO yunying_app;

-- Like app.analyze_hr_tables (0006): bulk imports and demo data change the supply
-- tables' sizes by orders of magnitude at once; refresh their statistics in the
-- same transaction so the list queries are planned for what is there.
CREATE FUNCTION app.analyze_supply_tables() RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path = pg_catalog, public
    AS $$ ANALYZE public.warehouses, public.products, public.stock_levels, public.stock_movements, public.product_eliminations $$;
REVOKE ALL ON FUNCTION app.analyze_supply_tables() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.analyze_supply_tables() TO yunying_app;
