//! The monthly report's SQL: the month's top products, slow-moving stock, the
//! campaigns of the month, complaints by category, and the stored text. Every
//! statement is for one tenant (row-level security holds it to the request's too).

use chrono::{DateTime, NaiveDate, Utc};

use crate::db::Tx;

/// A product of the month's top list.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ProductRow {
    pub sku: String,
    pub name: String,
    pub quantity: i64,
    pub amount_fen: i64,
    pub orders: i64,
}

/// The `limit` products with the largest line amounts (quantity × unit price) on
/// orders paid on the local days `from..=to` and not cancelled; ties by SKU. From
/// the daily rollup `product_days` (migration 0039: its rows are the lines' sums,
/// kept by triggers), which does not grow with the orders.
pub async fn top_products(
    tx: &mut Tx,
    tenant_id: i64,
    (from, to): (NaiveDate, NaiveDate),
    limit: i64,
) -> Result<Vec<ProductRow>, sqlx::Error> {
    sqlx::query_as(
        "WITH t AS (
             SELECT product_id, sum(quantity)::bigint AS quantity, sum(amount_fen)::bigint AS amount_fen,
                    sum(orders)::bigint AS orders
             FROM product_days
             WHERE tenant_id = $1 AND day BETWEEN $2 AND $3
             GROUP BY product_id
             HAVING sum(orders) <> 0 OR sum(quantity) <> 0 OR sum(amount_fen) <> 0)
         SELECT p.sku, p.name, t.quantity, t.amount_fen, t.orders
         FROM t JOIN products p ON p.tenant_id = $1 AND p.id = t.product_id
         ORDER BY t.amount_fen DESC, p.sku
         LIMIT $4",
    )
    .bind(tenant_id)
    .bind(from)
    .bind(to)
    .bind(limit)
    .fetch_all(&mut **tx)
    .await
}

/// A slow-moving stock item (product × warehouse).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct SlowRow {
    pub sku: String,
    pub name: String,
    pub warehouse: String,
    pub on_hand: i64,
    /// The last shipment of the item before the cut-off, if any.
    pub last_shipped: Option<DateTime<Utc>>,
}

/// A slow item and how many there are (a window count over every slow item).
#[derive(sqlx::FromRow)]
struct Counted {
    #[sqlx(flatten)]
    row: SlowRow,
    total: i64,
}

/// Items with stock on hand now and no shipment in `[since, until)`: the first
/// `limit` (longest without a shipment first, then SKU and warehouse) and how many
/// there are.
pub async fn slow_moving(
    tx: &mut Tx,
    tenant_id: i64,
    (since, until): (DateTime<Utc>, DateTime<Utc>),
    limit: i64,
) -> Result<(Vec<SlowRow>, i64), sqlx::Error> {
    let rows: Vec<Counted> = sqlx::query_as(
        "SELECT p.sku, p.name, w.name AS warehouse, s.on_hand,
                (SELECT max(m.created_at) FROM stock_movements m
                 WHERE m.tenant_id = s.tenant_id AND m.product_id = s.product_id
                   AND m.warehouse_id = s.warehouse_id AND m.kind = 'shipment' AND m.created_at < $2) AS last_shipped,
                count(*) OVER () AS total
         FROM stock_levels s
         JOIN products p ON p.tenant_id = s.tenant_id AND p.id = s.product_id
         JOIN warehouses w ON w.tenant_id = s.tenant_id AND w.id = s.warehouse_id
         WHERE s.tenant_id = $1 AND s.on_hand > 0
           AND NOT EXISTS (SELECT 1 FROM stock_movements m
                           WHERE m.tenant_id = s.tenant_id AND m.product_id = s.product_id
                             AND m.warehouse_id = s.warehouse_id AND m.kind = 'shipment'
                             AND m.created_at >= $2 AND m.created_at < $3)
         ORDER BY last_shipped NULLS FIRST, p.sku, w.name
         LIMIT $4",
    )
    .bind(tenant_id)
    .bind(since)
    .bind(until)
    .bind(limit)
    .fetch_all(&mut **tx)
    .await?;
    let count = rows.first().map_or(0, |r| r.total);
    let rows = rows.into_iter().map(|c| c.row).collect();
    Ok((rows, count))
}

/// A campaign of the month and its results on the month's days.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct CampaignRow {
    pub id: i64,
    pub campaign_no: String,
    pub theme: String,
    pub department: String,
    pub status: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub sales_fen: i64,
    pub cost_fen: i64,
}

/// The campaigns approved at least once whose dates overlap `from ..= to`, with
/// the sums of their daily results on those days; by start, then number.
pub async fn campaigns(
    tx: &mut Tx,
    tenant_id: i64,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<Vec<CampaignRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT c.id, c.campaign_no, c.theme, c.department, c.status, c.starts_on, c.ends_on,
                coalesce(m.sales_fen, 0)::bigint AS sales_fen, coalesce(m.cost_fen, 0)::bigint AS cost_fen
         FROM campaigns c
         LEFT JOIN LATERAL (SELECT sum(x.sales_fen) AS sales_fen, sum(x.cost_fen) AS cost_fen
                            FROM campaign_metrics x
                            WHERE x.tenant_id = c.tenant_id AND x.campaign_id = c.id
                              AND x.day BETWEEN $2 AND $3) m ON true
         WHERE c.tenant_id = $1 AND c.approved_at IS NOT NULL AND c.starts_on <= $3 AND c.ends_on >= $2
         ORDER BY c.starts_on, c.campaign_no",
    )
    .bind(tenant_id)
    .bind(from)
    .bind(to)
    .fetch_all(&mut **tx)
    .await
}

/// Complaints of one category received in the month, by their first reply.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ComplaintRow {
    pub category: String,
    pub received: i64,
    /// First reply at or before the deadline.
    pub on_time: i64,
    /// First reply after the deadline.
    pub late: i64,
    /// No reply yet.
    pub unanswered: i64,
}

/// The complaints received in `[from, to)` by category (categories with none are
/// not returned), in category code order.
pub async fn complaints(
    tx: &mut Tx,
    tenant_id: i64,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
) -> Result<Vec<ComplaintRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT category, count(*) AS received,
                count(*) FILTER (WHERE first_reply_at <= due_at) AS on_time,
                count(*) FILTER (WHERE first_reply_at > due_at) AS late,
                count(*) FILTER (WHERE first_reply_at IS NULL) AS unanswered
         FROM complaints
         WHERE tenant_id = $1 AND received_at >= $2 AND received_at < $3
         GROUP BY category ORDER BY category",
    )
    .bind(tenant_id)
    .bind(from)
    .bind(to)
    .fetch_all(&mut **tx)
    .await
}

/// The stored text of a month.
#[derive(Clone, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct Text {
    pub conclusions: String,
    pub suggestions: String,
    /// 0: nothing saved yet.
    pub version: i32,
    pub updated_by: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
}

const TEXT: &str = "SELECT r.conclusions, r.suggestions, r.version, u.display_name AS updated_by, r.updated_at
     FROM monthly_reports r LEFT JOIN users u ON u.tenant_id = r.tenant_id AND u.id = r.updated_by
     WHERE r.tenant_id = $1 AND r.month = $2";

/// The month's text (empty, version 0, when none is saved).
pub async fn text(tx: &mut Tx, tenant_id: i64, month: NaiveDate) -> Result<Text, sqlx::Error> {
    let t = sqlx::query_as(TEXT).bind(tenant_id).bind(month).fetch_optional(&mut **tx).await?;
    Ok(t.unwrap_or_default())
}

/// The month's text, its row locked until the transaction ends (a first save
/// locks nothing: two first saves meet at the primary key instead).
pub async fn text_for_update(tx: &mut Tx, tenant_id: i64, month: NaiveDate) -> Result<Text, sqlx::Error> {
    let t = sqlx::query_as(&format!("{TEXT} FOR UPDATE OF r"))
        .bind(tenant_id)
        .bind(month)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(t.unwrap_or_default())
}

/// Save the month's text as version `version` (`version - 1` must be the stored
/// one, 0 for none): `false` when another save got there first.
pub async fn save_text(
    tx: &mut Tx,
    tenant_id: i64,
    month: NaiveDate,
    conclusions: &str,
    suggestions: &str,
    version: i32,
    user_id: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO monthly_reports (tenant_id, month, conclusions, suggestions, version, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (tenant_id, month) DO UPDATE
            SET conclusions = EXCLUDED.conclusions, suggestions = EXCLUDED.suggestions,
                version = EXCLUDED.version, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
            WHERE monthly_reports.version = EXCLUDED.version - 1",
    )
    .bind(tenant_id)
    .bind(month)
    .bind(conclusions)
    .bind(suggestions)
    .bind(version)
    .bind(user_id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}
