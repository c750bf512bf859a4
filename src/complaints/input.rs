//! The checks of what a complaint's forms send: texts (required or not, bounded),
//! a code from a list, and the received time; each failure a message naming the field.

use chrono::{DateTime, Utc};

use crate::tz::TimeZone;
use crate::web::FieldErrors;

/// A required text of at most `max` characters, trimmed.
pub fn text<'a>(errors: &mut FieldErrors, field: &'static str, raw: &'a str, label: &str, max: usize) -> &'a str {
    let s = optional_text(errors, field, raw, label, max);
    if s.is_empty() {
        errors.add(field, format!("请填写{label}"));
    }
    s
}

/// An optional text of at most `max` characters, trimmed.
pub fn optional_text<'a>(
    errors: &mut FieldErrors,
    field: &'static str,
    raw: &'a str,
    label: &str,
    max: usize,
) -> &'a str {
    let s = raw.trim();
    if s.chars().count() > max {
        errors.add(field, format!("{label}最多 {max} 个字符"));
    }
    s
}

/// A code chosen from a list: the value, or a message naming the field (and what
/// was sent, when it is not one of the codes).
pub fn choice<T>(
    errors: &mut FieldErrors,
    field: &'static str,
    raw: &str,
    parse: fn(&str) -> Option<T>,
    label: &str,
    codes: fn() -> String,
) -> Option<T> {
    let s = raw.trim();
    let v = parse(s);
    match (&v, s.is_empty()) {
        (Some(_), _) => {}
        (None, true) => errors.add(field, format!("请选择{label}（{}）", codes())),
        (None, false) => errors.add(field, format!("{label}“{s}”无效（应为 {}）", codes())),
    }
    v
}

/// The received time typed (`YYYY-MM-DDTHH:MM` local time; empty is `now`),
/// never after `now`.
pub fn received_at(raw: &str, tz: TimeZone, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(now);
    }
    let local = crate::input::date_time(&s.replacen('T', " ", 1))
        .map_err(|_| format!("收到时间“{s}”无效（应为 YYYY-MM-DDTHH:MM，本地时间）"))?;
    let at = tz.to_utc(local);
    if at > now {
        return Err(format!("收到时间“{s}”晚于当前时间：不能登记未来的时间"));
    }
    Ok(at)
}
