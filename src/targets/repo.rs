//! All of the targets' SQL. A grid is one statement: the reps (or departments),
//! their targets of the month and the month before, and what they attained in
//! both — the paid orders by payment time and the done refunds by the time they
//! were paid back (`docs/decisions.md` "Sales targets"). It reads the orders and
//! refunds tables of the features it builds on, through migration 0033's indexes.

use chrono::{DateTime, NaiveDate, Utc};

use crate::db::Tx;

/// The instants a grid reads between, in the tenant's time zone: the first moment
/// of the month before, of the month, and of the month after.
#[derive(Clone, Copy, Debug)]
pub struct Bounds {
    pub prev_month: NaiveDate,
    pub month: NaiveDate,
    pub prev_from: DateTime<Utc>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
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

/// The statement of a rep grid (also run by bench/sql/targets.sql).
pub const REP_GRID: &str = "WITH reps AS (
       SELECT u.id, u.username, u.display_name FROM users u
       WHERE u.tenant_id = $1 AND (($2::text IS NOT NULL AND u.department = $2 AND u.level = 'specialist' AND u.is_active)
                                   OR u.id = $3)),
     paid AS (
       SELECT o.rep_id, sum(o.paid_fen) FILTER (WHERE o.paid_at >= $5) AS cur,
              sum(o.paid_fen) FILTER (WHERE o.paid_at < $5) AS prev
       FROM reps JOIN orders o ON o.tenant_id = $1 AND o.rep_id = reps.id
       WHERE o.rep_id IS NOT NULL AND o.paid_at IS NOT NULL AND o.paid_at >= $4 AND o.paid_at < $6
         AND o.status <> 'cancelled'
       GROUP BY o.rep_id),
     back AS (
       SELECT o.rep_id, sum(r.amount_fen) FILTER (WHERE coalesce(r.decided_at, r.recorded_at) >= $5) AS cur,
              sum(r.amount_fen) FILTER (WHERE coalesce(r.decided_at, r.recorded_at) < $5) AS prev
       FROM refunds r JOIN orders o ON o.tenant_id = r.tenant_id AND o.id = r.order_id
       WHERE r.tenant_id = $1 AND r.status = 'done'
         AND coalesce(r.decided_at, r.recorded_at) >= $4 AND coalesce(r.decided_at, r.recorded_at) < $6
         AND o.rep_id IN (SELECT id FROM reps) AND o.status <> 'cancelled'
       GROUP BY o.rep_id)
     SELECT reps.id AS rep_id, reps.username, reps.display_name, t.target_fen,
            coalesce(paid.cur, 0)::bigint AS paid_fen, coalesce(back.cur, 0)::bigint AS refunded_fen,
            p.target_fen AS prev_target_fen,
            coalesce(paid.prev, 0)::bigint AS prev_paid_fen, coalesce(back.prev, 0)::bigint AS prev_refunded_fen
     FROM reps
     LEFT JOIN sales_targets t ON t.tenant_id = $1 AND t.month = $7 AND t.rep_id = reps.id
     LEFT JOIN sales_targets p ON p.tenant_id = $1 AND p.month = $8 AND p.rep_id = reps.id
     LEFT JOIN paid ON paid.rep_id = reps.id
     LEFT JOIN back ON back.rep_id = reps.id
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
        .bind(b.prev_from)
        .bind(b.from)
        .bind(b.to)
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
        "WITH back AS (
           SELECT o.rep_department AS code,
                  sum(r.amount_fen) FILTER (WHERE coalesce(r.decided_at, r.recorded_at) >= $4) AS cur,
                  sum(r.amount_fen) FILTER (WHERE coalesce(r.decided_at, r.recorded_at) < $4) AS prev
           FROM refunds r JOIN orders o ON o.tenant_id = r.tenant_id AND o.id = r.order_id
           WHERE r.tenant_id = $1 AND r.status = 'done'
             AND coalesce(r.decided_at, r.recorded_at) >= $3 AND coalesce(r.decided_at, r.recorded_at) < $5
             AND o.rep_department IS NOT NULL AND o.status <> 'cancelled'
           GROUP BY o.rep_department),
         rows AS (
           SELECT d.code, t.target_fen, coalesce(paid.cur, 0)::bigint AS paid_fen,
                  coalesce(back.cur, 0)::bigint AS refunded_fen, p.target_fen AS prev_target_fen,
                  coalesce(paid.prev, 0)::bigint AS prev_paid_fen, coalesce(back.prev, 0)::bigint AS prev_refunded_fen
           FROM departments d
           CROSS JOIN LATERAL (
             SELECT sum(o.paid_fen) FILTER (WHERE o.paid_at >= $4) AS cur,
                    sum(o.paid_fen) FILTER (WHERE o.paid_at < $4) AS prev
             FROM orders o
             WHERE o.tenant_id = $1 AND o.rep_department = d.code AND o.rep_department IS NOT NULL
               AND o.paid_at IS NOT NULL
               AND o.paid_at >= $3 AND o.paid_at < $5 AND o.status <> 'cancelled') paid
           LEFT JOIN back ON back.code = d.code
           LEFT JOIN department_targets t ON t.tenant_id = $1 AND t.month = $6 AND t.department = d.code
           LEFT JOIN department_targets p ON p.tenant_id = $1 AND p.month = $7 AND p.department = d.code
           WHERE d.tenant_id = $1 AND ($2::text IS NULL OR d.code = $2))
         SELECT * FROM rows
         WHERE $2::text IS NOT NULL OR code = 'sales' OR target_fen IS NOT NULL OR prev_target_fen IS NOT NULL
            OR paid_fen <> 0 OR refunded_fen <> 0 OR prev_paid_fen <> 0 OR prev_refunded_fen <> 0
         ORDER BY code",
    )
    .bind(tenant_id)
    .bind(only)
    .bind(b.prev_from)
    .bind(b.from)
    .bind(b.to)
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
             set_by = EXCLUDED.set_by, set_at = now()
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
             set_by = EXCLUDED.set_by, set_at = now()
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
