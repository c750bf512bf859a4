-- A lost parcel re-sent (issue "Orders", item 6): its units go back to the
-- order's lines as open quantities (shipped_qty falls by them, lost_qty keeps
-- them), so the order reserves and ships them again in a new parcel. The stock
-- that left in the lost parcel stays out: its shipment movements are kept, and
-- per line Σ shipment movements = shipped_qty + lost_qty.
ALTER TABLE order_lines ADD COLUMN lost_qty bigint NOT NULL DEFAULT 0 CHECK (lost_qty >= 0);
ALTER TABLE parcels ADD COLUMN resent_at timestamptz, ADD COLUMN resent_by bigint,
    ADD FOREIGN KEY (tenant_id, resent_by) REFERENCES users (tenant_id, id),
    -- Only a lost parcel is re-sent, once.
    ADD CONSTRAINT parcels_resent_lost CHECK (resent_at IS NULL OR exception_kind = 'lost');
ALTER TABLE order_events DROP CONSTRAINT order_events_kind_check;
ALTER TABLE order_events ADD CONSTRAINT order_events_kind_check CHECK (kind IN ('intake', 'hold', 'release', 'paid',
    'approve', 'allocate', 'reassign', 'print_slip', 'print_label', 'print_picking', 'ship', 'deliver', 'exception',
    'resend', 'cancel', 'note'));
