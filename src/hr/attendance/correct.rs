//! Corrections (补卡): HR sets the punches of one employee-day, with a reason.
//! The row becomes `source = 'correction'`; the audit entry keeps the punches
//! before and after.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use chrono::{NaiveDate, NaiveTime, Timelike};
use serde::Deserialize;
use serde_json::json;

use super::repo::{self, Source, Stored};
use super::{id_segment, today};
use crate::audit::{self, Actor, Entry};
use crate::error::{AppError, AppResult};
use crate::hr::employees::repo::{self as employees_repo, EmployeeRow};
use crate::imports::parse_date;
use crate::people::Action;
use crate::rules::classify::hhmm;
use crate::web::{local_time, Chrome, Ctx, FieldErrors, Flash, RequestMeta};

/// Longest reason accepted.
const REASON_MAX: usize = 200;

#[derive(Debug, Default, Deserialize)]
pub struct CorrectionForm {
    #[serde(default)]
    pub clock_in: String,
    #[serde(default)]
    pub clock_out: String,
    #[serde(default)]
    pub reason: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "hr/attendance/correct.html")]
pub struct CorrectPage {
    pub chrome: Chrome,
    pub employee: EmployeeRow,
    pub date: NaiveDate,
    pub weekday: &'static str,
    pub stored: Option<Stored>,
    pub stored_at: String,
    pub stored_in: String,
    pub stored_out: String,
    pub form: CorrectionForm,
    pub errors: FieldErrors,
    pub action: String,
    pub back_href: String,
}

impl CorrectPage {
    pub fn stored_source(&self) -> &'static str {
        self.stored.as_ref().map_or("无记录", |s| s.source.label())
    }

    pub fn stored_reason(&self) -> String {
        self.stored.as_ref().and_then(|s| s.correction_reason.clone()).unwrap_or_default()
    }
}

/// Path → (employee id, date); a malformed id is a 404, a malformed date a 400.
fn parse_path(raw_id: &str, raw_date: &str) -> AppResult<(i64, NaiveDate)> {
    let id = id_segment(raw_id)?;
    let date = parse_date(raw_date).map_err(|_| AppError::BadRequest(format!("日期应为 YYYY-MM-DD：{raw_date}")))?;
    Ok((id, date))
}

/// Why the day cannot be corrected, if it cannot.
fn date_problem(employee: &EmployeeRow, date: NaiveDate, today: NaiveDate) -> Option<String> {
    if date > today {
        return Some(format!("{date} 还没有到，不能更正。"));
    }
    if date < employee.hired_on {
        return Some(format!("{date} 在 {} 入职（{}）之前，不能更正。", employee.name, employee.hired_on));
    }
    if let Some(left) = employee.left_on.filter(|l| date > *l) {
        return Some(format!("{date} 在 {} 离职（{left}）之后，不能更正。", employee.name));
    }
    None
}

fn page(
    ctx: &mut Ctx,
    employee: EmployeeRow,
    date: NaiveDate,
    stored: Option<Stored>,
    form: CorrectionForm,
    errors: FieldErrors,
) -> CorrectPage {
    let month = format!("{}", date.format("%Y-%m"));
    CorrectPage {
        chrome: ctx.chrome(format!("更正考勤：{} {date}", employee.name), "/hr/attendance"),
        action: format!("/hr/attendance/{}/{date}/correct", employee.id),
        back_href: format!("/hr/attendance/{}?month={month}", employee.id),
        weekday: super::days::weekday_label(date),
        stored_at: stored.as_ref().map(|s| local_time(s.updated_at, &ctx.user.settings.time_zone)).unwrap_or_default(),
        stored_in: stored.as_ref().map(|s| hhmm(s.clock_in)).unwrap_or_else(|| hhmm(None)),
        stored_out: stored.as_ref().map(|s| hhmm(s.clock_out)).unwrap_or_else(|| hhmm(None)),
        employee,
        date,
        stored,
        form,
        errors,
    }
}

fn short(t: Option<NaiveTime>) -> String {
    t.map(|t| format!("{:02}:{:02}", t.hour(), t.minute())).unwrap_or_default()
}

/// `GET /hr/attendance/{employee_id}/{date}/correct`.
pub async fn form(mut ctx: Ctx, Path((raw_id, raw_date)): Path<(String, String)>) -> AppResult<CorrectPage> {
    ctx.require(Action::HrManage)?;
    let (id, date) = parse_path(&raw_id, &raw_date)?;
    let mut tx = ctx.begin().await?;
    let employee = employees_repo::find_in_scope(&mut tx, &ctx.user, id).await?.ok_or(AppError::NotFound)?;
    let stored = repo::stored(&mut tx, ctx.user.tenant_id, id, date, false).await?;
    tx.commit().await?;
    let form = CorrectionForm {
        clock_in: stored.as_ref().map(|s| short(s.clock_in)).unwrap_or_default(),
        clock_out: stored.as_ref().map(|s| short(s.clock_out)).unwrap_or_default(),
        reason: String::new(),
    };
    let mut errors = FieldErrors::default();
    if let Some(problem) = date_problem(&employee, date, today(&ctx.user)) {
        errors.add("date", problem);
    }
    Ok(page(&mut ctx, employee, date, stored, form, errors))
}

/// `HH:MM` (or `HH:MM:SS`); empty is a missing punch.
fn parse_time(raw: &str) -> Result<Option<NaiveTime>, ()> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let parsed = match s.len() {
        5 => NaiveTime::parse_from_str(s, "%H:%M"),
        8 => NaiveTime::parse_from_str(s, "%H:%M:%S"),
        _ => return Err(()),
    };
    parsed.map(Some).map_err(|_| ())
}

/// The validated punches and reason.
struct Valid {
    clock_in: Option<NaiveTime>,
    clock_out: Option<NaiveTime>,
    reason: String,
}

fn validate(form: &CorrectionForm, errors: &mut FieldErrors) -> Option<Valid> {
    let clock_in = parse_time(&form.clock_in);
    if clock_in.is_err() {
        errors.add("clock_in", "上班时间请按 HH:MM 填写，例如 09:00；没有打卡请留空");
    }
    let clock_out = parse_time(&form.clock_out);
    if clock_out.is_err() {
        errors.add("clock_out", "下班时间请按 HH:MM 填写，例如 18:00；没有打卡请留空");
    }
    if let (Ok(Some(i)), Ok(Some(o))) = (clock_in, clock_out) {
        if (o.hour(), o.minute()) <= (i.hour(), i.minute()) {
            errors.add("clock_out", format!("下班时间必须晚于上班时间 {}", hhmm(Some(i))));
        }
    }
    let reason = form.reason.trim();
    if reason.is_empty() {
        errors.add("reason", "请填写更正原因（例如：忘记打卡，经部门经理确认）");
    } else if reason.chars().count() > REASON_MAX {
        errors.add("reason", format!("更正原因最多 {REASON_MAX} 个字"));
    } else if reason.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        errors.add("reason", "更正原因包含无法显示的字符");
    }
    match (clock_in, clock_out) {
        (Ok(clock_in), Ok(clock_out)) if errors.is_empty() => {
            Some(Valid { clock_in, clock_out, reason: reason.to_owned() })
        }
        _ => None,
    }
}

fn punches_json(clock_in: Option<NaiveTime>, clock_out: Option<NaiveTime>) -> serde_json::Value {
    json!({ "clock_in": clock_in.map(|t| hhmm(Some(t))), "clock_out": clock_out.map(|t| hhmm(Some(t))) })
}

/// `POST /hr/attendance/{employee_id}/{date}/correct` (`clock_in`, `clock_out`, `reason`).
pub async fn save(
    meta: RequestMeta,
    mut ctx: Ctx,
    Path((raw_id, raw_date)): Path<(String, String)>,
    Form(form): Form<CorrectionForm>,
) -> AppResult<Response> {
    ctx.require(Action::HrManage)?;
    let (id, date) = parse_path(&raw_id, &raw_date)?;
    let mut tx = ctx.begin().await?;
    let employee = employees_repo::find_in_scope(&mut tx, &ctx.user, id).await?.ok_or(AppError::NotFound)?;
    let stored = repo::stored(&mut tx, ctx.user.tenant_id, id, date, true).await?;
    let mut errors = FieldErrors::default();
    if let Some(problem) = date_problem(&employee, date, today(&ctx.user)) {
        errors.add("date", problem);
    }
    let valid = validate(&form, &mut errors);
    let Some(v) = valid.filter(|_| errors.is_empty()) else {
        tx.rollback().await?;
        let page = page(&mut ctx, employee, date, stored, form, errors);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let correction = repo::Correction { clock_in: v.clock_in, clock_out: v.clock_out, reason: &v.reason };
    repo::correct(&mut tx, ctx.user.tenant_id, id, date, &correction, ctx.user.user_id).await?;
    let before = stored.as_ref().map(|s| {
        let mut b = punches_json(s.clock_in, s.clock_out);
        b["source"] = json!(s.source.code());
        b["correction_reason"] = json!(s.correction_reason);
        b
    });
    let mut after = punches_json(v.clock_in, v.clock_out);
    after["source"] = json!(Source::Correction.code());
    after["correction_reason"] = json!(v.reason);
    let (old_in, old_out) = stored.as_ref().map_or((None, None), |s| (s.clock_in, s.clock_out));
    audit::record(
        &mut tx,
        ctx.user.tenant_id,
        &Actor::user(&ctx.user, &meta),
        Entry {
            action: "attendance.correct",
            entity_type: Some("attendance"),
            entity_id: Some(format!("{}/{date}", employee.employee_no)),
            summary: format!(
                "更正 {}（{}）{date} 的考勤：上班 {} → {}，下班 {} → {}；原因：{}",
                employee.name,
                employee.employee_no,
                hhmm(old_in),
                hhmm(v.clock_in),
                hhmm(old_out),
                hhmm(v.clock_out),
                v.reason
            ),
            before,
            after: Some(after),
        },
    )
    .await?;
    tx.commit().await?;
    let target = format!("/hr/attendance/{id}?month={}", date.format("%Y-%m"));
    let message = format!("已更正 {} {date} 的考勤。", employee.name);
    Ok(Flash::success(message).redirect(&target))
}
