-- Leave by employee: "my leave" lists one employee's requests (all statuses) newest
-- first; the only per-employee index so far is partial (live requests only).
CREATE INDEX leave_employee_idx ON leave_requests (tenant_id, employee_id, day DESC);
