//! The contract pages' askama views: lists, forms, the record, the print page.

use askama::Template;
use askama_web::WebTemplate;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::numerals::grouped_yuan;
use super::status::ContractStatus;
use super::{kind_label, ContractRow};
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
    pub partner: String,
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub mine: String,
    pub page: Option<i64>,
}

#[derive(Debug, sqlx::FromRow)]
pub struct ListRow {
    pub id: i64,
    pub contract_no: String,
    pub kind: String,
    pub partner_code: String,
    pub partner_name: String,
    pub title: String,
    pub amount_fen: i64,
    pub status: ContractStatus,
    pub drafter_name: String,
    pub updated_at: DateTime<Utc>,
}

#[derive(Template, WebTemplate)]
#[template(path = "contracts/list.html")]
pub struct ListPage {
    pub chrome: Chrome,
    pub q: ListQuery,
    pub statuses: Vec<Choice>,
    pub kinds: &'static [(&'static str, &'static str)],
    pub rows: Vec<ListRow>,
    pub pager: Pager,
    pub can_draft: bool,
    pub scope_note: &'static str,
    pub tz: crate::tz::TimeZone,
}

impl ListPage {
    pub fn kind_label(&self, k: &str) -> &'static str {
        kind_label(k)
    }
    pub fn amount(&self, fen: &i64) -> String {
        grouped_yuan(*fen)
    }
    pub fn when(&self, at: &DateTime<Utc>) -> String {
        local_time(*at, &self.tz)
    }
}

#[derive(Debug, Default, Deserialize, Clone)]
pub struct ContractForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub partner: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub payment_terms: String,
    #[serde(default)]
    pub delivery_date: String,
}

impl ContractForm {
    pub(super) fn trimmed(mut self) -> Self {
        for f in [
            &mut self.kind,
            &mut self.partner,
            &mut self.title,
            &mut self.amount,
            &mut self.payment_terms,
            &mut self.delivery_date,
        ] {
            *f = f.trim().to_owned();
        }
        self
    }

    pub(super) fn of(c: &ContractRow) -> Self {
        ContractForm {
            kind: c.kind.clone(),
            partner: c.partner_code.clone(),
            title: c.title.clone(),
            amount: Fen(c.amount_fen).to_string(),
            payment_terms: c.payment_terms.clone(),
            delivery_date: c.delivery_date.map(|d| d.to_string()).unwrap_or_default(),
        }
    }
}

/// A partner choice for the form's list of suggestions.
pub struct PartnerChoice {
    pub code: String,
    pub name: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "contracts/form.html")]
pub struct NewPage {
    pub chrome: Chrome,
    pub form: ContractForm,
    pub errors: FieldErrors,
    pub kinds: Vec<(&'static str, &'static str)>,
    pub partners: Vec<PartnerChoice>,
}

pub struct LineView {
    pub id: i64,
    pub sku: String,
    pub name: String,
    pub spec: String,
    pub unit: String,
    pub quantity: i64,
    pub price: String,
    pub subtotal: String,
    /// Its product has been eliminated (汰换): the contract can no longer be ordered.
    pub eliminated: bool,
}

pub struct EventView {
    pub at: String,
    pub actor: String,
    pub what: &'static str,
    pub comment: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "contracts/show.html")]
pub struct ShowPage {
    pub chrome: Chrome,
    pub c: ContractRow,
    pub lines: Vec<LineView>,
    pub history: Vec<EventView>,
    pub amount_capital: String,
    pub threshold: String,
    pub needs_director: bool,
    pub can_edit: bool,
    pub can_submit: bool,
    pub can_decide: bool,
    pub can_sign: bool,
    /// The orders made from it (id, order no), and whether the user may make it.
    pub orders: Vec<(i64, String)>,
    pub can_order: bool,
    /// Why a signed sales contract cannot be ordered (`""` when it can or is ordered).
    pub order_blocked: String,
    pub errors: FieldErrors,
    /// What was typed in the decision comment and the signing date.
    pub comment: String,
    pub signed_on: String,
    pub today: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "contracts/print.html")]
pub struct PrintPage {
    pub chrome: Chrome,
    pub c: ContractRow,
    pub lines: Vec<LineView>,
    pub company: String,
    pub amount_figures: String,
    pub amount_capital: String,
    pub printed_on: String,
}

#[derive(Debug, Default, Deserialize, Clone)]
pub struct LineForm {
    #[serde(default)]
    pub sku: String,
    #[serde(default)]
    pub quantity: String,
    #[serde(default)]
    pub price: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "contracts/edit.html")]
pub struct EditPage {
    pub chrome: Chrome,
    pub c: ContractRow,
    pub form: ContractForm,
    pub errors: FieldErrors,
    pub lines: Vec<LineView>,
    pub line_form: LineForm,
    pub line_errors: FieldErrors,
    pub partners: Vec<PartnerChoice>,
}
