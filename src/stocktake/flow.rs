//! The stocktake's workflow: its typed status, the one transition function, and
//! its part of the one decision mechanism (`crate::decision`).
//!
//! counting → submitted (every line counted) → approved (one adjustment movement
//! per differing line, through the ledger) | counting again (rejected: recount);
//! counting | submitted → cancelled.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::handlers::{record_path, show_page, stale};
use super::repo::{self, ApproveError, Header};
use super::views::ShowQuery;
use crate::audit::Entry;
use crate::db::Tx;
use crate::decision::{Outcome, Verdict, Workflow};
use crate::error::{AppError, AppResult};
use crate::people::Action;
use crate::web::forms::DecisionForm;
use crate::web::{Ctx, CurrentUser, FieldErrors, Flash};

crate::code_enum! {
    /// A stocktake's state (`stocktakes.status`).
    pub enum StocktakeStatus {
        Counting => ("counting", "盘点中"),
        Submitted => ("submitted", "待审批"),
        Approved => ("approved", "已批准"),
        Cancelled => ("cancelled", "已取消"),
    }
}

/// What happens to a stocktake.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StocktakeEvent {
    Submit,
    Decide(Verdict),
    Cancel,
}

impl StocktakeStatus {
    pub fn tag(self) -> &'static str {
        match self {
            StocktakeStatus::Counting | StocktakeStatus::Submitted => "tag-warn",
            StocktakeStatus::Approved => "tag-ok",
            StocktakeStatus::Cancelled => "tag-off",
        }
    }

    /// Open: being counted or waiting for a decision (at most one per warehouse).
    pub fn is_open(self) -> bool {
        self.next(StocktakeEvent::Cancel).is_some()
    }

    /// The one place that says what may follow what.
    pub fn next(self, event: StocktakeEvent) -> Option<Self> {
        use StocktakeEvent as E;
        use StocktakeStatus as S;
        match (self, event) {
            (S::Counting, E::Submit) => Some(S::Submitted),
            (S::Submitted, E::Decide(Verdict::Approve)) => Some(S::Approved),
            (S::Submitted, E::Decide(Verdict::Reject)) => Some(S::Counting),
            (S::Counting | S::Submitted, E::Cancel) => Some(S::Cancelled),
            _ => None,
        }
    }
}

/// Stocktakes in the decision mechanism.
pub struct Stocktake;

impl Workflow for Stocktake {
    const PERMISSION: Action = Action::InventoryApprove;
    type Record = Header;

    async fn lock(tx: &mut Tx, user: &CurrentUser, id: i64) -> Result<Option<Header>, sqlx::Error> {
        repo::find(tx, user, id, true).await
    }

    fn is_own(user: &CurrentUser, st: &Header) -> bool {
        st.opened_by == user.user_id
    }

    fn check(_user: &CurrentUser, st: &Header, verdict: Verdict) -> AppResult<()> {
        match st.status.next(StocktakeEvent::Decide(verdict)) {
            Some(_) => Ok(()),
            None => Err(stale(st, verdict.verb())),
        }
    }

    async fn apply(
        tx: &mut Tx,
        user: &CurrentUser,
        st: &Header,
        verdict: Verdict,
        comment: &str,
    ) -> AppResult<Outcome> {
        let status = st.status.next(StocktakeEvent::Decide(verdict)).ok_or_else(|| stale(st, verdict.verb()))?;
        let id = st.id;
        if verdict == Verdict::Reject {
            repo::set_status(tx, user.tenant_id, id, status, user.user_id, Some(comment)).await?;
            repo::event(tx, user.tenant_id, id, "reject", user.user_id, comment).await?;
            return Ok(Outcome::Decided {
                audit: entry(
                    "stocktake.reject",
                    st,
                    format!("驳回盘点 {}，退回重盘：{comment}", st.no),
                    json!({ "status": status.code(), "comment": comment }),
                ),
                message: format!("已驳回盘点单 {}，退回盘点人员重盘。", st.no),
                redirect: record_path(id),
            });
        }
        let s = &user.settings;
        let (skus, missing) =
            repo::missing_reasons(tx, user.tenant_id, id, s.stocktake_reason_units, s.stocktake_reason_percent, 20)
                .await?;
        if missing > 0 {
            let more = if missing > skus.len() as i64 { format!(" 等 {missing} 行") } else { String::new() };
            return Ok(Outcome::Refused(
                Flash::error(format!(
                    "不能批准：以下商品的差异超过 {} 件或账面数的 {}%，须由盘点人员填写原因：{}{more}。",
                    s.stocktake_reason_units,
                    s.stocktake_reason_percent,
                    skus.join("、")
                ))
                .redirect(&format!("{}?diff=1", record_path(id))),
            ));
        }
        let (adjusted, net) = match repo::post_adjustments(
            tx,
            user.tenant_id,
            id,
            &st.no,
            st.warehouse_id,
            user.user_id,
        )
        .await
        {
            Ok(r) => r,
            Err(ApproveError::Negative(sku, diff)) => {
                return Err(AppError::Conflict(format!(
                        "不能批准：盘点后 {sku} 的库存已有变动，按差异 {diff} 调整会使现有库存变为负数（或低于已预留数量）。未做任何更改，请取消本次盘点后重新盘点。"
                    )));
            }
            Err(ApproveError::Database(e)) => return Err(e.into()),
        };
        let note = (!comment.is_empty()).then_some(comment);
        repo::set_status(tx, user.tenant_id, id, status, user.user_id, note).await?;
        repo::event(tx, user.tenant_id, id, "approve", user.user_id, comment).await?;
        Ok(Outcome::Decided {
            audit: entry(
                "stocktake.approve",
                st,
                format!("批准盘点 {}：调整 {adjusted} 个商品，净差异 {net}", st.no),
                json!({ "status": status.code(), "adjusted_lines": adjusted, "net_difference": net, "comment": comment }),
            ),
            message: format!("已批准盘点单 {}，已为 {adjusted} 个商品登记库存调整。", st.no),
            redirect: record_path(id),
        })
    }

    async fn invalid(
        tx: &mut Tx,
        ctx: &mut Ctx,
        st: Header,
        form: DecisionForm,
        errors: FieldErrors,
    ) -> AppResult<Response> {
        let mut page = show_page(tx, ctx, st, ShowQuery::default()).await?;
        page.comment = form.comment;
        page.errors = errors;
        Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    }
}

fn entry(action: &'static str, st: &Header, summary: String, after: serde_json::Value) -> Entry {
    Entry::step(action, "stocktake", st.id, summary, Some(json!({ "status": st.status.code() })), after)
}

#[cfg(test)]
mod tests {
    use super::{StocktakeEvent as E, StocktakeStatus as S};
    use crate::decision::Verdict;

    #[test]
    fn transitions() {
        assert_eq!(S::Counting.next(E::Submit), Some(S::Submitted));
        assert_eq!(S::Submitted.next(E::Decide(Verdict::Approve)), Some(S::Approved));
        assert_eq!(S::Submitted.next(E::Decide(Verdict::Reject)), Some(S::Counting), "rejected: recount");
        assert_eq!(S::Counting.next(E::Decide(Verdict::Approve)), None, "only a submitted count is decided");
        assert!(S::Counting.is_open() && S::Submitted.is_open());
        assert!(!S::Approved.is_open() && !S::Cancelled.is_open());
        for &s in S::ALL {
            assert_eq!(S::parse(s.code()), Some(s));
        }
    }
}
