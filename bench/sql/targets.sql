-- GET /targets?month=YYYY-MM as the sales manager: what src/targets/handlers.rs `show`
-- runs in the tenant transaction of db::begin_tenant — the rep grid of the manager's
-- department (src/targets/repo.rs REP_GRID, the one-rep parameter NULL as the
-- manager's grid binds it: the department's active sales specialists, their targets
-- of the month and the month before, what their paid orders and done refunds come to
-- in both), then the department's own line above the grid (repo::department_grid
-- with only = the department). Nothing else: the handler reads no lookups.
-- Variables (-D): tenant, dept (sales), month and prev_month (first days, YYYY-MM-DD),
-- prev_from, from, to (the first instants of the month before, the month and the
-- month after in the tenant's time zone, as timestamptz text).
BEGIN;
SELECT set_config('app.tenant_id', :tenant, true);
WITH reps AS (
    SELECT u.id, u.username, u.display_name FROM users u
    WHERE u.tenant_id = :tenant AND ((:dept::text IS NOT NULL AND u.department = :dept AND u.level = 'specialist' AND u.is_active)
    OR u.id = NULL)),
    paid AS (
    SELECT o.rep_id, sum(o.paid_fen) FILTER (WHERE o.paid_at >= :from) AS cur,
    sum(o.paid_fen) FILTER (WHERE o.paid_at < :from) AS prev
    FROM reps JOIN orders o ON o.tenant_id = :tenant AND o.rep_id = reps.id
    WHERE o.rep_id IS NOT NULL AND o.paid_at IS NOT NULL AND o.paid_at >= :prev_from AND o.paid_at < :to
    AND o.status <> 'cancelled'
    GROUP BY o.rep_id),
    back AS (
    SELECT o.rep_id, sum(r.amount_fen) FILTER (WHERE coalesce(r.decided_at, r.recorded_at) >= :from) AS cur,
    sum(r.amount_fen) FILTER (WHERE coalesce(r.decided_at, r.recorded_at) < :from) AS prev
    FROM refunds r JOIN orders o ON o.tenant_id = r.tenant_id AND o.id = r.order_id
    WHERE r.tenant_id = :tenant AND r.status = 'done'
    AND coalesce(r.decided_at, r.recorded_at) >= :prev_from AND coalesce(r.decided_at, r.recorded_at) < :to
    AND o.rep_id IN (SELECT id FROM reps) AND o.status <> 'cancelled'
    GROUP BY o.rep_id)
    SELECT reps.id AS rep_id, reps.username, reps.display_name, t.target_fen,
    coalesce(paid.cur, 0)::bigint AS paid_fen, coalesce(back.cur, 0)::bigint AS refunded_fen,
    p.target_fen AS prev_target_fen,
    coalesce(paid.prev, 0)::bigint AS prev_paid_fen, coalesce(back.prev, 0)::bigint AS prev_refunded_fen
    FROM reps
    LEFT JOIN sales_targets t ON t.tenant_id = :tenant AND t.month = :month AND t.rep_id = reps.id
    LEFT JOIN sales_targets p ON p.tenant_id = :tenant AND p.month = :prev_month AND p.rep_id = reps.id
    LEFT JOIN paid ON paid.rep_id = reps.id
    LEFT JOIN back ON back.rep_id = reps.id
    ORDER BY reps.id;
WITH back AS (
    SELECT o.rep_department AS code,
    sum(r.amount_fen) FILTER (WHERE coalesce(r.decided_at, r.recorded_at) >= :from) AS cur,
    sum(r.amount_fen) FILTER (WHERE coalesce(r.decided_at, r.recorded_at) < :from) AS prev
    FROM refunds r JOIN orders o ON o.tenant_id = r.tenant_id AND o.id = r.order_id
    WHERE r.tenant_id = :tenant AND r.status = 'done'
    AND coalesce(r.decided_at, r.recorded_at) >= :prev_from AND coalesce(r.decided_at, r.recorded_at) < :to
    AND o.rep_department IS NOT NULL AND o.status <> 'cancelled'
    GROUP BY o.rep_department),
    rows AS (
    SELECT d.code, t.target_fen, coalesce(paid.cur, 0)::bigint AS paid_fen,
    coalesce(back.cur, 0)::bigint AS refunded_fen, p.target_fen AS prev_target_fen,
    coalesce(paid.prev, 0)::bigint AS prev_paid_fen, coalesce(back.prev, 0)::bigint AS prev_refunded_fen
    FROM departments d
    CROSS JOIN LATERAL (
    SELECT sum(o.paid_fen) FILTER (WHERE o.paid_at >= :from) AS cur,
    sum(o.paid_fen) FILTER (WHERE o.paid_at < :from) AS prev
    FROM orders o
    WHERE o.tenant_id = :tenant AND o.rep_department = d.code AND o.rep_department IS NOT NULL
    AND o.paid_at IS NOT NULL
    AND o.paid_at >= :prev_from AND o.paid_at < :to AND o.status <> 'cancelled') paid
    LEFT JOIN back ON back.code = d.code
    LEFT JOIN department_targets t ON t.tenant_id = :tenant AND t.month = :month AND t.department = d.code
    LEFT JOIN department_targets p ON p.tenant_id = :tenant AND p.month = :prev_month AND p.department = d.code
    WHERE d.tenant_id = :tenant AND (:dept::text IS NULL OR d.code = :dept))
    SELECT * FROM rows
    WHERE :dept::text IS NOT NULL OR code = 'sales' OR target_fen IS NOT NULL OR prev_target_fen IS NOT NULL
    OR paid_fen <> 0 OR refunded_fen <> 0 OR prev_paid_fen <> 0 OR prev_refunded_fen <> 0
    ORDER BY code;
COMMIT;
