//! All of the after-sales SQL: the list and the record, what a new case checks
//! (what earlier cases cover), receipts, refunds and the timeline.

use chrono::{DateTime, Utc};
use sqlx::{Postgres, QueryBuilder};

use super::codes::{CaseKind, Category, Disposition, RefundMethod, RefundStatus};
use super::flow::CaseStatus;
use crate::db::Tx;
use crate::people::Scope;

mod bulk;
pub use bulk::*;

/// The list's filters (all optional).
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub kind: Option<CaseKind>,
    pub status: Option<CaseStatus>,
    pub order_id: Option<i64>,
    /// Raised on or after / on or before these local dates (`[from, to + 1 day)` in UTC).
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// With a done refund paid back at or after / before these instants (local
    /// midnights of the first day and of the day after the last; the refund's day
    /// is that of `coalesce(decided_at, recorded_at)`), its order not cancelled.
    pub refunded_from: Option<DateTime<Utc>>,
    pub refunded_until: Option<DateTime<Utc>>,
    /// Approved cases whose goods are still to come back (the warehouse's queue).
    pub to_receive: bool,
    /// Open cases raised by this user.
    pub raised_by: Option<i64>,
    /// The case number (exactly), or the order's number, receiver or phone (the
    /// orders' search).
    pub q: Option<String>,
}

impl Filter {
    /// The refund-day filter is on: the list shows the sum refunded.
    pub fn by_refund_day(&self) -> bool {
        self.refunded_from.is_some() || self.refunded_until.is_some()
    }
}

/// ` AND …` of the refunds `r` that count for the refund-day filter: paid back
/// (`done`) in its range (`refunds_done_at_idx`), the order not cancelled.
fn push_refund_day(qb: &mut QueryBuilder<'_, Postgres>, f: &Filter) {
    qb.push(" AND r.status = 'done'");
    if let Some(t) = f.refunded_from {
        qb.push(" AND coalesce(r.decided_at, r.recorded_at) >= ").push_bind(t);
    }
    if let Some(t) = f.refunded_until {
        qb.push(" AND coalesce(r.decided_at, r.recorded_at) < ").push_bind(t);
    }
    qb.push(
        " AND NOT EXISTS (SELECT 1 FROM orders ro WHERE ro.tenant_id = r.tenant_id AND ro.id = r.order_id
            AND ro.status = 'cancelled')",
    );
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CaseRow {
    pub id: i64,
    pub case_no: String,
    pub order_id: i64,
    pub order_no: String,
    pub receiver: String,
    pub phone: String,
    pub line_no: i32,
    pub product_id: i64,
    pub sku: String,
    pub product_name: String,
    pub unit: String,
    pub kind: CaseKind,
    pub quantity: i64,
    pub received_qty: i64,
    pub asked_fen: i64,
    pub refunded_fen: i64,
    pub category: Category,
    pub reason: String,
    pub status: CaseStatus,
    pub rep_id: Option<i64>,
    pub raised_by: i64,
    pub raised_by_name: String,
    pub raised_at: DateTime<Utc>,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_comment: String,
    pub parcel_id: Option<i64>,
}

const COLUMNS: &str = "a.id, a.case_no, a.order_id, o.order_no, o.receiver, o.phone, a.line_no, a.product_id,
    p.sku, p.name AS product_name, p.unit, a.kind, a.quantity, a.received_qty, a.asked_fen, a.refunded_fen,
    a.category, a.reason, a.status, a.rep_id, a.raised_by, r.display_name AS raised_by_name, a.raised_at,
    d.display_name AS decided_by_name, a.decided_at, a.decision_comment, a.parcel_id";
const JOINS: &str = " JOIN orders o ON o.tenant_id = a.tenant_id AND o.id = a.order_id
    JOIN products p ON p.tenant_id = a.tenant_id AND p.id = a.product_id
    JOIN users r ON r.tenant_id = a.tenant_id AND r.id = a.raised_by
    LEFT JOIN users d ON d.tenant_id = a.tenant_id AND d.id = a.decided_by";

/// ` FROM after_sales a WHERE …` of the list: tenant, scope, filters.
fn push_from(qb: &mut QueryBuilder<'_, Postgres>, tenant_id: i64, scope: &Scope, f: &Filter) {
    qb.push(" FROM after_sales a WHERE a.tenant_id = ").push_bind(tenant_id);
    scope.push_filter(qb, "a.rep_id", "a.rep_department");
    if let Some(k) = f.kind {
        qb.push(" AND a.kind = ").push_bind(k);
    }
    if let Some(s) = f.status {
        qb.push(" AND a.status = ").push_bind(s);
    }
    if let Some(o) = f.order_id {
        qb.push(" AND a.order_id = ").push_bind(o);
    }
    if let Some(t) = f.from {
        qb.push(" AND a.raised_at >= ").push_bind(t);
    }
    if let Some(t) = f.until {
        qb.push(" AND a.raised_at < ").push_bind(t);
    }
    if f.by_refund_day() {
        qb.push(" AND a.id IN (SELECT r.case_id FROM refunds r WHERE r.tenant_id = ").push_bind(tenant_id);
        push_refund_day(qb, f);
        qb.push(")");
    }
    if f.to_receive {
        qb.push(" AND a.status = 'approved' AND a.kind <> 'refund'");
    }
    if let Some(u) = f.raised_by {
        qb.push(" AND a.raised_by = ")
            .push_bind(u)
            .push(" AND a.status = ANY(")
            .push_bind(CaseStatus::open_codes())
            .push(")");
    }
    if let Some(q) = &f.q {
        // The case number, or the cases of the orders the orders list's search finds:
        // two index lookups (an OR of the two read every case).
        qb.push(" AND a.id IN (SELECT x.id FROM after_sales x WHERE x.tenant_id = ")
            .push_bind(tenant_id)
            .push(" AND x.case_no = ")
            .push_bind(q.to_uppercase())
            .push(" UNION ALL SELECT x.id FROM after_sales x WHERE x.tenant_id = ")
            .push_bind(tenant_id)
            .push(" AND x.order_id IN (");
        crate::orders::repo::push_search_ids(qb, tenant_id, q);
        qb.push("))");
    }
}

/// One page of cases, newest first, and the count capped at `cap`.
pub async fn list(
    tx: &mut Tx,
    tenant_id: i64,
    scope: &Scope,
    f: &Filter,
    limit: i64,
    offset: i64,
    cap: i64,
) -> Result<(Vec<CaseRow>, i64), sqlx::Error> {
    let mut qb = QueryBuilder::new(format!("SELECT {COLUMNS} FROM (SELECT a.id"));
    push_from(&mut qb, tenant_id, scope, f);
    qb.push(" ORDER BY a.id DESC LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
    qb.push(") pg JOIN after_sales a ON a.tenant_id = ").push_bind(tenant_id).push(" AND a.id = pg.id");
    qb.push(JOINS).push(" ORDER BY a.id DESC");
    let rows = qb.build_query_as().fetch_all(&mut **tx).await?;
    let mut qb = crate::db::capped_count(cap, |qb| push_from(qb, tenant_id, scope, f));
    let total = qb.build_query_scalar().fetch_one(&mut **tx).await?;
    Ok((rows, total))
}

/// Σ `amount_fen` (fen) of the refunds the refund-day filter counts, of every case
/// the list shows (all of them, not one page).
pub async fn refunded_sum(tx: &mut Tx, tenant_id: i64, scope: &Scope, f: &Filter) -> Result<i64, sqlx::Error> {
    let mut qb = QueryBuilder::new("SELECT coalesce(sum(r.amount_fen), 0)::int8 FROM refunds r WHERE r.tenant_id = ");
    qb.push_bind(tenant_id);
    push_refund_day(&mut qb, f);
    qb.push(" AND r.case_id IN (SELECT a.id");
    push_from(&mut qb, tenant_id, scope, f);
    qb.push(")");
    qb.build_query_scalar().fetch_one(&mut **tx).await
}

/// The case within `scope` (`lock`: its row locked for a change).
pub async fn find(
    tx: &mut Tx,
    tenant_id: i64,
    scope: &Scope,
    id: i64,
    lock: bool,
) -> Result<Option<CaseRow>, sqlx::Error> {
    let mut qb = QueryBuilder::new(format!("SELECT {COLUMNS} FROM after_sales a{JOINS} WHERE a.tenant_id = "));
    qb.push_bind(tenant_id).push(" AND a.id = ").push_bind(id);
    scope.push_filter(&mut qb, "a.rep_id", "a.rep_department");
    if lock {
        qb.push(" FOR UPDATE OF a");
    }
    qb.build_query_as().fetch_optional(&mut **tx).await
}

/// What the cases of an order line that were not rejected cover (units), and what
/// they ask back (fen), per line number.
pub async fn covered(tx: &mut Tx, tenant_id: i64, order_id: i64) -> Result<Vec<(i32, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT line_no, sum(quantity)::bigint FROM after_sales
         WHERE tenant_id = $1 AND order_id = $2 AND status <> 'rejected' GROUP BY line_no ORDER BY line_no",
    )
    .bind(tenant_id)
    .bind(order_id)
    .fetch_all(&mut **tx)
    .await
}

/// A new case's fields.
pub struct NewCase<'a> {
    pub order_id: i64,
    pub line_no: i32,
    pub product_id: i64,
    pub kind: CaseKind,
    pub quantity: i64,
    pub asked_fen: i64,
    pub category: Category,
    pub reason: &'a str,
    pub rep_id: Option<i64>,
    pub rep_department: Option<&'a str>,
    pub raised_by: i64,
}

/// Insert a case numbered `case_no`; its id.
pub async fn insert(tx: &mut Tx, tenant_id: i64, case_no: &str, c: &NewCase<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO after_sales (tenant_id, case_no, order_id, line_no, product_id, kind, quantity, asked_fen, category,
                                  reason, rep_id, rep_department, raised_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
    )
    .bind(tenant_id)
    .bind(case_no)
    .bind(c.order_id)
    .bind(c.line_no)
    .bind(c.product_id)
    .bind(c.kind)
    .bind(c.quantity)
    .bind(c.asked_fen)
    .bind(c.category)
    .bind(c.reason)
    .bind(c.rep_id)
    .bind(c.rep_department)
    .bind(c.raised_by)
    .fetch_one(&mut **tx)
    .await
}

/// Move the case to `status` (the caller checked the transition).
pub async fn set_status(tx: &mut Tx, tenant_id: i64, id: i64, status: CaseStatus) -> Result<(), sqlx::Error> {
    sqlx::query(
        "WITH clock AS (SELECT now() AS at)
         UPDATE after_sales SET status = $3, updated_at = now(),
                closed_at = CASE WHEN $3 = 'closed' THEN (SELECT at FROM clock) ELSE closed_at END
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(status)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The case's review decision.
pub async fn decide(
    tx: &mut Tx,
    tenant_id: i64,
    id: i64,
    status: CaseStatus,
    by: i64,
    comment: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE after_sales SET status = $3, decided_by = $4, decided_at = now(), decision_comment = $5, updated_at = now()
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(status)
    .bind(by)
    .bind(comment)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A receipt of goods back; the case's received quantity grows by it.
#[allow(clippy::too_many_arguments)]
pub async fn receive(
    tx: &mut Tx,
    tenant_id: i64,
    case_id: i64,
    quantity: i64,
    disposition: Disposition,
    warehouse_id: Option<i64>,
    movement_id: Option<i64>,
    by: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO after_sale_receipts (tenant_id, case_id, quantity, disposition, warehouse_id, movement_id, received_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(tenant_id)
    .bind(case_id)
    .bind(quantity)
    .bind(disposition)
    .bind(warehouse_id)
    .bind(movement_id)
    .bind(by)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "UPDATE after_sales SET received_qty = received_qty + $3, updated_at = now() WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant_id)
    .bind(case_id)
    .bind(quantity)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ReceiptRow {
    pub quantity: i64,
    pub disposition: Disposition,
    pub warehouse_code: Option<String>,
    pub received_by_name: String,
    pub received_at: DateTime<Utc>,
}

pub async fn receipts(tx: &mut Tx, tenant_id: i64, case_id: i64) -> Result<Vec<ReceiptRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT r.quantity, r.disposition, w.code AS warehouse_code, u.display_name AS received_by_name, r.received_at
         FROM after_sale_receipts r JOIN users u ON u.tenant_id = r.tenant_id AND u.id = r.received_by
         LEFT JOIN warehouses w ON w.tenant_id = r.tenant_id AND w.id = r.warehouse_id
         WHERE r.tenant_id = $1 AND r.case_id = $2 ORDER BY r.id",
    )
    .bind(tenant_id)
    .bind(case_id)
    .fetch_all(&mut **tx)
    .await
}

/// What the refunds of an order that are not rejected add up to: (the order's, the line's).
pub async fn refunds_so_far(
    tx: &mut Tx,
    tenant_id: i64,
    order_id: i64,
    line_no: i32,
) -> Result<(i64, i64), sqlx::Error> {
    sqlx::query_as(
        "SELECT coalesce(sum(amount_fen), 0)::bigint, coalesce(sum(amount_fen) FILTER (WHERE line_no = $3), 0)::bigint
         FROM refunds WHERE tenant_id = $1 AND order_id = $2 AND status <> 'rejected'",
    )
    .bind(tenant_id)
    .bind(order_id)
    .bind(line_no)
    .fetch_one(&mut **tx)
    .await
}

/// A refund's fields.
pub struct NewRefund<'a> {
    pub case_id: i64,
    pub order_id: i64,
    pub line_no: i32,
    pub amount_fen: i64,
    pub method: RefundMethod,
    pub reference: &'a str,
    pub status: RefundStatus,
    pub recorded_by: i64,
}

pub async fn insert_refund(tx: &mut Tx, tenant_id: i64, r: &NewRefund<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO refunds (tenant_id, case_id, order_id, line_no, amount_fen, method, reference, status, recorded_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(tenant_id)
    .bind(r.case_id)
    .bind(r.order_id)
    .bind(r.line_no)
    .bind(r.amount_fen)
    .bind(r.method)
    .bind(r.reference)
    .bind(r.status)
    .bind(r.recorded_by)
    .fetch_one(&mut **tx)
    .await
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct RefundRow {
    pub id: i64,
    pub amount_fen: i64,
    pub method: RefundMethod,
    pub reference: String,
    pub status: RefundStatus,
    pub recorded_by: i64,
    pub recorded_by_name: String,
    pub recorded_at: DateTime<Utc>,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub comment: String,
}

pub async fn refunds(tx: &mut Tx, tenant_id: i64, case_id: i64) -> Result<Vec<RefundRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT f.id, f.amount_fen, f.method, f.reference, f.status, f.recorded_by, u.display_name AS recorded_by_name,
                f.recorded_at, d.display_name AS decided_by_name, f.decided_at, f.comment
         FROM refunds f JOIN users u ON u.tenant_id = f.tenant_id AND u.id = f.recorded_by
         LEFT JOIN users d ON d.tenant_id = f.tenant_id AND d.id = f.decided_by
         WHERE f.tenant_id = $1 AND f.case_id = $2 ORDER BY f.id",
    )
    .bind(tenant_id)
    .bind(case_id)
    .fetch_all(&mut **tx)
    .await
}

/// The manager's decision on a waiting refund; the case's refunded sum grows when paid.
pub async fn decide_refund(
    tx: &mut Tx,
    tenant_id: i64,
    refund_id: i64,
    status: RefundStatus,
    by: i64,
    comment: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE refunds SET status = $3, decided_by = $4, decided_at = now(), comment = $5
         WHERE tenant_id = $1 AND id = $2 AND status = 'pending'",
    )
    .bind(tenant_id)
    .bind(refund_id)
    .bind(status)
    .bind(by)
    .bind(comment)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// `fen` was paid back on the case.
pub async fn refunded(tx: &mut Tx, tenant_id: i64, case_id: i64, fen: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE after_sales SET refunded_fen = refunded_fen + $3, updated_at = now() WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant_id)
    .bind(case_id)
    .bind(fen)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The parcel that sent the goods out again.
pub async fn sent_out(tx: &mut Tx, tenant_id: i64, case_id: i64, parcel_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE after_sales SET parcel_id = $3, updated_at = now() WHERE tenant_id = $1 AND id = $2")
        .bind(tenant_id)
        .bind(case_id)
        .bind(parcel_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// One timeline event.
pub async fn event(
    tx: &mut Tx,
    tenant_id: i64,
    case_id: i64,
    kind: &str,
    actor: (i64, &str),
    note: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO after_sale_events (tenant_id, case_id, kind, actor_id, actor_name, note) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(tenant_id)
    .bind(case_id)
    .bind(kind)
    .bind(actor.0)
    .bind(actor.1)
    .bind(note)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct EventRow {
    pub kind: String,
    pub actor_name: String,
    pub note: String,
    pub at: DateTime<Utc>,
}

pub async fn events(tx: &mut Tx, tenant_id: i64, case_id: i64) -> Result<Vec<EventRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT kind, actor_name, note, at FROM after_sale_events WHERE tenant_id = $1 AND case_id = $2 ORDER BY id",
    )
    .bind(tenant_id)
    .bind(case_id)
    .fetch_all(&mut **tx)
    .await
}

/// The home page's counts: (status code or `to_receive`, count up to `cap`, oldest);
/// the decisions leave out `user_id`'s own cases and refunds (nobody decides their own).
pub async fn queue_counts(
    tx: &mut Tx,
    tenant_id: i64,
    user_id: i64,
    cap: i64,
) -> Result<Vec<(String, i64, Option<DateTime<Utc>>)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT q.code, q.n, q.oldest FROM (
           SELECT 'requested' AS code, count(*) AS n, min(raised_at) AS oldest FROM
             (SELECT raised_at FROM after_sales WHERE tenant_id = $1 AND status = 'requested' AND raised_by <> $2 LIMIT $3) x
           UNION ALL SELECT 'refund_pending', count(*), min(raised_at) FROM
             (SELECT a.raised_at FROM after_sales a WHERE a.tenant_id = $1 AND a.status = 'refund_pending' AND a.raised_by <> $2
                AND NOT EXISTS (SELECT 1 FROM refunds r WHERE r.tenant_id = a.tenant_id AND r.case_id = a.id
                                  AND r.status = 'pending' AND r.recorded_by = $2) LIMIT $3) x
           UNION ALL SELECT 'to_receive', count(*), min(raised_at) FROM
             (SELECT raised_at FROM after_sales WHERE tenant_id = $1 AND status = 'approved' AND kind <> 'refund' LIMIT $3) x
           UNION ALL SELECT 'mine', count(*), min(raised_at) FROM
             (SELECT raised_at FROM after_sales WHERE tenant_id = $1 AND raised_by = $2 AND status = ANY($4) LIMIT $3) x
         ) q",
    )
    .bind(tenant_id)
    .bind(user_id)
    .bind(cap)
    .bind(CaseStatus::open_codes())
    .fetch_all(&mut **tx)
    .await
}
