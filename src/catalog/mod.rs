//! Products (商品): list, create, edit, list/delist (上架/下架), elimination (汰换)
//! and the clearance list of eliminated products with stock left.

use axum::routing::{get, post};
use axum::Router;

use crate::app::state::AppState;
use crate::db::Tx;
use crate::people::Action;
use crate::queues::{QueueItem, QueueKind};
use crate::web::CurrentUser;

pub mod demo;
pub mod elimination;
pub mod flow;
pub mod handlers;
pub mod repo;
pub mod views;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/products", get(handlers::list).post(handlers::create))
        .route("/products/new", get(handlers::new_form))
        .route("/products/clearance", get(elimination::clearance))
        .route("/products/eliminations", get(elimination::list))
        .route("/products/eliminations/{id}/approve", post(crate::decision::approve::<flow::Elimination>))
        .route("/products/eliminations/{id}/reject", post(crate::decision::reject::<flow::Elimination>))
        .route("/products/{id}", get(handlers::show).post(handlers::update))
        .route("/products/{id}/edit", get(handlers::edit_form))
        .route("/products/{id}/list", post(handlers::list_product))
        .route("/products/{id}/delist", post(handlers::delist_product))
        .route("/products/{id}/eliminate", get(elimination::propose_form).post(elimination::propose))
}

crate::code_enum! {
    /// A product's state (`products.status`).
    pub enum Status {
        Draft => ("draft", "草稿"),
        Listed => ("listed", "已上架"),
        Delisted => ("delisted", "已下架"),
        Eliminated => ("eliminated", "已汰换"),
    }
}

impl Status {
    pub fn tag(self) -> &'static str {
        match self {
            Status::Draft => "tag-warn",
            Status::Listed => "tag-ok",
            Status::Delisted => "tag-off",
            Status::Eliminated => "tag-bad",
        }
    }
}

/// What waits for `user` in this module, for the home page (no query when the
/// user's role has nothing here): for the ops manager, the pending elimination
/// proposals of others; for an ops specialist, their own pending proposals.
pub async fn home_queues(tx: &mut Tx, user: &CurrentUser) -> Result<Vec<QueueItem>, sqlx::Error> {
    let approver = user.can(Action::ProductsApprove);
    if !approver && !user.can(Action::ProductsEdit) {
        return Ok(Vec::new());
    }
    let (count, oldest) = repo::pending_proposals(tx, user.tenant_id, user.user_id, approver).await?;
    if count == 0 {
        return Ok(Vec::new());
    }
    Ok(vec![if approver {
        QueueItem {
            key: "eliminations.pending",
            label: "待审批商品汰换".into(),
            count,
            oldest,
            href: "/products/eliminations?status=pending".into(),
            kind: QueueKind::Approval,
        }
    } else {
        QueueItem {
            key: "eliminations.mine",
            label: "我提出的商品汰换（待审批）".into(),
            count,
            oldest,
            href: "/products/eliminations?status=pending&mine=1".into(),
            kind: QueueKind::Mine,
        }
    }])
}
