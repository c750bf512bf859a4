//! Employee records' askama views: the list, the forms, the record page.

use askama::Template;
use askama_web::WebTemplate;
use chrono::NaiveDate;
use serde::Deserialize;

use super::repo::EmployeeRow;
use crate::web::forms::Choice;
use crate::web::{Chrome, FieldErrors, Pager};

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub department: String,
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub active: String,
    #[serde(default)]
    pub q: String,
    pub page: Option<i64>,
}

#[derive(sqlx::FromRow)]
pub struct ListRow {
    #[sqlx(flatten)]
    pub e: EmployeeRow,
    pub username: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "hr/employees/list.html")]
pub struct ListPage {
    pub chrome: Chrome,
    pub q: ListQuery,
    pub depts: Vec<Choice>,
    pub levels: Vec<Choice>,
    pub rows: Vec<ListRow>,
    pub pager: Pager,
    pub show_money: bool,
    pub can_edit: bool,
    pub today: NaiveDate,
}

impl ListPage {
    pub fn active(&self, e: &EmployeeRow) -> bool {
        active_on(e, self.today)
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct EmployeeForm {
    #[serde(default)]
    pub employee_no: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub department: String,
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub monthly_salary: String,
    #[serde(default)]
    pub bonus_base: String,
    #[serde(default)]
    pub hired_on: String,
    /// Create only (the edit form changes it on its own page).
    #[serde(default)]
    pub left_on: String,
    #[serde(default)]
    pub manager_employee_no: String,
    /// Edit only: the version of the record the form was made from.
    #[serde(default)]
    pub version: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "hr/employees/new.html")]
pub struct NewPage {
    pub chrome: Chrome,
    pub form: EmployeeForm,
    pub errors: FieldErrors,
    pub depts: Vec<Choice>,
    pub levels: Vec<Choice>,
}

pub struct LinkedLogin {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub is_active: bool,
}

pub struct ManagerRef {
    pub employee_no: String,
    /// Set when the manager's record is in the viewer's scope (then it is linked).
    pub linked: Option<(i64, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "hr/employees/show.html")]
pub struct ShowPage {
    pub chrome: Chrome,
    pub emp: EmployeeRow,
    pub active: bool,
    pub login: Option<LinkedLogin>,
    pub manager: Option<ManagerRef>,
    pub show_money: bool,
    pub can_edit: bool,
    pub can_manage_users: bool,
    pub form: EmployeeForm,
    pub errors: FieldErrors,
    pub depts: Vec<Choice>,
    pub levels: Vec<Choice>,
}

#[derive(Debug, Default, Deserialize)]
pub struct LeaveDateForm {
    /// The new leaving date; empty clears it.
    #[serde(default)]
    pub left_on: String,
    /// The leaving date the form was made from ("" for none): a change in between is a 409.
    #[serde(default)]
    pub current: String,
    /// "yes" once the confirmation page was shown.
    #[serde(default)]
    pub confirm: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "hr/employees/leave_date.html")]
pub struct LeaveDatePage {
    pub chrome: Chrome,
    pub emp: EmployeeRow,
    pub form: LeaveDateForm,
    pub errors: FieldErrors,
    /// Show the confirmation step for `form.left_on`.
    pub confirming: bool,
    pub login: Option<String>,
}
/// Employed on `day`: no leaving date, or a leaving date on or after it (the
/// leaving date is the last working day).
pub(super) fn active_on(e: &EmployeeRow, day: NaiveDate) -> bool {
    e.left_on.is_none_or(|l| l >= day)
}
