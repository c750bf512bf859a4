//! The order pages: the list and the record.

use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::codes::{Carrier, ExceptionKind, HoldKind, OrderStatus, Platform};
use super::flow;
use super::repo::{Coverage, EventRow, HoldRow, LineRow, OrderRow, ParcelRow};
use crate::rules::Fen;
use crate::tz::TimeZone;
use crate::web::{Chrome, FieldErrors, Pager};

pub fn yuan(fen: i64) -> String {
    Fen(fen).to_string()
}

/// The list's query string.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub hold: String,
    #[serde(default)]
    pub platform: String,
    #[serde(default)]
    pub warehouse: String,
    /// Sales day from / to (local dates `YYYY-MM-DD`, both ends included).
    #[serde(default)]
    pub paid_from: String,
    #[serde(default)]
    pub paid_to: String,
    /// Shipped day from / to (local dates, both ends included).
    #[serde(default)]
    pub shipped_from: String,
    #[serde(default)]
    pub shipped_to: String,
    /// `1`: shipped on time, `0`: shipped late.
    #[serde(default)]
    pub on_time: String,
    pub page: Option<i64>,
}

/// One row of the list.
pub struct ListRow {
    pub order: OrderRow,
    pub ordered_at: String,
}

impl ListRow {
    pub fn holds(&self) -> Vec<HoldKind> {
        flow::active_holds(&self.order)
    }

    pub fn paid(&self) -> String {
        yuan(self.order.paid_fen)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "orders/list.html")]
pub struct ListPage {
    pub chrome: Chrome,
    pub q: ListQuery,
    pub rows: Vec<ListRow>,
    pub pager: Pager,
    pub statuses: &'static [OrderStatus],
    pub holds: &'static [HoldKind],
    pub platforms: &'static [Platform],
    pub warehouses: Vec<(String, String)>,
    /// What was wrong with a date of the filter (that date is not applied).
    pub date_errors: Vec<String>,
    /// Σ paid (yuan) of every order the list shows, when it is filtered by sales day.
    pub paid_sum: Option<String>,
    /// The tenant's `ship_within_hours` (the on-time filter's label).
    pub ship_within_hours: i64,
    /// Slips and picking lists (the warehouse, ops and service).
    pub can_print: bool,
    /// Links to the order import (OrdersOperate) and batch shipping (OrdersShip).
    pub can_import: bool,
    pub can_ship: bool,
    /// The user takes orders in (the 新建订单 link).
    pub can_enter: bool,
}

/// A hold as the record page shows it.
pub struct HoldView {
    pub hold: HoldRow,
    pub placed_at: String,
    pub released_at: String,
}

pub struct ParcelView {
    pub parcel: ParcelRow,
    pub shipped_at: String,
}

impl ParcelView {
    pub fn status_label(&self) -> &'static str {
        if self.parcel.resent {
            return "丢件，已补发";
        }
        match self.parcel.status.as_str() {
            "delivered" => "已签收",
            "exception" => "异常",
            _ => "运输中",
        }
    }

    pub fn exception_label(&self) -> &'static str {
        self.parcel.exception_kind.as_deref().and_then(ExceptionKind::parse).map_or("", ExceptionKind::label)
    }
}

pub struct EventView {
    pub event: EventRow,
    pub at: String,
}

impl EventView {
    pub fn label(&self) -> &'static str {
        match self.event.kind.as_str() {
            "intake" => "接单",
            "hold" => "挂起",
            "release" => "解除挂起",
            "paid" => "登记付款",
            "approve" => "审核通过",
            "allocate" => "配货",
            "reassign" => "改派仓库",
            "print_slip" => "打印拣货单",
            "print_label" => "打印面单",
            "print_picking" => "打印批量拣货单",
            "ship" => "发货",
            "deliver" => "签收",
            "exception" => "物流异常",
            "resend" => "补发",
            "cancel" => "取消",
            _ => "备注",
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "orders/show.html")]
pub struct ShowPage {
    pub chrome: Chrome,
    pub order: OrderRow,
    pub ordered_at: String,
    pub paid_at: String,
    pub lines: Vec<LineRow>,
    pub active: Vec<HoldView>,
    pub released: Vec<HoldView>,
    pub events: Vec<EventView>,
    pub coverage: Vec<Coverage>,
    /// The tenant's warehouses (code, name), for a re-sent parcel.
    pub warehouses: Vec<(String, String)>,
    pub parcels: Vec<ParcelView>,
    pub carriers: &'static [Carrier],
    pub exception_kinds: &'static [ExceptionKind],
    pub can_ship: bool,
    pub can_operate: bool,
    pub can_override: bool,
    /// Whether the viewer may open the order's contract (else its number alone).
    pub contract_link: bool,
    /// The viewer sees after-sales cases (the link to the order's), and may raise
    /// one on this order (something has shipped).
    pub can_see_after_sales: bool,
    /// Whether to link the order's campaign (its page still checks the scope).
    pub can_see_campaigns: bool,
    pub can_raise_after_sale: bool,
    /// The service desk may log a complaint about the order (`/complaints/new?order=`).
    pub can_log_complaint: bool,
    /// The form's error (a hold without a reason, a release without a note…).
    pub errors: FieldErrors,
    pub hold_reason: String,
}

impl ShowPage {
    pub fn yuan(&self, fen: &i64) -> String {
        yuan(*fen)
    }

    pub fn total(&self) -> String {
        yuan(self.order.goods_fen + self.order.shipping_fen - self.order.discount_fen)
    }

    pub fn line_amount(&self, l: &LineRow) -> String {
        yuan(l.quantity * l.unit_price_fen)
    }

    pub fn may_approve(&self) -> bool {
        self.can_operate && self.order.status == OrderStatus::PendingReview && self.active.is_empty()
    }

    pub fn may_cancel(&self) -> bool {
        self.order.status.before_shipping()
            && (self.can_override || (self.can_operate && self.order.status != OrderStatus::Allocated))
    }

    pub fn may_release(&self, kind: &HoldKind) -> bool {
        self.can_operate && (*kind != HoldKind::Unpaid || self.can_override)
    }

    pub fn may_allocate(&self) -> bool {
        self.active.is_empty()
            && match self.order.status {
                OrderStatus::Approved | OrderStatus::Exception => self.can_operate,
                OrderStatus::Allocated => self.can_override,
                _ => false,
            }
    }

    pub fn may_ship(&self) -> bool {
        self.can_ship && self.active.is_empty() && self.lines.iter().any(|l| l.reserved_qty > 0)
    }

    pub fn may_follow(&self) -> bool {
        (self.can_ship || self.can_operate)
            && matches!(
                self.order.status,
                OrderStatus::Shipped | OrderStatus::PartiallyShipped | OrderStatus::Exception
            )
    }

    pub fn may_deliver(&self) -> bool {
        self.may_follow() && self.order.status != OrderStatus::PartiallyShipped
    }

    /// Slips and labels: the warehouse's, and the order desk's.
    pub fn may_print(&self) -> bool {
        self.can_ship || self.can_operate
    }

    /// A lost parcel may be sent again by the order desk.
    pub fn may_resend(&self, p: &ParcelView) -> bool {
        self.can_operate
            && self.order.status == OrderStatus::Exception
            && !p.parcel.resent
            && p.parcel.exception_kind.as_deref() == Some(ExceptionKind::Lost.code())
    }

    /// Something is reserved, waiting to be picked.
    pub fn to_pick(&self) -> bool {
        self.lines.iter().any(|l| l.reserved_qty > 0)
    }

    pub fn unpaid(&self) -> bool {
        self.order.paid_at.is_none()
    }

    pub fn stock_held(&self) -> bool {
        self.active.iter().any(|h| h.hold.kind == HoldKind::Stock)
    }
}

/// Times as the tenant reads them.
pub fn local(tz: TimeZone, at: Option<chrono::DateTime<chrono::Utc>>) -> String {
    at.map(|t| tz.format(t)).unwrap_or_default()
}
