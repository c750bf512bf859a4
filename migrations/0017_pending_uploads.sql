-- Uploads awaiting their confirmation, for every web upload with a preview (the
-- order import today; `kind` says which): the file is checked, stored here, shown
-- as a preview, and its stored bytes are parsed and checked again and applied
-- only when the uploader confirms. Applied or cancelled uploads keep their row
-- (so a second confirmation is a 409) but drop their bytes; rows are purged a day
-- after they expire. (The attendance upload keeps its own table from 0003.)

CREATE TABLE pending_uploads (
    tenant_id   bigint NOT NULL REFERENCES tenants (id),
    id          bigint GENERATED ALWAYS AS IDENTITY,
    kind        text NOT NULL CHECK (kind ~ '^[a-z][a-z_]{0,39}$'),
    uploaded_by bigint NOT NULL,
    file_name   text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 200),
    content     bytea,
    status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'applied', 'cancelled')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    decided_at  timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, uploaded_by) REFERENCES users (tenant_id, id),
    CHECK ((status = 'pending') = (content IS NOT NULL))
);
CREATE INDEX pending_uploads_user_idx ON pending_uploads (tenant_id, uploaded_by, kind, id) WHERE status = 'pending';
CREATE INDEX pending_uploads_expiry_idx ON pending_uploads (tenant_id, expires_at);

ALTER TABLE pending_uploads ENABLE ROW LEVEL SECURITY;
ALTER TABLE pending_uploads FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON pending_uploads
    USING (tenant_id = (SELECT app.current_tenant())) WITH CHECK (tenant_id = (SELECT app.current_tenant()));
-- Like every tenant table: its writes drop the tenant's home summaries (0014).
CREATE TRIGGER home_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON pending_uploads
    FOR EACH STATEMENT EXECUTE FUNCTION app.notify_home();

GRANT SELECT, INSERT, UPDATE, DELETE ON pending_uploads TO yunying_app;
