//! All of the targets' SQL. A grid is one statement: the reps (or departments),
//! their targets of the month and the month before, and what they attained in
//! both — the paid orders by payment time and the done refunds by the time they
//! were paid back (`docs/decisions.md` "Sales targets"), read from the daily
//! rollup `sales_days` (migration 0035) that the orders' and refunds' triggers keep.

use chrono::NaiveDate;

use crate::db::Tx;

/// The months a grid reads: the month before and the month (their first days; the
/// rollup's days are the tenant's local days).
#[derive(Clone, Copy, Debug)]
pub struct Bounds {
    pub prev_month: NaiveDate,
    pub month: NaiveDate,
}

/// Whose rows a rep grid holds: a department's active sales specialists, or one rep.
#[derive(Clone, Copy, Debug)]
pub enum Reps<'a> {
    Department(&'a str),
    One(i64),
}

/// One rep's line: targets and what was paid and refunded, this month and last.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct RepRow {
    pub rep_id: i64,
    pub username: String,
    pub display_name: String,
    pub target_fen: Option<i64>,
    pub paid_fen: i64,
    pub refunded_fen: i64,
    pub prev_target_fen: Option<i64>,
    pub prev_paid_fen: i64,
    pub prev_refunded_fen: i64,
}

/// The statement of a rep grid (also run by bench/sql/targets.sql): what each rep
/// was paid and refunded in the month and the month before, from the daily
/// rollup (migration 0035, `sales_days` under dimension 'rep': paid, not cancelled
/// orders by the local day of payment, done refunds by the day they were done —
/// the attainment rule above), so its cost does not grow with the orders.
pub const REP_GRID: &str = "WITH reps AS (
       SELECT u.id, u.username, u.display_name FROM users u
       WHERE u.tenant_id = $1 AND (($2::text IS NOT NULL AND u.department = $2 AND u.level = 'specialist' AND u.is_active)
                                   OR u.id = $3)),
     sums AS (
       SELECT s.key, sum(s.paid_fen) FILTER (WHERE s.day >= $4) AS cur, sum(s.paid_fen) FILTER (WHERE s.day < $4) AS prev,
              sum(s.refund_fen) FILTER (WHERE s.day >= $4) AS back_cur,
              sum(s.refund_fen) FILTER (WHERE s.day < $4) AS back_prev
       FROM sales_days s
       WHERE s.tenant_id = $1 AND s.dim = 'rep' AND s.key IN (SELECT id::text FROM reps)
         AND s.day >= $5 AND s.day < ($4::date + interval '1 month')::date
       GROUP BY s.key)
     SELECT reps.id AS rep_id, reps.username, reps.display_name, t.target_fen,
            coalesce(sums.cur, 0)::bigint AS paid_fen, coalesce(sums.back_cur, 0)::bigint AS refunded_fen,
            p.target_fen AS prev_target_fen,
            coalesce(sums.prev, 0)::bigint AS prev_paid_fen, coalesce(sums.back_prev, 0)::bigint AS prev_refunded_fen
     FROM reps
     LEFT JOIN sales_targets t ON t.tenant_id = $1 AND t.month = $4 AND t.rep_id = reps.id
     LEFT JOIN sales_targets p ON p.tenant_id = $1 AND p.month = $5 AND p.rep_id = reps.id
     LEFT JOIN sums ON sums.key = reps.id::text
     ORDER BY reps.id";

/// The rep grid of `reps` for the month of `b`.
pub async fn rep_grid(tx: &mut Tx, tenant_id: i64, reps: Reps<'_>, b: &Bounds) -> Result<Vec<RepRow>, sqlx::Error> {
    let (dept, one) = match reps {
        Reps::Department(d) => (Some(d), None),
        Reps::One(id) => (None, Some(id)),
    };
    sqlx::query_as(REP_GRID)
        .bind(tenant_id)
        .bind(dept)
        .bind(one)
        .bind(b.month)
        .bind(b.prev_month)
        .fetch_all(&mut **tx)
        .await
}

/// One department's line: the director's targets and what the orders carrying the
/// department (`orders.rep_department`) attained.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DeptRow {
    pub code: String,
    pub target_fen: Option<i64>,
    pub paid_fen: i64,
    pub refunded_fen: i64,
    pub prev_target_fen: Option<i64>,
    pub prev_paid_fen: i64,
    pub prev_refunded_fen: i64,
}

/// The department grid: the sales department always, any other only when it has a
/// target or orders in either month (`only`: that department alone).
pub async fn department_grid(
    tx: &mut Tx,
    tenant_id: i64,
    only: Option<&str>,
    b: &Bounds,
) -> Result<Vec<DeptRow>, sqlx::Error> {
    sqlx::query_as(
        "WITH sums AS (
           SELECT s.key AS code,
                  sum(s.paid_fen) FILTER (WHERE s.day >= $3) AS cur, sum(s.paid_fen) FILTER (WHERE s.day < $3) AS prev,
                  sum(s.refund_fen) FILTER (WHERE s.day >= $3) AS back_cur,
                  sum(s.refund_fen) FILTER (WHERE s.day < $3) AS back_prev
           FROM sales_days s
           WHERE s.tenant_id = $1 AND s.dim = 'dept' AND ($2::text IS NULL OR s.key = $2)
             AND s.day >= $4 AND s.day < ($3::date + interval '1 month')::date
           GROUP BY s.key),
         rows AS (
           SELECT d.code, t.target_fen, coalesce(sums.cur, 0)::bigint AS paid_fen,
                  coalesce(sums.back_cur, 0)::bigint AS refunded_fen, p.target_fen AS prev_target_fen,
                  coalesce(sums.prev, 0)::bigint AS prev_paid_fen, coalesce(sums.back_prev, 0)::bigint AS prev_refunded_fen
           FROM departments d
           LEFT JOIN sums ON sums.code = d.code
           LEFT JOIN department_targets t ON t.tenant_id = $1 AND t.month = $3 AND t.department = d.code
           LEFT JOIN department_targets p ON p.tenant_id = $1 AND p.month = $4 AND p.department = d.code
           WHERE d.tenant_id = $1 AND ($2::text IS NULL OR d.code = $2))
         SELECT * FROM rows
         WHERE $2::text IS NOT NULL OR code = 'sales' OR target_fen IS NOT NULL OR prev_target_fen IS NOT NULL
            OR paid_fen <> 0 OR refunded_fen <> 0 OR prev_paid_fen <> 0 OR prev_refunded_fen <> 0
         ORDER BY code",
    )
    .bind(tenant_id)
    .bind(only)
    .bind(b.month)
    .bind(b.prev_month)
    .fetch_all(&mut **tx)
    .await
}

/// Which of `ids` are active sales specialists of `department` (whose targets its
/// manager sets).
pub async fn reps_within(tx: &mut Tx, tenant_id: i64, department: &str, ids: &[i64]) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM users WHERE tenant_id = $1 AND department = $2 AND level = 'specialist' AND is_active
           AND id = ANY($3) ORDER BY id",
    )
    .bind(tenant_id)
    .bind(department)
    .bind(ids)
    .fetch_all(&mut **tx)
    .await
}

/// The targets of `month` of `ids`, locked (the audit's "before").
pub async fn rep_targets(
    tx: &mut Tx,
    tenant_id: i64,
    month: NaiveDate,
    ids: &[i64],
) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT rep_id, target_fen FROM sales_targets WHERE tenant_id = $1 AND month = $2 AND rep_id = ANY($3)
         ORDER BY rep_id FOR UPDATE",
    )
    .bind(tenant_id)
    .bind(month)
    .bind(ids)
    .fetch_all(&mut **tx)
    .await
}

/// Set the targets of `month`: `set` (rep, fen) upserted (a changed one records who
/// and when), `cleared` deleted.
pub async fn save_rep_targets(
    tx: &mut Tx,
    tenant_id: i64,
    month: NaiveDate,
    set: &[(i64, i64)],
    cleared: &[i64],
    by: i64,
) -> Result<(), sqlx::Error> {
    let (ids, fens): (Vec<i64>, Vec<i64>) = set.iter().copied().unzip();
    sqlx::query(
        "INSERT INTO sales_targets (tenant_id, month, rep_id, target_fen, set_by)
         SELECT $1, $2, x.r, x.f, $5 FROM unnest($3::bigint[], $4::bigint[]) AS x (r, f)
         ON CONFLICT (tenant_id, month, rep_id) DO UPDATE SET target_fen = EXCLUDED.target_fen,
             set_by = EXCLUDED.set_by, set_at = EXCLUDED.set_at
         WHERE sales_targets.target_fen <> EXCLUDED.target_fen",
    )
    .bind(tenant_id)
    .bind(month)
    .bind(&ids)
    .bind(&fens)
    .bind(by)
    .execute(&mut **tx)
    .await?;
    sqlx::query("DELETE FROM sales_targets WHERE tenant_id = $1 AND month = $2 AND rep_id = ANY($3)")
        .bind(tenant_id)
        .bind(month)
        .bind(cleared)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The department targets of `month`, locked.
pub async fn department_targets(
    tx: &mut Tx,
    tenant_id: i64,
    month: NaiveDate,
) -> Result<Vec<(String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT department, target_fen FROM department_targets WHERE tenant_id = $1 AND month = $2
         ORDER BY department FOR UPDATE",
    )
    .bind(tenant_id)
    .bind(month)
    .fetch_all(&mut **tx)
    .await
}

/// Set the department targets of `month` (as [`save_rep_targets`]).
pub async fn save_department_targets(
    tx: &mut Tx,
    tenant_id: i64,
    month: NaiveDate,
    set: &[(String, i64)],
    cleared: &[String],
    by: i64,
) -> Result<(), sqlx::Error> {
    let (codes, fens): (Vec<String>, Vec<i64>) = set.iter().cloned().unzip();
    sqlx::query(
        "INSERT INTO department_targets (tenant_id, month, department, target_fen, set_by)
         SELECT $1, $2, x.d, x.f, $5 FROM unnest($3::text[], $4::bigint[]) AS x (d, f)
         ON CONFLICT (tenant_id, month, department) DO UPDATE SET target_fen = EXCLUDED.target_fen,
             set_by = EXCLUDED.set_by, set_at = EXCLUDED.set_at
         WHERE department_targets.target_fen <> EXCLUDED.target_fen",
    )
    .bind(tenant_id)
    .bind(month)
    .bind(&codes)
    .bind(&fens)
    .bind(by)
    .execute(&mut **tx)
    .await?;
    sqlx::query("DELETE FROM department_targets WHERE tenant_id = $1 AND month = $2 AND department = ANY($3)")
        .bind(tenant_id)
        .bind(month)
        .bind(cleared)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
