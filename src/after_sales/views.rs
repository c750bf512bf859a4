//! The after-sales pages: the list, the record with its forms, the new-case form.

use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::codes::{CaseKind, Category, Disposition, RefundMethod, RefundStatus};
use super::flow::{CaseEvent, CaseStatus};
use super::repo::{CaseRow, EventRow, ReceiptRow, RefundRow};
use crate::orders::codes::Carrier;
use crate::rules::Fen;
use crate::web::forms::DecisionForm;
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
    pub kind: String,
    #[serde(default)]
    pub status: String,
    /// An order id: that order's cases.
    #[serde(default)]
    pub order: String,
    /// Raised from / to (local dates, `YYYY-MM-DD`).
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    /// With a refund paid back (`done`) on a day from / to (local dates, both ends
    /// included), the order not cancelled.
    #[serde(default)]
    pub refunded_from: String,
    #[serde(default)]
    pub refunded_to: String,
    /// `receive`: approved cases whose goods are still to come back.
    #[serde(default)]
    pub stage: String,
    /// `1`: my open cases.
    #[serde(default)]
    pub mine: String,
    pub page: Option<i64>,
}

pub struct ListRow {
    pub case: CaseRow,
    pub raised_at: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "after_sales/list.html")]
pub struct ListPage {
    pub chrome: Chrome,
    pub q: ListQuery,
    pub rows: Vec<ListRow>,
    pub pager: Pager,
    pub kinds: &'static [CaseKind],
    pub statuses: &'static [CaseStatus],
    /// What was wrong with a date of the filter (that date is not applied).
    pub date_errors: Vec<String>,
    /// Σ of those refunds (yuan) over every case the list shows, when it is
    /// filtered by refund day.
    pub refunded_sum: Option<String>,
}

impl ListPage {
    pub fn yuan(&self, fen: &i64) -> String {
        yuan(*fen)
    }
}

/// What the user typed into the record page's forms (kept when one is refused).
#[derive(Clone, Debug, Default)]
pub struct Typed {
    pub comment: String,
    pub refund_comment: String,
    pub amount: String,
    pub method: String,
    pub reference: String,
    pub quantity: String,
    pub disposition: String,
    pub warehouse: String,
    pub carrier: String,
    pub tracking_no: String,
}

impl Typed {
    pub fn decision(form: DecisionForm) -> Self {
        Self { comment: form.comment, ..Self::default() }
    }

    pub fn refund_decision(form: DecisionForm) -> Self {
        Self { refund_comment: form.comment, ..Self::default() }
    }
}

pub struct ReceiptView {
    pub receipt: ReceiptRow,
    pub at: String,
}

pub struct RefundView {
    pub refund: RefundRow,
    pub at: String,
    pub decided_at: String,
}

pub struct EventView {
    pub event: EventRow,
    pub at: String,
}

impl EventView {
    pub fn label(&self) -> &'static str {
        match self.event.kind.as_str() {
            "raise" => "提交申请",
            "approve" => "同意",
            "reject" => "拒绝",
            "receive" => "收到退回商品",
            "refund" => "退款",
            "refund_pending" => "退款待经理审批",
            "refund_approve" => "批准退款",
            "refund_reject" => "驳回退款",
            "reship" => "寄出",
            "close" => "完结",
            _ => "记录",
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "after_sales/show.html")]
pub struct ShowPage {
    pub chrome: Chrome,
    pub case: CaseRow,
    pub raised_at: String,
    pub decided_at: String,
    pub receipts: Vec<ReceiptView>,
    pub refunds: Vec<RefundView>,
    pub events: Vec<EventView>,
    /// The order's paid amount, the line's share of it, and what may still be
    /// refunded on this case (the least of the line's and the order's rest).
    pub order_paid_fen: i64,
    pub line_share_fen: i64,
    pub refundable_fen: i64,
    /// The order's refunds so far (not rejected) and the tenant's threshold.
    pub order_refunds_fen: i64,
    pub threshold_fen: i64,
    pub warehouses: Vec<(String, String)>,
    pub carriers: &'static [Carrier],
    pub methods: &'static [RefundMethod],
    pub dispositions: &'static [Disposition],
    pub can_operate: bool,
    pub can_receive: bool,
    pub can_decide_refund: bool,
    /// The viewer may open the order (a link, else its number alone).
    pub order_link: bool,
    /// Who is looking (nobody decides their own case or refund).
    pub viewer_id: i64,
    pub errors: FieldErrors,
    pub typed: Typed,
}

impl ShowPage {
    pub fn yuan(&self, fen: &i64) -> String {
        yuan(*fen)
    }

    fn may(&self, event: CaseEvent) -> bool {
        self.case.status.next(self.case.kind, event).is_some()
    }

    /// The review form (not for the case's own raiser).
    pub fn may_review(&self) -> bool {
        self.can_operate && self.may(CaseEvent::Approve) && self.case.raised_by != self.chrome_user_id()
    }

    pub fn own_case(&self) -> bool {
        self.case.raised_by == self.chrome_user_id()
    }

    pub fn may_receive(&self) -> bool {
        self.can_receive && self.may(CaseEvent::Receive { complete: true })
    }

    pub fn left_to_receive(&self) -> i64 {
        self.case.quantity - self.case.received_qty
    }

    pub fn may_refund(&self) -> bool {
        self.can_operate && self.may(CaseEvent::Refund { waits: false })
    }

    /// A return whose goods are not all back yet (the refund form says so).
    pub fn refund_waits_for_goods(&self) -> bool {
        self.can_operate && self.case.kind == CaseKind::Return && self.case.status == CaseStatus::Approved
    }

    pub fn may_decide_refund(&self) -> bool {
        self.can_decide_refund && self.case.status == CaseStatus::RefundPending && !self.own_refund()
    }

    fn own_refund(&self) -> bool {
        let me = self.chrome_user_id();
        self.case.raised_by == me
            || self.refunds.iter().any(|r| r.refund.status == RefundStatus::Pending && r.refund.recorded_by == me)
    }

    pub fn may_send_out(&self) -> bool {
        self.can_operate && self.may(CaseEvent::SendOut)
    }

    pub fn may_close(&self) -> bool {
        self.can_operate && self.may(CaseEvent::Close)
    }

    fn chrome_user_id(&self) -> i64 {
        self.viewer_id
    }
}

/// The new-case form's fields as typed.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct NewForm {
    #[serde(default)]
    pub order: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub sku: String,
    #[serde(default)]
    pub quantity: String,
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub reason: String,
}

/// A line of the order as the new-case form offers it.
pub struct LineChoice {
    pub line_no: i32,
    pub sku: String,
    pub name: String,
    pub shipped: i64,
    pub covered: i64,
    pub share_fen: i64,
}

impl LineChoice {
    pub fn open(&self) -> i64 {
        (self.shipped - self.covered).max(0)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "after_sales/new.html")]
pub struct NewPage {
    pub chrome: Chrome,
    pub order_id: i64,
    pub order_no: String,
    pub receiver: String,
    pub paid_fen: i64,
    pub lines: Vec<LineChoice>,
    pub kinds: &'static [CaseKind],
    pub categories: &'static [Category],
    pub form: NewForm,
    pub errors: FieldErrors,
}

impl NewPage {
    pub fn yuan(&self, fen: &i64) -> String {
        yuan(*fen)
    }
}
