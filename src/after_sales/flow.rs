//! An after-sales case's workflow: its typed status, the one transition function
//! that says what may follow what, how a refund is bounded by what was paid, and
//! the two decisions (the case's review, a refund waiting for a manager) in the
//! project's one decision mechanism (`crate::decision`).
//!
//! requested → approved | rejected; approved → received (return, exchange, repair;
//! once every unit is back — a partial receipt keeps it approved); a refund
//! (refund only: from approved; return: from received) → refunded, or
//! refund_pending when the order's refunds reach the tenant's threshold and the
//! recorder may not approve it → refunded | back to where it was (rejected by the
//! manager); received → reshipped (exchange) | repaired (repair); refunded,
//! reshipped, repaired → closed.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::codes::{CaseKind, RefundStatus};
use super::repo::{self, CaseRow, RefundRow};
use crate::audit::Entry;
use crate::db::Tx;
use crate::decision::{Outcome, Verdict, Workflow};
use crate::error::{AppError, AppResult};
use crate::people::Action;
use crate::web::forms::DecisionForm;
use crate::web::{Ctx, CurrentUser, FieldErrors};

crate::code_enum! {
    /// A case's state (`after_sales.status`).
    pub enum CaseStatus {
        Requested => ("requested", "待审核"),
        Approved => ("approved", "已同意"),
        Rejected => ("rejected", "已拒绝"),
        Received => ("received", "已收货"),
        RefundPending => ("refund_pending", "待退款审批"),
        Refunded => ("refunded", "已退款"),
        Reshipped => ("reshipped", "已补发"),
        Repaired => ("repaired", "已返修"),
        Closed => ("closed", "已完结"),
    }
}

/// What happens to a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaseEvent {
    Approve,
    Reject,
    /// Goods came back (`complete`: every unit of the case now).
    Receive {
        complete: bool,
    },
    /// A refund is recorded (`waits`: for a manager).
    Refund {
        waits: bool,
    },
    RefundApprove,
    RefundReject,
    /// The replacement (exchange) or the repaired goods (repair) sent out.
    SendOut,
    Close,
}

impl CaseStatus {
    /// Still being worked on (the specialist's "my open cases").
    pub const OPEN: [CaseStatus; 6] = [
        CaseStatus::Requested,
        CaseStatus::Approved,
        CaseStatus::Received,
        CaseStatus::RefundPending,
        CaseStatus::Refunded,
        CaseStatus::Reshipped,
    ];

    pub fn open_codes() -> Vec<&'static str> {
        let mut v: Vec<&str> = Self::OPEN.iter().map(|s| s.code()).collect();
        v.push(CaseStatus::Repaired.code());
        v
    }

    pub fn tag(self) -> &'static str {
        match self {
            CaseStatus::Requested | CaseStatus::RefundPending => "tag-warn",
            CaseStatus::Rejected => "tag-bad",
            CaseStatus::Closed => "tag-off",
            _ => "tag-ok",
        }
    }

    /// The one place that says what may follow what for a case of `kind`: the
    /// state after `event`, or `None` when the event is not possible now.
    pub fn next(self, kind: CaseKind, event: CaseEvent) -> Option<Self> {
        use CaseEvent as E;
        use CaseStatus as S;
        let refund_from = if kind == CaseKind::Return { S::Received } else { S::Approved };
        match (self, event) {
            (S::Requested, E::Approve) => Some(S::Approved),
            (S::Requested, E::Reject) => Some(S::Rejected),
            (S::Approved, E::Receive { complete }) if kind.takes_goods_back() => {
                Some(if complete { S::Received } else { S::Approved })
            }
            (s, E::Refund { waits }) if kind.refunds() && s == refund_from => {
                Some(if waits { S::RefundPending } else { S::Refunded })
            }
            (S::RefundPending, E::RefundApprove) => Some(S::Refunded),
            (S::RefundPending, E::RefundReject) => Some(refund_from),
            (S::Received, E::SendOut) if kind == CaseKind::Exchange => Some(S::Reshipped),
            (S::Received, E::SendOut) if kind == CaseKind::Repair => Some(S::Repaired),
            (S::Refunded | S::Reshipped | S::Repaired, E::Close) => Some(S::Closed),
            _ => None,
        }
    }
}

/// Each line's share of what the order was paid (fen), in line order: the paid
/// amount split by the lines' amounts, rounded down, the last line taking what the
/// rounding left (so the shares add up to exactly what was paid). With no goods
/// amount at all, everything is the last line's.
pub fn paid_shares(paid_fen: i64, line_amounts: &[i64]) -> Vec<i64> {
    let goods: i128 = line_amounts.iter().map(|&a| a as i128).sum();
    let mut shares: Vec<i64> = line_amounts
        .iter()
        .map(|&a| if goods > 0 { (paid_fen as i128 * a as i128 / goods) as i64 } else { 0 })
        .collect();
    if let Some(last) = shares.len().checked_sub(1) {
        let others: i64 = shares[..last].iter().sum();
        shares[last] = paid_fen - others;
    }
    shares
}

/// 409 naming the case's state, for a step not possible in it.
pub fn conflict(case: &CaseRow, what: &str) -> AppError {
    AppError::Conflict(format!("售后单 {} 当前为「{}」，不能{what}", case.case_no, case.status.label()))
}

/// The state after `event`, or 409.
pub fn next(case: &CaseRow, event: CaseEvent, what: &str) -> AppResult<CaseStatus> {
    case.status.next(case.kind, event).ok_or_else(|| conflict(case, what))
}

/// The case's review (approve / reject a request).
pub struct CaseReview;

impl Workflow for CaseReview {
    const PERMISSION: Action = Action::AfterSalesOperate;
    type Record = CaseRow;

    async fn lock(tx: &mut Tx, user: &CurrentUser, id: i64) -> Result<Option<CaseRow>, sqlx::Error> {
        repo::find(tx, user.tenant_id, &super::scope(user), id, true).await
    }

    fn is_own(user: &CurrentUser, case: &CaseRow) -> bool {
        case.raised_by == user.user_id
    }

    fn check(_user: &CurrentUser, case: &CaseRow, _verdict: Verdict) -> AppResult<()> {
        next(case, CaseEvent::Reject, "审核").map(|_| ())
    }

    async fn apply(
        tx: &mut Tx,
        user: &CurrentUser,
        case: &CaseRow,
        verdict: Verdict,
        comment: &str,
    ) -> AppResult<Outcome> {
        let event = if verdict.approves() { CaseEvent::Approve } else { CaseEvent::Reject };
        let status = next(case, event, "审核")?;
        let tid = user.tenant_id;
        repo::decide(tx, tid, case.id, status, user.user_id, comment).await?;
        let kind = if verdict.approves() { "approve" } else { "reject" };
        repo::event(tx, tid, case.id, kind, (user.user_id, &user.display_name), comment).await?;
        let audit = Entry::step(
            if verdict.approves() { "after_sale.approve" } else { "after_sale.reject" },
            "after_sale",
            case.id,
            format!("{}售后单 {}（{}，订单 {}）", verdict.verb(), case.case_no, case.kind.label(), case.order_no),
            Some(json!({"status": case.status.code()})),
            json!({"status": status.code(), "comment": comment}),
        );
        let message = if verdict.approves() { "已同意该售后申请" } else { "已拒绝该售后申请" };
        Ok(Outcome::Decided { audit, message: message.into(), redirect: format!("/after-sales/{}", case.id) })
    }

    async fn invalid(
        tx: &mut Tx,
        ctx: &mut Ctx,
        case: CaseRow,
        form: DecisionForm,
        errors: FieldErrors,
    ) -> AppResult<Response> {
        let page = super::handlers::page(ctx, tx, case, errors, super::views::Typed::decision(form)).await?;
        Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    }
}

/// A refund waiting for a manager: the case and the refund, locked.
pub struct Waiting {
    pub case: CaseRow,
    pub refund: Option<RefundRow>,
}

/// The manager's decision on a refund waiting in `refund_pending`.
pub struct RefundReview;

impl Workflow for RefundReview {
    const PERMISSION: Action = Action::RefundApprove;
    type Record = Waiting;

    async fn lock(tx: &mut Tx, user: &CurrentUser, id: i64) -> Result<Option<Waiting>, sqlx::Error> {
        let Some(case) = repo::find(tx, user.tenant_id, &super::scope(user), id, true).await? else {
            return Ok(None);
        };
        let refund =
            repo::refunds(tx, user.tenant_id, id).await?.into_iter().find(|r| r.status == RefundStatus::Pending);
        Ok(Some(Waiting { case, refund }))
    }

    fn is_own(user: &CurrentUser, w: &Waiting) -> bool {
        w.case.raised_by == user.user_id || w.refund.as_ref().is_some_and(|r| r.recorded_by == user.user_id)
    }

    fn check(_user: &CurrentUser, w: &Waiting, _verdict: Verdict) -> AppResult<()> {
        match (&w.refund, next(&w.case, CaseEvent::RefundApprove, "审批退款")) {
            (Some(_), Ok(_)) => Ok(()),
            (_, Err(e)) => Err(e),
            (None, Ok(_)) => Err(conflict(&w.case, "审批退款")),
        }
    }

    async fn apply(
        tx: &mut Tx,
        user: &CurrentUser,
        w: &Waiting,
        verdict: Verdict,
        comment: &str,
    ) -> AppResult<Outcome> {
        let (case, tid) = (&w.case, user.tenant_id);
        let Some(refund) = &w.refund else { return Err(conflict(case, "审批退款")) };
        let event = if verdict.approves() { CaseEvent::RefundApprove } else { CaseEvent::RefundReject };
        let status = next(case, event, "审批退款")?;
        let refund_status = if verdict.approves() { RefundStatus::Done } else { RefundStatus::Rejected };
        repo::decide_refund(tx, tid, refund.id, refund_status, user.user_id, comment).await?;
        repo::set_status(tx, tid, case.id, status).await?;
        let amount = crate::rules::Fen(refund.amount_fen);
        if verdict.approves() {
            repo::refunded(tx, tid, case.id, refund.amount_fen).await?;
            crate::orders::repo::refunded(tx, tid, case.order_id, refund.amount_fen).await?;
        }
        let kind = if verdict.approves() { "refund_approve" } else { "refund_reject" };
        let note = format!("¥{amount}{}{comment}", if comment.is_empty() { "" } else { "：" });
        repo::event(tx, tid, case.id, kind, (user.user_id, &user.display_name), &note).await?;
        let audit = Entry::step(
            if verdict.approves() { "refund.approve" } else { "refund.reject" },
            "after_sale",
            case.id,
            format!("{}售后单 {} 的退款 ¥{amount}（订单 {}）", verdict.verb(), case.case_no, case.order_no),
            Some(json!({"status": case.status.code(), "refund": refund.id})),
            json!({"status": status.code(), "refund_status": refund_status.code(), "comment": comment}),
        );
        let message =
            if verdict.approves() { format!("已批准退款 ¥{amount}") } else { "已驳回该退款".to_owned() };
        Ok(Outcome::Decided { audit, message, redirect: format!("/after-sales/{}", case.id) })
    }

    async fn invalid(
        tx: &mut Tx,
        ctx: &mut Ctx,
        w: Waiting,
        form: DecisionForm,
        errors: FieldErrors,
    ) -> AppResult<Response> {
        let page = super::handlers::page(ctx, tx, w.case, errors, super::views::Typed::refund_decision(form)).await?;
        Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    }
}

#[cfg(test)]
mod tests {
    use super::CaseEvent as E;
    use super::CaseStatus as S;
    use super::*;

    #[test]
    fn a_refund_only_case_is_refunded_from_its_approval() {
        let k = CaseKind::Refund;
        assert_eq!(S::Requested.next(k, E::Approve), Some(S::Approved));
        assert_eq!(S::Requested.next(k, E::Reject), Some(S::Rejected));
        assert_eq!(S::Approved.next(k, E::Receive { complete: true }), None, "no goods come back");
        assert_eq!(S::Approved.next(k, E::Refund { waits: false }), Some(S::Refunded));
        assert_eq!(S::Approved.next(k, E::Refund { waits: true }), Some(S::RefundPending));
        assert_eq!(S::RefundPending.next(k, E::RefundReject), Some(S::Approved));
        assert_eq!(S::RefundPending.next(k, E::RefundApprove), Some(S::Refunded));
        assert_eq!(S::Refunded.next(k, E::Close), Some(S::Closed));
        assert_eq!(S::Requested.next(k, E::Refund { waits: false }), None, "not before the review");
    }

    #[test]
    fn a_return_is_refunded_only_once_the_goods_are_back() {
        let k = CaseKind::Return;
        assert_eq!(S::Approved.next(k, E::Refund { waits: false }), None);
        assert_eq!(S::Approved.next(k, E::Receive { complete: false }), Some(S::Approved), "partial");
        assert_eq!(S::Approved.next(k, E::Receive { complete: true }), Some(S::Received));
        assert_eq!(S::Received.next(k, E::Receive { complete: true }), None);
        assert_eq!(S::Received.next(k, E::Refund { waits: true }), Some(S::RefundPending));
        assert_eq!(S::RefundPending.next(k, E::RefundReject), Some(S::Received));
        assert_eq!(S::Received.next(k, E::SendOut), None);
    }

    #[test]
    fn exchanges_and_repairs_send_goods_out_again_and_refund_nothing() {
        for (k, end) in [(CaseKind::Exchange, S::Reshipped), (CaseKind::Repair, S::Repaired)] {
            assert_eq!(S::Approved.next(k, E::Receive { complete: true }), Some(S::Received));
            assert_eq!(S::Received.next(k, E::Refund { waits: false }), None);
            assert_eq!(S::Approved.next(k, E::SendOut), None, "not before the goods are back");
            assert_eq!(S::Received.next(k, E::SendOut), Some(end));
            assert_eq!(end.next(k, E::Close), Some(S::Closed));
        }
        for &s in S::ALL {
            assert_eq!(S::parse(s.code()), Some(s));
            for &k in CaseKind::ALL {
                assert_eq!(S::Closed.next(k, E::Close), None);
                assert_eq!(S::Rejected.next(k, E::Approve), None);
                if s != S::Requested {
                    assert_eq!(s.next(k, E::Approve), None, "{s:?} is reviewed");
                }
            }
        }
    }

    #[test]
    fn paid_shares_add_up_to_what_was_paid() {
        assert_eq!(paid_shares(10_000, &[5_000, 5_000]), vec![5_000, 5_000]);
        // 100.00 paid for 3 lines of 1/3 each: 33.33, 33.33 and the rest 33.34.
        assert_eq!(paid_shares(10_000, &[100, 100, 100]), vec![3_333, 3_333, 3_334]);
        // A discount shrinks every share in proportion.
        assert_eq!(paid_shares(9_000, &[6_000, 4_000]), vec![5_400, 3_600]);
        assert_eq!(paid_shares(500, &[0, 0]), vec![0, 500]);
        assert_eq!(paid_shares(0, &[100]), vec![0]);
        assert!(paid_shares(7, &[]).is_empty());
        assert_eq!(paid_shares(i64::MAX / 4, &[i64::MAX / 8, i64::MAX / 8]).iter().sum::<i64>(), i64::MAX / 4);
    }
}
