//! Approve and reject, through the one decision mechanism (`crate::decision`): the
//! drafting department's manager decides at the first stage; at or above the
//! tenant's budget threshold a manager's approval leads to director_pending and a
//! director approves too (a director's decision is final at either stage).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::handlers::show_page;
use super::status::{CampaignEvent, CampaignStatus};
use super::{decides, fetch, repo, CampaignRow};
use crate::audit::Entry;
use crate::db::Tx;
use crate::decision::{Outcome, Verdict, Workflow};
use crate::error::{AppError, AppResult};
use crate::people::{Action, Level};
use crate::rules::Fen;
use crate::web::forms::DecisionForm;
use crate::web::{Ctx, CurrentUser, FieldErrors};

pub(super) fn stale(c: &CampaignRow, today: chrono::NaiveDate, what: &str) -> AppError {
    AppError::Conflict(format!("活动 {} 当前为“{}”，不能{what}", c.campaign_no, c.phase(today).label()))
}

/// The audit entry of a step on campaign `c` (its status before, `after` after).
pub(super) fn step_entry(action: &'static str, c: &CampaignRow, summary: String, after: serde_json::Value) -> Entry {
    Entry::step(
        action,
        "campaign",
        c.id,
        summary,
        Some(json!({"status": c.status.code(), "version": c.version})),
        after,
    )
}

/// Campaigns in the decision mechanism.
pub struct Campaign;

impl Workflow for Campaign {
    const PERMISSION: Action = Action::CampaignsApprove;
    type Record = CampaignRow;

    async fn lock(tx: &mut Tx, user: &CurrentUser, id: i64) -> Result<Option<CampaignRow>, sqlx::Error> {
        fetch(tx, user, id, true).await
    }

    fn is_own(user: &CurrentUser, c: &CampaignRow) -> bool {
        c.drafted_by == user.user_id
    }

    fn check(user: &CurrentUser, c: &CampaignRow, verdict: Verdict) -> AppResult<()> {
        if !decides(user, &c.department) {
            return Err(AppError::Forbidden);
        }
        if c.status.next(event_of(user, c, verdict)).is_none() {
            return Err(stale(c, user.today, verdict.verb()));
        }
        Ok(())
    }

    async fn apply(
        tx: &mut Tx,
        user: &CurrentUser,
        c: &CampaignRow,
        verdict: Verdict,
        comment: &str,
    ) -> AppResult<Outcome> {
        let status = c.status.next(event_of(user, c, verdict)).ok_or_else(|| stale(c, user.today, verdict.verb()))?;
        let stage = if user.level == Level::Director { "director" } else { "manager" };
        repo::set_decision(tx, user, c, stage, status, comment).await?;
        let who = if stage == "director" { "总监" } else { "经理" };
        let (kind, note) = match status {
            CampaignStatus::DirectorPending => {
                ("approve", format!("{who}批准，预算达到总监审批金额，转总监审批。{comment}"))
            }
            CampaignStatus::Approved => ("approve", format!("{who}批准。{comment}")),
            _ => ("reject", format!("{who}驳回：{comment}")),
        };
        repo::event(tx, user, c.id, kind, note.trim()).await?;
        let threshold = user.settings.campaign_director_threshold_fen;
        let (summary, message) = match verdict {
            Verdict::Approve => (
                format!(
                    "{who}批准活动 {}《{}》（预算 {} 元）→ {}",
                    c.campaign_no,
                    c.theme,
                    Fen(c.budget_fen),
                    status.label()
                ),
                if status == CampaignStatus::DirectorPending {
                    format!("已批准；预算不低于 {} 元，还需总监审批。", Fen(threshold))
                } else {
                    format!("活动 {} 已批准；运营、客服、仓储经理将在首页看到并确认知悉。", c.campaign_no)
                },
            ),
            Verdict::Reject => (
                format!("{who}驳回活动 {}《{}》：{comment}", c.campaign_no, c.theme),
                format!("活动 {} 已驳回，起草人可修改后重新提交。", c.campaign_no),
            ),
        };
        let audit = step_entry(
            if verdict.approves() { "campaign.approve" } else { "campaign.reject" },
            c,
            summary,
            json!({"status": status.code(), "stage": stage, "comment": comment, "budget_fen": c.budget_fen}),
        );
        Ok(Outcome::Decided { audit, message, redirect: format!("/campaigns/{}", c.id) })
    }

    async fn invalid(
        tx: &mut Tx,
        ctx: &mut Ctx,
        c: CampaignRow,
        form: DecisionForm,
        errors: FieldErrors,
    ) -> AppResult<Response> {
        let page = show_page(
            tx,
            ctx,
            c,
            errors,
            super::views::Typed { comment: form.comment.trim().to_owned(), ..Default::default() },
        )
        .await?;
        Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    }
}

/// The event of `user`'s decision on `c`: a director's is final at either stage; a
/// manager's approval at or above the tenant's threshold needs a director too.
fn event_of(user: &CurrentUser, c: &CampaignRow, verdict: Verdict) -> CampaignEvent {
    match (verdict, user.level == Level::Director) {
        (Verdict::Reject, true) => CampaignEvent::DirectorReject,
        (Verdict::Reject, false) => CampaignEvent::ManagerReject,
        (Verdict::Approve, true) => CampaignEvent::DirectorApprove,
        (Verdict::Approve, false) => CampaignEvent::ManagerApprove {
            needs_director: c.budget_fen >= user.settings.campaign_director_threshold_fen,
        },
    }
}
