//! The policy page: show, preview a change, save a new version.

use std::collections::HashMap;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;

use super::form::{fields_of, parse};
use super::views::{Change, Field, PolicyPage, Preview, VersionLine};
use crate::audit::{self, Actor, Entry};
use crate::error::{AppError, AppResult};
use crate::payroll::{self, policy as versions, Selection};
use crate::people::Action;
use crate::rules::{Fen, Policy, YearMonth};
use crate::web::{local_time, Ctx, CurrentUser, Flash, RequestMeta};

fn this_month(user: &CurrentUser) -> AppResult<YearMonth> {
    YearMonth::of(user.today).ok_or_else(|| AppError::Internal(anyhow::anyhow!("the current month is out of range")))
}

async fn history(ctx: &Ctx) -> AppResult<Vec<VersionLine>> {
    let mut tx = ctx.begin().await?;
    let rows = versions::versions(&mut tx, ctx.user.tenant_id).await?;
    tx.commit().await?;
    Ok(rows
        .into_iter()
        .map(|v| VersionLine {
            effective_month: v.effective_month.format("%Y-%m").to_string(),
            created: local_time(v.created_at, &ctx.user.settings.time_zone),
            by: v.created_by_name.unwrap_or_else(|| "命令行".into()),
            note: v.note,
        })
        .collect())
}

pub async fn show(mut ctx: Ctx) -> AppResult<PolicyPage> {
    ctx.require(Action::PolicyManage)?;
    let month = this_month(&ctx.user)?;
    let mut tx = ctx.begin().await?;
    let policy = versions::in_force(&mut tx, ctx.user.tenant_id, month).await?;
    tx.commit().await?;
    Ok(PolicyPage {
        chrome: ctx.chrome("考勤与绩效制度", "/hr/policy"),
        in_force_month: month.to_string(),
        fields: fields_of(&policy),
        effective_month: month.next().unwrap_or(month).to_string(),
        note: String::new(),
        problems: Vec::new(),
        history: history(&ctx).await?,
        preview: None,
    })
}

type RawForm = Form<Vec<(String, String)>>;

struct Submitted {
    fields: Vec<Field>,
    policy: Option<Policy>,
    problems: Vec<String>,
    effective_month: String,
    month: Option<YearMonth>,
    note: String,
}

fn submitted(raw: Vec<(String, String)>) -> Submitted {
    let map: HashMap<String, String> = raw.into_iter().collect();
    let (fields, policy, mut problems) = parse(&map);
    let effective_month = map.get("effective_month").map(|s| s.trim().to_owned()).unwrap_or_default();
    let month = payroll::parse_month(&effective_month);
    if month.is_none() {
        problems.push(format!("生效月份格式应为 YYYY-MM：{effective_month:?}"));
    }
    let note: String = map.get("note").map(|s| s.trim().chars().take(200).collect()).unwrap_or_default();
    Submitted { fields, policy, problems, effective_month, month, note }
}

/// The page with what was submitted: its problems, or its preview.
async fn submitted_page(
    ctx: &mut Ctx,
    title: &str,
    s: Submitted,
    problems: Vec<String>,
    preview: Option<Preview>,
) -> AppResult<PolicyPage> {
    Ok(PolicyPage {
        chrome: ctx.chrome(title, "/hr/policy"),
        in_force_month: this_month(&ctx.user)?.to_string(),
        fields: s.fields,
        effective_month: s.effective_month,
        note: s.note,
        problems,
        history: history(ctx).await?,
        preview,
    })
}

async fn form_again(ctx: &mut Ctx, mut s: Submitted) -> AppResult<Response> {
    let problems = if s.problems.is_empty() {
        vec!["请修改标出的项目。".into()]
    } else {
        std::mem::take(&mut s.problems)
    };
    let page = submitted_page(ctx, "考勤与绩效制度", s, problems, None).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

pub async fn preview(mut ctx: Ctx, Form(raw): RawForm) -> AppResult<Response> {
    ctx.require(Action::PolicyManage)?;
    let s = submitted(raw);
    let (Some(new_policy), Some(_), true) = (s.policy.clone(), s.month, s.problems.is_empty()) else {
        return form_again(&mut ctx, s).await;
    };
    // The last complete month: the one before this one.
    let month =
        this_month(&ctx.user)?.previous().ok_or_else(|| AppError::Internal(anyhow::anyhow!("no previous month")))?;
    let mut tx = ctx.begin().await?;
    let mut month_ctx = payroll::load_context(&mut tx, ctx.user.tenant_id, month).await.map_err(anyhow::Error::from)?;
    let mut old: Vec<(String, String, Fen, Fen)> = Vec::new();
    payroll::for_each(&mut tx, ctx.user.tenant_id, &month_ctx, &Selection::default(), |m| {
        old.push((m.employee_no, m.name, m.result.net_adjustment, m.result.wage_deduction));
        Ok(())
    })
    .await
    .map_err(anyhow::Error::from)?;
    month_ctx.policy = new_policy;
    let mut changes = Vec::new();
    let (mut changed, mut i, mut old_total, mut new_total) = (0usize, 0usize, 0i64, 0i64);
    payroll::for_each(&mut tx, ctx.user.tenant_id, &month_ctx, &Selection::default(), |m| {
        if let Some((no, name, old_net, old_wage)) = old.get(i) {
            old_total += old_net.fen();
            new_total += m.result.net_adjustment.fen();
            if *old_net != m.result.net_adjustment || *old_wage != m.result.wage_deduction {
                changed += 1;
                if changes.len() < 200 {
                    changes.push(Change {
                        employee_no: no.clone(),
                        name: name.clone(),
                        old_net: old_net.to_string(),
                        new_net: m.result.net_adjustment.to_string(),
                        old_wage: old_wage.to_string(),
                        new_wage: m.result.wage_deduction.to_string(),
                    });
                }
            }
        }
        i += 1;
        Ok(())
    })
    .await
    .map_err(anyhow::Error::from)?;
    tx.commit().await?;
    let preview = Preview {
        month: month.to_string(),
        employees: old.len(),
        changes,
        changed,
        old_total: Fen(old_total).to_string(),
        new_total: Fen(new_total).to_string(),
    };
    let page = submitted_page(&mut ctx, "预览制度变更", s, Vec::new(), Some(preview)).await?;
    Ok(page.into_response())
}

pub async fn save(mut ctx: Ctx, meta: RequestMeta, Form(raw): RawForm) -> AppResult<Response> {
    ctx.require(Action::PolicyManage)?;
    let s = submitted(raw);
    let (Some(policy), Some(month), true) = (s.policy.clone(), s.month, s.problems.is_empty()) else {
        return form_again(&mut ctx, s).await;
    };
    let mut tx = ctx.begin().await?;
    let before = versions::in_force(&mut tx, ctx.user.tenant_id, month).await?;
    let id = versions::save(&mut tx, ctx.user.tenant_id, month, &policy, &s.note, Some(ctx.user.user_id)).await?;
    audit::record(
        &mut tx,
        ctx.user.tenant_id,
        &Actor::user(&ctx.user, &meta),
        Entry {
            action: "policy.save",
            entity_type: Some("policy"),
            entity_id: Some(id.to_string()),
            summary: format!(
                "保存制度版本，自 {month} 起生效{}",
                if s.note.is_empty() { String::new() } else { format!("：{}", s.note) }
            ),
            before: serde_json::to_value(&before).ok(),
            after: serde_json::to_value(&policy).ok(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Flash::success(format!("已保存新版本，自 {month} 起生效。")).redirect("/hr/policy"))
}
