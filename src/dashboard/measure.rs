//! The numbers of the registry's figures for one user and period, and the series
//! of the charts: each [`Source`] read once, each figure computed from it.

use chrono::{DateTime, Days, NaiveDate, NaiveTime, Utc};

use super::kpi::{Area, Kpi, Source, REGISTRY};
use super::period::Period;
use super::repo::{self, SalesKey, SalesTotals};
use crate::db::Tx;
use crate::people::{Dept, Level, Scope};
use crate::rules::money::round_half_up_div;
use crate::web::CurrentUser;

/// A figure's value: a count, money in fen, or hundredths (of a percent for a
/// percentage, of one for a ratio).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value {
    Count(i64),
    Fen(i64),
    Hundredths(i64),
}

impl Value {
    /// `data-value`: the plain number (`12`, `1234.50`, `3.45`).
    pub fn plain(self) -> String {
        let two = |v: i64| {
            let sign = if v < 0 { "-" } else { "" };
            let a = v.unsigned_abs();
            format!("{sign}{}.{:02}", a / 100, a % 100)
        };
        match self {
            Value::Count(n) => n.to_string(),
            Value::Fen(f) | Value::Hundredths(f) => two(f),
        }
    }

    pub fn raw(self) -> i64 {
        match self {
            Value::Count(n) | Value::Fen(n) | Value::Hundredths(n) => n,
        }
    }
}

/// One figure of a page.
#[derive(Clone, Debug)]
pub struct Figure {
    pub kpi: &'static Kpi,
    /// `None`: nothing to divide by (shown as "—").
    pub value: Option<Value>,
    /// The same figure over the previous period (period figures only).
    pub previous: Option<Value>,
    pub href: String,
}

/// `num ÷ den` in hundredths, `scale` 100 for a ratio and 10 000 for a
/// percentage, rounded half up; `None` when `den` is not positive.
pub fn hundredths(num: i64, den: i64, scale: i128) -> Option<Value> {
    if den <= 0 {
        return None;
    }
    let sign = if num < 0 { -1 } else { 1 };
    let h = round_half_up_div(i128::from(num.unsigned_abs()) * scale, i128::from(den))?;
    i64::try_from(h).ok().map(|h| Value::Hundredths(sign * h))
}

/// The average of an amount over `count` in fen, half up; `None` for none.
fn average(fen: i64, count: i64) -> Option<Value> {
    if count <= 0 {
        return None;
    }
    round_half_up_div(i128::from(fen), i128::from(count)).and_then(|v| i64::try_from(v).ok()).map(Value::Fen)
}

/// The areas a user's dashboard shows: a director's every area; a manager's their
/// department's; a sales rep their own sales and target.
pub fn areas(user: &CurrentUser) -> Vec<Area> {
    use Area::*;
    match (user.level, user.dept) {
        (Level::Director, _) => Area::ALL.to_vec(),
        (Level::Manager, Dept::Ops) => vec![Sales, Orders, Inventory],
        (Level::Manager, Dept::Service) => vec![AfterSales, Complaints],
        (Level::Manager, Dept::Marketing) => vec![Campaigns],
        (Level::Manager, Dept::Sales) | (Level::Specialist, Dept::Sales) => vec![Sales, Targets],
        (Level::Manager, Dept::Warehouse) => vec![Orders, Inventory],
        (Level::Manager, Dept::Hr) => vec![People, Payroll],
        (Level::Manager, Dept::Finance) => vec![Sales, AfterSales, Payroll],
        _ => Vec::new(),
    }
}

/// Whether `user`'s dashboard shows `k`: its area is theirs and they may open its list
/// (the warehouse sees the shipping figures of the order area, not the review queue).
pub fn shows(user: &CurrentUser, k: &Kpi) -> bool {
    if user.dept == Dept::Warehouse && user.level != Level::Director && k.area == Area::Orders {
        return matches!(k.id, "orders.to_ship" | "orders.shipped_on_time");
    }
    areas(user).contains(&k.area) && user.can(k.needs)
}

/// The `sales_days` rows a user's order scope sums (the order list's scope).
pub fn sales_key(user: &CurrentUser) -> SalesKey {
    match crate::orders::flow::scope(user) {
        Scope::Tenant => SalesKey { dim: "all", key: "-".into() },
        Scope::Department(d) => SalesKey { dim: "dept", key: d.code().into() },
        Scope::Own { user_id } => SalesKey { dim: "rep", key: user_id.to_string() },
    }
}

/// Local midnight of `day` in the user's time zone.
pub fn midnight(user: &CurrentUser, day: NaiveDate) -> DateTime<Utc> {
    user.settings.time_zone.to_utc(day.and_time(NaiveTime::MIN))
}

/// The instants `[from, to)` of a period's days.
pub fn instants(user: &CurrentUser, p: &Period) -> (DateTime<Utc>, DateTime<Utc>) {
    (midnight(user, p.from), midnight(user, p.to.checked_add_days(Days::new(1)).unwrap_or(p.to)))
}

/// Counts capped far above any page (the lists show "N+" past their own cap).
const CAP: i64 = 100_000_000;

fn sales_figure(id: &str, t: &SalesTotals) -> Option<Value> {
    match id {
        "sales.amount" => Some(Value::Fen(t.paid_fen)),
        "sales.orders" => Some(Value::Count(t.paid_orders)),
        "sales.avg_order" => average(t.paid_fen, t.paid_orders),
        "orders.shipped_on_time" => hundredths(t.shipped_on_time, t.shipped_orders, 10_000),
        "refunds.amount" => Some(Value::Fen(t.refund_fen)),
        "refunds.rate" => hundredths(t.refund_fen, t.paid_fen, 10_000),
        _ => None,
    }
}

/// The figures of `user`'s dashboard for `period` at `now`, in registry order.
pub async fn figures(
    tx: &mut Tx,
    user: &CurrentUser,
    period: &Period,
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<Figure>> {
    let shown: Vec<&'static Kpi> = REGISTRY.iter().filter(|k| shows(user, k)).collect();
    let needs = |s: Source| shown.iter().any(|k| k.source == s);
    let tid = user.tenant_id;
    let key = sales_key(user);
    let mut out = Vec::with_capacity(shown.len());
    let (mut sales, mut prev_sales) = (None, None);
    if needs(Source::Sales) {
        sales = Some(repo::sales_totals(tx, tid, &key, (period.from, period.to)).await?);
        let p = period.previous();
        prev_sales = Some(repo::sales_totals(tx, tid, &key, (p.from, p.to)).await?);
    }
    let mut orders = Vec::new();
    if needs(Source::OrderCounts) {
        orders = order_counts(tx, user, &shown).await?;
    }
    let mut clocks = None;
    if needs(Source::Complaints) {
        let scope = crate::complaints::scope(user);
        clocks = Some(repo::complaint_clocks(tx, tid, &scope, instants(user, period), now).await?);
    }
    let mut stock = Vec::new();
    if needs(Source::Stock) {
        stock = stock_figures(tx, user, period, now).await?;
    }
    let mut campaigns = None;
    if needs(Source::Campaigns) {
        campaigns = Some(repo::running_campaigns(tx, user).await?);
    }
    let mut people = (0, 0, 0);
    if needs(Source::People) {
        use crate::hr::{attendance::findings, performance::repo as scores};
        let scope = Scope::for_role(&user.role(), crate::people::scope::Area::People);
        let m = period.month().first_day();
        people = (
            findings::absences(tx, tid, &scope, m, user.today).await?,
            findings::late(tx, tid, &scope, m, user.today).await?,
            scores::scores_missing(tx, tid, &scope, m).await?,
        );
    }
    let mut payroll = None;
    if needs(Source::Payroll) {
        payroll = Some(crate::hr::payroll::month_totals(tx, tid, period.month(), user.today).await?);
    }
    let mut attainment = None;
    if needs(Source::Targets) {
        let m = period.month();
        let month = (m.first_day(), m.last_day());
        attainment = Some(repo::month_attainment(tx, tid, &key, month, m.first_day()).await?);
    }
    for k in shown {
        let (value, previous) = match k.source {
            Source::Sales => (
                sales.as_ref().and_then(|t| sales_figure(k.id, t)),
                prev_sales.as_ref().and_then(|t| sales_figure(k.id, t)),
            ),
            Source::OrderCounts => (orders.iter().find(|(id, _)| *id == k.id).map(|(_, n)| Value::Count(*n)), None),
            Source::Complaints => {
                let c = clocks.unwrap_or_default();
                let v = match k.id {
                    "complaints.on_time" => hundredths(c.met, c.met + c.missed + c.overdue_in_period, 10_000),
                    _ => Some(Value::Count(c.overdue_now)),
                };
                (v, None)
            }
            Source::Stock => (stock.iter().find(|(id, _)| *id == k.id).and_then(|(_, v)| *v), None),
            Source::Campaigns => {
                let (n, sales, cost, budget) = campaigns.unwrap_or_default();
                let v = match k.id {
                    "campaigns.running" => Some(Value::Count(n)),
                    "campaigns.roi" => hundredths(sales, cost, 100),
                    _ => hundredths(cost, budget, 10_000),
                };
                (v, None)
            }
            Source::Targets => {
                let (attained, target) = attainment.unwrap_or_default();
                // Hundredths rounded down, as the targets page shows them.
                let v = crate::targets::attainment::percent_hundredths(attained, target).map(Value::Hundredths);
                (v, None)
            }
            Source::Payroll => {
                let t = payroll.clone().unwrap_or_default();
                let fen = if k.id == "payroll.wage_deduction" { t.wage_deduction } else { t.bonus_payable };
                (Some(Value::Fen(fen)), None)
            }
            Source::People => {
                let n = match k.id {
                    "people.absences" => people.0,
                    "people.late" => people.1,
                    _ => people.2,
                };
                (Some(Value::Count(n)), None)
            }
        };
        out.push(Figure { kpi: k, value, previous, href: (k.href)(period) });
    }
    Ok(out)
}

/// The order desk's counts (see [`repo::order_counts`]) by figure.
async fn order_counts(
    tx: &mut Tx,
    user: &CurrentUser,
    shown: &[&'static Kpi],
) -> Result<Vec<(&'static str, i64)>, sqlx::Error> {
    let c = repo::order_counts(tx, user.tenant_id, &crate::orders::flow::scope(user)).await?;
    let kind = |k: &str| c.held_by_kind.iter().find(|(code, _)| code == k).map_or(0, |(_, n)| *n);
    Ok(shown
        .iter()
        .filter(|k| k.source == Source::OrderCounts)
        .map(|k| {
            let n = match k.id {
                "orders.pending_review" => c.pending_review,
                "orders.held" => c.held,
                "orders.to_ship" => c.to_ship,
                id => kind(id.strip_prefix("orders.held.").unwrap_or(id)),
            };
            (k.id, n)
        })
        .collect())
}

/// Turnover over the period, slow-moving and low stock now.
async fn stock_figures(
    tx: &mut Tx,
    user: &CurrentUser,
    period: &Period,
    now: DateTime<Utc>,
) -> Result<Vec<(&'static str, Option<Value>)>, sqlx::Error> {
    let tid = user.tenant_id;
    let (opening, days) = repo::stock_days(tx, tid, (period.from, period.to)).await?;
    let turnover = turnover(opening, &days, period);
    use crate::inventory::repo::{stock_filtered, StockFilter};
    let since = now - chrono::Duration::days(90);
    let slow = stock_filtered(tx, tid, &StockFilter::default(), Some(since), 0, 0, CAP).await?.1;
    let low = stock_filtered(tx, tid, &StockFilter { low: true, ..Default::default() }, None, 0, 0, CAP).await?.1;
    Ok(vec![
        ("inventory.turnover", turnover),
        ("inventory.slow_moving", Some(Value::Count(slow))),
        ("inventory.low_stock", Some(Value::Count(low))),
    ])
}

/// Shipped cost ÷ the average of the days' closing book values (a ratio): the
/// closing value of a day is the opening value plus the changes up to it.
pub fn turnover(opening: i64, days: &[(NaiveDate, i64, i64)], period: &Period) -> Option<Value> {
    let mut value = i128::from(opening);
    let mut closing_sum: i128 = 0;
    let mut shipped: i128 = 0;
    let mut it = days.iter().peekable();
    for day in period.each_day() {
        while let Some((_, change, cost)) = it.next_if(|(d, _, _)| *d <= day) {
            value += i128::from(*change);
            shipped += i128::from(*cost);
        }
        closing_sum += value;
    }
    // shipped ÷ (closing_sum ÷ days) = shipped × days ÷ closing_sum.
    if closing_sum <= 0 {
        return None;
    }
    let h = round_half_up_div(shipped * i128::from(period.days()) * 100, closing_sum)?;
    i64::try_from(h).ok().map(Value::Hundredths)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dashboard::period::Kind;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn rates_round_half_up_and_divide_by_zero_to_none() {
        assert_eq!(hundredths(1, 8, 10_000), Some(Value::Hundredths(1250)));
        assert_eq!(hundredths(1, 32, 10_000), Some(Value::Hundredths(313)));
        assert_eq!(hundredths(5, 0, 10_000), None);
        assert_eq!(hundredths(42, 10, 100), Some(Value::Hundredths(420)));
        assert_eq!(average(1001, 2), Some(Value::Fen(501)));
        assert_eq!(average(0, 0), None);
        assert_eq!(Value::Fen(123450).plain(), "1234.50");
        assert_eq!(Value::Hundredths(-5).plain(), "-0.05");
        assert_eq!(Value::Count(7).plain(), "7");
    }

    #[test]
    fn turnover_is_shipped_cost_over_the_average_closing_value() {
        // Three days; opening ¥100.00; day 2 receives ¥200.00 and ships ¥50.00 of it.
        let p = Period { kind: Kind::Last30, from: d("2026-03-01"), to: d("2026-03-03") };
        let days = [(d("2026-03-02"), 15_000, 5_000)];
        // Closings 10 000, 25 000, 25 000: average 20 000; 5 000 ÷ 20 000 = 0.25.
        assert_eq!(turnover(10_000, &days, &p), Some(Value::Hundredths(25)));
        assert_eq!(turnover(0, &[], &p), None, "no stock: nothing to divide by");
    }
}
