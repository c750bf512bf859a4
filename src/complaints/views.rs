//! The complaint pages: the list, the record with its forms, the new-complaint form.

use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::clock::Sla;
use super::codes::{Category, Channel, Severity};
use super::flow::{Event, Status};
use super::repo::{ComplaintRow, EventRow};
use crate::web::{Chrome, FieldErrors, Pager};

/// The list's query string.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub channel: String,
    #[serde(default)]
    pub severity: String,
    #[serde(default)]
    pub sla: String,
    /// `1`: open ones past their deadline with no reply (CONTRACT.md).
    #[serde(default)]
    pub overdue: String,
    /// `1`: my complaints that are not closed.
    #[serde(default)]
    pub mine: String,
    /// The same codes as `sla` (the dashboards' name for it); the two must agree.
    #[serde(default)]
    pub clock: String,
    /// Received on or after this local date (`YYYY-MM-DD`, the tenant's time zone).
    #[serde(default)]
    pub received_from: String,
    /// Received on or before this local date (inclusive).
    #[serde(default)]
    pub received_to: String,
    pub page: Option<i64>,
}

/// A complaint as a list shows it: its clock and times formatted.
pub struct ListRow {
    pub c: ComplaintRow,
    pub sla: Sla,
    pub received_at: String,
    pub due_at: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "complaints/list.html")]
pub struct ListPage {
    pub chrome: Chrome,
    pub q: ListQuery,
    pub rows: Vec<ListRow>,
    pub pager: Pager,
    pub statuses: &'static [Status],
    pub categories: &'static [Category],
    pub channels: &'static [Channel],
    pub severities: &'static [Severity],
    pub slas: &'static [Sla],
    pub can_operate: bool,
}

/// What the user typed into the record page's forms (kept when one is refused).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct StepForm {
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub result: String,
    #[serde(default)]
    pub cause: String,
    #[serde(default)]
    pub improvement: String,
    #[serde(default)]
    pub satisfaction: String,
    #[serde(default)]
    pub reason: String,
    /// The return visit's record (close).
    #[serde(default)]
    pub visit: String,
}

pub struct EventView {
    pub event: EventRow,
    pub at: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "complaints/show.html")]
pub struct ShowPage {
    pub chrome: Chrome,
    pub c: ComplaintRow,
    pub sla: Sla,
    pub received_at: String,
    pub due_at: String,
    pub first_reply_at: String,
    pub resolved_at: String,
    pub closed_at: String,
    pub events: Vec<EventView>,
    pub can_operate: bool,
    /// The viewer may open the order (a link, else its number alone).
    pub order_link: bool,
    pub errors: FieldErrors,
    pub typed: StepForm,
}

impl ShowPage {
    fn may(&self, event: Event) -> bool {
        self.can_operate && self.c.status.next(event).is_some()
    }

    pub fn may_reply(&self) -> bool {
        self.may(Event::Reply)
    }

    pub fn may_resolve(&self) -> bool {
        self.may(Event::Resolve)
    }

    pub fn may_close(&self) -> bool {
        self.may(Event::Close)
    }

    pub fn may_reopen(&self) -> bool {
        self.may(Event::Reopen)
    }

    /// The satisfaction as stars, e.g. `4 / 5`.
    pub fn satisfaction(&self) -> String {
        self.c.satisfaction.map(|s| format!("{s} / 5")).unwrap_or_else(|| "未填写".into())
    }
}

/// The new-complaint form's fields as typed (CONTRACT.md; `severity` optional).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct NewForm {
    #[serde(default)]
    pub customer: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub order: String,
    #[serde(default)]
    pub channel: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub severity: String,
    #[serde(default)]
    pub content: String,
    #[serde(default)]
    pub demand: String,
    #[serde(default)]
    pub received_at: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "complaints/new.html")]
pub struct NewPage {
    pub chrome: Chrome,
    pub channels: &'static [Channel],
    pub categories: &'static [Category],
    pub severities: &'static [Severity],
    /// The tenant's first-response hours.
    pub hours: i64,
    /// Now, local (`YYYY-MM-DDTHH:MM`): the received time's upper bound.
    pub now_local: String,
    pub form: NewForm,
    pub errors: FieldErrors,
}
