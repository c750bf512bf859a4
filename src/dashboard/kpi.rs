//! The KPI registry: every figure a dashboard or the monthly report shows, defined
//! once — its id (`data-kpi`), label, unit (`data-unit`), the area it belongs to,
//! the permission of the list it leads to, where its number comes from and the list
//! filter that shows exactly the records it counts.
//!
//! How each is computed is in [`super::measure`] (one function per [`Source`]) and
//! the SQL in [`super::repo`]; what the rules mean is in docs/decisions.md,
//! "Dashboards". A card links to `href(period)`; a test checks, for every KPI, that
//! the number on the card is what that list shows.

use super::period::Period;
use crate::people::Action;

/// `data-unit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Count,
    Yuan,
    Percent,
    Ratio,
    Days,
}

impl Unit {
    pub fn code(self) -> &'static str {
        match self {
            Unit::Count => "count",
            Unit::Yuan => "yuan",
            Unit::Percent => "percent",
            Unit::Ratio => "ratio",
            Unit::Days => "days",
        }
    }
}

/// The areas of a dashboard, in page order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Area {
    Sales,
    Orders,
    AfterSales,
    Complaints,
    Inventory,
    Campaigns,
    Targets,
    People,
    Payroll,
}

impl Area {
    pub const ALL: [Area; 9] = [
        Area::Sales,
        Area::Orders,
        Area::AfterSales,
        Area::Complaints,
        Area::Inventory,
        Area::Campaigns,
        Area::Targets,
        Area::People,
        Area::Payroll,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Area::Sales => "sales",
            Area::Orders => "orders",
            Area::AfterSales => "after_sales",
            Area::Complaints => "complaints",
            Area::Inventory => "inventory",
            Area::Campaigns => "campaigns",
            Area::Targets => "targets",
            Area::People => "people",
            Area::Payroll => "payroll",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Area::Sales => "销售",
            Area::Orders => "订单处理",
            Area::AfterSales => "售后",
            Area::Complaints => "投诉",
            Area::Inventory => "库存",
            Area::Campaigns => "营销活动",
            Area::Targets => "销售目标",
            Area::People => "人事",
            Area::Payroll => "工资调整",
        }
    }
}

/// Where a figure's number comes from: the queries [`super::measure`] runs once
/// per page for every figure that needs them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// `sales_days` over the period, in the user's order scope.
    Sales,
    /// The order lists' counts now (the list's own query).
    OrderCounts,
    /// Complaints received in the period, by their clock now.
    Complaints,
    /// `stock_days` over the period and the stock lists' counts now.
    Stock,
    /// The running campaigns in scope and their results.
    Campaigns,
    /// The month's targets and attainment (`sales_days`).
    Targets,
    /// The month's attendance findings and scores.
    People,
    /// The month's payroll adjustments (the rules over every employee).
    Payroll,
}

/// One figure.
#[derive(Debug)]
pub struct Kpi {
    pub id: &'static str,
    pub label: &'static str,
    pub unit: Unit,
    pub area: Area,
    /// Needed to see it (the permission of its list).
    pub needs: Action,
    pub source: Source,
    /// What it counts, as the card's tooltip and the report's footnote.
    pub rule: &'static str,
    /// The list of exactly the records it counts, for a period.
    pub href: fn(&Period) -> String,
}

fn paid(p: &Period) -> String {
    format!("/orders?paid_from={}&paid_to={}", p.from, p.to)
}

fn shipped(p: &Period) -> String {
    format!("/orders?shipped_from={}&shipped_to={}", p.from, p.to)
}

fn refunded(p: &Period) -> String {
    format!("/after-sales?refunded_from={}&refunded_to={}", p.from, p.to)
}

fn targets(p: &Period) -> String {
    format!("/targets?month={}", p.month())
}

/// Every figure, in page order within its area.
pub const REGISTRY: &[Kpi] = &[
    Kpi {
        id: "sales.amount",
        label: "销售额",
        unit: Unit::Yuan,
        area: Area::Sales,
        needs: Action::OrdersView,
        source: Source::Sales,
        rule: "期间内付款且未取消的订单实付金额合计（按付款日）",
        href: paid,
    },
    Kpi {
        id: "sales.orders",
        label: "订单数",
        unit: Unit::Count,
        area: Area::Sales,
        needs: Action::OrdersView,
        source: Source::Sales,
        rule: "期间内付款且未取消的订单数",
        href: paid,
    },
    Kpi {
        id: "sales.avg_order",
        label: "客单价",
        unit: Unit::Yuan,
        area: Area::Sales,
        needs: Action::OrdersView,
        source: Source::Sales,
        rule: "销售额 ÷ 订单数（四舍五入到分）",
        href: paid,
    },
    Kpi {
        id: "orders.pending_review",
        label: "待审核",
        unit: Unit::Count,
        area: Area::Orders,
        needs: Action::OrdersView,
        source: Source::OrderCounts,
        rule: "当前待审核的订单",
        href: |_| "/orders?status=pending_review".into(),
    },
    Kpi {
        id: "orders.held",
        label: "挂起",
        unit: Unit::Count,
        area: Area::Orders,
        needs: Action::OrdersView,
        source: Source::OrderCounts,
        rule: "当前有任一挂起的订单（一单多种挂起计一次）",
        href: |_| "/orders?hold=any".into(),
    },
    Kpi {
        id: "orders.held.unpaid",
        label: "挂起：未付款",
        unit: Unit::Count,
        area: Area::Orders,
        needs: Action::OrdersView,
        source: Source::OrderCounts,
        rule: "当前因未付款挂起的订单",
        href: |_| "/orders?hold=unpaid".into(),
    },
    Kpi {
        id: "orders.held.address",
        label: "挂起：地址不完整",
        unit: Unit::Count,
        area: Area::Orders,
        needs: Action::OrdersView,
        source: Source::OrderCounts,
        rule: "当前因地址不完整挂起的订单",
        href: |_| "/orders?hold=address".into(),
    },
    Kpi {
        id: "orders.held.stock",
        label: "挂起：缺货",
        unit: Unit::Count,
        area: Area::Orders,
        needs: Action::OrdersView,
        source: Source::OrderCounts,
        rule: "当前因缺货挂起的订单",
        href: |_| "/orders?hold=stock".into(),
    },
    Kpi {
        id: "orders.held.manual",
        label: "挂起：人工",
        unit: Unit::Count,
        area: Area::Orders,
        needs: Action::OrdersView,
        source: Source::OrderCounts,
        rule: "当前人工挂起的订单",
        href: |_| "/orders?hold=manual".into(),
    },
    Kpi {
        id: "orders.to_ship",
        label: "待发货",
        unit: Unit::Count,
        area: Area::Orders,
        needs: Action::OrdersView,
        source: Source::OrderCounts,
        rule: "已审核、已分配或部分发货的订单",
        href: |_| "/orders?status=to_ship".into(),
    },
    Kpi {
        id: "orders.shipped_on_time",
        label: "及时发货率",
        unit: Unit::Percent,
        area: Area::Orders,
        needs: Action::OrdersView,
        source: Source::Sales,
        rule: "期间内发货（首个包裹）的订单中，审核后规定小时数（默认 48 小时）内发出的比例",
        href: shipped,
    },
    Kpi {
        id: "refunds.amount",
        label: "退款金额",
        unit: Unit::Yuan,
        area: Area::AfterSales,
        needs: Action::AfterSalesView,
        source: Source::Sales,
        rule: "期间内完成的退款合计（按退款完成日；订单已取消的不计）",
        href: refunded,
    },
    Kpi {
        id: "refunds.rate",
        label: "退款率",
        unit: Unit::Percent,
        area: Area::AfterSales,
        needs: Action::AfterSalesView,
        source: Source::Sales,
        rule: "退款金额 ÷ 同期销售额",
        href: refunded,
    },
    Kpi {
        id: "complaints.on_time",
        label: "首次响应及时率",
        unit: Unit::Percent,
        area: Area::Complaints,
        needs: Action::ComplaintsView,
        source: Source::Complaints,
        rule: "期间内受理的投诉中，按时首次回复的比例（按时 ÷（按时 + 超时回复 + 已超时未回复））",
        href: |p| format!("/complaints?received_from={}&received_to={}&clock=met", p.from, p.to),
    },
    Kpi {
        id: "complaints.overdue",
        label: "超时未回复",
        unit: Unit::Count,
        area: Area::Complaints,
        needs: Action::ComplaintsView,
        source: Source::Complaints,
        rule: "当前已过首次响应时限仍未回复的投诉",
        href: |_| "/complaints?overdue=1".into(),
    },
    Kpi {
        id: "inventory.turnover",
        label: "库存周转率",
        unit: Unit::Ratio,
        area: Area::Inventory,
        needs: Action::InventoryView,
        source: Source::Stock,
        rule: "期间出库成本 ÷ 期间每日期末库存金额的平均值（按入账时成本计价）",
        href: |_| "/inventory/stock".into(),
    },
    Kpi {
        id: "inventory.slow_moving",
        label: "滞销库存",
        unit: Unit::Count,
        area: Area::Inventory,
        needs: Action::InventoryView,
        source: Source::Stock,
        rule: "有库存但近 90 天没有出库的库存项（商品 × 仓库）",
        href: |_| "/inventory/stock?slow=1".into(),
    },
    Kpi {
        id: "inventory.low_stock",
        label: "低库存",
        unit: Unit::Count,
        area: Area::Inventory,
        needs: Action::InventoryView,
        source: Source::Stock,
        rule: "库存不高于补货点的库存项",
        href: |_| "/inventory/stock?low=1".into(),
    },
    Kpi {
        id: "campaigns.running",
        label: "进行中活动",
        unit: Unit::Count,
        area: Area::Campaigns,
        needs: Action::CampaignsView,
        source: Source::Campaigns,
        rule: "已批准且今天在活动日期内的活动",
        href: |_| "/campaigns?status=running".into(),
    },
    Kpi {
        id: "campaigns.roi",
        label: "活动 ROI",
        unit: Unit::Ratio,
        area: Area::Campaigns,
        needs: Action::CampaignsView,
        source: Source::Campaigns,
        rule: "进行中活动的销售额合计 ÷ 费用合计（各渠道每日数据）",
        href: |_| "/campaigns?status=running".into(),
    },
    Kpi {
        id: "campaigns.budget_used",
        label: "预算使用",
        unit: Unit::Percent,
        area: Area::Campaigns,
        needs: Action::CampaignsView,
        source: Source::Campaigns,
        rule: "进行中活动的费用合计 ÷ 预算合计",
        href: |_| "/campaigns?status=running".into(),
    },
    Kpi {
        id: "targets.attainment",
        label: "目标完成率",
        unit: Unit::Percent,
        area: Area::Targets,
        needs: Action::TargetsView,
        source: Source::Targets,
        rule: "当月（下单金额 − 退货金额）÷ 当月目标（002）",
        href: targets,
    },
    Kpi {
        id: "people.absences",
        label: "旷工",
        unit: Unit::Count,
        area: Area::People,
        needs: Action::AttendanceOverview,
        source: Source::People,
        rule: "当月旷工人次（一人一天计一次）",
        href: |p| crate::hr::attendance::findings::absences_href(p.month().first_day()),
    },
    Kpi {
        id: "people.late",
        label: "迟到",
        unit: Unit::Count,
        area: Area::People,
        needs: Action::AttendanceOverview,
        source: Source::People,
        rule: "当月迟到人次",
        href: |p| crate::hr::attendance::findings::late_href(p.month().first_day()),
    },
    Kpi {
        id: "people.scores_missing",
        label: "未评绩效",
        unit: Unit::Count,
        area: Area::People,
        needs: Action::HrManage,
        source: Source::People,
        rule: "当月尚无绩效评分的在职员工",
        href: |p| crate::hr::performance::repo::scores_missing_href(p.month().first_day()),
    },
    Kpi {
        id: "payroll.wage_deduction",
        label: "工资扣款合计",
        unit: Unit::Yuan,
        area: Area::Payroll,
        needs: Action::PayrollExport,
        source: Source::Payroll,
        rule: "当月全员考勤工资扣款合计（按制度计算，进行中的月份算到今天）",
        href: |p| format!("/hr/payroll?month={}", p.month()),
    },
    Kpi {
        id: "payroll.bonus_payable",
        label: "应发绩效奖金合计",
        unit: Unit::Yuan,
        area: Area::Payroll,
        needs: Action::PayrollExport,
        source: Source::Payroll,
        rule: "当月全员应发绩效奖金合计（按制度计算）",
        href: |p| format!("/hr/payroll?month={}", p.month()),
    },
];

/// The figure `id`.
pub fn get(id: &str) -> Option<&'static Kpi> {
    REGISTRY.iter().find(|k| k.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_every_area_has_figures() {
        let mut ids: Vec<&str> = REGISTRY.iter().map(|k| k.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), REGISTRY.len());
        for a in Area::ALL {
            assert!(REGISTRY.iter().any(|k| k.area == a), "{a:?}");
        }
    }
}
