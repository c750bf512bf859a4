//! What a dashboard page shows: the figures as cards (grouped by area) and the
//! charts, each with the table of its figures.

use chrono::{DateTime, Utc};

use super::kpi::{Area, Unit};
use super::measure::{self, Figure, Value};
use super::period::{Period, CHOICES};
use super::repo::{self, SalesDay};
use crate::db::Tx;
use crate::orders::codes::Platform;
use crate::people::{Dept, Level, Scope};
use crate::web::chart::{self, Point, Series};
use crate::web::CurrentUser;

/// A figure ready to show.
#[derive(Clone, Debug)]
pub struct Card {
    pub id: &'static str,
    pub label: &'static str,
    pub unit: &'static str,
    /// `data-value` (empty when there is none).
    pub value: String,
    /// As shown: `¥1,234.50`, `12`, `3.45%`, `4.20`, or `—`.
    pub shown: String,
    /// "上期 ¥1,000.00" (period figures), empty otherwise.
    pub previous: String,
    pub rule: &'static str,
    pub href: String,
}

/// `v` as a page shows it in `unit`.
pub fn show(v: Option<Value>, unit: Unit) -> String {
    let Some(v) = v else { return "—".into() };
    match (v, unit) {
        (Value::Fen(f), _) => chart::format_exact(f, chart::Unit::Fen),
        (Value::Count(n), _) => chart::format_exact(n, chart::Unit::Count),
        (Value::Hundredths(h), Unit::Percent) => chart::format_exact(h, chart::Unit::Basis),
        (Value::Hundredths(_), _) => v.plain(),
    }
}

impl Card {
    pub fn of(f: &Figure) -> Card {
        Card {
            id: f.kpi.id,
            label: f.kpi.label,
            unit: f.kpi.unit.code(),
            value: f.value.map(Value::plain).unwrap_or_default(),
            shown: show(f.value, f.kpi.unit),
            previous: f.previous.map(|p| format!("上期 {}", show(Some(p), f.kpi.unit))).unwrap_or_default(),
            rule: f.kpi.rule,
            href: f.href.clone(),
        }
    }
}

/// One area's cards.
#[derive(Clone, Debug)]
pub struct Section {
    pub code: &'static str,
    pub label: &'static str,
    pub cards: Vec<Card>,
}

/// A chart and its table.
#[derive(Clone, Debug)]
pub struct Chart {
    pub title: String,
    /// The SVG (escaped by `web::chart`, safe to insert).
    pub svg: String,
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A user's dashboard for a period, as read.
#[derive(Clone, Debug)]
pub struct Dashboard {
    pub period: Period,
    pub period_label: String,
    pub sections: Vec<Section>,
    pub charts: Vec<Chart>,
}

/// The period selector's options: (query value, label, selected).
pub fn choices(p: &Period) -> Vec<(String, &'static str, bool)> {
    let current = p.query_value();
    CHOICES.iter().map(|(v, l)| ((*v).to_owned(), *l, *v == current)).collect()
}

/// Read `user`'s dashboard for `period` at `now`: `None` when their role has none.
pub async fn load(
    tx: &mut Tx,
    user: &CurrentUser,
    period: &Period,
    now: DateTime<Utc>,
) -> anyhow::Result<Option<Dashboard>> {
    if measure::areas(user).is_empty() {
        return Ok(None);
    }
    crate::db::compact_rollups(tx).await?;
    let figures = measure::figures(tx, user, period, now).await?;
    let mut sections: Vec<Section> = Vec::new();
    for a in Area::ALL {
        let cards: Vec<Card> = figures.iter().filter(|f| f.kpi.area == a).map(Card::of).collect();
        if !cards.is_empty() {
            sections.push(Section { code: a.code(), label: a.label(), cards });
        }
    }
    let charts = charts(tx, user, period, &figures).await?;
    Ok(Some(Dashboard { period: *period, period_label: period.label(), sections, charts }))
}

/// Every day of `p` with its sums (0 on a day without any).
fn daily(p: &Period, days: &[SalesDay], f: fn(&SalesDay) -> i64) -> Vec<Point> {
    let mut it = days.iter().peekable();
    p.each_day()
        .map(|day| {
            let v = it.next_if(|d| d.day == day).map(f).unwrap_or(0);
            Point::new(day.format("%m-%d").to_string(), v)
        })
        .collect()
}

/// A line of the period against the previous one, and the table of both.
fn line(title: &str, unit: chart::Unit, cur: Vec<Point>, prev: Vec<Point>) -> Chart {
    let svg = chart::line_chart(
        title,
        unit,
        &[Series::new("本期", cur.clone()), Series::new("上期", prev.clone()).previous()],
    );
    let rows = cur
        .iter()
        .enumerate()
        .map(|(i, p)| {
            vec![
                p.x.clone(),
                chart::format_exact(p.value, unit),
                prev.get(i).map(|q| format!("{} {}", q.x, chart::format_exact(q.value, unit))).unwrap_or_default(),
            ]
        })
        .collect();
    Chart { title: title.into(), svg, head: vec!["日期".into(), "本期".into(), "上期同日".into()], rows }
}

fn bars(title: &str, unit: chart::Unit, head: &str, points: Vec<Point>) -> Chart {
    let svg = chart::bar_chart(title, unit, &points);
    let rows = points.iter().map(|p| vec![p.x.clone(), chart::format_exact(p.value, unit)]).collect();
    Chart { title: title.into(), svg, head: vec![head.into(), "金额".into()], rows }
}

async fn charts(
    tx: &mut Tx,
    user: &CurrentUser,
    period: &Period,
    figures: &[Figure],
) -> Result<Vec<Chart>, sqlx::Error> {
    let has = |a: Area| figures.iter().any(|f| f.kpi.area == a);
    let tid = user.tenant_id;
    let key = measure::sales_key(user);
    let prev = period.previous();
    let mut out = Vec::new();
    let (cur_days, prev_days) = if has(Area::Sales) || has(Area::AfterSales) {
        (
            repo::sales_series(tx, tid, &key, (period.from, period.to)).await?,
            repo::sales_series(tx, tid, &key, (prev.from, prev.to)).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let tenant = crate::orders::flow::scope(user) == Scope::Tenant;
    if has(Area::Sales) {
        out.push(line(
            "每日销售额",
            chart::Unit::Fen,
            daily(period, &cur_days, |d| d.paid_fen),
            daily(&prev, &prev_days, |d| d.paid_fen),
        ));
        if tenant {
            let by = repo::sales_by(tx, tid, "platform", None, (period.from, period.to)).await?;
            let points = by
                .iter()
                .map(|(k, t)| Point::new(Platform::parse(k).map_or(k.as_str(), |p| p.label()), t.paid_fen))
                .collect();
            out.push(bars("各渠道销售额", chart::Unit::Fen, "渠道", points));
        }
        if user.level == Level::Director {
            let by = repo::sales_by(tx, tid, "dept", None, (period.from, period.to)).await?;
            let points = by
                .iter()
                .map(|(k, t)| Point::new(Dept::parse(k).map_or(k.as_str(), |d| d.label()), t.paid_fen))
                .collect();
            out.push(bars("各部门销售额（归属销售员所在部门）", chart::Unit::Fen, "部门", points));
        }
        if let Scope::Department(d) = crate::orders::flow::scope(user) {
            let by = repo::sales_by(tx, tid, "rep", Some(d.code()), (period.from, period.to)).await?;
            let keys: Vec<String> = by.iter().map(|(k, _)| k.clone()).collect();
            let names = repo::names(tx, tid, "rep", &keys).await?;
            let points = by
                .iter()
                .map(|(k, t)| {
                    let name = names.iter().find(|(id, _)| id == k).map_or(k.as_str(), |(_, n)| n.as_str());
                    Point::new(name, t.paid_fen)
                })
                .collect();
            out.push(bars("销售员销售额", chart::Unit::Fen, "销售员", points));
        }
    }
    if has(Area::AfterSales) {
        out.push(line(
            "每日退款金额",
            chart::Unit::Fen,
            daily(period, &cur_days, |d| d.refund_fen),
            daily(&prev, &prev_days, |d| d.refund_fen),
        ));
    }
    if has(Area::Orders) && tenant {
        let by = repo::sales_by(tx, tid, "warehouse", None, (period.from, period.to)).await?;
        let keys: Vec<String> = by.iter().map(|(k, _)| k.clone()).collect();
        let names = repo::names(tx, tid, "warehouse", &keys).await?;
        let mut points: Vec<Point> = by
            .iter()
            .filter(|(_, t)| t.shipped_orders != 0)
            .map(|(k, t)| {
                let name = names.iter().find(|(id, _)| id == k).map_or(k.as_str(), |(_, n)| n.as_str());
                Point::new(name, t.shipped_orders)
            })
            .collect();
        points.sort_by(|a, b| b.value.cmp(&a.value).then(a.x.cmp(&b.x)));
        let mut c = bars("各仓库发货单数", chart::Unit::Count, "仓库", points);
        c.head[1] = "发货单数".into();
        out.push(c);
    }
    Ok(out)
}
