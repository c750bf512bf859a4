//! The punch-clock file: `employee_no,date,clock_in,clock_out`.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveTime, Timelike};

use super::repo;
use super::{employee_no, record, refresh_statistics, resolve, ImportFailure, Summary};
use crate::audit::Actor;
use crate::db::Tx;
use crate::imports::{parse_date, parse_time, read, Collector, ImportErrors};

pub const ATTENDANCE_HEADER: &[&str] = &["employee_no", "date", "clock_in", "clock_out"];

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
        let inserted = repo::upsert_attendance(tx, tenant_id, chunk, actor.user_id).await?;
        summary.tally(&inserted);
    }
    refresh_statistics(tx, rows.len()).await?;
    record(tx, tenant_id, actor, ("import.attendance", "考勤打卡"), file, summary, serde_json::json!({})).await?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
