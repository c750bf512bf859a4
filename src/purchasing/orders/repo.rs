//! Purchase orders' SQL: suppliers to choose from, creating an order from its
//! request, the list, one order with its lines and receipts, and receiving.

use chrono::{DateTime, Utc};
use sqlx::{Postgres, QueryBuilder};

use crate::db::Tx;
use crate::purchasing::flow::{OrderStatus, RequestStatus};
use crate::purchasing::yuan;

pub struct SupplierChoice {
    pub code: String,
    pub name: String,
}

/// The active suppliers, by code (at most 1,000).
pub async fn supplier_choices(tx: &mut Tx, tenant_id: i64) -> Result<Vec<SupplierChoice>, sqlx::Error> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT code, name FROM partners WHERE tenant_id = $1 AND kind = 'supplier' AND is_active ORDER BY code LIMIT 1000",
    )
    .bind(tenant_id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(|(code, name)| SupplierChoice { code, name }).collect())
}

// ---------- list ----------

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct OrderListRow {
    pub id: i64,
    pub po_no: Option<String>,
    pub supplier_name: String,
    pub warehouse_code: String,
    pub status: OrderStatus,
    pub lines: i64,
    pub quantity: i64,
    pub received: i64,
    pub amount_fen: i64,
    pub created_at: DateTime<Utc>,
}

impl OrderListRow {
    pub fn status_label(&self) -> &'static str {
        self.status.label()
    }
    pub fn status_class(&self) -> &'static str {
        self.status.tag()
    }
    pub fn amount(&self) -> String {
        yuan(self.amount_fen)
    }
    pub fn no(&self) -> String {
        self.po_no.clone().unwrap_or_default()
    }
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AwaitingRow {
    pub id: i64,
    pub sku: String,
    pub product_name: String,
    pub warehouse_code: String,
    pub quantity: i64,
    pub value_fen: i64,
}

impl AwaitingRow {
    pub fn value(&self) -> String {
        yuan(self.value_fen)
    }
}

// ---------- show (printable) and receive ----------

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct OrderRow {
    pub id: i64,
    pub po_no: Option<String>,
    pub supplier_code: String,
    pub supplier_name: String,
    pub supplier_contact: String,
    pub supplier_phone: String,
    pub supplier_address: String,
    pub warehouse_id: i64,
    pub warehouse_code: String,
    pub warehouse_name: String,
    pub warehouse_address: String,
    pub status: OrderStatus,
    pub note: String,
    pub creator_name: String,
    pub created_at: DateTime<Utc>,
    pub received_at: Option<DateTime<Utc>>,
    pub request_id: Option<i64>,
}

impl OrderRow {
    pub fn status_label(&self) -> &'static str {
        self.status.label()
    }
    pub fn status_class(&self) -> &'static str {
        self.status.tag()
    }
    pub fn no(&self) -> String {
        self.po_no.clone().unwrap_or_default()
    }
    pub fn receivable(&self) -> bool {
        self.status.after_receipt(false).is_some()
    }
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct LineRow {
    pub id: i64,
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    pub spec: String,
    pub unit: String,
    pub quantity: i64,
    pub unit_cost_fen: i64,
    pub received_quantity: i64,
    pub on_hand: i64,
}

impl LineRow {
    pub fn remaining(&self) -> i64 {
        self.quantity - self.received_quantity
    }
    pub fn unit_cost(&self) -> String {
        yuan(self.unit_cost_fen)
    }
    pub fn amount(&self) -> String {
        yuan(self.quantity.saturating_mul(self.unit_cost_fen))
    }
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ReceiptRow {
    pub created_at: DateTime<Utc>,
    pub sku: String,
    pub quantity: i64,
    pub balance_after: i64,
    pub who: Option<String>,
}

/// One order with its supplier and warehouse (`lock`: FOR UPDATE of the order).
pub async fn load_order(tx: &mut Tx, tenant_id: i64, id: i64, lock: bool) -> Result<Option<OrderRow>, sqlx::Error> {
    let sql = format!(
        "SELECT o.id, o.po_no, s.code AS supplier_code, s.name AS supplier_name, s.contact AS supplier_contact,
                s.phone AS supplier_phone, s.address AS supplier_address, o.warehouse_id, w.code AS warehouse_code,
                w.name AS warehouse_name, w.address AS warehouse_address, o.status, o.note,
                u.display_name AS creator_name, o.created_at, o.received_at,
                (SELECT r.id FROM replenishment_requests r WHERE r.tenant_id = o.tenant_id AND r.purchase_order_id = o.id
                 ORDER BY r.id LIMIT 1) AS request_id
         FROM purchase_orders o
         JOIN partners s ON s.tenant_id = o.tenant_id AND s.id = o.supplier_id
         JOIN warehouses w ON w.tenant_id = o.tenant_id AND w.id = o.warehouse_id
         JOIN users u ON u.tenant_id = o.tenant_id AND u.id = o.created_by
         WHERE o.tenant_id = $1 AND o.id = $2{}",
        if lock { " FOR UPDATE OF o" } else { "" }
    );
    sqlx::query_as(&sql).bind(tenant_id).bind(id).fetch_optional(&mut **tx).await
}

/// The order's lines with the stock on hand (`lock`: FOR UPDATE of the lines).
pub async fn load_lines(tx: &mut Tx, tenant_id: i64, id: i64, lock: bool) -> Result<Vec<LineRow>, sqlx::Error> {
    let sql = format!(
        "SELECT l.id, l.product_id, p.sku, p.name, p.spec, p.unit, l.quantity, l.unit_cost_fen, l.received_quantity,
                coalesce(s.on_hand, 0) AS on_hand
         FROM purchase_order_lines l
         JOIN products p ON p.tenant_id = l.tenant_id AND p.id = l.product_id
         LEFT JOIN stock_levels s ON s.tenant_id = l.tenant_id AND s.product_id = l.product_id AND s.warehouse_id = l.warehouse_id
         WHERE l.tenant_id = $1 AND l.purchase_order_id = $2 ORDER BY l.id{}",
        if lock { " FOR UPDATE OF l" } else { "" }
    );
    sqlx::query_as(&sql).bind(tenant_id).bind(id).fetch_all(&mut **tx).await
}

/// The code of the request's default supplier, while it is an active supplier.
pub async fn default_supplier_code(tx: &mut Tx, tenant_id: i64, id: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT code FROM partners WHERE tenant_id = $1 AND id = $2 AND kind = 'supplier' AND is_active")
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
}

/// A supplier by its code, active or not.
pub struct Supplier {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub is_active: bool,
}

pub async fn supplier_by_code(tx: &mut Tx, tenant_id: i64, code: &str) -> Result<Option<Supplier>, sqlx::Error> {
    let row: Option<(i64, String, String, bool)> = sqlx::query_as(
        "SELECT id, code, name, is_active FROM partners WHERE tenant_id = $1 AND code = $2 AND kind = 'supplier'",
    )
    .bind(tenant_id)
    .bind(code)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|(id, code, name, is_active)| Supplier { id, code, name, is_active }))
}

/// A new order of one line.
pub struct NewOrder<'a> {
    pub supplier_id: i64,
    pub warehouse_id: i64,
    pub note: &'a str,
    pub created_by: i64,
    pub product_id: i64,
    pub quantity: i64,
    pub unit_cost_fen: i64,
}

/// Insert the order and its line: its id and its number (CG-000001…).
pub async fn insert_order(tx: &mut Tx, tenant_id: i64, o: &NewOrder<'_>) -> Result<(i64, String), sqlx::Error> {
    let po_id: i64 = sqlx::query_scalar(
        "INSERT INTO purchase_orders (tenant_id, supplier_id, warehouse_id, note, created_by)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(tenant_id)
    .bind(o.supplier_id)
    .bind(o.warehouse_id)
    .bind(o.note)
    .bind(o.created_by)
    .fetch_one(&mut **tx)
    .await?;
    let po_no = format!("CG-{po_id:06}");
    sqlx::query("UPDATE purchase_orders SET po_no = $3 WHERE tenant_id = $1 AND id = $2")
        .bind(tenant_id)
        .bind(po_id)
        .bind(&po_no)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO purchase_order_lines (tenant_id, purchase_order_id, product_id, warehouse_id, quantity, unit_cost_fen)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(tenant_id)
    .bind(po_id)
    .bind(o.product_id)
    .bind(o.warehouse_id)
    .bind(o.quantity)
    .bind(o.unit_cost_fen)
    .execute(&mut **tx)
    .await?;
    Ok((po_id, po_no))
}

/// The request's move to `status` (ordered) with the order it became.
pub async fn set_request_ordered(
    tx: &mut Tx,
    tenant_id: i64,
    request_id: i64,
    po_id: i64,
    user_id: i64,
    status: RequestStatus,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE replenishment_requests SET status = $5, purchase_order_id = $3, ordered_by = $4, ordered_at = now(),
                updated_at = now() WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant_id)
    .bind(request_id)
    .bind(po_id)
    .bind(user_id)
    .bind(status)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The list's filter.
pub struct OrderFilter<'a> {
    pub status: Option<&'a str>,
    pub supplier_code: Option<&'a str>,
}

fn push_where(qb: &mut QueryBuilder<'_, Postgres>, tenant_id: i64, f: &OrderFilter<'_>) {
    qb.push(" WHERE o.tenant_id = ").push_bind(tenant_id);
    if let Some(s) = f.status {
        qb.push(" AND o.status = ").push_bind(s.to_owned());
    }
    if let Some(code) = f.supplier_code {
        qb.push(" AND o.supplier_id = (SELECT id FROM partners WHERE tenant_id = ")
            .push_bind(tenant_id)
            .push(" AND code = ")
            .push_bind(code.to_owned())
            .push(")");
    }
}

/// One page of orders, newest first, and the count (up to `count_limit`).
pub async fn list(
    tx: &mut Tx,
    tenant_id: i64,
    f: &OrderFilter<'_>,
    limit: i64,
    offset: i64,
    count_limit: i64,
) -> Result<(Vec<OrderListRow>, i64), sqlx::Error> {
    let mut qb = QueryBuilder::<Postgres>::new(
        "SELECT o.id, o.po_no, s.name AS supplier_name, w.code AS warehouse_code, o.status,
                (SELECT count(*) FROM purchase_order_lines l WHERE l.tenant_id = o.tenant_id AND l.purchase_order_id = o.id) AS lines,
                (SELECT coalesce(sum(l.quantity), 0)::bigint FROM purchase_order_lines l WHERE l.tenant_id = o.tenant_id AND l.purchase_order_id = o.id) AS quantity,
                (SELECT coalesce(sum(l.received_quantity), 0)::bigint FROM purchase_order_lines l WHERE l.tenant_id = o.tenant_id AND l.purchase_order_id = o.id) AS received,
                (SELECT coalesce(sum(l.quantity * l.unit_cost_fen), 0)::bigint FROM purchase_order_lines l WHERE l.tenant_id = o.tenant_id AND l.purchase_order_id = o.id) AS amount_fen,
                o.created_at
         FROM purchase_orders o
         JOIN partners s ON s.tenant_id = o.tenant_id AND s.id = o.supplier_id
         JOIN warehouses w ON w.tenant_id = o.tenant_id AND w.id = o.warehouse_id",
    );
    push_where(&mut qb, tenant_id, f);
    qb.push(" ORDER BY o.id DESC LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
    let mut count = crate::db::capped_count(count_limit, |qb| {
        qb.push(" FROM purchase_orders o");
        push_where(qb, tenant_id, f);
    });
    let rows: Vec<OrderListRow> = qb.build_query_as().fetch_all(&mut **tx).await?;
    let total: i64 = count.build_query_scalar().fetch_one(&mut **tx).await?;
    Ok((rows, total))
}

/// Approved requests without an order yet, oldest first (at most 50).
pub async fn awaiting(tx: &mut Tx, tenant_id: i64) -> Result<Vec<AwaitingRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT r.id, p.sku, p.name AS product_name, w.code AS warehouse_code, r.quantity, r.value_fen
         FROM replenishment_requests r
         JOIN products p ON p.tenant_id = r.tenant_id AND p.id = r.product_id
         JOIN warehouses w ON w.tenant_id = r.tenant_id AND w.id = r.warehouse_id
         WHERE r.tenant_id = $1 AND r.status = 'approved' ORDER BY r.id LIMIT 50",
    )
    .bind(tenant_id)
    .fetch_all(&mut **tx)
    .await
}

/// The order's receipts: its ledger movements.
pub async fn receipts(tx: &mut Tx, tenant_id: i64, order_id: i64) -> Result<Vec<ReceiptRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT m.created_at, p.sku, m.quantity, m.balance_after, u.display_name AS who
         FROM stock_movements m
         JOIN products p ON p.tenant_id = m.tenant_id AND p.id = m.product_id
         LEFT JOIN users u ON u.tenant_id = m.tenant_id AND u.id = m.created_by
         WHERE m.tenant_id = $1 AND m.doc_type = 'purchase_order' AND m.doc_id = $2 ORDER BY m.id",
    )
    .bind(tenant_id)
    .bind(order_id)
    .fetch_all(&mut **tx)
    .await
}

/// `quantity` more received on `line`; the product's last cost becomes the line's.
pub async fn receive_line(tx: &mut Tx, tenant_id: i64, line: &LineRow, quantity: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE purchase_order_lines SET received_quantity = received_quantity + $3 WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant_id)
    .bind(line.id)
    .bind(quantity)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE products SET last_cost_fen = $3, updated_at = now() WHERE tenant_id = $1 AND id = $2")
        .bind(tenant_id)
        .bind(line.product_id)
        .bind(line.unit_cost_fen)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The order's status after a receipt (`received` also records when).
pub async fn set_status(tx: &mut Tx, tenant_id: i64, id: i64, status: OrderStatus) -> Result<(), sqlx::Error> {
    sqlx::query(
        "WITH clock AS (SELECT now() AS at)
         UPDATE purchase_orders SET status = $3, updated_at = now(),
                received_at = CASE WHEN $3 = 'received' THEN (SELECT at FROM clock) ELSE received_at END
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(status)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
