//! HR pages: employees, calendar, attendance, leave, performance, payroll.

pub mod payroll_download;

use axum::routing::get;
use axum::Router;

use crate::app::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/hr/payroll/{file}", get(payroll_download::download))
}
