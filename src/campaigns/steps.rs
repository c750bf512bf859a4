//! The campaign's steps besides the decision: submit, change the budget (a raise
//! waits for approval again), acknowledge (已知悉), the summary (复盘), its review,
//! cancel. Each locks the row within the user's scope (404), checks permission
//! (403) and state (409), writes the change, its timeline step and its audit row in
//! one transaction.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::Deserialize;
use serde_json::json;

use super::flow::{stale, step_entry};
use super::handlers::{parse_yuan, show_page};
use super::status::{short_notice, CampaignEvent, CampaignStatus};
use super::views::Typed;
use super::{decides, fetch, operates, repo, told, CampaignRow};
use crate::audit;
use crate::error::{AppError, AppResult};
use crate::people::{Action, Level};
use crate::rules::Fen;
use crate::web::{Ctx, FieldErrors, Flash, RequestMeta};

fn done(id: i64, msg: String) -> Response {
    Flash::success(msg).redirect(&format!("/campaigns/{id}"))
}

/// The page again with what was typed and its errors (422), nothing written.
async fn again(
    mut tx: crate::db::Tx,
    ctx: &mut Ctx,
    c: CampaignRow,
    errors: FieldErrors,
    typed: Typed,
) -> AppResult<Response> {
    let page = show_page(&mut tx, ctx, c, errors, typed).await?;
    tx.rollback().await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// The plan as submitted, kept with its version.
async fn plan_json(
    tx: &mut crate::db::Tx,
    tenant_id: i64,
    c: &CampaignRow,
    budget_fen: i64,
) -> Result<serde_json::Value, sqlx::Error> {
    let skus: Vec<String> = repo::products(tx, tenant_id, c.id).await?.into_iter().map(|p| p.1).collect();
    Ok(json!({
        "theme": c.theme, "kind": c.kind.code(), "channels": c.channels, "budget_fen": budget_fen,
        "starts_on": c.starts_on, "ends_on": c.ends_on, "goal": c.goal, "target_sales_fen": c.target_sales_fen,
        "place": c.place, "how_to_join": c.how_to_join, "products": skus,
    }))
}

/// Who of the drafting side may take a step.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    /// The drafter only.
    Drafter,
    /// The drafter, or the manager of the campaign's department.
    DrafterOrManager,
}

/// Lock campaign `id` for a step of the drafting side: 403 without the permission,
/// 404 out of scope, 403 not `side`.
async fn lock_for(ctx: &Ctx, id: i64, side: Side) -> AppResult<(crate::db::Tx, CampaignRow)> {
    ctx.require(Action::CampaignsOperate)?;
    let mut tx = ctx.begin().await?;
    let c = fetch(&mut tx, &ctx.user, id, true).await?.ok_or(AppError::NotFound)?;
    let manager = ctx.user.level == Level::Manager && operates(&ctx.user, &c.department);
    if !(c.drafted_by == ctx.user.user_id || (side == Side::DrafterOrManager && manager)) {
        return Err(AppError::Forbidden);
    }
    Ok((tx, c))
}

// ---------- submit ----------

pub async fn submit(meta: RequestMeta, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let (mut tx, c) = lock_for(&ctx, id, Side::Drafter).await?;
    let Some(submitted) = c.status.next(CampaignEvent::Submit) else {
        return Err(stale(&c, ctx.user.today, "提交审批"));
    };
    let notice = short_notice(ctx.user.today, c.starts_on, ctx.user.settings.campaign_prep_days);
    let plan = plan_json(&mut tx, ctx.user.tenant_id, &c, c.budget_fen).await?;
    repo::set_submitted(&mut tx, &ctx.user, &c, c.version, &plan, notice).await?;
    let flag = if notice.0 { format!("；距开始仅 {} 天，准备期不足", notice.1) } else { String::new() };
    repo::event(&mut tx, &ctx.user, id, "submit", &format!("提交审批，预算 {} 元{flag}", Fen(c.budget_fen))).await?;
    let summary = format!("提交活动 {}《{}》审批，预算 {} 元{flag}", c.campaign_no, c.theme, Fen(c.budget_fen));
    let after = json!({"status": submitted.code(), "short_notice": notice.0, "notice_days": notice.1});
    audit::by_user(&mut tx, &ctx.user, &meta, step_entry("campaign.submit", &c, summary, after)).await?;
    tx.commit().await?;
    let msg = if notice.0 {
        format!(
            "活动 {} 已提交审批。注意：距开始仅 {} 天，少于 {} 天的准备期，审批人会看到“准备期不足”。",
            c.campaign_no, notice.1, ctx.user.settings.campaign_prep_days
        )
    } else {
        format!("活动 {} 已提交审批。", c.campaign_no)
    };
    Ok(done(id, msg))
}

// ---------- budget ----------

#[derive(Debug, Default, Deserialize)]
pub struct BudgetForm {
    #[serde(default)]
    pub budget: String,
    #[serde(default)]
    pub reason: String,
}

pub async fn raise(
    meta: RequestMeta,
    mut ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<BudgetForm>,
) -> AppResult<Response> {
    let (mut tx, c) = lock_for(&ctx, id, Side::Drafter).await?;
    if c.status != CampaignStatus::Approved || ctx.user.today > c.ends_on {
        return Err(stale(&c, ctx.user.today, "调整预算"));
    }
    let typed = Typed { budget: f.budget.trim().to_owned(), reason: f.reason.trim().to_owned(), ..Default::default() };
    let mut errors = FieldErrors::default();
    let budget = match parse_yuan(&typed.budget) {
        Ok(b) if b == c.budget_fen => {
            errors.add("budget", format!("新预算与当前预算 {} 元相同", Fen(c.budget_fen)));
            None
        }
        Ok(b) => Some(b),
        Err(e) => {
            errors.add("budget", e);
            None
        }
    };
    if typed.reason.is_empty() {
        errors.add("reason", "请填写调整预算的原因");
    } else if typed.reason.chars().count() > 500 {
        errors.add("reason", "原因最多 500 个字符");
    }
    let Some(budget) = budget.filter(|_| errors.is_empty()) else {
        return again(tx, &mut ctx, c, errors, typed).await;
    };
    let (old, new) = (Fen(c.budget_fen), Fen(budget));
    if budget > c.budget_fen {
        let Some(status) = c.status.next(CampaignEvent::Raise) else {
            return Err(stale(&c, ctx.user.today, "追加预算"));
        };
        let plan = plan_json(&mut tx, ctx.user.tenant_id, &c, budget).await?;
        let notice = (c.short_notice, i64::from(c.notice_days.unwrap_or(0)));
        repo::set_raised(&mut tx, &ctx.user, &c, budget, &plan, notice).await?;
        let note =
            format!("追加预算：{old} 元 → {new} 元（第 {} 版，待重新审批）。原因：{}", c.version + 1, typed.reason);
        repo::event(&mut tx, &ctx.user, id, "raise", &note).await?;
        let summary = format!("活动 {} 追加预算 {old} 元 → {new} 元，重新提交审批", c.campaign_no);
        let after =
            json!({"status": status.code(), "version": c.version + 1, "budget_fen": budget, "reason": typed.reason});
        audit::by_user(&mut tx, &ctx.user, &meta, step_entry("campaign.raise", &c, summary, after)).await?;
        tx.commit().await?;
        return Ok(done(id, format!("已追加预算至 {new} 元，活动重新提交审批；审批前仍按已批准的 {old} 元执行。")));
    }
    repo::set_budget(&mut tx, ctx.user.tenant_id, id, budget).await?;
    repo::event(&mut tx, &ctx.user, id, "edit", &format!("调减预算：{old} 元 → {new} 元。原因：{}", typed.reason))
        .await?;
    let summary = format!("活动 {} 调减预算 {old} 元 → {new} 元", c.campaign_no);
    let after = json!({"status": c.status.code(), "budget_fen": budget, "reason": typed.reason});
    audit::by_user(&mut tx, &ctx.user, &meta, step_entry("campaign.budget", &c, summary, after)).await?;
    tx.commit().await?;
    Ok(done(id, format!("预算已调减为 {new} 元（调减无需重新审批）。")))
}

// ---------- acknowledge ----------

pub async fn ack(meta: RequestMeta, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    ctx.require(Action::CampaignsAck)?;
    let mut tx = ctx.begin().await?;
    let c = fetch(&mut tx, &ctx.user, id, true).await?.ok_or(AppError::NotFound)?;
    if !told(&ctx.user) {
        return Err(AppError::Forbidden);
    }
    if !c.live() || ctx.user.today > c.ends_on {
        return Err(stale(&c, ctx.user.today, "确认知悉"));
    }
    let version = if c.status == CampaignStatus::Approved { c.version } else { c.version - 1 }.max(1);
    if !repo::insert_ack(&mut tx, &ctx.user, id, version).await? {
        return Err(AppError::Conflict(format!("您已确认知悉活动 {}", c.campaign_no)));
    }
    let dept = ctx.user.dept.label();
    repo::event(&mut tx, &ctx.user, id, "ack", &format!("{dept}经理已知悉")).await?;
    let summary = format!("{dept}经理确认知悉活动 {}《{}》", c.campaign_no, c.theme);
    let after = json!({"ack": ctx.user.dept.code(), "version": version});
    audit::by_user(&mut tx, &ctx.user, &meta, step_entry("campaign.ack", &c, summary, after)).await?;
    tx.commit().await?;
    Ok(done(id, format!("已确认知悉活动 {}。", c.campaign_no)))
}

// ---------- summary and review ----------

#[derive(Debug, Default, Deserialize)]
pub struct SummaryForm {
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub lessons: String,
    #[serde(default)]
    pub suggestions: String,
}

fn text(errors: &mut FieldErrors, field: &'static str, v: &str, what: &str, max: usize, required: bool) {
    if required && v.is_empty() {
        errors.add(field, format!("请填写{what}"));
    } else if v.chars().count() > max {
        errors.add(field, format!("{what}最多 {max} 个字符"));
    }
}

pub async fn summary(
    meta: RequestMeta,
    mut ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<SummaryForm>,
) -> AppResult<Response> {
    let (mut tx, c) = lock_for(&ctx, id, Side::DrafterOrManager).await?;
    let ended = ctx.user.today > c.ends_on;
    let Some(status) = c.status.next(CampaignEvent::Summarize { ended }) else {
        let why = if c.status == CampaignStatus::Approved { "在结束前复盘" } else { "复盘" };
        return Err(stale(&c, ctx.user.today, why));
    };
    let typed = Typed {
        summary: f.summary.trim().to_owned(),
        lessons: f.lessons.trim().to_owned(),
        suggestions: f.suggestions.trim().to_owned(),
        ..Default::default()
    };
    let mut errors = FieldErrors::default();
    text(&mut errors, "summary", &typed.summary, "活动总结（效果与做得好的地方）", 4000, true);
    text(&mut errors, "lessons", &typed.lessons, "不足与教训", 4000, true);
    text(&mut errors, "suggestions", &typed.suggestions, "改进建议", 4000, false);
    if !errors.is_empty() {
        return again(tx, &mut ctx, c, errors, typed).await;
    }
    repo::set_summary(&mut tx, &ctx.user, id, (&typed.summary, &typed.lessons, &typed.suggestions)).await?;
    repo::event(&mut tx, &ctx.user, id, "summary", "提交活动复盘").await?;
    let summary = format!("活动 {}《{}》复盘", c.campaign_no, c.theme);
    let after = json!({"status": status.code(), "summary": typed.summary, "lessons": typed.lessons, "suggestions": typed.suggestions});
    audit::by_user(&mut tx, &ctx.user, &meta, step_entry("campaign.summary", &c, summary, after)).await?;
    tx.commit().await?;
    Ok(done(id, format!("活动 {} 已复盘，此后只读；请部门经理点评。", c.campaign_no)))
}

#[derive(Debug, Default, Deserialize)]
pub struct CommentForm {
    #[serde(default)]
    pub comment: String,
}

pub async fn review(
    meta: RequestMeta,
    mut ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<CommentForm>,
) -> AppResult<Response> {
    ctx.require(Action::CampaignsApprove)?;
    let mut tx = ctx.begin().await?;
    let c = fetch(&mut tx, &ctx.user, id, true).await?.ok_or(AppError::NotFound)?;
    if !(ctx.user.level == Level::Manager && decides(&ctx.user, &c.department)) {
        return Err(AppError::Forbidden);
    }
    if c.status != CampaignStatus::Summarized || c.reviewed_at.is_some() {
        return Err(stale(&c, ctx.user.today, "点评复盘"));
    }
    let typed = Typed { review: f.comment.trim().to_owned(), ..Default::default() };
    let mut errors = FieldErrors::default();
    text(&mut errors, "comment", &typed.review, "点评意见", 1000, true);
    if !errors.is_empty() {
        return again(tx, &mut ctx, c, errors, typed).await;
    }
    repo::set_review(&mut tx, &ctx.user, id, &typed.review).await?;
    repo::event(&mut tx, &ctx.user, id, "review", &typed.review).await?;
    let summary = format!("点评活动 {}《{}》的复盘：{}", c.campaign_no, c.theme, typed.review);
    let after = json!({"review_comment": typed.review});
    audit::by_user(&mut tx, &ctx.user, &meta, step_entry("campaign.review", &c, summary, after)).await?;
    tx.commit().await?;
    Ok(done(id, "已点评复盘。".into()))
}

// ---------- cancel ----------

#[derive(Debug, Default, Deserialize)]
pub struct CancelForm {
    #[serde(default)]
    pub reason: String,
}

pub async fn cancel(
    meta: RequestMeta,
    mut ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<CancelForm>,
) -> AppResult<Response> {
    let (mut tx, c) = lock_for(&ctx, id, Side::DrafterOrManager).await?;
    let Some(status) = c.status.next(CampaignEvent::Cancel { ended: ctx.user.today > c.ends_on }) else {
        return Err(stale(&c, ctx.user.today, "取消"));
    };
    let typed = Typed { cancel_reason: f.reason.trim().to_owned(), ..Default::default() };
    let mut errors = FieldErrors::default();
    text(&mut errors, "cancel_reason", &typed.cancel_reason, "取消原因", 500, true);
    if !errors.is_empty() {
        return again(tx, &mut ctx, c, errors, typed).await;
    }
    repo::set_cancelled(&mut tx, ctx.user.tenant_id, id, &typed.cancel_reason).await?;
    repo::event(&mut tx, &ctx.user, id, "cancel", &typed.cancel_reason).await?;
    let summary = format!("取消活动 {}《{}》：{}", c.campaign_no, c.theme, typed.cancel_reason);
    let after = json!({"status": status.code(), "reason": typed.cancel_reason});
    audit::by_user(&mut tx, &ctx.user, &meta, step_entry("campaign.cancel", &c, summary, after)).await?;
    tx.commit().await?;
    Ok(done(id, format!("活动 {} 已取消。", c.campaign_no)))
}
