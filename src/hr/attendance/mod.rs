//! Attendance (考勤): HR's web import of punch-clock files (upload → check →
//! preview → confirm), corrections of one employee-day (补卡), "my attendance"
//! (a month calendar with the reason of every mark), the department month grid
//! and one employee's month.
//!
//! Every day is classified by the payroll rules (`payroll::one` /
//! `payroll::evaluate`), so what these pages show is exactly what the payroll
//! CSV charges.

mod correct;
mod days;
pub mod findings;
mod import;
mod pages;
mod repo;

use axum::routing::{get, post};
use axum::Router;
use chrono::NaiveDate;

use crate::app::state::AppState;
use crate::error::{AppError, AppResult};
use crate::payroll;
use crate::rules::YearMonth;
use crate::web::forms::non_empty;
use crate::web::CurrentUser;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/attendance/me", get(pages::my_month))
        .route("/hr/attendance", get(pages::grid))
        .route("/hr/attendance/import", get(import::form).post(import::upload))
        .route("/hr/attendance/import/{id}", get(import::preview))
        .route("/hr/attendance/import/{id}/confirm", post(import::confirm))
        .route("/hr/attendance/import/{id}/cancel", post(import::cancel))
        .route("/hr/attendance/{employee_id}", get(pages::employee_month))
        .route("/hr/attendance/{employee_id}/{date}/correct", get(correct::form).post(correct::save))
}

/// Today in the tenant's time zone.
pub fn today(user: &CurrentUser) -> NaiveDate {
    user.today
}

/// The `month` query parameter (`YYYY-MM`); empty means the current month in the
/// tenant's time zone.
pub fn month_param(raw: &str, user: &CurrentUser) -> AppResult<YearMonth> {
    match non_empty(raw) {
        None => YearMonth::of(today(user)).ok_or_else(|| AppError::BadRequest("无法确定当前月份".into())),
        Some(m) => payroll::parse_month(m).ok_or_else(|| AppError::BadRequest(format!("月份应为 YYYY-MM：{m}"))),
    }
}

/// `month` if it can be shown (the pages' range: from 2000 on).
fn showable(month: Option<YearMonth>) -> Option<YearMonth> {
    month.filter(|m| payroll::parse_month(&m.to_string()).is_some())
}

/// A path segment that must be an id: anything else is a 404.
fn id_segment(raw: &str) -> AppResult<i64> {
    raw.parse::<i64>().ok().filter(|id| *id > 0).ok_or(AppError::NotFound)
}
