//! What batch shipping reads before it ships: orders by number, the tracking
//! numbers already used, and the stock levels it will touch, locked up front.

use std::collections::HashSet;

use crate::db::Tx;
use crate::orders::codes::{Carrier, Platform};

/// The tenant's orders with any of these numbers (on any platform): (id, platform, order no).
pub async fn orders_by_number(
    tx: &mut Tx,
    tenant_id: i64,
    numbers: &[String],
) -> Result<Vec<(i64, Platform, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, platform, order_no FROM orders WHERE tenant_id = $1 AND order_no = ANY($2) ORDER BY id")
        .bind(tenant_id)
        .bind(numbers)
        .fetch_all(&mut **tx)
        .await
}

/// Of these (carrier, tracking no) pairs, those a parcel of the tenant has already.
pub async fn tracking_used(
    tx: &mut Tx,
    tenant_id: i64,
    pairs: &[(Carrier, String)],
) -> Result<HashSet<(Carrier, String)>, sqlx::Error> {
    let rows: Vec<(Carrier, String)> = sqlx::query_as(
        "SELECT p.carrier, p.tracking_no FROM UNNEST($2::text[], $3::text[]) AS k(carrier, tracking_no)
         JOIN parcels p ON p.tenant_id = $1 AND p.carrier = k.carrier AND p.tracking_no = k.tracking_no",
    )
    .bind(tenant_id)
    .bind(pairs.iter().map(|p| p.0.code()).collect::<Vec<_>>())
    .bind(pairs.iter().map(|p| p.1.clone()).collect::<Vec<_>>())
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().collect())
}

/// Lock every stock level the open reservations of these orders hold, in
/// (product, warehouse) order: a batch then takes its level rows in the one order
/// every other stock change takes them, so two batches never wait on each other
/// in a circle.
pub async fn lock_reserved_levels(tx: &mut Tx, tenant_id: i64, order_ids: &[i64]) -> Result<(), sqlx::Error> {
    sqlx::query(
        "SELECT 1 FROM stock_levels s
         WHERE s.tenant_id = $1 AND (s.product_id, s.warehouse_id) IN
               (SELECT r.product_id, r.warehouse_id FROM order_reservations r
                WHERE r.tenant_id = $1 AND r.order_id = ANY($2) AND r.state = 'reserved')
         ORDER BY s.product_id, s.warehouse_id FOR UPDATE OF s",
    )
    .bind(tenant_id)
    .bind(order_ids)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
