//! Performance (绩效评分): managers score their department's specialists, directors
//! score the managers; everyone sees their own scores; HR sees everyone's, what
//! is missing, and uploads a month's scores (`performance_hr.rs`).
//!
//! Who may score whom (POST /performance):
//! * a manager: the **specialists of their own department**;
//! * a director: **every manager** of the tenant;
//! * nobody scores themselves; directors' scores come from HR's upload.
//!
//! An employee outside the scorer's people data scope is a 404 (a manager and
//! another department's employee); one inside it but not theirs to score is a 403
//! (a manager and a fellow manager of their department, a director and a
//! specialist, anyone and themselves). Roles without `PerformanceScore` get 403.
//!
//! Grades and coefficients come from the policy in force for the month.

mod hr_pages;
pub mod repo;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;
use serde_json::json;

use self::repo::{Filter, Line, Who};
use crate::app::state::AppState;
use crate::audit::{self, Actor, Entry};
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::hr::employees::repo::{self as employees_repo, EmployeeRow};
use crate::hr::leave::today;
use crate::payroll::{self, policy};
use crate::people::{Action, Dept, Level, Scope};
use crate::rules::{Grade, Score, YearMonth};
use crate::web::forms::non_empty;
use crate::web::forms::Choice;
use crate::web::pagination::query_string;
use crate::web::{Chrome, Ctx, CurrentUser, FieldErrors, Flash, Pager, RequestMeta};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/performance", get(scoring).post(score))
        .route("/performance/me", get(mine))
        .route("/hr/performance", get(hr_pages::overview))
        .route("/hr/performance/import", get(hr_pages::import_form).post(hr_pages::import))
}

// ---------- shared helpers ----------

/// The month reviews are for by default: the previous month (次月上旬), tenant time.
pub(crate) fn default_month(user: &CurrentUser) -> AppResult<YearMonth> {
    let this = YearMonth::of(today(user));
    this.and_then(YearMonth::previous)
        .or(this)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("today is outside the calendar")))
}

/// The `month` query parameter, or the default; a malformed one is a 400.
pub(crate) fn month_param(user: &CurrentUser, raw: &str) -> AppResult<YearMonth> {
    match non_empty(raw) {
        None => default_month(user),
        Some(v) => payroll::parse_month(v).ok_or_else(|| AppError::BadRequest(format!("月份应为 YYYY-MM：{v}"))),
    }
}

pub(crate) fn dept_choices() -> Vec<Choice> {
    Choice::departments()
}

pub(crate) fn parse_dept_filter(s: &str) -> AppResult<Option<Dept>> {
    match non_empty(s) {
        None => Ok(None),
        Some(v) => Dept::parse(v).map(Some).ok_or_else(|| AppError::BadRequest(format!("未知部门：{v}"))),
    }
}

/// The month's rows with grades under the policies of the month and the one before.
pub(crate) async fn graded(
    tx: &mut Tx,
    tenant_id: i64,
    month: YearMonth,
    rows: Vec<repo::ScoreRow>,
) -> AppResult<Vec<Line>> {
    let policy = policy::in_force(tx, tenant_id, month).await?;
    let prev_policy = match month.previous() {
        Some(p) => policy::in_force(tx, tenant_id, p).await?,
        None => policy.clone(),
    };
    Ok(rows.into_iter().map(|r| Line::new(r, &policy, &prev_policy)).collect())
}

fn month_link(m: Option<YearMonth>) -> String {
    m.map(|m| m.to_string()).unwrap_or_default()
}

// ---------- the scorer's page ----------

#[derive(Clone, Debug, Default, Deserialize)]
pub struct ScoringQuery {
    #[serde(default)]
    pub month: String,
    #[serde(default)]
    pub department: String,
    #[serde(default)]
    pub missing: String,
    pub page: Option<i64>,
}

#[derive(Template, WebTemplate)]
#[template(path = "hr/performance/scoring.html")]
pub struct ScoringPage {
    pub chrome: Chrome,
    pub month: String,
    pub prev_month: String,
    pub next_month: String,
    pub q: ScoringQuery,
    pub lines: Vec<Line>,
    pub pager: Pager,
    pub missing_count: i64,
    pub is_director: bool,
    pub rule: &'static str,
    pub depts: Vec<Choice>,
}

/// Whose scores `user` enters.
fn scorer_who(user: &CurrentUser) -> AppResult<Who> {
    match user.level {
        Level::Manager => Ok(Who::SpecialistsOf(user.dept)),
        Level::Director => Ok(Who::Managers),
        Level::Specialist => Err(AppError::Forbidden),
    }
}

pub async fn scoring(mut ctx: Ctx, Query(mut q): Query<ScoringQuery>) -> AppResult<ScoringPage> {
    ctx.require(Action::PerformanceScore)?;
    let who = scorer_who(&ctx.user)?;
    let month = month_param(&ctx.user, &q.month)?;
    q.month = month.to_string();
    let is_director = ctx.user.level == Level::Director;
    let dept = if is_director { parse_dept_filter(&q.department)? } else { None };
    let missing_only = q.missing == "1";
    let filter = Filter { who, dept, missing_only, q: None };
    let pager = Pager::new(
        "/performance",
        q.page,
        query_string(&[("month", &q.month), ("department", &q.department), ("missing", &q.missing)]),
    );
    let mut tx = ctx.begin().await?;
    let (rows, total) =
        repo::list(&mut tx, ctx.user.tenant_id, month, &filter, pager.per_page, pager.offset(), pager.count_limit())
            .await?;
    let missing_count =
        repo::count(&mut tx, ctx.user.tenant_id, month, &Filter { missing_only: true, ..filter }, pager.count_limit())
            .await?;
    let lines = graded(&mut tx, ctx.user.tenant_id, month, rows).await?;
    tx.commit().await?;
    Ok(ScoringPage {
        chrome: ctx.chrome(format!("绩效评分 {month}"), "/performance"),
        month: month.to_string(),
        prev_month: month_link(month.previous()),
        next_month: month_link(month.next()),
        q,
        lines,
        pager: pager.with_total(total),
        missing_count,
        is_director,
        rule: if is_director {
            "总监为本公司各部门经理评分。"
        } else {
            "经理为本部门专员评分；经理本人由总监评分。"
        },
        depts: dept_choices(),
    })
}

// ---------- POST a score ----------

#[derive(Clone, Debug, Default, Deserialize)]
pub struct ScoreForm {
    #[serde(default)]
    pub month: String,
    #[serde(default)]
    pub employee_id: String,
    #[serde(default)]
    pub score: String,
    #[serde(default)]
    pub comment: String,
}

/// The form again for one employee, with the messages.
#[derive(Template, WebTemplate)]
#[template(path = "hr/performance/score_form.html")]
pub struct ScoreFormPage {
    pub chrome: Chrome,
    pub employee: EmployeeRow,
    pub form: ScoreForm,
    pub errors: FieldErrors,
}

/// May `user` score `emp`? 404 outside their people scope, 403 inside it.
fn check_scorer(user: &CurrentUser, emp: &EmployeeRow) -> AppResult<()> {
    let own = user.employee_no.as_deref() == Some(emp.employee_no.as_str());
    let allowed = !own
        && match user.level {
            Level::Manager => emp.department == user.dept.code() && emp.level == Level::Specialist.code(),
            Level::Director => emp.level == Level::Manager.code(),
            Level::Specialist => false,
        };
    if allowed {
        return Ok(());
    }
    let visible = match employees_repo::scope(user) {
        Scope::Tenant => true,
        Scope::Department(d) => emp.department == d.code(),
        Scope::Own { .. } => own,
    };
    Err(if visible { AppError::Forbidden } else { AppError::NotFound })
}

pub async fn score(meta: RequestMeta, mut ctx: Ctx, Form(form): Form<ScoreForm>) -> AppResult<Response> {
    ctx.require(Action::PerformanceScore)?;
    let employee_id: i64 = form.employee_id.trim().parse().map_err(|_| AppError::NotFound)?;
    let mut tx = ctx.begin().await?;
    let employee = employees_repo::find(&mut tx, ctx.user.tenant_id, employee_id).await?.ok_or(AppError::NotFound)?;
    check_scorer(&ctx.user, &employee)?;

    let mut errors = FieldErrors::default();
    let month = payroll::parse_month(form.month.trim());
    match month {
        None => errors.add("month", "月份格式应为 YYYY-MM"),
        Some(m) if m.first_day() > today(&ctx.user) => errors.add("month", "不能为尚未开始的月份评分"),
        Some(m) if employee.hired_on > m.last_day() || employee.left_on.is_some_and(|l| l < m.first_day()) => {
            errors.add("month", format!("{} 在 {m} 不在职，无需评分", employee.name));
        }
        Some(_) => {}
    }
    let raw_score = form.score.trim();
    let parsed = if raw_score.is_empty() {
        errors.add("score", "请填写得分");
        None
    } else {
        let s = Score::parse(raw_score).ok();
        if s.is_none() {
            errors.add("score", format!("得分“{raw_score}”无效：应为 0–100 之间的数，最多一位小数（如 85 或 89.5）"));
        }
        s
    };
    let comment = form.comment.trim().to_owned();
    if comment.chars().count() > 500 {
        errors.add("comment", "评语最多 500 个字符");
    }
    let (Some(month), Some(new_score)) = (month, parsed) else {
        return rerender(tx, &mut ctx, employee, form, errors).await;
    };
    if !errors.is_empty() {
        return rerender(tx, &mut ctx, employee, form, errors).await;
    }

    let before = repo::lock_score(&mut tx, ctx.user.tenant_id, employee.id, month).await?;
    repo::upsert(&mut tx, ctx.user.tenant_id, employee.id, month, new_score, &comment, ctx.user.user_id).await?;
    let policy = policy::in_force(&mut tx, ctx.user.tenant_id, month).await?;
    let grade = policy.grade(new_score);
    let coefficient = policy.coefficient(grade);
    audit::record(
        &mut tx,
        ctx.user.tenant_id,
        &Actor::user(&ctx.user, &meta),
        Entry {
            action: "performance.score",
            entity_type: Some("performance"),
            entity_id: Some(format!("{}/{month}", employee.employee_no)),
            summary: format!(
                "评定 {}（{}）{month} 绩效：{new_score}（{}，系数 {coefficient}）",
                employee.name,
                employee.employee_no,
                grade.label_zh()
            ),
            before: before.map(|(tenths, comment, source)| {
                let s = u16::try_from(tenths).ok().and_then(Score::from_tenths).map(|s| s.to_string());
                json!({"score": s, "comment": comment, "source": source})
            }),
            after: Some(json!({
                "score": new_score.to_string(), "comment": comment, "grade": grade.label_zh(),
                "coefficient": coefficient.to_string(),
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Flash::success(format!("已保存 {} 的 {month} 绩效：{new_score}（{}）。", employee.name, grade.label_zh()))
        .redirect(&format!("/performance?month={month}")))
}

async fn rerender(
    tx: Tx,
    ctx: &mut Ctx,
    employee: EmployeeRow,
    form: ScoreForm,
    errors: FieldErrors,
) -> AppResult<Response> {
    tx.rollback().await?;
    let page = ScoreFormPage {
        chrome: ctx.chrome(format!("绩效评分：{}", employee.name), "/performance"),
        employee,
        form,
        errors,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

// ---------- my scores ----------

pub struct MyLine {
    pub month: String,
    pub score: String,
    pub grade: Option<Grade>,
    pub coefficient: String,
    pub comment: String,
    pub scored_by: String,
    pub two_fails: bool,
}

impl MyLine {
    pub fn grade_text(&self) -> &'static str {
        self.grade.map_or("未评分", Grade::label_zh)
    }

    pub fn grade_class(&self) -> &'static str {
        repo::grade_class(self.grade)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "hr/performance/mine.html")]
pub struct MyPage {
    pub chrome: Chrome,
    pub employee: Option<EmployeeRow>,
    pub unlinked: String,
    pub lines: Vec<MyLine>,
}

pub async fn mine(mut ctx: Ctx) -> AppResult<MyPage> {
    ctx.require(Action::AttendanceOwn)?;
    let chrome = ctx.chrome("我的绩效", "/performance/me");
    let unlinked = match &ctx.user.employee_no {
        None => "您的登录账号没有关联员工档案（账号上未填写工号），因此没有绩效记录可显示。请联系租户管理员在用户资料中填写您的工号。".to_owned(),
        Some(no) => format!("您的登录账号填写的工号 {no} 在员工档案中不存在。请联系人事部核对。"),
    };
    let mut tx = ctx.begin().await?;
    let Some(employee) = employees_repo::of_user(&mut tx, &ctx.user).await? else {
        tx.commit().await?;
        return Ok(MyPage { chrome, employee: None, unlinked, lines: Vec::new() });
    };
    // The last 12 months up to this one, newest first (and the month before, for the 2-month flag).
    let mut months = Vec::with_capacity(13);
    let mut m = YearMonth::of(today(&ctx.user));
    while let Some(month) = m.filter(|_| months.len() < 13) {
        months.push(month);
        m = month.previous();
    }
    let (Some(newest), Some(oldest)) = (months.first().copied(), months.last().copied()) else {
        tx.commit().await?;
        return Ok(MyPage { chrome, employee: Some(employee), unlinked, lines: Vec::new() });
    };
    let scores =
        repo::history(&mut tx, ctx.user.tenant_id, employee.id, oldest.first_day(), newest.first_day()).await?;
    let mut grades = Vec::with_capacity(months.len());
    for month in &months {
        let policy = policy::in_force(&mut tx, ctx.user.tenant_id, *month).await?;
        let found = scores.iter().find(|(d, ..)| *d == month.first_day());
        let score = found.and_then(|(_, t, ..)| u16::try_from(*t).ok()).and_then(Score::from_tenths);
        let grade = score.map(|s| policy.grade(s));
        grades.push((score, grade, grade.map(|g| policy.coefficient(g)), found));
    }
    tx.commit().await?;
    let mut lines = Vec::new();
    for (i, month) in months.iter().enumerate().take(12) {
        let employed = employee.hired_on <= month.last_day() && employee.left_on.is_none_or(|l| l >= month.first_day());
        if !employed {
            continue;
        }
        let Some((score, grade, coefficient, found)) = grades.get(i) else { continue };
        let prev_grade = grades.get(i + 1).and_then(|g| g.1);
        lines.push(MyLine {
            month: month.to_string(),
            score: score.map(|s| s.to_string()).unwrap_or_default(),
            grade: *grade,
            coefficient: coefficient.map(|c| c.to_string()).unwrap_or_default(),
            comment: found.map(|f| f.2.clone()).unwrap_or_default(),
            scored_by: found.and_then(|f| f.3.clone()).unwrap_or_default(),
            two_fails: *grade == Some(Grade::Fail) && prev_grade == Some(Grade::Fail),
        });
    }
    Ok(MyPage { chrome, employee: Some(employee), unlinked, lines })
}
