//! The order desk's web uploads, here because they read files with the imports'
//! own code (orders sit below imports): the order import with its preview
//! (`orders`: upload → check → preview → confirm or cancel, stored in
//! `web::pending` meanwhile) and batch shipping (`ship`: lines pasted or uploaded,
//! checked and shipped at once by `orders::batch`). Their pages are under
//! `templates/orders/`. Also the campaign metrics upload (`campaign_metrics`, under
//! `/campaigns/metrics/import`, pages under `templates/campaigns/`), here for the
//! same reason.

mod campaign_metrics;
mod orders;
mod ship;
mod views;

use axum::routing::{get, post};
use axum::Router;

use crate::app::state::AppState;
use crate::imports::LineError;
use crate::web::upload::{ErrorLine, ErrorList};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orders/import", get(orders::form).post(orders::upload))
        .route("/orders/import/{id}", get(orders::preview))
        .route("/orders/import/{id}/confirm", post(orders::confirm))
        .route("/orders/import/{id}/cancel", post(orders::cancel))
        .route("/orders/ship-batch", get(ship::form).post(ship::submit))
        .route("/campaigns/metrics/import", get(campaign_metrics::form).post(campaign_metrics::upload))
        .route("/campaigns/metrics/import/{id}", get(campaign_metrics::preview))
        .route("/campaigns/metrics/import/{id}/confirm", post(campaign_metrics::confirm))
        .route("/campaigns/metrics/import/{id}/cancel", post(campaign_metrics::cancel))
}

/// A refused file's error list: every error by line, its column as
/// `label（code）` (`整行` for the whole line).
fn error_list(refused: String, errors: &[LineError], label: fn(&str) -> &'static str) -> ErrorList {
    let field = |f: Option<&str>| match f {
        None => "整行".to_owned(),
        Some(f) if label(f).is_empty() => f.to_owned(),
        Some(f) => format!("{}（{f}）", label(f)),
    };
    let lines =
        errors.iter().map(|e| ErrorLine { line: e.line, field: field(e.field), message: e.message.clone() }).collect();
    ErrorList::of(refused, lines)
}
