//! Orders (CONTRACT.md "Orders"): intake from platform exports, by hand and from
//! signed contracts; review and holds; allocation through the stock ledger;
//! printing; parcels; delivery and exceptions.

pub mod codes;
pub mod demo;
pub mod flow;
mod handlers;
pub mod repo;
mod shipping;
pub mod stock;
mod views;

use axum::routing::{get, post};
use axum::Router;

use crate::app::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orders", get(handlers::list))
        .route("/orders.csv", get(handlers::export))
        .route("/orders/{id}", get(handlers::show))
        .route("/orders/{id}/holds", post(handlers::place_hold))
        .route("/orders/{id}/holds/{hold_id}/release", post(handlers::release_hold))
        .route("/orders/{id}/paid", post(handlers::paid))
        .route("/orders/{id}/approve", post(handlers::approve))
        .route("/orders/{id}/recheck-stock", post(handlers::recheck_stock))
        .route("/orders/{id}/cancel", post(handlers::cancel))
        .route("/orders/{id}/allocate", post(shipping::allocate))
        .route("/orders/{id}/ship", post(shipping::ship))
        .route("/orders/{id}/deliver", post(shipping::deliver))
        .route("/orders/{id}/exception", post(shipping::exception))
}

/// Where an order goes: what the shipping label prints.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ShipTo {
    pub receiver: String,
    pub phone: String,
    pub province: String,
    pub city: String,
    pub district: String,
    pub address: String,
}

impl ShipTo {
    /// What is missing for a parcel to be sent (the `address` hold's reason).
    pub fn missing(&self) -> Vec<&'static str> {
        [("收货人", &self.receiver), ("手机", &self.phone), ("详细地址", &self.address)]
            .into_iter()
            .filter(|(_, v)| v.trim().is_empty())
            .map(|(label, _)| label)
            .collect()
    }
}
