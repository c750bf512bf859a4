//! The calendar file: `date,kind` (holiday or workday).

use std::collections::HashMap;

use chrono::NaiveDate;

use super::repo;
use super::{record, ImportFailure, Summary};
use crate::audit::Actor;
use crate::db::Tx;
use crate::imports::{parse_date, read, Collector, ImportErrors};

pub const CALENDAR_HEADER: &[&str] = &["date", "kind"];

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
        let inserted = repo::upsert_calendar(tx, tenant_id, chunk).await?;
        summary.tally(&inserted);
    }
    record(tx, tenant_id, actor, ("import.calendar", "日历"), file, summary, serde_json::json!({})).await?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_kinds() {
        let cal = parse_calendar("c.csv", "date,kind\n2026-10-01,holiday\n2026-10-10,workday\n".as_bytes()).unwrap();
        assert_eq!(cal.len(), 2);
        assert!(parse_calendar("c.csv", "date,kind\n2026-10-01,party\n".as_bytes()).is_err());
    }
}
