//! The leave request's workflow: its typed status, the one transition function,
//! and its part of the one decision mechanism (`crate::decision`).
//!
//! pending → approved | rejected (by the approver the rule of `repo` names) or
//! withdrawn by the applicant (stored as `rejected` with `WITHDRAWN_COMMENT`).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::repo::{self, LeaveRow};
use super::show_page;
use crate::audit::Entry;
use crate::db::Tx;
use crate::decision::{Outcome, Verdict, Workflow};
use crate::error::{AppError, AppResult};
use crate::people::Action;
use crate::web::forms::{non_empty, DecisionForm};
use crate::web::{Ctx, CurrentUser, FieldErrors};

crate::code_enum! {
    /// A leave request's state (`leave_requests.status`).
    pub enum LeaveStatus {
        Pending => ("pending", "待审批"),
        Approved => ("approved", "已批准"),
        Rejected => ("rejected", "已驳回"),
    }
}

/// What happens to a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LeaveEvent {
    Decide(Verdict),
    /// The applicant takes back a pending request.
    Withdraw,
}

impl LeaveStatus {
    /// The one place that says what may follow what.
    pub fn next(self, event: LeaveEvent) -> Option<Self> {
        match (self, event) {
            (LeaveStatus::Pending, LeaveEvent::Decide(Verdict::Approve)) => Some(LeaveStatus::Approved),
            (LeaveStatus::Pending, LeaveEvent::Decide(Verdict::Reject) | LeaveEvent::Withdraw) => {
                Some(LeaveStatus::Rejected)
            }
            _ => None,
        }
    }
}

/// Leave requests in the decision mechanism.
pub struct Leave;

impl Workflow for Leave {
    const PERMISSION: Action = Action::LeaveApprove;
    type Record = LeaveRow;

    async fn lock(tx: &mut Tx, user: &CurrentUser, id: i64) -> Result<Option<LeaveRow>, sqlx::Error> {
        repo::lock(tx, user.tenant_id, id).await
    }

    /// They can see it (it is theirs), but never decide it.
    fn is_own(user: &CurrentUser, row: &LeaveRow) -> bool {
        row.is_own(user)
    }

    fn check(user: &CurrentUser, row: &LeaveRow, verdict: Verdict) -> AppResult<()> {
        if !row.approvable_by(user) {
            return Err(AppError::NotFound);
        }
        if row.status.next(LeaveEvent::Decide(verdict)).is_none() {
            return Err(AppError::Conflict(format!("该请假申请已是“{}”，不能再审批", row.status_label())));
        }
        Ok(())
    }

    async fn apply(
        tx: &mut Tx,
        user: &CurrentUser,
        row: &LeaveRow,
        verdict: Verdict,
        comment: &str,
    ) -> AppResult<Outcome> {
        let status = row
            .status
            .next(LeaveEvent::Decide(verdict))
            .ok_or_else(|| AppError::Conflict("该请假申请已审批".into()))?;
        let comment = non_empty(comment);
        repo::decide(tx, user.tenant_id, row.id, status, user.user_id, comment).await?;
        let id = row.id;
        let audit = Entry {
            action: if verdict.approves() { "leave.approve" } else { "leave.reject" },
            entity_type: Some("leave"),
            entity_id: Some(id.to_string()),
            summary: format!(
                "{}{}（{}）的请假 {} {} {}",
                verdict.verb(),
                row.employee_name,
                row.employee_no,
                row.kind,
                row.day,
                row.portion_label()
            ),
            before: Some(json!({"status": row.status.code()})),
            after: Some(json!({"status": status.code(), "decision_comment": comment})),
        };
        let message = if verdict.approves() { "已批准该请假申请。" } else { "已驳回该请假申请。" };
        Ok(Outcome::Decided { audit, message: message.into(), redirect: format!("/leave/{id}") })
    }

    async fn invalid(
        _tx: &mut Tx,
        ctx: &mut Ctx,
        row: LeaveRow,
        form: DecisionForm,
        errors: FieldErrors,
    ) -> AppResult<Response> {
        Ok((StatusCode::UNPROCESSABLE_ENTITY, show_page(ctx, row, form, errors)).into_response())
    }
}

#[cfg(test)]
mod tests {
    use super::{LeaveEvent as E, LeaveStatus as S};
    use crate::decision::Verdict;

    #[test]
    fn only_a_pending_request_moves() {
        assert_eq!(S::Pending.next(E::Decide(Verdict::Approve)), Some(S::Approved));
        assert_eq!(S::Pending.next(E::Decide(Verdict::Reject)), Some(S::Rejected));
        assert_eq!(S::Pending.next(E::Withdraw), Some(S::Rejected));
        for s in [S::Approved, S::Rejected] {
            for e in [E::Decide(Verdict::Approve), E::Decide(Verdict::Reject), E::Withdraw] {
                assert_eq!(s.next(e), None, "{s:?} {e:?}");
            }
        }
    }
}
