//! The campaign pages' askama views: the list, the plan form, the record.

use askama::Template;
use askama_web::WebTemplate;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;

use super::repo::{CampaignRow, ListRow};
use super::status::Phase;
use super::{channel_label, Channel, Kind};
use crate::rules::Fen;
use crate::web::forms::Choice;
use crate::web::{local_time, Chrome, FieldErrors, Pager};

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub channel: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub mine: String,
    #[serde(default)]
    pub ack: String,
    #[serde(default)]
    pub review: String,
    #[serde(default)]
    pub summary: String,
    pub page: Option<i64>,
}

/// A list row as shown.
pub struct ListItem {
    pub id: i64,
    pub campaign_no: String,
    pub theme: String,
    pub kind: &'static str,
    pub channels: String,
    pub dates: String,
    pub department: &'static str,
    pub phase: Phase,
    pub short_notice: bool,
    pub drafter: String,
    pub budget: String,
    pub cost: String,
    pub sales: String,
    pub over_budget: bool,
}

impl ListItem {
    pub fn of(r: ListRow, today: NaiveDate) -> Self {
        ListItem {
            phase: Phase::of(r.status, r.starts_on, r.ends_on, today),
            kind: r.kind.label(),
            channels: channels_text(&r.channels),
            dates: format!("{} ~ {}", r.starts_on, r.ends_on),
            department: crate::people::Dept::parse(&r.department).map_or("", |d| d.label()),
            over_budget: r.cost_fen > r.budget_fen,
            budget: Fen(r.budget_fen).to_string(),
            cost: Fen(r.cost_fen).to_string(),
            sales: Fen(r.sales_fen).to_string(),
            id: r.id,
            campaign_no: r.campaign_no,
            theme: r.theme,
            short_notice: r.short_notice,
            drafter: r.drafter_name,
        }
    }
}

pub fn channels_text(codes: &[String]) -> String {
    codes.iter().map(|c| channel_label(c)).collect::<Vec<_>>().join("、")
}

#[derive(Template, WebTemplate)]
#[template(path = "campaigns/list.html")]
pub struct ListPage {
    pub chrome: Chrome,
    pub q: ListQuery,
    pub phases: Vec<Choice>,
    pub kinds: Vec<Choice>,
    pub channels: Vec<Choice>,
    pub rows: Vec<ListItem>,
    pub pager: Pager,
    pub can_draft: bool,
    pub csv_href: String,
    pub scope_note: &'static str,
    /// The sums over every matching campaign (yuan, two decimals): sales, cost, budget.
    pub sums: Vec<ListSum>,
}

/// A `<p class="list-sum">` line: its name (`data-list-sum`), label and value.
pub struct ListSum {
    pub name: &'static str,
    pub label: &'static str,
    pub value: String,
}

/// The plan form as typed (CONTRACT.md's field names; `channels` and `products`
/// comma-separated, or repeated check boxes for the channels).
#[derive(Debug, Default, Clone)]
pub struct CampaignForm {
    pub theme: String,
    pub kind: String,
    pub channels: String,
    pub budget: String,
    pub starts_on: String,
    pub ends_on: String,
    pub goal: String,
    pub target_sales: String,
    pub products: String,
    pub place: String,
    pub how_to_join: String,
}

impl CampaignForm {
    /// Read a urlencoded body; repeated `channels` are joined with commas.
    pub fn parse(body: &[u8]) -> Self {
        let mut f = CampaignForm::default();
        let mut channels = Vec::new();
        for (k, v) in form_urlencoded::parse(body) {
            let v = v.trim().to_owned();
            match &*k {
                "theme" => f.theme = v,
                "kind" => f.kind = v,
                "channels" => channels.push(v),
                "budget" => f.budget = v,
                "starts_on" => f.starts_on = v,
                "ends_on" => f.ends_on = v,
                "goal" => f.goal = v,
                "target_sales" => f.target_sales = v,
                "products" => f.products = v,
                "place" => f.place = v,
                "how_to_join" => f.how_to_join = v,
                _ => {}
            }
        }
        f.channels = channels.into_iter().filter(|c| !c.is_empty()).collect::<Vec<_>>().join(",");
        f
    }

    pub fn of(c: &CampaignRow, skus: &[String]) -> Self {
        CampaignForm {
            theme: c.theme.clone(),
            kind: c.kind.code().to_owned(),
            channels: c.channels.join(","),
            budget: Fen(c.budget_fen).to_string(),
            starts_on: c.starts_on.to_string(),
            ends_on: c.ends_on.to_string(),
            goal: c.goal.clone(),
            target_sales: c.target_sales_fen.map(|f| Fen(f).to_string()).unwrap_or_default(),
            products: skus.join(","),
            place: c.place.clone(),
            how_to_join: c.how_to_join.clone(),
        }
    }

    /// Whether channel `code` is among the typed ones (the check boxes).
    pub fn has_channel(&self, code: &str) -> bool {
        self.channels.split([',', '，']).any(|c| c.trim() == code)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "campaigns/form.html")]
pub struct FormPage {
    pub chrome: Chrome,
    /// `None` for a new plan, else the campaign's id and number.
    pub editing: Option<(i64, String)>,
    pub form: CampaignForm,
    pub errors: FieldErrors,
    pub kinds: Vec<Choice>,
    pub channels: Vec<Choice>,
    pub prep_days: i64,
}

/// What was typed in the record page's forms (shown again with their errors).
#[derive(Debug, Default, Clone)]
pub struct Typed {
    pub comment: String,
    pub budget: String,
    pub reason: String,
    pub summary: String,
    pub lessons: String,
    pub suggestions: String,
    pub review: String,
    pub cancel_reason: String,
}

pub struct AckView {
    pub name: String,
    pub department: &'static str,
    pub at: Option<String>,
}

pub struct VersionView {
    pub version: i32,
    pub budget: String,
    pub by: String,
    pub at: String,
    pub approved_at: Option<String>,
}

pub struct EventView {
    pub what: &'static str,
    pub actor: String,
    pub note: String,
    pub at: String,
}

pub fn event_label(kind: &str) -> &'static str {
    match kind {
        "draft" => "起草",
        "edit" => "修改",
        "submit" => "提交审批",
        "approve" => "批准",
        "reject" => "驳回",
        "raise" => "追加预算",
        "ack" => "知悉",
        "metrics" => "录入效果数据",
        "summary" => "复盘",
        "review" => "点评复盘",
        "cancel" => "取消",
        _ => "其他",
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "campaigns/show.html")]
pub struct ShowPage {
    pub chrome: Chrome,
    pub c: CampaignRow,
    pub phase: Phase,
    pub kind: &'static str,
    pub department: &'static str,
    pub channels: String,
    pub budget: String,
    /// The budget approved before a raise that waits for approval.
    pub approved_budget: Option<String>,
    pub target_sales: Option<String>,
    pub products: Vec<(i64, String, String)>,
    /// Other live campaigns on the same products at the same time.
    pub overlaps: Vec<(i64, String, String, String)>,
    pub versions: Vec<VersionView>,
    pub acks: Vec<AckView>,
    pub timeline: Vec<EventView>,
    pub prep_days: i64,
    pub needs_director: bool,
    pub threshold: String,
    pub can_edit: bool,
    pub can_submit: bool,
    pub can_decide: bool,
    pub can_budget: bool,
    pub can_ack: bool,
    pub acked: bool,
    pub can_summary: bool,
    pub can_review: bool,
    pub can_cancel: bool,
    pub errors: FieldErrors,
    pub typed: Typed,
    pub tz: crate::tz::TimeZone,
    /// The daily results, KPIs, chart and reconciliation (`campaigns::metrics`).
    pub metrics: super::metrics::Section,
    /// Against the target sales (复盘): the reported sales and the real orders as a
    /// share of it (`None` without a target).
    pub against_target: Option<(String, String)>,
}

impl ShowPage {
    /// A time of the record in the tenant's time zone (`""` when not set).
    pub fn when(&self, at: &Option<DateTime<Utc>>) -> String {
        at.map(|a| local_time(a, &self.tz)).unwrap_or_default()
    }
}

/// Choices of the kinds and channels, for forms and filters.
pub fn kind_choices() -> Vec<Choice> {
    Choice::all(Kind::ALL)
}

pub fn channel_choices() -> Vec<Choice> {
    Choice::all(Channel::ALL)
}
