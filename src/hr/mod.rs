//! HR pages: employees, calendar, attendance, leave, performance, payroll.

pub mod attendance;
pub mod calendar;
pub mod employees;
pub mod leave;
pub mod payroll;
pub mod performance;
pub mod policy;
pub mod upload;

use axum::Router;

use crate::app::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(employees::router())
        .merge(calendar::router())
        .merge(attendance::router())
        .merge(leave::router())
        .merge(performance::router())
        .merge(payroll::router())
        .merge(policy::router())
}
