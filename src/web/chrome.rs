//! The page chrome every signed-in page carries: title, header (company, user,
//! level, department), navigation filtered by permission, the flash message and
//! the CSRF token for its forms.

use super::{CurrentUser, Flash, IncomingFlash};
use crate::people::Action;

#[derive(Clone, Debug)]
pub struct NavItem {
    pub label: &'static str,
    pub href: &'static str,
    pub active: bool,
}

#[derive(Clone, Debug)]
pub struct UserBadge {
    pub display_name: String,
    pub username: String,
    pub level: &'static str,
    pub dept: &'static str,
    pub tenant_name: String,
    pub tenant_admin: bool,
}

#[derive(Clone, Debug)]
pub struct Chrome {
    pub title: String,
    pub user: Option<UserBadge>,
    pub nav: Vec<NavItem>,
    pub flash: Option<Flash>,
    pub csrf_token: String,
}

/// The navigation: (label, href, permission needed). Only pages that exist.
const NAV: &[(&str, &str, Option<Action>)] = &[
    ("首页", "/", None),
    ("我的扣款", "/me/deductions", Some(Action::AttendanceOwn)),
    ("员工档案", "/hr/employees", Some(Action::AttendanceOwn)),
    ("工资调整", "/hr/payroll", Some(Action::PayrollExport)),
    ("制度设置", "/hr/policy", Some(Action::PolicyManage)),
    ("日历", "/hr/calendar", Some(Action::AttendanceOwn)),
    ("用户管理", "/admin/users", Some(Action::ManageUsers)),
    ("部门", "/admin/departments", Some(Action::ViewDepartments)),
    ("审计日志", "/audit", Some(Action::ViewAudit)),
    ("我的账户", "/account", None),
];

impl Chrome {
    pub fn new(user: &CurrentUser, flash: IncomingFlash, title: impl Into<String>, path: &str) -> Self {
        let nav = NAV
            .iter()
            .filter(|(_, _, action)| action.is_none_or(|a| user.can(a)))
            .map(|(label, href, _)| NavItem {
                label,
                href,
                active: if *href == "/" { path == "/" } else { path.starts_with(href) },
            })
            .collect();
        Self {
            title: title.into(),
            user: Some(UserBadge {
                display_name: user.display_name.clone(),
                username: user.username.clone(),
                level: user.level.label(),
                dept: user.dept.label(),
                tenant_name: user.tenant_name.clone(),
                tenant_admin: user.tenant_admin,
            }),
            nav,
            flash: flash.0,
            csrf_token: user.csrf_token.clone(),
        }
    }

    /// Chrome for pages without a signed-in user (login, error pages).
    pub fn anonymous(title: impl Into<String>, csrf_token: String) -> Self {
        Self { title: title.into(), user: None, nav: Vec::new(), flash: None, csrf_token }
    }

    /// Replace the incoming flash with one for this render (form errors).
    pub fn with_flash(mut self, flash: Flash) -> Self {
        self.flash = Some(flash);
        self
    }
}
