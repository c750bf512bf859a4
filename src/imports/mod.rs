//! Import files (CONTRACT.md, "Import files"): UTF-8 (a leading BOM is accepted),
//! comma-separated, RFC 4180 quoting, an exact header line. Every error is
//! reported with its line and field, all at once; nothing is written unless the
//! whole file is valid, and then everything is written in one transaction.

pub mod hr;
pub mod partners;
pub mod supply;

use std::fmt;

use chrono::{NaiveDate, NaiveTime};

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

/// A data line of a file: its line number and trimmed cells, by header position.
#[derive(Clone, Debug)]
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

/// Read `bytes` as an import file with exactly `header`.
pub fn read(file: &str, bytes: &[u8], header: &[&str]) -> Result<Vec<Row>, ImportErrors> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let fail = |line: u64, message: String| ImportErrors {
        file: file.to_owned(),
        errors: vec![LineError { line, field: None, message }],
    };
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut records = reader.byte_records();
    let expected = header.join(",");
    let first = match records.next() {
        None => return Err(fail(1, format!("文件为空；第一行必须是：{expected}"))),
        Some(Err(e)) => return Err(fail(1, format!("无法读取表头：{e}"))),
        Some(Ok(r)) => r,
    };
    let got: Vec<String> = first.iter().map(|c| String::from_utf8_lossy(c).into_owned()).collect();
    if got != header {
        return Err(fail(1, format!("表头必须是 `{expected}`，实际为 `{}`", got.join(","))));
    }
    let mut collector = Collector::new();
    let mut rows = Vec::new();
    for rec in records {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                collector.add(line, None, format!("CSV 格式错误：{e}"));
                break;
            }
        };
        let line = rec.position().map_or(0, |p| p.line());
        if rec.len() == 1 && rec.get(0).is_some_and(|c| c.iter().all(u8::is_ascii_whitespace)) {
            continue; // a blank line
        }
        let mut cells = Vec::with_capacity(rec.len());
        let mut bad_utf8 = false;
        for c in rec.iter() {
            match std::str::from_utf8(c) {
                Ok(s) => cells.push(s.trim().to_owned()),
                Err(_) => bad_utf8 = true,
            }
        }
        if bad_utf8 {
            collector.add(line, None, "不是有效的 UTF-8 编码（请将文件另存为 UTF-8）");
            continue;
        }
        if cells.len() != header.len() {
            collector.add(line, None, format!("应有 {} 列，实际 {} 列", header.len(), cells.len()));
            continue;
        }
        rows.push(Row { line, cells });
    }
    collector.finish(file, rows)
}

pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    if s.len() != 10 {
        return Err(format!("“{s}”不是有效日期（YYYY-MM-DD）"));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| format!("“{s}”不是有效日期（YYYY-MM-DD）"))
}

pub fn parse_optional_date(s: &str) -> Result<Option<NaiveDate>, String> {
    if s.is_empty() {
        Ok(None)
    } else {
        parse_date(s).map(Some)
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
        let err = read("f.csv", b"a,b\n\xff,1\n", &["a", "b"]).unwrap_err();
        assert!(err.to_string().contains("UTF-8"));
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
