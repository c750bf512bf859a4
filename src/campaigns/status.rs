//! A campaign's typed status and the one transition function that says what may
//! follow what.
//!
//! draft | rejected → submitted (submit); submitted → approved | director_pending (a
//! manager's approval at or above the tenant's budget threshold) | rejected;
//! director_pending → approved | rejected (a director; a director's decision is
//! final at either stage); approved → submitted again when its budget is raised
//! (raise), → summarized after its end (summary); anything not yet ended or
//! summarized → cancelled. `running` and `ended` are not stored: they are an
//! approved campaign read against its dates ([`Phase`]).

use chrono::NaiveDate;

crate::code_enum! {
    /// A campaign's stored state (`campaigns.status`).
    pub enum CampaignStatus {
        Draft => ("draft", "草稿"),
        Submitted => ("submitted", "待经理审批"),
        DirectorPending => ("director_pending", "待总监审批"),
        Approved => ("approved", "已批准"),
        Rejected => ("rejected", "已驳回"),
        Summarized => ("summarized", "已复盘"),
        Cancelled => ("cancelled", "已取消"),
    }
}

/// What happens to a campaign.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CampaignEvent {
    Submit,
    ManagerApprove {
        needs_director: bool,
    },
    ManagerReject,
    DirectorApprove,
    DirectorReject,
    /// The budget of an approved campaign raised: it waits for approval again.
    Raise,
    /// The review after the end (`ended` is whether its last day has passed).
    Summarize {
        ended: bool,
    },
    Cancel {
        ended: bool,
    },
}

impl CampaignStatus {
    /// The one place that says what may follow what.
    pub fn next(self, event: CampaignEvent) -> Option<Self> {
        use CampaignEvent as E;
        use CampaignStatus as S;
        match (self, event) {
            (S::Draft | S::Rejected, E::Submit) => Some(S::Submitted),
            (S::Submitted, E::ManagerApprove { needs_director: true }) => Some(S::DirectorPending),
            (S::Submitted, E::ManagerApprove { needs_director: false }) => Some(S::Approved),
            (S::Submitted, E::ManagerReject) => Some(S::Rejected),
            (S::Submitted | S::DirectorPending, E::DirectorApprove) => Some(S::Approved),
            (S::Submitted | S::DirectorPending, E::DirectorReject) => Some(S::Rejected),
            (S::Approved, E::Raise) => Some(S::Submitted),
            (S::Approved, E::Summarize { ended: true }) => Some(S::Summarized),
            (S::Draft | S::Rejected | S::Submitted | S::DirectorPending | S::Approved, E::Cancel { ended: false }) => {
                Some(S::Cancelled)
            }
            _ => None,
        }
    }

    /// Still editable by its drafter (a draft, or rejected and to be resubmitted).
    pub fn editable(self) -> bool {
        self.next(CampaignEvent::Submit).is_some()
    }

    /// Waiting for a decision (a manager's or a director's).
    pub fn pending(self) -> bool {
        matches!(self, CampaignStatus::Submitted | CampaignStatus::DirectorPending)
    }
}

/// What a campaign shows as its state (CONTRACT.md's `data-status`): the stored
/// state, except that an approved one is `running` from its first day to its last
/// and `ended` after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Stored(CampaignStatus),
    Running,
    Ended,
}

impl Phase {
    pub fn of(status: CampaignStatus, starts_on: NaiveDate, ends_on: NaiveDate, today: NaiveDate) -> Self {
        match status {
            CampaignStatus::Approved if today > ends_on => Phase::Ended,
            CampaignStatus::Approved if today >= starts_on => Phase::Running,
            s => Phase::Stored(s),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Phase::Stored(s) => s.code(),
            Phase::Running => "running",
            Phase::Ended => "ended",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Phase::Stored(CampaignStatus::Approved) => "已批准（未开始）",
            Phase::Stored(s) => s.label(),
            Phase::Running => "进行中",
            Phase::Ended => "已结束",
        }
    }

    /// The tag class of the state.
    pub fn tag(self) -> &'static str {
        match self {
            Phase::Stored(CampaignStatus::Draft | CampaignStatus::Cancelled) => "tag-off",
            Phase::Stored(CampaignStatus::Submitted | CampaignStatus::DirectorPending) => "tag-warn",
            Phase::Stored(CampaignStatus::Rejected) => "tag-bad",
            Phase::Ended => "tag-warn",
            _ => "tag-ok",
        }
    }

    /// Every code a campaign can show, for the list's state filter.
    pub const CODES: &'static [(&'static str, &'static str)] = &[
        ("draft", "草稿"),
        ("submitted", "待经理审批"),
        ("director_pending", "待总监审批"),
        ("approved", "已批准（未开始）"),
        ("rejected", "已驳回"),
        ("running", "进行中"),
        ("ended", "已结束"),
        ("summarized", "已复盘"),
        ("cancelled", "已取消"),
    ];
}

/// Submitted fewer than `min_days` days before the start (准备期不足): the days
/// between the submission day and the first day (negative when it had begun).
pub fn short_notice(submitted_on: NaiveDate, starts_on: NaiveDate, min_days: i64) -> (bool, i64) {
    let days = (starts_on - submitted_on).num_days();
    (days < min_days, days)
}

#[cfg(test)]
mod tests {
    use super::{short_notice, CampaignEvent as E, CampaignStatus as S, Phase};
    use chrono::NaiveDate;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn transitions() {
        assert_eq!(S::Draft.next(E::Submit), Some(S::Submitted));
        assert_eq!(S::Rejected.next(E::Submit), Some(S::Submitted), "edited and resubmitted");
        assert_eq!(S::Submitted.next(E::ManagerApprove { needs_director: true }), Some(S::DirectorPending));
        assert_eq!(S::Submitted.next(E::ManagerApprove { needs_director: false }), Some(S::Approved));
        assert_eq!(S::DirectorPending.next(E::ManagerApprove { needs_director: false }), None);
        assert_eq!(S::Submitted.next(E::DirectorApprove), Some(S::Approved));
        assert_eq!(S::DirectorPending.next(E::DirectorReject), Some(S::Rejected));
        assert_eq!(S::Approved.next(E::Raise), Some(S::Submitted), "a raise waits for approval again");
        assert_eq!(S::Submitted.next(E::Raise), None);
        assert_eq!(S::Approved.next(E::Summarize { ended: false }), None, "not before the end");
        assert_eq!(S::Approved.next(E::Summarize { ended: true }), Some(S::Summarized));
        assert_eq!(S::Summarized.next(E::Raise), None, "summarized is read-only");
        assert_eq!(S::Summarized.next(E::Cancel { ended: false }), None);
        assert_eq!(S::Approved.next(E::Cancel { ended: true }), None, "an ended campaign is summarized, not cancelled");
        assert_eq!(S::Approved.next(E::Cancel { ended: false }), Some(S::Cancelled));
        assert!(S::Draft.editable() && S::Rejected.editable() && !S::Approved.editable());
    }

    #[test]
    fn running_and_ended_follow_the_dates_of_approved_campaigns_only() {
        let (a, b) = (d("2026-12-10"), d("2026-12-12"));
        assert_eq!(Phase::of(S::Approved, a, b, d("2026-12-09")).code(), "approved");
        assert_eq!(Phase::of(S::Approved, a, b, d("2026-12-10")).code(), "running");
        assert_eq!(Phase::of(S::Approved, a, b, d("2026-12-12")).code(), "running");
        assert_eq!(Phase::of(S::Approved, a, b, d("2026-12-13")).code(), "ended");
        assert_eq!(Phase::of(S::Submitted, a, b, d("2026-12-11")).code(), "submitted", "never online unapproved");
        assert_eq!(Phase::of(S::Draft, a, b, d("2026-12-13")).code(), "draft");
    }

    #[test]
    fn fifteen_days_of_preparation() {
        let start = d("2026-12-16");
        assert_eq!(short_notice(d("2026-12-01"), start, 15), (false, 15), "15 days before: in time");
        assert_eq!(short_notice(d("2026-12-02"), start, 15), (true, 14), "14 days before: flagged");
        assert_eq!(short_notice(d("2026-12-20"), start, 15), (true, -4), "recorded after the start");
    }
}
