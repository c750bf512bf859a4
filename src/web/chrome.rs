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
    ("订单", "/orders", Some(Action::OrdersView)),
    ("售后", "/after-sales", Some(Action::AfterSalesView)),
    ("投诉", "/complaints", Some(Action::ComplaintsView)),
    ("活动", "/campaigns", Some(Action::CampaignsView)),
    ("商品", "/products", Some(Action::CatalogView)),
    ("库存", "/inventory/stock", Some(Action::CatalogView)),
    ("低库存", "/inventory/low-stock", Some(Action::InventoryView)),
    ("补货申请", "/inventory/replenishments", Some(Action::InventoryView)),
    ("采购单", "/purchasing/orders", Some(Action::InventoryView)),
    ("盘点", "/inventory/stocktakes", Some(Action::InventoryView)),
    ("仓库", "/inventory/warehouses", Some(Action::CatalogView)),
    ("合作伙伴", "/partners", Some(Action::PartnersView)),
    ("合同", "/contracts", Some(Action::ContractsView)),
    ("销售目标", "/targets", Some(Action::TargetsView)),
    ("我的考勤", "/attendance/me", Some(Action::AttendanceOwn)),
    ("我的请假", "/leave", Some(Action::AttendanceOwn)),
    ("我的绩效", "/performance/me", Some(Action::AttendanceOwn)),
    ("我的扣款", "/me/deductions", Some(Action::AttendanceOwn)),
    ("员工档案", "/hr/employees", Some(Action::AttendanceOwn)),
    ("考勤汇总", "/hr/attendance", Some(Action::AttendanceOverview)),
    ("请假审批", "/leave/approvals", Some(Action::LeaveApprove)),
    ("全员请假", "/leave/all", Some(Action::HrManage)),
    ("绩效评分", "/performance", Some(Action::PerformanceScore)),
    ("绩效汇总", "/hr/performance", Some(Action::HrManage)),
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
        let visible: Vec<&(&str, &str, Option<Action>)> =
            NAV.iter().filter(|(_, _, action)| action.is_none_or(|a| user.can(a))).collect();
        // The active entry is the longest href the path is under ("/leave" is not
        // active on "/leave/approvals" when that has its own entry).
        let under = |href: &str, path: &str| {
            if href == "/" {
                path == "/"
            } else {
                path == href || path.starts_with(&format!("{href}/"))
            }
        };
        let active = visible.iter().filter(|(_, href, _)| under(href, path)).map(|(_, href, _)| href.len()).max();
        let nav = visible
            .iter()
            .map(|(label, href, _)| NavItem { label, href, active: under(href, path) && Some(href.len()) == active })
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
}
