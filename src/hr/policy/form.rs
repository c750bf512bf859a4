//! The policy as form fields and back: each number of the policy's JSON is one
//! labelled input; the submitted inputs rebuild a policy of the same shape.

use std::collections::HashMap;

use serde_json::Value;

use super::views::Field;
use crate::rules::Policy;

/// Labels of the policy's numbers, by their path in the policy's JSON.
const LABELS: &[(&str, &str)] = &[
    ("schedule.shift_start", "上班时间"),
    ("schedule.shift_end", "下班时间"),
    ("schedule.am_start", "上午开始"),
    ("schedule.am_end", "上午结束"),
    ("schedule.pm_start", "下午开始"),
    ("schedule.pm_end", "下午结束"),
    ("minor_max_minutes", "轻微迟到早退上限（分钟，含）"),
    ("free_minor_occurrences", "每月免罚轻微次数"),
    ("day_wage_divisor", "日工资折算天数"),
    ("penalties.minor_beyond_free.wage_days", "超出免罚的轻微迟到早退：扣工资（日）"),
    ("penalties.minor_beyond_free.bonus_percent", "超出免罚的轻微迟到早退：扣奖金（%）"),
    ("penalties.serious.wage_days", "严重迟到早退：扣工资（日）"),
    ("penalties.serious.bonus_percent", "严重迟到早退：扣奖金（%）"),
    ("penalties.half_day_absence.wage_days", "旷工半天：扣工资（日）"),
    ("penalties.half_day_absence.bonus_percent", "旷工半天：扣奖金（%）"),
    ("penalties.full_day_absence.wage_days", "旷工一天：扣工资（日）"),
    ("penalties.full_day_absence.bonus_percent", "旷工一天：扣奖金（%）"),
    ("bonus_deduction_cap_percent", "奖金扣减上限（%）"),
    ("serious_penalised_as_half_day_absence", "严重迟到早退按旷工半天处罚"),
    ("grades.excellent_min", "优秀最低分"),
    ("grades.good_min", "良好最低分"),
    ("grades.pass_min", "合格最低分"),
    ("grades.excellent_coefficient", "优秀系数"),
    ("grades.good_coefficient", "良好系数"),
    ("grades.pass_coefficient", "合格系数"),
    ("grades.fail_coefficient", "不合格系数"),
    ("consecutive_absence_flag_over_days", "连续旷工提示：超过（天）"),
    ("absence_tally.flag_over_half_days", "累计旷工提示：超过（半天数）"),
    ("absence_tally.full_day_half_days", "累计：旷工一天计（半天数）"),
    ("absence_tally.half_day_half_days", "累计：旷工半天计（半天数）"),
    ("absence_tally.serious_half_days", "累计：严重迟到早退计（半天数）"),
    ("wage_deduction_warning_percent", "扣款提示：超过月薪（%）"),
];

fn flatten(prefix: &str, v: &Value, out: &mut Vec<(String, Value)>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                let path = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                flatten(&path, child, out);
            }
        }
        other => out.push((prefix.to_owned(), other.clone())),
    }
}

fn label(path: &str) -> &'static str {
    LABELS.iter().find(|(p, _)| *p == path).map_or("（其他）", |(_, l)| l)
}

pub(super) fn fields_of(policy: &Policy) -> Vec<Field> {
    let mut leaves = Vec::new();
    flatten("", &serde_json::to_value(policy).unwrap_or(Value::Null), &mut leaves);
    let order = |p: &str| LABELS.iter().position(|(l, _)| *l == p).unwrap_or(usize::MAX);
    leaves.sort_by_key(|(p, _)| order(p));
    leaves
        .into_iter()
        .map(|(name, v)| {
            let (value, is_bool, checked) = match &v {
                Value::Bool(b) => (String::new(), true, *b),
                // Times are shown as HH:MM.
                Value::String(s) if s.len() == 8 && s.as_bytes().get(2) == Some(&b':') => {
                    (s[..5].to_owned(), false, false)
                }
                Value::String(s) => (s.clone(), false, false),
                other => (other.to_string(), false, false),
            };
            Field { label: label(&name), name, value, is_bool, checked, error: None }
        })
        .collect()
}

/// Rebuild a policy from the submitted fields, using the seed policy's shape.
/// Returns the fields (with what was typed and per-field errors) and, when
/// everything is valid, the policy.
pub(super) fn parse(form: &HashMap<String, String>) -> (Vec<Field>, Option<Policy>, Vec<String>) {
    let shape = serde_json::to_value(Policy::seed_default()).unwrap_or(Value::Null);
    let mut leaves = Vec::new();
    flatten("", &shape, &mut leaves);
    let mut fields = fields_of(&Policy::seed_default());
    let mut value = shape.clone();
    let mut ok = true;
    for field in &mut fields {
        let typed = form.get(&field.name).map(|s| s.trim().to_owned()).unwrap_or_default();
        let template = leaves.iter().find(|(p, _)| *p == field.name).map(|(_, v)| v.clone()).unwrap_or(Value::Null);
        let parsed = match template {
            Value::Bool(_) => {
                field.checked = form.contains_key(&field.name);
                Ok(Value::Bool(field.checked))
            }
            Value::Number(_) => {
                field.value = typed.clone();
                typed.parse::<u64>().map(Value::from).map_err(|_| "请填写非负整数".to_owned())
            }
            Value::String(orig) => {
                field.value = typed.clone();
                if typed.is_empty() {
                    Err("请填写".to_owned())
                } else if orig.len() == 8 && orig.as_bytes().get(2) == Some(&b':') {
                    // A time: accept HH:MM.
                    chrono::NaiveTime::parse_from_str(&typed, "%H:%M")
                        .map(|t| Value::String(t.format("%H:%M:%S").to_string()))
                        .map_err(|_| "时间格式应为 HH:MM".to_owned())
                } else {
                    Ok(Value::String(typed.clone()))
                }
            }
            _ => Err("无法识别的设置".to_owned()),
        };
        match parsed {
            Ok(v) => set_path(&mut value, &field.name, v),
            Err(e) => {
                field.error = Some(e);
                ok = false;
            }
        }
    }
    if !ok {
        return (fields, None, Vec::new());
    }
    match serde_json::from_value::<Policy>(value) {
        Err(e) => (fields, None, vec![format!("设置无效：{e}")]),
        Ok(policy) => {
            let problems = policy.validate();
            if problems.is_empty() {
                (fields, Some(policy), Vec::new())
            } else {
                (fields, None, problems)
            }
        }
    }
}

fn set_path(root: &mut Value, path: &str, v: Value) {
    let mut node = root;
    let parts: Vec<&str> = path.split('.').collect();
    for (i, part) in parts.iter().enumerate() {
        let Value::Object(map) = node else { return };
        if i + 1 == parts.len() {
            map.insert((*part).to_owned(), v);
            return;
        }
        let Some(next) = map.get_mut(*part) else { return };
        node = next;
    }
}
