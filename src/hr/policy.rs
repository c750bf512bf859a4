//! The rules policy page: the numbers in force, a form to save a new version
//! from a chosen month (previewing its effect on the last complete month first),
//! and the history of versions. HR managers and directors, and tenant admins.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde_json::Value;

use crate::app::state::AppState;
use crate::audit::{self, Actor, Entry};
use crate::error::{AppError, AppResult};
use crate::payroll::{self, policy as versions, Selection};
use crate::people::Action;
use crate::rules::{Fen, Policy, YearMonth};
use crate::web::{local_time, Chrome, Ctx, CurrentUser, Flash, RequestMeta};

pub fn router() -> Router<AppState> {
    Router::new().route("/hr/policy", get(show).post(save)).route("/hr/policy/preview", post(preview))
}

/// Labels of the policy's numbers, by their path in the policy's JSON.
const LABELS: &[(&str, &str)] = &[
    ("schedule.shift_start", "上班时间"),
    ("schedule.shift_end", "下班时间"),
    ("schedule.am_start", "上午开始"),
    ("schedule.am_end", "上午结束"),
    ("schedule.pm_start", "下午开始"),
    ("schedule.pm_end", "下午结束"),
    ("minor_max_minutes", "轻微迟到早退上限（分钟，含）"),
    ("free_minor_occurrences", "每月免罚轻微次数"),
    ("day_wage_divisor", "日工资折算天数"),
    ("penalties.minor_beyond_free.wage_days", "超出免罚的轻微迟到早退：扣工资（日）"),
    ("penalties.minor_beyond_free.bonus_percent", "超出免罚的轻微迟到早退：扣奖金（%）"),
    ("penalties.serious.wage_days", "严重迟到早退：扣工资（日）"),
    ("penalties.serious.bonus_percent", "严重迟到早退：扣奖金（%）"),
    ("penalties.half_day_absence.wage_days", "旷工半天：扣工资（日）"),
    ("penalties.half_day_absence.bonus_percent", "旷工半天：扣奖金（%）"),
    ("penalties.full_day_absence.wage_days", "旷工一天：扣工资（日）"),
    ("penalties.full_day_absence.bonus_percent", "旷工一天：扣奖金（%）"),
    ("bonus_deduction_cap_percent", "奖金扣减上限（%）"),
    ("serious_penalised_as_half_day_absence", "严重迟到早退按旷工半天处罚"),
    ("grades.excellent_min", "优秀最低分"),
    ("grades.good_min", "良好最低分"),
    ("grades.pass_min", "合格最低分"),
    ("grades.excellent_coefficient", "优秀系数"),
    ("grades.good_coefficient", "良好系数"),
    ("grades.pass_coefficient", "合格系数"),
    ("grades.fail_coefficient", "不合格系数"),
    ("consecutive_absence_flag_over_days", "连续旷工提示：超过（天）"),
    ("absence_tally.flag_over_half_days", "累计旷工提示：超过（半天数）"),
    ("absence_tally.full_day_half_days", "累计：旷工一天计（半天数）"),
    ("absence_tally.half_day_half_days", "累计：旷工半天计（半天数）"),
    ("absence_tally.serious_half_days", "累计：严重迟到早退计（半天数）"),
    ("wage_deduction_warning_percent", "扣款提示：超过月薪（%）"),
];

/// One input of the form.
pub struct Field {
    pub name: String,
    pub label: &'static str,
    pub value: String,
    pub is_bool: bool,
    pub checked: bool,
    pub error: Option<String>,
}

fn flatten(prefix: &str, v: &Value, out: &mut Vec<(String, Value)>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                let path = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                flatten(&path, child, out);
            }
        }
        other => out.push((prefix.to_owned(), other.clone())),
    }
}

fn label(path: &str) -> &'static str {
    LABELS.iter().find(|(p, _)| *p == path).map_or("（其他）", |(_, l)| l)
}

fn fields_of(policy: &Policy) -> Vec<Field> {
    let mut leaves = Vec::new();
    flatten("", &serde_json::to_value(policy).unwrap_or(Value::Null), &mut leaves);
    let order = |p: &str| LABELS.iter().position(|(l, _)| *l == p).unwrap_or(usize::MAX);
    leaves.sort_by_key(|(p, _)| order(p));
    leaves
        .into_iter()
        .map(|(name, v)| {
            let (value, is_bool, checked) = match &v {
                Value::Bool(b) => (String::new(), true, *b),
                // Times are shown as HH:MM.
                Value::String(s) if s.len() == 8 && s.as_bytes().get(2) == Some(&b':') => {
                    (s[..5].to_owned(), false, false)
                }
                Value::String(s) => (s.clone(), false, false),
                other => (other.to_string(), false, false),
            };
            Field { label: label(&name), name, value, is_bool, checked, error: None }
        })
        .collect()
}

/// Rebuild a policy from the submitted fields, using the seed policy's shape.
/// Returns the fields (with what was typed and per-field errors) and, when
/// everything is valid, the policy.
fn parse(form: &HashMap<String, String>) -> (Vec<Field>, Option<Policy>, Vec<String>) {
    let shape = serde_json::to_value(Policy::seed_default()).unwrap_or(Value::Null);
    let mut leaves = Vec::new();
    flatten("", &shape, &mut leaves);
    let mut fields = fields_of(&Policy::seed_default());
    let mut value = shape.clone();
    let mut ok = true;
    for field in &mut fields {
        let typed = form.get(&field.name).map(|s| s.trim().to_owned()).unwrap_or_default();
        let template = leaves.iter().find(|(p, _)| *p == field.name).map(|(_, v)| v.clone()).unwrap_or(Value::Null);
        let parsed = match template {
            Value::Bool(_) => {
                field.checked = form.contains_key(&field.name);
                Ok(Value::Bool(field.checked))
            }
            Value::Number(_) => {
                field.value = typed.clone();
                typed.parse::<u64>().map(Value::from).map_err(|_| "请填写非负整数".to_owned())
            }
            Value::String(orig) => {
                field.value = typed.clone();
                if typed.is_empty() {
                    Err("请填写".to_owned())
                } else if orig.len() == 8 && orig.as_bytes().get(2) == Some(&b':') {
                    // A time: accept HH:MM.
                    chrono::NaiveTime::parse_from_str(&typed, "%H:%M")
                        .map(|t| Value::String(t.format("%H:%M:%S").to_string()))
                        .map_err(|_| "时间格式应为 HH:MM".to_owned())
                } else {
                    Ok(Value::String(typed.clone()))
                }
            }
            _ => Err("无法识别的设置".to_owned()),
        };
        match parsed {
            Ok(v) => set_path(&mut value, &field.name, v),
            Err(e) => {
                field.error = Some(e);
                ok = false;
            }
        }
    }
    if !ok {
        return (fields, None, Vec::new());
    }
    match serde_json::from_value::<Policy>(value) {
        Err(e) => (fields, None, vec![format!("设置无效：{e}")]),
        Ok(policy) => {
            let problems = policy.validate();
            if problems.is_empty() {
                (fields, Some(policy), Vec::new())
            } else {
                (fields, None, problems)
            }
        }
    }
}

fn set_path(root: &mut Value, path: &str, v: Value) {
    let mut node = root;
    let parts: Vec<&str> = path.split('.').collect();
    for (i, part) in parts.iter().enumerate() {
        let Value::Object(map) = node else { return };
        if i + 1 == parts.len() {
            map.insert((*part).to_owned(), v);
            return;
        }
        let Some(next) = map.get_mut(*part) else { return };
        node = next;
    }
}

pub struct VersionLine {
    pub effective_month: String,
    pub created: String,
    pub by: String,
    pub note: String,
}

pub struct Change {
    pub employee_no: String,
    pub name: String,
    pub old_net: String,
    pub new_net: String,
    pub old_wage: String,
    pub new_wage: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "hr/policy/show.html")]
pub struct PolicyPage {
    pub chrome: Chrome,
    pub in_force_month: String,
    pub fields: Vec<Field>,
    pub effective_month: String,
    pub note: String,
    pub problems: Vec<String>,
    pub history: Vec<VersionLine>,
    /// Set on the preview page.
    pub preview: Option<Preview>,
}

pub struct Preview {
    pub month: String,
    pub employees: usize,
    pub changes: Vec<Change>,
    pub changed: usize,
    pub old_total: String,
    pub new_total: String,
}

fn this_month(user: &CurrentUser) -> AppResult<YearMonth> {
    YearMonth::of(user.settings.time_zone.today())
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the current month is out of range")))
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

async fn form_again(ctx: &mut Ctx, s: Submitted) -> AppResult<Response> {
    let page = PolicyPage {
        chrome: ctx.chrome("考勤与绩效制度", "/hr/policy"),
        in_force_month: this_month(&ctx.user)?.to_string(),
        fields: s.fields,
        effective_month: s.effective_month,
        note: s.note,
        problems: if s.problems.is_empty() { vec!["请修改标出的项目。".into()] } else { s.problems },
        history: history(ctx).await?,
        preview: None,
    };
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
    let page = PolicyPage {
        chrome: ctx.chrome("预览制度变更", "/hr/policy"),
        in_force_month: this_month(&ctx.user)?.to_string(),
        fields: s.fields,
        effective_month: s.effective_month,
        note: s.note,
        problems: Vec::new(),
        history: history(&ctx).await?,
        preview: Some(Preview {
            month: month.to_string(),
            employees: old.len(),
            changes,
            changed,
            old_total: Fen(old_total).to_string(),
            new_total: Fen(new_total).to_string(),
        }),
    };
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
