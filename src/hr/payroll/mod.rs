//! Payroll pages: the month's computed table for HR and directors (with totals,
//! department totals, flag and department filters), each employee's deductions
//! explained line by line, and the payroll-adjustment CSV download.

mod handlers;
mod views;

pub use views::Totals;

use axum::routing::get;
use axum::Router;

use crate::app::state::AppState;
use crate::error::{AppError, AppResult};
use crate::payroll;
use crate::rules::{Flag, YearMonth};
use handlers::{download, employee_deductions, my_deductions, table};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/hr/payroll", get(table))
        .route("/hr/payroll/{file}", get(download))
        .route("/me/deductions", get(my_deductions))
        .route("/hr/deductions/{employee_id}", get(employee_deductions))
}

/// The month's totals over every employee of the tenant, as the payroll table's
/// cards show them (the rules evaluated as of `today`): the dashboard's payroll
/// figures.
pub async fn month_totals(
    tx: &mut crate::db::Tx,
    tenant_id: i64,
    month: YearMonth,
    today: chrono::NaiveDate,
) -> anyhow::Result<Totals> {
    let month_ctx = payroll::load_context(tx, tenant_id, month).await?.as_of(today);
    let mut totals = Totals::default();
    let all = payroll::Selection { dept: None, employee_id: None };
    payroll::for_each(tx, tenant_id, &month_ctx, &all, |m| {
        totals.add(&m);
        Ok(())
    })
    .await?;
    Ok(totals)
}

/// The month shown by default: the previous month (reviews happen 次月上旬).
pub fn default_month(today: chrono::NaiveDate) -> Option<YearMonth> {
    let this = YearMonth::of(today);
    this.and_then(YearMonth::previous).or(this)
}

fn month_param(raw: &str, today: chrono::NaiveDate) -> AppResult<YearMonth> {
    if raw.trim().is_empty() {
        return default_month(today)
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the current month is out of range")));
    }
    payroll::parse_month(raw.trim()).ok_or_else(|| AppError::BadRequest(format!("月份格式应为 YYYY-MM：{raw}")))
}

/// Flag filter codes.
const FLAG_CODES: &[(&str, Flag)] = &[
    ("consecutive", Flag::ConsecutiveAbsence),
    ("cumulative", Flag::CumulativeAbsence),
    ("two_fail", Flag::TwoMonthsFailed),
    ("unscored", Flag::Unscored),
    ("over20", Flag::WageDeductionOverThreshold),
];
