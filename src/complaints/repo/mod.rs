//! All of the complaints' SQL: the list and the record, the orders and people a
//! complaint names, the timeline and the home page's counts here; logging one and
//! its steps in `change`.

mod change;

pub use change::{close, event, insert, reopen, replied, resolve, NewComplaint, Resolution};

use chrono::{DateTime, Utc};
use sqlx::{Postgres, QueryBuilder};

use super::clock::{Sla, Times};
use super::codes::{Category, Channel, EventKind, Severity};
use super::flow::Status;
use crate::db::search::{Kind, Search};
use crate::db::Tx;
use crate::people::Scope;

/// The list's filters (all optional) and the instant the clock is read at.
#[derive(Clone, Debug)]
pub struct Filter {
    pub now: DateTime<Utc>,
    pub status: Option<Status>,
    pub category: Option<Category>,
    pub channel: Option<Channel>,
    pub severity: Option<Severity>,
    /// Where the first-response clock stands at `now` (`overdue=1` is `Overdue`).
    pub sla: Option<Sla>,
    /// Received at or after this instant (a local midnight)…
    pub received_since: Option<DateTime<Utc>>,
    /// …and before this one (the local midnight after the last day).
    pub received_before: Option<DateTime<Utc>>,
    /// Not closed, assigned to this user.
    pub assignee: Option<i64>,
    /// The complaint number (exactly), or the phone, the customer or the order
    /// number (by prefix).
    pub q: Option<String>,
}

impl Filter {
    pub fn at(now: DateTime<Utc>) -> Self {
        Filter {
            now,
            status: None,
            category: None,
            channel: None,
            severity: None,
            sla: None,
            received_since: None,
            received_before: None,
            assignee: None,
            q: None,
        }
    }
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ComplaintRow {
    pub id: i64,
    pub complaint_no: String,
    pub customer: String,
    pub phone: String,
    pub order_id: Option<i64>,
    pub order_no: Option<String>,
    pub channel: Channel,
    pub category: Category,
    pub severity: Severity,
    pub content: String,
    pub demand: String,
    pub received_at: DateTime<Utc>,
    pub soon_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub first_reply_at: Option<DateTime<Utc>>,
    pub status: Status,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    pub result: String,
    pub cause: String,
    pub improvement: String,
    pub satisfaction: Option<i16>,
    pub resolved_by_name: Option<String>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_by_name: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    pub created_by_name: String,
}

impl ComplaintRow {
    pub fn times(&self) -> Times {
        Times {
            received_at: self.received_at,
            soon_at: self.soon_at,
            due_at: self.due_at,
            first_reply_at: self.first_reply_at,
        }
    }
}

const COLUMNS: &str = "c.id, c.complaint_no, c.customer, c.phone, c.order_id, c.order_no, c.channel, c.category,
    c.severity, c.content, c.demand, c.received_at, c.soon_at, c.due_at, c.first_reply_at, c.status, c.assignee_id,
    a.display_name AS assignee_name, c.result, c.cause, c.improvement, c.satisfaction,
    r.display_name AS resolved_by_name, c.resolved_at, k.display_name AS closed_by_name, c.closed_at,
    u.display_name AS created_by_name";
const JOINS: &str = " JOIN users u ON u.tenant_id = c.tenant_id AND u.id = c.created_by
    LEFT JOIN users a ON a.tenant_id = c.tenant_id AND a.id = c.assignee_id
    LEFT JOIN users r ON r.tenant_id = c.tenant_id AND r.id = c.resolved_by
    LEFT JOIN users k ON k.tenant_id = c.tenant_id AND k.id = c.closed_by";
/// The list's order: closed ones last, then by deadline.
const ORDER: &str = " ORDER BY (c.closed_at IS NOT NULL), c.due_at, c.id";

/// ` FROM complaints c WHERE …` of the list: tenant, scope, filters.
fn push_from(qb: &mut QueryBuilder<'_, Postgres>, tenant_id: i64, scope: &Scope, f: &Filter) {
    qb.push(" FROM complaints c WHERE c.tenant_id = ").push_bind(tenant_id);
    scope.push_filter(qb, "c.rep_id", "c.rep_department");
    if let Some(s) = f.status {
        qb.push(" AND c.status = ").push_bind(s);
    }
    if let Some(v) = f.category {
        qb.push(" AND c.category = ").push_bind(v);
    }
    if let Some(v) = f.channel {
        qb.push(" AND c.channel = ").push_bind(v);
    }
    if let Some(v) = f.severity {
        qb.push(" AND c.severity = ").push_bind(v);
    }
    match f.sla {
        None => {}
        Some(Sla::Ok) => {
            qb.push(" AND c.first_reply_at IS NULL AND c.soon_at > ").push_bind(f.now);
        }
        Some(Sla::DueSoon) => {
            qb.push(" AND c.first_reply_at IS NULL AND c.soon_at <= ").push_bind(f.now);
            qb.push(" AND c.due_at >= ").push_bind(f.now);
        }
        Some(Sla::Overdue) => {
            qb.push(" AND c.first_reply_at IS NULL AND c.due_at < ").push_bind(f.now);
        }
        Some(Sla::Met) => {
            qb.push(" AND c.first_reply_at <= c.due_at");
        }
        Some(Sla::Missed) => {
            qb.push(" AND c.first_reply_at > c.due_at");
        }
    }
    if let Some(t) = f.received_since {
        qb.push(" AND c.received_at >= ").push_bind(t);
    }
    if let Some(t) = f.received_before {
        qb.push(" AND c.received_at < ").push_bind(t);
    }
    if let Some(u) = f.assignee {
        qb.push(" AND c.assignee_id = ").push_bind(u).push(" AND c.status <> 'closed'");
    }
    if let Some(q) = &f.q {
        // Through the search-term index (migration 0029): LIKE on the complaints
        // themselves could use no index under row-level security.
        let search = Search::new(Kind::Complaint, q);
        search.push_id_filter(qb, tenant_id, "c.id");
        if !search.exact() {
            // The recheck of a long query, by the index's own rule (folded case).
            let e = crate::db::like::escape(q);
            qb.push(" AND (c.complaint_no ILIKE ")
                .push_bind(format!("{e}%"))
                .push(" OR c.phone ILIKE ")
                .push_bind(format!("{e}%"))
                .push(" OR c.order_no ILIKE ")
                .push_bind(format!("{e}%"))
                .push(" OR c.customer ILIKE ")
                .push_bind(format!("%{e}%"))
                .push(")");
        }
    }
}

/// One page of complaints (closed ones last, then by deadline) and the count
/// capped at `cap`.
pub async fn list(
    tx: &mut Tx,
    tenant_id: i64,
    scope: &Scope,
    f: &Filter,
    limit: i64,
    offset: i64,
    cap: i64,
) -> Result<(Vec<ComplaintRow>, i64), sqlx::Error> {
    let mut qb = QueryBuilder::new(format!("SELECT {COLUMNS} FROM (SELECT c.id, c.closed_at, c.due_at"));
    push_from(&mut qb, tenant_id, scope, f);
    qb.push(ORDER).push(" LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
    qb.push(") pg JOIN complaints c ON c.tenant_id = ").push_bind(tenant_id).push(" AND c.id = pg.id");
    qb.push(JOINS).push(ORDER);
    let rows = qb.build_query_as().fetch_all(&mut **tx).await?;
    let mut qb = crate::db::capped_count(cap, |qb| push_from(qb, tenant_id, scope, f));
    let total = qb.build_query_scalar().fetch_one(&mut **tx).await?;
    Ok((rows, total))
}

/// The complaint within `scope` (`lock`: its row locked for a change).
pub async fn find(
    tx: &mut Tx,
    tenant_id: i64,
    scope: &Scope,
    id: i64,
    lock: bool,
) -> Result<Option<ComplaintRow>, sqlx::Error> {
    let mut qb = QueryBuilder::new(format!("SELECT {COLUMNS} FROM complaints c{JOINS} WHERE c.tenant_id = "));
    qb.push_bind(tenant_id).push(" AND c.id = ").push_bind(id);
    scope.push_filter(&mut qb, "c.rep_id", "c.rep_department");
    if lock {
        qb.push(" FOR UPDATE OF c");
    }
    qb.build_query_as().fetch_optional(&mut **tx).await
}

/// The order a complaint names: (id, order number, rep, rep's department).
pub type OrderRef = (i64, String, Option<i64>, Option<String>);

/// The orders whose id is `id` or whose number is `order_no` (at most 2: a number
/// two platforms share is ambiguous), the id first.
pub async fn orders_named(
    tx: &mut Tx,
    tenant_id: i64,
    id: Option<i64>,
    order_no: &str,
) -> Result<Vec<OrderRef>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, order_no, rep_id, rep_department FROM orders
         WHERE tenant_id = $1 AND (id = $2 OR order_no = $3) ORDER BY (id = $2) IS NOT TRUE, id LIMIT 3",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(order_no)
    .fetch_all(&mut **tx)
    .await
}

/// The tenant's service manager (the first active one), who takes major complaints.
pub async fn service_manager(tx: &mut Tx, tenant_id: i64) -> Result<Option<(i64, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, display_name FROM users WHERE tenant_id = $1 AND department = 'service' AND level = 'manager'
           AND is_active ORDER BY id LIMIT 1",
    )
    .bind(tenant_id)
    .fetch_optional(&mut **tx)
    .await
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct EventRow {
    pub kind: EventKind,
    pub actor_name: String,
    pub note: String,
    pub at: DateTime<Utc>,
}

pub async fn events(tx: &mut Tx, tenant_id: i64, complaint_id: i64) -> Result<Vec<EventRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT kind, actor_name, note, at FROM complaint_events WHERE tenant_id = $1 AND complaint_id = $2
         ORDER BY at, id",
    )
    .bind(tenant_id)
    .bind(complaint_id)
    .fetch_all(&mut **tx)
    .await
}

/// The home page's counts at the database's clock: (`overdue` | `due_soon` |
/// `major` (open major ones assigned to `user_id`) | `mine` (not closed, assigned
/// to `user_id`), count up to `cap`, the oldest received).
pub async fn queue_counts(
    tx: &mut Tx,
    tenant_id: i64,
    user_id: i64,
    cap: i64,
) -> Result<Vec<(String, i64, Option<DateTime<Utc>>)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT q.code, q.n, q.oldest FROM (
           SELECT 'overdue' AS code, count(*) AS n, min(received_at) AS oldest FROM
             (SELECT received_at FROM complaints WHERE tenant_id = $1 AND first_reply_at IS NULL
                AND due_at < now() LIMIT $3) x
           UNION ALL SELECT 'due_soon', count(*), min(received_at) FROM
             (SELECT received_at FROM complaints WHERE tenant_id = $1 AND first_reply_at IS NULL
                AND due_at >= now() AND soon_at <= now() LIMIT $3) x
           UNION ALL SELECT 'major', count(*), min(received_at) FROM
             (SELECT received_at FROM complaints WHERE tenant_id = $1 AND assignee_id = $2 AND severity = 'major'
                AND status <> 'closed' LIMIT $3) x
           UNION ALL SELECT 'mine', count(*), min(received_at) FROM
             (SELECT received_at FROM complaints WHERE tenant_id = $1 AND assignee_id = $2
                AND status <> 'closed' LIMIT $3) x
         ) q",
    )
    .bind(tenant_id)
    .bind(user_id)
    .bind(cap)
    .fetch_all(&mut **tx)
    .await
}

/// The demo's orders to complain of: the oldest shipped ones, then any
/// (id, order number, rep, rep's department, receiver, phone).
pub async fn demo_orders(
    tx: &mut Tx,
    tenant_id: i64,
    limit: i64,
) -> Result<Vec<(OrderRef, String, String)>, sqlx::Error> {
    type Row = (i64, String, Option<i64>, Option<String>, String, String);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, order_no, rep_id, rep_department, receiver, phone FROM orders WHERE tenant_id = $1
         ORDER BY (status IN ('shipped', 'delivered')) IS NOT TRUE, (rep_id IS NULL), id LIMIT $2",
    )
    .bind(tenant_id)
    .bind(limit)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(|(id, no, rep, dept, receiver, phone)| ((id, no, rep, dept), receiver, phone)).collect())
}

/// A user's display name.
pub async fn display_name(tx: &mut Tx, tenant_id: i64, user_id: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT display_name FROM users WHERE tenant_id = $1 AND id = $2")
        .bind(tenant_id)
        .bind(user_id)
        .fetch_optional(&mut **tx)
        .await
}
