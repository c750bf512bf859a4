-- HR: employees, calendar, attendance, leave, performance scores, policy versions.
-- Every table tenant-keyed, RLS enabled and forced (see 0001).

CREATE TABLE employees (
    tenant_id           bigint NOT NULL REFERENCES tenants (id),
    id                  bigint GENERATED ALWAYS AS IDENTITY,
    employee_no         text NOT NULL CHECK (length(employee_no) BETWEEN 1 AND 32),
    name                text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    department          text NOT NULL,
    level               text NOT NULL CHECK (level IN ('director', 'manager', 'specialist')),
    monthly_salary_fen  bigint NOT NULL CHECK (monthly_salary_fen >= 0),
    bonus_base_fen      bigint NOT NULL CHECK (bonus_base_fen >= 0),
    hired_on            date NOT NULL,
    left_on             date CHECK (left_on IS NULL OR left_on >= hired_on),
    manager_employee_no text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, employee_no),
    FOREIGN KEY (tenant_id, department) REFERENCES departments (tenant_id, code)
);
CREATE INDEX employees_dept_idx ON employees (tenant_id, department, employee_no);

-- Holidays and make-up workdays (调休) of the tenant calendar.
CREATE TABLE calendar_days (
    tenant_id  bigint NOT NULL REFERENCES tenants (id),
    day        date NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('holiday', 'workday')),
    note       text NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, day)
);

-- One row per employee and day: the punch-clock record (an empty time is a missing punch).
CREATE TABLE attendance (
    tenant_id         bigint NOT NULL REFERENCES tenants (id),
    employee_id       bigint NOT NULL,
    day               date NOT NULL,
    clock_in          time(0),
    clock_out         time(0),
    source            text NOT NULL CHECK (source IN ('import', 'correction')),
    correction_reason text,
    updated_by        bigint,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, employee_id, day),
    FOREIGN KEY (tenant_id, employee_id) REFERENCES employees (tenant_id, id),
    FOREIGN KEY (tenant_id, updated_by) REFERENCES users (tenant_id, id),
    CHECK (clock_in IS NULL OR clock_out IS NULL OR clock_out > clock_in)
);

-- Leave: applied on the web (pending → approved/rejected) or imported as approved.
CREATE TABLE leave_requests (
    tenant_id        bigint NOT NULL REFERENCES tenants (id),
    id               bigint GENERATED ALWAYS AS IDENTITY,
    employee_id      bigint NOT NULL,
    day              date NOT NULL,
    portion          text NOT NULL CHECK (portion IN ('full', 'am', 'pm')),
    kind             text NOT NULL CHECK (length(kind) BETWEEN 1 AND 20),
    reason           text NOT NULL DEFAULT '',
    status           text NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    source           text NOT NULL CHECK (source IN ('web', 'import')),
    applied_by       bigint,
    decided_by       bigint,
    decided_at       timestamptz,
    decision_comment text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, employee_id) REFERENCES employees (tenant_id, id),
    FOREIGN KEY (tenant_id, applied_by) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, decided_by) REFERENCES users (tenant_id, id)
);
-- At most one live (pending or approved) request per employee, day and portion.
CREATE UNIQUE INDEX leave_live_idx ON leave_requests (tenant_id, employee_id, day, portion)
    WHERE status <> 'rejected';
CREATE INDEX leave_status_idx ON leave_requests (tenant_id, status, day);

-- Monthly performance scores (tenths of a point), month = first day of the month.
CREATE TABLE performance_scores (
    tenant_id    bigint NOT NULL REFERENCES tenants (id),
    employee_id  bigint NOT NULL,
    month        date NOT NULL CHECK (extract(day FROM month) = 1),
    score_tenths smallint NOT NULL CHECK (score_tenths BETWEEN 0 AND 1000),
    comment      text NOT NULL DEFAULT '',
    source       text NOT NULL CHECK (source IN ('web', 'import')),
    scored_by    bigint,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, employee_id, month),
    FOREIGN KEY (tenant_id, employee_id) REFERENCES employees (tenant_id, id),
    FOREIGN KEY (tenant_id, scored_by) REFERENCES users (tenant_id, id)
);

-- The rules policy, versioned by the month it takes effect from. Append-only: the
-- version in force for a month is the newest one whose month is not after it.
CREATE TABLE policy_versions (
    tenant_id       bigint NOT NULL REFERENCES tenants (id),
    id              bigint GENERATED ALWAYS AS IDENTITY,
    effective_month date NOT NULL CHECK (extract(day FROM effective_month) = 1),
    policy          jsonb NOT NULL,
    note            text NOT NULL DEFAULT '',
    created_by      bigint,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, created_by) REFERENCES users (tenant_id, id)
);
CREATE INDEX policy_versions_month_idx ON policy_versions (tenant_id, effective_month DESC, id DESC);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['employees', 'calendar_days', 'attendance', 'leave_requests', 'performance_scores', 'policy_versions'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = (SELECT app.current_tenant())) WITH CHECK (tenant_id = (SELECT app.current_tenant()))', t);
    END LOOP;
END $$;

GRANT SELECT, INSERT, UPDATE ON employees TO yunying_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON calendar_days TO yunying_app;
GRANT SELECT, INSERT, UPDATE ON attendance TO yunying_app;
GRANT SELECT, INSERT, UPDATE ON leave_requests TO yunying_app;
GRANT SELECT, INSERT, UPDATE ON performance_scores TO yunying_app;
GRANT SELECT, INSERT ON policy_versions TO yunying_app;
