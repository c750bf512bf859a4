//! What waits for a user, as every feature tells it to the home page (and, later,
//! the dashboards): the one interface between the features and the pages that
//! read across them. It lives below both, so `home/` calls the features and no
//! feature imports `home/`.

use chrono::{DateTime, Utc};

/// One line of the home page's "待我处理" / "我的单据" panel, contributed by a
/// business module's `home_queues`.
#[derive(Clone, Debug)]
pub struct QueueItem {
    /// What it counts, "<records>.<queue>" (e.g. "replenishments.pending"); the
    /// page marks each line with it.
    pub key: &'static str,
    /// What waits, e.g. "待审批补货申请".
    pub label: String,
    pub count: i64,
    /// When the oldest of them was raised (its age is shown), if that applies.
    pub oldest: Option<DateTime<Utc>>,
    /// The filtered list that shows them.
    pub href: String,
    pub kind: QueueKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueKind {
    /// Waits for this user's decision.
    Approval,
    /// This user's own open requests and drafts.
    Mine,
    /// Something to look at (low stock, overdue).
    Alert,
}
