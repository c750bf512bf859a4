//! The targets page, its CSV, and saving a grid (a manager's reps, a director's
//! departments): all-or-nothing, every refused row named, audited.

use std::collections::BTreeMap;

use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde_json::{json, Value};

use super::repo::{self, DeptRow, RepRow, Reps};
use super::views::{Figures, Line, PageQuery, TargetsPage};
use super::{attainment, bounds, editable, Role, MAX_TARGET_FEN};
use crate::audit::{self, Entry};
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::people::{Action, Dept};
use crate::rules::{Fen, ParseErrorKind, YearMonth};
use crate::web::forms::non_empty;
use crate::web::{Ctx, Flash, RequestMeta};

/// The month of a query or form (`YYYY-MM`, 1900–2100; this month when empty).
fn month_of(raw: &str, today: chrono::NaiveDate) -> AppResult<YearMonth> {
    let bad = || AppError::BadRequest(format!("月份“{}”无效（应为 YYYY-MM）", raw.trim()));
    match non_empty(raw) {
        None => YearMonth::of(today).ok_or_else(bad),
        Some(s) => {
            let m: YearMonth = s.parse().map_err(|_| bad())?;
            if (crate::input::MIN_YEAR..=crate::input::MAX_YEAR).contains(&m.year()) {
                Ok(m)
            } else {
                Err(bad())
            }
        }
    }
}

fn month_label(m: YearMonth) -> String {
    format!("{}年{}月", m.year(), m.month())
}

/// A target typed in yuan: `Ok(None)` when empty (no target).
pub fn parse_target(raw: &str) -> Result<Option<i64>, String> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    match Fen::parse_non_negative_yuan(s) {
        Ok(f) if f.fen() > MAX_TARGET_FEN => Err("目标金额超出范围".into()),
        Ok(f) if f.fen() == 0 => Err("目标须大于 0（不设目标请留空）".into()),
        Ok(f) => Ok(Some(f.fen())),
        Err(e) => Err(match e.kind() {
            ParseErrorKind::Negative => "目标不能为负数".into(),
            ParseErrorKind::TooManyDecimals(_) => "目标最多两位小数".into(),
            ParseErrorKind::OutOfRange => "目标金额超出范围".into(),
            _ => format!("“{s}”不是有效金额（元，如 50000 或 50000.50）"),
        }),
    }
}

/// A refused form: what was typed and the message of each refused line, by key.
#[derive(Default)]
struct Typed {
    values: BTreeMap<String, String>,
    errors: BTreeMap<String, String>,
}

fn figures(target_fen: Option<i64>, paid_fen: i64, refunded_fen: i64) -> Figures {
    Figures { target_fen, paid_fen, refunded_fen }
}

fn rep_line(r: RepRow, month: YearMonth, today: chrono::NaiveDate) -> Line {
    let now = figures(r.target_fen, r.paid_fen, r.refunded_fen);
    Line {
        key: r.rep_id.to_string(),
        name: r.display_name,
        username: r.username,
        rank: 0,
        flagged: attainment::flagged(month, today, now.attained_fen(), now.target_fen),
        typed: r.target_fen.map(Fen).map(|f| f.to_string()).unwrap_or_default(),
        now,
        prev: figures(r.prev_target_fen, r.prev_paid_fen, r.prev_refunded_fen),
        error: None,
        drill: String::new(),
    }
}

fn dept_line(d: DeptRow, month: YearMonth, today: chrono::NaiveDate) -> Line {
    let now = figures(d.target_fen, d.paid_fen, d.refunded_fen);
    let label = Dept::parse(&d.code).map_or(d.code.clone(), |x| x.label().to_owned());
    Line {
        drill: format!("/targets?month={month}&dept={}", d.code),
        key: d.code,
        name: label,
        username: String::new(),
        rank: 0,
        flagged: attainment::flagged(month, today, now.attained_fen(), now.target_fen),
        typed: d.target_fen.map(Fen).map(|f| f.to_string()).unwrap_or_default(),
        now,
        prev: figures(d.prev_target_fen, d.prev_paid_fen, d.prev_refunded_fen),
        error: None,
    }
}

/// Ranked by attainment % (lines without a target last), numbered from 1.
fn ranked(mut lines: Vec<Line>) -> Vec<Line> {
    lines.sort_by_key(|l| l.now.rank_key());
    for (i, l) in lines.iter_mut().enumerate() {
        l.rank = i + 1;
    }
    lines
}

/// What a page shows: its mode, the department of a rep grid, and the lines.
struct Grid {
    mode: &'static str,
    dept: Option<Dept>,
    drilled: bool,
    lines: Vec<Line>,
    summary: Option<Line>,
}

/// The grid `role` sees of `month` (`q.dept`: a director's drill; a manager's own
/// department only — another is 404).
async fn grid(cx: &Ctx, tx: &mut Tx, role: Role, month: YearMonth, q: &PageQuery) -> AppResult<Grid> {
    let (tid, today) = (cx.user.tenant_id, cx.user.today);
    let b = bounds(month);
    crate::db::compact_rollups(tx).await?;
    let asked = match non_empty(&q.dept) {
        None => None,
        Some(code) => Some(Dept::parse(code).ok_or(AppError::NotFound)?),
    };
    let reps = |rows: Vec<RepRow>| ranked(rows.into_iter().map(|r| rep_line(r, month, today)).collect());
    Ok(match (role, asked) {
        (Role::Director, None) => {
            let rows = repo::department_grid(tx, tid, None, &b).await?;
            let lines = ranked(rows.into_iter().map(|d| dept_line(d, month, today)).collect());
            Grid { mode: "departments", dept: None, drilled: false, lines, summary: None }
        }
        (Role::Director, Some(d)) => {
            let lines = reps(repo::rep_grid(tx, tid, Reps::Department(d.code()), &b).await?);
            let summary = repo::department_grid(tx, tid, Some(d.code()), &b).await?.into_iter().next();
            let summary = summary.map(|s| dept_line(s, month, today));
            Grid { mode: "reps", dept: Some(d), drilled: true, lines, summary }
        }
        (Role::Manager(d), asked) if asked.is_none_or(|a| a == d) => {
            let lines = reps(repo::rep_grid(tx, tid, Reps::Department(d.code()), &b).await?);
            let summary = repo::department_grid(tx, tid, Some(d.code()), &b).await?.into_iter().next();
            let summary = summary.map(|s| dept_line(s, month, today));
            Grid { mode: "reps", dept: Some(d), drilled: false, lines, summary }
        }
        (Role::Rep(id), None) => {
            let lines = reps(repo::rep_grid(tx, tid, Reps::One(id), &b).await?);
            Grid { mode: "mine", dept: None, drilled: false, lines, summary: None }
        }
        _ => return Err(AppError::NotFound),
    })
}

/// The director's total: the departments that have a target, summed (the
/// dashboard's 目标完成率 for a director).
fn departments_total(lines: &[Line]) -> Figures {
    lines.iter().filter(|l| l.now.target_fen.is_some()).fold(Figures::default(), |t, l| Figures {
        target_fen: Some(t.target_fen.unwrap_or(0) + l.now.target_fen.unwrap_or(0)),
        paid_fen: t.paid_fen + l.now.paid_fen,
        refunded_fen: t.refunded_fen + l.now.refunded_fen,
    })
}

/// The page of `month` for `role`, with a refused form's values and messages.
async fn page(
    cx: &mut Ctx,
    tx: &mut Tx,
    role: Role,
    month: YearMonth,
    q: &PageQuery,
    typed: Typed,
) -> AppResult<TargetsPage> {
    let today = cx.user.today;
    let g = grid(cx, tx, role, month, q).await?;
    let may_set = cx.can(Action::TargetsSet) && editable(month, today) && !g.drilled && g.mode != "mine";
    let copied = may_set && q.copy == "1" && typed.values.is_empty();
    let below_only = q.below == "1";
    let flagged_count = g.lines.iter().filter(|l| l.flagged).count();
    let total = (g.mode == "departments").then(|| departments_total(&g.lines));
    let mut lines = g.lines;
    for l in &mut lines {
        if copied {
            l.typed = l.prev.target_fen.map(Fen).map(|f| f.to_string()).unwrap_or_default();
        }
        if let Some(v) = typed.values.get(&l.key) {
            l.typed = v.clone();
        }
        l.error = typed.errors.get(&l.key).cloned();
    }
    if below_only {
        lines.retain(|l| l.flagged);
    }
    let error = (!typed.errors.is_empty()).then(|| format!("有 {} 行需要修改，目标未保存。", typed.errors.len()));
    let (prev, next) = (month.previous().unwrap_or(month), month.next().unwrap_or(month));
    let this = YearMonth::of(today).unwrap_or(month);
    let dept = g.dept.map(|d| d.code().to_owned()).unwrap_or_default();
    let csv_href = if g.drilled {
        format!("/targets.csv?month={month}&dept={dept}")
    } else {
        format!("/targets.csv?month={month}")
    };
    Ok(TargetsPage {
        chrome: cx.chrome(format!("销售目标 {}", month_label(month)), "/targets"),
        month: month.to_string(),
        month_label: month_label(month),
        prev_month: prev.to_string(),
        next_month: next.to_string(),
        this_month: this.to_string(),
        mode: g.mode,
        dept_label: g.dept.map(|d| d.label().to_owned()).unwrap_or_default(),
        dept,
        editable: may_set,
        over: attainment::month_over(month, today),
        copied,
        below_only,
        lines,
        total,
        summary: g.summary,
        flagged_count,
        error,
        csv_href,
        drilled: g.drilled,
    })
}

/// `GET /targets?month=YYYY-MM[&dept=CODE][&below=1][&copy=1]`.
pub async fn show(mut cx: Ctx, Query(q): Query<PageQuery>) -> AppResult<TargetsPage> {
    cx.require(Action::TargetsView)?;
    let role = Role::of(&cx.user).ok_or(AppError::Forbidden)?;
    let month = month_of(&q.month, cx.user.today)?;
    let mut tx = cx.begin().await?;
    let p = page(&mut cx, &mut tx, role, month, &q, Typed::default()).await?;
    tx.commit().await?;
    Ok(p)
}

/// `GET /targets.csv?month=YYYY-MM[&dept=CODE]`: the grid the page shows, as CSV.
pub async fn export(cx: Ctx, Query(q): Query<PageQuery>) -> AppResult<Response> {
    cx.require(Action::TargetsView)?;
    let role = Role::of(&cx.user).ok_or(AppError::Forbidden)?;
    let month = month_of(&q.month, cx.user.today)?;
    let mut tx = cx.begin().await?;
    let g = grid(&cx, &mut tx, role, month, &q).await?;
    tx.commit().await?;
    let header = [
        "month",
        "rank",
        if g.mode == "departments" { "department" } else { "username" },
        "name",
        "target",
        "paid",
        "refunded",
        "attained",
        "percent",
        "below_30",
        "prev_target",
        "prev_attained",
        "prev_percent",
    ];
    let opt = |f: Option<i64>| f.map(|v| Fen(v).to_string()).unwrap_or_default();
    let pct = |f: &Figures| if f.has_target() { f.percent() } else { String::new() };
    let body = crate::web::csv::build(
        &header,
        g.lines.iter().map(|l| {
            vec![
                month.to_string(),
                l.rank.to_string(),
                if g.mode == "departments" { l.key.clone() } else { l.username.clone() },
                l.name.clone(),
                opt(l.now.target_fen),
                l.now.paid(),
                l.now.refunded(),
                l.now.attained(),
                pct(&l.now),
                if l.flagged { "1".into() } else { "0".into() },
                opt(l.prev.target_fen),
                l.prev.attained(),
                pct(&l.prev),
            ]
        }),
    )?;
    Ok(crate::web::csv::download(&format!("targets-{}-{month}.csv", cx.user.tenant_code), body))
}

/// The `<prefix><key>` fields of a form, in order (a key given twice is a bad request).
fn fields_of(form: &[(String, String)], prefix: &str) -> AppResult<Vec<(String, String)>> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (k, v) in form {
        if let Some(key) = k.strip_prefix(prefix) {
            if out.iter().any(|(x, _)| x == key) {
                return Err(AppError::BadRequest(format!("字段 {k} 重复")));
            }
            out.push((key.to_owned(), v.trim().to_owned()));
        }
    }
    if out.is_empty() {
        return Err(AppError::BadRequest("表单中没有目标".into()));
    }
    Ok(out)
}

fn month_field(form: &[(String, String)]) -> &str {
    form.iter().find(|(k, _)| k == "month").map_or("", |(_, v)| v.as_str())
}

/// Parse every line: (key, target or none) when all are good, else the typed form.
fn parse_all(fields: &[(String, String)]) -> Result<Vec<(String, Option<i64>)>, Typed> {
    let mut typed = Typed::default();
    let mut out = Vec::new();
    for (key, raw) in fields {
        typed.values.insert(key.clone(), raw.clone());
        match parse_target(raw) {
            Ok(t) => out.push((key.clone(), t)),
            Err(e) => {
                typed.errors.insert(key.clone(), e);
            }
        }
    }
    if typed.errors.is_empty() {
        Ok(out)
    } else {
        Err(typed)
    }
}

fn as_map<K: ToString>(rows: &[(K, i64)]) -> Value {
    Value::Object(rows.iter().map(|(k, v)| (k.to_string(), json!(v))).collect())
}

/// `POST /targets` (the sales manager): `month`, and `target_<rep id>` (yuan, empty
/// for none) for the reps of the grid. All or nothing: a bad amount re-shows the grid
/// with what was typed (422); a rep outside the department (or the tenant) is 404.
pub async fn save_reps(mut cx: Ctx, meta: RequestMeta, Form(form): Form<Vec<(String, String)>>) -> AppResult<Response> {
    cx.require(Action::TargetsSet)?;
    let Some(Role::Manager(dept)) = Role::of(&cx.user) else {
        return Err(AppError::Forbidden);
    };
    let month = month_of(month_field(&form), cx.user.today)?;
    if !editable(month, cx.user.today) {
        return Err(AppError::Conflict(format!("{} 的目标不能再修改：只能设定本月和下月的目标", month_label(month))));
    }
    let fields = fields_of(&form, "target_")?;
    let mut ids = Vec::new();
    for (key, _) in &fields {
        ids.push(key.parse::<i64>().map_err(|_| AppError::NotFound)?);
    }
    let tid = cx.user.tenant_id;
    let mut tx = cx.begin().await?;
    if repo::reps_within(&mut tx, tid, dept.code(), &ids).await?.len() != ids.len() {
        return Err(AppError::NotFound);
    }
    let parsed = match parse_all(&fields) {
        Ok(p) => p,
        Err(typed) => {
            let q = PageQuery { month: month.to_string(), ..PageQuery::default() };
            let p = page(&mut cx, &mut tx, Role::Manager(dept), month, &q, typed).await?;
            tx.rollback().await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response());
        }
    };
    let before = repo::rep_targets(&mut tx, tid, month.first_day(), &ids).await?;
    let mut set = Vec::new();
    let mut cleared = Vec::new();
    for ((_, t), id) in parsed.iter().zip(&ids) {
        match t {
            Some(fen) => set.push((*id, *fen)),
            None => cleared.push(*id),
        }
    }
    let was: BTreeMap<i64, i64> = before.iter().copied().collect();
    let changed = set.iter().filter(|(id, f)| was.get(id) != Some(f)).count()
        + cleared.iter().filter(|id| was.contains_key(id)).count();
    if changed == 0 {
        tx.rollback().await?;
        return Ok(Flash::success(format!("{} 的目标没有改动", month_label(month)))
            .redirect(&format!("/targets?month={month}")));
    }
    repo::save_rep_targets(&mut tx, tid, month.first_day(), &set, &cleared, cx.user.user_id).await?;
    let after = repo::rep_targets(&mut tx, tid, month.first_day(), &ids).await?;
    let summary =
        format!("设定{}{} 销售目标：{} 人有目标，改动 {} 人", dept.label(), month_label(month), set.len(), changed);
    let entry = Entry {
        action: "targets.set",
        entity_type: Some("sales_targets"),
        entity_id: Some(month.to_string()),
        summary,
        before: Some(as_map(&before)),
        after: Some(as_map(&after)),
    };
    audit::by_user(&mut tx, &cx.user, &meta, entry).await?;
    tx.commit().await?;
    Ok(Flash::success(format!("已保存 {} 的销售目标（改动 {changed} 人）", month_label(month)))
        .redirect(&format!("/targets?month={month}")))
}

/// `POST /targets/departments` (a director): `month`, and `dept_<code>` (yuan, empty
/// for none). All or nothing as [`save_reps`]; an unknown department is 404.
pub async fn save_departments(
    mut cx: Ctx,
    meta: RequestMeta,
    Form(form): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    cx.require(Action::TargetsSet)?;
    let Some(Role::Director) = Role::of(&cx.user) else {
        return Err(AppError::Forbidden);
    };
    let month = month_of(month_field(&form), cx.user.today)?;
    if !editable(month, cx.user.today) {
        return Err(AppError::Conflict(format!("{} 的目标不能再修改：只能设定本月和下月的目标", month_label(month))));
    }
    let fields = fields_of(&form, "dept_")?;
    if fields.iter().any(|(code, _)| Dept::parse(code).is_none()) {
        return Err(AppError::NotFound);
    }
    let tid = cx.user.tenant_id;
    let mut tx = cx.begin().await?;
    let parsed = match parse_all(&fields) {
        Ok(p) => p,
        Err(typed) => {
            let q = PageQuery { month: month.to_string(), ..PageQuery::default() };
            let p = page(&mut cx, &mut tx, Role::Director, month, &q, typed).await?;
            tx.rollback().await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response());
        }
    };
    let before = repo::department_targets(&mut tx, tid, month.first_day()).await?;
    let was: BTreeMap<&str, i64> = before.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let mut set = Vec::new();
    let mut cleared = Vec::new();
    for (code, t) in &parsed {
        match t {
            Some(fen) => set.push((code.clone(), *fen)),
            None => cleared.push(code.clone()),
        }
    }
    let changed = set.iter().filter(|(c, f)| was.get(c.as_str()) != Some(f)).count()
        + cleared.iter().filter(|c| was.contains_key(c.as_str())).count();
    if changed == 0 {
        tx.rollback().await?;
        return Ok(Flash::success(format!("{} 的部门目标没有改动", month_label(month)))
            .redirect(&format!("/targets?month={month}")));
    }
    repo::save_department_targets(&mut tx, tid, month.first_day(), &set, &cleared, cx.user.user_id).await?;
    let after = repo::department_targets(&mut tx, tid, month.first_day()).await?;
    let entry = Entry {
        action: "targets.department_set",
        entity_type: Some("department_targets"),
        entity_id: Some(month.to_string()),
        summary: format!("设定{} 部门销售目标：改动 {changed} 个部门", month_label(month)),
        before: Some(as_map(&before)),
        after: Some(as_map(&after)),
    };
    audit::by_user(&mut tx, &cx.user, &meta, entry).await?;
    tx.commit().await?;
    Ok(Flash::success(format!("已保存 {} 的部门目标（改动 {changed} 个部门）", month_label(month)))
        .redirect(&format!("/targets?month={month}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_as_typed() {
        assert_eq!(parse_target(""), Ok(None));
        assert_eq!(parse_target("  "), Ok(None));
        assert_eq!(parse_target("50000"), Ok(Some(5_000_000)));
        assert_eq!(parse_target(" 12.5 "), Ok(Some(1250)));
        assert!(parse_target("0").unwrap_err().contains("大于 0"));
        assert!(parse_target("-1").unwrap_err().contains("负数"));
        assert!(parse_target("1.234").unwrap_err().contains("两位小数"));
        assert!(parse_target("1,000").unwrap_err().contains("不是有效金额"));
        assert!(parse_target("1000000000000").unwrap_err().contains("超出范围"));
    }

    #[test]
    fn months_in_range_only() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        assert_eq!(month_of("", today).unwrap().to_string(), "2026-12");
        assert_eq!(month_of("2026-11", today).unwrap().to_string(), "2026-11");
        for bad in ["2026-13", "2026-1", "1899-12", "2101-01", "x"] {
            assert!(month_of(bad, today).is_err(), "{bad}");
        }
    }
}
