//! The low-stock page: items whose available quantity (on hand − reserved) is at
//! or below their reorder point, with the suggested replenishment.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use serde::Deserialize;
use sqlx::{Postgres, QueryBuilder};

use super::views::WarehouseChoice;
use crate::error::AppResult;
use crate::people::Action;
use crate::web::forms::non_empty;
use crate::web::pagination::query_string;
use crate::web::{Chrome, Ctx, Pager};

#[derive(Clone, Debug, Default, Deserialize)]
pub struct LowQuery {
    #[serde(default)]
    pub warehouse: String,
    #[serde(default)]
    pub q: String,
    pub page: Option<i64>,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct LowRow {
    pub product_id: i64,
    pub warehouse_id: i64,
    pub sku: String,
    pub name: String,
    pub unit: String,
    pub warehouse_code: String,
    pub warehouse_name: String,
    pub on_hand: i64,
    pub reserved: i64,
    pub safety_stock: i64,
    pub reorder_point: i64,
    pub max_level: i64,
    pub on_order: i64,
    pub open_request: Option<i64>,
    /// The open request is within the viewer's scope (its page opens for them).
    pub open_request_visible: bool,
}

impl LowRow {
    pub fn available(&self) -> i64 {
        self.on_hand - self.reserved
    }

    /// max level − (on hand − reserved + on order), never below zero.
    pub fn suggested(&self) -> i64 {
        (self.max_level - (self.available() + self.on_order)).max(0)
    }

    pub fn below_safety(&self) -> bool {
        self.available() < self.safety_stock
    }

    pub fn raise_href(&self) -> String {
        format!(
            "/inventory/replenishments/new?{}",
            query_string(&[("sku", &self.sku), ("warehouse", &self.warehouse_code)])
        )
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "purchasing/low_stock.html")]
pub struct LowStockPage {
    pub chrome: Chrome,
    pub q: LowQuery,
    pub rows: Vec<LowRow>,
    pub pager: Pager,
    pub warehouses: Vec<WarehouseChoice>,
    pub can_raise: bool,
}

/// The filter of the low-stock rows: exactly the predicate of the partial index
/// `stock_levels_low_idx`, so that index serves the page in its order.
fn push_filter(qb: &mut QueryBuilder<'_, Postgres>, tenant_id: i64, q: &LowQuery) {
    qb.push(" FROM stock_levels s");
    let search = non_empty(&q.q);
    if search.is_some() {
        qb.push(" JOIN products p ON p.tenant_id = s.tenant_id AND p.id = s.product_id");
    }
    qb.push(" WHERE s.tenant_id = ")
        .push_bind(tenant_id)
        .push(" AND s.reorder_point > 0 AND s.on_hand - s.reserved <= s.reorder_point");
    if let Some(w) = non_empty(&q.warehouse) {
        qb.push(" AND s.warehouse_id = (SELECT id FROM warehouses WHERE tenant_id = ")
            .push_bind(tenant_id)
            .push(" AND code = ")
            .push_bind(w.to_owned())
            .push(")");
    }
    if let Some(text) = search {
        crate::catalog::repo::push_search(qb, tenant_id, text);
    }
}

pub async fn page(mut ctx: Ctx, Query(q): Query<LowQuery>) -> AppResult<LowStockPage> {
    let flash = ctx.take_flash();
    let user = &ctx.user;
    user.require(Action::InventoryView)?;
    let pager = Pager::new("/inventory/low-stock", q.page, query_string(&[("warehouse", &q.warehouse), ("q", &q.q)]));
    // Page through the keys alone (an index-only scan of the partial index), then
    // fetch the page's levels: a deep page reads nothing of the rows it skips.
    let mut qb = QueryBuilder::<Postgres>::new("WITH k AS (SELECT s.product_id, s.warehouse_id");
    push_filter(&mut qb, user.tenant_id, &q);
    qb.push(" ORDER BY s.warehouse_id, s.product_id LIMIT ")
        .push_bind(pager.per_page)
        .push(" OFFSET ")
        .push_bind(pager.offset())
        .push(
            "),
        pg AS (SELECT s.product_id, s.warehouse_id, s.on_hand, s.reserved, s.safety_stock, s.reorder_point, s.max_level
               FROM k JOIN stock_levels s ON s.tenant_id = ",
        )
        .push_bind(user.tenant_id)
        .push(
            " AND s.product_id = k.product_id AND s.warehouse_id = k.warehouse_id)
        SELECT pg.product_id, pg.warehouse_id, p.sku, p.name, p.unit, w.code AS warehouse_code, w.name AS warehouse_name,
               pg.on_hand, pg.reserved, pg.safety_stock, pg.reorder_point, pg.max_level,
               (SELECT coalesce(sum(l.quantity - l.received_quantity), 0)::bigint
                FROM purchase_order_lines l
                JOIN purchase_orders o ON o.tenant_id = l.tenant_id AND o.id = l.purchase_order_id
                WHERE l.tenant_id = p.tenant_id AND l.product_id = pg.product_id AND l.warehouse_id = pg.warehouse_id
                  AND l.received_quantity < l.quantity AND o.status IN ('open', 'partial')) AS on_order,
               (SELECT r.id FROM replenishment_requests r
                WHERE r.tenant_id = p.tenant_id AND r.product_id = pg.product_id AND r.warehouse_id = pg.warehouse_id
                  AND r.status IN ('pending', 'director_pending', 'approved')) AS open_request,
               EXISTS (SELECT 1 FROM replenishment_requests r
                WHERE r.tenant_id = p.tenant_id AND r.product_id = pg.product_id AND r.warehouse_id = pg.warehouse_id
                  AND r.status IN ('pending', 'director_pending', 'approved')",
        );
    // The open request's link is shown only to those who may open it.
    super::request_scope(user).push_filter(&mut qb, "r.requested_by", "r.department");
    qb.push(
        ") AS open_request_visible
        FROM pg
        JOIN products p ON p.tenant_id = ",
    )
    .push_bind(user.tenant_id)
    .push(
        " AND p.id = pg.product_id
        JOIN warehouses w ON w.tenant_id = p.tenant_id AND w.id = pg.warehouse_id
        ORDER BY pg.warehouse_id, pg.product_id",
    );
    let mut count = crate::db::capped_count(pager.count_limit(), |qb| {
        push_filter(qb, user.tenant_id, &q);
    });
    let mut tx = ctx.begin().await?;
    let rows: Vec<LowRow> = qb.build_query_as().fetch_all(&mut *tx).await?;
    let total: i64 = count.build_query_scalar().fetch_one(&mut *tx).await?;
    let warehouses: Vec<(String, String)> =
        sqlx::query_as("SELECT code, name FROM warehouses WHERE tenant_id = $1 ORDER BY code LIMIT 500")
            .bind(user.tenant_id)
            .fetch_all(&mut *tx)
            .await?;
    tx.commit().await?;
    Ok(LowStockPage {
        chrome: Chrome::new(user, flash, "低库存", "/inventory/low-stock"),
        q,
        rows,
        pager: pager.with_total(total),
        warehouses: warehouses.into_iter().map(|(code, name)| WarehouseChoice { code, name }).collect(),
        can_raise: user.can(Action::InventoryOperate),
    })
}
