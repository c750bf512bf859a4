//! A month's attendance findings one by one: the absences (旷工, half or full day)
//! and the late arrivals (迟到, minor or serious) of every employee in a scope,
//! each an employee-day with that finding, as the month grid marks and tallies
//! them (`days::month_views`: the payroll rules' classification, days still to
//! come and today's unfinished absences left out). `GET /hr/attendance?kind=…`
//! lists them; [`absences`] and [`late`] count them for a dashboard.

use chrono::NaiveDate;

use super::days;
use crate::db::Tx;
use crate::payroll::{self, PayrollError, Selection};
use crate::people::{Dept, Scope};
use crate::rules::{Occurrence, YearMonth};
use crate::web::pagination::query_string;

crate::code_enum! {
    /// What the list shows (`kind`).
    pub enum Finding {
        Absent => ("absent", "旷工"),
        Late => ("late", "迟到"),
    }
}

impl Finding {
    /// Whether `o` is this finding: an absence is a half-day or full-day absence;
    /// a late arrival is a minor or serious lateness (early leave is not lateness).
    pub fn matches(self, o: &Occurrence) -> bool {
        match self {
            Finding::Absent => matches!(o, Occurrence::AbsentHalfDay(_) | Occurrence::AbsentFullDay),
            Finding::Late => matches!(o, Occurrence::MinorLate(_) | Occurrence::SeriousLate(_)),
        }
    }
}

/// One employee-day with the finding.
#[derive(Clone, Debug)]
pub struct FindingRow {
    pub employee_id: i64,
    pub employee_no: String,
    pub name: String,
    pub dept: Dept,
    pub date: NaiveDate,
    /// e.g. `旷工半天（缺下班卡）`, `严重迟到20分钟`.
    pub label: String,
}

/// The department the employees of `scope` are limited to, `dept` (the list's
/// filter) within a tenant-wide scope: `None` for a scope of one's own records,
/// which sees no one else's attendance.
fn selection(scope: &Scope, dept: Option<Dept>) -> Option<Selection> {
    match scope {
        Scope::Tenant => Some(Selection { dept, employee_id: None }),
        Scope::Department(d) => Some(Selection { dept: Some(*d), employee_id: None }),
        Scope::Own { .. } => None,
    }
}

/// Every employee-day of `month` with `finding`, for the employees employed in the
/// month within `scope` (and `dept`, when the scope is the tenant), by employee
/// number then date, as of `today` (the tenant's date). Empty for an own scope.
pub async fn list(
    tx: &mut Tx,
    tenant_id: i64,
    scope: &Scope,
    dept: Option<Dept>,
    month: YearMonth,
    today: NaiveDate,
    finding: Finding,
) -> Result<Vec<FindingRow>, PayrollError> {
    let Some(selection) = selection(scope, dept) else {
        return Ok(Vec::new());
    };
    let ctx = payroll::load_context(tx, tenant_id, month).await?;
    let mut rows = Vec::new();
    payroll::for_each(tx, tenant_id, &ctx, &selection, |m| {
        for v in days::month_views(&m.result, today) {
            if let Some(o) = v.occurrences.iter().find(|o| finding.matches(o)) {
                rows.push(FindingRow {
                    employee_id: m.employee_id,
                    employee_no: m.employee_no.clone(),
                    name: m.name.clone(),
                    dept: m.dept,
                    date: v.date,
                    label: o.label_zh(),
                });
            }
        }
        Ok(())
    })
    .await?;
    Ok(rows)
}

/// A payroll error as the database error the dashboard's other counts return
/// (stored data the rules refuse is a decoding failure of that data).
fn as_sqlx(e: PayrollError) -> sqlx::Error {
    match e {
        PayrollError::Database(e) => e,
        other => sqlx::Error::Decode(Box::new(other)),
    }
}

async fn count(
    tx: &mut Tx,
    tenant_id: i64,
    scope: &Scope,
    month: NaiveDate,
    today: NaiveDate,
    finding: Finding,
) -> Result<i64, sqlx::Error> {
    let Some(month) = YearMonth::of(month) else {
        return Ok(0);
    };
    let rows = list(tx, tenant_id, scope, None, month, today, finding).await.map_err(as_sqlx)?;
    Ok(i64::try_from(rows.len()).unwrap_or(i64::MAX))
}

/// The number of absence occurrences (employee-days 旷工半天 or 旷工一天) in the
/// month of `month` (any day of it; the first by convention) among the employees
/// in `scope`, as of `today` — what [`absences_href`] lists as `data-total`
/// (for the scope's whole list, no department filter).
pub async fn absences(
    tx: &mut Tx,
    tenant_id: i64,
    scope: &Scope,
    month: NaiveDate,
    today: NaiveDate,
) -> Result<i64, sqlx::Error> {
    count(tx, tenant_id, scope, month, today, Finding::Absent).await
}

/// The number of late occurrences (employee-days with a minor or serious late
/// arrival) in the month of `month`, as [`absences`]; listed by [`late_href`].
pub async fn late(
    tx: &mut Tx,
    tenant_id: i64,
    scope: &Scope,
    month: NaiveDate,
    today: NaiveDate,
) -> Result<i64, sqlx::Error> {
    count(tx, tenant_id, scope, month, today, Finding::Late).await
}

fn href(month: NaiveDate, finding: Finding) -> String {
    let m = YearMonth::of(month).map(|m| m.to_string()).unwrap_or_default();
    format!("/hr/attendance?{}", query_string(&[("month", &m), ("kind", finding.code())]))
}

/// `/hr/attendance?month=YYYY-MM&kind=absent`: the list [`absences`] counts.
pub fn absences_href(month: NaiveDate) -> String {
    href(month, Finding::Absent)
}

/// `/hr/attendance?month=YYYY-MM&kind=late`: the list [`late`] counts.
pub fn late_href(month: NaiveDate) -> String {
    href(month, Finding::Late)
}
