-- Complaints (CONTRACT.md "After-sales (售后) and complaints (投诉)"): what the
-- customer complained of and asked for, its first-response clock, and every step of
-- it (replies, notes, resolution, close, reopen, assignment) in a timeline. Every key
-- starts with tenant_id; RLS forced with the one tenant policy; every table notifies
-- the home cache.

CREATE TABLE complaints (
    tenant_id      bigint NOT NULL REFERENCES tenants (id),
    id             bigint GENERATED ALWAYS AS IDENTITY,
    complaint_no   text NOT NULL CHECK (complaint_no ~ '^TS-[0-9]{6,}$'),
    customer       text NOT NULL CHECK (length(customer) BETWEEN 1 AND 50),
    phone          text NOT NULL CHECK (length(phone) BETWEEN 1 AND 30),
    -- The order complained of (optional), its number copied for the list and the
    -- search, and its sales rep copied for the reps' read-only scope.
    order_id       bigint,
    order_no       text,
    rep_id         bigint,
    rep_department text,
    channel        text NOT NULL CHECK (channel IN ('phone', 'online', 'email', 'platform', 'store')),
    category       text NOT NULL CHECK (category IN ('logistics', 'quality', 'service', 'price', 'other')),
    severity       text NOT NULL CHECK (severity IN ('normal', 'major')),
    content        text NOT NULL CHECK (length(content) BETWEEN 1 AND 2000),
    demand         text NOT NULL CHECK (length(demand) BETWEEN 1 AND 1000),
    -- The first-response clock: received, 80 % of the time gone, the deadline, and
    -- the first reply (the deadline is fixed when the complaint is logged).
    received_at    timestamptz NOT NULL,
    soon_at        timestamptz NOT NULL,
    due_at         timestamptz NOT NULL,
    first_reply_at timestamptz,
    status         text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved', 'closed')),
    assignee_id    bigint,
    result         text NOT NULL DEFAULT '' CHECK (length(result) <= 1000),
    cause          text NOT NULL DEFAULT '' CHECK (length(cause) <= 1000),
    improvement    text NOT NULL DEFAULT '' CHECK (length(improvement) <= 1000),
    satisfaction   smallint CHECK (satisfaction BETWEEN 1 AND 5),
    resolved_by    bigint,
    resolved_at    timestamptz,
    closed_by      bigint,
    closed_at      timestamptz,
    created_by     bigint NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, complaint_no),
    FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id),
    FOREIGN KEY (tenant_id, rep_id) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, assignee_id) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, resolved_by) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, closed_by) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, created_by) REFERENCES users (tenant_id, id),
    CHECK (received_at <= soon_at AND soon_at <= due_at),
    CHECK (first_reply_at IS NULL OR first_reply_at >= received_at),
    CHECK ((order_id IS NULL) = (order_no IS NULL)),
    CHECK (status = 'open' OR (resolved_at IS NOT NULL AND first_reply_at IS NOT NULL)),
    CHECK ((status = 'closed') = (closed_at IS NOT NULL))
);
-- The list, sorted by deadline (closed ones last), and its filters.
CREATE INDEX complaints_due_idx ON complaints (tenant_id, (closed_at IS NOT NULL), due_at, id);
CREATE INDEX complaints_unanswered_idx ON complaints (tenant_id, due_at) WHERE first_reply_at IS NULL;
CREATE INDEX complaints_status_idx ON complaints (tenant_id, status, due_at);
CREATE INDEX complaints_assignee_idx ON complaints (tenant_id, assignee_id, due_at) WHERE status <> 'closed';
CREATE INDEX complaints_rep_idx ON complaints (tenant_id, rep_id, due_at);
CREATE INDEX complaints_order_idx ON complaints (tenant_id, order_id) WHERE order_id IS NOT NULL;
-- The search: number (the unique key), phone, customer and order number by prefix.
CREATE INDEX complaints_phone_idx ON complaints (tenant_id, phone text_pattern_ops);
CREATE INDEX complaints_customer_idx ON complaints (tenant_id, customer text_pattern_ops);
CREATE INDEX complaints_order_no_idx ON complaints (tenant_id, order_no text_pattern_ops) WHERE order_no IS NOT NULL;

CREATE TABLE complaint_events (
    tenant_id    bigint NOT NULL REFERENCES tenants (id),
    id           bigint GENERATED ALWAYS AS IDENTITY,
    complaint_id bigint NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('log', 'assign', 'reply', 'note', 'resolve', 'close', 'reopen')),
    actor_id     bigint,
    actor_name   text NOT NULL,
    note         text NOT NULL DEFAULT '' CHECK (length(note) <= 4000),
    at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, complaint_id) REFERENCES complaints (tenant_id, id),
    FOREIGN KEY (tenant_id, actor_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX complaint_events_complaint_idx ON complaint_events (tenant_id, complaint_id, id);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['complaints', 'complaint_events']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = (SELECT app.current_tenant())) '
                       'WITH CHECK (tenant_id = (SELECT app.current_tenant()))', t);
        EXECUTE format('CREATE TRIGGER home_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I '
                       'FOR EACH STATEMENT EXECUTE FUNCTION app.notify_home()', t);
    END LOOP;
END $$;

GRANT SELECT, INSERT, UPDATE ON complaints TO yunying_app;
GRANT SELECT, INSERT ON complaint_events TO yunying_app;
