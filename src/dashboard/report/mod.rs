//! The monthly operations report (运营月报, issue 13 item 5): for a director, one
//! printable page per month — the registry's month figures against last month and
//! the same month a year before, the dashboard's charts with their tables, the top
//! products by sales, slow-moving stock, the month's campaigns with their ROI,
//! complaints by category — and the director's conclusions and suggestions, saved
//! (versioned: a stale form is refused) and audited. Each table downloads as CSV.
//!
//! Directors only (`ReportsView`, `ReportsWrite`): the figures are the whole
//! company's (`measure::figures` of a director). The rules are in
//! docs/decisions.md, "Monthly report (运营月报)"; the SQL in [`repo`].

mod export;
mod handlers;
pub mod repo;
mod views;

use axum::routing::{get, post};
use axum::Router;

use crate::app::state::AppState;

pub use handlers::{change, month_of};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reports/monthly", get(handlers::show_page))
        .route("/reports/monthly.csv", get(export::export))
        .route("/reports/monthly/{month}", post(handlers::save))
}

/// The registry's figures that are about a period (and so compare with another
/// month); the others count what stands now (held orders, low stock, running
/// campaigns…) and are the dashboard's, not a month's report's.
pub const MONTH_FIGURES: &[&str] = &[
    "sales.amount",
    "sales.orders",
    "sales.avg_order",
    "orders.shipped_on_time",
    "refunds.amount",
    "refunds.rate",
    "complaints.on_time",
    "inventory.turnover",
    "targets.attainment",
];

/// Products in the top list.
pub const TOP_PRODUCTS: i64 = 10;
/// Slow-moving items shown on the page (the CSV has all).
pub const SLOW_SHOWN: i64 = 20;
/// The most characters of each text section.
pub const MAX_CHARS: usize = 2000;
