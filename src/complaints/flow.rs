//! A complaint's workflow: its typed status, the one transition function that says
//! what may follow what, and the one check every change goes through.
//!
//! open 处理中 (replies and progress notes) → resolved 已解决 (the result told to
//! the customer, the cause, the improvement) → closed 已关闭 (after the return
//! visit, with the customer's satisfaction). A resolved complaint may still be
//! replied to and noted; resolved and closed ones may be reopened (back to open).
//! The first-response clock is apart from the status (`clock`): the first reply
//! meets it, and resolving one not yet replied to counts as its first reply (the
//! result is told to the customer).

use super::repo::{self, ComplaintRow};
use super::scope;
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::people::Action;
use crate::web::Ctx;

crate::code_enum! {
    /// A complaint's state (`complaints.status`).
    pub enum Status {
        Open => ("open", "处理中"),
        Resolved => ("resolved", "已解决"),
        Closed => ("closed", "已关闭"),
    }
}

/// What happens to a complaint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    Reply,
    Note,
    Resolve,
    Close,
    Reopen,
}

impl Event {
    /// What the 409 says could not be done.
    pub fn what(self) -> &'static str {
        match self {
            Event::Reply => "回复",
            Event::Note => "记录处理进展",
            Event::Resolve => "登记解决结果",
            Event::Close => "回访关闭",
            Event::Reopen => "重新打开",
        }
    }
}

impl Status {
    pub fn tag(self) -> &'static str {
        match self {
            Status::Open => "tag-warn",
            Status::Resolved => "tag-ok",
            Status::Closed => "tag-off",
        }
    }

    /// The one place that says what may follow what: the state after `event`, or
    /// `None` when it is not possible now.
    pub fn next(self, event: Event) -> Option<Self> {
        use Event as E;
        use Status as S;
        match (self, event) {
            (S::Open | S::Resolved, E::Reply | E::Note) => Some(self),
            (S::Open, E::Resolve) => Some(S::Resolved),
            (S::Resolved, E::Close) => Some(S::Closed),
            (S::Resolved | S::Closed, E::Reopen) => Some(S::Open),
            _ => None,
        }
    }
}

/// Begin the change's transaction: check the permission (403), lock the
/// complaint within the user's scope (404), and the state (409).
pub async fn begin(cx: &Ctx, id: i64, event: Event) -> AppResult<(Tx, ComplaintRow)> {
    cx.require(Action::AfterSalesOperate)?;
    let mut tx = cx.begin().await?;
    let c = repo::find(&mut tx, cx.user.tenant_id, &scope(&cx.user), id, true).await?.ok_or(AppError::NotFound)?;
    if c.status.next(event).is_none() {
        return Err(AppError::Conflict(format!(
            "投诉 {} 当前为「{}」，不能{}",
            c.complaint_no,
            c.status.label(),
            event.what()
        )));
    }
    Ok((tx, c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transitions() {
        use Event as E;
        use Status as S;
        #[rustfmt::skip]
        let cases = [
            (S::Open, E::Reply, Some(S::Open)),
            (S::Open, E::Note, Some(S::Open)),
            (S::Open, E::Resolve, Some(S::Resolved)),
            (S::Open, E::Close, None),
            (S::Open, E::Reopen, None),
            (S::Resolved, E::Reply, Some(S::Resolved)),
            (S::Resolved, E::Note, Some(S::Resolved)),
            (S::Resolved, E::Resolve, None),
            (S::Resolved, E::Close, Some(S::Closed)),
            (S::Resolved, E::Reopen, Some(S::Open)),
            (S::Closed, E::Reply, None),
            (S::Closed, E::Note, None),
            (S::Closed, E::Resolve, None),
            (S::Closed, E::Close, None),
            (S::Closed, E::Reopen, Some(S::Open)),
        ];
        for (from, event, want) in cases {
            assert_eq!(from.next(event), want, "{from:?} + {event:?}");
        }
    }
}
