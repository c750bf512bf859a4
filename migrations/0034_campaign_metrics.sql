-- The campaign page's reconciliation (campaigns::metrics::repo::order_figures): the
-- paid, not cancelled orders of a campaign over its dates, summed from the index
-- alone (an index-only scan; 0032's orders_campaign_idx needs a heap visit per
-- order). Measured with 39,000 tagged orders of 200,000: 60 ms → 17 ms under
-- EXPLAIN ANALYZE.
CREATE INDEX orders_campaign_paid_idx ON orders (tenant_id, campaign_id, ordered_at) INCLUDE (id, paid_fen)
    WHERE campaign_id IS NOT NULL AND paid_at IS NOT NULL AND status <> 'cancelled';
