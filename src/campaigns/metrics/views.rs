//! The daily results as the campaign page shows them (`Section`, rendered by
//! `templates/campaigns/partials/metrics.html` from the including page's field
//! `metrics`), and the page of their own (`GET /campaigns/{id}/metrics`), which
//! is also where a refused entry form is shown again.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use chrono::NaiveDate;

use super::repo::{self, MetricsRow};
use super::{channel_label, may_enter, oddities, CampaignRef, Channel, Kpis, Totals};
use crate::db::Tx;
use crate::web::chart::{self, format_exact, Point, Series, Unit};
use crate::web::forms::Choice;
use crate::web::pagination::Pager;
use crate::web::{Chrome, CurrentUser, FieldErrors};

/// Money as the section shows it: `¥1,234.50`.
fn yuan(fen: i64) -> String {
    format_exact(fen, Unit::Fen)
}

fn count(n: i64) -> String {
    format_exact(n, Unit::Count)
}

/// The totals, formatted.
#[derive(Clone, Debug, Default)]
pub struct TotalsView {
    pub exposure: String,
    pub clicks: String,
    pub conversions: String,
    pub participants: String,
    pub sales: String,
    pub cost: String,
}

impl TotalsView {
    fn of(t: &Totals) -> Self {
        TotalsView {
            exposure: count(t.exposure),
            clicks: count(t.clicks),
            conversions: count(t.conversions),
            participants: count(t.participants),
            sales: yuan(t.sales_fen),
            cost: yuan(t.cost_fen),
        }
    }
}

/// One channel of a day in the daily table.
#[derive(Clone, Debug)]
pub struct ChannelRow {
    pub channel: String,
    pub figures: TotalsView,
    pub ctr: String,
    /// What its figures say that is odd (more clicks than exposure…), or empty.
    pub note: String,
}

/// One day of the daily table: its sales and cost, and its channels.
#[derive(Clone, Debug)]
pub struct DayView {
    pub day: String,
    pub sales: String,
    pub cost: String,
    pub channels: Vec<ChannelRow>,
}

/// Reported sales against the real orders (issue 12, item 4).
#[derive(Clone, Debug, Default)]
pub struct Reconciliation {
    /// The campaign's dates the orders are counted over (tenant time zone days).
    pub from: String,
    pub to: String,
    /// Σ sales of the daily results.
    pub reported: String,
    pub orders: i64,
    pub paid: String,
    pub refunds: i64,
    pub refunded: String,
    /// Paid less refunded.
    pub net: String,
    /// Reported less net, and what it means.
    pub difference: String,
    pub difference_fen: i64,
    pub verdict: String,
}

/// The entry form: one day and channel, as typed (or blank), with its messages.
#[derive(Clone, Debug, Default)]
pub struct EntryForm {
    pub day: String,
    pub channel: String,
    pub exposure: String,
    pub clicks: String,
    pub conversions: String,
    pub participants: String,
    pub sales: String,
    pub cost: String,
    pub errors: FieldErrors,
    /// The campaign's channels.
    pub channels: Vec<Choice>,
    /// The days that take results (`min`/`max` of the date field), empty when none.
    pub first_day: String,
    pub last_day: String,
}

impl EntryForm {
    /// The form of a campaign on `today`: the last day that takes results, its
    /// first channel, no figures.
    pub fn blank(c: &CampaignRef, today: NaiveDate) -> Self {
        let window = c.window(today);
        EntryForm {
            day: window.map(|(_, last)| last.to_string()).unwrap_or_default(),
            channel: c.channels.first().cloned().unwrap_or_default(),
            channels: c
                .channels
                .iter()
                .filter_map(|code| Channel::parse(code))
                .map(|ch| Choice { code: ch.code(), label: ch.label() })
                .collect(),
            first_day: window.map(|(first, _)| first.to_string()).unwrap_or_default(),
            last_day: window.map(|(_, last)| last.to_string()).unwrap_or_default(),
            ..EntryForm::default()
        }
    }
}

/// The campaign page's section of the daily results.
#[derive(Clone, Debug)]
pub struct Section {
    pub campaign_id: i64,
    pub campaign_no: String,
    pub totals: TotalsView,
    /// CTR, CVR, ROI and budget used (`data-kpi="ctr"`…).
    pub kpis: Kpis,
    pub budget: String,
    /// "cost past the budget", when it is.
    pub over_budget: String,
    /// This page's days with results, the latest first ([`DAYS_PER_PAGE`] a page).
    pub days: Vec<DayView>,
    /// The pages of the daily table (links to the metrics page of its own).
    pub days_pager: Pager,
    /// The daily chart (sales and cost), SVG rendered here: safe to show as is.
    pub chart: String,
    pub reconciliation: Reconciliation,
    /// The user may enter results now (the form is shown).
    pub can_enter: bool,
    /// Why results cannot be entered now, for a user who may enter them (empty
    /// when they can, or when the user may not anyway).
    pub closed: String,
    pub form: EntryForm,
    pub csv_href: String,
    pub import_href: String,
    pub form_action: String,
    /// The reported sales and the real orders' net amount, in fen (the summary
    /// compares them with the target).
    pub sales_fen: i64,
    pub net_fen: i64,
}

/// Days a page of the daily table shows: a month. A year of results for eight
/// channels is 2,920 rows — rendering them all was most of the page's cost
/// (bench/RESULTS.md, the campaign page); the chart and the CSV keep every day.
pub const DAYS_PER_PAGE: i64 = 31;

/// The section of `c` for `user` on `user.today`, with `form` as the entry form
/// and `page` of the daily table (1 the latest days).
pub(super) async fn build(
    tx: &mut Tx,
    user: &CurrentUser,
    c: &CampaignRef,
    form: EntryForm,
    page: Option<i64>,
) -> Result<Section, sqlx::Error> {
    let rows = repo::rows(tx, user.tenant_id, c.id).await?;
    crate::db::compact_rollups(tx).await?;
    let figures = repo::order_figures(tx, user.tenant_id, c.id, (c.starts_on, c.ends_on)).await?;
    let total = rows.iter().fold(Totals::default(), |t, r| t.plus(r.values));
    let sums = by_day(&rows);
    let chart = daily_chart(&sums);
    let mut days_pager = Pager::new(&format!("/campaigns/{}/metrics", c.id), page, String::new());
    days_pager.per_page = DAYS_PER_PAGE;
    let days_pager = days_pager.with_total(i64::try_from(sums.len()).unwrap_or(i64::MAX));
    let skip = usize::try_from(days_pager.offset()).unwrap_or(usize::MAX);
    let take = usize::try_from(DAYS_PER_PAGE).unwrap_or(usize::MAX);
    let days = sums.iter().rev().skip(skip).take(take).map(|(day, sum, rs)| day_view(*day, sum, rs)).collect();
    let net = figures.paid_fen.saturating_sub(figures.refunded_fen);
    let difference = total.sales_fen.saturating_sub(net);
    let verdict = match difference {
        0 => "报告销售额与实际订单一致".to_owned(),
        d if d > 0 => format!("报告销售额比实际订单多 {}", yuan(d)),
        d => format!("报告销售额比实际订单少 {}", yuan(d.saturating_neg())),
    };
    let enterer = may_enter(user, &c.department);
    let closed = match (c.open(), c.window(user.today)) {
        (Err(why), _) => why.message(&c.campaign_no),
        (Ok(()), None) => format!("活动于 {} 开始，开始后才能录入数据", c.starts_on),
        (Ok(()), Some(_)) => String::new(),
    };
    Ok(Section {
        campaign_id: c.id,
        campaign_no: c.campaign_no.clone(),
        totals: TotalsView::of(&total),
        kpis: total.kpis(c.budget_fen),
        budget: yuan(c.budget_fen),
        over_budget: if total.over_budget(c.budget_fen) {
            format!(
                "花费 {} 已超过预算 {}（超出 {}）",
                yuan(total.cost_fen),
                yuan(c.budget_fen),
                yuan(total.cost_fen - c.budget_fen)
            )
        } else {
            String::new()
        },
        days,
        days_pager,
        chart,
        reconciliation: Reconciliation {
            from: c.starts_on.to_string(),
            to: c.ends_on.to_string(),
            reported: yuan(total.sales_fen),
            orders: figures.orders,
            paid: yuan(figures.paid_fen),
            refunds: figures.refunds,
            refunded: yuan(figures.refunded_fen),
            net: yuan(net),
            difference: yuan(difference),
            difference_fen: difference,
            verdict,
        },
        can_enter: enterer && closed.is_empty(),
        closed: if enterer { closed } else { String::new() },
        form,
        csv_href: format!("/campaigns/{}/metrics.csv", c.id),
        import_href: "/campaigns/metrics/import".to_owned(),
        form_action: format!("/campaigns/{}/metrics", c.id),
        sales_fen: total.sales_fen,
        net_fen: net,
    })
}

/// The rows grouped by day, in day order, with each day's sum.
fn by_day(rows: &[MetricsRow]) -> Vec<(NaiveDate, Totals, Vec<&MetricsRow>)> {
    let mut days: BTreeMap<NaiveDate, Vec<&MetricsRow>> = BTreeMap::new();
    for r in rows {
        days.entry(r.day).or_default().push(r);
    }
    days.into_iter()
        .map(|(day, rs)| {
            let sum = rs.iter().fold(Totals::default(), |t, r| t.plus(r.values));
            (day, sum, rs)
        })
        .collect()
}

/// One day of the daily table: its channels' rows and its sum.
fn day_view(day: NaiveDate, sum: &Totals, rows: &[&MetricsRow]) -> DayView {
    let channels = rows
        .iter()
        .map(|r| ChannelRow {
            channel: channel_label(&r.channel).to_owned(),
            figures: TotalsView::of(&r.values),
            ctr: crate::campaigns::kpi::percent(r.values.clicks, r.values.exposure),
            note: oddities(&r.values).join("；"),
        })
        .collect();
    DayView { day: day.to_string(), sales: yuan(sum.sales_fen), cost: yuan(sum.cost_fen), channels }
}

/// Sales and cost per day, as a line chart.
fn daily_chart(days: &[(NaiveDate, Totals, Vec<&MetricsRow>)]) -> String {
    let points = |f: fn(&Totals) -> i64| -> Vec<Point> {
        days.iter().map(|(day, t, _)| Point::new(day.format("%m-%d").to_string(), f(t))).collect()
    };
    chart::line_chart(
        "每日销售额与花费",
        Unit::Fen,
        &[Series::new("销售额", points(|t| t.sales_fen)), Series::new("花费", points(|t| t.cost_fen))],
    )
}

/// `GET /campaigns/{id}/metrics`: the daily results of one campaign on a page of
/// their own (the campaign page includes the same partial).
#[derive(Template, WebTemplate)]
#[template(path = "campaigns/metrics.html")]
pub struct MetricsPage {
    pub chrome: Chrome,
    pub metrics: Section,
}
