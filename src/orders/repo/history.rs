//! Order history written in bulk (the demo's months of orders): each step is one
//! statement over arrays, for as many orders as there are, instead of the pages'
//! one order at a time. The rows are the ones the pages write; stock still moves
//! only through the ledger (the caller reserves and posts movements there).

use chrono::{DateTime, Utc};

use super::super::codes::{Carrier, ExceptionKind, OrderStatus};
use crate::db::Tx;

const CHUNK: usize = 20_000;

/// (product, warehouse, available) of the tenant's stock levels.
pub async fn available(tx: &mut Tx, tenant_id: i64) -> Result<Vec<(i64, i64, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT product_id, warehouse_id, on_hand - reserved FROM stock_levels WHERE tenant_id = $1")
        .bind(tenant_id)
        .fetch_all(&mut **tx)
        .await
}

/// Where an order ends up.
pub struct State<'a> {
    pub order_id: i64,
    pub status: OrderStatus,
    pub warehouse_id: Option<i64>,
    pub cancel_reason: &'a str,
    /// When it was approved, shipped (its last parcel), delivered or cancelled.
    pub at: DateTime<Utc>,
}

/// Set each order's state, warehouse and the times of its steps so far.
pub async fn set_states(tx: &mut Tx, tenant_id: i64, states: &[State<'_>]) -> Result<(), sqlx::Error> {
    for c in states.chunks(CHUNK) {
        sqlx::query(
            "UPDATE orders o SET status = x.s, warehouse_id = x.w, cancel_reason = x.r, updated_at = x.t,
                    approved_at = CASE WHEN x.s NOT IN ('pending_review', 'cancelled') THEN x.t END,
                    shipped_at = CASE WHEN x.s IN ('shipped', 'delivered', 'exception') THEN x.t END,
                    delivered_at = CASE WHEN x.s = 'delivered' THEN x.t END,
                    cancelled_at = CASE WHEN x.s = 'cancelled' THEN x.t END
             FROM UNNEST($2::bigint[], $3::text[], $4::bigint[], $5::text[], $6::timestamptz[]) AS x(id, s, w, r, t)
             WHERE o.tenant_id = $1 AND o.id = x.id",
        )
        .bind(tenant_id)
        .bind(c.iter().map(|s| s.order_id).collect::<Vec<_>>())
        .bind(c.iter().map(|s| s.status.code()).collect::<Vec<_>>())
        .bind(c.iter().map(|s| s.warehouse_id).collect::<Vec<_>>())
        .bind(c.iter().map(|s| s.cancel_reason).collect::<Vec<_>>())
        .bind(c.iter().map(|s| s.at).collect::<Vec<_>>())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Every line of these orders reserved in full in the order's warehouse
/// (`consumed`: and shipped, the reservation closed). The levels' `reserved` is
/// the ledger's, for the caller to raise by the open ones.
pub async fn reserve_lines(tx: &mut Tx, tenant_id: i64, orders: &[i64], consumed: bool) -> Result<(), sqlx::Error> {
    for c in orders.chunks(CHUNK) {
        sqlx::query(
            "WITH r AS (
                 INSERT INTO order_reservations (tenant_id, order_id, line_no, warehouse_id, product_id, quantity, state, closed_at)
                 SELECT $1, l.order_id, l.line_no, o.warehouse_id, l.product_id, l.quantity,
                        CASE WHEN $3 THEN 'consumed' ELSE 'reserved' END, CASE WHEN $3 THEN o.updated_at END
                 FROM UNNEST($2::bigint[]) AS x(id)
                 JOIN orders o ON o.tenant_id = $1 AND o.id = x.id
                 JOIN order_lines l ON l.tenant_id = o.tenant_id AND l.order_id = o.id)
             UPDATE order_lines l SET reserved_qty = CASE WHEN $3 THEN 0 ELSE l.quantity END,
                                      shipped_qty = CASE WHEN $3 THEN l.quantity ELSE 0 END
             FROM UNNEST($2::bigint[]) AS x(id)
             WHERE l.tenant_id = $1 AND l.order_id = x.id",
        )
        .bind(tenant_id)
        .bind(c)
        .bind(consumed)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// A parcel of the history: `part` 0 of a split order holds line 1, part 1 the
/// others; an order in one parcel (`split` false) sends every line in it.
pub struct Parcel<'a> {
    pub order_id: i64,
    pub warehouse_id: i64,
    pub carrier: Carrier,
    pub tracking_no: &'a str,
    pub split: bool,
    pub part: i32,
    pub shipped_at: DateTime<Utc>,
    pub delivered: bool,
    pub exception: Option<(ExceptionKind, &'a str)>,
}

/// The parcels and their lines.
pub async fn insert_parcels(
    tx: &mut Tx,
    tenant_id: i64,
    parcels: &[Parcel<'_>],
    shipped_by: i64,
) -> Result<(), sqlx::Error> {
    for c in parcels.chunks(CHUNK) {
        let orders: Vec<i64> = c.iter().map(|p| p.order_id).collect();
        let carriers: Vec<&str> = c.iter().map(|p| p.carrier.code()).collect();
        let tracking: Vec<&str> = c.iter().map(|p| p.tracking_no).collect();
        sqlx::query(
            "INSERT INTO parcels (tenant_id, order_id, warehouse_id, carrier, tracking_no, status, shipped_by,
                                  shipped_at, delivered_at, exception_kind, exception_note)
             SELECT $1, o, w, carrier, tracking,
                    CASE WHEN ek IS NOT NULL THEN 'exception' WHEN delivered THEN 'delivered' ELSE 'in_transit' END,
                    $10, at, CASE WHEN delivered THEN at END, ek, coalesce(en, '')
             FROM UNNEST($2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::timestamptz[], $7::bool[], $8::text[],
                         $9::text[]) AS x(o, w, carrier, tracking, at, delivered, ek, en)",
        )
        .bind(tenant_id)
        .bind(&orders)
        .bind(c.iter().map(|p| p.warehouse_id).collect::<Vec<_>>())
        .bind(&carriers)
        .bind(&tracking)
        .bind(c.iter().map(|p| p.shipped_at).collect::<Vec<_>>())
        .bind(c.iter().map(|p| p.delivered).collect::<Vec<_>>())
        .bind(c.iter().map(|p| p.exception.map(|e| e.0.code())).collect::<Vec<_>>())
        .bind(c.iter().map(|p| p.exception.map(|e| e.1)).collect::<Vec<_>>())
        .bind(shipped_by)
        .execute(&mut **tx)
        .await?;
        // Each parcel found again by its tracking number (the unique index), with its lines.
        sqlx::query(
            "INSERT INTO parcel_lines (tenant_id, parcel_id, order_id, line_no, quantity)
             SELECT $1, p.id, p.order_id, l.line_no, l.quantity
             FROM UNNEST($2::text[], $3::text[], $4::bool[], $5::int[]) AS x(carrier, tracking, split, part)
             JOIN parcels p ON p.tenant_id = $1 AND p.carrier = x.carrier AND p.tracking_no = x.tracking
             JOIN order_lines l ON l.tenant_id = $1 AND l.order_id = p.order_id
             WHERE NOT x.split OR (x.part = 0) = (l.line_no = 1)",
        )
        .bind(tenant_id)
        .bind(&carriers)
        .bind(&tracking)
        .bind(c.iter().map(|p| p.split).collect::<Vec<_>>())
        .bind(c.iter().map(|p| p.part).collect::<Vec<_>>())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
