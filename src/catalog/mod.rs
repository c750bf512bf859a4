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

/// A product's state (`products.status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum Status {
    Draft,
    Listed,
    Delisted,
    Eliminated,
}

impl Status {
    pub const ALL: [Status; 4] = [Status::Draft, Status::Listed, Status::Delisted, Status::Eliminated];

    pub fn code(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Listed => "listed",
            Status::Delisted => "delisted",
            Status::Eliminated => "eliminated",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Draft => "草稿",
            Status::Listed => "已上架",
            Status::Delisted => "已下架",
            Status::Eliminated => "已汰换",
        }
    }

    pub fn tag(self) -> &'static str {
        match self {
            Status::Draft => "tag-warn",
            Status::Listed => "tag-ok",
            Status::Delisted => "tag-off",
            Status::Eliminated => "tag-bad",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
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
    let (count, oldest): (i64, Option<chrono::DateTime<chrono::Utc>>) = if approver {
        sqlx::query_as(
            "SELECT count(*), min(proposed_at) FROM product_eliminations
             WHERE tenant_id = $1 AND status = 'pending' AND proposed_by <> $2",
        )
    } else {
        sqlx::query_as(
            "SELECT count(*), min(proposed_at) FROM product_eliminations
             WHERE tenant_id = $1 AND status = 'pending' AND proposed_by = $2",
        )
    }
    .bind(user.tenant_id)
    .bind(user.user_id)
    .fetch_one(&mut **tx)
    .await?;
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
