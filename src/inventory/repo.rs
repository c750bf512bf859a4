//! Warehouses, stock levels and movement history: SQL functions taking a tenant
//! transaction. On hand itself only changes through [`super::ledger`].

use chrono::{DateTime, Utc};
use sqlx::{Postgres, QueryBuilder};

use crate::catalog::repo::{MovementRow, MOVEMENT_SELECT};
use crate::db::search::{Counted, Kind, Search};
use crate::db::Tx;

// ---------- warehouses ----------

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct WarehouseRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub address: String,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
}

const WAREHOUSE_COLUMNS: &str = "id, code, name, address, is_active, created_at";

/// Filters of the warehouse list.
#[derive(Clone, Debug, Default)]
pub struct WarehouseFilter {
    pub active: Option<bool>,
    pub q: Option<String>,
}

pub async fn warehouses(
    tx: &mut Tx,
    tenant_id: i64,
    f: &WarehouseFilter,
    limit: i64,
    offset: i64,
    cap: i64,
) -> Result<(Vec<WarehouseRow>, i64), sqlx::Error> {
    let push = |qb: &mut QueryBuilder<'_, Postgres>| {
        qb.push(" WHERE tenant_id = ").push_bind(tenant_id);
        if let Some(a) = f.active {
            qb.push(" AND is_active = ").push_bind(a);
        }
        if let Some(q) = &f.q {
            let p = crate::db::like::contains(q);
            qb.push(" AND (code ILIKE ").push_bind(p.clone()).push(" OR name ILIKE ").push_bind(p).push(")");
        }
    };
    let mut qb = QueryBuilder::new(format!("SELECT {WAREHOUSE_COLUMNS} FROM warehouses"));
    push(&mut qb);
    qb.push(" ORDER BY code LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
    let rows = qb.build_query_as().fetch_all(&mut **tx).await?;
    let mut qb = crate::db::capped_count(cap, |qb| {
        qb.push(" FROM warehouses");
        push(qb);
    });
    let total = qb.build_query_scalar().fetch_one(&mut **tx).await?;
    Ok((rows, total))
}

/// Every warehouse (for selects), by code.
pub async fn all_warehouses(tx: &mut Tx, tenant_id: i64) -> Result<Vec<WarehouseRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {WAREHOUSE_COLUMNS} FROM warehouses WHERE tenant_id = $1 ORDER BY code LIMIT 500"))
        .bind(tenant_id)
        .fetch_all(&mut **tx)
        .await
}

pub async fn find_warehouse(tx: &mut Tx, tenant_id: i64, id: i64) -> Result<Option<WarehouseRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {WAREHOUSE_COLUMNS} FROM warehouses WHERE tenant_id = $1 AND id = $2"))
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
}

pub async fn lock_warehouse(tx: &mut Tx, tenant_id: i64, id: i64) -> Result<Option<WarehouseRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {WAREHOUSE_COLUMNS} FROM warehouses WHERE tenant_id = $1 AND id = $2 FOR UPDATE"))
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
}

pub async fn insert_warehouse(
    tx: &mut Tx,
    tenant_id: i64,
    code: &str,
    name: &str,
    address: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("INSERT INTO warehouses (tenant_id, code, name, address) VALUES ($1, $2, $3, $4) RETURNING id")
        .bind(tenant_id)
        .bind(code)
        .bind(name)
        .bind(address)
        .fetch_one(&mut **tx)
        .await
}

pub async fn update_warehouse(
    tx: &mut Tx,
    tenant_id: i64,
    id: i64,
    code: &str,
    name: &str,
    address: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE warehouses SET code = $3, name = $4, address = $5, updated_at = now() WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(code)
    .bind(name)
    .bind(address)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn set_warehouse_active(tx: &mut Tx, tenant_id: i64, id: i64, active: bool) -> Result<(), sqlx::Error> {
    crate::db::set_active(tx, "warehouses", tenant_id, id, active).await
}

/// (items with stock, total on hand) of a warehouse.
pub async fn warehouse_stock(tx: &mut Tx, tenant_id: i64, id: i64) -> Result<(i64, i64), sqlx::Error> {
    sqlx::query_as(
        "SELECT count(*) FILTER (WHERE on_hand > 0), coalesce(sum(on_hand), 0)::bigint
         FROM stock_levels WHERE tenant_id = $1 AND warehouse_id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .fetch_one(&mut **tx)
    .await
}

// ---------- stock levels ----------

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StockRow {
    pub product_id: i64,
    pub warehouse_id: i64,
    pub sku: String,
    pub product_name: String,
    pub unit: String,
    pub warehouse_code: String,
    pub warehouse_name: String,
    pub on_hand: i64,
    pub reserved: i64,
    pub safety_stock: i64,
    pub reorder_point: i64,
    pub max_level: i64,
}

impl StockRow {
    pub fn available(&self) -> i64 {
        self.on_hand - self.reserved
    }
    pub fn low(&self) -> bool {
        self.reorder_point > 0 && self.available() <= self.reorder_point
    }
}

/// Filters of the stock list.
#[derive(Clone, Debug, Default)]
pub struct StockFilter {
    pub warehouse_id: Option<i64>,
    /// SKU prefix or name substring.
    pub q: Option<String>,
    /// Only levels at or below their reorder point.
    pub low: bool,
}

/// Stock not shipped for this many days is slow (`slow=1`).
pub const SLOW_DAYS: i64 = 90;

/// `slow`: slow-moving stock only — levels with something on hand and no
/// `shipment` movement of the product from the warehouse at or after this instant
/// (the list passes now − [`SLOW_DAYS`] days).
fn push_stock_filter(
    qb: &mut QueryBuilder<'_, Postgres>,
    tenant_id: i64,
    f: &StockFilter,
    slow: Option<DateTime<Utc>>,
) {
    qb.push(" WHERE s.tenant_id = ").push_bind(tenant_id);
    if let Some(w) = f.warehouse_id {
        qb.push(" AND s.warehouse_id = ").push_bind(w);
    }
    if f.low {
        // The predicate of the partial index stock_levels_low_idx.
        qb.push(" AND s.reorder_point > 0 AND s.on_hand - s.reserved <= s.reorder_point");
    }
    if let Some(since) = slow {
        qb.push(
            " AND s.on_hand > 0 AND NOT EXISTS (SELECT 1 FROM stock_movements sm
               WHERE sm.tenant_id = s.tenant_id AND sm.product_id = s.product_id
                 AND sm.warehouse_id = s.warehouse_id AND sm.kind = 'shipment' AND sm.created_at >= ",
        )
        .push_bind(since)
        .push(")");
    }
}

/// The products a stock search matches: SKU prefix or name substring.
fn push_product_search(qb: &mut QueryBuilder<'_, Postgres>, tenant_id: i64, f: &StockFilter) {
    qb.push(" WHERE p.tenant_id = ").push_bind(tenant_id);
    if let Some(q) = &f.q {
        crate::catalog::repo::push_search(qb, tenant_id, q);
    }
}

const COLUMNS: &str = "SELECT s.product_id, s.warehouse_id, p.sku, p.name AS product_name, p.unit,
                w.code AS warehouse_code, w.name AS warehouse_name, s.on_hand, s.reserved, s.safety_stock,
                s.reorder_point, s.max_level";
const JOINS: &str = " JOIN products p ON p.tenant_id = s.tenant_id AND p.id = s.product_id
         JOIN warehouses w ON w.tenant_id = s.tenant_id AND w.id = s.warehouse_id";

/// One page of stock levels (by warehouse, then product: the order of the warehouse
/// index and of the low-stock partial index) and the count capped at `cap`.
pub async fn stock(
    tx: &mut Tx,
    tenant_id: i64,
    f: &StockFilter,
    limit: i64,
    offset: i64,
    cap: i64,
) -> Result<(Vec<StockRow>, i64), sqlx::Error> {
    stock_filtered(tx, tenant_id, f, None, limit, offset, cap).await
}

/// [`stock`], with `slow`: only slow-moving stock (something on hand, no
/// shipment of the product from the warehouse at or after `slow`).
pub async fn stock_filtered(
    tx: &mut Tx,
    tenant_id: i64,
    f: &StockFilter,
    slow: Option<DateTime<Utc>>,
    limit: i64,
    offset: i64,
    cap: i64,
) -> Result<(Vec<StockRow>, i64), sqlx::Error> {
    if let Some(q) = f.q.as_deref().filter(|q| Search::new(Kind::Product, q).exact()) {
        return stock_by_term(tx, tenant_id, f, slow, q, limit, offset, cap).await;
    }
    let mut qb = if f.q.is_none() {
        // Page through the keys alone (an index scan of the warehouse or low-stock
        // index), then fetch and join the page's rows: a deep page costs no
        // product lookups for the rows it skips.
        let mut qb =
            QueryBuilder::new(format!("{COLUMNS} FROM (SELECT s.warehouse_id, s.product_id FROM stock_levels s"));
        push_stock_filter(&mut qb, tenant_id, f, slow);
        qb.push(" ORDER BY s.warehouse_id, s.product_id LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
        qb.push(") k JOIN stock_levels s ON s.tenant_id = ")
            .push_bind(tenant_id)
            .push(" AND s.warehouse_id = k.warehouse_id AND s.product_id = k.product_id");
        qb.push(format!("{JOINS} ORDER BY k.warehouse_id, k.product_id"));
        qb
    } else {
        // A search: one pass over products finds the matches, their levels come by
        // the primary key, and the page and the capped count share that one pass
        // (a second statement only when the page is empty).
        let mut qb = QueryBuilder::new("WITH p AS MATERIALIZED (SELECT id, tenant_id, sku, name, unit FROM products p");
        push_product_search(&mut qb, tenant_id, f);
        // `m` carries the product's columns: joining `p` again would be planned as a
        // nested loop over two CTEs whose sizes the planner cannot know.
        qb.push(
            "), m AS MATERIALIZED (SELECT s.*, p.sku, p.name AS product_name, p.unit
                FROM p JOIN stock_levels s ON s.tenant_id = p.tenant_id AND s.product_id = p.id",
        );
        push_stock_filter(&mut qb, tenant_id, &StockFilter { q: None, ..f.clone() }, slow);
        qb.push(
            ") SELECT s.product_id, s.warehouse_id, s.sku, s.product_name, s.unit,
                w.code AS warehouse_code, w.name AS warehouse_name, s.on_hand, s.reserved, s.safety_stock,
                s.reorder_point, s.max_level, (SELECT count(*) FROM (SELECT 1 FROM m LIMIT ",
        )
        .push_bind(cap)
        .push(
            ") c) AS total
             FROM m s JOIN warehouses w ON w.tenant_id = s.tenant_id AND w.id = s.warehouse_id
             ORDER BY s.warehouse_id, s.product_id LIMIT ",
        );
        qb.push_bind(limit).push(" OFFSET ").push_bind(offset);
        let found: Vec<Counted<StockRow>> = qb.build_query_as().fetch_all(&mut **tx).await?;
        if let Some(page) = Counted::page(found, offset) {
            return Ok(page);
        }
        // Paged past the end: count the matches alone.
        let mut qb = QueryBuilder::new("WITH p AS MATERIALIZED (SELECT id, tenant_id FROM products p");
        push_product_search(&mut qb, tenant_id, f);
        qb.push(
            ") SELECT count(*) FROM (SELECT 1 FROM p JOIN stock_levels s ON s.tenant_id = p.tenant_id AND s.product_id = p.id",
        );
        push_stock_filter(&mut qb, tenant_id, &StockFilter { q: None, ..f.clone() }, slow);
        qb.push(" LIMIT ").push_bind(cap).push(") t");
        let total = qb.build_query_scalar().fetch_one(&mut **tx).await?;
        return Ok((Vec::new(), total));
    };
    let rows = qb.build_query_as().fetch_all(&mut **tx).await?;
    let mut qb = crate::db::capped_count(cap, |qb| {
        qb.push(" FROM stock_levels s");
        push_stock_filter(qb, tenant_id, f, slow);
    });
    let total = qb.build_query_scalar().fetch_one(&mut **tx).await?;
    Ok((rows, total))
}

/// [`stock`] for a search the index answers exactly ([`Search::exact`]): the
/// matching levels' keys come from the search index alone — the levels' own terms
/// (kind `stock:<warehouse>`, migration 0024), one range in the warehouse or one per
/// warehouse — and only the page's rows are read and joined to their products. The
/// low-stock and slow-stock filters need each level's row, so they take the matching products' terms
/// and their levels by the levels' primary key, as before.
#[allow(clippy::too_many_arguments)]
async fn stock_by_term(
    tx: &mut Tx,
    tenant_id: i64,
    f: &StockFilter,
    slow: Option<DateTime<Utc>>,
    q: &str,
    limit: i64,
    offset: i64,
    cap: i64,
) -> Result<(Vec<StockRow>, i64), sqlx::Error> {
    let levels = StockFilter { q: None, ..f.clone() };
    let push_keys = |qb: &mut QueryBuilder<'_, Postgres>| {
        if f.low || slow.is_some() {
            qb.push("SELECT s.warehouse_id, s.product_id FROM (SELECT DISTINCT t.id");
            Search::new(Kind::Product, q).push_from(qb, tenant_id);
            qb.push(") t JOIN stock_levels s ON s.tenant_id = ").push_bind(tenant_id).push(" AND s.product_id = t.id");
            push_stock_filter(qb, tenant_id, &levels, slow);
        } else {
            qb.push("SELECT DISTINCT t.sort_key::bigint AS warehouse_id, t.id AS product_id");
            Search::new(Kind::Stock(f.warehouse_id), q).push_from(qb, tenant_id);
        }
    };
    let mut qb = QueryBuilder::new("WITH m AS MATERIALIZED (");
    push_keys(&mut qb);
    qb.push(") ");
    qb.push(COLUMNS);
    qb.push(", (SELECT count(*) FROM (SELECT 1 FROM m LIMIT ")
        .push_bind(cap)
        .push(") c) AS total FROM (SELECT warehouse_id, product_id FROM m ORDER BY warehouse_id, product_id LIMIT ")
        .push_bind(limit)
        .push(" OFFSET ")
        .push_bind(offset)
        .push(") k JOIN stock_levels s ON s.tenant_id = ")
        .push_bind(tenant_id)
        .push(" AND s.warehouse_id = k.warehouse_id AND s.product_id = k.product_id");
    qb.push(JOINS).push(" ORDER BY k.warehouse_id, k.product_id");
    let found: Vec<Counted<StockRow>> = qb.build_query_as().fetch_all(&mut **tx).await?;
    if let Some(page) = Counted::page(found, offset) {
        return Ok(page);
    }
    let mut qb = QueryBuilder::new("SELECT count(*) FROM (");
    push_keys(&mut qb);
    qb.push(" LIMIT ").push_bind(cap).push(") c");
    Ok((Vec::new(), qb.build_query_scalar().fetch_one(&mut **tx).await?))
}

/// The levels of one product in one warehouse (None when it has never had any).
#[derive(Clone, Debug, Default, sqlx::FromRow)]
pub struct Level {
    pub on_hand: i64,
    pub reserved: i64,
    pub safety_stock: i64,
    pub reorder_point: i64,
    pub max_level: i64,
}

impl Level {
    pub fn available(&self) -> i64 {
        self.on_hand - self.reserved
    }
    pub fn low(&self) -> bool {
        self.reorder_point > 0 && self.available() <= self.reorder_point
    }
}

pub async fn level(
    tx: &mut Tx,
    tenant_id: i64,
    product_id: i64,
    warehouse_id: i64,
) -> Result<Option<Level>, sqlx::Error> {
    sqlx::query_as(
        "SELECT on_hand, reserved, safety_stock, reorder_point, max_level FROM stock_levels
         WHERE tenant_id = $1 AND product_id = $2 AND warehouse_id = $3",
    )
    .bind(tenant_id)
    .bind(product_id)
    .bind(warehouse_id)
    .fetch_optional(&mut **tx)
    .await
}

/// The level row locked (created at zero first when missing).
pub async fn lock_level(tx: &mut Tx, tenant_id: i64, product_id: i64, warehouse_id: i64) -> Result<Level, sqlx::Error> {
    sqlx::query(
        "INSERT INTO stock_levels (tenant_id, product_id, warehouse_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(tenant_id)
    .bind(product_id)
    .bind(warehouse_id)
    .execute(&mut **tx)
    .await?;
    sqlx::query_as(
        "SELECT on_hand, reserved, safety_stock, reorder_point, max_level FROM stock_levels
         WHERE tenant_id = $1 AND product_id = $2 AND warehouse_id = $3 FOR UPDATE",
    )
    .bind(tenant_id)
    .bind(product_id)
    .bind(warehouse_id)
    .fetch_one(&mut **tx)
    .await
}

pub async fn set_levels(
    tx: &mut Tx,
    tenant_id: i64,
    product_id: i64,
    warehouse_id: i64,
    safety: i64,
    reorder: i64,
    max: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE stock_levels SET safety_stock = $4, reorder_point = $5, max_level = $6, updated_at = now()
         WHERE tenant_id = $1 AND product_id = $2 AND warehouse_id = $3",
    )
    .bind(tenant_id)
    .bind(product_id)
    .bind(warehouse_id)
    .bind(safety)
    .bind(reorder)
    .bind(max)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One page of an item's movements, newest first, and the count capped at `cap`.
pub async fn movements(
    tx: &mut Tx,
    tenant_id: i64,
    product_id: i64,
    warehouse_id: i64,
    limit: i64,
    offset: i64,
    cap: i64,
) -> Result<(Vec<MovementRow>, i64), sqlx::Error> {
    let rows = sqlx::query_as(&format!(
        "{MOVEMENT_SELECT} WHERE m.tenant_id = $1 AND m.product_id = $2 AND m.warehouse_id = $3
         ORDER BY m.id DESC LIMIT $4 OFFSET $5"
    ))
    .bind(tenant_id)
    .bind(product_id)
    .bind(warehouse_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(&mut **tx)
    .await?;
    let mut count = crate::db::capped_count(cap, |qb| {
        qb.push(" FROM stock_movements WHERE tenant_id = ")
            .push_bind(tenant_id)
            .push(" AND product_id = ")
            .push_bind(product_id)
            .push(" AND warehouse_id = ")
            .push_bind(warehouse_id);
    });
    let total: i64 = count.build_query_scalar().fetch_one(&mut **tx).await?;
    Ok((rows, total))
}
