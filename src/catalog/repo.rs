//! Products and elimination proposals: SQL functions taking a tenant transaction.

use chrono::{DateTime, Utc};
use sqlx::{Postgres, QueryBuilder};

use super::Status;
use crate::db::search::{Counted, Kind, Search};
use crate::db::Tx;
use crate::rules::Fen;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ProductRow {
    pub id: i64,
    pub sku: String,
    pub name: String,
    pub spec: String,
    pub unit: String,
    pub price_fen: i64,
    pub last_cost_fen: Option<i64>,
    pub description: String,
    pub status: Status,
    pub default_supplier_id: Option<i64>,
    pub supplier_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl ProductRow {
    pub fn status(&self) -> Status {
        self.status
    }
    pub fn is_eliminated(&self) -> bool {
        self.status == Status::Eliminated
    }
    pub fn price(&self) -> String {
        Fen(self.price_fen).to_string()
    }
    pub fn last_cost(&self) -> String {
        self.last_cost_fen.map(|f| Fen(f).to_string()).unwrap_or_else(|| "—".into())
    }
}

const PRODUCT_COLUMNS: &str =
    "p.id, p.sku, p.name, p.spec, p.unit, p.price_fen, p.last_cost_fen, p.description, p.status,
     p.default_supplier_id, s.name AS supplier_name, p.created_at";
const PRODUCT_FROM: &str =
    " FROM products p LEFT JOIN partners s ON s.tenant_id = p.tenant_id AND s.id = p.default_supplier_id";

/// Filters of the product list.
#[derive(Clone, Debug, Default)]
pub struct ProductFilter {
    pub status: Option<Status>,
    /// SKU prefix or name substring.
    pub q: Option<String>,
}

/// The operator of a name search: ILIKE when the query has Latin letters, else LIKE
/// (Chinese has no case, and ILIKE lowercases every multibyte name it looks at:
/// twice the cost of a scan).
pub fn name_match(q: &str) -> &'static str {
    if q.chars().any(|c| c.is_ascii_alphabetic()) {
        " ILIKE "
    } else {
        " LIKE "
    }
}

fn push_product_filter(qb: &mut QueryBuilder<'_, Postgres>, tenant_id: i64, f: &ProductFilter) {
    qb.push(" WHERE p.tenant_id = ").push_bind(tenant_id);
    if let Some(s) = f.status {
        qb.push(" AND p.status = ").push_bind(s.code());
    }
    if let Some(q) = &f.q {
        push_search(qb, tenant_id, q);
    }
}

/// ` AND` "the SKU starts with `q` (in any case) or the name contains it" on
/// products `p`: the search index (`db::search`) finds the matches, and a query too
/// long for the index to answer exactly is rechecked with LIKE / ILIKE.
pub fn push_search(qb: &mut QueryBuilder<'_, Postgres>, tenant_id: i64, q: &str) {
    let search = Search::new(Kind::Product, q);
    if !search.exact() {
        let e = crate::db::like::escape(q);
        qb.push(" AND (p.sku ILIKE ")
            .push_bind(format!("{e}%"))
            .push(" OR p.name")
            .push(name_match(q))
            .push_bind(format!("%{e}%"))
            .push(")");
    }
    search.push_id_filter(qb, tenant_id, "p.id");
}

/// One page of products by SKU, plus the total count capped at `cap`.
pub async fn list(
    tx: &mut Tx,
    tenant_id: i64,
    f: &ProductFilter,
    limit: i64,
    offset: i64,
    cap: i64,
) -> Result<(Vec<ProductRow>, i64), sqlx::Error> {
    if let (None, Some(q)) = (f.status, f.q.as_deref()) {
        let search = Search::new(Kind::Product, q);
        if search.exact() {
            return list_matches(tx, tenant_id, search, limit, offset, cap).await;
        }
    }
    // Page through the SKUs alone (an index-only scan of the SKU or status index),
    // then fetch and join the page's rows: a deep page costs no supplier lookups
    // for the rows it skips.
    let mut qb = QueryBuilder::new(format!("SELECT {PRODUCT_COLUMNS} FROM (SELECT p.sku FROM products p"));
    push_product_filter(&mut qb, tenant_id, f);
    qb.push(" ORDER BY p.sku LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
    qb.push(") k JOIN products p ON p.tenant_id = ").push_bind(tenant_id).push(" AND p.sku = k.sku");
    qb.push(" LEFT JOIN partners s ON s.tenant_id = p.tenant_id AND s.id = p.default_supplier_id ORDER BY p.sku");
    let rows = qb.build_query_as().fetch_all(&mut **tx).await?;
    let mut qb = crate::db::capped_count(cap, |qb| {
        qb.push(" FROM products p");
        push_product_filter(qb, tenant_id, f);
    });
    let total: i64 = qb.build_query_scalar().fetch_one(&mut **tx).await?;
    Ok((rows, total))
}

/// [`list`] for a search alone that the index answers exactly: the matches and
/// their SKUs (the index's sort key) come from the index, the page and the capped
/// count share that one pass, and only the page's rows are read from products.
async fn list_matches(
    tx: &mut Tx,
    tenant_id: i64,
    search: Search<'_>,
    limit: i64,
    offset: i64,
    cap: i64,
) -> Result<(Vec<ProductRow>, i64), sqlx::Error> {
    // One pass: the matches made distinct by a sort on (SKU, id), which is also the
    // page's order, so the capped count (a window over them) and the page come off
    // that sort with no second one (bench/RESULTS.md: 1.8 → 1.5 ms for 1,837 terms).
    let mut qb = QueryBuilder::new(format!(
        "SELECT {PRODUCT_COLUMNS}, k.total FROM (SELECT d.sort_key, d.id, least(count(*) OVER (), "
    ));
    qb.push_bind(cap).push(") AS total FROM (SELECT DISTINCT t.sort_key, t.id");
    search.push_from(&mut qb, tenant_id);
    qb.push(") d ORDER BY d.sort_key LIMIT ")
        .push_bind(limit)
        .push(" OFFSET ")
        .push_bind(offset)
        .push(") k JOIN products p ON p.tenant_id = ")
        .push_bind(tenant_id)
        .push(" AND p.id = k.id")
        .push(
            " LEFT JOIN partners s ON s.tenant_id = p.tenant_id AND s.id = p.default_supplier_id ORDER BY k.sort_key",
        );
    let found: Vec<Counted<ProductRow>> = qb.build_query_as().fetch_all(&mut **tx).await?;
    if let Some(page) = Counted::page(found, offset) {
        return Ok(page);
    }
    // Paged past the end: count the matches alone.
    let mut qb = QueryBuilder::new("SELECT count(*) FROM (SELECT DISTINCT t.sort_key, t.id");
    search.push_from(&mut qb, tenant_id);
    qb.push(" LIMIT ").push_bind(cap).push(") c");
    Ok((Vec::new(), qb.build_query_scalar().fetch_one(&mut **tx).await?))
}

pub async fn find(tx: &mut Tx, tenant_id: i64, id: i64) -> Result<Option<ProductRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {PRODUCT_COLUMNS}{PRODUCT_FROM} WHERE p.tenant_id = $1 AND p.id = $2"))
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
}

/// The product, its row locked for a state change.
pub async fn lock(tx: &mut Tx, tenant_id: i64, id: i64) -> Result<Option<ProductRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {PRODUCT_COLUMNS}{PRODUCT_FROM} WHERE p.tenant_id = $1 AND p.id = $2 FOR UPDATE OF p"
    ))
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(&mut **tx)
    .await
}

/// The editable fields of a product (validated by the caller).
pub struct ProductFields<'a> {
    pub name: &'a str,
    pub spec: &'a str,
    pub unit: &'a str,
    pub price: Fen,
    pub description: &'a str,
    pub default_supplier_id: Option<i64>,
}

pub async fn insert(
    tx: &mut Tx,
    tenant_id: i64,
    sku: &str,
    f: &ProductFields<'_>,
    created_by: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO products (tenant_id, sku, name, spec, unit, price_fen, description, status, default_supplier_id, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'draft', $8, $9) RETURNING id",
    )
    .bind(tenant_id)
    .bind(sku)
    .bind(f.name)
    .bind(f.spec)
    .bind(f.unit)
    .bind(f.price.fen())
    .bind(f.description)
    .bind(f.default_supplier_id)
    .bind(created_by)
    .fetch_one(&mut **tx)
    .await
}

pub async fn update(tx: &mut Tx, tenant_id: i64, id: i64, f: &ProductFields<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE products SET name = $3, spec = $4, unit = $5, price_fen = $6, description = $7, default_supplier_id = $8,
                updated_at = now()
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(f.name)
    .bind(f.spec)
    .bind(f.unit)
    .bind(f.price.fen())
    .bind(f.description)
    .bind(f.default_supplier_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn set_status(tx: &mut Tx, tenant_id: i64, id: i64, status: Status) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE products SET status = $3, updated_at = now() WHERE tenant_id = $1 AND id = $2")
        .bind(tenant_id)
        .bind(id)
        .bind(status.code())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Active suppliers, for the usual-supplier select: (id, code, name).
pub async fn suppliers(tx: &mut Tx, tenant_id: i64) -> Result<Vec<(i64, String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, code, name FROM partners WHERE tenant_id = $1 AND kind = 'supplier' AND is_active ORDER BY code LIMIT 1000",
    )
    .bind(tenant_id)
    .fetch_all(&mut **tx)
    .await
}

/// Whether `id` is a supplier of the tenant.
pub async fn is_supplier(tx: &mut Tx, tenant_id: i64, id: i64) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM partners WHERE tenant_id = $1 AND id = $2 AND kind = 'supplier')")
        .bind(tenant_id)
        .bind(id)
        .fetch_one(&mut **tx)
        .await
}

/// Stock of one product in each warehouse.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StockLine {
    pub warehouse_id: i64,
    pub warehouse_code: String,
    pub warehouse_name: String,
    pub on_hand: i64,
    pub reserved: i64,
    pub safety_stock: i64,
    pub reorder_point: i64,
    pub max_level: i64,
}

impl StockLine {
    pub fn available(&self) -> i64 {
        self.on_hand - self.reserved
    }
    pub fn low(&self) -> bool {
        self.reorder_point > 0 && self.available() <= self.reorder_point
    }
}

pub async fn stock_of(tx: &mut Tx, tenant_id: i64, product_id: i64) -> Result<Vec<StockLine>, sqlx::Error> {
    sqlx::query_as(
        "SELECT s.warehouse_id, w.code AS warehouse_code, w.name AS warehouse_name, s.on_hand, s.reserved,
                s.safety_stock, s.reorder_point, s.max_level
         FROM stock_levels s JOIN warehouses w ON w.tenant_id = s.tenant_id AND w.id = s.warehouse_id
         WHERE s.tenant_id = $1 AND s.product_id = $2 ORDER BY w.code",
    )
    .bind(tenant_id)
    .bind(product_id)
    .fetch_all(&mut **tx)
    .await
}

// ---------- eliminations ----------

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct EliminationRow {
    pub id: i64,
    pub product_id: i64,
    pub sku: String,
    pub product_name: String,
    pub reason: String,
    pub status: super::flow::EliminationStatus,
    pub proposed_by: i64,
    pub proposer: String,
    pub proposed_at: DateTime<Utc>,
    pub decided_by: Option<i64>,
    pub decider: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub comment: String,
}

impl EliminationRow {
    pub fn status_label(&self) -> &'static str {
        self.status.label()
    }
    pub fn status_tag(&self) -> &'static str {
        self.status.tag()
    }
    pub fn is_pending(&self) -> bool {
        self.status == super::flow::EliminationStatus::Pending
    }
}

const ELIM_SELECT: &str = "SELECT e.id, e.product_id, p.sku, p.name AS product_name, e.reason, e.status, e.proposed_by,
        u.display_name AS proposer, e.proposed_at, e.decided_by, d.display_name AS decider, e.decided_at, e.comment
     FROM product_eliminations e
     JOIN products p ON p.tenant_id = e.tenant_id AND p.id = e.product_id
     JOIN users u ON u.tenant_id = e.tenant_id AND u.id = e.proposed_by
     LEFT JOIN users d ON d.tenant_id = e.tenant_id AND d.id = e.decided_by";

/// Every proposal of a product, newest first.
pub async fn eliminations_of(tx: &mut Tx, tenant_id: i64, product_id: i64) -> Result<Vec<EliminationRow>, sqlx::Error> {
    sqlx::query_as(&format!("{ELIM_SELECT} WHERE e.tenant_id = $1 AND e.product_id = $2 ORDER BY e.id DESC LIMIT 50"))
        .bind(tenant_id)
        .bind(product_id)
        .fetch_all(&mut **tx)
        .await
}

/// A proposal, locked for a decision.
pub async fn lock_elimination(tx: &mut Tx, tenant_id: i64, id: i64) -> Result<Option<EliminationRow>, sqlx::Error> {
    sqlx::query_as(&format!("{ELIM_SELECT} WHERE e.tenant_id = $1 AND e.id = $2 FOR UPDATE OF e"))
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
}

/// Filters of the proposals list.
#[derive(Clone, Debug, Default)]
pub struct EliminationFilter {
    pub status: Option<super::flow::EliminationStatus>,
    pub proposed_by: Option<i64>,
}

pub async fn eliminations(
    tx: &mut Tx,
    tenant_id: i64,
    f: &EliminationFilter,
    limit: i64,
    offset: i64,
    cap: i64,
) -> Result<(Vec<EliminationRow>, i64), sqlx::Error> {
    let push = |qb: &mut QueryBuilder<'_, Postgres>| {
        qb.push(" WHERE e.tenant_id = ").push_bind(tenant_id);
        if let Some(s) = f.status {
            qb.push(" AND e.status = ").push_bind(s);
        }
        if let Some(u) = f.proposed_by {
            qb.push(" AND e.proposed_by = ").push_bind(u);
        }
    };
    let mut qb = QueryBuilder::new(ELIM_SELECT);
    push(&mut qb);
    qb.push(" ORDER BY e.proposed_at DESC, e.id DESC LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
    let rows = qb.build_query_as().fetch_all(&mut **tx).await?;
    let mut qb = crate::db::capped_count(cap, |qb| {
        qb.push(" FROM product_eliminations e");
        push(qb);
    });
    let total = qb.build_query_scalar().fetch_one(&mut **tx).await?;
    Ok((rows, total))
}

pub async fn insert_elimination(
    tx: &mut Tx,
    tenant_id: i64,
    product_id: i64,
    reason: &str,
    proposed_by: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO product_eliminations (tenant_id, product_id, reason, proposed_by) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(tenant_id)
    .bind(product_id)
    .bind(reason)
    .bind(proposed_by)
    .fetch_one(&mut **tx)
    .await
}

pub async fn decide_elimination(
    tx: &mut Tx,
    tenant_id: i64,
    id: i64,
    status: super::flow::EliminationStatus,
    decided_by: i64,
    comment: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE product_eliminations SET status = $3, decided_by = $4, decided_at = now(), comment = $5
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(status)
    .bind(decided_by)
    .bind(comment)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// An eliminated product with stock left, for clearance.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ClearanceRow {
    pub id: i64,
    pub sku: String,
    pub name: String,
    pub spec: String,
    pub unit: String,
    pub on_hand: i64,
    pub reserved: i64,
    pub warehouses: i64,
}

pub async fn clearance(
    tx: &mut Tx,
    tenant_id: i64,
    limit: i64,
    offset: i64,
    cap: i64,
) -> Result<(Vec<ClearanceRow>, i64), sqlx::Error> {
    let push_from = |qb: &mut QueryBuilder<'_, Postgres>| {
        qb.push(
            " FROM products p
         JOIN LATERAL (SELECT sum(on_hand)::bigint AS on_hand, sum(reserved)::bigint AS reserved,
                              count(*) FILTER (WHERE on_hand > 0) AS warehouses
                       FROM stock_levels s WHERE s.tenant_id = p.tenant_id AND s.product_id = p.id) st ON true
         WHERE p.tenant_id = ",
        )
        .push_bind(tenant_id)
        .push(" AND p.status = 'eliminated' AND st.on_hand > 0");
    };
    let mut qb =
        QueryBuilder::new("SELECT p.id, p.sku, p.name, p.spec, p.unit, st.on_hand, st.reserved, st.warehouses");
    push_from(&mut qb);
    qb.push(" ORDER BY p.sku LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
    let rows: Vec<ClearanceRow> = qb.build_query_as().fetch_all(&mut **tx).await?;
    let mut count = crate::db::capped_count(cap, push_from);
    let total: i64 = count.build_query_scalar().fetch_one(&mut **tx).await?;
    Ok((rows, total))
}

/// A movement as the product and stock pages show it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MovementRow {
    pub id: i64,
    pub warehouse_code: String,
    pub warehouse_name: String,
    pub kind: String,
    pub quantity: i64,
    pub balance_after: i64,
    pub reason: String,
    pub doc_type: String,
    pub doc_id: Option<i64>,
    pub created_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl MovementRow {
    pub fn kind_label(&self) -> &'static str {
        crate::inventory::ledger::MovementKind::parse(&self.kind).map_or("?", |k| k.label())
    }
    pub fn doc_label(&self) -> String {
        let label = crate::inventory::ledger::DocType::parse(&self.doc_type).map_or("?", |d| d.label());
        match self.doc_id {
            Some(id) => format!("{label} #{id}"),
            None => label.to_owned(),
        }
    }
    pub fn who(&self) -> &str {
        self.created_by_name.as_deref().unwrap_or("命令行")
    }
    pub fn signed_quantity(&self) -> String {
        if self.quantity > 0 {
            format!("+{}", self.quantity)
        } else {
            self.quantity.to_string()
        }
    }
}

pub const MOVEMENT_SELECT: &str = "SELECT m.id, w.code AS warehouse_code, w.name AS warehouse_name, m.kind, m.quantity,
        m.balance_after, m.reason, m.doc_type, m.doc_id, u.display_name AS created_by_name, m.created_at
     FROM stock_movements m
     JOIN warehouses w ON w.tenant_id = m.tenant_id AND w.id = m.warehouse_id
     LEFT JOIN users u ON u.tenant_id = m.tenant_id AND u.id = m.created_by";

/// The latest movements of a product in any warehouse.
pub async fn recent_movements(
    tx: &mut Tx,
    tenant_id: i64,
    product_id: i64,
    limit: i64,
) -> Result<Vec<MovementRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{MOVEMENT_SELECT} WHERE m.tenant_id = $1 AND m.product_id = $2 ORDER BY m.id DESC LIMIT $3"
    ))
    .bind(tenant_id)
    .bind(product_id)
    .bind(limit)
    .fetch_all(&mut **tx)
    .await
}

/// The pending elimination proposals (how many, the oldest's time): of others
/// than `user_id` (`others`), else of `user_id`.
pub async fn pending_proposals(
    tx: &mut Tx,
    tenant_id: i64,
    user_id: i64,
    others: bool,
) -> Result<(i64, Option<DateTime<Utc>>), sqlx::Error> {
    let sql = format!(
        "SELECT count(*), min(proposed_at) FROM product_eliminations
         WHERE tenant_id = $1 AND status = 'pending' AND proposed_by {} $2",
        if others { "<>" } else { "=" }
    );
    sqlx::query_as(&sql).bind(tenant_id).bind(user_id).fetch_one(&mut **tx).await
}
