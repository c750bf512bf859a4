//! Contract transitions: submit, approve, reject, sign. Each locks the contract
//! row, checks scope (404), permission (403) and state (409, nothing changed),
//! writes, records the history and the audit entry, and commits.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::Deserialize;
use serde_json::json;

use super::pages::{show_page, signs, today};
use super::{decides, event, fetch, ContractRow};
use crate::app::state::AppState;
use crate::audit::{self, Actor, Entry};
use crate::db::{self, Tx};
use crate::error::{AppError, AppResult};
use crate::people::{Action, Level};
use crate::rules::Fen;
use crate::web::forms::{decision_comment, DecisionForm};
use crate::web::{CurrentUser, FieldErrors, Flash, IncomingFlash, RequestMeta};

fn done(id: i64, msg: String) -> Response {
    Flash::success(msg).redirect(&format!("/contracts/{id}"))
}

fn stale(c: &ContractRow, what: &str) -> AppError {
    AppError::Conflict(format!("合同 {} 当前为“{}”，不能{what}", c.contract_no, c.status_label()))
}

async fn audit_step(
    tx: &mut Tx,
    user: &CurrentUser,
    meta: &RequestMeta,
    action: &'static str,
    c: &ContractRow,
    summary: String,
    after: serde_json::Value,
) -> Result<(), sqlx::Error> {
    audit::record(
        tx,
        user.tenant_id,
        &Actor::user(user, meta),
        Entry {
            action,
            entity_type: Some("contract"),
            entity_id: Some(c.id.to_string()),
            summary,
            before: Some(json!({"status": c.status})),
            after: Some(after),
        },
    )
    .await
}

// ---------- submit ----------

pub async fn submit(
    State(state): State<AppState>,
    meta: RequestMeta,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    user.require(Action::ContractsDraft)?;
    let mut tx = db::begin_tenant(&state.db, user.tenant_id).await?;
    let c = fetch(&mut tx, &user, id, true).await?.ok_or(AppError::NotFound)?;
    if c.drafted_by != user.user_id {
        return Err(AppError::Forbidden);
    }
    if !c.editable() {
        return Err(stale(&c, "提交审批"));
    }
    if c.amount_fen <= 0 {
        tx.rollback().await?;
        return Ok(Flash::error("合同金额为 0，请先填写金额或添加明细。").redirect(&format!("/contracts/{id}/edit")));
    }
    sqlx::query(
        "UPDATE contracts SET status = 'submitted', submitted_at = now(),
                manager_by = NULL, manager_at = NULL, manager_comment = '',
                director_by = NULL, director_at = NULL, director_comment = '', updated_at = now()
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(user.tenant_id)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    event(&mut tx, user.tenant_id, id, "submit", None, user.user_id, "").await?;
    let summary = format!("提交合同 {}《{}》审批，金额 {} 元", c.contract_no, c.title, Fen(c.amount_fen));
    audit_step(&mut tx, &user, &meta, "contract.submit", &c, summary, json!({"status": "submitted"})).await?;
    tx.commit().await?;
    Ok(done(id, format!("合同 {} 已提交审批。", c.contract_no)))
}

// ---------- approve / reject ----------

/// The stage at which `user` decides `c`, after the checks: 403 for their own
/// contract or one they may not decide, 409 when it no longer waits for them.
fn stage_for(user: &CurrentUser, c: &ContractRow, what: &str) -> AppResult<&'static str> {
    if c.drafted_by == user.user_id || !decides(user, &c.department) {
        return Err(AppError::Forbidden);
    }
    match (c.status.as_str(), user.level) {
        ("submitted", Level::Director) | ("director_pending", Level::Director) => Ok("director"),
        ("submitted", _) => Ok("manager"),
        _ => Err(stale(c, what)),
    }
}

async fn set_decision(
    tx: &mut Tx,
    user: &CurrentUser,
    id: i64,
    stage: &str,
    status: &str,
    comment: &str,
) -> Result<(), sqlx::Error> {
    let sql = if stage == "director" {
        "UPDATE contracts SET status = $3, director_by = $4, director_at = now(), director_comment = $5, updated_at = now()
         WHERE tenant_id = $1 AND id = $2"
    } else {
        "UPDATE contracts SET status = $3, manager_by = $4, manager_at = now(), manager_comment = $5, updated_at = now()
         WHERE tenant_id = $1 AND id = $2"
    };
    sqlx::query(sql)
        .bind(user.tenant_id)
        .bind(id)
        .bind(status)
        .bind(user.user_id)
        .bind(comment)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The record page again with a field error (422), nothing written.
async fn again(
    mut tx: Tx,
    user: &CurrentUser,
    flash: IncomingFlash,
    c: ContractRow,
    errors: FieldErrors,
    comment: String,
    signed_on: String,
) -> AppResult<Response> {
    let page = show_page(&mut tx, user, flash, c, errors, comment, signed_on).await?;
    tx.rollback().await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

pub async fn approve(
    State(state): State<AppState>,
    meta: RequestMeta,
    user: CurrentUser,
    flash: IncomingFlash,
    Path(id): Path<i64>,
    Form(form): Form<DecisionForm>,
) -> AppResult<Response> {
    user.require(Action::ContractsApprove)?;
    let mut tx = db::begin_tenant(&state.db, user.tenant_id).await?;
    let c = fetch(&mut tx, &user, id, true).await?.ok_or(AppError::NotFound)?;
    let stage = stage_for(&user, &c, "批准")?;
    let mut errors = FieldErrors::default();
    let comment = decision_comment(&form.comment, true, &mut errors);
    if !errors.is_empty() {
        return again(tx, &user, flash, c, errors, comment, String::new()).await;
    }
    let threshold = user.settings.contract_director_threshold_fen;
    let (status, action, msg) = if stage == "manager" && c.amount_fen >= threshold {
        (
            "director_pending",
            "director_pending",
            format!("已批准；合同金额不低于 {} 元，还需总监审批。", Fen(threshold)),
        )
    } else {
        ("approved", "approve", format!("合同 {} 已批准，可以签订。", c.contract_no))
    };
    set_decision(&mut tx, &user, id, stage, status, &comment).await?;
    event(&mut tx, user.tenant_id, id, action, Some(stage), user.user_id, &comment).await?;
    let who = if stage == "director" { "总监" } else { "经理" };
    let summary = format!(
        "{who}批准合同 {}《{}》（{} 元）→ {}",
        c.contract_no,
        c.title,
        Fen(c.amount_fen),
        super::status_label(status)
    );
    audit_step(
        &mut tx,
        &user,
        &meta,
        "contract.approve",
        &c,
        summary,
        json!({"status": status, "stage": stage, "comment": comment}),
    )
    .await?;
    tx.commit().await?;
    Ok(done(id, msg))
}

pub async fn reject(
    State(state): State<AppState>,
    meta: RequestMeta,
    user: CurrentUser,
    flash: IncomingFlash,
    Path(id): Path<i64>,
    Form(form): Form<DecisionForm>,
) -> AppResult<Response> {
    user.require(Action::ContractsApprove)?;
    let mut tx = db::begin_tenant(&state.db, user.tenant_id).await?;
    let c = fetch(&mut tx, &user, id, true).await?.ok_or(AppError::NotFound)?;
    let stage = stage_for(&user, &c, "驳回")?;
    let mut errors = FieldErrors::default();
    let comment = decision_comment(&form.comment, false, &mut errors);
    if !errors.is_empty() {
        return again(tx, &user, flash, c, errors, comment, String::new()).await;
    }
    set_decision(&mut tx, &user, id, stage, "rejected", &comment).await?;
    event(&mut tx, user.tenant_id, id, "reject", Some(stage), user.user_id, &comment).await?;
    let who = if stage == "director" { "总监" } else { "经理" };
    let summary = format!("{who}驳回合同 {}《{}》：{comment}", c.contract_no, c.title);
    audit_step(
        &mut tx,
        &user,
        &meta,
        "contract.reject",
        &c,
        summary,
        json!({"status": "rejected", "stage": stage, "comment": comment}),
    )
    .await?;
    tx.commit().await?;
    Ok(done(id, format!("合同 {} 已驳回，起草人可修改后重新提交。", c.contract_no)))
}

// ---------- sign ----------

#[derive(Debug, Default, Deserialize)]
pub struct SignForm {
    #[serde(default)]
    pub signed_on: String,
}

pub async fn sign(
    State(state): State<AppState>,
    meta: RequestMeta,
    user: CurrentUser,
    flash: IncomingFlash,
    Path(id): Path<i64>,
    Form(form): Form<SignForm>,
) -> AppResult<Response> {
    user.require(Action::ContractsView)?;
    let mut tx = db::begin_tenant(&state.db, user.tenant_id).await?;
    let c = fetch(&mut tx, &user, id, true).await?.ok_or(AppError::NotFound)?;
    if !signs(&user, &c) {
        return Err(AppError::Forbidden);
    }
    if c.status != "approved" {
        return Err(stale(&c, "签订"));
    }
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
        Ok(d) if d > today(&user) => {
            errors.add("signed_on", "签订日期不能晚于今天");
            None
        }
        Ok(d) => Some(d),
    };
    let Some(date) = date else {
        return again(tx, &user, flash, c, errors, String::new(), typed).await;
    };
    sqlx::query(
        "UPDATE contracts SET status = 'signed', signed_on = $3, signed_by = $4, updated_at = now()
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(user.tenant_id)
    .bind(id)
    .bind(date)
    .bind(user.user_id)
    .execute(&mut *tx)
    .await?;
    event(&mut tx, user.tenant_id, id, "sign", None, user.user_id, &format!("签订日期 {date}")).await?;
    let summary = format!("签订合同 {}《{}》，签订日期 {date}", c.contract_no, c.title);
    audit_step(&mut tx, &user, &meta, "contract.sign", &c, summary, json!({"status": "signed", "signed_on": date}))
        .await?;
    tx.commit().await?;
    Ok(done(id, format!("合同 {} 已签订。", c.contract_no)))
}
