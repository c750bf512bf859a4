//! The low-stock page's SQL.

use sqlx::{Postgres, QueryBuilder};

use crate::db::Tx;
use crate::purchasing::low_stock::LowRow;
use crate::purchasing::request_scope;
use crate::purchasing::views::WarehouseChoice;
use crate::web::CurrentUser;

/// Filters of the low-stock page.
pub struct LowFilter<'a> {
    /// A warehouse code.
    pub warehouse: Option<&'a str>,
    /// The products' SKU or name search.
    pub q: Option<&'a str>,
}

/// The filter of the low-stock rows: exactly the predicate of the partial index
/// `stock_levels_low_idx`, so that index serves the page in its order.
fn push_filter(qb: &mut QueryBuilder<'_, Postgres>, tenant_id: i64, f: &LowFilter<'_>) {
    qb.push(" FROM stock_levels s");
    let search = f.q;
    if search.is_some() {
        qb.push(" JOIN products p ON p.tenant_id = s.tenant_id AND p.id = s.product_id");
    }
    qb.push(" WHERE s.tenant_id = ")
        .push_bind(tenant_id)
        .push(" AND s.reorder_point > 0 AND s.on_hand - s.reserved <= s.reorder_point");
    if let Some(w) = f.warehouse {
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

/// A page of the low-stock rows (by warehouse and product) and their count up to
/// `count_limit`; an open request's link only where `user` may open it.
pub async fn low_stock(
    tx: &mut Tx,
    user: &CurrentUser,
    f: &LowFilter<'_>,
    per_page: i64,
    offset: i64,
    count_limit: i64,
) -> Result<(Vec<LowRow>, i64), sqlx::Error> {
    // Page through the keys alone (an index-only scan of the partial index), then
    // fetch the page's levels: a deep page reads nothing of the rows it skips.
    let mut qb = QueryBuilder::<Postgres>::new("WITH k AS (SELECT s.product_id, s.warehouse_id");
    push_filter(&mut qb, user.tenant_id, f);
    qb.push(" ORDER BY s.warehouse_id, s.product_id LIMIT ")
        .push_bind(per_page)
        .push(" OFFSET ")
        .push_bind(offset)
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
    request_scope(user).push_filter(&mut qb, "r.requested_by", "r.department");
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
    let mut count = crate::db::capped_count(count_limit, |qb| {
        push_filter(qb, user.tenant_id, f);
    });
    let rows: Vec<LowRow> = qb.build_query_as().fetch_all(&mut **tx).await?;
    let total: i64 = count.build_query_scalar().fetch_one(&mut **tx).await?;
    Ok((rows, total))
}

/// Every warehouse of the tenant (active or not), by code, for the filter.
pub async fn all_warehouses(tx: &mut Tx, tenant_id: i64) -> Result<Vec<WarehouseChoice>, sqlx::Error> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT code, name FROM warehouses WHERE tenant_id = $1 ORDER BY code LIMIT 500")
            .bind(tenant_id)
            .fetch_all(&mut **tx)
            .await?;
    Ok(rows.into_iter().map(|(code, name)| WarehouseChoice { code, name }).collect())
}
