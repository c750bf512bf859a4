//! Employee records (员工档案): HR's list, create, edit, leaving date and CSV upload.

mod handlers;
pub mod repo;
mod repo_pages;
mod views;

use axum::routing::get;
use axum::Router;
use chrono::NaiveDate;

use crate::app::state::AppState;
use crate::people::Action;
use crate::web::CurrentUser;
use handlers::{create, import, import_form, leave_date, leave_date_form, list, new_form, show, update};

const LIST: &str = "/hr/employees";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/hr/employees", get(list).post(create))
        .route("/hr/employees/new", get(new_form))
        .route("/hr/employees/import", get(import_form).post(import))
        .route("/hr/employees/{id}", get(show).post(update))
        .route("/hr/employees/{id}/leave-date", get(leave_date_form).post(leave_date))
}

/// Whether the user may see salaries and bonus bases: HR and whoever downloads
/// the payroll file (directors).
pub fn sees_money(user: &CurrentUser) -> bool {
    user.can(Action::HrManage) || user.can(Action::PayrollExport)
}

/// Today in the tenant's time zone.
pub fn today(user: &CurrentUser) -> NaiveDate {
    user.today
}
