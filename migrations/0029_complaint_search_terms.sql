-- Complaints searched through the search-term index (0015, 0021), like orders:
-- the list's search was `phone LIKE … OR customer LIKE … OR …` on complaints
-- itself, and LIKE is not leakproof, so under row-level security no index could
-- serve it — every search read every complaint of the tenant (13 ms at 20,000;
-- bench/RESULTS.md, "After-sales and complaints"). Terms: the complaint number, the
-- phone, its last four digits and the order number by prefix, the customer by
-- substring; the sort key the complaint number.
ALTER TABLE complaints ADD COLUMN phone_tail text GENERATED ALWAYS AS (right(phone, 4)) STORED;

CREATE TRIGGER complaints_search_terms AFTER DELETE OR UPDATE OF complaint_no, phone, order_no, customer ON complaints
    FOR EACH ROW EXECUTE FUNCTION app.index_search_terms('complaint', 'complaint_no', 'complaint_no,phone,phone_tail,order_no',
                                                         'customer');
CREATE TRIGGER complaints_search_terms_inserted AFTER INSERT ON complaints REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION app.index_inserted_search_terms('complaint', 'complaint_no',
                                                                        'complaint_no,phone,phone_tail,order_no', 'customer');

-- The complaints that exist already, tenant by tenant (row-level security is forced
-- on the owner too).
DO $$
DECLARE t bigint;
BEGIN
    FOR t IN SELECT id FROM tenants LOOP
        PERFORM set_config('app.tenant_id', t::text, true);
        INSERT INTO search_terms (tenant_id, kind, term, sort_key, id)
        SELECT c.tenant_id, 'complaint', x, c.complaint_no, c.id
        FROM complaints c, app.search_terms_of(ARRAY[c.complaint_no, c.phone, c.phone_tail, c.order_no], ARRAY[c.customer]) AS x
        WHERE c.tenant_id = t;
    END LOOP;
    PERFORM set_config('app.tenant_id', '', true);
END $$;

-- The LIKE indexes served nothing under row-level security.
DROP INDEX complaints_phone_idx;
DROP INDEX complaints_customer_idx;
DROP INDEX complaints_order_no_idx;
