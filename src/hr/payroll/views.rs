//! The payroll pages (askama) and their view models.

use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use crate::payroll::EmployeeMonth;
use crate::rules::Fen;
use crate::web::forms::Choice;
use crate::web::{Chrome, Pager};

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
    pub fn add(&mut self, m: &EmployeeMonth) {
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

    /// `fen` as a plain number of yuan (`1234.50`: the `data-value` of a sum).
    pub fn plain(&self, fen: &i64) -> String {
        let sign = if *fen < 0 { "-" } else { "" };
        let a = fen.unsigned_abs();
        format!("{sign}{}.{:02}", a / 100, a % 100)
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

pub(super) fn explain(m: &EmployeeMonth) -> (Vec<(&'static str, String)>, Vec<&'static str>, Vec<ExplainLine>) {
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
