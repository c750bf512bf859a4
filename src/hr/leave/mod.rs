//! Leave (请假): an employee's own requests and the application form, a request's
//! page, withdrawal; the approval queue and decisions (`leave_approvals.rs`); HR's
//! tenant-wide list and the approved-leave CSV upload (`leave_hr.rs`).
//!
//! Who approves whose leave is documented in `leave_repo.rs`. Only approved leave
//! counts in the attendance rules (payroll reads `status = 'approved'`).

mod approvals;
pub mod flow;
mod hr_pages;
pub mod repo;

pub use crate::web::forms::DecisionForm;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::json;

use self::flow::LeaveStatus;
use self::repo::{LeaveRow, NewLeave};
use crate::app::state::AppState;
use crate::audit::{self, Actor, Entry};
use crate::error::{AppError, AppResult, OnConstraint};
use crate::hr::employees::repo::{self as employees_repo, EmployeeRow};
use crate::payroll;
use crate::people::{Action, Dept};
use crate::rules::YearMonth;
use crate::web::forms::non_empty;
use crate::web::forms::Choice;
use crate::web::pagination::query_string;
use crate::web::{local_time, Chrome, Ctx, CurrentUser, FieldErrors, Flash, IncomingFlash, Pager, RequestMeta};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/leave", get(my_leave).post(apply))
        .route("/leave/approvals", get(approvals::queue))
        .route("/leave/all", get(hr_pages::all))
        .route("/leave/{id}", get(show))
        .route("/leave/{id}/cancel", get(cancel_confirm).post(cancel))
        .route("/leave/{id}/approve", post(crate::decision::approve::<flow::Leave>))
        .route("/leave/{id}/reject", post(crate::decision::reject::<flow::Leave>))
        .route("/hr/leave/import", get(hr_pages::import_form).post(hr_pages::import))
}

// ---------- shared helpers ----------

/// Today in the tenant's time zone.
pub(crate) fn today(user: &CurrentUser) -> NaiveDate {
    user.today
}

/// How long ago, in words ("3 天 2 小时").
pub(crate) fn age(since: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let d = (now - since).max(Duration::zero());
    let (days, hours) = (d.num_days(), d.num_hours() % 24);
    match (days, hours) {
        (0, 0) => "不到 1 小时".to_owned(),
        (0, h) => format!("{h} 小时"),
        (d, 0) => format!("{d} 天"),
        (d, h) => format!("{d} 天 {h} 小时"),
    }
}

fn status_choices() -> Vec<Choice> {
    Choice::all(LeaveStatus::ALL)
}

fn kind_choices() -> Vec<Choice> {
    repo::KINDS.iter().map(|k| Choice { code: k, label: k }).collect()
}

fn dept_choices() -> Vec<Choice> {
    Choice::departments()
}

/// A list filter value: empty is `None`, an unknown value is a 400.
fn parse_status(s: &str) -> AppResult<Option<LeaveStatus>> {
    match non_empty(s) {
        None => Ok(None),
        Some(v) => LeaveStatus::parse(v).map(Some).ok_or_else(|| AppError::BadRequest(format!("未知状态：{v}"))),
    }
}

fn parse_month_filter(s: &str) -> AppResult<Option<YearMonth>> {
    match non_empty(s) {
        None => Ok(None),
        Some(v) => {
            payroll::parse_month(v).map(Some).ok_or_else(|| AppError::BadRequest(format!("月份应为 YYYY-MM：{v}")))
        }
    }
}

fn parse_dept_filter(s: &str) -> AppResult<Option<Dept>> {
    match non_empty(s) {
        None => Ok(None),
        Some(v) => Dept::parse(v).map(Some).ok_or_else(|| AppError::BadRequest(format!("未知部门：{v}"))),
    }
}

/// Why the login has no employee record, for the page.
fn unlinked_reason(user: &CurrentUser) -> String {
    match &user.employee_no {
        None => "您的登录账号没有关联员工档案（账号上未填写工号），因此无法查看或申请请假。请联系租户管理员在用户资料中填写您的工号。"
            .to_owned(),
        Some(no) => format!(
            "您的登录账号填写的工号 {no} 在员工档案中不存在，因此无法查看或申请请假。请联系人事部核对员工档案或账号上的工号。"
        ),
    }
}

// ---------- my leave + apply ----------

#[derive(Clone, Debug, Default, Deserialize)]
pub struct MyQuery {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub month: String,
    pub page: Option<i64>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct ApplyForm {
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub portion: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub reason: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "hr/leave/mine.html")]
pub struct MyLeavePage {
    pub chrome: Chrome,
    pub employee: Option<EmployeeRow>,
    pub unlinked: String,
    pub rows: Vec<LeaveRow>,
    pub pager: Pager,
    pub q: MyQuery,
    pub form: ApplyForm,
    pub errors: FieldErrors,
    pub kinds: Vec<Choice>,
    pub portions: Vec<Choice>,
    pub statuses: Vec<Choice>,
    pub can_approve: bool,
    pub tz: crate::tz::TimeZone,
}

impl MyLeavePage {
    pub fn when(&self, at: &Option<DateTime<Utc>>) -> String {
        at.map(|t| local_time(t, &self.tz)).unwrap_or_default()
    }
}

async fn my_page(ctx: &mut Ctx, q: MyQuery, form: ApplyForm, errors: FieldErrors) -> AppResult<MyLeavePage> {
    let filter_status = parse_status(&q.status)?;
    let filter_month = parse_month_filter(&q.month)?;
    let pager = Pager::new("/leave", q.page, query_string(&[("status", &q.status), ("month", &q.month)]));
    let mut tx = ctx.begin().await?;
    let employee = employees_repo::of_user(&mut tx, &ctx.user).await?;
    let (rows, total) = match &employee {
        Some(e) => {
            let f = repo::Filter {
                employee_id: Some(e.id),
                status: filter_status,
                month: filter_month,
                ..repo::Filter::default()
            };
            repo::list(
                &mut tx,
                ctx.user.tenant_id,
                &f,
                repo::Order::DayDesc,
                pager.per_page,
                pager.offset(),
                pager.count_limit(),
            )
            .await?
        }
        None => (Vec::new(), 0),
    };
    tx.commit().await?;
    Ok(MyLeavePage {
        chrome: ctx.chrome("我的请假", "/leave"),
        unlinked: unlinked_reason(&ctx.user),
        employee,
        rows,
        pager: pager.with_total(total),
        q,
        form,
        errors,
        kinds: kind_choices(),
        portions: Choice::from_pairs(repo::PORTIONS),
        statuses: status_choices(),
        can_approve: ctx.can(Action::LeaveApprove),
        tz: ctx.user.settings.time_zone,
    })
}

pub async fn my_leave(mut ctx: Ctx, Query(q): Query<MyQuery>) -> AppResult<MyLeavePage> {
    ctx.require(Action::AttendanceOwn)?;
    let form = ApplyForm { portion: "full".into(), kind: repo::KINDS[0].into(), ..ApplyForm::default() };
    my_page(&mut ctx, q, form, FieldErrors::default()).await
}

/// The form's fields, checked on their own.
struct Valid<'a> {
    day: NaiveDate,
    portion: &'static str,
    kind: &'static str,
    reason: &'a str,
}

fn validate<'a>(form: &'a ApplyForm, errors: &mut FieldErrors) -> Option<Valid<'a>> {
    let raw = form.date.trim();
    let day = if raw.is_empty() {
        errors.add("date", "请填写请假日期");
        None
    } else {
        match crate::input::date(raw) {
            Ok(d) => Some(d),
            Err(crate::input::DateError::Format) => {
                errors.add("date", "日期格式应为 YYYY-MM-DD，例如 2026-11-02");
                None
            }
            Err(crate::input::DateError::Range) => {
                errors.add("date", format!("日期{}", crate::input::DATE_RANGE));
                None
            }
        }
    };
    let portion = repo::PORTIONS.iter().find(|(c, _)| *c == form.portion.trim()).map(|(c, _)| *c);
    if portion.is_none() {
        errors.add("portion", "请选择请假时段：全天、上午或下午");
    }
    let kind = repo::KINDS.iter().copied().find(|k| *k == form.kind.trim());
    if kind.is_none() {
        errors.add("kind", "请选择请假类型");
    }
    let reason = form.reason.trim();
    if reason.is_empty() {
        errors.add("reason", "请填写请假事由");
    } else if reason.chars().count() > 500 {
        errors.add("reason", "请假事由最多 500 个字符");
    }
    Some(Valid { day: day?, portion: portion?, kind: kind?, reason })
}

async fn rerender(ctx: &mut Ctx, form: ApplyForm, errors: FieldErrors) -> AppResult<Response> {
    let page = my_page(ctx, MyQuery::default(), form, errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

fn describe(r: &LeaveRow) -> String {
    format!("#{}（{} {} · {} · {}）", r.id, r.day, r.portion_label(), r.kind, r.status_label())
}

pub async fn apply(meta: RequestMeta, mut ctx: Ctx, Form(form): Form<ApplyForm>) -> AppResult<Response> {
    ctx.require(Action::AttendanceOwn)?;
    let mut errors = FieldErrors::default();
    let valid = validate(&form, &mut errors);
    let mut tx = ctx.begin().await?;
    let Some(employee) = employees_repo::of_user(&mut tx, &ctx.user).await? else {
        tx.rollback().await?;
        let _flash = IncomingFlash(Some(Flash::error("无法提交：您的登录账号没有关联员工档案。")));
        let page = my_page(&mut ctx, MyQuery::default(), form, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    if let Some(v) = &valid {
        if v.day < employee.hired_on || employee.left_on.is_some_and(|l| v.day > l) {
            errors.add("date", format!("{} 不在您的在职期间内（入职日期 {}）", v.day, employee.hired_on));
        } else if v.day > today(&ctx.user) + Duration::days(366) {
            errors.add("date", "只能申请一年以内的请假");
        } else if !repo::is_workday(&mut tx, ctx.user.tenant_id, v.day).await? {
            errors.add("date", format!("{} 不是工作日（周末或节假日），无需请假", v.day));
        } else if let Some(existing) =
            repo::live_overlap(&mut tx, ctx.user.tenant_id, employee.id, v.day, v.portion).await?
        {
            errors.add("date", format!("该时段已有请假申请 {}，不能重复申请", describe(&existing)));
        }
    }
    let Some(v) = valid.filter(|_| errors.is_empty()) else {
        tx.rollback().await?;
        return rerender(&mut ctx, form, errors).await;
    };
    let new = NewLeave {
        employee_id: employee.id,
        day: v.day,
        portion: v.portion,
        kind: v.kind,
        reason: v.reason,
        applied_by: ctx.user.user_id,
    };
    let id = match repo::insert(&mut tx, ctx.user.tenant_id, &new).await.on_constraint(&[("leave_live_idx", "date")])? {
        Ok(id) => id,
        Err(field) => {
            tx.rollback().await?;
            errors.add(field, "该时段已有请假申请（刚刚提交），不能重复申请");
            return rerender(&mut ctx, form, errors).await;
        }
    };
    audit::record(
        &mut tx,
        ctx.user.tenant_id,
        &Actor::user(&ctx.user, &meta),
        Entry {
            action: "leave.apply",
            entity_type: Some("leave"),
            entity_id: Some(id.to_string()),
            summary: format!(
                "{}（{}）申请{} {} {}",
                employee.name,
                employee.employee_no,
                new.kind,
                new.day,
                repo::portion_label(new.portion)
            ),
            before: None,
            after: Some(json!({
                "employee_no": employee.employee_no, "day": new.day, "portion": new.portion, "kind": new.kind,
                "reason": new.reason, "status": "pending",
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Flash::success("请假申请已提交，等待审批。").redirect(&format!("/leave/{id}")))
}

// ---------- a request's page ----------

#[derive(Template, WebTemplate)]
#[template(path = "hr/leave/show.html")]
pub struct ShowPage {
    pub chrome: Chrome,
    pub row: LeaveRow,
    pub can_decide: bool,
    pub can_cancel: bool,
    pub is_own: bool,
    pub form: DecisionForm,
    pub errors: FieldErrors,
    pub tz: crate::tz::TimeZone,
    pub age: String,
}

impl ShowPage {
    pub fn when(&self, at: &Option<DateTime<Utc>>) -> String {
        at.map(|t| local_time(t, &self.tz)).unwrap_or_default()
    }

    pub fn created(&self) -> String {
        local_time(self.row.created_at, &self.tz)
    }
}

pub(crate) fn show_page(ctx: &mut Ctx, row: LeaveRow, form: DecisionForm, errors: FieldErrors) -> ShowPage {
    ShowPage {
        chrome: ctx.chrome(format!("请假申请 #{}", row.id), "/leave"),
        can_decide: row.is_pending() && row.approvable_by(&ctx.user),
        can_cancel: row.is_pending() && row.is_own(&ctx.user),
        is_own: row.is_own(&ctx.user),
        age: age(row.created_at, Utc::now()),
        row,
        form,
        errors,
        tz: ctx.user.settings.time_zone,
    }
}

/// A request the user may see, or 404.
async fn visible(ctx: &Ctx, id: i64) -> AppResult<LeaveRow> {
    let mut tx = ctx.begin().await?;
    let row = repo::find(&mut tx, ctx.user.tenant_id, id).await?;
    tx.commit().await?;
    row.filter(|r| r.visible_to(&ctx.user)).ok_or(AppError::NotFound)
}

pub async fn show(mut ctx: Ctx, Path(id): Path<i64>) -> AppResult<ShowPage> {
    let row = visible(&ctx, id).await?;
    Ok(show_page(&mut ctx, row, DecisionForm::default(), FieldErrors::default()))
}

// ---------- withdraw (cancel) ----------

#[derive(Template, WebTemplate)]
#[template(path = "hr/leave/cancel.html")]
pub struct CancelPage {
    pub chrome: Chrome,
    pub row: LeaveRow,
}

pub async fn cancel_confirm(mut ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    ctx.require(Action::AttendanceOwn)?;
    let row = visible(&ctx, id).await?;
    if !row.is_own(&ctx.user) {
        return Err(AppError::NotFound);
    }
    if !row.is_pending() {
        return Ok(Flash::error("该申请已不是待审批状态，不能撤回。").redirect(&format!("/leave/{id}")));
    }
    Ok(CancelPage { chrome: ctx.chrome("确认撤回请假申请", "/leave"), row }.into_response())
}

pub async fn cancel(meta: RequestMeta, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    ctx.require(Action::AttendanceOwn)?;
    let mut tx = ctx.begin().await?;
    let row =
        repo::lock(&mut tx, ctx.user.tenant_id, id).await?.filter(|r| r.is_own(&ctx.user)).ok_or(AppError::NotFound)?;
    let Some(status) = row.status.next(flow::LeaveEvent::Withdraw) else {
        return Err(AppError::Conflict(format!("该申请当前为“{}”，只有待审批的申请可以撤回", row.status_label())));
    };
    repo::decide(&mut tx, ctx.user.tenant_id, id, status, ctx.user.user_id, Some(repo::WITHDRAWN_COMMENT)).await?;
    audit::record(
        &mut tx,
        ctx.user.tenant_id,
        &Actor::user(&ctx.user, &meta),
        Entry {
            action: "leave.cancel",
            entity_type: Some("leave"),
            entity_id: Some(id.to_string()),
            summary: format!(
                "{}（{}）撤回请假申请 {} {} {}",
                row.employee_name,
                row.employee_no,
                row.kind,
                row.day,
                row.portion_label()
            ),
            before: Some(json!({"status": row.status.code()})),
            after: Some(json!({"status": "rejected", "decision_comment": repo::WITHDRAWN_COMMENT})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Flash::success("请假申请已撤回。").redirect(&format!("/leave/{id}")))
}
