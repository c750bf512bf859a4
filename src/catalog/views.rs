//! Page structs (askama) of the catalog.

pub use crate::web::forms::DecisionForm;
use askama::Template;
use askama_web::WebTemplate;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::repo::{ClearanceRow, EliminationRow, MovementRow, ProductRow, StockLine};
use super::Status;
use crate::web::forms::Choice;
use crate::web::{local_time, Chrome, FieldErrors, Pager};

pub fn status_choices() -> Vec<Choice> {
    Choice::all(Status::ALL)
}

#[derive(Debug, Default, Deserialize)]
pub struct ProductsQuery {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub q: String,
    pub page: Option<i64>,
}

#[derive(Template, WebTemplate)]
#[template(path = "catalog/products.html")]
pub struct ProductsPage {
    pub chrome: Chrome,
    pub q: ProductsQuery,
    pub statuses: Vec<Choice>,
    pub products: Vec<ProductRow>,
    pub pager: Pager,
    pub can_edit: bool,
    pub can_approve: bool,
}

/// What the product form posts (strings, kept as typed).
#[derive(Debug, Default, Deserialize)]
pub struct ProductForm {
    #[serde(default)]
    pub sku: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub spec: String,
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub price: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub supplier: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "catalog/product_form.html")]
pub struct ProductFormPage {
    pub chrome: Chrome,
    /// `None` when creating.
    pub product_id: Option<i64>,
    pub form: ProductForm,
    pub errors: FieldErrors,
    pub suppliers: Vec<(i64, String, String)>,
}

impl ProductFormPage {
    pub fn supplier_selected(&self, id: &i64) -> bool {
        self.form.supplier == id.to_string()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "catalog/product.html")]
pub struct ProductPage {
    pub chrome: Chrome,
    pub product: ProductRow,
    pub stock: Vec<StockLine>,
    pub movements: Vec<MovementRow>,
    pub eliminations: Vec<EliminationRow>,
    pub can_edit: bool,
    pub can_approve: bool,
    pub user_id: i64,
    pub tz: crate::tz::TimeZone,
    /// The decision form's comment and its error (after a refused reject).
    pub comment: String,
    pub errors: FieldErrors,
}

impl ProductPage {
    pub fn at(&self, t: &DateTime<Utc>) -> String {
        local_time(*t, &self.tz)
    }
    pub fn at_opt(&self, t: &Option<DateTime<Utc>>) -> String {
        t.map(|t| local_time(t, &self.tz)).unwrap_or_default()
    }
    pub fn total_on_hand(&self) -> i64 {
        self.stock.iter().map(|s| s.on_hand).sum()
    }
    pub fn total_available(&self) -> i64 {
        self.stock.iter().map(|s| s.available()).sum()
    }
    pub fn pending(&self) -> Option<&EliminationRow> {
        self.eliminations.iter().find(|e| e.is_pending())
    }
    pub fn can_list(&self) -> bool {
        self.can_edit && matches!(self.product.status(), Status::Draft | Status::Delisted)
    }
    pub fn can_delist(&self) -> bool {
        self.can_edit && self.product.status() == Status::Listed
    }
    pub fn can_propose(&self) -> bool {
        self.can_edit && self.product.status() != Status::Eliminated && self.pending().is_none()
    }
    pub fn may_decide(&self, e: &EliminationRow) -> bool {
        self.can_approve && e.is_pending() && e.proposed_by != self.user_id
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ProposeForm {
    #[serde(default)]
    pub reason: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "catalog/eliminate.html")]
pub struct ProposePage {
    pub chrome: Chrome,
    pub product: ProductRow,
    pub on_hand: i64,
    pub form: ProposeForm,
    pub errors: FieldErrors,
}

#[derive(Debug, Default, Deserialize)]
pub struct EliminationsQuery {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub mine: String,
    pub page: Option<i64>,
}

#[derive(Template, WebTemplate)]
#[template(path = "catalog/eliminations.html")]
pub struct EliminationsPage {
    pub chrome: Chrome,
    pub q: EliminationsQuery,
    pub rows: Vec<EliminationRow>,
    pub pager: Pager,
    pub tz: crate::tz::TimeZone,
}

impl EliminationsPage {
    pub fn at(&self, t: &DateTime<Utc>) -> String {
        local_time(*t, &self.tz)
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    pub page: Option<i64>,
}

#[derive(Template, WebTemplate)]
#[template(path = "catalog/clearance.html")]
pub struct ClearancePage {
    pub chrome: Chrome,
    pub rows: Vec<ClearanceRow>,
    pub pager: Pager,
}
