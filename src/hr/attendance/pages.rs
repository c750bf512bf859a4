//! The attendance views: "my attendance", one employee's month (same calendar)
//! and the department month grid.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use chrono::Datelike;
use serde::Deserialize;

use axum::response::{IntoResponse, Response};

use super::days::{self, DayView, Tally, WEEK_HEAD};
use super::findings::{self, Finding, FindingRow};
use super::repo;
use super::{id_segment, month_param, showable, today};
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::hr::employees::repo::{self as employees_repo, EmployeeRow};
use crate::payroll::{self, Selection};
use crate::people::{Action, Dept, Scope};
use crate::rules::YearMonth;
use crate::web::forms::{non_empty, Choice};
use crate::web::pagination::query_string;
use crate::web::{Chrome, Ctx, CurrentUser, Pager};

/// Employees per page of the grid.
pub const GRID_PER_PAGE: i64 = 30;

#[derive(Debug, Default, Deserialize)]
pub struct MonthQuery {
    #[serde(default)]
    pub month: String,
}

/// Who may see other people's attendance: HR, and managers and directors (their scope).
fn require_team_view(user: &CurrentUser) -> AppResult<()> {
    user.require(Action::AttendanceOverview)
}

fn month_label(m: YearMonth) -> String {
    format!("{}年{}月", m.year(), m.month())
}

fn href(base: &str, month: YearMonth, extra: &[(&str, &str)]) -> String {
    let m = month.to_string();
    let mut pairs: Vec<(&str, &str)> = vec![("month", &m)];
    pairs.extend_from_slice(extra);
    format!("{base}?{}", query_string(&pairs))
}

// ---------- one employee's month (mine or in scope) ----------

#[derive(Template, WebTemplate)]
#[template(path = "hr/attendance/month.html")]
pub struct MonthPage {
    pub chrome: Chrome,
    pub heading: String,
    pub employee: Option<EmployeeRow>,
    pub month: String,
    pub month_label: String,
    pub prev_href: Option<String>,
    pub next_href: Option<String>,
    pub current_href: String,
    pub week_head: [&'static str; 7],
    pub weeks: Vec<Vec<Option<DayView>>>,
    /// The explanation of every event of the month (with the clause and the deduction).
    pub lines: Vec<String>,
    pub counts: Option<Tally>,
    pub empty: Option<String>,
    /// `/hr/attendance/{id}` when the viewer may correct days (HR).
    pub correct_base: Option<String>,
    pub back_href: Option<String>,
}

struct MonthArgs<'a> {
    heading: String,
    nav_path: &'static str,
    base: String,
    employee: Option<EmployeeRow>,
    no_employee_message: &'a str,
    correct: bool,
    back_href: Option<String>,
}

async fn month_page(tx: &mut Tx, ctx: &mut Ctx, month: YearMonth, args: MonthArgs<'_>) -> AppResult<MonthPage> {
    let today = today(&ctx.user);
    let current = YearMonth::of(today).unwrap_or(month);
    let mut page = MonthPage {
        chrome: ctx.chrome(args.heading.clone(), args.nav_path),
        heading: args.heading,
        employee: None,
        month: month.to_string(),
        month_label: month_label(month),
        prev_href: showable(month.previous()).map(|m| href(&args.base, m, &[])),
        next_href: showable(month.next()).map(|m| href(&args.base, m, &[])),
        current_href: href(&args.base, current, &[]),
        week_head: WEEK_HEAD,
        weeks: Vec::new(),
        lines: Vec::new(),
        counts: None,
        empty: None,
        correct_base: None,
        back_href: args.back_href,
    };
    let Some(employee) = args.employee else {
        page.empty = Some(args.no_employee_message.to_owned());
        return Ok(page);
    };
    let evaluated =
        payroll::one(tx, ctx.user.tenant_id, month, employee.id, ctx.user.today).await.map_err(anyhow::Error::from)?;
    match evaluated {
        None => {
            page.empty = Some(format!("{} 不在 {} 的在职期间内，该月没有考勤。", employee.name, page.month_label));
        }
        Some(m) => {
            let views = days::month_views(&m.result, today);
            page.lines = days::lines(&m.result, &views);
            page.counts = Some(days::tally(&views));
            page.weeks = days::weeks(views);
        }
    }
    if args.correct {
        page.correct_base = Some(format!("/hr/attendance/{}", employee.id));
    }
    page.employee = Some(employee);
    Ok(page)
}

/// `GET /attendance/me?month=YYYY-MM`: the signed-in user's month.
pub async fn my_month(mut ctx: Ctx, Query(q): Query<MonthQuery>) -> AppResult<MonthPage> {
    ctx.require(Action::AttendanceOwn)?;
    let month = month_param(&q.month, &ctx.user)?;
    let mut tx = ctx.begin().await?;
    let employee = employees_repo::of_user(&mut tx, &ctx.user).await?;
    let page = month_page(
        &mut tx,
        &mut ctx,
        month,
        MonthArgs {
            heading: "我的考勤".into(),
            nav_path: "/attendance/me",
            base: "/attendance/me".into(),
            employee,
            no_employee_message:
                "您的账号还没有关联员工档案（工号），所以没有考勤可显示。请联系人事部在您的账号上填写工号。",
            correct: false,
            back_href: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(page)
}

/// `GET /hr/attendance/{employee_id}?month=YYYY-MM`: an employee in scope.
pub async fn employee_month(
    mut ctx: Ctx,
    Path(raw_id): Path<String>,
    Query(q): Query<MonthQuery>,
) -> AppResult<MonthPage> {
    require_team_view(&ctx.user)?;
    let id = id_segment(&raw_id)?;
    let month = month_param(&q.month, &ctx.user)?;
    let mut tx = ctx.begin().await?;
    let employee = employees_repo::find_in_scope(&mut tx, &ctx.user, id).await?.ok_or(AppError::NotFound)?;
    let heading = format!("{}（{}）的考勤", employee.name, employee.employee_no);
    let back = href("/hr/attendance", month, &[]);
    let correct = ctx.can(Action::HrManage);
    let page = month_page(
        &mut tx,
        &mut ctx,
        month,
        MonthArgs {
            heading,
            nav_path: "/hr/attendance",
            base: format!("/hr/attendance/{id}"),
            employee: Some(employee),
            no_employee_message: "",
            correct,
            back_href: Some(back),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(page)
}

// ---------- the department month grid ----------

#[derive(Debug, Default, Deserialize)]
pub struct GridQuery {
    #[serde(default)]
    pub month: String,
    #[serde(default)]
    pub department: String,
    /// `absent` / `late`: the month's absences or late arrivals one by one
    /// (`findings`) instead of the grid.
    #[serde(default)]
    pub kind: String,
    pub page: Option<i64>,
}

pub struct DayHead {
    pub day: u32,
    pub weekday: &'static str,
    pub rest: bool,
}

pub struct GridCell {
    pub symbol: &'static str,
    pub title: String,
    pub code: &'static str,
    pub problem: bool,
}

pub struct GridRow {
    pub employee: EmployeeRow,
    pub href: String,
    pub cells: Vec<GridCell>,
    pub counts: Option<Tally>,
}

#[derive(Template, WebTemplate)]
#[template(path = "hr/attendance/grid.html")]
pub struct GridPage {
    pub chrome: Chrome,
    pub month: String,
    pub month_label: String,
    /// The department filter (its code), `""` for all.
    pub department: String,
    /// Departments to filter by (HR and directors); empty when the scope is one department.
    pub depts: Vec<Choice>,
    /// The one department a manager sees.
    pub fixed_dept: Option<&'static str>,
    pub prev_href: Option<String>,
    pub next_href: Option<String>,
    pub heads: Vec<DayHead>,
    pub rows: Vec<GridRow>,
    pub pager: Pager,
    pub can_import: bool,
    pub kinds: &'static [Finding],
}

/// The month's findings of one kind, one row per employee-day.
#[derive(Template, WebTemplate)]
#[template(path = "hr/attendance/findings.html")]
pub struct FindingsPage {
    pub chrome: Chrome,
    pub month: String,
    pub month_label: String,
    pub kind: Finding,
    pub kinds: &'static [Finding],
    pub department: String,
    pub depts: Vec<Choice>,
    pub fixed_dept: Option<&'static str>,
    pub prev_href: Option<String>,
    pub next_href: Option<String>,
    pub grid_href: String,
    /// The page's rows with the link to the employee's month.
    pub rows: Vec<(FindingRow, String)>,
    /// Every occurrence of the month (all pages).
    pub total: usize,
    pub pager: Pager,
}

/// `GET /hr/attendance?month=YYYY-MM&department=…&page=N`: the grid, or with
/// `kind=absent|late` the month's absences or late arrivals one by one (the
/// pager's `data-total` is their number).
pub async fn grid(ctx: Ctx, Query(q): Query<GridQuery>) -> AppResult<Response> {
    require_team_view(&ctx.user)?;
    let kind = match non_empty(&q.kind) {
        None => None,
        Some(k) => Some(
            Finding::parse(k)
                .ok_or_else(|| AppError::BadRequest(format!("kind“{k}”无效（应为 absent 旷工 或 late 迟到）")))?,
        ),
    };
    Ok(match kind {
        None => grid_page(ctx, q).await?.into_response(),
        Some(kind) => findings_page(ctx, q, kind).await?.into_response(),
    })
}

async fn findings_page(mut ctx: Ctx, q: GridQuery, kind: Finding) -> AppResult<FindingsPage> {
    let month = month_param(&q.month, &ctx.user)?;
    let scope = employees_repo::scope(&ctx.user);
    let (dept, fixed_dept) = grid_dept(&scope, &q.department)?;
    let dept_code = if fixed_dept.is_none() { dept.map(Dept::code).unwrap_or_default() } else { "" };
    let month_s = month.to_string();
    let mut pager = Pager::new(
        "/hr/attendance",
        q.page,
        query_string(&[("month", &month_s), ("department", dept_code), ("kind", kind.code())]),
    );
    let mut tx = ctx.begin().await?;
    let all = findings::list(&mut tx, ctx.user.tenant_id, &scope, dept, month, today(&ctx.user), kind)
        .await
        .map_err(anyhow::Error::from)?;
    tx.commit().await?;
    let total = all.len();
    // Every occurrence is counted (the rules evaluate the whole month anyway): the
    // count is exact, never capped.
    pager.total = i64::try_from(total).unwrap_or(i64::MAX);
    let rows = all
        .into_iter()
        .skip(usize::try_from(pager.offset()).unwrap_or(usize::MAX))
        .take(usize::try_from(pager.per_page).unwrap_or(0))
        .map(|r| {
            let href = href(&format!("/hr/attendance/{}", r.employee_id), month, &[]);
            (r, href)
        })
        .collect();
    let nav = |m: Option<YearMonth>| {
        showable(m).map(|m| href("/hr/attendance", m, &[("department", dept_code), ("kind", kind.code())]))
    };
    Ok(FindingsPage {
        chrome: ctx.chrome(format!("考勤汇总 · {}", kind.label()), "/hr/attendance"),
        month: month_s,
        month_label: month_label(month),
        kind,
        kinds: Finding::ALL,
        department: dept_code.to_owned(),
        depts: if fixed_dept.is_none() { Choice::departments() } else { Vec::new() },
        fixed_dept,
        prev_href: nav(month.previous()),
        next_href: nav(month.next()),
        grid_href: href("/hr/attendance", month, &[("department", dept_code)]),
        rows,
        total,
        pager,
    })
}

/// The grid's department: the filter for a tenant-wide scope, the manager's own
/// department (also named, fixed) otherwise; an own scope is 403.
fn grid_dept(scope: &Scope, raw: &str) -> AppResult<(Option<Dept>, Option<&'static str>)> {
    Ok(match scope {
        Scope::Tenant => match raw.trim() {
            "" => (None, None),
            code => (Some(Dept::parse(code).ok_or_else(|| AppError::BadRequest(format!("未知部门：{code}")))?), None),
        },
        Scope::Department(d) => (Some(*d), Some(d.label())),
        Scope::Own { .. } => return Err(AppError::Forbidden),
    })
}

async fn grid_page(mut ctx: Ctx, q: GridQuery) -> AppResult<GridPage> {
    let month = month_param(&q.month, &ctx.user)?;
    let scope = employees_repo::scope(&ctx.user);
    let (dept, fixed_dept) = grid_dept(&scope, &q.department)?;
    let dept_code = if fixed_dept.is_none() { dept.map(Dept::code).unwrap_or_default() } else { "" };
    let month_s = month.to_string();
    let mut pager =
        Pager::new("/hr/attendance", q.page, query_string(&[("month", &month_s), ("department", dept_code)]));
    pager.per_page = GRID_PER_PAGE;

    let mut tx = ctx.begin().await?;
    let filter = repo::GridFilter { month, dept, scope: &scope };
    let (employees, total) =
        repo::grid(&mut tx, ctx.user.tenant_id, &filter, pager.per_page, pager.offset(), pager.count_limit()).await?;

    let today = today(&ctx.user);
    let month_ctx = payroll::load_context(&mut tx, ctx.user.tenant_id, month).await.map_err(anyhow::Error::from)?;
    let heads = month
        .days()
        .map(|d| DayHead { day: d.day(), weekday: days::weekday_label(d), rest: !month_ctx.calendar.is_workday(d) })
        .collect();
    let mut rows = Vec::with_capacity(employees.len());
    for employee in employees {
        let selection = Selection { dept: None, employee_id: Some(employee.id) };
        let mut evaluated = None;
        payroll::for_each(&mut tx, ctx.user.tenant_id, &month_ctx, &selection, |m| {
            evaluated = Some(m);
            Ok(())
        })
        .await
        .map_err(anyhow::Error::from)?;
        let (cells, counts) = match evaluated {
            Some(m) => {
                let views = days::month_views(&m.result, today);
                let counts = days::tally(&views);
                let cells = views
                    .into_iter()
                    .map(|v| GridCell {
                        symbol: v.mark.symbol(),
                        title: v.title(),
                        code: v.mark.code(),
                        problem: v.mark.is_problem(),
                    })
                    .collect();
                (cells, Some(counts))
            }
            None => (Vec::new(), None),
        };
        rows.push(GridRow {
            href: href(&format!("/hr/attendance/{}", employee.id), month, &[]),
            employee,
            cells,
            counts,
        });
    }
    tx.commit().await?;

    let nav = |m: Option<YearMonth>| showable(m).map(|m| href("/hr/attendance", m, &[("department", dept_code)]));
    Ok(GridPage {
        chrome: ctx.chrome("考勤汇总", "/hr/attendance"),
        month: month_s,
        month_label: month_label(month),
        department: dept_code.to_owned(),
        depts: if fixed_dept.is_none() { Choice::departments() } else { Vec::new() },
        fixed_dept,
        prev_href: nav(month.previous()),
        next_href: nav(month.next()),
        heads,
        rows,
        pager: pager.with_total(total),
        can_import: ctx.can(Action::HrManage),
        kinds: Finding::ALL,
    })
}
