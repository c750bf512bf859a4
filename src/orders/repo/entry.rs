//! The SQL of orders entered here: the SO number, what the order form names (a
//! customer, products by SKU or by a search), and the signed contract an order is
//! made from (locked), its lines and the orders already made of them.

use chrono::NaiveDate;
use sqlx::{Postgres, QueryBuilder};

use crate::catalog::Status as ProductStatus;
use crate::contracts::status::ContractStatus;
use crate::db::{numbers, Tx};
use crate::orders::codes::Platform;
use crate::people::Scope;

/// The order form's numbers SO-000001…SO-`last` are taken (the demo's hand-entered
/// orders): the next one is SO-`last + 1`.
pub async fn numbered_up_to(tx: &mut Tx, tenant_id: i64, last: i64) -> Result<(), sqlx::Error> {
    numbers::taken_up_to(tx, tenant_id, "SO", last).await
}

/// The next `SO-000001`… of the tenant, one no order of any platform carries
/// (an imported order may have such a number).
pub async fn next_order_no(tx: &mut Tx, tenant_id: i64) -> Result<String, sqlx::Error> {
    loop {
        let no = numbers::format("SO", numbers::next(tx, tenant_id, "SO").await?);
        let taken: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM orders WHERE tenant_id = $1 AND platform = ANY($2) AND order_no = $3)",
        )
        .bind(tenant_id)
        .bind(Platform::ALL.iter().map(|p| p.code()).collect::<Vec<_>>())
        .bind(&no)
        .fetch_one(&mut **tx)
        .await?;
        if !taken {
            return Ok(no);
        }
    }
}

/// A partner as the order form checks it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PartnerRow {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub is_active: bool,
}

pub async fn partner(tx: &mut Tx, tenant_id: i64, code: &str) -> Result<Option<PartnerRow>, sqlx::Error> {
    sqlx::query_as("SELECT id, kind, name, is_active FROM partners WHERE tenant_id = $1 AND code = $2")
        .bind(tenant_id)
        .bind(code)
        .fetch_optional(&mut **tx)
        .await
}

/// A product a line may name.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ProductHit {
    pub id: i64,
    pub sku: String,
    pub name: String,
    pub spec: String,
    pub price_fen: i64,
    pub status: ProductStatus,
}

const PRODUCT_COLUMNS: &str = "SELECT p.id, p.sku, p.name, p.spec, p.price_fen, p.status FROM products p";

/// The products with exactly these SKUs.
pub async fn products_by_sku(tx: &mut Tx, tenant_id: i64, skus: &[String]) -> Result<Vec<ProductHit>, sqlx::Error> {
    sqlx::query_as(&format!("{PRODUCT_COLUMNS} WHERE p.tenant_id = $1 AND p.sku = ANY($2)"))
        .bind(tenant_id)
        .bind(skus)
        .fetch_all(&mut **tx)
        .await
}

/// Listed products whose SKU starts with `q` or whose name contains it (the
/// products list's search), by SKU, at most `limit`.
pub async fn search_listed(tx: &mut Tx, tenant_id: i64, q: &str, limit: i64) -> Result<Vec<ProductHit>, sqlx::Error> {
    let mut qb = QueryBuilder::<Postgres>::new(PRODUCT_COLUMNS);
    qb.push(" WHERE p.tenant_id = ").push_bind(tenant_id).push(" AND p.status = ").push_bind(ProductStatus::Listed);
    crate::catalog::repo::push_search(&mut qb, tenant_id, q);
    qb.push(" ORDER BY p.sku LIMIT ").push_bind(limit);
    qb.build_query_as().fetch_all(&mut **tx).await
}

/// A contract with what an order made from it needs.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ContractToOrder {
    pub id: i64,
    pub contract_no: String,
    pub kind: String,
    pub status: ContractStatus,
    pub department: String,
    pub drafted_by: i64,
    pub partner_id: i64,
    pub partner_name: String,
    pub contact: String,
    pub phone: String,
    pub address: String,
}

/// The contract `id` within `scope` (its drafter, its department), its row locked
/// (`FOR UPDATE`): two requests ordering one contract run one after the other.
pub async fn lock_contract(
    tx: &mut Tx,
    tenant_id: i64,
    scope: &Scope,
    id: i64,
) -> Result<Option<ContractToOrder>, sqlx::Error> {
    let mut qb = QueryBuilder::<Postgres>::new(
        "SELECT c.id, c.contract_no, c.kind, c.status, c.department, c.drafted_by, c.partner_id,
                p.name AS partner_name, p.contact, p.phone, p.address
         FROM contracts c JOIN partners p ON p.tenant_id = c.tenant_id AND p.id = c.partner_id
         WHERE c.tenant_id = ",
    );
    qb.push_bind(tenant_id).push(" AND c.id = ").push_bind(id);
    scope.push_filter(&mut qb, "c.drafted_by", "c.department");
    qb.push(" FOR UPDATE OF c");
    qb.build_query_as().fetch_optional(&mut **tx).await
}

/// A contract line, with its product's SKU and state.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ContractLine {
    pub id: i64,
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    pub status: ProductStatus,
    pub quantity: i64,
    pub price_fen: i64,
}

pub async fn contract_lines(tx: &mut Tx, tenant_id: i64, contract_id: i64) -> Result<Vec<ContractLine>, sqlx::Error> {
    sqlx::query_as(
        "SELECT l.id, l.product_id, p.sku, p.name, p.status, l.quantity, l.price_fen
         FROM contract_lines l JOIN products p ON p.tenant_id = l.tenant_id AND p.id = l.product_id
         WHERE l.tenant_id = $1 AND l.contract_id = $2 ORDER BY l.id",
    )
    .bind(tenant_id)
    .bind(contract_id)
    .fetch_all(&mut **tx)
    .await
}

/// The numbers of the orders holding any line of the contract.
pub async fn orders_of_lines(tx: &mut Tx, tenant_id: i64, contract_id: i64) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT DISTINCT o.order_no FROM contract_lines cl
         JOIN order_lines ol ON ol.tenant_id = cl.tenant_id AND ol.contract_line_id = cl.id
         JOIN orders o ON o.tenant_id = ol.tenant_id AND o.id = ol.order_id
         WHERE cl.tenant_id = $1 AND cl.contract_id = $2 ORDER BY 1",
    )
    .bind(tenant_id)
    .bind(contract_id)
    .fetch_all(&mut **tx)
    .await
}

/// A signed sales contract none of whose lines is ordered yet.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ContractWaiting {
    pub id: i64,
    pub contract_no: String,
    pub title: String,
    pub partner_name: String,
    pub amount_fen: i64,
    pub signed_on: Option<NaiveDate>,
}

/// The tenant's signed sales contracts with lines, none of an eliminated product,
/// and no order yet, newest first
/// (the order desk's list on the order form), at most `limit`.
pub async fn contracts_waiting(tx: &mut Tx, tenant_id: i64, limit: i64) -> Result<Vec<ContractWaiting>, sqlx::Error> {
    sqlx::query_as(
        "SELECT c.id, c.contract_no, c.title, p.name AS partner_name, c.amount_fen, c.signed_on
         FROM contracts c JOIN partners p ON p.tenant_id = c.tenant_id AND p.id = c.partner_id
         WHERE c.tenant_id = $1 AND c.kind = 'sales' AND c.status = 'signed'
           AND EXISTS (SELECT 1 FROM contract_lines l WHERE l.tenant_id = c.tenant_id AND l.contract_id = c.id)
           AND NOT EXISTS (SELECT 1 FROM contract_lines l
                           JOIN products p ON p.tenant_id = l.tenant_id AND p.id = l.product_id
                           WHERE l.tenant_id = c.tenant_id AND l.contract_id = c.id AND p.status = 'eliminated')
           AND NOT EXISTS (SELECT 1 FROM contract_lines l
                           JOIN order_lines ol ON ol.tenant_id = l.tenant_id AND ol.contract_line_id = l.id
                           WHERE l.tenant_id = c.tenant_id AND l.contract_id = c.id)
         ORDER BY c.id DESC LIMIT $2",
    )
    .bind(tenant_id)
    .bind(limit)
    .fetch_all(&mut **tx)
    .await
}
