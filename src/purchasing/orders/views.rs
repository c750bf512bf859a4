//! Purchase order pages (askama) and their forms.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::repo::{AwaitingRow, LineRow, OrderListRow, OrderRow, ReceiptRow, SupplierChoice};
use crate::purchasing::repo::RequestRow;
use crate::web::forms::Choice;
use crate::web::{local_time, Chrome, FieldErrors, Pager};

// ---------- create from an approved request ----------

#[derive(Clone, Debug, Default, Deserialize)]
pub struct OrderForm {
    #[serde(default)]
    pub request: String,
    #[serde(default)]
    pub supplier: String,
    #[serde(default)]
    pub unit_cost: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "purchasing/order_form.html")]
pub struct OrderFormPage {
    pub chrome: Chrome,
    pub req: RequestRow,
    pub form: OrderForm,
    pub errors: FieldErrors,
    pub suppliers: Vec<SupplierChoice>,
}

#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    pub request: String,
}

// ---------- list ----------

#[derive(Clone, Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub supplier: String,
    pub page: Option<i64>,
}

#[derive(Template, WebTemplate)]
#[template(path = "purchasing/orders.html")]
pub struct OrdersPage {
    pub chrome: Chrome,
    pub q: ListQuery,
    pub rows: Vec<OrderListRow>,
    pub pager: Pager,
    pub statuses: Vec<Choice>,
    pub suppliers: Vec<SupplierChoice>,
    /// Approved requests without an order yet (for purchasing users).
    pub awaiting: Vec<AwaitingRow>,
    pub can_order: bool,
    pub tz: crate::tz::TimeZone,
}

impl OrdersPage {
    pub fn at(&self, t: &DateTime<Utc>) -> String {
        local_time(*t, &self.tz)
    }
}

// ---------- show (printable) and receive ----------

#[derive(Template, WebTemplate)]
#[template(path = "purchasing/order_show.html")]
pub struct OrderPage {
    pub chrome: Chrome,
    pub order: OrderRow,
    pub lines: Vec<LineRow>,
    pub receipts: Vec<ReceiptRow>,
    pub total: String,
    pub can_receive: bool,
    /// What was typed per line (after a refused receipt).
    pub typed: HashMap<i64, String>,
    pub line_errors: HashMap<i64, String>,
    pub errors: FieldErrors,
    pub tz: crate::tz::TimeZone,
}

impl OrderPage {
    pub fn at(&self, t: &DateTime<Utc>) -> String {
        local_time(*t, &self.tz)
    }
    pub fn when(&self, t: &Option<DateTime<Utc>>) -> String {
        t.map(|t| local_time(t, &self.tz)).unwrap_or_default()
    }
    pub fn typed_for(&self, line: &LineRow) -> String {
        self.typed.get(&line.id).cloned().unwrap_or_default()
    }
    pub fn error_for(&self, line: &LineRow) -> String {
        self.line_errors.get(&line.id).cloned().unwrap_or_default()
    }
}
