//! A contract's typed status and the one transition function that says what may
//! follow what.
//!
//! draft | rejected → submitted (submit); submitted → approved | director_pending (a
//! manager's approval at or above the tenant's threshold) | rejected;
//! director_pending → approved | rejected (a director; a director's decision is
//! final at either stage); approved → signed.

crate::code_enum! {
    /// A contract's state (`contracts.status`).
    pub enum ContractStatus {
        Draft => ("draft", "草稿"),
        Submitted => ("submitted", "待经理审批"),
        DirectorPending => ("director_pending", "待总监审批"),
        Approved => ("approved", "已批准"),
        Rejected => ("rejected", "已驳回"),
        Signed => ("signed", "已签订"),
    }
}

/// What happens to a contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContractEvent {
    Submit,
    ManagerApprove { needs_director: bool },
    ManagerReject,
    DirectorApprove,
    DirectorReject,
    Sign,
}

impl ContractStatus {
    /// The tag class of the status.
    pub fn tag(self) -> &'static str {
        match self {
            ContractStatus::Draft => "tag-off",
            ContractStatus::Submitted | ContractStatus::DirectorPending => "tag-warn",
            ContractStatus::Approved | ContractStatus::Signed => "tag-ok",
            ContractStatus::Rejected => "tag-bad",
        }
    }

    /// The one place that says what may follow what.
    pub fn next(self, event: ContractEvent) -> Option<Self> {
        use ContractEvent as E;
        use ContractStatus as S;
        match (self, event) {
            (S::Draft | S::Rejected, E::Submit) => Some(S::Submitted),
            (S::Submitted, E::ManagerApprove { needs_director: true }) => Some(S::DirectorPending),
            (S::Submitted, E::ManagerApprove { needs_director: false }) => Some(S::Approved),
            (S::Submitted, E::ManagerReject) => Some(S::Rejected),
            (S::Submitted | S::DirectorPending, E::DirectorApprove) => Some(S::Approved),
            (S::Submitted | S::DirectorPending, E::DirectorReject) => Some(S::Rejected),
            (S::Approved, E::Sign) => Some(S::Signed),
            _ => None,
        }
    }

    /// Still editable by its drafter (a draft, or rejected and to be resubmitted).
    pub fn editable(self) -> bool {
        self.next(ContractEvent::Submit).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::{ContractEvent as E, ContractStatus as S};

    #[test]
    fn transitions() {
        assert_eq!(S::Draft.next(E::Submit), Some(S::Submitted));
        assert_eq!(S::Rejected.next(E::Submit), Some(S::Submitted), "edited and resubmitted");
        assert_eq!(S::Submitted.next(E::ManagerApprove { needs_director: true }), Some(S::DirectorPending));
        assert_eq!(S::Submitted.next(E::ManagerApprove { needs_director: false }), Some(S::Approved));
        assert_eq!(S::DirectorPending.next(E::ManagerApprove { needs_director: true }), None, "one manager stage");
        assert_eq!(S::DirectorPending.next(E::ManagerReject), None);
        assert_eq!(S::Submitted.next(E::DirectorApprove), Some(S::Approved), "a director's decision is final");
        assert_eq!(S::DirectorPending.next(E::DirectorReject), Some(S::Rejected));
        assert_eq!(S::Approved.next(E::Sign), Some(S::Signed));
        for s in [S::Approved, S::Signed] {
            assert_eq!(s.next(E::DirectorReject), None);
            assert_eq!(s.next(E::Submit), None);
        }
        assert_eq!(S::Signed.next(E::Sign), None);
        assert!(S::Draft.editable() && S::Rejected.editable() && !S::Submitted.editable());
    }
}
