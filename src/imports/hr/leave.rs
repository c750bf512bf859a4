//! The approved-leave file: `employee_no,date,portion,kind`.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::repo;
use super::{employee_no, record, refresh_statistics, resolve, ImportFailure, Summary};
use crate::audit::Actor;
use crate::db::Tx;
use crate::imports::{parse_date, read, required, Collector, ImportErrors};

pub const LEAVE_HEADER: &[&str] = &["employee_no", "date", "portion", "kind"];

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
        let inserted = repo::upsert_leave(tx, tenant_id, chunk, actor.user_id).await?;
        summary.tally(&inserted);
    }
    refresh_statistics(tx, rows.len()).await?;
    record(tx, tenant_id, actor, ("import.leave", "请假"), file, summary, serde_json::json!({})).await?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leave_portions() {
        let l = parse_leave("l.csv", "employee_no,date,portion,kind\nE005,2026-11-02,pm,事假\n".as_bytes()).unwrap();
        assert_eq!(l[0].portion, "pm");
        assert!(parse_leave("l.csv", "employee_no,date,portion,kind\nE005,2026-11-02,night,事假\n".as_bytes()).is_err());
    }
}
