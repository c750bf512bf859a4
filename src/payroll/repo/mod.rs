//! Payroll's SQL: the calendar's days, each employee's facts for a month (one
//! streaming query) and, in `policy`, the policy versions.

pub mod policy;

use chrono::NaiveDate;

use super::{FactsRow, MonthContext, Selection};
use crate::db::Tx;
use crate::people::Dept;

/// The tenant's calendar days (date, `workday` or `holiday`) from `from` to `to`.
pub(super) async fn calendar_days(
    tx: &mut Tx,
    tenant_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(NaiveDate, String)>, sqlx::Error> {
    sqlx::query_as("SELECT day, kind FROM calendar_days WHERE tenant_id = $1 AND day BETWEEN $2 AND $3")
        .bind(tenant_id)
        .bind(from)
        .bind(to)
        .fetch_all(&mut **tx)
        .await
}

const FACTS_SQL: &str = "
SELECT e.id, e.employee_no, e.name, e.department, e.level, e.monthly_salary_fen, e.bonus_base_fen, e.hired_on, e.left_on,
       (SELECT s.score_tenths FROM performance_scores s
         WHERE s.tenant_id = e.tenant_id AND s.employee_id = e.id AND s.month = $4) AS score,
       (SELECT s.score_tenths FROM performance_scores s
         WHERE s.tenant_id = e.tenant_id AND s.employee_id = e.id AND s.month = $5) AS previous_score,
       att.days, att.ins, att.outs, lv.leave_days, lv.leave_portions
FROM employees e
LEFT JOIN LATERAL (
    SELECT array_agg(a.day ORDER BY a.day) AS days, array_agg(a.clock_in ORDER BY a.day) AS ins,
           array_agg(a.clock_out ORDER BY a.day) AS outs
    FROM attendance a
    WHERE a.tenant_id = e.tenant_id AND a.employee_id = e.id AND a.day BETWEEN $2 AND $3
) att ON true
LEFT JOIN LATERAL (
    SELECT array_agg(l.day) AS leave_days, array_agg(l.portion) AS leave_portions
    FROM leave_requests l
    WHERE l.tenant_id = e.tenant_id AND l.employee_id = e.id AND l.status = 'approved' AND l.day BETWEEN $2 AND $3
) lv ON true
WHERE e.tenant_id = $1 AND e.hired_on <= $6 AND (e.left_on IS NULL OR e.left_on >= $7)
  AND ($8::text IS NULL OR e.department = $8) AND ($9::bigint IS NULL OR e.id = $9)
ORDER BY e.employee_no COLLATE \"C\"";

/// The selected employees employed at any time in the month with their facts,
/// in employee-number order, as a stream (evaluate each with [`evaluate`]).
pub fn facts<'t>(
    tx: &'t mut Tx,
    tenant_id: i64,
    ctx: &MonthContext,
    selection: &Selection,
) -> futures_util::stream::BoxStream<'t, Result<FactsRow, sqlx::Error>> {
    sqlx::query_as::<_, FactsRow>(FACTS_SQL)
        .bind(tenant_id)
        .bind(*ctx.range.start())
        .bind(*ctx.range.end())
        .bind(ctx.month.first_day())
        .bind(ctx.month.previous().map(|m| m.first_day()))
        .bind(ctx.month.last_day())
        .bind(ctx.month.first_day())
        .bind(selection.dept.map(Dept::code))
        .bind(selection.employee_id)
        .fetch(&mut **tx)
}
