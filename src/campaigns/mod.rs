//! Campaigns (活动, issue 12). This file is a stand-in on the `metrics` branch: the
//! campaigns core (drafting, approval, acknowledgements, the list and the campaign
//! page) brings its own `mod.rs`; keep `pub mod kpi; pub mod metrics;` and merge
//! `metrics::router()` into its router.

pub mod kpi;
pub mod metrics;

use axum::Router;

use crate::app::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().merge(metrics::router())
}
