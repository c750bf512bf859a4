//! Payroll pages: the month's computed table for HR and directors (with totals,
//! department totals, flag and department filters), and each employee's
//! deductions explained line by line.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use super::employees::repo as employees_repo;
use crate::app::state::AppState;
use crate::error::{AppError, AppResult};
use crate::payroll::{self, EmployeeMonth, Selection};
use crate::people::{Action, Dept};
use crate::rules::{Fen, Flag, YearMonth};
use crate::web::forms::Choice;
use crate::web::pagination::{query_string, PER_PAGE};
use crate::web::{Chrome, Ctx, Pager};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/hr/payroll", get(table))
        .route("/me/deductions", get(my_deductions))
        .route("/hr/deductions/{employee_id}", get(employee_deductions))
}

/// The month shown by default: the previous month (reviews happen 次月上旬).
pub fn default_month(today: chrono::NaiveDate) -> Option<YearMonth> {
    let this = YearMonth::of(today);
    this.and_then(YearMonth::previous).or(this)
}

fn month_param(raw: &str, today: chrono::NaiveDate) -> AppResult<YearMonth> {
    if raw.trim().is_empty() {
        return default_month(today)
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the current month is out of range")));
    }
    payroll::parse_month(raw.trim()).ok_or_else(|| AppError::BadRequest(format!("月份格式应为 YYYY-MM：{raw}")))
}

/// Flag filter codes.
const FLAG_CODES: &[(&str, Flag)] = &[
    ("consecutive", Flag::ConsecutiveAbsence),
    ("cumulative", Flag::CumulativeAbsence),
    ("two_fail", Flag::TwoMonthsFailed),
    ("unscored", Flag::Unscored),
    ("over20", Flag::WageDeductionOverThreshold),
];

#[derive(Debug, Default, Deserialize)]
pub struct TableQuery {
    #[serde(default)]
    pub month: String,
    #[serde(default)]
    pub department: String,
    #[serde(default)]
    pub flag: String,
    pub page: Option<i64>,
}

/// One row of the table: the CSV's cells.
pub struct Line {
    pub employee_id: i64,
    pub employee_no: String,
    pub name: String,
    pub dept: &'static str,
    pub level: &'static str,
    /// The 17 cells from 月份 to 提示.
    pub cells: Vec<String>,
    pub flagged: bool,
    pub negative: bool,
}

/// Money totals of a set of rows.
#[derive(Clone, Debug, Default)]
pub struct Totals {
    pub employees: i64,
    pub salary: i64,
    pub bonus_after: i64,
    pub wage_deduction: i64,
    pub bonus_deduction: i64,
    pub bonus_payable: i64,
    pub net: i64,
    pub flagged: i64,
}

impl Totals {
    fn add(&mut self, m: &EmployeeMonth) {
        let r = &m.result;
        self.employees += 1;
        self.salary += r.monthly_salary.fen();
        self.bonus_after += r.bonus_after_coefficient.fen();
        self.wage_deduction += r.wage_deduction.fen();
        self.bonus_deduction += r.bonus_deduction.fen();
        self.bonus_payable += r.bonus_payable.fen();
        self.net += r.net_adjustment.fen();
        if !r.flags.is_empty() {
            self.flagged += 1;
        }
    }

    pub fn yuan(&self, fen: &i64) -> String {
        Fen(*fen).to_string()
    }
}

pub struct DeptTotals {
    pub dept: &'static str,
    pub code: &'static str,
    pub totals: Totals,
}

#[derive(Template, WebTemplate)]
#[template(path = "hr/payroll/table.html")]
pub struct TablePage {
    pub chrome: Chrome,
    pub month: String,
    pub q: TableQuery,
    pub depts: Vec<Choice>,
    pub flags: Vec<Choice>,
    pub lines: Vec<Line>,
    pub totals: Totals,
    pub dept_totals: Vec<DeptTotals>,
    pub pager: Pager,
    pub header: &'static [&'static str],
}

pub async fn table(mut ctx: Ctx, Query(q): Query<TableQuery>) -> AppResult<TablePage> {
    ctx.require(Action::PayrollExport)?;
    let month = month_param(&q.month, ctx.user.settings.time_zone.today())?;
    let dept = match q.department.trim() {
        "" => None,
        d => Some(Dept::parse(d).ok_or_else(|| AppError::BadRequest(format!("未知部门：{d}")))?),
    };
    let flag = match q.flag.trim() {
        "" => None,
        f => Some(
            FLAG_CODES
                .iter()
                .find(|(code, _)| *code == f)
                .map(|(_, flag)| *flag)
                .ok_or_else(|| AppError::BadRequest(format!("未知提示类型：{f}")))?,
        ),
    };
    let pager = Pager::new(
        "/hr/payroll",
        q.page,
        query_string(&[("month", &month.to_string()), ("department", &q.department), ("flag", &q.flag)]),
    );
    let (first, last) = (pager.offset(), pager.offset() + PER_PAGE);
    let mut tx = ctx.begin().await?;
    let month_ctx = payroll::load_context(&mut tx, ctx.user.tenant_id, month)
        .await
        .map_err(anyhow::Error::from)?
        .as_of(ctx.user.settings.time_zone.today());
    let mut totals = Totals::default();
    let mut by_dept: Vec<(Dept, Totals)> = Dept::ALL.iter().map(|d| (*d, Totals::default())).collect();
    let mut lines = Vec::new();
    let mut index = 0i64;
    let selection = Selection { dept, employee_id: None };
    payroll::for_each(&mut tx, ctx.user.tenant_id, &month_ctx, &selection, |m| {
        if let Some((_, t)) = by_dept.iter_mut().find(|(d, _)| *d == m.dept) {
            t.add(&m);
        }
        if flag.is_some_and(|f| !m.result.flags.contains(&f)) {
            return Ok(());
        }
        totals.add(&m);
        if index >= first && index < last {
            lines.push(Line {
                employee_id: m.employee_id,
                employee_no: m.employee_no.clone(),
                name: m.name.clone(),
                dept: m.dept.label(),
                level: m.level.label(),
                cells: m.result.payroll_cells().to_vec(),
                flagged: !m.result.flags.is_empty(),
                negative: m.result.net_adjustment.is_negative(),
            });
        }
        index += 1;
        Ok(())
    })
    .await
    .map_err(anyhow::Error::from)?;
    tx.commit().await?;
    Ok(TablePage {
        chrome: ctx.chrome(format!("{month} 工资调整"), "/hr/payroll"),
        month: month.to_string(),
        q,
        depts: Choice::departments(),
        flags: FLAG_CODES.iter().map(|(code, f)| Choice { code, label: f.label_zh() }).collect(),
        lines,
        totals,
        dept_totals: by_dept
            .into_iter()
            .filter(|(_, t)| t.employees > 0)
            .map(|(d, totals)| DeptTotals { dept: d.label(), code: d.code(), totals })
            .collect(),
        pager: pager.with_total(index),
        header: &crate::rules::PAYROLL_CSV_HEADER,
    })
}

// ---------- deductions of one employee ----------

#[derive(Debug, Default, Deserialize)]
pub struct MonthQuery {
    #[serde(default)]
    pub month: String,
}

pub struct ExplainLine {
    pub date: String,
    pub punches: String,
    pub leave: String,
    pub what: String,
    pub clause: String,
    pub wage_days: String,
    pub bonus_percent: String,
    pub amount: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "hr/payroll/deductions.html")]
pub struct DeductionsPage {
    pub chrome: Chrome,
    pub month: String,
    pub prev_month: String,
    pub next_month: String,
    pub base_path: String,
    pub employee_no: String,
    pub name: String,
    pub summary: Vec<(&'static str, String)>,
    pub flags: Vec<&'static str>,
    pub lines: Vec<ExplainLine>,
    /// The login has no employee record (my deductions only).
    pub unlinked: bool,
}

fn explain(m: &EmployeeMonth) -> (Vec<(&'static str, String)>, Vec<&'static str>, Vec<ExplainLine>) {
    let header = &crate::rules::PAYROLL_CSV_HEADER[4..];
    let cells = m.result.payroll_cells();
    let summary = header.iter().copied().zip(cells).filter(|(h, _)| *h != "月份" && *h != "提示").collect();
    let flags = m.result.flags.iter().map(|f| f.label_zh()).collect();
    let lines = m
        .result
        .explanations
        .iter()
        .map(|e| {
            let amount = match (e.wage_amount, e.bonus_amount) {
                (Some(w), Some(b)) if w.fen() > 0 && b.fen() > 0 => format!("工资 {w}，奖金 {b}"),
                (Some(w), _) if w.fen() > 0 => format!("工资 {w}"),
                (_, Some(b)) if b.fen() > 0 => format!("奖金 {b}"),
                (_, None) if e.bonus_percent.is_positive() => "奖金扣减已封顶，按月合计".to_owned(),
                _ => "不扣款".to_owned(),
            };
            ExplainLine {
                date: e.date.format("%m-%d").to_string(),
                punches: format!("{} – {}", e.clock_in_hhmm(), e.clock_out_hhmm()),
                leave: e.leave.label_zh().to_owned(),
                what: e.occurrence.label_zh(),
                clause: e.clause_zh.clone(),
                wage_days: e.wage_days.to_string(),
                bonus_percent: format!("{}%", e.bonus_percent),
                amount,
            }
        })
        .collect();
    (summary, flags, lines)
}

/// Whose deductions a page shows.
struct Subject {
    name: String,
    employee_no: String,
    unlinked: bool,
}

fn page(ctx: &mut Ctx, month: YearMonth, base_path: String, m: Option<EmployeeMonth>, who: Subject) -> DeductionsPage {
    let (summary, flags, lines) = m.as_ref().map(explain).unwrap_or_default();
    let title = format!("{month} 扣款明细");
    DeductionsPage {
        chrome: ctx.chrome(title, if base_path == "/me/deductions" { "/me/deductions" } else { "/hr/payroll" }),
        month: month.to_string(),
        prev_month: month.previous().map(|m| m.to_string()).unwrap_or_default(),
        next_month: month.next().map(|m| m.to_string()).unwrap_or_default(),
        base_path,
        employee_no: who.employee_no,
        name: who.name,
        summary,
        flags,
        lines,
        unlinked: who.unlinked,
    }
}

pub async fn my_deductions(mut ctx: Ctx, Query(q): Query<MonthQuery>) -> AppResult<DeductionsPage> {
    ctx.require(Action::AttendanceOwn)?;
    let month = month_param(&q.month, ctx.user.settings.time_zone.today())?;
    let mut tx = ctx.begin().await?;
    let Some(emp) = employees_repo::of_user(&mut tx, &ctx.user).await? else {
        tx.commit().await?;
        let who = Subject { name: ctx.user.display_name.clone(), employee_no: String::new(), unlinked: true };
        return Ok(page(&mut ctx, month, "/me/deductions".into(), None, who));
    };
    let m = payroll::one(&mut tx, ctx.user.tenant_id, month, emp.id, ctx.user.settings.time_zone.today())
        .await
        .map_err(anyhow::Error::from)?;
    tx.commit().await?;
    Ok(page(
        &mut ctx,
        month,
        "/me/deductions".into(),
        m,
        Subject { name: emp.name, employee_no: emp.employee_no, unlinked: false },
    ))
}

pub async fn employee_deductions(
    mut ctx: Ctx,
    Path(employee_id): Path<i64>,
    Query(q): Query<MonthQuery>,
) -> AppResult<DeductionsPage> {
    ctx.require(Action::AttendanceOwn)?;
    let month = month_param(&q.month, ctx.user.settings.time_zone.today())?;
    let mut tx = ctx.begin().await?;
    let emp = employees_repo::find_in_scope(&mut tx, &ctx.user, employee_id).await?.ok_or(AppError::NotFound)?;
    let m = payroll::one(&mut tx, ctx.user.tenant_id, month, emp.id, ctx.user.settings.time_zone.today())
        .await
        .map_err(anyhow::Error::from)?;
    tx.commit().await?;
    let who = Subject { name: emp.name, employee_no: emp.employee_no, unlinked: false };
    Ok(page(&mut ctx, month, format!("/hr/deductions/{employee_id}"), m, who))
}
