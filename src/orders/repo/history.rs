//! Order history written in bulk (the demo's months of orders): every row once, in
//! its final state, one statement over arrays for as many rows as there are. The
//! orders and their lines come from `intake::insert_in_state`; here the
//! reservations and the parcels. Stock still moves only through the ledger (the
//! caller posts the movements and raises the levels' reserved there).

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::super::codes::{Carrier, ExceptionKind};
use crate::db::Tx;

const CHUNK: usize = 50_000;

/// (product, warehouse, available) of the tenant's stock levels.
pub async fn available(tx: &mut Tx, tenant_id: i64) -> Result<Vec<(i64, i64, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT product_id, warehouse_id, on_hand - reserved FROM stock_levels WHERE tenant_id = $1")
        .bind(tenant_id)
        .fetch_all(&mut **tx)
        .await
}

/// A reservation of an order line in full: open, or consumed (shipped) at `closed_at`.
pub struct Reservation {
    pub order_id: i64,
    pub line_no: i32,
    pub warehouse_id: i64,
    pub product_id: i64,
    pub quantity: i64,
    pub closed_at: Option<DateTime<Utc>>,
}

/// The reservations. The levels' `reserved` is the ledger's, for the caller to
/// raise by the open ones.
pub async fn insert_reservations(tx: &mut Tx, tenant_id: i64, rows: &[Reservation]) -> Result<(), sqlx::Error> {
    for c in rows.chunks(CHUNK) {
        sqlx::query(
            "INSERT INTO order_reservations (tenant_id, order_id, line_no, warehouse_id, product_id, quantity, state,
                                             created_at, closed_at)
             SELECT $1, o, l, w, p, q, CASE WHEN t IS NULL THEN 'reserved' ELSE 'consumed' END, coalesce(t, now()), t
             FROM UNNEST($2::bigint[], $3::int[], $4::bigint[], $5::bigint[], $6::bigint[], $7::timestamptz[])
                  AS x(o, l, w, p, q, t)",
        )
        .bind(tenant_id)
        .bind(c.iter().map(|r| r.order_id).collect::<Vec<_>>())
        .bind(c.iter().map(|r| r.line_no).collect::<Vec<_>>())
        .bind(c.iter().map(|r| r.warehouse_id).collect::<Vec<_>>())
        .bind(c.iter().map(|r| r.product_id).collect::<Vec<_>>())
        .bind(c.iter().map(|r| r.quantity).collect::<Vec<_>>())
        .bind(c.iter().map(|r| r.closed_at).collect::<Vec<_>>())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// A parcel of the history with its lines (line no, quantity).
pub struct Parcel<'a> {
    pub order_id: i64,
    pub warehouse_id: i64,
    pub carrier: Carrier,
    pub tracking_no: &'a str,
    pub lines: Vec<(i32, i64)>,
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
        let carriers: Vec<&str> = c.iter().map(|p| p.carrier.code()).collect();
        let tracking: Vec<&str> = c.iter().map(|p| p.tracking_no).collect();
        let ids: Vec<(i64, String, String)> = sqlx::query_as(
            "INSERT INTO parcels (tenant_id, order_id, warehouse_id, carrier, tracking_no, status, shipped_by,
                                  shipped_at, delivered_at, exception_kind, exception_note)
             SELECT $1, o, w, carrier, tracking,
                    CASE WHEN ek IS NOT NULL THEN 'exception' WHEN delivered THEN 'delivered' ELSE 'in_transit' END,
                    $10, at, CASE WHEN delivered THEN at END, ek, coalesce(en, '')
             FROM UNNEST($2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::timestamptz[], $7::bool[], $8::text[],
                         $9::text[]) AS x(o, w, carrier, tracking, at, delivered, ek, en)
             RETURNING id, carrier, tracking_no",
        )
        .bind(tenant_id)
        .bind(c.iter().map(|p| p.order_id).collect::<Vec<_>>())
        .bind(c.iter().map(|p| p.warehouse_id).collect::<Vec<_>>())
        .bind(&carriers)
        .bind(&tracking)
        .bind(c.iter().map(|p| p.shipped_at).collect::<Vec<_>>())
        .bind(c.iter().map(|p| p.delivered).collect::<Vec<_>>())
        .bind(c.iter().map(|p| p.exception.map(|e| e.0.code())).collect::<Vec<_>>())
        .bind(c.iter().map(|p| p.exception.map(|e| e.1)).collect::<Vec<_>>())
        .bind(shipped_by)
        .fetch_all(&mut **tx)
        .await?;
        let id_of: HashMap<(&str, &str), i64> = ids.iter().map(|(id, c, t)| ((c.as_str(), t.as_str()), *id)).collect();
        let lines: Vec<(i64, i64, i32, i64)> = c
            .iter()
            .flat_map(|p| {
                let id = id_of[&(p.carrier.code(), p.tracking_no)];
                p.lines.iter().map(move |&(line_no, q)| (id, p.order_id, line_no, q))
            })
            .collect();
        sqlx::query(
            "INSERT INTO parcel_lines (tenant_id, parcel_id, order_id, line_no, quantity)
             SELECT $1, * FROM UNNEST($2::bigint[], $3::bigint[], $4::int[], $5::bigint[])",
        )
        .bind(tenant_id)
        .bind(lines.iter().map(|l| l.0).collect::<Vec<_>>())
        .bind(lines.iter().map(|l| l.1).collect::<Vec<_>>())
        .bind(lines.iter().map(|l| l.2).collect::<Vec<_>>())
        .bind(lines.iter().map(|l| l.3).collect::<Vec<_>>())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
