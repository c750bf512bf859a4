//! The replenishment pages' askama views: the form, the list, the record.

use askama::Template;
use askama_web::WebTemplate;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::flow::RequestStatus;
use super::repo::{Levels, RequestRow};
use super::yuan;
use crate::web::forms::{Choice, DecisionForm};
use crate::web::{local_time, Chrome, FieldErrors, Pager};

#[derive(Clone, Debug, Default, Deserialize)]
pub struct RequestForm {
    #[serde(default)]
    pub sku: String,
    #[serde(default)]
    pub warehouse: String,
    #[serde(default)]
    pub quantity: String,
    #[serde(default)]
    pub reason: String,
}

pub struct WarehouseChoice {
    pub code: String,
    pub name: String,
}

/// What the form shows about the chosen item.
pub struct ItemInfo {
    pub sku: String,
    pub name: String,
    pub unit: String,
    pub warehouse: String,
    pub levels: Levels,
    pub unit_cost_fen: i64,
}

impl ItemInfo {
    pub fn unit_cost(&self) -> String {
        yuan(self.unit_cost_fen)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "purchasing/request_form.html")]
pub struct RequestFormPage {
    pub chrome: Chrome,
    pub form: RequestForm,
    pub errors: FieldErrors,
    pub warehouses: Vec<WarehouseChoice>,
    pub info: Option<ItemInfo>,
    /// The open request of this item (a second one is refused).
    pub existing: Option<i64>,
    pub threshold: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    pub sku: String,
    #[serde(default)]
    pub warehouse: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub warehouse: String,
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub mine: String,
    pub page: Option<i64>,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ListRow {
    pub id: i64,
    pub sku: String,
    pub product_name: String,
    pub warehouse_code: String,
    pub quantity: i64,
    pub value_fen: i64,
    pub status: RequestStatus,
    pub requester_name: String,
    pub created_at: DateTime<Utc>,
}

impl ListRow {
    pub fn status_label(&self) -> &'static str {
        self.status.label()
    }
    pub fn status_class(&self) -> &'static str {
        self.status.tag()
    }
    pub fn value(&self) -> String {
        yuan(self.value_fen)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "purchasing/requests.html")]
pub struct ListPage {
    pub chrome: Chrome,
    pub q: ListQuery,
    pub rows: Vec<ListRow>,
    pub pager: Pager,
    pub statuses: Vec<Choice>,
    pub warehouses: Vec<WarehouseChoice>,
    pub can_raise: bool,
    pub tz: crate::tz::TimeZone,
}

impl ListPage {
    pub fn at(&self, t: &DateTime<Utc>) -> String {
        local_time(*t, &self.tz)
    }
}

pub struct HistoryLine {
    pub at: String,
    pub who: String,
    pub what: String,
    pub comment: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "purchasing/request_show.html")]
pub struct ShowPage {
    pub chrome: Chrome,
    pub row: RequestRow,
    pub history: Vec<HistoryLine>,
    pub can_decide: bool,
    pub can_order: bool,
    pub stage_note: String,
    pub form: DecisionForm,
    pub errors: FieldErrors,
    pub threshold: String,
}
