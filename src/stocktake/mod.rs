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

use crate::app::AppState;
use crate::home::{HomeCounts, QueueItem, QueueKind};
use crate::people::Action;
use crate::web::CurrentUser;

pub mod demo;
pub mod pages;
pub mod repo;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/inventory/stocktakes", get(pages::list).post(pages::create))
        .route("/inventory/stocktakes/new", get(pages::new_form))
        .route("/inventory/stocktakes/{id}", get(pages::show))
        .route("/inventory/stocktakes/{id}/count", get(pages::count_form).post(pages::count_save))
        .route("/inventory/stocktakes/{id}/sheet", get(pages::sheet))
        .route("/inventory/stocktakes/{id}/submit", post(pages::submit))
        .route("/inventory/stocktakes/{id}/approve", post(pages::approve))
        .route("/inventory/stocktakes/{id}/reject", post(pages::reject))
        .route("/inventory/stocktakes/{id}/cancel", get(pages::cancel_confirm).post(pages::cancel))
}

/// The home page's summary groups this user sees (see `home::fetch_summary`).
pub fn home_groups(user: &CurrentUser) -> &'static [&'static str] {
    if user.can(Action::InventoryApprove) || user.can(Action::InventoryOperate) {
        &["stocktakes"]
    } else {
        &[]
    }
}

/// Counts to approve (approvers) and counts in progress in the operator's department.
pub fn home_queues(counts: &HomeCounts, user: &CurrentUser) -> Vec<QueueItem> {
    let approver = user.can(Action::InventoryApprove);
    let operator = user.can(Action::InventoryOperate);
    if !approver && !operator {
        return Vec::new();
    }
    let (waiting, oldest_waiting) = if approver { counts.get("stocktakes.submitted") } else { (0, None) };
    // "Theirs": the counts opened in the operator's department.
    let (counting, oldest_counting) = if operator { counts.get("stocktakes.counting") } else { (0, None) };
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
    items
}
