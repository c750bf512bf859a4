//! The monthly report page, its CSV tables and saving its text.

use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use chrono::{DateTime, Days, Utc};
use serde_json::json;

use super::repo;
use super::views::{
    CampaignLine, ComplaintLine, FigureLine, ProductLine, Report, ReportPage, ReportQuery, SlowLine, TextForm, TextView,
};
use super::{MAX_CHARS, MONTH_FIGURES, SLOW_SHOWN, TOP_PRODUCTS};
use crate::audit::{self, Entry};
use crate::campaigns::kpi as campaign_kpi;
use crate::campaigns::status::CampaignStatus;
use crate::complaints::codes::Category;
use crate::dashboard::kpi::Unit;
use crate::dashboard::measure::{self, Figure, Value};
use crate::dashboard::period::Period;
use crate::dashboard::views::{self as dash, show};
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::people::{Action, Dept};
use crate::rules::money::round_half_up_div;
use crate::rules::{Fen, YearMonth};
use crate::web::chart;
use crate::web::forms::non_empty;
use crate::web::{Ctx, CurrentUser, Flash, RequestMeta};

const PATH: &str = "/reports/monthly";

pub fn month_label(m: YearMonth) -> String {
    format!("{}年{}月", m.year(), m.month())
}

/// The month of a query or path: `YYYY-MM`, not after this month; last month when
/// empty. A bad or future month is a 400 with a sentence saying so.
pub fn month_of(raw: &str, today: chrono::NaiveDate) -> AppResult<YearMonth> {
    let this = YearMonth::of(today).ok_or_else(|| AppError::BadRequest("今天的日期无效".into()))?;
    let Some(s) = non_empty(raw) else {
        return this.previous().ok_or_else(|| AppError::BadRequest("没有上月".into()));
    };
    let bad = || AppError::BadRequest(format!("月份“{s}”无效（应为 YYYY-MM，如 {}）", this.previous().unwrap_or(this)));
    let m: YearMonth = s.parse().map_err(|_| bad())?;
    if !(crate::input::MIN_YEAR..=crate::input::MAX_YEAR).contains(&m.year()) {
        return Err(bad());
    }
    if m > this {
        return Err(AppError::BadRequest(format!(
            "{} 还没有到，没有月报：只能查看本月（{}）及以前的月份",
            month_label(m),
            month_label(this)
        )));
    }
    Ok(m)
}

/// The month's period on `today` (this month runs up to today).
pub(super) fn period_of(m: YearMonth, today: chrono::NaiveDate) -> AppResult<Period> {
    Period::parse(Some(&m.to_string()), today).ok_or_else(|| AppError::BadRequest(format!("月份 {m} 无效")))
}

/// The change from `base` to `cur`: relative (`+12.50%`) for amounts, counts and
/// ratios, in percentage points for a percentage; `—` when either is missing or
/// the base is 0.
pub fn change(cur: Option<Value>, base: Option<Value>, unit: Unit) -> String {
    let (Some(c), Some(b)) = (cur, base) else { return "—".into() };
    let (c, b) = (i128::from(c.raw()), i128::from(b.raw()));
    let signed = |h: i128| {
        let sign = if h > 0 {
            "+"
        } else if h < 0 {
            "-"
        } else {
            ""
        };
        let a = h.unsigned_abs();
        format!("{sign}{}.{:02}", a / 100, a % 100)
    };
    if unit == Unit::Percent {
        // Hundredths of a percent: the difference is in hundredths of a point.
        return format!("{} 个百分点", signed(c - b));
    }
    if b == 0 {
        return "—".into();
    }
    match round_half_up_div((c - b) * 10_000, b.abs()) {
        Some(h) => format!("{}%", signed(h)),
        None => "—".into(),
    }
}

fn plain(v: Option<Value>) -> String {
    v.map(Value::plain).unwrap_or_default()
}

/// Whether a column has any month figure to compare with (else all of it shows
/// "—": a month before the tenant's data, or one without any activity). The
/// figures of now (slow stock, held orders…) do not count: they are the same in
/// every column.
fn has_data(figures: &[Figure]) -> bool {
    figures.iter().any(|f| MONTH_FIGURES.contains(&f.kpi.id) && f.value.is_some_and(|v| v.raw() != 0))
}

/// The month figures of the registry for the month, last month and the same month
/// a year before.
pub(super) async fn figure_lines(
    tx: &mut Tx,
    user: &CurrentUser,
    p: &Period,
    now: DateTime<Utc>,
) -> AppResult<(Vec<FigureLine>, String, String)> {
    let cur = measure::figures(tx, user, p, now).await?;
    let prev_p = p.previous();
    let prev = measure::figures(tx, user, &prev_p, now).await?;
    let year_p = p.year_before();
    let year = match &year_p {
        Some(y) => measure::figures(tx, user, y, now).await?,
        None => Vec::new(),
    };
    let (prev_ok, year_ok) = (has_data(&prev), has_data(&year));
    let find = |list: &[Figure], ok: bool, id: &str| -> Option<Value> {
        if !ok {
            return None;
        }
        list.iter().find(|f| f.kpi.id == id).and_then(|f| f.value)
    };
    let lines = cur
        .iter()
        .filter(|f| MONTH_FIGURES.contains(&f.kpi.id))
        .map(|f| {
            let k = f.kpi;
            let pv = find(&prev, prev_ok, k.id);
            let yv = find(&year, year_ok, k.id);
            FigureLine {
                id: k.id,
                area: k.area.label(),
                label: k.label,
                rule: k.rule,
                href: f.href.clone(),
                current: show(f.value, k.unit),
                current_plain: plain(f.value),
                previous: show(pv, k.unit),
                previous_plain: plain(pv),
                previous_change: change(f.value, pv, k.unit),
                year: show(yv, k.unit),
                year_plain: plain(yv),
                year_change: change(f.value, yv, k.unit),
            }
        })
        .collect();
    let year_label = year_p.map(|y| month_label(y.month())).unwrap_or_default();
    Ok((lines, month_label(prev_p.month()), year_label))
}

fn money(fen: i64) -> String {
    chart::format_exact(fen, chart::Unit::Fen)
}

pub(super) async fn product_lines(tx: &mut Tx, user: &CurrentUser, p: &Period) -> AppResult<Vec<ProductLine>> {
    let rows = repo::top_products(tx, user.tenant_id, (p.from, p.to), TOP_PRODUCTS).await?;
    Ok(rows
        .into_iter()
        .enumerate()
        .map(|(i, r)| ProductLine {
            rank: i + 1,
            amount: money(r.amount_fen),
            amount_plain: Fen(r.amount_fen).to_string(),
            sku: r.sku,
            name: r.name,
            quantity: r.quantity,
            orders: r.orders,
        })
        .collect())
}

/// The cut-off of slow-moving stock: the end of the month, or now for this month.
pub(super) fn slow_window(
    user: &CurrentUser,
    p: &Period,
    now: DateTime<Utc>,
) -> (DateTime<Utc>, DateTime<Utc>, String) {
    let end = measure::midnight(user, p.to.checked_add_days(Days::new(1)).unwrap_or(p.to));
    let days = crate::inventory::repo::SLOW_DAYS;
    if end >= now {
        let rule = format!("当前有库存、近 {days} 天（截至现在）没有出库的库存项；数量为当前库存。");
        (now - chrono::Duration::days(days), now, rule)
    } else {
        let rule = format!("当前有库存、{} 24:00 之前 {days} 天内没有出库的库存项（按月末计）；数量为当前库存。", p.to);
        (end - chrono::Duration::days(days), end, rule)
    }
}

async fn slow_lines(
    tx: &mut Tx,
    user: &CurrentUser,
    p: &Period,
    now: DateTime<Utc>,
) -> AppResult<(Vec<SlowLine>, i64, String)> {
    let (since, until, rule) = slow_window(user, p, now);
    let (rows, count) = repo::slow_moving(tx, user.tenant_id, (since, until), SLOW_SHOWN).await?;
    let tz = &user.settings.time_zone;
    let lines = rows
        .into_iter()
        .map(|r| SlowLine {
            last_shipped: r.last_shipped.map(|at| tz.date_of(at).to_string()).unwrap_or_else(|| "从未出库".into()),
            sku: r.sku,
            name: r.name,
            warehouse: r.warehouse,
            on_hand: r.on_hand,
        })
        .collect();
    Ok((lines, count, rule))
}

pub(super) async fn campaign_lines(tx: &mut Tx, user: &CurrentUser, p: &Period) -> AppResult<Vec<CampaignLine>> {
    let month = p.month();
    let rows = repo::campaigns(tx, user.tenant_id, (month.first_day(), p.to)).await?;
    Ok(rows
        .into_iter()
        .map(|r| CampaignLine {
            id: r.id,
            department: Dept::parse(&r.department).map_or(r.department.clone(), |d| d.label().to_owned()),
            status: CampaignStatus::parse(&r.status).map_or(r.status.clone(), |s| s.label().to_owned()),
            dates: format!("{} 至 {}", r.starts_on, r.ends_on),
            sales: money(r.sales_fen),
            sales_plain: Fen(r.sales_fen).to_string(),
            cost: money(r.cost_fen),
            cost_plain: Fen(r.cost_fen).to_string(),
            roi: campaign_kpi::ratio(r.sales_fen, r.cost_fen),
            campaign_no: r.campaign_no,
            theme: r.theme,
        })
        .collect())
}

fn complaint_line(
    code: String,
    category: String,
    received: i64,
    on_time: i64,
    late: i64,
    unanswered: i64,
) -> ComplaintLine {
    ComplaintLine {
        on_time_rate: campaign_kpi::percent(on_time, received),
        code,
        category,
        received,
        on_time,
        late,
        unanswered,
    }
}

pub(super) async fn complaint_lines(
    tx: &mut Tx,
    user: &CurrentUser,
    p: &Period,
) -> AppResult<(Vec<ComplaintLine>, Option<ComplaintLine>)> {
    let rows = repo::complaints(tx, user.tenant_id, measure::instants(user, p)).await?;
    let mut lines = Vec::new();
    let (mut r, mut o, mut l, mut u) = (0, 0, 0, 0);
    // In the order of the complaint form's categories.
    for c in Category::ALL.iter().copied() {
        if let Some(row) = rows.iter().find(|x| x.category == c.code()) {
            (r, o, l, u) = (r + row.received, o + row.on_time, l + row.late, u + row.unanswered);
            lines.push(complaint_line(
                row.category.clone(),
                c.label().into(),
                row.received,
                row.on_time,
                row.late,
                row.unanswered,
            ));
        }
    }
    let total = (r > 0).then(|| complaint_line("total".into(), "合计".into(), r, o, l, u));
    Ok((lines, total))
}

/// The whole report of `m` (the charts included).
async fn load(tx: &mut Tx, user: &CurrentUser, m: YearMonth, now: DateTime<Utc>) -> AppResult<Report> {
    let p = period_of(m, user.today)?;
    crate::db::compact_rollups(tx).await?;
    let (figures, previous_label, year_label) = figure_lines(tx, user, &p, now).await?;
    let charts = dash::load(tx, user, &p, now).await?.map(|d| d.charts).unwrap_or_default();
    let products = product_lines(tx, user, &p).await?;
    let (slow, slow_count, slow_rule) = slow_lines(tx, user, &p, now).await?;
    let campaigns = campaign_lines(tx, user, &p).await?;
    let (complaints, complaints_total) = complaint_lines(tx, user, &p).await?;
    Ok(Report {
        month: m.to_string(),
        month_label: month_label(m),
        from: p.from.to_string(),
        to: p.to.to_string(),
        current: YearMonth::of(user.today) == Some(m),
        previous_label,
        year_label,
        figures,
        charts,
        products,
        slow,
        slow_count,
        slow_rule,
        campaigns,
        complaints,
        complaints_total,
    })
}

fn text_view(t: &repo::Text, user: &CurrentUser) -> TextView {
    let saved_by = match (&t.updated_by, t.updated_at) {
        (Some(who), Some(at)) => format!("{who} 于 {} 保存", crate::web::local_time(at, &user.settings.time_zone)),
        _ => String::new(),
    };
    TextView {
        conclusions: t.conclusions.clone(),
        suggestions: t.suggestions.clone(),
        version: t.version,
        saved_conclusions: t.conclusions.clone(),
        saved_suggestions: t.suggestions.clone(),
        saved_by,
        ..TextView::default()
    }
}

fn page(cx: &mut Ctx, r: Report, text: TextView, print: bool) -> ReportPage {
    let today = cx.user.today;
    let this = YearMonth::of(today);
    let m: Option<YearMonth> = r.month.parse().ok();
    let prev = m.and_then(YearMonth::previous).map(|x| x.to_string()).unwrap_or_default();
    let next = m.and_then(YearMonth::next).filter(|n| Some(*n) <= this).map(|x| x.to_string()).unwrap_or_default();
    ReportPage {
        chrome: cx.chrome(format!("运营月报 {}", r.month_label), PATH),
        may_write: cx.can(Action::ReportsWrite),
        month_max: this.map(|x| x.to_string()).unwrap_or_default(),
        prev_month: prev,
        next_month: next,
        max_chars: MAX_CHARS,
        print,
        r,
        text,
    }
}

/// `GET /reports/monthly?month=YYYY-MM[&print=1]`.
pub async fn show_page(mut cx: Ctx, Query(q): Query<ReportQuery>) -> AppResult<ReportPage> {
    cx.require(Action::ReportsView)?;
    let m = month_of(&q.month, cx.user.today)?;
    let mut tx = cx.begin().await?;
    let r = load(&mut tx, &cx.user, m, Utc::now()).await?;
    let t = repo::text(&mut tx, cx.user.tenant_id, m.first_day()).await?;
    tx.commit().await?;
    let text = text_view(&t, &cx.user);
    Ok(page(&mut cx, r, text, q.print == "1"))
}

/// A textarea's text as stored: line ends as `\n`, surrounding blanks dropped.
fn clean(raw: &str) -> String {
    raw.replace("\r\n", "\n").replace('\r', "\n").trim().to_owned()
}

fn too_long(s: &str, what: &str) -> String {
    if s.chars().count() > MAX_CHARS {
        format!("{what}最多 {MAX_CHARS} 字（现在 {} 字）", s.chars().count())
    } else {
        String::new()
    }
}

/// The page again with what was typed, at `status`.
async fn refused(mut cx: Ctx, mut tx: Tx, m: YearMonth, status: StatusCode, text: TextView) -> AppResult<Response> {
    let r = load(&mut tx, &cx.user, m, Utc::now()).await?;
    tx.rollback().await?;
    Ok((status, page(&mut cx, r, text, false)).into_response())
}

/// `POST /reports/monthly/{YYYY-MM}`: `conclusions`, `suggestions` (each at most
/// [`MAX_CHARS`] characters) and `version` (the one the form was loaded at). Too
/// long: the page again with what was typed (422). Saved by someone else since the
/// form was loaded: 409, the page with what was typed and the saved text. The same
/// text again writes nothing. One audit row per save, before and after.
pub async fn save(
    cx: Ctx,
    meta: RequestMeta,
    Path(month): Path<String>,
    Form(form): Form<TextForm>,
) -> AppResult<Response> {
    cx.require(Action::ReportsWrite)?;
    let m = month_of(&month, cx.user.today)?;
    let version: i32 = form
        .version
        .trim()
        .parse()
        .ok()
        .filter(|v| *v >= 0)
        .ok_or_else(|| AppError::BadRequest("表单版本无效，请重新打开页面".into()))?;
    let (conclusions, suggestions) = (clean(&form.conclusions), clean(&form.suggestions));
    let tid = cx.user.tenant_id;
    let mut tx = cx.begin().await?;
    let stored = repo::text_for_update(&mut tx, tid, m.first_day()).await?;
    let typed = |stored: &repo::Text, cx: &Ctx| TextView {
        conclusions: form.conclusions.replace("\r\n", "\n"),
        suggestions: form.suggestions.replace("\r\n", "\n"),
        version,
        ..text_view(stored, &cx.user)
    };
    let (ec, es) = (too_long(&conclusions, "结论"), too_long(&suggestions, "建议"));
    if !ec.is_empty() || !es.is_empty() {
        let text = TextView {
            error_conclusions: ec,
            error_suggestions: es,
            error: "内容过长，未保存。".into(),
            ..typed(&stored, &cx)
        };
        return refused(cx, tx, m, StatusCode::UNPROCESSABLE_ENTITY, text).await;
    }
    let stale = |stored: &repo::Text, cx: &Ctx| {
        TextView {
        error: format!(
            "未保存：打开此页后，{} 已保存了新的内容（第 {} 版）。下方输入框保留了您输入的内容，已保存的内容见「已保存」；确认后再次保存将覆盖已保存的内容。",
            stored.updated_by.as_deref().unwrap_or("他人"),
            stored.version
        ),
        // The next save is against what is saved now.
        version: stored.version,
        ..typed(stored, cx)
    }
    };
    if stored.version != version {
        let text = stale(&stored, &cx);
        return refused(cx, tx, m, StatusCode::CONFLICT, text).await;
    }
    let label = month_label(m);
    if stored.conclusions == conclusions && stored.suggestions == suggestions {
        tx.rollback().await?;
        return Ok(Flash::success(format!("{label} 月报的结论与建议没有改动")).redirect(&format!("{PATH}?month={m}")));
    }
    if !repo::save_text(&mut tx, tid, m.first_day(), &conclusions, &suggestions, version + 1, cx.user.user_id).await? {
        // Another first save committed while this one waited at the key.
        tx.rollback().await?;
        let mut tx = cx.begin().await?;
        let now_stored = repo::text(&mut tx, tid, m.first_day()).await?;
        let text = stale(&now_stored, &cx);
        return refused(cx, tx, m, StatusCode::CONFLICT, text).await;
    }
    let as_json = |t: &str, s: &str, v: i32| json!({ "conclusions": t, "suggestions": s, "version": v });
    let entry = Entry {
        action: "report.monthly_save",
        entity_type: Some("monthly_reports"),
        entity_id: Some(m.to_string()),
        summary: format!("保存 {label} 运营月报的结论与建议（第 {} 版）", version + 1),
        before: (stored.version > 0).then(|| as_json(&stored.conclusions, &stored.suggestions, stored.version)),
        after: Some(as_json(&conclusions, &suggestions, version + 1)),
    };
    audit::by_user(&mut tx, &cx.user, &meta, entry).await?;
    tx.commit().await?;
    Ok(Flash::success(format!("已保存 {label} 月报的结论与建议")).redirect(&format!("{PATH}?month={m}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> chrono::NaiveDate {
        chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn months_default_to_last_and_refuse_bad_and_future_ones() {
        let today = d("2026-12-03");
        assert_eq!(month_of("", today).unwrap().to_string(), "2026-11");
        assert_eq!(month_of("2026-12", today).unwrap().to_string(), "2026-12");
        assert_eq!(month_of("2025-01", today).unwrap().to_string(), "2025-01");
        for bad in ["2026-13", "2026-1", "x", "1899-12"] {
            assert!(matches!(month_of(bad, today), Err(AppError::BadRequest(m)) if m.contains("无效")), "{bad}");
        }
        assert!(matches!(month_of("2027-01", today), Err(AppError::BadRequest(m)) if m.contains("还没有到")));
    }

    #[test]
    fn changes_are_relative_or_in_points_and_never_divide_by_zero() {
        use Value::*;
        assert_eq!(change(Some(Fen(12_000)), Some(Fen(10_000)), Unit::Yuan), "+20.00%");
        assert_eq!(change(Some(Count(1)), Some(Count(3)), Unit::Count), "-66.67%");
        assert_eq!(change(Some(Count(3)), Some(Count(3)), Unit::Count), "0.00%");
        assert_eq!(change(Some(Count(3)), Some(Count(0)), Unit::Count), "—");
        assert_eq!(change(None, Some(Count(3)), Unit::Count), "—");
        assert_eq!(change(Some(Hundredths(9_000)), Some(Hundredths(8_875)), Unit::Percent), "+1.25 个百分点");
        assert_eq!(change(Some(Fen(-500)), Some(Fen(-1_000)), Unit::Yuan), "+50.00%");
    }
}
