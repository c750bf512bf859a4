//! After-sales (CONTRACT.md "After-sales (售后)"): cases raised on a shipped order
//! line (refund only, return and refund, exchange, repair), their review, the
//! goods received back through the stock ledger, refunds bounded by what was
//! paid and approved by a manager at the tenant's threshold, and the goods sent
//! out again. Builds on orders (and so on inventory); nothing below imports it.

pub mod codes;
pub mod demo;
pub mod flow;
mod goods;
mod handlers;
mod refunds;
pub mod repo;
mod views;

use axum::routing::{get, post};
use axum::Router;

use crate::app::state::AppState;
use crate::db::Tx;
use crate::decision;
use crate::people::{Action, Scope};
use crate::queues::{QueueItem, QueueKind};
use crate::web::CurrentUser;

/// Whose cases a user sees: the order's (ops, service, warehouse and directors
/// every case of the tenant; a sales rep those of their own orders, a sales
/// manager the department's — read-only).
pub fn scope(user: &CurrentUser) -> Scope {
    crate::orders::flow::scope(user)
}

/// The home page's counts stop here ("1000+").
const HOME_CAP: i64 = 1_000;

/// What waits on the home page: refunds for a manager's approval, cases to
/// review (operators), goods to receive back (the warehouse), and the
/// specialist's own open cases. One query; none for other roles.
pub async fn home_queues(tx: &mut Tx, user: &CurrentUser) -> Result<Vec<QueueItem>, sqlx::Error> {
    let (operates, receives, approves) =
        (user.can(Action::AfterSalesOperate), user.can(Action::AfterSalesReceive), user.can(Action::RefundApprove));
    if !operates && !receives && !approves {
        return Ok(Vec::new());
    }
    let mut items = Vec::new();
    for (code, count, oldest) in repo::queue_counts(tx, user.tenant_id, user.user_id, HOME_CAP).await? {
        let (key, label, href, kind, shown) = match code.as_str() {
            "refund_pending" => (
                "after_sales.refund_pending",
                "待审批退款",
                "/after-sales?status=refund_pending",
                QueueKind::Approval,
                approves,
            ),
            "requested" => {
                ("after_sales.requested", "待审核售后", "/after-sales?status=requested", QueueKind::Approval, operates)
            }
            "to_receive" => {
                ("after_sales.to_receive", "待收退货", "/after-sales?stage=receive", QueueKind::Approval, receives)
            }
            "mine" => ("after_sales.mine", "我的售后单（进行中）", "/after-sales?mine=1", QueueKind::Mine, operates),
            _ => continue,
        };
        if shown && count > 0 {
            items.push(QueueItem { key, label: label.into(), count, oldest, href: href.into(), kind });
        }
    }
    Ok(items)
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/after-sales", get(handlers::list).post(handlers::create))
        .route("/after-sales.csv", get(handlers::export))
        .route("/after-sales/new", get(handlers::new_form))
        .route("/after-sales/{id}", get(handlers::show))
        .route("/after-sales/{id}/approve", post(decision::approve::<flow::CaseReview>))
        .route("/after-sales/{id}/reject", post(decision::reject::<flow::CaseReview>))
        .route("/after-sales/{id}/receive", post(goods::receive))
        .route("/after-sales/{id}/reship", post(goods::send_out))
        .route("/after-sales/{id}/close", post(goods::close))
        .route("/after-sales/{id}/refund", post(refunds::refund))
        .route("/after-sales/{id}/refund/approve", post(decision::approve::<flow::RefundReview>))
        .route("/after-sales/{id}/refund/reject", post(decision::reject::<flow::RefundReview>))
}
