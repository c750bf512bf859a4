//! Attendance's SQL: the month grid's employees, one employee-day's punches and
//! their correction, and the web import's stored uploads (`attendance_uploads`).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use sqlx::{Postgres, QueryBuilder};

use crate::db::Tx;
use crate::hr::employees::repo::{self as employees_repo, EmployeeRow, COLUMNS};
use crate::people::{Dept, Scope};
use crate::rules::YearMonth;
use crate::web::pending::UploadStatus;

crate::code_enum! {
    /// Where an employee-day's punches come from (`attendance.source`).
    pub enum Source {
        Import => ("import", "打卡导入"),
        Correction => ("correction", "人事更正"),
    }
}

/// Who the month grid lists.
pub struct GridFilter<'a> {
    /// Employed some day of this month…
    pub month: YearMonth,
    /// …of this department (`None`: any)…
    pub dept: Option<Dept>,
    /// …within the viewer's scope.
    pub scope: &'a Scope,
}

fn push_grid_filters(qb: &mut QueryBuilder<'_, Postgres>, tenant_id: i64, f: &GridFilter<'_>) {
    let GridFilter { month, dept, scope } = *f;
    qb.push(" FROM employees e WHERE e.tenant_id = ")
        .push_bind(tenant_id)
        .push(" AND e.hired_on <= ")
        .push_bind(month.last_day())
        .push(" AND (e.left_on IS NULL OR e.left_on >= ")
        .push_bind(month.first_day())
        .push(")");
    if let Some(d) = dept {
        qb.push(" AND e.department = ").push_bind(d.code());
    }
    employees_repo::push_scope(qb, scope);
}

/// The month grid's page of employees (by employee number) and their count up to
/// `count_limit`.
pub async fn grid(
    tx: &mut Tx,
    tenant_id: i64,
    f: &GridFilter<'_>,
    per_page: i64,
    offset: i64,
    count_limit: i64,
) -> Result<(Vec<EmployeeRow>, i64), sqlx::Error> {
    let mut count = crate::db::capped_count(count_limit, |qb| {
        push_grid_filters(qb, tenant_id, f);
    });
    let total: i64 = count.build_query_scalar().fetch_one(&mut **tx).await?;
    let mut list = QueryBuilder::new(format!("SELECT {COLUMNS}"));
    push_grid_filters(&mut list, tenant_id, f);
    list.push(" ORDER BY e.employee_no COLLATE \"C\" LIMIT ").push_bind(per_page).push(" OFFSET ").push_bind(offset);
    let employees: Vec<EmployeeRow> = list.build_query_as().fetch_all(&mut **tx).await?;
    Ok((employees, total))
}

/// The stored punches of one employee-day.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Stored {
    pub clock_in: Option<NaiveTime>,
    pub clock_out: Option<NaiveTime>,
    pub source: Source,
    pub correction_reason: Option<String>,
    pub updated_at: DateTime<Utc>,
}

/// The punches of `employee_id` on `date` (`lock`: the row locked for a correction).
pub async fn stored(
    tx: &mut Tx,
    tenant_id: i64,
    employee_id: i64,
    date: NaiveDate,
    lock: bool,
) -> Result<Option<Stored>, sqlx::Error> {
    let sql = format!(
        "SELECT clock_in, clock_out, source, correction_reason, updated_at FROM attendance
         WHERE tenant_id = $1 AND employee_id = $2 AND day = $3{}",
        if lock { " FOR UPDATE" } else { "" }
    );
    sqlx::query_as(&sql).bind(tenant_id).bind(employee_id).bind(date).fetch_optional(&mut **tx).await
}

/// A correction of one employee-day: its punches and why.
pub struct Correction<'a> {
    pub clock_in: Option<NaiveTime>,
    pub clock_out: Option<NaiveTime>,
    pub reason: &'a str,
}

/// Store `c` as the punches of `employee_id` on `date` (`source = 'correction'`).
pub async fn correct(
    tx: &mut Tx,
    tenant_id: i64,
    employee_id: i64,
    date: NaiveDate,
    c: &Correction<'_>,
    by: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO attendance (tenant_id, employee_id, day, clock_in, clock_out, source, correction_reason, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (tenant_id, employee_id, day) DO UPDATE SET
           clock_in = EXCLUDED.clock_in, clock_out = EXCLUDED.clock_out, source = EXCLUDED.source,
           correction_reason = EXCLUDED.correction_reason, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at",
    )
    .bind(tenant_id)
    .bind(employee_id)
    .bind(date)
    .bind(c.clock_in)
    .bind(c.clock_out)
    .bind(Source::Correction)
    .bind(c.reason)
    .bind(by)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Of the employee-days `days` (employee id, date), how many are stored, and how
/// many of those were corrected by HR.
pub async fn replaced(tx: &mut Tx, tenant_id: i64, days: &[(i64, NaiveDate)]) -> Result<(i64, i64), sqlx::Error> {
    sqlx::query_as(
        "SELECT count(*), count(*) FILTER (WHERE a.source = $4)
         FROM attendance a JOIN UNNEST($2::bigint[], $3::date[]) AS u(e, d) ON a.employee_id = u.e AND a.day = u.d
         WHERE a.tenant_id = $1",
    )
    .bind(tenant_id)
    .bind(days.iter().map(|(e, _)| *e).collect::<Vec<i64>>())
    .bind(days.iter().map(|(_, d)| *d).collect::<Vec<NaiveDate>>())
    .bind(Source::Correction)
    .fetch_one(&mut **tx)
    .await
}

/// Employee number → name of the employees numbered `nos`.
pub async fn names(tx: &mut Tx, tenant_id: i64, nos: &[String]) -> Result<HashMap<String, String>, sqlx::Error> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT employee_no, name FROM employees WHERE tenant_id = $1 AND employee_no = ANY($2)")
            .bind(tenant_id)
            .bind(nos)
            .fetch_all(&mut **tx)
            .await?;
    Ok(rows.into_iter().collect())
}

/// The uploads of `user_id` awaiting confirmation (id, file name, uploaded at),
/// newest first.
pub async fn pending_uploads(
    tx: &mut Tx,
    tenant_id: i64,
    user_id: i64,
) -> Result<Vec<(i64, String, DateTime<Utc>)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, file_name, created_at FROM attendance_uploads
         WHERE tenant_id = $1 AND uploaded_by = $2 AND status = $3 AND expires_at > now()
         ORDER BY id DESC LIMIT 20",
    )
    .bind(tenant_id)
    .bind(user_id)
    .bind(UploadStatus::Pending)
    .fetch_all(&mut **tx)
    .await
}

/// Store a checked file of `user_id` for `minutes` (and purge the tenant's uploads
/// expired for more than a day); its id.
pub async fn stage(
    tx: &mut Tx,
    tenant_id: i64,
    user_id: i64,
    file_name: &str,
    bytes: &[u8],
    minutes: i32,
) -> Result<i64, sqlx::Error> {
    sqlx::query("DELETE FROM attendance_uploads WHERE tenant_id = $1 AND expires_at < now() - interval '1 day'")
        .bind(tenant_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query_scalar(
        "INSERT INTO attendance_uploads (tenant_id, uploaded_by, file_name, content, expires_at)
         VALUES ($1, $2, $3, $4, now() + make_interval(mins => $5)) RETURNING id",
    )
    .bind(tenant_id)
    .bind(user_id)
    .bind(file_name)
    .bind(bytes)
    .bind(minutes)
    .fetch_one(&mut **tx)
    .await
}

/// A stored upload as read back.
#[derive(sqlx::FromRow)]
pub struct Staged {
    pub file_name: String,
    /// The file (`None` once applied or cancelled).
    pub content: Option<Vec<u8>>,
    pub status: UploadStatus,
    pub expired: bool,
}

/// The upload `id` of `user_id` (`lock`: its row locked for confirming or cancelling).
pub async fn staged(
    tx: &mut Tx,
    tenant_id: i64,
    user_id: i64,
    id: i64,
    lock: bool,
) -> Result<Option<Staged>, sqlx::Error> {
    let sql = format!(
        "SELECT file_name, content, status, expires_at <= now() AS expired FROM attendance_uploads
         WHERE tenant_id = $1 AND id = $2 AND uploaded_by = $3{}",
        if lock { " FOR UPDATE" } else { "" }
    );
    sqlx::query_as(&sql).bind(tenant_id).bind(id).bind(user_id).fetch_optional(&mut **tx).await
}

/// Close the upload `id` as `status` (applied or cancelled); its bytes are dropped.
pub async fn close(tx: &mut Tx, tenant_id: i64, id: i64, status: UploadStatus) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE attendance_uploads SET status = $3, content = NULL, decided_at = now()
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(status)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
