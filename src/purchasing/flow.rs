//! The replenishment request's workflow: its typed status, the one transition
//! function that says what may follow what, and its part of the one decision
//! mechanism (`crate::decision`).
//!
//! pending → approved | director_pending (a manager's approval at or above the
//! tenant's threshold) | rejected; director_pending → approved | rejected (a
//! director; a director's approval is final at either stage); approved → ordered.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::repo::{fetch_scoped, RequestRow};
use super::requests::show_page;
use crate::audit::Entry;
use crate::db::Tx;
use crate::decision::{Outcome, Verdict, Workflow};
use crate::error::{AppError, AppResult};
use crate::people::{Action, Level};
use crate::web::forms::{non_empty, DecisionForm};
use crate::web::{Ctx, CurrentUser, FieldErrors};

crate::code_enum! {
    /// A replenishment request's state (`replenishment_requests.status`).
    pub enum RequestStatus {
        Pending => ("pending", "待审批"),
        DirectorPending => ("director_pending", "待总监审批"),
        Approved => ("approved", "已批准"),
        Rejected => ("rejected", "已驳回"),
        Ordered => ("ordered", "已下单"),
    }
}

/// What happens to a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestEvent {
    /// A manager approves (`needs_director`: at or above the threshold).
    ManagerApprove {
        needs_director: bool,
    },
    DirectorApprove,
    Reject,
    /// A purchase order is made from it.
    Order,
}

impl RequestStatus {
    /// Open: at most one open request per product and warehouse.
    pub const OPEN: [RequestStatus; 3] =
        [RequestStatus::Pending, RequestStatus::DirectorPending, RequestStatus::Approved];

    pub fn tag(self) -> &'static str {
        match self {
            RequestStatus::Pending | RequestStatus::DirectorPending => "tag-warn",
            RequestStatus::Approved | RequestStatus::Ordered => "tag-ok",
            RequestStatus::Rejected => "tag-bad",
        }
    }

    /// Whether a decision (approve or reject) is still possible.
    pub fn awaits_decision(self) -> bool {
        self.next(RequestEvent::Reject).is_some()
    }

    pub fn is_open(self) -> bool {
        Self::OPEN.contains(&self)
    }

    /// The one place that says what may follow what: the state after `event`, or
    /// `None` when the event is not possible in this state.
    pub fn next(self, event: RequestEvent) -> Option<Self> {
        use RequestEvent as E;
        use RequestStatus as S;
        match (self, event) {
            (S::Pending, E::ManagerApprove { needs_director: true }) => Some(S::DirectorPending),
            (S::Pending, E::ManagerApprove { needs_director: false }) => Some(S::Approved),
            (S::Pending | S::DirectorPending, E::DirectorApprove) => Some(S::Approved),
            (S::Pending | S::DirectorPending, E::Reject) => Some(S::Rejected),
            (S::Approved, E::Order) => Some(S::Ordered),
            _ => None,
        }
    }
}

crate::code_enum! {
    /// A purchase order's state (`purchase_orders.status`).
    pub enum OrderStatus {
        Open => ("open", "待收货"),
        Partial => ("partial", "部分收货"),
        Received => ("received", "已收货"),
        Cancelled => ("cancelled", "已取消"),
    }
}

impl OrderStatus {
    pub fn tag(self) -> &'static str {
        match self {
            OrderStatus::Open | OrderStatus::Partial => "tag-warn",
            OrderStatus::Received => "tag-ok",
            OrderStatus::Cancelled => "tag-off",
        }
    }

    /// The one place that says what may follow what: a receipt (`complete`: every
    /// line now fully received) of an open or partly received order.
    pub fn after_receipt(self, complete: bool) -> Option<Self> {
        match self {
            OrderStatus::Open | OrderStatus::Partial if complete => Some(OrderStatus::Received),
            OrderStatus::Open | OrderStatus::Partial => Some(OrderStatus::Partial),
            OrderStatus::Received | OrderStatus::Cancelled => None,
        }
    }
}

/// The event of `user`'s decision on `row`.
fn event_of(user: &CurrentUser, row: &RequestRow, verdict: Verdict) -> RequestEvent {
    match (verdict, user.level == Level::Director) {
        (Verdict::Reject, _) => RequestEvent::Reject,
        (Verdict::Approve, true) => RequestEvent::DirectorApprove,
        (Verdict::Approve, false) => RequestEvent::ManagerApprove { needs_director: row.needs_director },
    }
}

/// Replenishment requests in the decision mechanism.
pub struct Replenishment;

impl Workflow for Replenishment {
    const PERMISSION: Action = Action::InventoryApprove;
    type Record = RequestRow;

    async fn lock(tx: &mut Tx, user: &CurrentUser, id: i64) -> Result<Option<RequestRow>, sqlx::Error> {
        fetch_scoped(tx, user, id, true).await
    }

    fn is_own(user: &CurrentUser, row: &RequestRow) -> bool {
        row.requested_by == user.user_id
    }

    fn check(user: &CurrentUser, row: &RequestRow, _verdict: Verdict) -> AppResult<()> {
        if !row.status.awaits_decision() {
            return Err(AppError::Conflict(format!("该补货申请已是“{}”，不能再审批", row.status_label())));
        }
        if row.status == RequestStatus::DirectorPending && user.level != Level::Director {
            // The manager stage is done; only a director decides now.
            return Err(AppError::Forbidden);
        }
        Ok(())
    }

    async fn apply(
        tx: &mut Tx,
        user: &CurrentUser,
        row: &RequestRow,
        verdict: Verdict,
        comment: &str,
    ) -> AppResult<Outcome> {
        let is_director = user.level == Level::Director;
        let new_status = row
            .status
            .next(event_of(user, row, verdict))
            .ok_or_else(|| AppError::Conflict(format!("该补货申请已是“{}”，不能再审批", row.status_label())))?;
        let comment = non_empty(comment).map(str::to_owned);
        super::repo::decide(tx, user.tenant_id, row.id, is_director, new_status, user.user_id, comment.as_deref())
            .await?;
        let stage = if is_director { "总监" } else { "经理" };
        let id = row.id;
        let audit = Entry {
            action: if verdict.approves() { "replenishment.approve" } else { "replenishment.reject" },
            entity_type: Some("replenishment"),
            entity_id: Some(id.to_string()),
            summary: format!(
                "{stage}{}补货申请 #{id}：{}（{}）在 {} 补 {} {}{}",
                verdict.verb(),
                row.product_name,
                row.sku,
                row.warehouse_code,
                row.quantity,
                row.unit,
                if new_status == RequestStatus::DirectorPending { "，转总监审批" } else { "" }
            ),
            before: Some(json!({"status": row.status.code()})),
            after: Some(json!({
                "status": new_status.code(), "stage": if is_director { "director" } else { "manager" }, "comment": comment
            })),
        };
        let message = match new_status {
            RequestStatus::DirectorPending => "已批准，金额达到总监审批线，已转总监审批。",
            RequestStatus::Approved => "已批准该补货申请。",
            _ => "已驳回该补货申请。",
        };
        Ok(Outcome::Decided { audit, message: message.into(), redirect: format!("/inventory/replenishments/{id}") })
    }

    async fn invalid(
        _tx: &mut Tx,
        ctx: &mut Ctx,
        row: RequestRow,
        form: DecisionForm,
        errors: FieldErrors,
    ) -> AppResult<Response> {
        Ok((StatusCode::UNPROCESSABLE_ENTITY, show_page(ctx, row, form, errors)).into_response())
    }
}

#[cfg(test)]
mod tests {
    use super::RequestEvent as E;
    use super::RequestStatus as S;

    #[test]
    fn transitions() {
        assert_eq!(S::Pending.next(E::ManagerApprove { needs_director: true }), Some(S::DirectorPending));
        assert_eq!(S::Pending.next(E::ManagerApprove { needs_director: false }), Some(S::Approved));
        assert_eq!(S::DirectorPending.next(E::ManagerApprove { needs_director: true }), None, "one manager stage");
        assert_eq!(S::DirectorPending.next(E::DirectorApprove), Some(S::Approved));
        assert_eq!(S::Pending.next(E::DirectorApprove), Some(S::Approved), "a director's approval is final");
        assert_eq!(S::Approved.next(E::Order), Some(S::Ordered));
        for s in [S::Approved, S::Rejected, S::Ordered] {
            assert_eq!(s.next(E::Reject), None, "{s:?} is decided");
            assert_eq!(s.next(E::DirectorApprove), None);
        }
        for &s in S::ALL {
            assert_eq!(S::parse(s.code()), Some(s));
        }
    }

    #[test]
    fn purchase_orders_take_receipts_until_complete() {
        use super::OrderStatus as O;
        assert_eq!(O::Open.after_receipt(false), Some(O::Partial));
        assert_eq!(O::Partial.after_receipt(true), Some(O::Received));
        assert_eq!(O::Open.after_receipt(true), Some(O::Received));
        assert_eq!(O::Received.after_receipt(false), None);
        assert_eq!(O::Cancelled.after_receipt(true), None);
        for &s in O::ALL {
            assert_eq!(O::parse(s.code()), Some(s));
        }
    }
}
