//! Login, logout, sessions, passwords and login throttling.

pub mod handlers;
pub mod password;
pub mod session;
pub mod session_cache;
pub mod throttle;

use axum::routing::{get, post};
use axum::Router;

use crate::app::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(handlers::login_form).post(handlers::login_submit))
        .route("/logout", post(handlers::logout))
        .route("/account", get(handlers::account_form).post(handlers::account_submit))
        .route("/account/password", get(handlers::password_form).post(handlers::password_submit))
}
