//! The employees file: `employee_no,name,department,level,monthly_salary,bonus_base,hired_on,left_on,manager_employee_no`.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use super::repo;
use super::{code_of, employee_ids, employee_no, record, refresh_statistics, ImportFailure, Summary};
use crate::audit::Actor;
use crate::db::Tx;
use crate::imports::{parse_date, parse_optional_date, read, required, Collector, ImportErrors};
use crate::people::{Dept, Level};
use crate::rules::Fen;

pub const EMPLOYEES_HEADER: &[&str] = &[
    "employee_no",
    "name",
    "department",
    "level",
    "monthly_salary",
    "bonus_base",
    "hired_on",
    "left_on",
    "manager_employee_no",
];

fn money_problem(e: &crate::rules::ParseError) -> &'static str {
    use crate::rules::ParseErrorKind as K;
    match e.kind() {
        K::Empty => "不能为空",
        K::Malformed => "只能包含数字和小数点",
        K::TooManyDecimals(_) => "小数位过多",
        K::Negative => "不能为负数",
        K::OutOfRange => "数值超出范围",
    }
}

fn money(s: &str) -> Result<Fen, String> {
    Fen::parse_non_negative_yuan(s).map_err(|e| format!("“{s}”不是有效金额（元，最多两位小数；{}）", money_problem(&e)))
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmployeeRow {
    pub line: u64,
    pub employee_no: String,
    pub name: String,
    pub dept: Dept,
    pub level: Level,
    pub monthly_salary: Fen,
    pub bonus_base: Fen,
    pub hired_on: NaiveDate,
    pub left_on: Option<NaiveDate>,
    pub manager_employee_no: Option<String>,
}

pub fn parse_employees(file: &str, bytes: &[u8]) -> Result<Vec<EmployeeRow>, ImportErrors> {
    let rows = read(file, bytes, EMPLOYEES_HEADER)?;
    let mut c = Collector::new();
    let mut out = Vec::with_capacity(rows.len());
    let mut seen: HashMap<String, u64> = HashMap::new();
    for row in &rows {
        let no = c.cell(row, 0, "employee_no", employee_no);
        let name = c.cell(row, 1, "name", |s| required(s, 100));
        let dept = c.cell(row, 2, "department", |s| code_of(Dept::ALL, s, "部门"));
        let level = c.cell(row, 3, "level", |s| code_of(Level::ALL, s, "职级"));
        let salary = c.cell(row, 4, "monthly_salary", money);
        let bonus = c.cell(row, 5, "bonus_base", money);
        let hired = c.cell(row, 6, "hired_on", parse_date);
        let left = c.cell(row, 7, "left_on", parse_optional_date);
        let manager =
            c.cell(row, 8, "manager_employee_no", |s| if s.is_empty() { Ok(None) } else { employee_no(s).map(Some) });
        if let (Some(h), Some(Some(l))) = (hired, left) {
            if l < h {
                c.add(row.line, Some("left_on"), format!("离职日期 {l} 早于入职日期 {h}"));
            }
        }
        if let (Some(no), Some(Some(m))) = (&no, &manager) {
            if no == m {
                c.add(row.line, Some("manager_employee_no"), "员工不能是自己的上级");
            }
        }
        if let Some(no) = &no {
            if let Some(first) = seen.insert(no.clone(), row.line) {
                c.add(row.line, Some("employee_no"), format!("工号 {no} 重复（首次出现在第 {first} 行）"));
            }
        }
        if let (
            Some(employee_no),
            Some(name),
            Some(dept),
            Some(level),
            Some(monthly_salary),
            Some(bonus_base),
            Some(hired_on),
            Some(left_on),
            Some(manager_employee_no),
        ) = (no, name, dept, level, salary, bonus, hired, left, manager)
        {
            out.push(EmployeeRow {
                line: row.line,
                employee_no,
                name,
                dept,
                level,
                monthly_salary,
                bonus_base,
                hired_on,
                left_on,
                manager_employee_no,
            });
        }
    }
    c.finish(file, out)
}

pub async fn apply_employees(
    tx: &mut Tx,
    tenant_id: i64,
    actor: &Actor,
    file: &str,
    rows: &[EmployeeRow],
) -> Result<Summary, ImportFailure> {
    let known = employee_ids(tx, tenant_id).await?;
    let in_file: HashSet<&str> = rows.iter().map(|r| r.employee_no.as_str()).collect();
    let mut c = Collector::new();
    for r in rows {
        if let Some(m) = &r.manager_employee_no {
            if !known.contains_key(m) && !in_file.contains(m.as_str()) {
                c.add(r.line, Some("manager_employee_no"), format!("本文件和已有档案中都没有工号 {m}"));
            }
        }
    }
    c.finish(file, ())?;
    let mut summary = Summary::default();
    for chunk in rows.chunks(5000) {
        let inserted = repo::upsert_employees(tx, tenant_id, chunk).await?;
        summary.tally(&inserted);
    }
    refresh_statistics(tx, rows.len()).await?;
    record(tx, tenant_id, actor, ("import.employees", "员工"), file, summary, serde_json::json!({})).await?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn employees_every_error_by_line() {
        let text = "employee_no,name,department,level,monthly_salary,bonus_base,hired_on,left_on,manager_employee_no\n\
                    E001,张三,ops,specialist,8000,2000,2026-01-05,,\n\
                    E002,李四,moon,specialist,8000.555,2000,2026-13-01,,\n\
                    E001,王五,ops,boss,1,1,2026-01-01,2025-01-01,E001\n";
        let err = parse_employees("e.csv", text.as_bytes()).unwrap_err();
        let got: Vec<(u64, Option<&str>)> = err.errors.iter().map(|e| (e.line, e.field)).collect();
        assert!(got.contains(&(3, Some("department"))));
        assert!(got.contains(&(3, Some("monthly_salary"))));
        assert!(got.contains(&(3, Some("hired_on"))));
        assert!(got.contains(&(4, Some("level"))));
        assert!(got.contains(&(4, Some("left_on"))));
        assert!(got.contains(&(4, Some("manager_employee_no"))));
        assert!(got.contains(&(4, Some("employee_no"))), "duplicate number: {got:?}");
        assert!(!got.iter().any(|(l, _)| *l == 2), "line 2 is fine");
    }

    #[test]
    fn employees_money_forms() {
        let text = "employee_no,name,department,level,monthly_salary,bonus_base,hired_on,left_on,manager_employee_no\n\
                    E001,张三,ops,specialist,8000.5,2000.50,2026-01-05,2026-12-31,E009\n";
        let rows = parse_employees("e.csv", text.as_bytes()).unwrap();
        assert_eq!(rows[0].monthly_salary.fen(), 800_050);
        assert_eq!(rows[0].bonus_base.fen(), 200_050);
        assert_eq!(rows[0].manager_employee_no.as_deref(), Some("E009"));
    }
}
