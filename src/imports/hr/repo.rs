//! The HR imports' SQL: the tenant's employees by number, and one bulk upsert per
//! kind (`INSERT … SELECT FROM UNNEST … ON CONFLICT`, each row's `xmax = 0` telling
//! whether it was new).

use std::collections::HashMap;

use chrono::NaiveDate;

use super::{AttendanceRow, CalendarRow, EmployeeRow, LeaveRow, ScoreRow};
use crate::db::Tx;
use crate::rules::YearMonth;

/// Employee numbers → ids of the tenant.
pub async fn employee_ids(tx: &mut Tx, tenant_id: i64) -> Result<HashMap<String, i64>, sqlx::Error> {
    let rows: Vec<(String, i64)> = sqlx::query_as("SELECT employee_no, id FROM employees WHERE tenant_id = $1")
        .bind(tenant_id)
        .fetch_all(&mut **tx)
        .await?;
    Ok(rows.into_iter().collect())
}

/// Employee numbers → (id, hired on, left on) of the tenant.
pub(super) async fn employment(
    tx: &mut Tx,
    tenant_id: i64,
) -> Result<HashMap<String, (i64, NaiveDate, Option<NaiveDate>)>, sqlx::Error> {
    let rows: Vec<(String, i64, NaiveDate, Option<NaiveDate>)> =
        sqlx::query_as("SELECT employee_no, id, hired_on, left_on FROM employees WHERE tenant_id = $1")
            .bind(tenant_id)
            .fetch_all(&mut **tx)
            .await?;
    Ok(rows.into_iter().map(|(no, id, hired, left)| (no, (id, hired, left))).collect())
}

/// Upsert punch-clock days (employee id, row); per row whether it was new.
pub(super) async fn upsert_attendance(
    tx: &mut Tx,
    tenant_id: i64,
    chunk: &[(i64, &AttendanceRow)],
    by: Option<i64>,
) -> Result<Vec<bool>, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO attendance (tenant_id, employee_id, day, clock_in, clock_out, source, updated_by)
         SELECT $1, e, d, i, o, 'import', $6 FROM UNNEST($2::bigint[], $3::date[], $4::time[], $5::time[]) AS u(e, d, i, o)
         ON CONFLICT (tenant_id, employee_id, day) DO UPDATE SET
           clock_in = EXCLUDED.clock_in, clock_out = EXCLUDED.clock_out, source = 'import',
           correction_reason = NULL, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
         RETURNING (xmax = 0)",
    )
    .bind(tenant_id)
    .bind(chunk.iter().map(|(id, _)| *id).collect::<Vec<i64>>())
    .bind(chunk.iter().map(|(_, r)| r.date).collect::<Vec<_>>())
    .bind(chunk.iter().map(|(_, r)| r.clock_in).collect::<Vec<_>>())
    .bind(chunk.iter().map(|(_, r)| r.clock_out).collect::<Vec<_>>())
    .bind(by)
    .fetch_all(&mut **tx)
    .await
}

/// Upsert calendar days; per row whether it was new.
pub(super) async fn upsert_calendar(
    tx: &mut Tx,
    tenant_id: i64,
    chunk: &[CalendarRow],
) -> Result<Vec<bool>, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO calendar_days (tenant_id, day, kind)
         SELECT $1, d, k FROM UNNEST($2::date[], $3::text[]) AS u(d, k)
         ON CONFLICT (tenant_id, day) DO UPDATE SET kind = EXCLUDED.kind, updated_at = EXCLUDED.updated_at
         RETURNING (xmax = 0)",
    )
    .bind(tenant_id)
    .bind(chunk.iter().map(|r| r.date).collect::<Vec<_>>())
    .bind(chunk.iter().map(|r| r.kind.to_owned()).collect::<Vec<_>>())
    .fetch_all(&mut **tx)
    .await
}

/// Upsert employees by number; per row whether it was new.
pub(super) async fn upsert_employees(
    tx: &mut Tx,
    tenant_id: i64,
    chunk: &[EmployeeRow],
) -> Result<Vec<bool>, sqlx::Error> {
    let col = |f: fn(&EmployeeRow) -> String| chunk.iter().map(f).collect::<Vec<_>>();
    sqlx::query_scalar(
        "INSERT INTO employees (tenant_id, employee_no, name, department, level, monthly_salary_fen, bonus_base_fen,
                                hired_on, left_on, manager_employee_no)
         SELECT $1, * FROM UNNEST($2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[],
                                  $8::date[], $9::date[], $10::text[])
         ON CONFLICT (tenant_id, employee_no) DO UPDATE SET
           name = EXCLUDED.name, department = EXCLUDED.department, level = EXCLUDED.level,
           monthly_salary_fen = EXCLUDED.monthly_salary_fen, bonus_base_fen = EXCLUDED.bonus_base_fen,
           hired_on = EXCLUDED.hired_on, left_on = EXCLUDED.left_on,
           manager_employee_no = EXCLUDED.manager_employee_no, updated_at = EXCLUDED.updated_at
         RETURNING (xmax = 0)",
    )
    .bind(tenant_id)
    .bind(col(|r| r.employee_no.clone()))
    .bind(col(|r| r.name.clone()))
    .bind(col(|r| r.dept.code().to_owned()))
    .bind(col(|r| r.level.code().to_owned()))
    .bind(chunk.iter().map(|r| r.monthly_salary.fen()).collect::<Vec<i64>>())
    .bind(chunk.iter().map(|r| r.bonus_base.fen()).collect::<Vec<i64>>())
    .bind(chunk.iter().map(|r| r.hired_on).collect::<Vec<_>>())
    .bind(chunk.iter().map(|r| r.left_on).collect::<Vec<_>>())
    .bind(chunk.iter().map(|r| r.manager_employee_no.clone()).collect::<Vec<_>>())
    .fetch_all(&mut **tx)
    .await
}

/// Upsert approved leave (employee id, row), approving a pending request of the
/// same day and portion; per row whether it was new.
pub(super) async fn upsert_leave(
    tx: &mut Tx,
    tenant_id: i64,
    chunk: &[(i64, &LeaveRow)],
    by: Option<i64>,
) -> Result<Vec<bool>, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO leave_requests (tenant_id, employee_id, day, portion, kind, status, source, decided_by, decided_at, decision_comment)
         SELECT $1, e, d, p, k, 'approved', 'import', $6, now(), '导入的已批准请假'
         FROM UNNEST($2::bigint[], $3::date[], $4::text[], $5::text[]) AS u(e, d, p, k)
         ON CONFLICT (tenant_id, employee_id, day, portion) WHERE status <> 'rejected' DO UPDATE SET
           kind = EXCLUDED.kind, status = 'approved',
           decided_by = CASE WHEN leave_requests.status = 'pending' THEN EXCLUDED.decided_by ELSE leave_requests.decided_by END,
           decided_at = coalesce(leave_requests.decided_at, EXCLUDED.decided_at),
           decision_comment = coalesce(leave_requests.decision_comment, EXCLUDED.decision_comment)
         RETURNING (xmax = 0)",
    )
    .bind(tenant_id)
    .bind(chunk.iter().map(|(id, _)| *id).collect::<Vec<i64>>())
    .bind(chunk.iter().map(|(_, r)| r.date).collect::<Vec<_>>())
    .bind(chunk.iter().map(|(_, r)| r.portion.to_owned()).collect::<Vec<_>>())
    .bind(chunk.iter().map(|(_, r)| r.kind.clone()).collect::<Vec<_>>())
    .bind(by)
    .fetch_all(&mut **tx)
    .await
}

/// Upsert `month`'s scores (employee id, row); per row whether it was new.
pub(super) async fn upsert_scores(
    tx: &mut Tx,
    tenant_id: i64,
    month: YearMonth,
    chunk: &[(i64, &ScoreRow)],
    by: Option<i64>,
) -> Result<Vec<bool>, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO performance_scores (tenant_id, employee_id, month, score_tenths, source, scored_by)
         SELECT $1, e, $2, s, 'import', $5 FROM UNNEST($3::bigint[], $4::smallint[]) AS u(e, s)
         ON CONFLICT (tenant_id, employee_id, month) DO UPDATE SET
           score_tenths = EXCLUDED.score_tenths, source = 'import', scored_by = EXCLUDED.scored_by, updated_at = EXCLUDED.updated_at
         RETURNING (xmax = 0)",
    )
    .bind(tenant_id)
    .bind(month.first_day())
    .bind(chunk.iter().map(|(id, _)| *id).collect::<Vec<i64>>())
    .bind(chunk.iter().map(|(_, r)| r.score.tenths() as i16).collect::<Vec<i16>>())
    .bind(by)
    .fetch_all(&mut **tx)
    .await
}
