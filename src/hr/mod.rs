//! HR pages: employees, calendar, attendance, leave, performance, payroll.

pub mod attendance;
pub mod calendar;
pub mod employees;
pub mod leave;
pub mod payroll_download;
pub mod payroll_pages;
pub mod performance;
pub mod policy;
pub mod upload;

use axum::routing::get;
use axum::Router;

use crate::app::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/hr/payroll/{file}", get(payroll_download::download))
        .merge(employees::router())
        .merge(calendar::router())
        .merge(attendance::router())
        .merge(leave::router())
        .merge(performance::router())
        .merge(payroll_pages::router())
        .merge(policy::router())
}
