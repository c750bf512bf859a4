-- Campaigns (CONTRACT.md "Campaigns (活动)"): the plan and its approval, the
-- versions of its approved budget, the products it covers, who of the related
-- departments has acknowledged it (002 联席会议), its daily results per channel, its
-- timeline, and the orders it brought. Money in fen; every key starts with
-- tenant_id; RLS forced with the one tenant policy; every table notifies the home
-- cache.

CREATE TABLE campaigns (
    tenant_id        bigint NOT NULL REFERENCES tenants (id),
    id               bigint GENERATED ALWAYS AS IDENTITY,
    campaign_no      text NOT NULL CHECK (campaign_no ~ '^HD-[0-9]{6,}$'),
    theme            text NOT NULL CHECK (length(theme) BETWEEN 1 AND 100),
    kind             text NOT NULL CHECK (kind IN ('coupon', 'discount', 'flash_sale', 'live', 'offline', 'other')),
    channels         text[] NOT NULL CHECK (cardinality(channels) >= 1 AND channels <@ ARRAY['taobao', 'jd', 'pdd',
                         'douyin', 'xiaohongshu', 'wechat', 'offline', 'other']::text[]),
    budget_fen       bigint NOT NULL CHECK (budget_fen >= 0),
    starts_on        date NOT NULL,
    ends_on          date NOT NULL,
    goal             text NOT NULL CHECK (length(goal) BETWEEN 1 AND 1000),
    target_sales_fen bigint CHECK (target_sales_fen >= 0),
    -- Offline campaigns: where, and how customers take part.
    place            text NOT NULL DEFAULT '' CHECK (length(place) <= 200),
    how_to_join      text NOT NULL DEFAULT '' CHECK (length(how_to_join) <= 1000),
    -- The drafter's department: its manager approves.
    department       text NOT NULL CHECK (department IN ('marketing', 'ops')),
    -- Stored states; `running` and `ended` are `approved` read against the dates.
    status           text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted', 'director_pending',
                         'approved', 'rejected', 'summarized', 'cancelled')),
    -- 1 for the first plan, +1 each time an approved campaign's budget is raised.
    version          integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    -- The budget last approved (shown when a raise waits for approval again).
    approved_budget_fen bigint CHECK (approved_budget_fen >= 0),
    drafted_by       bigint NOT NULL,
    submitted_at     timestamptz,
    -- Submitted fewer than the tenant's preparation days before the start (准备期不足),
    -- decided when it was submitted, and the days it had.
    short_notice     boolean NOT NULL DEFAULT false,
    notice_days      integer,
    manager_by       bigint,
    manager_at       timestamptz,
    manager_comment  text NOT NULL DEFAULT '' CHECK (length(manager_comment) <= 500),
    director_by      bigint,
    director_at      timestamptz,
    director_comment text NOT NULL DEFAULT '' CHECK (length(director_comment) <= 500),
    approved_at      timestamptz,
    -- The review (复盘): what came of it, what worked and did not, suggestions; the
    -- marketing manager's comment on it.
    summary          text NOT NULL DEFAULT '' CHECK (length(summary) <= 4000),
    lessons          text NOT NULL DEFAULT '' CHECK (length(lessons) <= 4000),
    suggestions      text NOT NULL DEFAULT '' CHECK (length(suggestions) <= 4000),
    summarized_by    bigint,
    summarized_at    timestamptz,
    review_comment   text NOT NULL DEFAULT '' CHECK (length(review_comment) <= 1000),
    reviewed_by      bigint,
    reviewed_at      timestamptz,
    cancelled_at     timestamptz,
    cancel_reason    text NOT NULL DEFAULT '' CHECK (length(cancel_reason) <= 500),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, campaign_no),
    FOREIGN KEY (tenant_id, drafted_by) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, manager_by) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, director_by) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, summarized_by) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, reviewed_by) REFERENCES users (tenant_id, id),
    CHECK (ends_on >= starts_on),
    CHECK (status NOT IN ('approved', 'summarized') OR approved_at IS NOT NULL),
    CHECK ((status = 'summarized') = (summarized_at IS NOT NULL)),
    CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL))
);
CREATE INDEX campaigns_list_idx ON campaigns (tenant_id, starts_on DESC, id DESC);
CREATE INDEX campaigns_status_idx ON campaigns (tenant_id, status, department, starts_on DESC);
CREATE INDEX campaigns_drafter_idx ON campaigns (tenant_id, drafted_by, status);

-- The products a campaign covers (the overlap warning looks them up by product).
CREATE TABLE campaign_products (
    tenant_id   bigint NOT NULL REFERENCES tenants (id),
    campaign_id bigint NOT NULL,
    product_id  bigint NOT NULL,
    PRIMARY KEY (tenant_id, campaign_id, product_id),
    FOREIGN KEY (tenant_id, campaign_id) REFERENCES campaigns (tenant_id, id),
    FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, id)
);
CREATE INDEX campaign_products_product_idx ON campaign_products (tenant_id, product_id);

-- Every version of the plan as it was submitted (budget, dates, products…), so the
-- page shows what was approved before a raise.
CREATE TABLE campaign_versions (
    tenant_id    bigint NOT NULL REFERENCES tenants (id),
    campaign_id  bigint NOT NULL,
    version      integer NOT NULL,
    budget_fen   bigint NOT NULL,
    plan         jsonb NOT NULL,
    created_by   bigint NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    approved_at  timestamptz,
    PRIMARY KEY (tenant_id, campaign_id, version),
    FOREIGN KEY (tenant_id, campaign_id) REFERENCES campaigns (tenant_id, id),
    FOREIGN KEY (tenant_id, created_by) REFERENCES users (tenant_id, id)
);

-- 已知悉: a manager of ops, service or warehouse has read the approved campaign
-- (one row per manager and version of the plan).
CREATE TABLE campaign_acks (
    tenant_id   bigint NOT NULL REFERENCES tenants (id),
    campaign_id bigint NOT NULL,
    version     integer NOT NULL,
    user_id     bigint NOT NULL,
    department  text NOT NULL CHECK (department IN ('ops', 'service', 'warehouse')),
    acked_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, campaign_id, version, user_id),
    FOREIGN KEY (tenant_id, campaign_id, version) REFERENCES campaign_versions (tenant_id, campaign_id, version),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX campaign_acks_user_idx ON campaign_acks (tenant_id, user_id);

-- Daily results per channel (upserted by the form and the import).
CREATE TABLE campaign_metrics (
    tenant_id    bigint NOT NULL REFERENCES tenants (id),
    campaign_id  bigint NOT NULL,
    day          date NOT NULL,
    channel      text NOT NULL CHECK (channel IN ('taobao', 'jd', 'pdd', 'douyin', 'xiaohongshu', 'wechat',
                     'offline', 'other')),
    exposure     bigint NOT NULL CHECK (exposure >= 0),
    clicks       bigint NOT NULL CHECK (clicks >= 0),
    conversions  bigint NOT NULL CHECK (conversions >= 0),
    participants bigint NOT NULL CHECK (participants >= 0),
    sales_fen    bigint NOT NULL CHECK (sales_fen >= 0),
    cost_fen     bigint NOT NULL CHECK (cost_fen >= 0),
    updated_by   bigint,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, campaign_id, day, channel),
    FOREIGN KEY (tenant_id, campaign_id) REFERENCES campaigns (tenant_id, id),
    FOREIGN KEY (tenant_id, updated_by) REFERENCES users (tenant_id, id)
);

CREATE TABLE campaign_events (
    tenant_id   bigint NOT NULL REFERENCES tenants (id),
    id          bigint GENERATED ALWAYS AS IDENTITY,
    campaign_id bigint NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('draft', 'edit', 'submit', 'approve', 'reject', 'raise', 'ack',
                    'metrics', 'summary', 'review', 'cancel')),
    actor_id    bigint,
    actor_name  text NOT NULL,
    note        text NOT NULL DEFAULT '' CHECK (length(note) <= 4000),
    at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, campaign_id) REFERENCES campaigns (tenant_id, id),
    FOREIGN KEY (tenant_id, actor_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX campaign_events_campaign_idx ON campaign_events (tenant_id, campaign_id, id);

-- The campaign an order came from (optional; the order import's last column, the
-- order form's field).
ALTER TABLE orders ADD COLUMN campaign_id bigint,
    ADD FOREIGN KEY (tenant_id, campaign_id) REFERENCES campaigns (tenant_id, id);
CREATE INDEX orders_campaign_idx ON orders (tenant_id, campaign_id, ordered_at) WHERE campaign_id IS NOT NULL;

ALTER TABLE order_numbers DROP CONSTRAINT order_numbers_prefix_check;
ALTER TABLE order_numbers ADD CONSTRAINT order_numbers_prefix_check CHECK (prefix IN ('SO', 'AS', 'TS', 'HD'));

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['campaigns', 'campaign_products', 'campaign_versions', 'campaign_acks',
                             'campaign_metrics', 'campaign_events']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = (SELECT app.current_tenant())) '
                       'WITH CHECK (tenant_id = (SELECT app.current_tenant()))', t);
        EXECUTE format('CREATE TRIGGER home_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I '
                       'FOR EACH STATEMENT EXECUTE FUNCTION app.notify_home()', t);
    END LOOP;
END $$;

GRANT SELECT, INSERT, UPDATE ON campaigns, campaign_versions, campaign_metrics TO yunying_app;
GRANT SELECT, INSERT, DELETE ON campaign_products TO yunying_app;
GRANT SELECT, INSERT ON campaign_acks, campaign_events TO yunying_app;
