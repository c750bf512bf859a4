//! Low stock, replenishment requests (补货申请) and purchase orders (采购单).
//!
//! - `/inventory/low-stock`: items at or below their reorder point with the
//!   suggested quantity (max level − (on hand − reserved + on order)).
//! - `/inventory/replenishments…`: raise a request (a snapshot of the levels), the
//!   ops manager approves or rejects it, a director too at or above the tenant's
//!   threshold (two stages); at most one open request per product and warehouse.
//! - `/purchasing/orders…`: an approved request becomes a purchase order to a
//!   supplier; receiving it (in full or in part) posts receipt movements.

use axum::routing::{get, post};
use axum::Router;

use crate::app::state::AppState;
use crate::db::Tx;
use crate::decision;
use crate::people::scope::Area;
use crate::people::{Action, Dept, Level, Scope};
use crate::queues::{QueueItem, QueueKind};
use crate::web::CurrentUser;

pub mod demo;
pub mod flow;
pub mod low_stock;
pub mod orders;
pub mod repo;
pub mod requests;
pub mod views;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/inventory/low-stock", get(low_stock::page))
        .route("/inventory/replenishments", get(requests::list).post(requests::create))
        .route("/inventory/replenishments/new", get(requests::new_form))
        .route("/inventory/replenishments/{id}", get(requests::show))
        .route("/inventory/replenishments/{id}/approve", post(decision::approve::<flow::Replenishment>))
        .route("/inventory/replenishments/{id}/reject", post(decision::reject::<flow::Replenishment>))
        .route("/purchasing/orders", get(orders::list).post(orders::create))
        .route("/purchasing/orders/new", get(orders::new_form))
        .route("/purchasing/orders/{id}", get(orders::show))
        .route("/purchasing/orders/{id}/receive", post(orders::receive))
}

/// The data scope of replenishment requests: specialists their own, managers their
/// department's, except the ops manager (the ops department approves them all),
/// directors everything.
pub fn request_scope(user: &CurrentUser) -> Scope {
    if user.level == Level::Manager && user.dept == Dept::Ops {
        Scope::Tenant
    } else {
        Scope::for_role(&user.role(), Area::Business)
    }
}

/// Money in yuan with two decimals.
pub fn yuan(fen: i64) -> String {
    crate::rules::Fen(fen).to_string()
}

/// The home page's low-stock count stops here (shown as "1000+"): the home page is
/// benchmarked, and counting the whole partial index of a huge catalog is not free.
const HOME_CAP: i64 = 1_000;

/// What waits for `user` in this module, for the home page (no query when the
/// user's role has nothing here). One query.
pub async fn home_queues(tx: &mut Tx, user: &CurrentUser) -> Result<Vec<QueueItem>, sqlx::Error> {
    if !user.can(Action::InventoryView) {
        return Ok(Vec::new());
    }
    let is_director = user.level == Level::Director;
    let approves_first = user.can(Action::InventoryApprove) && !is_director;
    let operates = user.can(Action::InventoryOperate);
    let repo::HomeCounts {
        pending,
        pending_oldest,
        dpending,
        dpending_oldest,
        mine,
        mine_oldest,
        low,
        open_po,
        open_po_oldest,
    } = repo::home_counts(tx, user.tenant_id, user.user_id, HOME_CAP).await?;
    let mut items = Vec::new();
    if approves_first {
        items.push(QueueItem {
            key: "replenishments.pending",
            label: "待审批补货申请".into(),
            count: pending,
            oldest: pending_oldest,
            href: "/inventory/replenishments?status=pending".into(),
            kind: QueueKind::Approval,
        });
    }
    if is_director {
        items.push(QueueItem {
            key: "replenishments.director_pending",
            label: "待总监审批补货申请".into(),
            count: dpending,
            oldest: dpending_oldest,
            href: "/inventory/replenishments?status=director_pending".into(),
            kind: QueueKind::Approval,
        });
    }
    if operates && mine > 0 {
        items.push(QueueItem {
            key: "replenishments.mine",
            label: "我的未完成补货申请".into(),
            count: mine,
            oldest: mine_oldest,
            href: "/inventory/replenishments?mine=1".into(),
            kind: QueueKind::Mine,
        });
    }
    if low > 0 {
        items.push(QueueItem {
            key: "low_stock.items",
            label: if low >= HOME_CAP {
                format!("低库存商品（{HOME_CAP} 项以上）")
            } else {
                "低库存商品".into()
            },
            count: low,
            oldest: None,
            href: "/inventory/low-stock".into(),
            kind: QueueKind::Alert,
        });
    }
    if operates && open_po > 0 {
        items.push(QueueItem {
            key: "purchase_orders.open",
            label: "待收货采购单".into(),
            count: open_po,
            oldest: open_po_oldest,
            href: "/purchasing/orders?status=open".into(),
            kind: QueueKind::Alert,
        });
    }
    Ok(items)
}
