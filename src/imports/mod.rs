//! Import files (CONTRACT.md, "Import files"): UTF-8 (a leading BOM is accepted)
//! or, when not valid UTF-8, GB18030/GBK; comma-separated, RFC 4180 quoting, an
//! exact header line; read by the one record reader (`reader`). Every error is
//! reported with its line and field, all at once; nothing is written unless the
//! whole file is valid, and then everything is written in one transaction.

pub mod campaign_metrics;
pub mod hr;
pub mod orders;
pub mod partners;
pub mod reader;
pub mod ship_batch;
pub mod supply;
pub mod upload;

use std::fmt;

use chrono::NaiveTime;

use crate::audit::{self, Actor, Entry};
use crate::db::Tx;

/// One problem in an import file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineError {
    /// 1-based line number in the file (the header is line 1).
    pub line: u64,
    pub field: Option<&'static str>,
    pub message: String,
}

/// Every problem found in one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportErrors {
    pub file: String,
    pub errors: Vec<LineError>,
}

impl fmt::Display for ImportErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.errors.len();
        writeln!(f, "{}: {n} error{} — nothing was imported", self.file, if n == 1 { "" } else { "s" })?;
        for e in self.errors.iter().take(200) {
            match e.field {
                Some(field) => writeln!(f, "{}: line {}, field {field}: {}", self.file, e.line, e.message)?,
                None => writeln!(f, "{}: line {}: {}", self.file, e.line, e.message)?,
            }
        }
        if n > 200 {
            writeln!(f, "… and {} more", n - 200)?;
        }
        Ok(())
    }
}

impl std::error::Error for ImportErrors {}

/// Rows written by an import.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub inserted: u64,
    pub updated: u64,
}

impl Summary {
    /// Count the rows an upsert returned: `true` (`xmax = 0`) for inserted, `false` for updated.
    pub fn tally(&mut self, inserted: &[bool]) {
        for i in inserted {
            if *i {
                self.inserted += 1;
            } else {
                self.updated += 1;
            }
        }
    }
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

/// The audit row of an import: `action` and what was imported, the file, its
/// counts and `extra` facts.
pub async fn record(
    tx: &mut Tx,
    tenant_id: i64,
    actor: &Actor,
    (action, what): (&'static str, &str),
    file: &str,
    s: Summary,
    extra: serde_json::Value,
) -> Result<(), sqlx::Error> {
    let mut after = serde_json::json!({"file": file, "inserted": s.inserted, "updated": s.updated});
    if let (Some(a), Some(e)) = (after.as_object_mut(), extra.as_object()) {
        a.extend(e.clone());
    }
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
            after: Some(after),
        },
    )
    .await
}

/// After a bulk import of `rows` rows (at least `at_least`), refresh the planner's
/// statistics with `analyze` (an `app.analyze_…` function), in the import's transaction.
pub async fn analyze_after(tx: &mut Tx, rows: usize, at_least: usize, analyze: &str) -> Result<(), sqlx::Error> {
    if rows >= at_least {
        sqlx::query(analyze).execute(&mut **tx).await?;
    }
    Ok(())
}

/// A data line of a file: its line number and trimmed cells, by header position.
#[derive(Clone, Debug, Default)]
pub struct Row {
    pub line: u64,
    pub cells: Vec<String>,
}

/// Collects errors while parsing rows.
pub struct Collector {
    pub errors: Vec<LineError>,
}

impl Collector {
    pub fn new() -> Self {
        Self { errors: Vec::new() }
    }

    pub fn add(&mut self, line: u64, field: Option<&'static str>, message: impl Into<String>) {
        self.errors.push(LineError { line, field, message: message.into() });
    }

    /// Parse a cell with `f`, recording an error for `field` on failure.
    pub fn cell<T>(
        &mut self,
        row: &Row,
        idx: usize,
        field: &'static str,
        f: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        let raw = row.cells.get(idx).map(String::as_str).unwrap_or_default();
        match f(raw) {
            Ok(v) => Some(v),
            Err(msg) => {
                self.add(row.line, Some(field), msg);
                None
            }
        }
    }

    pub fn finish<T>(mut self, file: &str, value: T) -> Result<T, ImportErrors> {
        if self.errors.is_empty() {
            Ok(value)
        } else {
            self.errors.sort_by_key(|e| e.line);
            Err(ImportErrors { file: file.to_owned(), errors: self.errors })
        }
    }
}

impl Default for Collector {
    fn default() -> Self {
        Self::new()
    }
}

/// Read `bytes` as an import file with exactly `header`: every record with the
/// physical line it starts on (the header is line 1, whatever the line ends) and
/// its trimmed cells. Cells with control characters are refused by line and field.
pub fn read(file: &str, bytes: &[u8], header: &[&'static str]) -> Result<Vec<Row>, ImportErrors> {
    read_any(file, bytes, &[header])
}

/// [`read`] for a file whose first line may be any of `headers` (the same columns
/// named in another language); errors name the fields as the first header does.
pub fn read_any(file: &str, bytes: &[u8], headers: &[&[&'static str]]) -> Result<Vec<Row>, ImportErrors> {
    reader::read_all(file, bytes, headers, true)
}

/// [`read_any`] for lines that may come without their header (pasted into a
/// form): a first line that is none of `headers` is the first data line.
pub fn read_header_optional(file: &str, bytes: &[u8], headers: &[&[&'static str]]) -> Result<Vec<Row>, ImportErrors> {
    reader::read_all(file, bytes, headers, false)
}

pub use crate::input::{parse_date, parse_optional_date};

/// Run `parse` on the blocking pool: a 30 MB file takes seconds to parse, which
/// must not hold one of the server's few async worker threads (the other requests
/// of the machine go on meanwhile). A panic in the parser is resumed here, so the
/// server's panic handler answers as for any handler.
pub async fn off_thread<T, F>(parse: F) -> T
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    match tokio::task::spawn_blocking(parse).await {
        Ok(v) => v,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

/// `HH:MM` or `HH:MM:SS`; empty is `None` (a missing punch).
pub fn parse_time(s: &str) -> Result<Option<NaiveTime>, String> {
    if s.is_empty() {
        return Ok(None);
    }
    let parsed = match s.len() {
        5 => NaiveTime::parse_from_str(s, "%H:%M"),
        8 => NaiveTime::parse_from_str(s, "%H:%M:%S"),
        _ => return Err(format!("“{s}”不是有效时间（HH:MM 或 HH:MM:SS）")),
    };
    parsed.map(Some).map_err(|_| format!("“{s}”不是有效时间（HH:MM 或 HH:MM:SS）"))
}

pub fn required(s: &str, max_chars: usize) -> Result<String, String> {
    if s.is_empty() {
        Err("不能为空".into())
    } else if s.chars().count() > max_chars {
        Err(format!("最多 {max_chars} 个字符"))
    } else {
        Ok(s.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_bom_quotes_and_line_numbers() {
        let text = "\u{feff}a,b\n1,\"x, y\"\n\n2,\"multi\nline\"\n3,z\n";
        let rows = read("f.csv", text.as_bytes(), &["a", "b"]).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].cells, vec!["1", "x, y"]);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[1].cells[1], "multi\nline");
        assert_eq!(rows[2].line, 6, "line numbers count physical lines");
    }

    #[test]
    fn wrong_header_and_field_counts_are_named() {
        let err = read("f.csv", b"a,c\n1,2\n", &["a", "b"]).unwrap_err();
        assert_eq!(err.errors[0].line, 1);
        assert!(err.to_string().contains("f.csv: line 1: 表头必须是 `a,b`"), "{err}");
        let err = read("f.csv", b"a,b\n1,2\n1\n1,2,3\n", &["a", "b"]).unwrap_err();
        let lines: Vec<u64> = err.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![3, 4]);
        assert!(read("f.csv", b"", &["a"]).is_err());
        let err = read("f.csv", b"a,b\n\xff\xff,1\n", &["a", "b"]).unwrap_err();
        assert!(err.to_string().contains("UTF-8"), "{err}");
    }

    /// The line of the first error of `text` as an attendance file whose bad
    /// record (`2026-11-31,25:61`) starts on the fifth physical line.
    fn bad_record_line(text: &str) -> u64 {
        let err = crate::imports::hr::parse_attendance("a.csv", text.as_bytes()).unwrap_err();
        let lines: Vec<u64> = err.errors.iter().map(|e| e.line).collect();
        assert!(lines.iter().all(|l| *l == lines[0]), "one bad record: {err}");
        lines[0]
    }

    #[test]
    fn line_numbers_are_physical_whatever_the_line_ends() {
        let lf = "employee_no,date,clock_in,clock_out\nE1,2026-11-02,09:00,18:00\nE1,2026-11-03,09:00,18:00\n\
                  E1,2026-11-04,09:00,18:00\nE1,2026-11-31,25:61,18:00\nE1,2026-11-05,09:00,18:00\n";
        assert_eq!(bad_record_line(lf), 5, "LF");
        assert_eq!(bad_record_line(&lf.replace('\n', "\r\n")), 5, "CRLF");
        assert_eq!(bad_record_line(&lf.replace('\n', "\r")), 5, "CR");
        assert_eq!(bad_record_line(&format!("\u{feff}{}", lf.replace('\n', "\r\n"))), 5, "BOM + CRLF");
        // A quoted cell with a line break: the records after it start one line further.
        let quoted = "a,b\r\n1,x\r\n2,\"multi\r\nline\"\r\n3,y\r\n";
        for text in [quoted.to_owned(), quoted.replace("\r\n", "\n")] {
            let rows = read("f.csv", text.as_bytes(), &["a", "b"]).unwrap();
            assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), vec![2, 3, 5], "{text:?}");
            assert_eq!(rows[1].cells[1].replace('\r', ""), "multi\nline");
        }
        // Blank lines count too.
        let blank =
            "employee_no,date,clock_in,clock_out\r\n\r\nE1,2026-11-02,09:00,18:00\r\n\r\nE1,2026-11-31,25:61,18:00\r\n";
        assert_eq!(bad_record_line(blank), 5, "blank lines");
    }

    #[test]
    fn gb18030_files_are_read_when_not_utf8() {
        let text = "code,kind,name\r\nS1,supplier,上海文具有限公司\r\nS2,customer,张三\r\n";
        let (gbk, _, unmappable) = encoding_rs::GBK.encode(text);
        assert!(!unmappable && std::str::from_utf8(&gbk).is_err(), "the sample is real GBK");
        let rows = read("p.csv", &gbk, &["code", "kind", "name"]).unwrap();
        assert_eq!(rows[0].cells, vec!["S1", "supplier", "上海文具有限公司"]);
        assert_eq!(rows[1].cells[2], "张三");
        assert_eq!(rows[1].line, 3);
        // UTF-8 stays UTF-8 (its bytes are not valid GB18030 text of the same meaning).
        let rows = read("p.csv", text.as_bytes(), &["code", "kind", "name"]).unwrap();
        assert_eq!(rows[1].cells[2], "张三");
    }

    #[test]
    fn control_characters_in_cells_are_refused_by_line_and_field() {
        let err = read("f.csv", b"a,b\r\n1,2\r\nx\0y,3\r\n", &["a", "b"]).unwrap_err();
        assert_eq!(err.errors.len(), 1, "{err}");
        assert_eq!((err.errors[0].line, err.errors[0].field), (3, Some("a")));
        assert!(err.to_string().contains("控制字符"), "{err}");
        assert!(read("f.csv", b"a,b\n\"x\ty\",3\n", &["a", "b"]).is_ok(), "a tab is text");
    }

    #[test]
    fn cell_parsers() {
        assert!(parse_date("2026-11-02").is_ok());
        assert!(parse_date("2026-11-2").is_err());
        assert!(parse_date("2026-02-30").is_err());
        assert_eq!(parse_time("").unwrap(), None);
        assert_eq!(parse_time("09:05").unwrap(), NaiveTime::from_hms_opt(9, 5, 0));
        assert_eq!(parse_time("09:05:59").unwrap(), NaiveTime::from_hms_opt(9, 5, 59));
        assert!(parse_time("9:05").is_err());
        assert!(parse_time("25:00").is_err());
    }
}
