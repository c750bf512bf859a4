//! Reservation rows and parcels: "reserved" of a stock level is always the sum of
//! its open reservations (the ledger's conditional update changes the level, these
//! rows say which order line holds it).

use crate::db::Tx;
use crate::orders::codes::Carrier;

/// An open reservation, its row locked.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Reservation {
    pub id: i64,
    pub line_no: i32,
    pub warehouse_id: i64,
    pub product_id: i64,
    pub quantity: i64,
}

/// Record a reservation of an order line (the ledger has reserved the units).
pub async fn insert_reservation(
    tx: &mut Tx,
    tenant_id: i64,
    order_id: i64,
    line_no: i32,
    warehouse_id: i64,
    product_id: i64,
    quantity: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "WITH r AS (INSERT INTO order_reservations (tenant_id, order_id, line_no, warehouse_id, product_id, quantity)
                    VALUES ($1, $2, $3, $4, $5, $6))
         UPDATE order_lines SET reserved_qty = reserved_qty + $6
         WHERE tenant_id = $1 AND order_id = $2 AND line_no = $3",
    )
    .bind(tenant_id)
    .bind(order_id)
    .bind(line_no)
    .bind(warehouse_id)
    .bind(product_id)
    .bind(quantity)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The order's open reservations, locked, in product order (the order every
/// stock change takes its level rows in, so two orders never deadlock).
pub async fn open_reservations(tx: &mut Tx, tenant_id: i64, order_id: i64) -> Result<Vec<Reservation>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, line_no, warehouse_id, product_id, quantity FROM order_reservations
         WHERE tenant_id = $1 AND order_id = $2 AND state = 'reserved' ORDER BY product_id, line_no, id FOR UPDATE",
    )
    .bind(tenant_id)
    .bind(order_id)
    .fetch_all(&mut **tx)
    .await
}

/// Close `quantity` of an open reservation as `state` (`consumed` by a parcel,
/// `released` by a cancel or a reassignment); a part closes a split-off row and
/// leaves the rest open. The line's reserved (and, when consumed, shipped)
/// quantity follows.
pub async fn close_reservation(
    tx: &mut Tx,
    tenant_id: i64,
    order_id: i64,
    r: &Reservation,
    quantity: i64,
    consumed: bool,
) -> Result<(), sqlx::Error> {
    let state = if consumed { "consumed" } else { "released" };
    if quantity == r.quantity {
        sqlx::query("UPDATE order_reservations SET state = $3, closed_at = now() WHERE tenant_id = $1 AND id = $2")
            .bind(tenant_id)
            .bind(r.id)
            .bind(state)
            .execute(&mut **tx)
            .await?;
    } else {
        sqlx::query(
            "WITH rest AS (UPDATE order_reservations SET quantity = quantity - $3 WHERE tenant_id = $1 AND id = $2)
             INSERT INTO order_reservations (tenant_id, order_id, line_no, warehouse_id, product_id, quantity, state, closed_at)
             VALUES ($1, $4, $5, $6, $7, $3, $8, now())",
        )
        .bind(tenant_id)
        .bind(r.id)
        .bind(quantity)
        .bind(order_id)
        .bind(r.line_no)
        .bind(r.warehouse_id)
        .bind(r.product_id)
        .bind(state)
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query(
        "UPDATE order_lines SET reserved_qty = reserved_qty - $4,
                shipped_qty = shipped_qty + CASE WHEN $5 THEN $4 ELSE 0 END
         WHERE tenant_id = $1 AND order_id = $2 AND line_no = $3",
    )
    .bind(tenant_id)
    .bind(order_id)
    .bind(r.line_no)
    .bind(quantity)
    .bind(consumed)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Where the order's stock is reserved (`None`: nowhere).
pub async fn set_warehouse(
    tx: &mut Tx,
    tenant_id: i64,
    order_id: i64,
    warehouse_id: Option<i64>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE orders SET warehouse_id = $3, updated_at = now() WHERE tenant_id = $1 AND id = $2")
        .bind(tenant_id)
        .bind(order_id)
        .bind(warehouse_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A new parcel; `None` when the carrier's tracking number is taken in the tenant.
pub async fn insert_parcel(
    tx: &mut Tx,
    tenant_id: i64,
    order_id: i64,
    warehouse_id: i64,
    carrier: Carrier,
    tracking_no: &str,
    shipped_by: i64,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO parcels (tenant_id, order_id, warehouse_id, carrier, tracking_no, shipped_by)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant_id, carrier, tracking_no) DO NOTHING RETURNING id",
    )
    .bind(tenant_id)
    .bind(order_id)
    .bind(warehouse_id)
    .bind(carrier)
    .bind(tracking_no)
    .bind(shipped_by)
    .fetch_optional(&mut **tx)
    .await
}

/// The parcel sends out goods for after-sales case `case_id` (a replacement or
/// repaired goods), not the order's lines.
pub async fn parcel_for_case(tx: &mut Tx, tenant_id: i64, parcel_id: i64, case_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE parcels SET after_sale_id = $3 WHERE tenant_id = $1 AND id = $2")
        .bind(tenant_id)
        .bind(parcel_id)
        .bind(case_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn insert_parcel_line(
    tx: &mut Tx,
    tenant_id: i64,
    parcel_id: i64,
    order_id: i64,
    line_no: i32,
    quantity: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO parcel_lines (tenant_id, parcel_id, order_id, line_no, quantity) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(tenant_id)
    .bind(parcel_id)
    .bind(order_id)
    .bind(line_no)
    .bind(quantity)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Stamp the order's first shipment time.
pub async fn mark_shipped(tx: &mut Tx, tenant_id: i64, order_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("WITH clock AS (SELECT now() AS at) UPDATE orders SET shipped_at = coalesce(shipped_at, (SELECT at FROM clock)) WHERE tenant_id = $1 AND id = $2")
        .bind(tenant_id)
        .bind(order_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Every parcel of the order still on its way (or held up) has arrived.
pub async fn parcels_delivered(tx: &mut Tx, tenant_id: i64, order_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE parcels SET status = 'delivered', delivered_at = now()
         WHERE tenant_id = $1 AND order_id = $2 AND status <> 'delivered' AND resent_at IS NULL",
    )
    .bind(tenant_id)
    .bind(order_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The order's latest parcel on its way had `kind` happen to it.
pub async fn parcel_exception(
    tx: &mut Tx,
    tenant_id: i64,
    order_id: i64,
    kind: crate::orders::codes::ExceptionKind,
    note: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE parcels SET status = 'exception', exception_kind = $3, exception_note = $4
         WHERE tenant_id = $1 AND id = (SELECT max(id) FROM parcels WHERE tenant_id = $1 AND order_id = $2 AND status <> 'delivered')",
    )
    .bind(tenant_id)
    .bind(order_id)
    .bind(kind)
    .bind(note)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ParcelRow {
    pub id: i64,
    pub warehouse_id: i64,
    pub carrier: Carrier,
    pub tracking_no: String,
    pub status: String,
    pub shipped_at: chrono::DateTime<chrono::Utc>,
    pub shipped_by_name: String,
    pub exception_kind: Option<String>,
    pub exception_note: String,
    /// A lost parcel sent again.
    pub resent: bool,
    /// `SKU×N` of its lines.
    pub contents: String,
    /// The after-sales case it sends goods out for (then it has no lines).
    pub after_sale_id: Option<i64>,
}

pub async fn parcels(tx: &mut Tx, tenant_id: i64, order_id: i64) -> Result<Vec<ParcelRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT p.id, p.warehouse_id, p.carrier, p.tracking_no, p.status, p.shipped_at, u.display_name AS shipped_by_name, p.exception_kind,
                p.exception_note, p.resent_at IS NOT NULL AS resent,
                coalesce((SELECT string_agg(pr.sku || '×' || pl.quantity, '，' ORDER BY pl.line_no)
                          FROM parcel_lines pl
                          JOIN order_lines ol ON ol.tenant_id = pl.tenant_id AND ol.order_id = pl.order_id AND ol.line_no = pl.line_no
                          JOIN products pr ON pr.tenant_id = ol.tenant_id AND pr.id = ol.product_id
                          WHERE pl.tenant_id = p.tenant_id AND pl.parcel_id = p.id), '') AS contents, p.after_sale_id
         FROM parcels p JOIN users u ON u.tenant_id = p.tenant_id AND u.id = p.shipped_by
         WHERE p.tenant_id = $1 AND p.order_id = $2 ORDER BY p.id",
    )
    .bind(tenant_id)
    .bind(order_id)
    .fetch_all(&mut **tx)
    .await
}

/// A parcel of the order, locked: (exception kind, re-sent already, carrier, tracking no).
pub async fn lock_parcel(
    tx: &mut Tx,
    tenant_id: i64,
    order_id: i64,
    parcel_id: i64,
) -> Result<Option<(Option<String>, bool, Carrier, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT exception_kind, resent_at IS NOT NULL, carrier, tracking_no FROM parcels
         WHERE tenant_id = $1 AND order_id = $2 AND id = $3 FOR UPDATE",
    )
    .bind(tenant_id)
    .bind(order_id)
    .bind(parcel_id)
    .fetch_optional(&mut **tx)
    .await
}

/// The lost parcel's units go back to its lines as open quantities (shipped →
/// lost) and the parcel is marked re-sent; the units.
pub async fn mark_resent(
    tx: &mut Tx,
    tenant_id: i64,
    order_id: i64,
    parcel_id: i64,
    by: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query("UPDATE parcels SET resent_at = now(), resent_by = $3 WHERE tenant_id = $1 AND id = $2")
        .bind(tenant_id)
        .bind(parcel_id)
        .bind(by)
        .execute(&mut **tx)
        .await?;
    sqlx::query_scalar(
        "WITH back AS (
             UPDATE order_lines l SET shipped_qty = l.shipped_qty - pl.quantity, lost_qty = l.lost_qty + pl.quantity
             FROM parcel_lines pl
             WHERE pl.tenant_id = $1 AND pl.parcel_id = $3 AND l.tenant_id = $1 AND l.order_id = $2
               AND l.line_no = pl.line_no
             RETURNING pl.quantity)
         SELECT coalesce(sum(quantity), 0)::bigint FROM back",
    )
    .bind(tenant_id)
    .bind(order_id)
    .bind(parcel_id)
    .fetch_one(&mut **tx)
    .await
}
