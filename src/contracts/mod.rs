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
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{Postgres, QueryBuilder};

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

pub const STATUSES: &[(&str, &str)] = &[
    ("draft", "草稿"),
    ("submitted", "待经理审批"),
    ("director_pending", "待总监审批"),
    ("approved", "已批准"),
    ("rejected", "已驳回"),
    ("signed", "已签订"),
];

pub const KINDS: &[(&str, &str)] = &[("sales", "销售合同"), ("purchase", "采购合同")];

pub fn status_label(s: &str) -> &'static str {
    STATUSES.iter().find(|(c, _)| *c == s).map_or("未知", |(_, l)| l)
}

pub fn status_class(s: &str) -> &'static str {
    match s {
        "draft" => "tag-off",
        "submitted" | "director_pending" => "tag-warn",
        "approved" | "signed" => "tag-ok",
        _ => "tag-bad",
    }
}

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

/// One contract with its partner and the people involved.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ContractRow {
    pub id: i64,
    pub contract_no: String,
    pub kind: String,
    pub partner_id: i64,
    pub partner_code: String,
    pub partner_name: String,
    pub partner_contact: String,
    pub partner_phone: String,
    pub partner_address: String,
    pub title: String,
    pub amount_fen: i64,
    pub payment_terms: String,
    pub delivery_date: Option<NaiveDate>,
    pub status: status::ContractStatus,
    pub department: String,
    pub drafted_by: i64,
    pub drafter_name: String,
    pub submitted_at: Option<DateTime<Utc>>,
    pub manager_by: Option<i64>,
    pub manager_name: Option<String>,
    pub manager_at: Option<DateTime<Utc>>,
    pub manager_comment: String,
    pub director_by: Option<i64>,
    pub director_name: Option<String>,
    pub director_at: Option<DateTime<Utc>>,
    pub director_comment: String,
    pub signed_on: Option<NaiveDate>,
    pub signed_by: Option<i64>,
    pub signer_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ContractRow {
    pub fn status_label(&self) -> &'static str {
        status_label(self.status.code())
    }
    pub fn status_class(&self) -> &'static str {
        status_class(self.status.code())
    }
    pub fn is_rejected(&self) -> bool {
        self.status == status::ContractStatus::Rejected
    }
    pub fn kind_label(&self) -> &'static str {
        kind_label(&self.kind)
    }
    pub fn amount(&self) -> String {
        numerals::grouped_yuan(self.amount_fen)
    }
    pub fn editable(&self) -> bool {
        self.status.editable()
    }
    /// The comment of the decision that rejected it (the last stage decided).
    pub fn rejection_comment(&self) -> &str {
        if self.director_at.is_some() {
            &self.director_comment
        } else {
            &self.manager_comment
        }
    }
    pub fn department_label(&self) -> &'static str {
        Dept::parse(&self.department).map_or("", Dept::label)
    }
}

const CONTRACT_SELECT: &str =
    "SELECT c.id, c.contract_no, c.kind, c.partner_id, p.code AS partner_code, p.name AS partner_name,
        p.contact AS partner_contact, p.phone AS partner_phone, p.address AS partner_address,
        c.title, c.amount_fen, c.payment_terms, c.delivery_date, c.status, c.department,
        c.drafted_by, d.display_name AS drafter_name, c.submitted_at,
        c.manager_by, m.display_name AS manager_name, c.manager_at, c.manager_comment,
        c.director_by, r.display_name AS director_name, c.director_at, c.director_comment,
        c.signed_on, c.signed_by, s.display_name AS signer_name, c.created_at, c.updated_at
 FROM contracts c
 JOIN partners p ON p.tenant_id = c.tenant_id AND p.id = c.partner_id
 JOIN users d ON d.tenant_id = c.tenant_id AND d.id = c.drafted_by
 LEFT JOIN users m ON m.tenant_id = c.tenant_id AND m.id = c.manager_by
 LEFT JOIN users r ON r.tenant_id = c.tenant_id AND r.id = c.director_by
 LEFT JOIN users s ON s.tenant_id = c.tenant_id AND s.id = c.signed_by";

/// The contract `id` if it is of the user's tenant and in their data scope
/// (`lock`: `FOR UPDATE` of the contract row).
pub async fn fetch(tx: &mut Tx, user: &CurrentUser, id: i64, lock: bool) -> Result<Option<ContractRow>, sqlx::Error> {
    let mut qb = QueryBuilder::<Postgres>::new(CONTRACT_SELECT);
    qb.push(" WHERE c.tenant_id = ").push_bind(user.tenant_id).push(" AND c.id = ").push_bind(id);
    view_scope(user).push_filter(&mut qb, "c.drafted_by", "c.department");
    if lock {
        qb.push(" FOR UPDATE OF c");
    }
    qb.build_query_as().fetch_optional(&mut **tx).await
}

/// Record a step of a contract's history.
pub async fn event(
    tx: &mut Tx,
    tenant_id: i64,
    contract_id: i64,
    action: &str,
    stage: Option<&str>,
    actor: i64,
    comment: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO contract_events (tenant_id, contract_id, action, stage, actor_id, comment) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(tenant_id)
    .bind(contract_id)
    .bind(action)
    .bind(stage)
    .bind(actor)
    .bind(comment)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The contracts of a partner the user may see (the partner page).
pub async fn for_partner(
    tx: &mut Tx,
    user: &CurrentUser,
    partner_id: i64,
    limit: i64,
) -> Result<Vec<crate::partners::PartnerContract>, sqlx::Error> {
    let mut qb = QueryBuilder::<Postgres>::new(
        "SELECT c.id, c.contract_no, c.title, c.amount_fen, c.status FROM contracts c WHERE c.tenant_id = ",
    );
    qb.push_bind(user.tenant_id).push(" AND c.partner_id = ").push_bind(partner_id);
    view_scope(user).push_filter(&mut qb, "c.drafted_by", "c.department");
    qb.push(" ORDER BY c.id DESC LIMIT ").push_bind(limit);
    let rows: Vec<(i64, String, String, i64, String)> = qb.build_query_as().fetch_all(&mut **tx).await?;
    Ok(rows
        .into_iter()
        .map(|(id, contract_no, title, amount_fen, status)| crate::partners::PartnerContract {
            id,
            contract_no,
            title,
            amount: numerals::grouped_yuan(amount_fen),
            status: status_label(&status),
            status_class: status_class(&status),
        })
        .collect())
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
    type Counts = (i64, Option<DateTime<Utc>>, i64, Option<DateTime<Utc>>, i64, Option<DateTime<Utc>>);
    let (sub_n, sub_at, dir_n, dir_at, mine_n, mine_at): Counts = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE status = 'submitted' AND department = $2 AND drafted_by <> $3),
                min(submitted_at) FILTER (WHERE status = 'submitted' AND department = $2 AND drafted_by <> $3),
                count(*) FILTER (WHERE status = 'director_pending' AND $4),
                min(manager_at) FILTER (WHERE status = 'director_pending' AND $4),
                count(*) FILTER (WHERE drafted_by = $3 AND status IN ('draft', 'rejected') AND $5),
                min(updated_at) FILTER (WHERE drafted_by = $3 AND status IN ('draft', 'rejected') AND $5)
         FROM contracts
         WHERE tenant_id = $1
           AND ((status = 'submitted' AND department = $2)
                OR (status = 'director_pending' AND $4)
                OR (drafted_by = $3 AND status IN ('draft', 'rejected') AND $5))",
    )
    .bind(user.tenant_id)
    .bind(dept)
    .bind(user.user_id)
    .bind(is_director)
    .bind(drafts)
    .fetch_one(&mut **tx)
    .await?;
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
