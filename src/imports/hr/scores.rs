//! A month's performance scores: `employee_no,score`.

use std::collections::HashMap;

use super::repo;
use super::{employee_no, record, refresh_statistics, unknown_employee, ImportFailure, Summary};
use crate::audit::Actor;
use crate::db::Tx;
use crate::imports::{read, Collector, ImportErrors};
use crate::rules::{Score, YearMonth};

pub const SCORES_HEADER: &[&str] = &["employee_no", "score"];

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
    let employed = repo::employment(tx, tenant_id).await?;
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
        let inserted = repo::upsert_scores(tx, tenant_id, month, chunk, actor.user_id).await?;
        summary.tally(&inserted);
    }
    refresh_statistics(tx, rows.len()).await?;
    record(tx, tenant_id, actor, ("import.scores", &format!("{month} 绩效得分")), file, summary, serde_json::json!({}))
        .await?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_at_most_one_decimal() {
        let s = parse_scores("s.csv", "employee_no,score\nE001,85\nE002,89.5\n".as_bytes()).unwrap();
        assert_eq!(s[1].score.tenths(), 895);
        let err = parse_scores("s.csv", "employee_no,score\nE001,100.5\nE002,89.55\n".as_bytes()).unwrap_err();
        assert_eq!(err.errors.len(), 2);
    }
}
