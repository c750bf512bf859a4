//! Contracts (合同): drafting, approval, signing.
//!
//! Sales contracts (with customers) are drafted by sales, purchase contracts (with
//! suppliers) by ops. draft → submitted → approved | rejected; at or above the
//! tenant's threshold a manager's approval leads to director_pending and a director
//! approves too (a director's approval is final at either stage). Rejected
//! contracts are edited and resubmitted; approved ones are signed.
//!
//! Who sees what: specialists their own contracts, sales/ops managers their
//! department's, directors and finance (any level, read-only) all of the tenant.
//! Out of that scope (or another tenant) is 404; in scope but not allowed is 403;
//! a transition no longer possible is 409.

use axum::routing::{get, post};
use axum::Router;

use crate::app::state::AppState;
use crate::db::Tx;
use crate::people::scope::Area;
use crate::people::{Action, Dept, Level, Scope};
use crate::queues::{QueueItem, QueueKind};
use crate::web::CurrentUser;

pub mod demo;
pub mod flow;
mod handlers;
pub mod numerals;
mod repo;
pub mod status;
mod views;

pub use repo::{event, fetch, for_partner, ContractRow};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/contracts", get(handlers::list).post(handlers::create))
        .route("/contracts/new", get(handlers::new_form))
        .route("/contracts/{id}", get(handlers::show))
        .route("/contracts/{id}/print", get(handlers::print))
        .route("/contracts/{id}/edit", get(handlers::edit_form).post(handlers::update))
        .route("/contracts/{id}/lines", post(handlers::line_add))
        .route("/contracts/{id}/lines/{line_id}/delete", post(handlers::line_remove))
        .route("/contracts/{id}/submit", post(flow::submit))
        .route("/contracts/{id}/approve", post(crate::decision::approve::<flow::Contract>))
        .route("/contracts/{id}/reject", post(crate::decision::reject::<flow::Contract>))
        .route("/contracts/{id}/sign", post(flow::sign))
}

/// Largest contract amount: 1 万亿 yuan minus a fen.
pub const MAX_AMOUNT_FEN: i64 = 100_000_000_000_000 - 1;

pub const KINDS: &[(&str, &str)] = &[("sales", "销售合同"), ("purchase", "采购合同")];

pub fn kind_label(k: &str) -> &'static str {
    KINDS.iter().find(|(c, _)| *c == k).map_or("未知", |(_, l)| l)
}

/// The contract kind a department drafts: sales → sales, ops → purchase.
pub fn kind_for(dept: Dept) -> Option<&'static str> {
    match dept {
        Dept::Sales => Some("sales"),
        Dept::Ops => Some("purchase"),
        _ => None,
    }
}

/// The partner kind a contract kind is made with.
pub fn partner_kind_for(kind: &str) -> &'static str {
    if kind == "sales" {
        "customer"
    } else {
        "supplier"
    }
}

/// Which contracts `user` sees: finance (any level) and directors all of the
/// tenant, managers their department's, specialists their own.
pub fn view_scope(user: &CurrentUser) -> Scope {
    if user.dept == Dept::Finance {
        Scope::Tenant
    } else {
        Scope::for_role(&user.role(), Area::Business)
    }
}

/// Which of the contracts `ids` `user` may open (`/contracts/{id}`): a page that
/// names a contract links it only then, and shows its number alone otherwise (the
/// order desk orders sales contracts it does not see).
pub async fn visible(tx: &mut Tx, user: &CurrentUser, ids: &[i64]) -> Result<Vec<i64>, sqlx::Error> {
    if ids.is_empty() || !user.can(Action::ContractsView) {
        return Ok(Vec::new());
    }
    repo::within(tx, user.tenant_id, &view_scope(user), ids).await
}

/// Whether `user` decides (approves/rejects) contracts of `department`: its
/// manager, or a director.
pub fn decides(user: &CurrentUser, department: &str) -> bool {
    user.can(Action::ContractsApprove)
        && (user.level == Level::Director || (user.level == Level::Manager && user.dept.code() == department))
}

/// Whether `user` may make the order of a signed sales contract drafted by
/// `drafted_by` in `department` (生成订单, served by `orders`): the order desk
/// (`OrdersOperate`: ops and service take orders in), or one who signs it — its
/// drafter or the manager of its department, since signed contracts "can spawn
/// orders" (PRODUCT.md) and the rep follows them.
pub fn may_order(user: &CurrentUser, drafted_by: i64, department: &str) -> bool {
    user.can(Action::OrdersOperate)
        || (user.can(Action::ContractsDraft)
            && (drafted_by == user.user_id || (user.level == Level::Manager && user.dept.code() == department)))
}

/// What waits for `user` in this module, for the home page, in one query:
/// managers (sales/ops) the submitted contracts of their department (not their
/// own), directors those awaiting a director, drafters their drafts and rejected
/// contracts. Nothing (and no query) for everyone else.
pub async fn home_queues(tx: &mut Tx, user: &CurrentUser) -> Result<Vec<QueueItem>, sqlx::Error> {
    let is_director = user.level == Level::Director && user.can(Action::ContractsApprove);
    let manages = user.level == Level::Manager && decides(user, user.dept.code());
    let drafts = user.can(Action::ContractsDraft);
    if !is_director && !manages && !drafts {
        return Ok(Vec::new());
    }
    let dept = if manages { user.dept.code() } else { "" };
    let (sub_n, sub_at, dir_n, dir_at, mine_n, mine_at) =
        repo::queue_counts(tx, user.tenant_id, dept, user.user_id, is_director, drafts).await?;
    let mut out = Vec::new();
    if sub_n > 0 {
        out.push(QueueItem {
            key: "contracts.submitted",
            label: "待审批合同".into(),
            count: sub_n,
            oldest: sub_at,
            href: "/contracts?status=submitted".into(),
            kind: QueueKind::Approval,
        });
    }
    if dir_n > 0 {
        out.push(QueueItem {
            key: "contracts.director_pending",
            label: "待总监审批合同".into(),
            count: dir_n,
            oldest: dir_at,
            href: "/contracts?status=director_pending".into(),
            kind: QueueKind::Approval,
        });
    }
    if mine_n > 0 {
        out.push(QueueItem {
            key: "contracts.mine",
            label: "我的合同草稿与被驳回合同".into(),
            count: mine_n,
            oldest: mine_at,
            href: "/contracts?mine=1".into(),
            kind: QueueKind::Mine,
        });
    }
    Ok(out)
}
