//! What the print pages read (besides the order and its lines): the sender's warehouse, and the
//! open reservations of many orders for a batch picking list.

use sqlx::QueryBuilder;

use super::super::codes::OrderStatus;
use crate::db::Tx;
use crate::people::Scope;

/// A warehouse as a label prints it (the sender).
#[derive(Clone, Debug, Default, sqlx::FromRow)]
pub struct Sender {
    pub code: String,
    pub name: String,
    pub address: String,
}

pub async fn warehouse(tx: &mut Tx, tenant_id: i64, id: i64) -> Result<Option<Sender>, sqlx::Error> {
    sqlx::query_as("SELECT code, name, address FROM warehouses WHERE tenant_id = $1 AND id = $2")
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
}

/// One line of one order for the batch picking list (lines with nothing reserved
/// come too, so that an order with nothing to pick can be named).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PickRow {
    pub order_id: i64,
    pub order_no: String,
    pub status: OrderStatus,
    /// Active holds, comma-separated.
    pub holds: String,
    pub warehouse_code: Option<String>,
    pub warehouse_name: Option<String>,
    pub sku: String,
    pub name: String,
    pub spec: String,
    pub unit: String,
    pub reserved_qty: i64,
}

/// The lines of these orders (those in `scope`), by warehouse, SKU and order.
pub async fn picking_rows(
    tx: &mut Tx,
    tenant_id: i64,
    scope: &Scope,
    ids: &[i64],
) -> Result<Vec<PickRow>, sqlx::Error> {
    let mut qb = QueryBuilder::new(
        "SELECT o.id AS order_id, o.order_no, o.status,
                coalesce((SELECT string_agg(h.kind, ',' ORDER BY h.kind) FROM order_holds h
                          WHERE h.tenant_id = o.tenant_id AND h.order_id = o.id AND h.released_at IS NULL), '') AS holds,
                w.code AS warehouse_code, w.name AS warehouse_name, p.sku, p.name, p.spec, p.unit, l.reserved_qty
         FROM orders o
         JOIN order_lines l ON l.tenant_id = o.tenant_id AND l.order_id = o.id
         JOIN products p ON p.tenant_id = l.tenant_id AND p.id = l.product_id
         LEFT JOIN warehouses w ON w.tenant_id = o.tenant_id AND w.id = o.warehouse_id
         WHERE o.tenant_id = ",
    );
    qb.push_bind(tenant_id).push(" AND o.id = ANY(").push_bind(ids.to_vec()).push(")");
    scope.push_filter(&mut qb, "o.rep_id", "o.rep_department");
    qb.push(" ORDER BY w.code NULLS LAST, p.sku, o.id");
    qb.build_query_as().fetch_all(&mut **tx).await
}
