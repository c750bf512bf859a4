//! The page chrome every signed-in page carries: title, header (company, user,
//! level, department), navigation filtered by permission and grouped by area,
//! the flash message and the CSRF token for its forms.

use super::{CurrentUser, Flash, IncomingFlash};
use crate::people::{Action, Dept, Role};

#[derive(Clone, Debug)]
pub struct NavItem {
    pub label: &'static str,
    pub href: &'static str,
    pub active: bool,
}

/// One area of the navigation: a `<details>` whose summary is the area's name,
/// open when it holds the current page.
#[derive(Clone, Debug)]
pub struct NavGroup {
    /// The `data-area` of its markup (stable, for tests and styling).
    pub area: &'static str,
    pub label: &'static str,
    pub open: bool,
    pub items: Vec<NavItem>,
}

/// The navigation of one page for one role: 首页 above the areas, 我的账户 below
/// (everyone has both, and neither is an area), the areas with at least one entry
/// the role may open in between.
#[derive(Clone, Debug, Default)]
pub struct Nav {
    pub top: Vec<NavItem>,
    pub groups: Vec<NavGroup>,
    pub bottom: Vec<NavItem>,
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
    pub nav: Nav,
    pub flash: Option<Flash>,
    pub csrf_token: String,
}

/// Whose navigation an entry is in: partners and contracts are both the purchase
/// side's (suppliers, purchase contracts: ops) and the sales side's (customers,
/// sales contracts: sales), so the sales department finds them under 销售 and
/// everyone else (ops, warehouse, finance, directors) under 采购. Each href is in
/// one place for any one user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Any,
    Sales,
    Supply,
}

/// (label, href, permission needed, side). Only pages that exist.
type Entry = (&'static str, &'static str, Option<Action>, Side);

const fn link(label: &'static str, href: &'static str, needs: Option<Action>) -> Entry {
    (label, href, needs, Side::Any)
}

/// (data-area, heading, entries), in the order of the navigation.
type Group = (&'static str, &'static str, &'static [Entry]);

const TOP: &[Entry] = &[link("首页", "/", None)];

const GROUPS: &[Group] = &[
    (
        "catalog",
        "商品与库存",
        &[
            link("商品", "/products", Some(Action::CatalogView)),
            link("库存", "/inventory/stock", Some(Action::CatalogView)),
            link("低库存", "/inventory/low-stock", Some(Action::InventoryView)),
            link("仓库", "/inventory/warehouses", Some(Action::CatalogView)),
            link("盘点", "/inventory/stocktakes", Some(Action::InventoryView)),
        ],
    ),
    (
        "purchasing",
        "采购",
        &[
            link("补货申请", "/inventory/replenishments", Some(Action::InventoryView)),
            link("采购单", "/purchasing/orders", Some(Action::InventoryView)),
            ("合作伙伴", "/partners", Some(Action::PartnersView), Side::Supply),
            ("合同", "/contracts", Some(Action::ContractsView), Side::Supply),
        ],
    ),
    (
        "orders",
        "订单与售后",
        &[
            link("订单", "/orders", Some(Action::OrdersView)),
            link("售后", "/after-sales", Some(Action::AfterSalesView)),
            link("投诉", "/complaints", Some(Action::ComplaintsView)),
        ],
    ),
    ("marketing", "营销", &[link("活动", "/campaigns", Some(Action::CampaignsView))]),
    (
        "sales",
        "销售",
        &[
            link("销售目标", "/targets", Some(Action::TargetsView)),
            ("合作伙伴", "/partners", Some(Action::PartnersView), Side::Sales),
            ("合同", "/contracts", Some(Action::ContractsView), Side::Sales),
        ],
    ),
    ("analytics", "数据分析", &[link("运营月报", "/reports/monthly", Some(Action::ReportsView))]),
    (
        "hr",
        "人事",
        &[
            link("我的考勤", "/attendance/me", Some(Action::AttendanceOwn)),
            link("我的请假", "/leave", Some(Action::AttendanceOwn)),
            link("我的绩效", "/performance/me", Some(Action::AttendanceOwn)),
            link("我的扣款", "/me/deductions", Some(Action::AttendanceOwn)),
            link("员工档案", "/hr/employees", Some(Action::AttendanceOwn)),
            link("考勤汇总", "/hr/attendance", Some(Action::AttendanceOverview)),
            link("请假审批", "/leave/approvals", Some(Action::LeaveApprove)),
            link("全员请假", "/leave/all", Some(Action::HrManage)),
            link("绩效评分", "/performance", Some(Action::PerformanceScore)),
            link("绩效汇总", "/hr/performance", Some(Action::HrManage)),
            link("工资调整", "/hr/payroll", Some(Action::PayrollExport)),
            link("制度设置", "/hr/policy", Some(Action::PolicyManage)),
            link("日历", "/hr/calendar", Some(Action::AttendanceOwn)),
        ],
    ),
    (
        "system",
        "系统",
        &[
            link("用户管理", "/admin/users", Some(Action::ManageUsers)),
            link("部门", "/admin/departments", Some(Action::ViewDepartments)),
            link("审计日志", "/audit", Some(Action::ViewAudit)),
        ],
    ),
];

const BOTTOM: &[Entry] = &[link("我的账户", "/account", None)];

/// Whether `path` is the page `href` or under it ("/" only itself).
fn under(href: &str, path: &str) -> bool {
    if href == "/" {
        path == "/"
    } else {
        path == href || path.strip_prefix(href).is_some_and(|rest| rest.starts_with('/'))
    }
}

impl Nav {
    /// The navigation `role` sees on `path`. Entries are filtered by permission;
    /// an area without any entry left is not shown. The active entry is the
    /// longest href the path is under ("/leave" is not active on
    /// "/leave/approvals", which has its own entry); its area is open and the
    /// others are collapsed. A page in no area (首页, 我的账户, or a page no entry
    /// leads to) opens every area: there is no current one to single out, and
    /// the home page is where one looks for the way somewhere.
    pub fn build(role: &Role, path: &str) -> Self {
        let sales = role.dept == Dept::Sales;
        let visible = |e: &&Entry| {
            let (_, _, needs, side) = **e;
            needs.is_none_or(|a| role.can(a))
                && match side {
                    Side::Any => true,
                    Side::Sales => sales,
                    Side::Supply => !sales,
                }
        };
        let all = TOP.iter().chain(GROUPS.iter().flat_map(|(_, _, entries)| entries.iter())).chain(BOTTOM);
        let active =
            all.filter(visible).map(|(_, href, _, _)| *href).filter(|href| under(href, path)).max_by_key(|h| h.len());
        let items = |entries: &'static [Entry]| -> Vec<NavItem> {
            entries
                .iter()
                .filter(visible)
                .map(|&(label, href, _, _)| NavItem { label, href, active: Some(href) == active })
                .collect()
        };
        let mut groups: Vec<NavGroup> = GROUPS
            .iter()
            .map(|&(area, label, entries)| {
                let items = items(entries);
                NavGroup { area, label, open: items.iter().any(|i| i.active), items }
            })
            .filter(|g| !g.items.is_empty())
            .collect();
        if !groups.iter().any(|g| g.open) {
            for g in &mut groups {
                g.open = true;
            }
        }
        Self { top: items(TOP), groups, bottom: items(BOTTOM) }
    }
}

impl Chrome {
    pub fn new(user: &CurrentUser, flash: IncomingFlash, title: impl Into<String>, path: &str) -> Self {
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
            nav: Nav::build(&user.role(), path),
            flash: flash.0,
            csrf_token: user.csrf_token.clone(),
        }
    }

    /// Chrome for pages without a signed-in user (login, error pages).
    pub fn anonymous(title: impl Into<String>, csrf_token: String) -> Self {
        Self { title: title.into(), user: None, nav: Nav::default(), flash: None, csrf_token }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::people::Level;

    fn role(level: Level, dept: Dept) -> Role {
        Role { user_id: 1, level, dept, tenant_admin: false }
    }

    fn hrefs(nav: &Nav) -> Vec<&'static str> {
        nav.top.iter().chain(nav.groups.iter().flat_map(|g| &g.items)).chain(&nav.bottom).map(|i| i.href).collect()
    }

    #[test]
    fn every_href_is_in_one_place_for_any_one_user() {
        let mut all: Vec<&str> =
            TOP.iter().chain(GROUPS.iter().flat_map(|g| g.2.iter())).chain(BOTTOM).map(|e| e.1).collect();
        all.sort_unstable();
        all.dedup();
        for &level in Level::ALL {
            for &dept in Dept::ALL {
                for admin in [false, true] {
                    let nav = Nav::build(&Role { user_id: 1, level, dept, tenant_admin: admin }, "/");
                    let mut seen = hrefs(&nav);
                    let n = seen.len();
                    seen.sort_unstable();
                    seen.dedup();
                    assert_eq!(seen.len(), n, "{level:?} {dept:?}: an href twice");
                    assert!(nav.groups.iter().all(|g| !g.items.is_empty()), "no empty area");
                }
            }
        }
        // A director of HR who is a tenant admin sees every page.
        let mut everything =
            hrefs(&Nav::build(&Role { user_id: 1, level: Level::Director, dept: Dept::Hr, tenant_admin: true }, "/"));
        everything.sort_unstable();
        assert_eq!(everything, all);
    }

    #[test]
    fn partners_and_contracts_follow_the_side() {
        let area_of =
            |nav: &Nav, href: &str| nav.groups.iter().find(|g| g.items.iter().any(|i| i.href == href)).map(|g| g.area);
        let sales = Nav::build(&role(Level::Specialist, Dept::Sales), "/");
        let ops = Nav::build(&role(Level::Specialist, Dept::Ops), "/");
        let finance = Nav::build(&role(Level::Manager, Dept::Finance), "/");
        for href in ["/partners", "/contracts"] {
            assert_eq!(area_of(&sales, href), Some("sales"), "{href}");
            assert_eq!(area_of(&ops, href), Some("purchasing"), "{href}");
            assert_eq!(area_of(&finance, href), Some("purchasing"), "{href}");
        }
    }

    #[test]
    fn the_current_area_is_open_and_the_others_collapsed() {
        let manager = role(Level::Manager, Dept::Ops);
        let open = |path: &str| -> Vec<&str> {
            Nav::build(&manager, path).groups.iter().filter(|g| g.open).map(|g| g.area).collect()
        };
        assert_eq!(open("/orders"), ["orders"]);
        assert_eq!(open("/orders/17/edit"), ["orders"]);
        assert_eq!(open("/leave/approvals"), ["hr"]);
        assert_eq!(open("/inventory/replenishments/3"), ["purchasing"]);
        assert_eq!(open("/inventory/stock"), ["catalog"]);
        // Not an area's page: all open.
        let areas = Nav::build(&manager, "/").groups.len();
        assert_eq!(open("/").len(), areas);
        assert_eq!(open("/account").len(), areas);
        assert_eq!(open("/nowhere").len(), areas);
        // "/ordersx" is not under "/orders".
        assert_eq!(open("/ordersx").len(), areas);
        // One active entry, the most specific one.
        let nav = Nav::build(&manager, "/leave/approvals");
        let active: Vec<&str> = nav.groups.iter().flat_map(|g| &g.items).filter(|i| i.active).map(|i| i.href).collect();
        assert_eq!(active, ["/leave/approvals"]);
    }
}
