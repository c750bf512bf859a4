-- Attendance uploads awaiting confirmation: the web import stores the uploaded
-- file here after checking it, shows a preview, and applies the stored bytes
-- (parsed and checked again) only when the uploader confirms. Applied or
-- cancelled uploads keep their row (so a second confirmation is a 409) but drop
-- their bytes; rows are purged a day after they expire.

CREATE TABLE attendance_uploads (
    tenant_id   bigint NOT NULL REFERENCES tenants (id),
    id          bigint GENERATED ALWAYS AS IDENTITY,
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
CREATE INDEX attendance_uploads_expiry_idx ON attendance_uploads (tenant_id, expires_at);

ALTER TABLE attendance_uploads ENABLE ROW LEVEL SECURITY;
ALTER TABLE attendance_uploads FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON attendance_uploads
    USING (tenant_id = (SELECT app.current_tenant())) WITH CHECK (tenant_id = (SELECT app.current_tenant()));

GRANT SELECT, INSERT, UPDATE, DELETE ON attendance_uploads TO yunying_app;
