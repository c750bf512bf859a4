//! The one permission table (level × department × action) of PRODUCT.md's default
//! matrix. Every handler checks it at its top through [`Role::can`](super::Role::can)
//! or `CurrentUser::require`.

use super::{Dept, Level, Role};

/// Something a user may or may not do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// Tenant administration: users (list, create, edit, deactivate, reset password).
    ManageUsers,
    /// Tenant administration: departments list.
    ViewDepartments,
    /// Audit log page.
    ViewAudit,
    /// Products: create, edit, list (上架), delist (下架).
    ProductsEdit,
    /// Products: approve elimination (汰换), set prices in bulk.
    ProductsApprove,
    /// Stock moves, stocktake counts, raise replenishment requests.
    InventoryOperate,
    /// Safety stock / reorder point / max; approve replenishment and stocktake adjustments.
    InventoryApprove,
    /// See the catalog, warehouses, stock levels and movements (read-only).
    CatalogView,
    /// See replenishment requests, purchase orders and stocktakes (by data scope).
    InventoryView,
    /// Set safety stock / reorder point / max level (the ops manager).
    InventoryLevels,
    /// Turn approved replenishment requests into purchase orders (ops).
    PurchaseOrders,
    /// See suppliers and customers.
    PartnersView,
    /// Create and edit suppliers and customers.
    PartnersEdit,
    /// See contracts (by data scope).
    ContractsView,
    /// Draft contracts (sales reps: sales contracts; ops: purchase contracts).
    ContractsDraft,
    /// Approve or reject contracts of their department (directors: above threshold).
    ContractsApprove,
    /// See orders (sales reps and their managers by data scope).
    OrdersView,
    /// Order intake, review, holds, allocation, cancelling before allocation.
    OrdersOperate,
    /// Print picking slips and labels, ship parcels, record delivery and exceptions.
    OrdersShip,
    /// Release an `unpaid` hold without a payment, reassign the warehouse, cancel
    /// after allocation (the ops manager).
    OrdersOverride,
    /// After-sales and complaints: raise and handle cases (returns, exchanges,
    /// repairs, refunds), log and answer complaints (service and ops).
    AfterSalesOperate,
    /// See after-sales cases: the operators, the warehouse (to receive goods back),
    /// sales (the cases of their own orders, read-only) and directors.
    AfterSalesView,
    /// Receive returned goods (restock or scrap): the operators and the warehouse.
    AfterSalesReceive,
    /// Approve or reject a refund waiting for a manager (service/ops managers and
    /// directors); they may also record one at or above the threshold at once.
    RefundApprove,
    /// See complaints: the operators, sales (those of their own orders, read-only)
    /// and directors.
    ComplaintsView,
    /// Campaigns: draft, submit, record results, write the summary (marketing and
    /// ops specialists and managers).
    CampaignsOperate,
    /// See campaigns: marketing and ops (their department's), the managers of ops,
    /// service and warehouse (the approved ones they are told of), directors.
    CampaignsView,
    /// Approve or reject campaign plans of their department and review summaries
    /// (marketing/ops managers); directors at or above the budget threshold.
    CampaignsApprove,
    /// Acknowledge approved campaigns (已知悉): the managers of ops, service and
    /// warehouse (002 联席会议).
    CampaignsAck,
    /// See sales targets and attainment: sales at every level (a rep their own, the
    /// manager the department's reps) and directors (every department).
    TargetsView,
    /// Set monthly sales targets: the sales manager per rep, directors per department.
    TargetsSet,
    /// Read the monthly operations report (运营月报) and download its tables:
    /// directors only (the report is the whole company's figures).
    ReportsView,
    /// Write the report's conclusions and suggestions: directors only.
    ReportsWrite,
    /// Own attendance, leave applications.
    AttendanceOwn,
    /// Approve leave, see the department's attendance.
    LeaveApprove,
    /// Enter monthly performance scores.
    PerformanceScore,
    /// HR people data: employees, calendar, attendance imports, all records.
    HrManage,
    /// Download the payroll-adjustment CSV.
    PayrollExport,
    /// See and change the rules policy (HR managers and directors; tenant admins).
    PolicyManage,
    /// The attendance month grid: HR at any level, managers (their department)
    /// and directors.
    AttendanceOverview,
}

/// Who a rule lets in: levels, and departments (`None` = any department).
struct Who {
    levels: &'static [Level],
    depts: Option<&'static [Dept]>,
}

const ALL_LEVELS: &[Level] = &[Level::Director, Level::Manager, Level::Specialist];
const DIRECTOR: &[Level] = &[Level::Director];
const MANAGER: &[Level] = &[Level::Manager];
const MANAGER_UP: &[Level] = &[Level::Director, Level::Manager];
const OPERATOR: &[Level] = &[Level::Manager, Level::Specialist];
/// Everyone whose work touches goods: all but HR (directors of any department see all).
const GOODS_DEPTS: &[Dept] = &[Dept::Ops, Dept::Warehouse, Dept::Sales, Dept::Service, Dept::Marketing, Dept::Finance];

const fn who(levels: &'static [Level], depts: Option<&'static [Dept]>) -> Who {
    Who { levels, depts }
}

/// The table. Tenant-admin-only actions are handled in [`allowed`].
const TABLE: &[(Action, &[Who])] = &[
    (Action::ViewAudit, &[who(DIRECTOR, None)]),
    (Action::CatalogView, &[who(ALL_LEVELS, Some(GOODS_DEPTS)), who(DIRECTOR, None)]),
    (Action::InventoryView, &[who(ALL_LEVELS, Some(&[Dept::Ops, Dept::Warehouse])), who(DIRECTOR, None)]),
    (Action::InventoryLevels, &[who(MANAGER, Some(&[Dept::Ops]))]),
    (Action::PurchaseOrders, &[who(OPERATOR, Some(&[Dept::Ops]))]),
    (
        Action::PartnersView,
        &[who(ALL_LEVELS, Some(&[Dept::Ops, Dept::Warehouse, Dept::Sales, Dept::Finance])), who(DIRECTOR, None)],
    ),
    (Action::PartnersEdit, &[who(OPERATOR, Some(&[Dept::Ops, Dept::Sales]))]),
    (Action::ContractsView, &[who(ALL_LEVELS, Some(&[Dept::Ops, Dept::Sales, Dept::Finance])), who(DIRECTOR, None)]),
    (Action::ProductsEdit, &[who(OPERATOR, Some(&[Dept::Ops]))]),
    (Action::ProductsApprove, &[who(MANAGER, Some(&[Dept::Ops]))]),
    (Action::InventoryOperate, &[who(OPERATOR, Some(&[Dept::Ops, Dept::Warehouse]))]),
    (Action::InventoryApprove, &[who(MANAGER, Some(&[Dept::Ops])), who(DIRECTOR, None)]),
    (Action::ContractsDraft, &[who(OPERATOR, Some(&[Dept::Sales, Dept::Ops]))]),
    (Action::ContractsApprove, &[who(MANAGER, Some(&[Dept::Sales, Dept::Ops])), who(DIRECTOR, None)]),
    (
        Action::OrdersView,
        // Finance reads orders to reconcile payments (and nothing else: no writes).
        &[
            who(ALL_LEVELS, Some(&[Dept::Ops, Dept::Service, Dept::Warehouse, Dept::Sales, Dept::Finance])),
            who(DIRECTOR, None),
        ],
    ),
    (Action::OrdersOperate, &[who(OPERATOR, Some(&[Dept::Ops, Dept::Service]))]),
    (Action::OrdersShip, &[who(OPERATOR, Some(&[Dept::Warehouse]))]),
    (Action::OrdersOverride, &[who(MANAGER, Some(&[Dept::Ops]))]),
    (Action::AfterSalesOperate, &[who(OPERATOR, Some(&[Dept::Service, Dept::Ops]))]),
    (
        Action::AfterSalesView,
        &[who(ALL_LEVELS, Some(&[Dept::Service, Dept::Ops, Dept::Warehouse, Dept::Sales])), who(DIRECTOR, None)],
    ),
    (Action::AfterSalesReceive, &[who(OPERATOR, Some(&[Dept::Service, Dept::Ops, Dept::Warehouse]))]),
    (Action::RefundApprove, &[who(MANAGER, Some(&[Dept::Service, Dept::Ops])), who(DIRECTOR, None)]),
    (Action::ComplaintsView, &[who(ALL_LEVELS, Some(&[Dept::Service, Dept::Ops, Dept::Sales])), who(DIRECTOR, None)]),
    (Action::CampaignsOperate, &[who(OPERATOR, Some(&[Dept::Marketing, Dept::Ops]))]),
    (
        Action::CampaignsView,
        &[
            who(ALL_LEVELS, Some(&[Dept::Marketing, Dept::Ops])),
            who(MANAGER, Some(&[Dept::Service, Dept::Warehouse])),
            who(DIRECTOR, None),
        ],
    ),
    (Action::CampaignsApprove, &[who(MANAGER, Some(&[Dept::Marketing, Dept::Ops])), who(DIRECTOR, None)]),
    (Action::CampaignsAck, &[who(MANAGER, Some(&[Dept::Ops, Dept::Service, Dept::Warehouse]))]),
    (Action::TargetsView, &[who(ALL_LEVELS, Some(&[Dept::Sales])), who(DIRECTOR, None)]),
    (Action::TargetsSet, &[who(MANAGER, Some(&[Dept::Sales])), who(DIRECTOR, None)]),
    (Action::ReportsView, &[who(DIRECTOR, None)]),
    (Action::ReportsWrite, &[who(DIRECTOR, None)]),
    (Action::AttendanceOwn, &[who(ALL_LEVELS, None)]),
    (Action::LeaveApprove, &[who(MANAGER_UP, None)]),
    (Action::PerformanceScore, &[who(MANAGER_UP, None)]),
    (Action::HrManage, &[who(ALL_LEVELS, Some(&[Dept::Hr]))]),
    (Action::PayrollExport, &[who(ALL_LEVELS, Some(&[Dept::Hr])), who(DIRECTOR, None)]),
    (Action::PolicyManage, &[who(MANAGER_UP, Some(&[Dept::Hr]))]),
    (Action::AttendanceOverview, &[who(ALL_LEVELS, Some(&[Dept::Hr])), who(MANAGER_UP, None)]),
];

/// Whether `role` may perform `action`.
pub fn allowed(role: &Role, action: Action) -> bool {
    match action {
        Action::ManageUsers | Action::ViewDepartments => role.tenant_admin,
        Action::ViewAudit | Action::PolicyManage if role.tenant_admin => true,
        _ => TABLE
            .iter()
            .filter(|(a, _)| *a == action)
            .flat_map(|(_, whos)| whos.iter())
            .any(|w| w.levels.contains(&role.level) && w.depts.is_none_or(|d| d.contains(&role.dept))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(level: Level, dept: Dept) -> Role {
        Role { user_id: 1, level, dept, tenant_admin: false }
    }

    #[test]
    fn tenant_administration_is_for_tenant_admins_only() {
        for &level in Level::ALL {
            for &dept in Dept::ALL {
                let r = role(level, dept);
                assert!(!r.can(Action::ManageUsers), "{level:?} {dept:?}");
                assert!(!r.can(Action::ViewDepartments));
                let admin = Role { tenant_admin: true, ..r };
                assert!(admin.can(Action::ManageUsers));
                assert!(admin.can(Action::ViewAudit), "tenant admins read the audit log");
            }
        }
    }

    #[test]
    fn audit_log_is_for_directors() {
        assert!(role(Level::Director, Dept::Finance).can(Action::ViewAudit));
        assert!(!role(Level::Manager, Dept::Ops).can(Action::ViewAudit));
        assert!(!role(Level::Specialist, Dept::Hr).can(Action::ViewAudit));
    }

    #[test]
    fn matrix_rows_of_product_md() {
        // products: ops specialists and managers edit; only the ops manager approves.
        assert!(role(Level::Specialist, Dept::Ops).can(Action::ProductsEdit));
        assert!(!role(Level::Specialist, Dept::Sales).can(Action::ProductsEdit));
        assert!(role(Level::Manager, Dept::Ops).can(Action::ProductsApprove));
        assert!(!role(Level::Specialist, Dept::Ops).can(Action::ProductsApprove));
        // inventory: ops/warehouse operate; the ops manager and directors approve.
        assert!(role(Level::Specialist, Dept::Warehouse).can(Action::InventoryOperate));
        assert!(!role(Level::Specialist, Dept::Marketing).can(Action::InventoryOperate));
        assert!(role(Level::Manager, Dept::Ops).can(Action::InventoryApprove));
        assert!(!role(Level::Manager, Dept::Warehouse).can(Action::InventoryApprove));
        assert!(role(Level::Director, Dept::Sales).can(Action::InventoryApprove));
        // contracts: sales and ops draft; their managers and directors approve.
        assert!(role(Level::Specialist, Dept::Sales).can(Action::ContractsDraft));
        assert!(!role(Level::Specialist, Dept::Finance).can(Action::ContractsDraft));
        assert!(role(Level::Manager, Dept::Sales).can(Action::ContractsApprove));
        assert!(!role(Level::Specialist, Dept::Sales).can(Action::ContractsApprove));
        // supply side: HR (below director) sees no goods; levels are the ops manager's.
        assert!(role(Level::Specialist, Dept::Sales).can(Action::CatalogView));
        assert!(!role(Level::Manager, Dept::Hr).can(Action::CatalogView));
        assert!(role(Level::Director, Dept::Hr).can(Action::CatalogView));
        assert!(role(Level::Specialist, Dept::Warehouse).can(Action::InventoryView));
        assert!(!role(Level::Specialist, Dept::Sales).can(Action::InventoryView));
        assert!(role(Level::Manager, Dept::Ops).can(Action::InventoryLevels));
        assert!(!role(Level::Specialist, Dept::Ops).can(Action::InventoryLevels));
        assert!(!role(Level::Manager, Dept::Warehouse).can(Action::PurchaseOrders));
        assert!(role(Level::Specialist, Dept::Sales).can(Action::PartnersEdit));
        assert!(!role(Level::Specialist, Dept::Service).can(Action::PartnersView));
        assert!(role(Level::Specialist, Dept::Finance).can(Action::ContractsView));
        assert!(!role(Level::Manager, Dept::Marketing).can(Action::ContractsView));
        // after-sales: service and ops operate, the warehouse receives, service/ops
        // managers and directors approve refunds, sales reads, nobody else.
        assert!(role(Level::Specialist, Dept::Service).can(Action::AfterSalesOperate));
        assert!(!role(Level::Specialist, Dept::Warehouse).can(Action::AfterSalesOperate));
        assert!(!role(Level::Director, Dept::Service).can(Action::AfterSalesOperate));
        assert!(role(Level::Specialist, Dept::Warehouse).can(Action::AfterSalesReceive));
        assert!(role(Level::Specialist, Dept::Warehouse).can(Action::AfterSalesView));
        assert!(!role(Level::Specialist, Dept::Warehouse).can(Action::ComplaintsView));
        assert!(role(Level::Specialist, Dept::Sales).can(Action::ComplaintsView));
        assert!(!role(Level::Manager, Dept::Marketing).can(Action::AfterSalesView));
        assert!(!role(Level::Specialist, Dept::Finance).can(Action::ComplaintsView));
        assert!(role(Level::Manager, Dept::Service).can(Action::RefundApprove));
        assert!(role(Level::Director, Dept::Finance).can(Action::RefundApprove));
        assert!(!role(Level::Specialist, Dept::Service).can(Action::RefundApprove));
        assert!(!role(Level::Manager, Dept::Sales).can(Action::RefundApprove));
        // campaigns: marketing and ops draft and see their department's; their
        // managers and directors approve; the told managers see and acknowledge.
        assert!(role(Level::Specialist, Dept::Ops).can(Action::CampaignsOperate));
        assert!(!role(Level::Specialist, Dept::Sales).can(Action::CampaignsOperate));
        assert!(!role(Level::Director, Dept::Marketing).can(Action::CampaignsOperate));
        assert!(role(Level::Manager, Dept::Warehouse).can(Action::CampaignsView));
        assert!(!role(Level::Specialist, Dept::Warehouse).can(Action::CampaignsView));
        assert!(role(Level::Manager, Dept::Marketing).can(Action::CampaignsApprove));
        assert!(!role(Level::Manager, Dept::Service).can(Action::CampaignsApprove));
        assert!(role(Level::Manager, Dept::Service).can(Action::CampaignsAck));
        assert!(!role(Level::Manager, Dept::Marketing).can(Action::CampaignsAck));
        // sales targets: sales see them (a rep their own), the sales manager and
        // directors set them; nobody else.
        assert!(role(Level::Specialist, Dept::Sales).can(Action::TargetsView));
        assert!(!role(Level::Specialist, Dept::Sales).can(Action::TargetsSet));
        assert!(role(Level::Manager, Dept::Sales).can(Action::TargetsSet));
        assert!(role(Level::Director, Dept::Ops).can(Action::TargetsSet));
        assert!(!role(Level::Manager, Dept::Ops).can(Action::TargetsView));
        assert!(!role(Level::Specialist, Dept::Marketing).can(Action::TargetsView));
        assert!(!role(Level::Manager, Dept::Finance).can(Action::TargetsSet));
        // the monthly report: directors of any department, nobody else (not the
        // finance or ops managers either, nor tenant admins as such).
        assert!(role(Level::Director, Dept::Hr).can(Action::ReportsView));
        assert!(role(Level::Director, Dept::Ops).can(Action::ReportsWrite));
        assert!(!role(Level::Manager, Dept::Finance).can(Action::ReportsView));
        assert!(!role(Level::Manager, Dept::Ops).can(Action::ReportsView));
        assert!(!Role { tenant_admin: true, ..role(Level::Manager, Dept::Hr) }.can(Action::ReportsView));
        // attendance and performance.
        assert!(role(Level::Specialist, Dept::Finance).can(Action::AttendanceOwn));
        assert!(!role(Level::Specialist, Dept::Ops).can(Action::LeaveApprove));
        assert!(role(Level::Manager, Dept::Service).can(Action::LeaveApprove));
        assert!(role(Level::Manager, Dept::Ops).can(Action::PerformanceScore));
        // payroll CSV: HR at any level, and directors; nobody else.
        assert!(role(Level::Specialist, Dept::Hr).can(Action::PayrollExport));
        assert!(role(Level::Director, Dept::Ops).can(Action::PayrollExport));
        assert!(!role(Level::Manager, Dept::Finance).can(Action::PayrollExport));
        assert!(role(Level::Specialist, Dept::Hr).can(Action::HrManage));
        assert!(!role(Level::Director, Dept::Ops).can(Action::HrManage));
        // policy: HR managers and directors, and tenant admins.
        assert!(role(Level::Manager, Dept::Hr).can(Action::PolicyManage));
        assert!(!role(Level::Specialist, Dept::Hr).can(Action::PolicyManage));
        assert!(!role(Level::Director, Dept::Sales).can(Action::PolicyManage));
        assert!(Role { tenant_admin: true, ..role(Level::Specialist, Dept::Ops) }.can(Action::PolicyManage));
    }
}
