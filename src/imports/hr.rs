//! HR import files: employees, attendance, leave, scores, calendar.
//!
//! `parse_*` checks a file on its own (every error by line); `apply_*` checks it
//! against the database (unknown employees, managers) and writes it inside the
//! caller's tenant transaction — all or nothing. Re-importing the same rows is an
//! idempotent upsert; every import is audited with its counts.

use std::collections::{HashMap, HashSet};
use std::fmt;

use chrono::{NaiveDate, NaiveTime, Timelike};

use super::{parse_date, parse_optional_date, parse_time, read, required, Collector, ImportErrors, LineError};
use crate::audit::{self, Actor, Entry};
use crate::db::Tx;
use crate::people::{Dept, Level};
use crate::rules::{Fen, Score, YearMonth};

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
pub const ATTENDANCE_HEADER: &[&str] = &["employee_no", "date", "clock_in", "clock_out"];
pub const LEAVE_HEADER: &[&str] = &["employee_no", "date", "portion", "kind"];
pub const SCORES_HEADER: &[&str] = &["employee_no", "score"];
pub const CALENDAR_HEADER: &[&str] = &["date", "kind"];

/// Rows written by an import.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub inserted: u64,
    pub updated: u64,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} new, {} updated", self.inserted, self.updated)
    }
}

/// Why an import did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ImportFailure {
    #[error("{0}")]
    Invalid(ImportErrors),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl From<ImportErrors> for ImportFailure {
    fn from(e: ImportErrors) -> Self {
        ImportFailure::Invalid(e)
    }
}

fn code_of<T: Copy>(all: &[T], code: impl Fn(T) -> &'static str, s: &str, what: &str) -> Result<T, String> {
    all.iter().copied().find(|v| code(*v) == s).ok_or_else(|| {
        let codes: Vec<&str> = all.iter().map(|v| code(*v)).collect();
        format!("“{s}”不是有效的{what}（可选：{}）", codes.join("、"))
    })
}

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

fn employee_no(s: &str) -> Result<String, String> {
    let v = required(s, 32)?;
    if v.chars().any(|c| c.is_control()) {
        return Err("不能包含控制字符".into());
    }
    Ok(v)
}

// ---------- employees ----------

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
        let dept = c.cell(row, 2, "department", |s| code_of(&Dept::ALL, Dept::code, s, "部门"));
        let level = c.cell(row, 3, "level", |s| code_of(&Level::ALL, Level::code, s, "职级"));
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

/// Employee numbers → ids of the tenant.
pub async fn employee_ids(tx: &mut Tx, tenant_id: i64) -> Result<HashMap<String, i64>, sqlx::Error> {
    let rows: Vec<(String, i64)> = sqlx::query_as("SELECT employee_no, id FROM employees WHERE tenant_id = $1")
        .bind(tenant_id)
        .fetch_all(&mut **tx)
        .await?;
    Ok(rows.into_iter().collect())
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
        let col = |f: fn(&EmployeeRow) -> String| chunk.iter().map(f).collect::<Vec<_>>();
        let inserted: Vec<bool> = sqlx::query_scalar(
            "INSERT INTO employees (tenant_id, employee_no, name, department, level, monthly_salary_fen, bonus_base_fen,
                                    hired_on, left_on, manager_employee_no)
             SELECT $1, * FROM UNNEST($2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[],
                                      $8::date[], $9::date[], $10::text[])
             ON CONFLICT (tenant_id, employee_no) DO UPDATE SET
               name = EXCLUDED.name, department = EXCLUDED.department, level = EXCLUDED.level,
               monthly_salary_fen = EXCLUDED.monthly_salary_fen, bonus_base_fen = EXCLUDED.bonus_base_fen,
               hired_on = EXCLUDED.hired_on, left_on = EXCLUDED.left_on,
               manager_employee_no = EXCLUDED.manager_employee_no, updated_at = now()
             RETURNING (xmax = 0)",
        )
        .bind(tenant_id)
        .bind(col(|r| r.employee_no.clone()))
        .bind(col(|r| r.name.clone()))
        .bind(col(|r| r.dept.code().to_owned()))
        .bind(col(|r| r.level.code().to_owned()))
        .bind(chunk.iter().map(|r| r.monthly_salary.fen()).collect::<Vec<i64>>())
        .bind(chunk.iter().map(|r| r.bonus_base.fen()).collect::<Vec<i64>>())
        .bind(chunk.iter().map(|r| r.hired_on).collect::<Vec<_>>())
        .bind(chunk.iter().map(|r| r.left_on).collect::<Vec<_>>())
        .bind(chunk.iter().map(|r| r.manager_employee_no.clone()).collect::<Vec<_>>())
        .fetch_all(&mut **tx)
        .await?;
        count(&mut summary, &inserted);
    }
    refresh_statistics(tx, rows.len()).await?;
    record(tx, tenant_id, actor, "import.employees", "员工", file, summary).await?;
    Ok(summary)
}

/// Imports of at least this many rows refresh the planner's statistics.
pub const ANALYZE_AFTER_ROWS: usize = 500;

/// Refresh the HR tables' statistics after a bulk import, in its transaction.
async fn refresh_statistics(tx: &mut Tx, rows: usize) -> Result<(), sqlx::Error> {
    if rows >= ANALYZE_AFTER_ROWS {
        sqlx::query("SELECT app.analyze_hr_tables()").execute(&mut **tx).await?;
    }
    Ok(())
}

fn count(summary: &mut Summary, inserted: &[bool]) {
    for i in inserted {
        if *i {
            summary.inserted += 1;
        } else {
            summary.updated += 1;
        }
    }
}

async fn record(
    tx: &mut Tx,
    tenant_id: i64,
    actor: &Actor,
    action: &'static str,
    what: &str,
    file: &str,
    s: Summary,
) -> Result<(), sqlx::Error> {
    audit::record(
        tx,
        tenant_id,
        actor,
        Entry {
            action,
            entity_type: Some("import"),
            entity_id: None,
            summary: format!("导入{what}（{file}）：新增 {} 条，更新 {} 条", s.inserted, s.updated),
            before: None,
            after: Some(serde_json::json!({"file": file, "inserted": s.inserted, "updated": s.updated})),
        },
    )
    .await
}

/// Each row with its employee's id; every unknown employee number is an error of
/// its line (all-or-nothing: no row is returned unless all are known).
async fn resolve<'r, R>(
    tx: &mut Tx,
    tenant_id: i64,
    file: &str,
    rows: &'r [R],
    key: impl Fn(&R) -> (u64, &str),
) -> Result<Vec<(i64, &'r R)>, ImportFailure> {
    let ids = employee_ids(tx, tenant_id).await?;
    let mut c = Collector::new();
    let mut resolved = Vec::with_capacity(rows.len());
    for r in rows {
        let (line, no) = key(r);
        match ids.get(no) {
            Some(id) => resolved.push((*id, r)),
            None => unknown_employee(&mut c, line, no),
        }
    }
    Ok(c.finish(file, resolved)?)
}

fn unknown_employee(c: &mut Collector, line: u64, no: &str) {
    c.add(line, Some("employee_no"), format!("没有工号为 {no} 的员工（请先导入员工档案）"));
}

// ---------- attendance ----------

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttendanceRow {
    pub line: u64,
    pub employee_no: String,
    pub date: NaiveDate,
    pub clock_in: Option<NaiveTime>,
    pub clock_out: Option<NaiveTime>,
}

/// Minute of the day, seconds truncated (RULES.md §1).
fn minute(t: NaiveTime) -> u32 {
    t.hour() * 60 + t.minute()
}

pub fn parse_attendance(file: &str, bytes: &[u8]) -> Result<Vec<AttendanceRow>, ImportErrors> {
    let rows = read(file, bytes, ATTENDANCE_HEADER)?;
    let mut c = Collector::new();
    let mut out = Vec::with_capacity(rows.len());
    let mut seen: HashMap<(String, NaiveDate), u64> = HashMap::with_capacity(rows.len());
    for row in &rows {
        let no = c.cell(row, 0, "employee_no", employee_no);
        let date = c.cell(row, 1, "date", parse_date);
        let cin = c.cell(row, 2, "clock_in", parse_time);
        let cout = c.cell(row, 3, "clock_out", parse_time);
        if let (Some(Some(i)), Some(Some(o))) = (cin, cout) {
            if minute(o) <= minute(i) {
                c.add(row.line, Some("clock_out"), format!("下班打卡 {o} 不晚于上班打卡 {i}（不支持跨夜班次）"));
                continue;
            }
        }
        if let (Some(no), Some(date)) = (&no, date) {
            if let Some(first) = seen.insert((no.clone(), date), row.line) {
                c.add(row.line, Some("date"), format!("{no} 在 {date} 有重复记录（首次出现在第 {first} 行）"));
                continue;
            }
        }
        if let (Some(employee_no), Some(date), Some(clock_in), Some(clock_out)) = (no, date, cin, cout) {
            out.push(AttendanceRow { line: row.line, employee_no, date, clock_in, clock_out });
        }
    }
    c.finish(file, out)
}

pub async fn apply_attendance(
    tx: &mut Tx,
    tenant_id: i64,
    actor: &Actor,
    file: &str,
    rows: &[AttendanceRow],
) -> Result<Summary, ImportFailure> {
    let resolved = resolve(tx, tenant_id, file, rows, |r| (r.line, r.employee_no.as_str())).await?;
    let mut summary = Summary::default();
    for chunk in resolved.chunks(10_000) {
        let inserted: Vec<bool> = sqlx::query_scalar(
            "INSERT INTO attendance (tenant_id, employee_id, day, clock_in, clock_out, source, updated_by)
             SELECT $1, e, d, i, o, 'import', $6 FROM UNNEST($2::bigint[], $3::date[], $4::time[], $5::time[]) AS u(e, d, i, o)
             ON CONFLICT (tenant_id, employee_id, day) DO UPDATE SET
               clock_in = EXCLUDED.clock_in, clock_out = EXCLUDED.clock_out, source = 'import',
               correction_reason = NULL, updated_by = EXCLUDED.updated_by, updated_at = now()
             RETURNING (xmax = 0)",
        )
        .bind(tenant_id)
        .bind(chunk.iter().map(|(id, _)| *id).collect::<Vec<i64>>())
        .bind(chunk.iter().map(|(_, r)| r.date).collect::<Vec<_>>())
        .bind(chunk.iter().map(|(_, r)| r.clock_in).collect::<Vec<_>>())
        .bind(chunk.iter().map(|(_, r)| r.clock_out).collect::<Vec<_>>())
        .bind(actor.user_id)
        .fetch_all(&mut **tx)
        .await?;
        count(&mut summary, &inserted);
    }
    refresh_statistics(tx, rows.len()).await?;
    record(tx, tenant_id, actor, "import.attendance", "考勤打卡", file, summary).await?;
    Ok(summary)
}

// ---------- leave ----------

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeaveRow {
    pub line: u64,
    pub employee_no: String,
    pub date: NaiveDate,
    pub portion: &'static str,
    pub kind: String,
}

pub fn parse_portion(s: &str) -> Result<&'static str, String> {
    match s {
        "full" => Ok("full"),
        "am" => Ok("am"),
        "pm" => Ok("pm"),
        _ => Err(format!("“{s}”不是有效时段（full、am、pm）")),
    }
}

pub fn parse_leave(file: &str, bytes: &[u8]) -> Result<Vec<LeaveRow>, ImportErrors> {
    let rows = read(file, bytes, LEAVE_HEADER)?;
    let mut c = Collector::new();
    let mut out = Vec::with_capacity(rows.len());
    let mut seen: HashMap<(String, NaiveDate, &'static str), u64> = HashMap::new();
    for row in &rows {
        let no = c.cell(row, 0, "employee_no", employee_no);
        let date = c.cell(row, 1, "date", parse_date);
        let portion = c.cell(row, 2, "portion", parse_portion);
        let kind = c.cell(row, 3, "kind", |s| required(s, 20));
        if let (Some(no), Some(date), Some(portion)) = (&no, date, portion) {
            if let Some(first) = seen.insert((no.clone(), date, portion), row.line) {
                c.add(
                    row.line,
                    Some("date"),
                    format!("{no} 在 {date} 的 {portion} 请假重复（首次出现在第 {first} 行）"),
                );
                continue;
            }
        }
        if let (Some(employee_no), Some(date), Some(portion), Some(kind)) = (no, date, portion, kind) {
            out.push(LeaveRow { line: row.line, employee_no, date, portion, kind });
        }
    }
    c.finish(file, out)
}

pub async fn apply_leave(
    tx: &mut Tx,
    tenant_id: i64,
    actor: &Actor,
    file: &str,
    rows: &[LeaveRow],
) -> Result<Summary, ImportFailure> {
    let resolved = resolve(tx, tenant_id, file, rows, |r| (r.line, r.employee_no.as_str())).await?;
    let mut summary = Summary::default();
    for chunk in resolved.chunks(10_000) {
        let inserted: Vec<bool> = sqlx::query_scalar(
            "INSERT INTO leave_requests (tenant_id, employee_id, day, portion, kind, status, source, decided_by, decided_at, decision_comment)
             SELECT $1, e, d, p, k, 'approved', 'import', $6, now(), '导入的已批准请假'
             FROM UNNEST($2::bigint[], $3::date[], $4::text[], $5::text[]) AS u(e, d, p, k)
             ON CONFLICT (tenant_id, employee_id, day, portion) WHERE status <> 'rejected' DO UPDATE SET
               kind = EXCLUDED.kind, status = 'approved',
               decided_by = CASE WHEN leave_requests.status = 'pending' THEN EXCLUDED.decided_by ELSE leave_requests.decided_by END,
               decided_at = coalesce(leave_requests.decided_at, now()),
               decision_comment = coalesce(leave_requests.decision_comment, EXCLUDED.decision_comment)
             RETURNING (xmax = 0)",
        )
        .bind(tenant_id)
        .bind(chunk.iter().map(|(id, _)| *id).collect::<Vec<i64>>())
        .bind(chunk.iter().map(|(_, r)| r.date).collect::<Vec<_>>())
        .bind(chunk.iter().map(|(_, r)| r.portion.to_owned()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|(_, r)| r.kind.clone()).collect::<Vec<_>>())
        .bind(actor.user_id)
        .fetch_all(&mut **tx)
        .await?;
        count(&mut summary, &inserted);
    }
    refresh_statistics(tx, rows.len()).await?;
    record(tx, tenant_id, actor, "import.leave", "请假", file, summary).await?;
    Ok(summary)
}

// ---------- scores ----------

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScoreRow {
    pub line: u64,
    pub employee_no: String,
    pub score: Score,
}

pub fn parse_scores(file: &str, bytes: &[u8]) -> Result<Vec<ScoreRow>, ImportErrors> {
    let rows = read(file, bytes, SCORES_HEADER)?;
    let mut c = Collector::new();
    let mut out = Vec::with_capacity(rows.len());
    let mut seen: HashMap<String, u64> = HashMap::new();
    for row in &rows {
        let no = c.cell(row, 0, "employee_no", employee_no);
        let score = c.cell(row, 1, "score", |s| {
            Score::parse(s).map_err(|_| format!("“{s}”不是有效分数（0–100，最多一位小数）"))
        });
        if let Some(no) = &no {
            if let Some(first) = seen.insert(no.clone(), row.line) {
                c.add(row.line, Some("employee_no"), format!("工号 {no} 重复（首次出现在第 {first} 行）"));
                continue;
            }
        }
        if let (Some(employee_no), Some(score)) = (no, score) {
            out.push(ScoreRow { line: row.line, employee_no, score });
        }
    }
    c.finish(file, out)
}

pub async fn apply_scores(
    tx: &mut Tx,
    tenant_id: i64,
    actor: &Actor,
    file: &str,
    month: YearMonth,
    rows: &[ScoreRow],
) -> Result<Summary, ImportFailure> {
    let employed: HashMap<String, (i64, NaiveDate, Option<NaiveDate>)> =
        sqlx::query_as::<_, (String, i64, NaiveDate, Option<NaiveDate>)>(
            "SELECT employee_no, id, hired_on, left_on FROM employees WHERE tenant_id = $1",
        )
        .bind(tenant_id)
        .fetch_all(&mut **tx)
        .await?
        .into_iter()
        .map(|(no, id, hired, left)| (no, (id, hired, left)))
        .collect();
    let mut c = Collector::new();
    let mut resolved = Vec::with_capacity(rows.len());
    for r in rows {
        match employed.get(&r.employee_no) {
            Some((_, hired, left)) if *hired > month.last_day() || left.is_some_and(|l| l < month.first_day()) => {
                c.add(r.line, Some("employee_no"), format!("{} 在 {month} 不在职", r.employee_no));
            }
            Some((id, _, _)) => resolved.push((*id, r)),
            None => unknown_employee(&mut c, r.line, &r.employee_no),
        }
    }
    c.finish(file, ())?;
    let mut summary = Summary::default();
    for chunk in resolved.chunks(10_000) {
        let inserted: Vec<bool> = sqlx::query_scalar(
            "INSERT INTO performance_scores (tenant_id, employee_id, month, score_tenths, source, scored_by)
             SELECT $1, e, $2, s, 'import', $5 FROM UNNEST($3::bigint[], $4::smallint[]) AS u(e, s)
             ON CONFLICT (tenant_id, employee_id, month) DO UPDATE SET
               score_tenths = EXCLUDED.score_tenths, source = 'import', scored_by = EXCLUDED.scored_by, updated_at = now()
             RETURNING (xmax = 0)",
        )
        .bind(tenant_id)
        .bind(month.first_day())
        .bind(chunk.iter().map(|(id, _)| *id).collect::<Vec<i64>>())
        .bind(chunk.iter().map(|(_, r)| r.score.tenths() as i16).collect::<Vec<i16>>())
        .bind(actor.user_id)
        .fetch_all(&mut **tx)
        .await?;
        count(&mut summary, &inserted);
    }
    refresh_statistics(tx, rows.len()).await?;
    record(tx, tenant_id, actor, "import.scores", &format!("{month} 绩效得分"), file, summary).await?;
    Ok(summary)
}

// ---------- calendar ----------

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CalendarRow {
    pub line: u64,
    pub date: NaiveDate,
    pub kind: &'static str,
}

pub fn parse_calendar(file: &str, bytes: &[u8]) -> Result<Vec<CalendarRow>, ImportErrors> {
    let rows = read(file, bytes, CALENDAR_HEADER)?;
    let mut c = Collector::new();
    let mut out = Vec::with_capacity(rows.len());
    let mut seen: HashMap<NaiveDate, u64> = HashMap::new();
    for row in &rows {
        let date = c.cell(row, 0, "date", parse_date);
        let kind = c.cell(row, 1, "kind", |s| match s {
            "holiday" => Ok("holiday"),
            "workday" => Ok("workday"),
            _ => Err(format!("“{s}”不是有效类型（holiday、workday）")),
        });
        if let Some(d) = date {
            if let Some(first) = seen.insert(d, row.line) {
                c.add(row.line, Some("date"), format!("日期 {d} 重复（首次出现在第 {first} 行）"));
                continue;
            }
        }
        if let (Some(date), Some(kind)) = (date, kind) {
            out.push(CalendarRow { line: row.line, date, kind });
        }
    }
    c.finish(file, out)
}

pub async fn apply_calendar(
    tx: &mut Tx,
    tenant_id: i64,
    actor: &Actor,
    file: &str,
    rows: &[CalendarRow],
) -> Result<Summary, ImportFailure> {
    let mut summary = Summary::default();
    for chunk in rows.chunks(10_000) {
        let inserted: Vec<bool> = sqlx::query_scalar(
            "INSERT INTO calendar_days (tenant_id, day, kind)
             SELECT $1, d, k FROM UNNEST($2::date[], $3::text[]) AS u(d, k)
             ON CONFLICT (tenant_id, day) DO UPDATE SET kind = EXCLUDED.kind, updated_at = now()
             RETURNING (xmax = 0)",
        )
        .bind(tenant_id)
        .bind(chunk.iter().map(|r| r.date).collect::<Vec<_>>())
        .bind(chunk.iter().map(|r| r.kind.to_owned()).collect::<Vec<_>>())
        .fetch_all(&mut **tx)
        .await?;
        count(&mut summary, &inserted);
    }
    record(tx, tenant_id, actor, "import.calendar", "日历", file, summary).await?;
    Ok(summary)
}

/// The error list as the web preview shows it.
pub fn lines(errors: &ImportErrors) -> &[LineError] {
    &errors.errors
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

    #[test]
    fn attendance_duplicates_and_order_of_punches() {
        let text = "employee_no,date,clock_in,clock_out\n\
                    E001,2026-11-02,09:00,18:00\n\
                    E001,2026-11-03,,18:00\n\
                    E001,2026-11-02,09:00,18:00\n\
                    E002,2026-11-02,18:00,09:00\n\
                    E002,2026-11-03,09:00:10,09:00:50\n";
        let err = parse_attendance("a.csv", text.as_bytes()).unwrap_err();
        let got: Vec<(u64, Option<&str>)> = err.errors.iter().map(|e| (e.line, e.field)).collect();
        assert_eq!(got, vec![(4, Some("date")), (5, Some("clock_out")), (6, Some("clock_out"))]);
        assert!(err.to_string().contains("首次出现在第 2 行"));
    }

    #[test]
    fn leave_scores_calendar() {
        let l = parse_leave("l.csv", "employee_no,date,portion,kind\nE005,2026-11-02,pm,事假\n".as_bytes()).unwrap();
        assert_eq!(l[0].portion, "pm");
        assert!(parse_leave("l.csv", "employee_no,date,portion,kind\nE005,2026-11-02,night,事假\n".as_bytes()).is_err());
        let s = parse_scores("s.csv", "employee_no,score\nE001,85\nE002,89.5\n".as_bytes()).unwrap();
        assert_eq!(s[1].score.tenths(), 895);
        let err = parse_scores("s.csv", "employee_no,score\nE001,100.5\nE002,89.55\n".as_bytes()).unwrap_err();
        assert_eq!(err.errors.len(), 2);
        let cal = parse_calendar("c.csv", "date,kind\n2026-10-01,holiday\n2026-10-10,workday\n".as_bytes()).unwrap();
        assert_eq!(cal.len(), 2);
        assert!(parse_calendar("c.csv", "date,kind\n2026-10-01,party\n".as_bytes()).is_err());
    }
}
