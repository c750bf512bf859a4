-- The per-tenant document counters of 0018 serve every document numbered here:
-- SO (orders entered here), AS (after-sales cases), TS (complaints). Same rules:
-- one row per tenant and prefix, bumped (and so locked) by the creating
-- transaction; a rolled-back document gives its number back.
ALTER TABLE order_numbers DROP CONSTRAINT order_numbers_prefix_check;
ALTER TABLE order_numbers ADD CONSTRAINT order_numbers_prefix_check CHECK (prefix IN ('SO', 'AS', 'TS'));
