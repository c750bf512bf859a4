//! Stocktake (盘点): blind counts, differences, approval, adjustment movements.

use axum::Router;

use crate::app::AppState;
use crate::db::Tx;
use crate::home::QueueItem;
use crate::web::CurrentUser;

pub mod demo;

pub fn router() -> Router<AppState> {
    Router::new()
}

/// What waits for `user` in this module, for the home page (no query when the
/// user's role has nothing here).
pub async fn home_queues(_tx: &mut Tx, _user: &CurrentUser) -> Result<Vec<QueueItem>, sqlx::Error> {
    Ok(Vec::new())
}
