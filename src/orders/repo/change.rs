//! Changes to one order: holds, payment, state, the timeline, and what each
//! warehouse could cover.

use chrono::{DateTime, Utc};

use super::Author;
use crate::db::Tx;
use crate::orders::codes::{HoldKind, OrderStatus};

/// Place a hold of `kind`; `None` when one of that kind is already active.
pub async fn place_hold(
    tx: &mut Tx,
    tenant_id: i64,
    order_id: i64,
    kind: HoldKind,
    reason: &str,
    placed_by: Option<i64>,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO order_holds (tenant_id, order_id, kind, reason, placed_by) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (tenant_id, order_id, kind) WHERE released_at IS NULL DO NOTHING RETURNING id",
    )
    .bind(tenant_id)
    .bind(order_id)
    .bind(kind)
    .bind(reason)
    .bind(placed_by)
    .fetch_optional(&mut **tx)
    .await
}

/// An active hold of the order, its row locked: (id, kind).
pub async fn lock_active_hold(
    tx: &mut Tx,
    tenant_id: i64,
    order_id: i64,
    hold_id: i64,
) -> Result<Option<(i64, HoldKind)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, kind FROM order_holds WHERE tenant_id = $1 AND order_id = $2 AND id = $3 AND released_at IS NULL
         FOR UPDATE",
    )
    .bind(tenant_id)
    .bind(order_id)
    .bind(hold_id)
    .fetch_optional(&mut **tx)
    .await
}

/// Whether the order has a hold with this id at all (released or not).
pub async fn hold_exists(tx: &mut Tx, tenant_id: i64, order_id: i64, hold_id: i64) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM order_holds WHERE tenant_id = $1 AND order_id = $2 AND id = $3)")
        .bind(tenant_id)
        .bind(order_id)
        .bind(hold_id)
        .fetch_one(&mut **tx)
        .await
}

/// Which active holds a release is for.
#[derive(Clone, Copy, Debug)]
pub enum Which {
    Id(i64),
    Kind(HoldKind),
}

/// Release the order's active hold(s) `which`; how many were released.
pub async fn release_hold(
    tx: &mut Tx,
    tenant_id: i64,
    order_id: i64,
    which: Which,
    released_by: Option<i64>,
    note: &str,
) -> Result<u64, sqlx::Error> {
    let (id, kind) = match which {
        Which::Id(id) => (Some(id), None),
        Which::Kind(kind) => (None, Some(kind)),
    };
    Ok(sqlx::query(
        "UPDATE order_holds SET released_at = now(), released_by = $5, release_note = $6
         WHERE tenant_id = $1 AND order_id = $2 AND released_at IS NULL
           AND ($3::bigint IS NULL OR id = $3) AND ($4::text IS NULL OR kind = $4)",
    )
    .bind(tenant_id)
    .bind(order_id)
    .bind(id)
    .bind(kind)
    .bind(released_by)
    .bind(note)
    .execute(&mut **tx)
    .await?
    .rows_affected())
}

/// Record the payment time.
pub async fn set_paid(tx: &mut Tx, tenant_id: i64, order_id: i64, paid_at: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE orders SET paid_at = $3, updated_at = now() WHERE tenant_id = $1 AND id = $2")
        .bind(tenant_id)
        .bind(order_id)
        .bind(paid_at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Move the order to `status` (the caller has checked the transition), stamping
/// the time of an approval, a delivery or a cancel (with its reason).
pub async fn set_status(
    tx: &mut Tx,
    tenant_id: i64,
    order_id: i64,
    status: OrderStatus,
    cancel_reason: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "WITH clock AS (SELECT now() AS at)
         UPDATE orders SET status = $3, updated_at = now(),
                approved_at = CASE WHEN $3 = 'approved' THEN (SELECT at FROM clock) ELSE approved_at END,
                delivered_at = CASE WHEN $3 = 'delivered' THEN (SELECT at FROM clock) ELSE delivered_at END,
                cancelled_at = CASE WHEN $3 = 'cancelled' THEN (SELECT at FROM clock) ELSE cancelled_at END,
                cancel_reason = coalesce($4, cancel_reason)
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant_id)
    .bind(order_id)
    .bind(status)
    .bind(cancel_reason)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One timeline event.
pub async fn event(
    tx: &mut Tx,
    tenant_id: i64,
    order_id: i64,
    kind: &str,
    author: &Author<'_>,
    note: &str,
) -> Result<(), sqlx::Error> {
    super::insert_events(tx, tenant_id, kind, &[(order_id, note)], author).await
}

/// What a warehouse could cover of an order's open quantities (ordered − shipped −
/// already reserved elsewhere), line by line.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Coverage {
    pub warehouse_id: i64,
    pub code: String,
    pub name: String,
    /// Every line covered by what is available there.
    pub covers_all: bool,
    /// `SKU 可用 N / 需 M` for each line it cannot cover.
    pub short: String,
}

/// Each active warehouse, the ones covering every open line first.
pub async fn coverage(tx: &mut Tx, tenant_id: i64, order_id: i64) -> Result<Vec<Coverage>, sqlx::Error> {
    sqlx::query_as(
        "WITH need AS (
             SELECT l.product_id, p.sku, l.quantity - l.shipped_qty - l.reserved_qty AS need
             FROM order_lines l JOIN products p ON p.tenant_id = l.tenant_id AND p.id = l.product_id
             WHERE l.tenant_id = $1 AND l.order_id = $2 AND l.quantity - l.shipped_qty - l.reserved_qty > 0)
         SELECT w.id AS warehouse_id, w.code, w.name,
                bool_and(coalesce(s.on_hand - s.reserved, 0) >= n.need) AS covers_all,
                coalesce(string_agg(n.sku || ' 可用 ' || coalesce(s.on_hand - s.reserved, 0) || ' / 需 ' || n.need, '；'
                                    ORDER BY n.sku) FILTER (WHERE coalesce(s.on_hand - s.reserved, 0) < n.need), '') AS short
         FROM warehouses w CROSS JOIN need n
         LEFT JOIN stock_levels s ON s.tenant_id = w.tenant_id AND s.warehouse_id = w.id AND s.product_id = n.product_id
         WHERE w.tenant_id = $1 AND w.is_active
         GROUP BY w.id, w.code, w.name
         ORDER BY bool_and(coalesce(s.on_hand - s.reserved, 0) >= n.need) DESC, w.code",
    )
    .bind(tenant_id)
    .bind(order_id)
    .fetch_all(&mut **tx)
    .await
}

/// A case of after-sales was raised on the order (its count on the order page).
pub async fn after_sale_raised(tx: &mut Tx, tenant_id: i64, order_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE orders SET after_sale_count = after_sale_count + 1 WHERE tenant_id = $1 AND id = $2")
        .bind(tenant_id)
        .bind(order_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// `fen` was paid back to the customer (an after-sales refund).
pub async fn refunded(tx: &mut Tx, tenant_id: i64, order_id: i64, fen: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE orders SET refunded_fen = refunded_fen + $3, updated_at = now() WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant_id)
    .bind(order_id)
    .bind(fen)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// `quantity` units of line `line_no` came back from the customer (never more than
/// shipped: the line's check constraint).
pub async fn returned(
    tx: &mut Tx,
    tenant_id: i64,
    order_id: i64,
    line_no: i32,
    quantity: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE order_lines SET returned_qty = returned_qty + $4 WHERE tenant_id = $1 AND order_id = $2 AND line_no = $3",
    )
    .bind(tenant_id)
    .bind(order_id)
    .bind(line_no)
    .bind(quantity)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// After-sales written in bulk (the demo): per order line (order, line, cases,
/// refunded fen, units returned), the order's counts and refunds and the line's
/// returned quantity raised by these.
pub async fn after_sales_totals(
    tx: &mut Tx,
    tenant_id: i64,
    totals: &[(i64, i32, i64, i64, i64)],
) -> Result<(), sqlx::Error> {
    let col = |f: fn(&(i64, i32, i64, i64, i64)) -> i64| totals.iter().map(f).collect::<Vec<i64>>();
    let lines: Vec<i32> = totals.iter().map(|t| t.1).collect();
    sqlx::query(
        "WITH x AS (SELECT * FROM unnest($2::bigint[], $3::int[], $4::bigint[], $5::bigint[], $6::bigint[])
                    AS x (o, l, n, fen, back)),
         lines AS (
           UPDATE order_lines ol SET returned_qty = ol.returned_qty + x.back FROM x
           WHERE ol.tenant_id = $1 AND ol.order_id = x.o AND ol.line_no = x.l AND x.back > 0
           RETURNING ol.order_id)
         UPDATE orders o SET after_sale_count = o.after_sale_count + t.n, refunded_fen = o.refunded_fen + t.fen
         FROM (SELECT x.o, sum(x.n)::int AS n, sum(x.fen)::bigint AS fen FROM x GROUP BY x.o) t
         WHERE o.tenant_id = $1 AND o.id = t.o",
    )
    .bind(tenant_id)
    .bind(col(|t| t.0))
    .bind(&lines)
    .bind(col(|t| t.2))
    .bind(col(|t| t.3))
    .bind(col(|t| t.4))
    .execute(&mut **tx)
    .await?;
    Ok(())
}
