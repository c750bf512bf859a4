//! Stock levels per product and warehouse, the stock-movement ledger, stock pages,
//! warehouses.

pub mod ledger;

use axum::routing::{get, post};
use axum::Router;

use crate::app::state::AppState;

pub mod demo;
pub mod repo;
pub mod stock;
pub mod views;
pub mod warehouses;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/inventory/warehouses", get(warehouses::list).post(warehouses::create))
        .route("/inventory/warehouses/new", get(warehouses::new_form))
        .route("/inventory/warehouses/{id}", get(warehouses::show).post(warehouses::update))
        .route(
            "/inventory/warehouses/{id}/deactivate",
            get(warehouses::deactivate_confirm).post(warehouses::deactivate),
        )
        .route("/inventory/warehouses/{id}/reactivate", post(warehouses::reactivate))
        .route("/inventory/stock", get(stock::list))
        .route("/inventory/stock.csv", get(stock::export))
        .route("/inventory/stock/{product_id}/{warehouse_id}", get(stock::item))
        .route("/inventory/stock/{product_id}/{warehouse_id}/levels", post(stock::set_levels))
        .route("/inventory/stock/{product_id}/{warehouse_id}/movements", post(stock::post_movement))
}
