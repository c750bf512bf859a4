//! The order form's page: the typed fields, the line rows with their messages and,
//! for a row whose text is not a SKU, the matching products to choose from; and the
//! signed sales contracts waiting for their order.

use askama::Template;
use askama_web::WebTemplate;

use super::form::{Row, Typed};
use crate::orders::codes::Platform;
use crate::orders::repo::{ContractWaiting, ProductHit};
use crate::orders::views::yuan;
use crate::web::{Chrome, FieldErrors};

/// What is wrong with a line row (empty: nothing).
#[derive(Clone, Debug, Default)]
pub struct RowErrors {
    pub sku: String,
    pub quantity: String,
    pub unit_price: String,
}

/// A line row of the page.
#[derive(Clone, Debug)]
pub struct RowView {
    /// 1, 2, … (the `N` of its field names).
    pub n: usize,
    pub row: Row,
    pub errors: RowErrors,
    /// The listed products matching the row's text, when it is not a SKU.
    pub choices: Vec<ProductHit>,
}

impl RowView {
    pub fn of(typed: &Typed) -> Vec<RowView> {
        typed
            .rows
            .iter()
            .enumerate()
            .map(|(i, row)| RowView { n: i + 1, row: row.clone(), errors: RowErrors::default(), choices: Vec::new() })
            .collect()
    }

    pub fn has_error(&self) -> bool {
        let e = &self.errors;
        !(e.sku.is_empty() && e.quantity.is_empty() && e.unit_price.is_empty())
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "orders/new.html")]
pub struct NewPage {
    pub chrome: Chrome,
    pub typed: Typed,
    pub rows: Vec<RowView>,
    pub errors: FieldErrors,
    /// A note above the form (no room for another row…).
    pub note: String,
    pub platforms: &'static [Platform],
    pub waiting: Vec<ContractWaiting>,
    /// Those of `waiting` the viewer may open (the rest show their number alone).
    pub linked: Vec<i64>,
}

impl NewPage {
    pub fn yuan(&self, fen: &i64) -> String {
        yuan(*fen)
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty() || self.rows.iter().any(RowView::has_error)
    }
}
