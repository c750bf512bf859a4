//! Stock levels per product and warehouse, the stock-movement ledger, stock pages,
//! warehouses.

pub mod ledger;

use axum::routing::{get, post};
use axum::Router;

use crate::app::AppState;
use crate::db::Tx;
use crate::home::QueueItem;
use crate::web::CurrentUser;

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
        .route("/inventory/stock/{product_id}/{warehouse_id}", get(stock::item))
        .route("/inventory/stock/{product_id}/{warehouse_id}/levels", post(stock::set_levels))
        .route("/inventory/stock/{product_id}/{warehouse_id}/movements", post(stock::post_movement))
}

/// What waits for `user` in this module, for the home page. Low-stock counts are
/// the purchasing module's (next to the replenishment queue); nothing here.
pub async fn home_queues(_tx: &mut Tx, _user: &CurrentUser) -> Result<Vec<QueueItem>, sqlx::Error> {
    Ok(Vec::new())
}
