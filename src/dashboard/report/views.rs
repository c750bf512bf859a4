//! What the monthly report shows: its lines, ready to print, and the page.

use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use crate::dashboard::views::Chart;
use crate::web::Chrome;

/// The page's and the CSV's query string.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ReportQuery {
    /// `YYYY-MM`; last month when empty.
    #[serde(default)]
    pub month: String,
    /// The CSV's table.
    #[serde(default)]
    pub table: String,
    /// `1`: the print view (the edit form left out).
    #[serde(default)]
    pub print: String,
}

/// The save form.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct TextForm {
    #[serde(default)]
    pub conclusions: String,
    #[serde(default)]
    pub suggestions: String,
    /// The version the form was loaded at (0: nothing saved then).
    #[serde(default)]
    pub version: String,
}

/// A figure of the month against last month and the same month last year.
#[derive(Clone, Debug)]
pub struct FigureLine {
    pub id: &'static str,
    pub area: &'static str,
    pub label: &'static str,
    pub rule: &'static str,
    pub href: String,
    /// As shown (`¥1,234.50`, `12`, `3.45%`, `—`) and plain (CSV: `1234.50`, empty
    /// when none).
    pub current: String,
    pub current_plain: String,
    pub previous: String,
    pub previous_plain: String,
    /// `+12.50%`, `-1.25 个百分点`, or `—`.
    pub previous_change: String,
    pub year: String,
    pub year_plain: String,
    pub year_change: String,
}

#[derive(Clone, Debug)]
pub struct ProductLine {
    pub rank: usize,
    pub sku: String,
    pub name: String,
    pub quantity: i64,
    pub orders: i64,
    pub amount: String,
    pub amount_plain: String,
}

#[derive(Clone, Debug)]
pub struct SlowLine {
    pub sku: String,
    pub name: String,
    pub warehouse: String,
    pub on_hand: i64,
    /// The local date of the last shipment before the cut-off, or 从未出库.
    pub last_shipped: String,
}

#[derive(Clone, Debug)]
pub struct CampaignLine {
    pub id: i64,
    pub campaign_no: String,
    pub theme: String,
    pub department: String,
    pub status: String,
    pub dates: String,
    pub sales: String,
    pub sales_plain: String,
    pub cost: String,
    pub cost_plain: String,
    /// Sales ÷ cost, two decimals; `-` when the cost is 0.
    pub roi: String,
}

#[derive(Clone, Debug)]
pub struct ComplaintLine {
    pub code: String,
    pub category: String,
    pub received: i64,
    pub on_time: i64,
    pub late: i64,
    pub unanswered: i64,
    /// On time ÷ received, `12.50%`; `-` for none.
    pub on_time_rate: String,
}

/// The report of one month, as read.
#[derive(Clone, Debug)]
pub struct Report {
    /// `YYYY-MM`, and `2026年11月`.
    pub month: String,
    pub month_label: String,
    pub from: String,
    pub to: String,
    /// The month is this month (figures up to today).
    pub current: bool,
    pub previous_label: String,
    pub year_label: String,
    pub figures: Vec<FigureLine>,
    pub charts: Vec<Chart>,
    pub products: Vec<ProductLine>,
    pub slow: Vec<SlowLine>,
    pub slow_count: i64,
    /// Which 90 days: before the month's end, or before now.
    pub slow_rule: String,
    pub campaigns: Vec<CampaignLine>,
    pub complaints: Vec<ComplaintLine>,
    pub complaints_total: Option<ComplaintLine>,
}

/// The saved text and the form.
#[derive(Clone, Debug, Default)]
pub struct TextView {
    /// What the inputs show: the saved text, or what was typed into a refused form.
    pub conclusions: String,
    pub suggestions: String,
    /// The version the form carries.
    pub version: i32,
    /// The saved text (printed).
    pub saved_conclusions: String,
    pub saved_suggestions: String,
    /// "测试director 于 2026-12-03 10:00 保存" (empty when never saved).
    pub saved_by: String,
    pub error_conclusions: String,
    pub error_suggestions: String,
    /// A refused save, in a sentence.
    pub error: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "dashboard/report.html")]
pub struct ReportPage {
    pub chrome: Chrome,
    pub r: Report,
    pub text: TextView,
    pub may_write: bool,
    pub print: bool,
    /// The month selector's bounds and neighbours.
    pub month_max: String,
    pub prev_month: String,
    pub next_month: String,
    pub max_chars: usize,
}
