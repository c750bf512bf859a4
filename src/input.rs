//! Values as users type them, checked once for every way in (forms, query strings,
//! import cells): dates in a plausible range, and text without control characters.
//!
//! A leaf of the platform: it knows no web, no database and no feature, so forms,
//! imports and the CLI share the same rules and the same messages.

use chrono::{Datelike, NaiveDate};

/// The earliest year a date typed or imported may have.
pub const MIN_YEAR: i32 = 1900;
/// The latest year a date typed or imported may have.
pub const MAX_YEAR: i32 = 2100;

/// Why a typed date was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateError {
    /// Not a `YYYY-MM-DD` calendar date.
    Format,
    /// A real date, but before 1900 or after 2100.
    Range,
}

/// The message's tail for a date out of range.
pub const DATE_RANGE: &str = "超出范围（应在 1900-01-01 至 2100-12-31 之间）";

/// A `YYYY-MM-DD` date from 1900-01-01 to 2100-12-31.
pub fn date(s: &str) -> Result<NaiveDate, DateError> {
    if s.len() != 10 {
        return Err(DateError::Format);
    }
    let date = NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| DateError::Format)?;
    if !(MIN_YEAR..=MAX_YEAR).contains(&date.year()) {
        return Err(DateError::Range);
    }
    Ok(date)
}

/// [`date`] for an import cell or a parameter: the message names the value.
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    date(s).map_err(|e| match e {
        DateError::Format => format!("“{s}”不是有效日期（YYYY-MM-DD）"),
        DateError::Range => format!("日期“{s}”{DATE_RANGE}"),
    })
}

/// `YYYY-MM-DD HH:MM` or `YYYY-MM-DD HH:MM:SS`, the date 1900–2100.
pub fn date_time(s: &str) -> Result<chrono::NaiveDateTime, String> {
    let bad = || format!("“{s}”不是有效时间（YYYY-MM-DD HH:MM 或 YYYY-MM-DD HH:MM:SS）");
    let (d, t) = s.split_once(' ').ok_or_else(bad)?;
    let date: NaiveDate = parse_date(d).map_err(|e| if d.len() == 10 { e } else { bad() })?;
    let time = match t.len() {
        5 => chrono::NaiveTime::parse_from_str(t, "%H:%M"),
        8 => chrono::NaiveTime::parse_from_str(t, "%H:%M:%S"),
        _ => return Err(bad()),
    }
    .map_err(|_| bad())?;
    Ok(date.and_time(time))
}

/// [`parse_date`], with an empty value being `None`.
pub fn parse_optional_date(s: &str) -> Result<Option<NaiveDate>, String> {
    if s.is_empty() {
        Ok(None)
    } else {
        parse_date(s).map(Some)
    }
}

/// [`date`] for an optional form field (empty or blank is `None`).
pub fn optional_date(raw: &str) -> Result<Option<NaiveDate>, DateError> {
    let s = raw.trim();
    if s.is_empty() {
        Ok(None)
    } else {
        date(s).map(Some)
    }
}

/// The message for a form's date field `label` that is out of range, e.g.
/// “入职日期超出范围（应在 1900-01-01 至 2100-12-31 之间）”: the same on every form.
pub fn out_of_range(label: &str) -> String {
    format!("{label}{DATE_RANGE}")
}

/// Whether `c` may not appear in anything a user sends: the C0 controls other than
/// tab, line feed and carriage return (a NUL above all, which PostgreSQL refuses
/// in text), and DEL.
pub fn is_forbidden_control(c: char) -> bool {
    (c.is_ascii_control() && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{7f}'
}

/// The message for a value that carries a control character.
pub const CONTROL_MESSAGE: &str = "含有不可见的控制字符（如 NUL），请删除后重试";

/// `Err` with [`CONTROL_MESSAGE`] when `s` carries a forbidden control character.
pub fn check_text(s: &str) -> Result<(), String> {
    if s.chars().any(is_forbidden_control) {
        Err(CONTROL_MESSAGE.to_owned())
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_range_only() {
        assert_eq!(parse_date("2026-11-02"), Ok(NaiveDate::from_ymd_opt(2026, 11, 2).unwrap()));
        assert!(parse_date("1900-01-01").is_ok());
        assert!(parse_date("2100-12-31").is_ok());
        for bad in ["0000-01-01", "1899-12-31", "2101-01-01", "9999-12-31"] {
            let err = parse_date(bad).unwrap_err();
            assert!(err.contains("超出范围") && err.contains(bad), "{bad}: {err}");
        }
        for bad in ["2026-11-2", "2026-02-30", "2026/11/02", "", "+2026-11-0"] {
            assert!(parse_date(bad).unwrap_err().contains("不是有效日期"), "{bad}");
        }
        assert_eq!(parse_optional_date(""), Ok(None));
        assert_eq!(optional_date(" "), Ok(None));
        assert_eq!(optional_date("2026-13-01"), Err(DateError::Format));
        assert_eq!(optional_date(" 0000-01-01 "), Err(DateError::Range));
        assert_eq!(out_of_range("入职日期"), "入职日期超出范围（应在 1900-01-01 至 2100-12-31 之间）");
    }

    #[test]
    fn control_characters() {
        assert!(check_text("张三\t备注\r\n第二行").is_ok());
        for bad in ["demo\0", "a\u{1}b", "\u{1b}[31m", "x\u{7f}"] {
            assert_eq!(check_text(bad), Err(CONTROL_MESSAGE.to_owned()), "{bad:?}");
        }
    }
}
