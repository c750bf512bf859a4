//! The steps of a complaint after it is logged: reply, progress note, resolve,
//! close after the return visit, reopen. Each in one transaction: the complaint
//! locked in scope (`flow::begin`: 403, 404, 409), the input checked (the page again
//! with the messages, 422, nothing written), then the change, its timeline event
//! and its audit row.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use chrono::Utc;
use serde_json::json;

use super::clock::{self, ReplyError};
use super::codes::EventKind;
use super::flow::{self, Event};
use super::handlers::page;
use super::input::{optional_text, text};
use super::repo::{self, ComplaintRow, Resolution};
use super::views::StepForm;
use crate::audit::{self, Entry};
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::web::{Ctx, FieldErrors, Flash, RequestMeta};

/// The record page again with `errors` (422), nothing written.
async fn refuse(mut cx: Ctx, mut tx: Tx, c: ComplaintRow, errors: FieldErrors, typed: StepForm) -> AppResult<Response> {
    let page = page(&mut cx, &mut tx, c, errors, typed).await?;
    tx.rollback().await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// The timeline event and the audit row of a step, then commit and go back to the complaint.
#[allow(clippy::too_many_arguments)]
async fn finish(
    cx: &Ctx,
    meta: &RequestMeta,
    mut tx: Tx,
    c: &ComplaintRow,
    (kind, action): (EventKind, &'static str),
    note: &str,
    after: serde_json::Value,
    message: String,
) -> AppResult<Response> {
    let tid = cx.user.tenant_id;
    repo::event(&mut tx, tid, c.id, kind, (cx.user.user_id, &cx.user.display_name), note, Utc::now()).await?;
    let summary = format!("投诉 {}（{}）：{message}", c.complaint_no, c.customer);
    let before = json!({"status": c.status.code(), "first_reply_at": c.first_reply_at});
    audit::by_user(&mut tx, &cx.user, meta, Entry::step(action, "complaint", c.id, summary, Some(before), after))
        .await?;
    tx.commit().await?;
    Ok(Flash::success(message).redirect(&format!("/complaints/{}", c.id)))
}

/// 409 for a reply the clock refuses (before the complaint was received).
fn reply_refused(c: &ComplaintRow, e: ReplyError) -> AppError {
    match e {
        ReplyError::BeforeReceived => AppError::Conflict(format!(
            "投诉 {} 的收到时间晚于当前时间，不能在收到之前回复（请检查服务器时间）",
            c.complaint_no
        )),
    }
}

/// `POST /complaints/{id}/reply`: what was told to the customer (the first reply
/// meets the first-response clock).
pub async fn reply(cx: Ctx, meta: RequestMeta, Path(id): Path<i64>, Form(form): Form<StepForm>) -> AppResult<Response> {
    let (mut tx, c) = flow::begin(&cx, id, Event::Reply).await?;
    let mut errors = FieldErrors::default();
    let message = text(&mut errors, "message", &form.message, "回复内容", 1000).to_owned();
    if !errors.is_empty() {
        return refuse(cx, tx, c, errors, form).await;
    }
    let now = Utc::now();
    let times = clock::check_reply(&c.times(), now).map_err(|e| reply_refused(&c, e))?;
    repo::replied(&mut tx, cx.user.tenant_id, c.id, &times).await?;
    let first = c.first_reply_at.is_none();
    let after = json!({"first_reply_at": times.first_reply_at, "sla": clock::sla(&times, now).code()});
    let said = if first {
        format!("首次回复客户（{}）", clock::sla(&times, now).label())
    } else {
        "回复客户".into()
    };
    finish(&cx, &meta, tx, &c, (EventKind::Reply, "complaint.reply"), &message, after, said).await
}

/// `POST /complaints/{id}/note`: a progress note (field `note`).
pub async fn note(cx: Ctx, meta: RequestMeta, Path(id): Path<i64>, Form(form): Form<StepForm>) -> AppResult<Response> {
    let (tx, c) = flow::begin(&cx, id, Event::Note).await?;
    let mut errors = FieldErrors::default();
    let note = text(&mut errors, "note", &form.note, "处理进展", 1000).to_owned();
    if !errors.is_empty() {
        return refuse(cx, tx, c, errors, form).await;
    }
    let after = json!({"note": note});
    finish(&cx, &meta, tx, &c, (EventKind::Note, "complaint.note"), &note, after, "已记录处理进展".into()).await
}

/// `POST /complaints/{id}/resolve`: `result` (told to the customer), `cause`,
/// optional `improvement`. One not replied to yet counts as replied now.
pub async fn resolve(
    cx: Ctx,
    meta: RequestMeta,
    Path(id): Path<i64>,
    Form(form): Form<StepForm>,
) -> AppResult<Response> {
    let (mut tx, c) = flow::begin(&cx, id, Event::Resolve).await?;
    let mut errors = FieldErrors::default();
    let result = text(&mut errors, "result", &form.result, "处理结果", 1000).to_owned();
    let cause = text(&mut errors, "cause", &form.cause, "原因分析", 1000).to_owned();
    let improvement = optional_text(&mut errors, "improvement", &form.improvement, "改进措施", 1000).to_owned();
    if !errors.is_empty() {
        return refuse(cx, tx, c, errors, form).await;
    }
    let now = Utc::now();
    let times = clock::check_reply(&c.times(), now).map_err(|e| reply_refused(&c, e))?;
    let r =
        Resolution { result: &result, cause: &cause, improvement: &improvement, by: cx.user.user_id, at: now, times };
    repo::resolve(&mut tx, cx.user.tenant_id, c.id, &r).await?;
    let mut note = format!("处理结果：{result}；原因：{cause}");
    if !improvement.is_empty() {
        note.push_str(&format!("；改进措施：{improvement}"));
    }
    let after = json!({"status": "resolved", "result": result, "cause": cause, "improvement": improvement,
                       "first_reply_at": times.first_reply_at});
    finish(&cx, &meta, tx, &c, (EventKind::Resolve, "complaint.resolve"), &note, after, "已登记解决结果".into()).await
}

/// `POST /complaints/{id}/close`: after the return visit, `satisfaction` 1–5
/// (optional) and an optional `visit` record.
pub async fn close(cx: Ctx, meta: RequestMeta, Path(id): Path<i64>, Form(form): Form<StepForm>) -> AppResult<Response> {
    let (mut tx, c) = flow::begin(&cx, id, Event::Close).await?;
    let mut errors = FieldErrors::default();
    let satisfaction = match form.satisfaction.trim() {
        "" => None,
        s => match s.parse::<i16>() {
            Ok(n) if (1..=5).contains(&n) => Some(n),
            _ => {
                errors.add("satisfaction", format!("满意度“{s}”无效（1–5 的整数，可不填）"));
                None
            }
        },
    };
    let visit = optional_text(&mut errors, "visit", &form.visit, "回访记录", 1000).to_owned();
    if !errors.is_empty() {
        return refuse(cx, tx, c, errors, form).await;
    }
    repo::close(&mut tx, cx.user.tenant_id, c.id, satisfaction, cx.user.user_id, Utc::now()).await?;
    let mut note = match satisfaction {
        Some(n) => format!("回访满意度 {n} / 5"),
        None => "回访（未填写满意度）".to_owned(),
    };
    if !visit.is_empty() {
        note.push_str(&format!("：{visit}"));
    }
    let after = json!({"status": "closed", "satisfaction": satisfaction});
    finish(&cx, &meta, tx, &c, (EventKind::Close, "complaint.close"), &note, after, "已回访并关闭投诉".into()).await
}

/// `POST /complaints/{id}/reopen`: `reason` required.
pub async fn reopen(
    cx: Ctx,
    meta: RequestMeta,
    Path(id): Path<i64>,
    Form(form): Form<StepForm>,
) -> AppResult<Response> {
    let (mut tx, c) = flow::begin(&cx, id, Event::Reopen).await?;
    let mut errors = FieldErrors::default();
    let reason = text(&mut errors, "reason", &form.reason, "重新打开的原因", 1000).to_owned();
    if !errors.is_empty() {
        return refuse(cx, tx, c, errors, form).await;
    }
    repo::reopen(&mut tx, cx.user.tenant_id, c.id).await?;
    let after = json!({"status": "open", "reason": reason});
    finish(&cx, &meta, tx, &c, (EventKind::Reopen, "complaint.reopen"), &reason, after, "已重新打开投诉".into()).await
}
