//! A campaign's daily results (issue 12, items 3 and 4): per day and channel its
//! exposure, clicks, conversions, participants, sales and cost (`campaign_metrics`,
//! upserted by day and channel), entered on the campaign page's form
//! (`POST /campaigns/{id}/metrics`) or imported (`yunying import campaign-metrics`
//! and the web upload, both `imports::campaign_metrics`); the campaign page's
//! section of them ([`section`]: totals, CTR, CVR, ROI and budget used as
//! `campaigns::kpi` computes them, the daily table and chart, the over-budget
//! warning) and its reconciliation with the real orders tagged with the campaign;
//! the daily results as CSV (`GET /campaigns/{id}/metrics.csv`).
//!
//! Which days take results (CONTRACT.md "Campaigns"): from `starts_on` to the
//! earlier of `ends_on` and today, of a campaign whose stored status is `approved`
//! (`running` and `ended` are `approved` read against the dates); a `summarized`
//! campaign is read-only. The channel must be one of the campaign's.
//!
//! This module knows nothing of the campaigns core: it reads the few columns it
//! needs into a [`CampaignRef`] of its own, with the scope of `repo::fetch`.

mod handlers;
pub mod repo;
mod views;

use axum::routing::get;
use axum::Router;
use chrono::NaiveDate;

use crate::app::state::AppState;
use crate::db::Tx;
use crate::people::{Action, Dept, Level};
use crate::rules::Fen;
use crate::web::CurrentUser;

pub use super::kpi::{Kpis, Totals};
pub use super::{channel_label, Channel};
pub use views::{DayView, EntryForm, Reconciliation, Section, TotalsView};

/// The routes of the daily results (merged into the campaigns router). The web
/// upload of the metrics file is `imports::upload` (imports sit above campaigns).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/campaigns/{id}/metrics", get(handlers::page).post(handlers::enter))
        .route("/campaigns/{id}/metrics.csv", get(handlers::export))
}

/// What the daily results need to know of a campaign.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CampaignRef {
    pub id: i64,
    pub campaign_no: String,
    /// The drafting department (`marketing` or `ops`): its operators enter results.
    pub department: String,
    /// The stored status (`approved`, `summarized`, `draft`…), not read against dates.
    pub status: String,
    /// Approved at least once (`approved_at` set): a raise of its budget waiting
    /// for approval leaves it running at the budget approved before.
    pub ever_approved: bool,
    pub budget_fen: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// Channel codes, in the campaign's order.
    pub channels: Vec<String>,
}

/// Why a campaign takes no results at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Closed {
    /// Reviewed: read-only.
    Summarized,
    /// Not approved (draft, submitted, rejected, cancelled…).
    NotApproved,
}

impl Closed {
    pub fn message(self, campaign_no: &str) -> String {
        match self {
            Closed::Summarized => format!("活动 {campaign_no} 已复盘，数据只读，不能再录入或导入"),
            Closed::NotApproved => format!("活动 {campaign_no} 尚未批准，不能录入或导入数据"),
        }
    }
}

impl CampaignRef {
    /// `Err` when the campaign takes no results whatever the day: it takes them when
    /// approved, and while a raise of its budget waits for approval.
    pub fn open(&self) -> Result<(), Closed> {
        match self.status.as_str() {
            "approved" => Ok(()),
            "submitted" | "director_pending" if self.ever_approved => Ok(()),
            "summarized" => Err(Closed::Summarized),
            _ => Err(Closed::NotApproved),
        }
    }

    /// The first and last day that take results on `today` (`None`: none yet,
    /// the campaign starts later).
    pub fn window(&self, today: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
        let last = self.ends_on.min(today);
        (last >= self.starts_on).then_some((self.starts_on, last))
    }

    /// `day` takes results on `today`, or the message why not.
    pub fn check_day(&self, day: NaiveDate, today: NaiveDate) -> Result<(), String> {
        match self.window(today) {
            Some((first, last)) if (first..=last).contains(&day) => Ok(()),
            Some((first, last)) => {
                Err(format!("日期 {day} 不在活动 {} 可录入的 {first} 至 {last} 之间", self.campaign_no))
            }
            None => Err(format!("活动 {} 于 {} 开始，开始前不能录入数据", self.campaign_no, self.starts_on)),
        }
    }

    /// `channel` is one of the campaign's, or the message why not.
    pub fn check_channel(&self, channel: Channel) -> Result<(), String> {
        if self.channels.iter().any(|c| c == channel.code()) {
            Ok(())
        } else {
            let own: Vec<&str> = self.channels.iter().map(|c| channel_label(c)).collect();
            Err(format!("活动 {} 没有渠道「{}」（其渠道：{}）", self.campaign_no, channel.label(), own.join("、")))
        }
    }
}

/// Whether `user` may enter or import results of campaigns of `department`: a
/// marketing or ops specialist or manager of that department.
pub fn may_enter(user: &CurrentUser, department: &str) -> bool {
    user.can(Action::CampaignsOperate) && user.dept.code() == department
}

/// Whose campaigns a user sees (`repo::fetch`): directors all; marketing and ops
/// (any level) their department's; the managers of ops, service and warehouse,
/// who are told of approved campaigns, those approved (and summarized).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Visibility {
    pub all: bool,
    pub department: Option<&'static str>,
    pub approved: bool,
}

impl Visibility {
    pub fn of(user: &CurrentUser) -> Self {
        Visibility {
            all: user.level == Level::Director,
            department: matches!(user.dept, Dept::Marketing | Dept::Ops).then(|| user.dept.code()),
            approved: user.level == Level::Manager && matches!(user.dept, Dept::Ops | Dept::Service | Dept::Warehouse),
        }
    }

    pub fn none(&self) -> bool {
        !self.all && self.department.is_none() && !self.approved
    }
}

/// The header of the metrics file (CONTRACT.md "Import files"), and of the CSV export.
pub const FILE_HEADER: &[&str] =
    &["campaign_no", "date", "channel", "exposure", "clicks", "conversions", "participants", "sales", "cost"];

/// The largest count of one day and channel (a typo, not a real export, beyond it).
pub const MAX_COUNT: i64 = 1_000_000_000_000;
/// The largest sales or cost of one day and channel: 1 亿元.
pub const MAX_FEN: i64 = 10_000_000_000;

/// A count as typed: an integer from 0 to [`MAX_COUNT`].
pub fn count(s: &str) -> Result<i64, String> {
    match s.parse::<i64>() {
        Ok(v) if (0..=MAX_COUNT).contains(&v) && !s.starts_with('+') => Ok(v),
        _ if s.is_empty() => Err("不能为空（没有时填 0）".into()),
        _ => Err(format!("“{s}”不是有效数量（0 或正整数）")),
    }
}

/// Money as typed: yuan, non-negative, at most two decimals, at most 1 亿.
pub fn money(s: &str) -> Result<i64, String> {
    if s.is_empty() {
        return Err("不能为空（没有时填 0）".into());
    }
    match Fen::parse_non_negative_yuan(s) {
        Ok(f) if f.fen() <= MAX_FEN => Ok(f.fen()),
        _ => Err(format!("“{s}”不是有效金额（元，非负，最多两位小数，不超过 1 亿）")),
    }
}

/// A channel as typed: its code or its Chinese name.
pub fn channel(s: &str) -> Result<Channel, String> {
    if s.is_empty() {
        return Err("不能为空".into());
    }
    Channel::parse_code_or_label(s).ok_or_else(|| format!("“{s}”不是有效渠道（{}）", Channel::codes()))
}

/// What a row's figures say that platform exports sometimes do (more clicks than
/// exposure, more conversions than clicks): kept as they are, and pointed out.
pub fn oddities(t: &Totals) -> Vec<&'static str> {
    let mut out = Vec::new();
    if t.clicks > t.exposure {
        out.push("点击数大于曝光数");
    }
    if t.conversions > t.clicks {
        out.push("转化数大于点击数");
    }
    out
}

/// The campaign page's section of the daily results of `c` for `user` (who sees
/// the campaign: the caller has checked), on `user.today`: totals, the four
/// figures, the daily table and chart, the warnings, the reconciliation with the
/// real orders, and the entry form when the user may enter results; `page` of the
/// daily table.
pub async fn section(
    tx: &mut Tx,
    user: &CurrentUser,
    c: &CampaignRef,
    page: Option<i64>,
) -> Result<Section, sqlx::Error> {
    views::build(tx, user, c, EntryForm::blank(c, user.today), page).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn campaign(status: &str) -> CampaignRef {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        CampaignRef {
            id: 1,
            campaign_no: "HD-000001".into(),
            department: "marketing".into(),
            status: status.into(),
            ever_approved: false,
            budget_fen: 100,
            starts_on: d("2026-12-01"),
            ends_on: d("2026-12-10"),
            channels: vec!["taobao".into(), "douyin".into()],
        }
    }

    #[test]
    fn days_from_the_start_to_the_earlier_of_the_end_and_today() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let c = campaign("approved");
        assert_eq!(c.window(d("2026-11-30")), None);
        assert_eq!(c.window(d("2026-12-01")), Some((d("2026-12-01"), d("2026-12-01"))));
        assert_eq!(c.window(d("2026-12-05")), Some((d("2026-12-01"), d("2026-12-05"))));
        assert_eq!(c.window(d("2027-01-01")), Some((d("2026-12-01"), d("2026-12-10"))));
        let today = d("2026-12-05");
        assert!(c.check_day(d("2026-12-01"), today).is_ok());
        assert!(c.check_day(d("2026-12-05"), today).is_ok());
        assert!(c.check_day(d("2026-12-06"), today).unwrap_err().contains("2026-12-01 至 2026-12-05"));
        assert!(c.check_day(d("2026-11-30"), today).is_err());
        assert!(c.check_day(d("2026-12-01"), d("2026-11-20")).unwrap_err().contains("开始前"));
        assert!(c.check_day(d("2026-12-10"), d("2027-01-01")).is_ok());
        assert!(c.check_day(d("2026-12-11"), d("2027-01-01")).is_err());
    }

    #[test]
    fn only_approved_campaigns_take_results_on_their_channels() {
        assert_eq!(campaign("approved").open(), Ok(()));
        assert_eq!(campaign("summarized").open(), Err(Closed::Summarized));
        for s in ["draft", "submitted", "director_pending", "rejected", "cancelled"] {
            assert_eq!(campaign(s).open(), Err(Closed::NotApproved), "{s}");
        }
        let raised = CampaignRef { ever_approved: true, ..campaign("submitted") };
        assert_eq!(raised.open(), Ok(()), "a raise waiting for approval: still running");
        assert_eq!(CampaignRef { ever_approved: true, ..campaign("director_pending") }.open(), Ok(()));
        assert_eq!(CampaignRef { ever_approved: true, ..campaign("rejected") }.open(), Err(Closed::NotApproved));
        assert_eq!(CampaignRef { ever_approved: true, ..campaign("cancelled") }.open(), Err(Closed::NotApproved));
        let c = campaign("approved");
        assert!(c.check_channel(Channel::Douyin).is_ok());
        assert!(c.check_channel(Channel::Jd).unwrap_err().contains("淘宝、抖音"));
    }

    #[test]
    fn values_as_typed() {
        assert_eq!(count("0"), Ok(0));
        assert_eq!(count("12345"), Ok(12345));
        for bad in ["-1", "1.5", "x", "+3", "1000000000001", "1e3"] {
            assert!(count(bad).is_err(), "{bad}");
        }
        assert!(count("").unwrap_err().contains("不能为空"));
        assert_eq!(money("12.30"), Ok(1230));
        assert_eq!(money("0"), Ok(0));
        assert_eq!(money("100000000"), Ok(MAX_FEN));
        for bad in ["-1", "1.234", "100000000.01", "¥5", "", "1,000"] {
            assert!(money(bad).is_err(), "{bad}");
        }
        assert_eq!(channel("淘宝"), Ok(Channel::Taobao));
        assert_eq!(channel("xiaohongshu"), Ok(Channel::Xiaohongshu));
        assert!(channel("tmall").is_err());
        let odd = Totals { exposure: 10, clicks: 11, conversions: 12, ..Totals::default() };
        assert_eq!(oddities(&odd), ["点击数大于曝光数", "转化数大于点击数"]);
        assert!(oddities(&Totals { exposure: 10, clicks: 10, conversions: 10, ..Totals::default() }).is_empty());
    }
}
