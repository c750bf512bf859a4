//! Stocktake pages (askama) and their view models.

use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::repo::{CountRow, Header, Line, ListRow, Stats, Warehouse};
use crate::web::forms::Choice;
use crate::web::{local_time, Chrome, FieldErrors, Pager};

// ---------- list ----------

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub warehouse_id: String,
    pub page: Option<i64>,
}

#[derive(Template, WebTemplate)]
#[template(path = "stocktake/list.html")]
pub struct ListPage {
    pub chrome: Chrome,
    pub q: ListQuery,
    pub statuses: Vec<Choice>,
    pub warehouses: Vec<Warehouse>,
    pub rows: Vec<ListRow>,
    pub pager: Pager,
    pub can_open: bool,
    pub tz: crate::tz::TimeZone,
}

impl ListPage {
    pub fn created(&self, r: &ListRow) -> String {
        local_time(r.created_at, &self.tz)
    }

    pub fn wh_selected(&self, w: &Warehouse) -> bool {
        self.q.warehouse_id == w.id.to_string()
    }
}

// ---------- open ----------

#[derive(Debug, Default, Deserialize)]
pub struct NewForm {
    #[serde(default)]
    pub warehouse_id: String,
    #[serde(default)]
    pub sku_prefix: String,
    #[serde(default)]
    pub scope_note: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "stocktake/new.html")]
pub struct NewPage {
    pub chrome: Chrome,
    pub form: NewForm,
    pub errors: FieldErrors,
    pub warehouses: Vec<Warehouse>,
    /// The warehouse's open count, when that is what stopped this one: (id, no).
    pub open_one: Option<(i64, String)>,
}

impl NewPage {
    pub fn wh_selected(&self, w: &Warehouse) -> bool {
        self.form.warehouse_id == w.id.to_string()
    }
}

// ---------- record page ----------

#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    #[serde(default)]
    pub sku: String,
    #[serde(default)]
    pub diff: String,
    pub page: Option<i64>,
}

pub struct EventView {
    pub label: &'static str,
    pub actor: String,
    pub comment: String,
    pub at: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "stocktake/show.html")]
pub struct ShowPage {
    pub chrome: Chrome,
    pub st: Header,
    pub stats: Stats,
    pub q: ShowQuery,
    pub lines: Vec<Line>,
    pub pager: Pager,
    pub events: Vec<EventView>,
    /// Book quantities and differences are shown (approvers, submitted on).
    pub with_book: bool,
    pub can_count: bool,
    pub can_submit: bool,
    pub can_decide: bool,
    pub can_cancel: bool,
    pub is_opener: bool,
    pub comment: String,
    pub errors: FieldErrors,
    pub created: String,
    pub reason_units: i64,
    pub reason_percent: i64,
}

impl ShowPage {
    pub fn percent(&self) -> i64 {
        if self.st.line_count == 0 {
            100
        } else {
            self.stats.counted * 100 / i64::from(self.st.line_count)
        }
    }
}

// ---------- blind count entry ----------

#[derive(Debug, Default, Deserialize)]
pub struct CountQuery {
    #[serde(default)]
    pub sku: String,
    pub page: Option<i64>,
}

pub struct CountLine {
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    pub spec: String,
    pub unit: String,
    /// What the field shows: the saved count, or what was typed.
    pub qty: String,
    pub reason: String,
    pub error: Option<String>,
    pub needs_reason: bool,
    pub counted_by: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "stocktake/count.html")]
pub struct CountPage {
    pub chrome: Chrome,
    pub st: Header,
    pub sku: String,
    pub lines: Vec<CountLine>,
    pub pager: Pager,
    pub counted: i64,
    /// Submitted: only reasons may still be entered.
    pub reasons_only: bool,
    pub has_errors: bool,
}

impl From<CountRow> for CountLine {
    fn from(r: CountRow) -> Self {
        CountLine {
            product_id: r.product_id,
            qty: r.counted_quantity.map(|q| q.to_string()).unwrap_or_default(),
            reason: r.reason,
            error: None,
            needs_reason: r.needs_reason,
            counted_by: r.counted_by_name.unwrap_or_default(),
            sku: r.sku,
            name: r.name,
            spec: r.spec,
            unit: r.unit,
        }
    }
}

// ---------- printable count sheet ----------

#[derive(Template, WebTemplate)]
#[template(path = "stocktake/sheet.html")]
pub struct SheetPage {
    pub chrome: Chrome,
    pub st: Header,
    pub lines: Vec<CountRow>,
    pub created: String,
}

// ---------- transitions ----------

#[derive(Template, WebTemplate)]
#[template(path = "stocktake/cancel.html")]
pub struct CancelPage {
    pub chrome: Chrome,
    pub st: Header,
}
