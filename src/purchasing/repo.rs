//! The replenishment requests' SQL: an item's levels, one request (scoped or for
//! purchasing), the form's lookups, and the decision's write.

use chrono::{DateTime, Utc};
use sqlx::{Postgres, QueryBuilder};

use super::flow::RequestStatus;
use super::request_scope;
use super::views::WarehouseChoice;
use super::yuan;
use crate::db::Tx;
use crate::people::Dept;
use crate::web::CurrentUser;

/// Record a decision on request `id`: its new status and who decided at which
/// stage (the director's columns for a director, else the manager's), with the comment.
pub async fn decide(
    tx: &mut Tx,
    tenant_id: i64,
    id: i64,
    director: bool,
    status: RequestStatus,
    by: i64,
    comment: Option<&str>,
) -> Result<(), sqlx::Error> {
    let sql = if director {
        "UPDATE replenishment_requests SET status = $3, director_by = $4, director_at = now(), director_comment = $5,
                updated_at = now() WHERE tenant_id = $1 AND id = $2"
    } else {
        "UPDATE replenishment_requests SET status = $3, manager_by = $4, manager_at = now(), manager_comment = $5,
                updated_at = now() WHERE tenant_id = $1 AND id = $2"
    };
    sqlx::query(sql).bind(tenant_id).bind(id).bind(status).bind(by).bind(comment).execute(&mut **tx).await?;
    Ok(())
}
/// The stock levels of a product in a warehouse, with what is already on order.
#[derive(Clone, Debug, Default, sqlx::FromRow)]
pub struct Levels {
    pub on_hand: i64,
    pub reserved: i64,
    pub safety_stock: i64,
    pub reorder_point: i64,
    pub max_level: i64,
    pub on_order: i64,
}

impl Levels {
    pub fn available(&self) -> i64 {
        self.on_hand - self.reserved
    }

    /// max level − (on hand − reserved + on order), never below zero.
    pub fn suggested(&self) -> i64 {
        (self.max_level - (self.available() + self.on_order)).max(0)
    }

    pub fn is_low(&self) -> bool {
        self.reorder_point > 0 && self.available() <= self.reorder_point
    }
}

pub async fn levels(tx: &mut Tx, tenant_id: i64, product_id: i64, warehouse_id: i64) -> Result<Levels, sqlx::Error> {
    let row: Option<Levels> = sqlx::query_as(
        "SELECT coalesce(s.on_hand, 0) AS on_hand, coalesce(s.reserved, 0) AS reserved,
                coalesce(s.safety_stock, 0) AS safety_stock, coalesce(s.reorder_point, 0) AS reorder_point,
                coalesce(s.max_level, 0) AS max_level,
                (SELECT coalesce(sum(l.quantity - l.received_quantity), 0)::bigint
                 FROM purchase_order_lines l
                 JOIN purchase_orders o ON o.tenant_id = l.tenant_id AND o.id = l.purchase_order_id
                 WHERE l.tenant_id = $1 AND l.product_id = $2 AND l.warehouse_id = $3
                   AND l.received_quantity < l.quantity AND o.status IN ('open', 'partial')) AS on_order
         FROM (SELECT 1) one
         LEFT JOIN stock_levels s ON s.tenant_id = $1 AND s.product_id = $2 AND s.warehouse_id = $3",
    )
    .bind(tenant_id)
    .bind(product_id)
    .bind(warehouse_id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.unwrap_or_default())
}

/// The open request of a product in a warehouse, if any.
pub async fn open_request(
    tx: &mut Tx,
    tenant_id: i64,
    product_id: i64,
    warehouse_id: i64,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM replenishment_requests WHERE tenant_id = $1 AND product_id = $2 AND warehouse_id = $3
           AND status IN ('pending', 'director_pending', 'approved')",
    )
    .bind(tenant_id)
    .bind(product_id)
    .bind(warehouse_id)
    .fetch_optional(&mut **tx)
    .await
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct RequestRow {
    pub id: i64,
    pub product_id: i64,
    pub sku: String,
    pub product_name: String,
    pub unit: String,
    pub default_supplier_id: Option<i64>,
    pub last_cost_fen: Option<i64>,
    pub price_fen: i64,
    pub warehouse_id: i64,
    pub warehouse_code: String,
    pub warehouse_name: String,
    pub quantity: i64,
    pub reason: String,
    pub status: RequestStatus,
    pub unit_cost_fen: i64,
    pub value_fen: i64,
    pub needs_director: bool,
    pub snap_on_hand: i64,
    pub snap_reserved: i64,
    pub snap_on_order: i64,
    pub snap_safety_stock: i64,
    pub snap_reorder_point: i64,
    pub snap_max_level: i64,
    pub snap_suggested: i64,
    pub requested_by: i64,
    pub requester_name: String,
    pub department: String,
    pub manager_name: Option<String>,
    pub manager_at: Option<DateTime<Utc>>,
    pub manager_comment: Option<String>,
    pub director_name: Option<String>,
    pub director_at: Option<DateTime<Utc>>,
    pub director_comment: Option<String>,
    pub purchase_order_id: Option<i64>,
    pub po_no: Option<String>,
    pub orderer_name: Option<String>,
    pub ordered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl RequestRow {
    pub fn status_label(&self) -> &'static str {
        self.status.label()
    }

    pub fn status_class(&self) -> &'static str {
        self.status.tag()
    }

    pub fn dept_label(&self) -> &'static str {
        Dept::parse(&self.department).map_or("", |d| d.label())
    }

    pub fn value(&self) -> String {
        yuan(self.value_fen)
    }

    pub fn unit_cost(&self) -> String {
        yuan(self.unit_cost_fen)
    }

    pub fn snap_available(&self) -> i64 {
        self.snap_on_hand - self.snap_reserved
    }

    pub fn is_open(&self) -> bool {
        self.status.is_open()
    }
}

const SELECT_ONE: &str = "SELECT r.id, r.product_id, p.sku, p.name AS product_name, p.unit, p.default_supplier_id,
        p.last_cost_fen, p.price_fen, r.warehouse_id, w.code AS warehouse_code, w.name AS warehouse_name,
        r.quantity, r.reason, r.status, r.unit_cost_fen, r.value_fen, r.needs_director,
        r.snap_on_hand, r.snap_reserved, r.snap_on_order, r.snap_safety_stock, r.snap_reorder_point,
        r.snap_max_level, r.snap_suggested, r.requested_by, u.display_name AS requester_name, r.department,
        m.display_name AS manager_name, r.manager_at, r.manager_comment,
        d.display_name AS director_name, r.director_at, r.director_comment,
        r.purchase_order_id, po.po_no, o.display_name AS orderer_name, r.ordered_at, r.created_at
     FROM replenishment_requests r
     JOIN products p ON p.tenant_id = r.tenant_id AND p.id = r.product_id
     JOIN warehouses w ON w.tenant_id = r.tenant_id AND w.id = r.warehouse_id
     JOIN users u ON u.tenant_id = r.tenant_id AND u.id = r.requested_by
     LEFT JOIN users m ON m.tenant_id = r.tenant_id AND m.id = r.manager_by
     LEFT JOIN users d ON d.tenant_id = r.tenant_id AND d.id = r.director_by
     LEFT JOIN users o ON o.tenant_id = r.tenant_id AND o.id = r.ordered_by
     LEFT JOIN purchase_orders po ON po.tenant_id = r.tenant_id AND po.id = r.purchase_order_id
     WHERE r.tenant_id = ";

/// One request within `user`'s scope (`lock`: FOR UPDATE of the request row).
pub async fn fetch_scoped(
    tx: &mut Tx,
    user: &CurrentUser,
    id: i64,
    lock: bool,
) -> Result<Option<RequestRow>, sqlx::Error> {
    let mut qb = QueryBuilder::<Postgres>::new(SELECT_ONE);
    qb.push_bind(user.tenant_id).push(" AND r.id = ").push_bind(id);
    request_scope(user).push_filter(&mut qb, "r.requested_by", "r.department");
    if lock {
        qb.push(" FOR UPDATE OF r");
    }
    qb.build_query_as().fetch_optional(&mut **tx).await
}

/// One request of the tenant, whatever the viewer's scope (purchasing works on the
/// tenant's approved queue). `lock`: FOR UPDATE of the request row.
pub async fn fetch_any(tx: &mut Tx, tenant_id: i64, id: i64, lock: bool) -> Result<Option<RequestRow>, sqlx::Error> {
    let mut qb = QueryBuilder::<Postgres>::new(SELECT_ONE);
    qb.push_bind(tenant_id).push(" AND r.id = ").push_bind(id);
    if lock {
        qb.push(" FOR UPDATE OF r");
    }
    qb.build_query_as().fetch_optional(&mut **tx).await
}

#[derive(sqlx::FromRow)]
pub(super) struct ProductHit {
    pub id: i64,
    pub sku: String,
    pub name: String,
    pub unit: String,
    pub price_fen: i64,
    pub last_cost_fen: Option<i64>,
    pub status: crate::catalog::Status,
}

#[derive(sqlx::FromRow)]
pub(super) struct WarehouseHit {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub is_active: bool,
}

pub(super) async fn warehouse_choices(tx: &mut Tx, tenant_id: i64) -> Result<Vec<WarehouseChoice>, sqlx::Error> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT code, name FROM warehouses WHERE tenant_id = $1 AND is_active ORDER BY code LIMIT 500")
            .bind(tenant_id)
            .fetch_all(&mut **tx)
            .await?;
    Ok(rows.into_iter().map(|(code, name)| WarehouseChoice { code, name }).collect())
}
