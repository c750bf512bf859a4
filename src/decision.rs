//! The one approve/reject mechanism of every workflow (elimination, replenishment,
//! stocktake, contracts, leave, and the refunds and campaigns to come).
//!
//! A workflow implements [`Workflow`]: how to lock its record within the user's
//! scope, whether the record is the user's own, which stage and state allow a
//! decision, and what a decision writes. [`decide`] does the rest, in this order,
//! in one tenant transaction: permission (403) → lock the row (404 outside scope or
//! tenant) → never one's own (403) → the workflow's stage and state (403 / 409) →
//! the comment rule (required to reject, ≤ 500 characters: the record's page again,
//! 422, nothing written) → the workflow's write → its audit row → commit → 303 to
//! the record with a message. Routes use [`approve`] and [`reject`] as handlers.

use std::future::Future;

use axum::extract::Path;
use axum::response::Response;
use axum::Form;

use crate::audit::{self, Actor, Entry};
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::people::Action;
use crate::web::forms::{decision_comment, DecisionForm};
use crate::web::{Ctx, CurrentUser, FieldErrors, Flash, RequestMeta};

/// Approve or reject.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Approve,
    Reject,
}

impl Verdict {
    pub fn approves(self) -> bool {
        self == Verdict::Approve
    }

    /// 批准 / 驳回.
    pub fn verb(self) -> &'static str {
        match self {
            Verdict::Approve => "批准",
            Verdict::Reject => "驳回",
        }
    }
}

/// What a workflow's write leaves behind.
pub enum Outcome {
    /// Written: the audit row, the message shown and the record's page.
    Decided { audit: Entry, message: String, redirect: String },
    /// Nothing written (the transaction is rolled back): answer with this instead,
    /// e.g. the record's page with a message saying what must be done first.
    Refused(Response),
}

/// One workflow's part of a decision.
pub trait Workflow {
    /// The permission to decide at all (403 without it).
    const PERMISSION: Action;
    /// The record, as locked for the decision.
    type Record: Send + Sync;

    /// Lock the record (`SELECT … FOR UPDATE`) within `user`'s data scope; `None`
    /// (another tenant, outside scope, no such id) is a 404.
    fn lock<'a>(
        tx: &'a mut Tx,
        user: &'a CurrentUser,
        id: i64,
    ) -> impl Future<Output = Result<Option<Self::Record>, sqlx::Error>> + Send + 'a;

    /// Whether the record is `user`'s own (raised, drafted or applied for by them):
    /// nobody decides their own (403).
    fn is_own(user: &CurrentUser, record: &Self::Record) -> bool;

    /// Whether `user` may decide the record now: `Forbidden` when it waits for
    /// another stage or role, `Conflict` when it no longer waits for a decision
    /// (nothing is written), `NotFound` when `user` may see it but not act on it.
    fn check(user: &CurrentUser, record: &Self::Record, verdict: Verdict) -> AppResult<()>;

    /// Write the decision (status, who and when, the comment, history, stock…).
    fn apply<'a>(
        tx: &'a mut Tx,
        user: &'a CurrentUser,
        record: &'a Self::Record,
        verdict: Verdict,
        comment: &'a str,
    ) -> impl Future<Output = AppResult<Outcome>> + Send + 'a;

    /// The record's page again with the comment's error (422); the mechanism rolls
    /// the transaction back afterwards.
    fn invalid<'a>(
        tx: &'a mut Tx,
        ctx: &'a mut Ctx,
        record: Self::Record,
        form: DecisionForm,
        errors: FieldErrors,
    ) -> impl Future<Output = AppResult<Response>> + Send + 'a;
}

/// Decide record `id` of workflow `W` (see the module's documentation for the order).
pub async fn decide<W: Workflow>(
    mut ctx: Ctx,
    meta: &RequestMeta,
    id: i64,
    verdict: Verdict,
    form: DecisionForm,
) -> AppResult<Response> {
    ctx.require(W::PERMISSION)?;
    let mut tx = ctx.begin().await?;
    let record = W::lock(&mut tx, &ctx.user, id).await?.ok_or(AppError::NotFound)?;
    if W::is_own(&ctx.user, &record) {
        return Err(AppError::Forbidden);
    }
    W::check(&ctx.user, &record, verdict)?;
    let mut errors = FieldErrors::default();
    let comment = decision_comment(&form.comment, verdict.approves(), &mut errors);
    if !errors.is_empty() {
        let page = W::invalid(&mut tx, &mut ctx, record, form, errors).await?;
        tx.rollback().await?;
        return Ok(page);
    }
    match W::apply(&mut tx, &ctx.user, &record, verdict, &comment).await? {
        Outcome::Refused(response) => {
            tx.rollback().await?;
            Ok(response)
        }
        Outcome::Decided { audit, message, redirect } => {
            audit::record(&mut tx, ctx.user.tenant_id, &Actor::user(&ctx.user, meta), audit).await?;
            tx.commit().await?;
            Ok(Flash::success(message).redirect(&redirect))
        }
    }
}

/// `POST …/{id}/approve` of workflow `W` (form field `comment`).
pub async fn approve<W: Workflow>(
    meta: RequestMeta,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<DecisionForm>,
) -> AppResult<Response> {
    decide::<W>(ctx, &meta, id, Verdict::Approve, form).await
}

/// `POST …/{id}/reject` of workflow `W` (form field `comment`, required).
pub async fn reject<W: Workflow>(
    meta: RequestMeta,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<DecisionForm>,
) -> AppResult<Response> {
    decide::<W>(ctx, &meta, id, Verdict::Reject, form).await
}
