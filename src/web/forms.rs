//! Form validation: field errors shown beside the fields, with what was typed kept.

use std::collections::BTreeMap;

/// Messages by field name.
#[derive(Clone, Debug, Default)]
pub struct FieldErrors(BTreeMap<&'static str, String>);

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.entry(field).or_insert_with(|| message.into());
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    pub fn summary(&self) -> String {
        self.0.values().cloned().collect::<Vec<_>>().join("；")
    }
}

/// The form of every approve / reject POST (CONTRACT.md): `comment`, required to reject.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    pub comment: String,
}

/// The comment of an approve / reject decision, trimmed: required to reject, at most
/// 500 characters. A problem goes into `errors` under `comment`.
pub fn decision_comment(raw: &str, approve: bool, errors: &mut FieldErrors) -> String {
    let comment = raw.trim();
    if !approve && comment.is_empty() {
        errors.add("comment", "驳回时必须填写审批意见");
    } else if comment.chars().count() > 500 {
        errors.add("comment", "审批意见最多 500 个字符");
    }
    comment.to_owned()
}

/// One option of a `<select>`: the value sent and the label shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Choice {
    pub code: &'static str,
    pub label: &'static str,
}

impl Choice {
    /// Options from (code, label) pairs, in their order.
    pub fn from_pairs(pairs: &[(&'static str, &'static str)]) -> Vec<Choice> {
        pairs.iter().map(|&(code, label)| Choice { code, label }).collect()
    }

    /// Options of a code list's values (`Status::ALL`), in their order.
    pub fn all<T: crate::codes::Code>(values: &[T]) -> Vec<Choice> {
        values.iter().map(|&v| Choice { code: v.code(), label: v.label() }).collect()
    }

    /// Every department, in the order of `Dept::ALL`.
    pub fn departments() -> Vec<Choice> {
        Self::all(crate::people::Dept::ALL)
    }

    /// Every level, in the order of `Level::ALL`.
    pub fn levels() -> Vec<Choice> {
        Self::all(crate::people::Level::ALL)
    }
}

/// Trimmed text, `None` when empty.
pub fn non_empty(s: &str) -> Option<&str> {
    let t = s.trim();
    (!t.is_empty()).then_some(t)
}

/// The instant the local day `raw` (`YYYY-MM-DD`) starts in `tz` (`day_after`: when
/// the day after it starts — the end of a date range that includes the day). A bad
/// date adds its message (naming the field `what`) to `errors`, is cleared from `raw`
/// (so the page's links drop it) and filters nothing. Empty: no filter.
pub fn day_start(
    tz: crate::tz::TimeZone,
    raw: &mut String,
    what: &str,
    day_after: bool,
    errors: &mut Vec<String>,
) -> Option<chrono::DateTime<chrono::Utc>> {
    let s = non_empty(raw.trim())?;
    match crate::input::parse_date(s) {
        Ok(d) => {
            let d = if day_after { d.succ_opt()? } else { d };
            Some(tz.to_utc(d.and_time(chrono::NaiveTime::MIN)))
        }
        Err(e) => {
            errors.push(format!("{what}：{e}，此条件未生效"));
            raw.clear();
            None
        }
    }
}
