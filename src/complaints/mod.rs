//! Complaints (CONTRACT.md "After-sales (售后) and complaints (投诉)"): a customer's
//! complaint (`TS-000001`…) with its channel, category, content and demand, the
//! time it was received (earlier than now for a logged call, never later) and its
//! severity (a major one goes to the service manager at once); replies (the first
//! meets the first-response clock, `clock`), progress notes, the resolution
//! (result, cause, improvement), the close after the return visit with the
//! customer's satisfaction, and reopening (the states in `flow`).
//!
//! Service and ops operate (`AfterSalesOperate`); `ComplaintsView` sees them:
//! directors every one, sales reps those of their own orders (their managers the
//! department's), read-only. Builds on orders; nothing below imports it.

pub mod clock;
pub mod codes;
pub mod demo;
pub mod flow;
mod handlers;
mod input;
pub mod repo;
mod steps;
mod views;

use axum::routing::{get, post};
use axum::Router;

use crate::app::state::AppState;
use crate::db::Tx;
use crate::people::{Action, Level, Scope};
use crate::queues::{QueueItem, QueueKind};
use crate::web::CurrentUser;

/// Whose complaints a user sees: those of the orders they see (ops, service and
/// directors every complaint; a sales rep those of their own orders, a sales
/// manager the department's). A complaint without an order has no rep.
pub fn scope(user: &CurrentUser) -> Scope {
    crate::orders::flow::scope(user)
}

/// The home page's counts stop here ("1000+").
const HOME_CAP: i64 = 1_000;

/// What waits on the home page: for service and ops managers the complaints
/// overdue or due soon without a reply, and the major ones assigned to them; for
/// every operator their own complaints not yet closed. One query; none for
/// other roles.
pub async fn home_queues(tx: &mut Tx, user: &CurrentUser) -> Result<Vec<QueueItem>, sqlx::Error> {
    if !user.can(Action::AfterSalesOperate) {
        return Ok(Vec::new());
    }
    let manager = user.level == Level::Manager;
    let mut items = Vec::new();
    for (code, count, oldest) in repo::queue_counts(tx, user.tenant_id, user.user_id, HOME_CAP).await? {
        let (key, label, href, kind, shown) = match code.as_str() {
            "overdue" => ("complaints.overdue", "超时未回复投诉", "/complaints?overdue=1", QueueKind::Alert, manager),
            "due_soon" => {
                ("complaints.due_soon", "即将超时投诉", "/complaints?sla=due_soon", QueueKind::Alert, manager)
            }
            "major" => (
                "complaints.major",
                "重大投诉（指派给我）",
                "/complaints?severity=major&mine=1",
                QueueKind::Approval,
                true,
            ),
            "mine" => ("complaints.mine", "我的投诉（未关闭）", "/complaints?mine=1", QueueKind::Mine, true),
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
        .route("/complaints", get(handlers::list).post(handlers::create))
        .route("/complaints.csv", get(handlers::export))
        .route("/complaints/new", get(handlers::new_form))
        .route("/complaints/{id}", get(handlers::show))
        .route("/complaints/{id}/reply", post(steps::reply))
        .route("/complaints/{id}/note", post(steps::note))
        .route("/complaints/{id}/resolve", post(steps::resolve))
        .route("/complaints/{id}/close", post(steps::close))
        .route("/complaints/{id}/reopen", post(steps::reopen))
}
