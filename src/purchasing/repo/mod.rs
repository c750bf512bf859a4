//! The replenishment requests' SQL: an item's levels, one request (scoped or for
//! purchasing), the form's lookups, raising one, the list, the decision's write
//! and the home page's counts; the low-stock page's in `low_stock`.

mod low_stock;

use chrono::{DateTime, Utc};
use sqlx::{Postgres, QueryBuilder};

use super::flow::RequestStatus;
use super::request_scope;
use super::views::{ListRow, WarehouseChoice};
use super::yuan;
use crate::db::Tx;
use crate::people::Dept;
use crate::web::CurrentUser;
pub use low_stock::{all_warehouses, low_stock, LowFilter};

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

/// The product `sku`, for a request's form.
pub(super) async fn product_by_sku(tx: &mut Tx, tenant_id: i64, sku: &str) -> Result<Option<ProductHit>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, sku, name, unit, price_fen, last_cost_fen, status FROM products WHERE tenant_id = $1 AND sku = $2",
    )
    .bind(tenant_id)
    .bind(sku)
    .fetch_optional(&mut **tx)
    .await
}

/// The warehouse `code`, for a request's form.
pub(super) async fn warehouse_by_code(
    tx: &mut Tx,
    tenant_id: i64,
    code: &str,
) -> Result<Option<WarehouseHit>, sqlx::Error> {
    sqlx::query_as("SELECT id, code, name, is_active FROM warehouses WHERE tenant_id = $1 AND code = $2")
        .bind(tenant_id)
        .bind(code)
        .fetch_optional(&mut **tx)
        .await
}

/// A request as raised, with the item's levels at that moment.
pub(super) struct NewRequest<'a> {
    pub product_id: i64,
    pub warehouse_id: i64,
    pub quantity: i64,
    pub reason: &'a str,
    pub unit_cost_fen: i64,
    pub value_fen: i64,
    pub needs_director: bool,
    pub levels: &'a Levels,
}

/// Raise a request by `by` of `dept`; its id (a second open request of the item
/// is a unique violation of `replenishment_requests_open_uq`).
pub(super) async fn insert(
    tx: &mut Tx,
    tenant_id: i64,
    r: &NewRequest<'_>,
    by: i64,
    dept: Dept,
) -> Result<i64, sqlx::Error> {
    let lv = r.levels;
    sqlx::query_scalar(
        "INSERT INTO replenishment_requests (tenant_id, product_id, warehouse_id, quantity, reason, unit_cost_fen,
             value_fen, needs_director, snap_on_hand, snap_reserved, snap_on_order, snap_safety_stock,
             snap_reorder_point, snap_max_level, snap_suggested, requested_by, department)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id",
    )
    .bind(tenant_id)
    .bind(r.product_id)
    .bind(r.warehouse_id)
    .bind(r.quantity)
    .bind(r.reason)
    .bind(r.unit_cost_fen)
    .bind(r.value_fen)
    .bind(r.needs_director)
    .bind(lv.on_hand)
    .bind(lv.reserved)
    .bind(lv.on_order)
    .bind(lv.safety_stock)
    .bind(lv.reorder_point)
    .bind(lv.max_level)
    .bind(lv.suggested())
    .bind(by)
    .bind(dept.code())
    .fetch_one(&mut **tx)
    .await
}

/// Filters of the request list.
pub(super) struct ListFilter<'a> {
    pub status: Option<RequestStatus>,
    /// A warehouse code.
    pub warehouse: Option<&'a str>,
    /// SKU or product name contains.
    pub q: Option<&'a str>,
    /// Only the viewer's own requests.
    pub mine: bool,
}

/// A page of the requests `user` may see, newest first, and their count up to
/// `count_limit`.
pub(super) async fn list(
    tx: &mut Tx,
    user: &CurrentUser,
    f: &ListFilter<'_>,
    per_page: i64,
    offset: i64,
    count_limit: i64,
) -> Result<(Vec<ListRow>, i64), sqlx::Error> {
    let push_where = |qb: &mut QueryBuilder<'_, Postgres>| {
        qb.push(" WHERE r.tenant_id = ").push_bind(user.tenant_id);
        if let Some(s) = f.status {
            qb.push(" AND r.status = ").push_bind(s);
        }
        if let Some(w) = f.warehouse {
            qb.push(" AND w.code = ").push_bind(w.to_owned());
        }
        if let Some(text) = f.q {
            let pattern = crate::db::like::contains(text);
            qb.push(" AND (p.sku ILIKE ")
                .push_bind(pattern.clone())
                .push(" OR p.name ILIKE ")
                .push_bind(pattern)
                .push(")");
        }
        if f.mine {
            qb.push(" AND r.requested_by = ").push_bind(user.user_id);
        }
        request_scope(user).push_filter(qb, "r.requested_by", "r.department");
    };
    const FROM: &str = " FROM replenishment_requests r
        JOIN products p ON p.tenant_id = r.tenant_id AND p.id = r.product_id
        JOIN warehouses w ON w.tenant_id = r.tenant_id AND w.id = r.warehouse_id
        JOIN users u ON u.tenant_id = r.tenant_id AND u.id = r.requested_by";
    let mut qb = QueryBuilder::<Postgres>::new(
        "SELECT r.id, p.sku, p.name AS product_name, w.code AS warehouse_code, r.quantity, r.value_fen, r.status,
                u.display_name AS requester_name, r.created_at",
    );
    qb.push(FROM);
    push_where(&mut qb);
    qb.push(" ORDER BY r.id DESC LIMIT ").push_bind(per_page).push(" OFFSET ").push_bind(offset);
    let mut count = crate::db::capped_count(count_limit, |qb| {
        qb.push(FROM);
        push_where(qb);
    });
    let rows: Vec<ListRow> = qb.build_query_as().fetch_all(&mut **tx).await?;
    let total: i64 = count.build_query_scalar().fetch_one(&mut **tx).await?;
    Ok((rows, total))
}

/// The home page's counts (and the oldest of each).
#[derive(sqlx::FromRow)]
pub struct HomeCounts {
    /// Requests of others waiting for a manager…
    pub pending: i64,
    pub pending_oldest: Option<DateTime<Utc>>,
    /// …and for a director.
    pub dpending: i64,
    pub dpending_oldest: Option<DateTime<Utc>>,
    /// The viewer's own open requests.
    pub mine: i64,
    pub mine_oldest: Option<DateTime<Utc>>,
    /// Stock levels at or below their reorder point, counted up to the cap.
    pub low: i64,
    /// Purchase orders waiting for (the rest of) their goods.
    pub open_po: i64,
    pub open_po_oldest: Option<DateTime<Utc>>,
}

/// The home page's counts for `user_id`, low stock counted up to `cap`. One query.
pub async fn home_counts(tx: &mut Tx, tenant_id: i64, user_id: i64, cap: i64) -> Result<HomeCounts, sqlx::Error> {
    sqlx::query_as(
        "SELECT r.pending, r.pending_oldest, r.dpending, r.dpending_oldest, r.mine, r.mine_oldest,
                (SELECT count(*) FROM (SELECT 1 FROM stock_levels s WHERE s.tenant_id = $1
                     AND s.reorder_point > 0 AND s.on_hand - s.reserved <= s.reorder_point LIMIT $3) x) AS low,
                o.n AS open_po, o.oldest AS open_po_oldest
         FROM (SELECT count(*) FILTER (WHERE status = 'pending' AND requested_by <> $2) AS pending,
                      min(created_at) FILTER (WHERE status = 'pending' AND requested_by <> $2) AS pending_oldest,
                      count(*) FILTER (WHERE status = 'director_pending' AND requested_by <> $2) AS dpending,
                      min(created_at) FILTER (WHERE status = 'director_pending' AND requested_by <> $2) AS dpending_oldest,
                      count(*) FILTER (WHERE requested_by = $2) AS mine,
                      min(created_at) FILTER (WHERE requested_by = $2) AS mine_oldest
               FROM replenishment_requests
               WHERE tenant_id = $1 AND status IN ('pending', 'director_pending', 'approved')) r,
              (SELECT count(*) AS n, min(created_at) AS oldest FROM purchase_orders
               WHERE tenant_id = $1 AND status IN ('open', 'partial')) o",
    )
    .bind(tenant_id)
    .bind(user_id)
    .bind(cap)
    .fetch_one(&mut **tx)
    .await
}
