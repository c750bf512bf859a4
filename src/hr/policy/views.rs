//! The policy page (askama) and its view models.

use askama::Template;
use askama_web::WebTemplate;

use crate::web::Chrome;

/// One input of the form.
pub struct Field {
    pub name: String,
    pub label: &'static str,
    pub value: String,
    pub is_bool: bool,
    pub checked: bool,
    pub error: Option<String>,
}

pub struct VersionLine {
    pub effective_month: String,
    pub created: String,
    pub by: String,
    pub note: String,
}

pub struct Change {
    pub employee_no: String,
    pub name: String,
    pub old_net: String,
    pub new_net: String,
    pub old_wage: String,
    pub new_wage: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "hr/policy/show.html")]
pub struct PolicyPage {
    pub chrome: Chrome,
    pub in_force_month: String,
    pub fields: Vec<Field>,
    pub effective_month: String,
    pub note: String,
    pub problems: Vec<String>,
    pub history: Vec<VersionLine>,
    /// Set on the preview page.
    pub preview: Option<Preview>,
}

pub struct Preview {
    pub month: String,
    pub employees: usize,
    pub changes: Vec<Change>,
    pub changed: usize,
    pub old_total: String,
    pub new_total: String,
}
