//! The rules policy page: the numbers in force, a form to save a new version
//! from a chosen month (previewing its effect on the last complete month first),
//! and the history of versions. HR managers and directors, and tenant admins.
//! The versions' SQL is `payroll::policy`'s.

mod form;
mod handlers;
mod views;

use axum::routing::{get, post};
use axum::Router;

use crate::app::state::AppState;
use handlers::{preview, save, show};

pub fn router() -> Router<AppState> {
    Router::new().route("/hr/policy", get(show).post(save)).route("/hr/policy/preview", post(preview))
}
