//! Contract transitions: submit, approve and reject (through the one decision
//! mechanism), sign. Each locks the contract
//! row, checks scope (404), permission (403) and state (409, nothing changed),
//! writes, records the history and the audit entry, and commits.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::Deserialize;
use serde_json::json;

use super::handlers::{show_page, signs, today};
pub use super::status::{ContractEvent, ContractStatus};
use super::{decides, event, fetch, repo, ContractRow};
use crate::audit::{self, Entry};
use crate::db::Tx;
use crate::decision::{Outcome, Verdict, Workflow};
use crate::error::{AppError, AppResult};
use crate::people::{Action, Level};
use crate::rules::Fen;
use crate::web::forms::DecisionForm;
use crate::web::{Ctx, CurrentUser, FieldErrors, Flash, RequestMeta};

fn done(id: i64, msg: String) -> Response {
    Flash::success(msg).redirect(&format!("/contracts/{id}"))
}

fn stale(c: &ContractRow, what: &str) -> AppError {
    AppError::Conflict(format!("合同 {} 当前为“{}”，不能{what}", c.contract_no, c.status_label()))
}

/// The audit entry of a step on contract `c` (its status before, `after` after).
fn step_entry(action: &'static str, c: &ContractRow, summary: String, after: serde_json::Value) -> Entry {
    Entry::step(action, "contract", c.id, summary, Some(json!({"status": c.status.code()})), after)
}

// ---------- submit ----------

pub async fn submit(meta: RequestMeta, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    ctx.require(Action::ContractsDraft)?;
    let mut tx = ctx.begin().await?;
    let c = fetch(&mut tx, &ctx.user, id, true).await?.ok_or(AppError::NotFound)?;
    if c.drafted_by != ctx.user.user_id {
        return Err(AppError::Forbidden);
    }
    let Some(submitted) = c.status.next(ContractEvent::Submit) else {
        return Err(stale(&c, "提交审批"));
    };
    if c.amount_fen <= 0 {
        tx.rollback().await?;
        return Ok(Flash::error("合同金额为 0，请先填写金额或添加明细。").redirect(&format!("/contracts/{id}/edit")));
    }
    repo::set_submitted(&mut tx, ctx.user.tenant_id, id, submitted).await?;
    event(&mut tx, ctx.user.tenant_id, id, "submit", None, ctx.user.user_id, "").await?;
    let summary = format!("提交合同 {}《{}》审批，金额 {} 元", c.contract_no, c.title, Fen(c.amount_fen));
    audit::by_user(
        &mut tx,
        &ctx.user,
        &meta,
        step_entry("contract.submit", &c, summary, json!({"status": "submitted"})),
    )
    .await?;
    tx.commit().await?;
    Ok(done(id, format!("合同 {} 已提交审批。", c.contract_no)))
}

// ---------- approve / reject: the one decision mechanism ----------

/// Contracts in the decision mechanism (`crate::decision`): the drafting
/// department's manager decides at the first stage, a director at either.
pub struct Contract;

impl Workflow for Contract {
    const PERMISSION: Action = Action::ContractsApprove;
    type Record = ContractRow;

    async fn lock(tx: &mut Tx, user: &CurrentUser, id: i64) -> Result<Option<ContractRow>, sqlx::Error> {
        fetch(tx, user, id, true).await
    }

    fn is_own(user: &CurrentUser, c: &ContractRow) -> bool {
        c.drafted_by == user.user_id
    }

    fn check(user: &CurrentUser, c: &ContractRow, verdict: Verdict) -> AppResult<()> {
        if !decides(user, &c.department) {
            return Err(AppError::Forbidden);
        }
        if c.status.next(event_of(user, c, verdict)).is_none() {
            return Err(stale(c, verdict.verb()));
        }
        Ok(())
    }

    async fn apply(
        tx: &mut Tx,
        user: &CurrentUser,
        c: &ContractRow,
        verdict: Verdict,
        comment: &str,
    ) -> AppResult<Outcome> {
        let step = event_of(user, c, verdict);
        let status = c.status.next(step).ok_or_else(|| stale(c, verdict.verb()))?;
        let stage = if user.level == Level::Director { "director" } else { "manager" };
        repo::set_decision(tx, user, c.id, stage, status, comment).await?;
        let history_action = match status {
            ContractStatus::DirectorPending => "director_pending",
            ContractStatus::Approved => "approve",
            _ => "reject",
        };
        event(tx, user.tenant_id, c.id, history_action, Some(stage), user.user_id, comment).await?;
        let who = if stage == "director" { "总监" } else { "经理" };
        let threshold = user.settings.contract_director_threshold_fen;
        let (summary, message) = match verdict {
            Verdict::Approve => (
                format!(
                    "{who}批准合同 {}《{}》（{} 元）→ {}",
                    c.contract_no,
                    c.title,
                    Fen(c.amount_fen),
                    status.label()
                ),
                if status == ContractStatus::DirectorPending {
                    format!("已批准；合同金额不低于 {} 元，还需总监审批。", Fen(threshold))
                } else {
                    format!("合同 {} 已批准，可以签订。", c.contract_no)
                },
            ),
            Verdict::Reject => (
                format!("{who}驳回合同 {}《{}》：{comment}", c.contract_no, c.title),
                format!("合同 {} 已驳回，起草人可修改后重新提交。", c.contract_no),
            ),
        };
        let audit = step_entry(
            if verdict.approves() { "contract.approve" } else { "contract.reject" },
            c,
            summary,
            json!({"status": status.code(), "stage": stage, "comment": comment}),
        );
        Ok(Outcome::Decided { audit, message, redirect: format!("/contracts/{}", c.id) })
    }

    async fn invalid(
        tx: &mut Tx,
        ctx: &mut Ctx,
        c: ContractRow,
        form: DecisionForm,
        errors: FieldErrors,
    ) -> AppResult<Response> {
        let page = show_page(tx, ctx, c, errors, form.comment.trim().to_owned(), String::new()).await?;
        Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    }
}

/// The event of `user`'s decision on `c`: a director's is final at either stage; a
/// manager's approval at or above the tenant's threshold needs a director too.
fn event_of(user: &CurrentUser, c: &ContractRow, verdict: Verdict) -> ContractEvent {
    match (verdict, user.level == Level::Director) {
        (Verdict::Reject, true) => ContractEvent::DirectorReject,
        (Verdict::Reject, false) => ContractEvent::ManagerReject,
        (Verdict::Approve, true) => ContractEvent::DirectorApprove,
        (Verdict::Approve, false) => ContractEvent::ManagerApprove {
            needs_director: c.amount_fen >= user.settings.contract_director_threshold_fen,
        },
    }
}

/// The record page again with a field error (422), nothing written.
async fn again(
    mut tx: Tx,
    ctx: &mut Ctx,
    c: ContractRow,
    errors: FieldErrors,
    comment: String,
    signed_on: String,
) -> AppResult<Response> {
    let page = show_page(&mut tx, ctx, c, errors, comment, signed_on).await?;
    tx.rollback().await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

// ---------- sign ----------

#[derive(Debug, Default, Deserialize)]
pub struct SignForm {
    #[serde(default)]
    pub signed_on: String,
}

pub async fn sign(
    meta: RequestMeta,
    mut ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<SignForm>,
) -> AppResult<Response> {
    ctx.require(Action::ContractsView)?;
    let mut tx = ctx.begin().await?;
    let c = fetch(&mut tx, &ctx.user, id, true).await?.ok_or(AppError::NotFound)?;
    if !signs(&ctx.user, &c) {
        return Err(AppError::Forbidden);
    }
    let Some(signed) = c.status.next(ContractEvent::Sign) else {
        return Err(stale(&c, "签订"));
    };
    let typed = form.signed_on.trim().to_owned();
    let mut errors = FieldErrors::default();
    let date = match crate::input::date(&typed) {
        Err(crate::input::DateError::Range) if typed.as_str() > "2100" => {
            errors.add("signed_on", "签订日期不能晚于今天");
            None
        }
        Err(crate::input::DateError::Range) => {
            errors.add("signed_on", crate::input::out_of_range("签订日期"));
            None
        }
        Err(crate::input::DateError::Format) => {
            errors.add("signed_on", "请填写签订日期（YYYY-MM-DD）");
            None
        }
        Ok(d) if d > today(&ctx.user) => {
            errors.add("signed_on", "签订日期不能晚于今天");
            None
        }
        Ok(d) => Some(d),
    };
    let Some(date) = date else {
        return again(tx, &mut ctx, c, errors, String::new(), typed).await;
    };
    repo::set_signed(&mut tx, ctx.user.tenant_id, id, date, ctx.user.user_id, signed).await?;
    event(&mut tx, ctx.user.tenant_id, id, "sign", None, ctx.user.user_id, &format!("签订日期 {date}")).await?;
    let summary = format!("签订合同 {}《{}》，签订日期 {date}", c.contract_no, c.title);
    audit::by_user(
        &mut tx,
        &ctx.user,
        &meta,
        step_entry("contract.sign", &c, summary, json!({"status": "signed", "signed_on": date})),
    )
    .await?;
    tx.commit().await?;
    Ok(done(id, format!("合同 {} 已签订。", c.contract_no)))
}
