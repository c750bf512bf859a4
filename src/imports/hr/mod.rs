//! HR import files: employees, attendance, leave, scores, calendar (one file each).
//!
//! `parse_*` checks a file on its own (every error by line); `apply_*` checks it
//! against the database (unknown employees, managers) and writes it inside the
//! caller's tenant transaction — all or nothing. Re-importing the same rows is an
//! idempotent upsert; every import is audited with its counts.

mod attendance;
mod calendar;
mod employees;
mod leave;
mod repo;
mod scores;

use super::record;
use super::{required, Collector, ImportErrors, LineError};
pub use super::{ImportFailure, Summary};
use crate::db::Tx;
pub use attendance::{apply_attendance, parse_attendance, AttendanceRow, ATTENDANCE_HEADER};
pub use calendar::{apply_calendar, parse_calendar, CalendarRow, CALENDAR_HEADER};
pub use employees::{apply_employees, parse_employees, EmployeeRow, EMPLOYEES_HEADER};
pub use leave::{apply_leave, parse_leave, LeaveRow, LEAVE_HEADER};
pub use repo::employee_ids;
pub use scores::{apply_scores, parse_scores, ScoreRow, SCORES_HEADER};

/// The value of code list `all` whose code is `s`, else the message naming every code.
fn code_of<T: crate::codes::Code>(all: &[T], s: &str, what: &str) -> Result<T, String> {
    all.iter().copied().find(|v| v.code() == s).ok_or_else(|| {
        let codes: Vec<&str> = all.iter().map(|v| v.code()).collect();
        format!("“{s}”不是有效的{what}（可选：{}）", codes.join("、"))
    })
}

fn employee_no(s: &str) -> Result<String, String> {
    let v = required(s, 32)?;
    if v.chars().any(|c| c.is_control()) {
        return Err("不能包含控制字符".into());
    }
    Ok(v)
}

/// Imports of at least this many rows refresh the planner's statistics.
pub const ANALYZE_AFTER_ROWS: usize = 500;

/// Refresh the HR tables' statistics after a bulk import, in its transaction.
async fn refresh_statistics(tx: &mut Tx, rows: usize) -> Result<(), sqlx::Error> {
    super::analyze_after(tx, rows, ANALYZE_AFTER_ROWS, "SELECT app.analyze_hr_tables()").await
}

/// Each row with its employee's id; every unknown employee number is an error of
/// its line (all-or-nothing: no row is returned unless all are known).
async fn resolve<'r, R>(
    tx: &mut Tx,
    tenant_id: i64,
    file: &str,
    rows: &'r [R],
    key: impl Fn(&R) -> (u64, &str),
) -> Result<Vec<(i64, &'r R)>, ImportFailure> {
    let ids = employee_ids(tx, tenant_id).await?;
    let mut c = Collector::new();
    let mut resolved = Vec::with_capacity(rows.len());
    for r in rows {
        let (line, no) = key(r);
        match ids.get(no) {
            Some(id) => resolved.push((*id, r)),
            None => unknown_employee(&mut c, line, no),
        }
    }
    Ok(c.finish(file, resolved)?)
}

fn unknown_employee(c: &mut Collector, line: u64, no: &str) {
    c.add(line, Some("employee_no"), format!("没有工号为 {no} 的员工（请先导入员工档案）"));
}

/// The error list as the web preview shows it.
pub fn lines(errors: &ImportErrors) -> &[LineError] {
    &errors.errors
}
