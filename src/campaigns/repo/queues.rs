//! The home page's counts of the campaigns (see `campaigns::home_queues`).

use chrono::{DateTime, Utc};
use sqlx::{Postgres, QueryBuilder};

use super::{push_ack_due, push_summary_due};
use crate::db::Tx;
use crate::web::CurrentUser;

type Count = (i64, Option<DateTime<Utc>>);

/// The home page's counts (see [`super::home_queues`]).
pub(in crate::campaigns) struct QueueCounts {
    pub submitted: Count,
    pub submitted_short: i64,
    pub director: Count,
    pub director_short: i64,
    pub ack: Count,
    pub summary_due: Count,
    pub review: Count,
    pub mine: Count,
}

pub(in crate::campaigns) async fn queue_counts(
    tx: &mut Tx,
    user: &CurrentUser,
    director: bool,
    manager: bool,
    told: bool,
) -> Result<QueueCounts, sqlx::Error> {
    let dept = if manager { user.dept.code() } else { "" };
    let mut qb = QueryBuilder::<Postgres>::new("SELECT ");
    // Plans of the manager's department waiting for them (not their own).
    qb.push("count(*) FILTER (WHERE c.status = 'submitted' AND c.department = ")
        .push_bind(dept)
        .push(" AND c.drafted_by <> ")
        .push_bind(user.user_id)
        .push("), min(c.submitted_at) FILTER (WHERE c.status = 'submitted' AND c.department = ")
        .push_bind(dept)
        .push(" AND c.drafted_by <> ")
        .push_bind(user.user_id)
        .push("), count(*) FILTER (WHERE c.status = 'submitted' AND c.short_notice AND c.department = ")
        .push_bind(dept)
        .push(" AND c.drafted_by <> ")
        .push_bind(user.user_id)
        .push("), ");
    // Waiting for a director.
    qb.push("count(*) FILTER (WHERE ")
        .push_bind(director)
        .push(" AND c.status = 'director_pending' AND c.drafted_by <> ")
        .push_bind(user.user_id)
        .push("), min(c.submitted_at) FILTER (WHERE ")
        .push_bind(director)
        .push(" AND c.status = 'director_pending' AND c.drafted_by <> ")
        .push_bind(user.user_id)
        .push("), count(*) FILTER (WHERE ")
        .push_bind(director)
        .push(" AND c.status = 'director_pending' AND c.short_notice AND c.drafted_by <> ")
        .push_bind(user.user_id)
        .push("), ");
    // To acknowledge.
    qb.push("count(*) FILTER (WHERE ").push_bind(told);
    push_ack_due(&mut qb, user);
    qb.push("), min(c.approved_at) FILTER (WHERE ").push_bind(told);
    push_ack_due(&mut qb, user);
    qb.push("), ");
    // Summaries due.
    qb.push("count(*) FILTER (WHERE ");
    push_summary_due(&mut qb, user);
    qb.push("), min(c.submitted_at) FILTER (WHERE ");
    push_summary_due(&mut qb, user);
    qb.push("), ");
    // Summaries to review.
    qb.push("count(*) FILTER (WHERE c.status = 'summarized' AND c.reviewed_at IS NULL AND c.department = ")
        .push_bind(dept)
        .push("), min(c.summarized_at) FILTER (WHERE c.status = 'summarized' AND c.reviewed_at IS NULL AND c.department = ")
        .push_bind(dept)
        .push("), ");
    // One's own drafts and rejected plans.
    qb.push("count(*) FILTER (WHERE c.status IN ('draft', 'rejected') AND c.drafted_by = ")
        .push_bind(user.user_id)
        .push("), min(c.updated_at) FILTER (WHERE c.status IN ('draft', 'rejected') AND c.drafted_by = ")
        .push_bind(user.user_id)
        .push(") FROM campaigns c WHERE c.tenant_id = ")
        .push_bind(user.tenant_id);
    type Row = (
        i64,
        Option<DateTime<Utc>>,
        i64,
        i64,
        Option<DateTime<Utc>>,
        i64,
        i64,
        Option<DateTime<Utc>>,
        i64,
        Option<DateTime<Utc>>,
        i64,
        Option<DateTime<Utc>>,
        i64,
        Option<DateTime<Utc>>,
    );
    let r: Row = qb.build_query_as().fetch_one(&mut **tx).await?;
    Ok(QueueCounts {
        submitted: (r.0, r.1),
        submitted_short: r.2,
        director: (r.3, r.4),
        director_short: r.5,
        ack: (r.6, r.7),
        summary_due: (r.8, r.9),
        review: (r.10, r.11),
        mine: (r.12, r.13),
    })
}
