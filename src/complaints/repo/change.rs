//! A complaint's writes: logging it, the clock's first reply, the resolution, the
//! close, reopening, and a timeline event.

use chrono::{DateTime, Utc};

use super::OrderRef;
use crate::complaints::clock::Times;
use crate::complaints::codes::{Category, Channel, EventKind, Severity};
use crate::db::Tx;

/// A new complaint's fields.
pub struct NewComplaint<'a> {
    pub customer: &'a str,
    pub phone: &'a str,
    pub order: Option<&'a OrderRef>,
    pub channel: Channel,
    pub category: Category,
    pub severity: Severity,
    pub content: &'a str,
    pub demand: &'a str,
    pub times: Times,
    pub assignee_id: Option<i64>,
    pub created_by: i64,
}

/// Insert a complaint numbered `complaint_no`; its id.
pub async fn insert(tx: &mut Tx, tenant_id: i64, complaint_no: &str, c: &NewComplaint<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO complaints (tenant_id, complaint_no, customer, phone, order_id, order_no, rep_id, rep_department,
                                 channel, category, severity, content, demand, received_at, soon_at, due_at,
                                 assignee_id, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id",
    )
    .bind(tenant_id)
    .bind(complaint_no)
    .bind(c.customer)
    .bind(c.phone)
    .bind(c.order.map(|o| o.0))
    .bind(c.order.map(|o| o.1.as_str()))
    .bind(c.order.and_then(|o| o.2))
    .bind(c.order.and_then(|o| o.3.as_deref()))
    .bind(c.channel)
    .bind(c.category)
    .bind(c.severity)
    .bind(c.content)
    .bind(c.demand)
    .bind(c.times.received_at)
    .bind(c.times.soon_at)
    .bind(c.times.due_at)
    .bind(c.assignee_id)
    .bind(c.created_by)
    .fetch_one(&mut **tx)
    .await
}

/// The clock's first reply (kept when there is one already).
pub async fn replied(tx: &mut Tx, tenant_id: i64, id: i64, t: &Times) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE complaints SET first_reply_at = $3, updated_at = now() WHERE tenant_id = $1 AND id = $2")
        .bind(tenant_id)
        .bind(id)
        .bind(t.first_reply_at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The resolution: result, cause, improvement (and the clock's first reply).
pub struct Resolution<'a> {
    pub result: &'a str,
    pub cause: &'a str,
    pub improvement: &'a str,
    pub by: i64,
    pub at: DateTime<Utc>,
    pub times: Times,
}

pub async fn resolve(tx: &mut Tx, tenant_id: i64, id: i64, r: &Resolution<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE complaints SET status = 'resolved', result = $3, cause = $4, improvement = $5, resolved_by = $6,
                resolved_at = $7, first_reply_at = $8, updated_at = now()
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(r.result)
    .bind(r.cause)
    .bind(r.improvement)
    .bind(r.by)
    .bind(r.at)
    .bind(r.times.first_reply_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Closed after the return visit, with the customer's satisfaction (if given).
pub async fn close(
    tx: &mut Tx,
    tenant_id: i64,
    id: i64,
    satisfaction: Option<i16>,
    by: i64,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE complaints SET status = 'closed', satisfaction = $3, closed_by = $4, closed_at = $5, updated_at = now()
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(satisfaction)
    .bind(by)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Open again: the resolution and the close are cleared (the timeline keeps them).
pub async fn reopen(tx: &mut Tx, tenant_id: i64, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE complaints SET status = 'open', result = '', cause = '', improvement = '', satisfaction = NULL,
                resolved_by = NULL, resolved_at = NULL, closed_by = NULL, closed_at = NULL, updated_at = now()
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One timeline event at `at`.
pub async fn event(
    tx: &mut Tx,
    tenant_id: i64,
    complaint_id: i64,
    kind: EventKind,
    actor: (i64, &str),
    note: &str,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO complaint_events (tenant_id, complaint_id, kind, actor_id, actor_name, note, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(tenant_id)
    .bind(complaint_id)
    .bind(kind)
    .bind(actor.0)
    .bind(actor.1)
    .bind(note)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
