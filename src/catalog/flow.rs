//! The elimination (汰换) workflow: its typed status, the one transition function,
//! and its part of the one decision mechanism (`crate::decision`).
//!
//! pending → approved (the product becomes `eliminated`; its remaining stock is
//! listed for clearance) | rejected.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::handlers::product_page;
use super::repo::{self, EliminationRow, ProductRow};
use super::Status;
use crate::audit::Entry;
use crate::db::Tx;
use crate::decision::{Outcome, Verdict, Workflow};
use crate::error::{AppError, AppResult};
use crate::people::Action;
use crate::web::forms::DecisionForm;
use crate::web::{Ctx, CurrentUser, FieldErrors};

crate::code_enum! {
    /// A proposal's state (`product_eliminations.status`).
    pub enum EliminationStatus {
        Pending => ("pending", "待审批"),
        Approved => ("approved", "已批准"),
        Rejected => ("rejected", "已驳回"),
    }
}

impl EliminationStatus {
    pub fn tag(self) -> &'static str {
        match self {
            EliminationStatus::Pending => "tag-warn",
            EliminationStatus::Approved => "tag-ok",
            EliminationStatus::Rejected => "tag-bad",
        }
    }

    /// The one place that says what may follow what.
    pub fn next(self, verdict: Verdict) -> Option<Self> {
        match (self, verdict) {
            (EliminationStatus::Pending, Verdict::Approve) => Some(EliminationStatus::Approved),
            (EliminationStatus::Pending, Verdict::Reject) => Some(EliminationStatus::Rejected),
            _ => None,
        }
    }
}

/// Product eliminations in the decision mechanism; the record is the proposal and
/// its product, both locked.
pub struct Elimination;

impl Workflow for Elimination {
    const PERMISSION: Action = Action::ProductsApprove;
    type Record = (EliminationRow, ProductRow);

    async fn lock(tx: &mut Tx, user: &CurrentUser, id: i64) -> Result<Option<Self::Record>, sqlx::Error> {
        let Some(e) = repo::lock_elimination(tx, user.tenant_id, id).await? else {
            return Ok(None);
        };
        Ok(repo::lock(tx, user.tenant_id, e.product_id).await?.map(|p| (e, p)))
    }

    fn is_own(user: &CurrentUser, (e, _): &Self::Record) -> bool {
        e.proposed_by == user.user_id
    }

    fn check(_user: &CurrentUser, (e, _): &Self::Record, verdict: Verdict) -> AppResult<()> {
        match e.status.next(verdict) {
            Some(_) => Ok(()),
            None => Err(AppError::Conflict(format!(
                "该汰换申请已{}，不能再审批",
                e.status_label().trim_start_matches('已')
            ))),
        }
    }

    async fn apply(
        tx: &mut Tx,
        user: &CurrentUser,
        (e, product): &Self::Record,
        verdict: Verdict,
        comment: &str,
    ) -> AppResult<Outcome> {
        let approve = verdict.approves();
        let status = e.status.next(verdict).ok_or_else(|| AppError::Conflict("该汰换申请已审批".into()))?;
        repo::decide_elimination(tx, user.tenant_id, e.id, status, user.user_id, comment).await?;
        if approve {
            repo::set_status(tx, user.tenant_id, e.product_id, Status::Eliminated).await?;
        }
        let audit = Entry {
            action: if approve { "product.eliminate_approve" } else { "product.eliminate_reject" },
            entity_type: Some("product_elimination"),
            entity_id: Some(e.id.to_string()),
            summary: format!(
                "{}汰换商品 {}（{}）{}",
                verdict.verb(),
                product.name,
                product.sku,
                if comment.is_empty() { String::new() } else { format!("：{comment}") }
            ),
            before: Some(json!({"status": EliminationStatus::Pending.code(), "product_status": product.status.code()})),
            after: Some(json!({
                "status": status.code(), "comment": comment,
                "product_status": if approve { Status::Eliminated.code() } else { product.status.code() },
            })),
        };
        let message = if approve {
            "已批准汰换，商品已标记为汰换，剩余库存列入待清仓。"
        } else {
            "已驳回汰换申请。"
        };
        Ok(Outcome::Decided { audit, message: message.into(), redirect: format!("/products/{}", e.product_id) })
    }

    async fn invalid(
        tx: &mut Tx,
        ctx: &mut Ctx,
        (_, product): Self::Record,
        form: DecisionForm,
        errors: FieldErrors,
    ) -> AppResult<Response> {
        let mut page = product_page(tx, ctx, product).await?;
        page.comment = form.comment;
        page.errors = errors;
        Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    }
}

#[cfg(test)]
mod tests {
    use super::EliminationStatus as S;
    use crate::decision::Verdict;

    #[test]
    fn only_a_pending_proposal_is_decided() {
        assert_eq!(S::Pending.next(Verdict::Approve), Some(S::Approved));
        assert_eq!(S::Pending.next(Verdict::Reject), Some(S::Rejected));
        for s in [S::Approved, S::Rejected] {
            assert_eq!(s.next(Verdict::Approve), None);
            assert_eq!(s.next(Verdict::Reject), None);
        }
        for &s in S::ALL {
            assert_eq!(S::parse(s.code()), Some(s));
        }
    }
}
