//! Stocktake (盘点): blind counts, differences, approval, adjustment movements.
//!
//! Flow: an ops/warehouse operator opens a count for a warehouse (book quantities
//! snapshotted) → counters enter counts page by page without seeing the book
//! quantities → submit (every line counted) → the ops manager or a director (not
//! the opener) sees the differences and approves — one adjustment movement per
//! differing line through the ledger — or rejects with a comment (back to
//! counting). An open count can be cancelled.

use axum::routing::{get, post};
use axum::Router;

use crate::app::state::AppState;
use crate::db::Tx;
use crate::people::Action;
use crate::queues::{QueueItem, QueueKind};
use crate::web::CurrentUser;

pub mod demo;
pub mod flow;
mod handlers;
pub mod repo;
mod views;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/inventory/stocktakes", get(handlers::list).post(handlers::create))
        .route("/inventory/stocktakes/new", get(handlers::new_form))
        .route("/inventory/stocktakes/{id}", get(handlers::show))
        .route("/inventory/stocktakes/{id}/count", get(handlers::count_form).post(handlers::count_save))
        .route("/inventory/stocktakes/{id}/sheet", get(handlers::sheet))
        .route("/inventory/stocktakes/{id}/submit", post(handlers::submit))
        .route("/inventory/stocktakes/{id}/approve", post(crate::decision::approve::<flow::Stocktake>))
        .route("/inventory/stocktakes/{id}/reject", post(crate::decision::reject::<flow::Stocktake>))
        .route("/inventory/stocktakes/{id}/cancel", get(handlers::cancel_confirm).post(handlers::cancel))
}

/// What waits for `user` in this module, for the home page (no query when the
/// user's role has nothing here): approvers (ops manager, directors) the
/// submitted counts; operators (ops/warehouse) the counts of their department
/// still being counted. One query.
pub async fn home_queues(tx: &mut Tx, user: &CurrentUser) -> Result<Vec<QueueItem>, sqlx::Error> {
    let approver = user.can(Action::InventoryApprove);
    let operator = user.can(Action::InventoryOperate);
    if !approver && !operator {
        return Ok(Vec::new());
    }
    // "Theirs": the counts opened in the operator's department.
    let dept = user.dept.code();
    let (waiting, oldest_waiting, counting, oldest_counting) =
        repo::queue_counts(tx, user.tenant_id, approver, operator, dept).await?;
    let mut items = Vec::new();
    if waiting > 0 {
        items.push(QueueItem {
            key: "stocktakes.submitted",
            label: "待审批盘点".into(),
            count: waiting,
            oldest: oldest_waiting,
            href: "/inventory/stocktakes?status=submitted".into(),
            kind: QueueKind::Approval,
        });
    }
    if counting > 0 {
        items.push(QueueItem {
            key: "stocktakes.counting",
            label: "进行中的盘点".into(),
            count: counting,
            oldest: oldest_counting,
            href: "/inventory/stocktakes?status=counting".into(),
            kind: QueueKind::Mine,
        });
    }
    Ok(items)
}
