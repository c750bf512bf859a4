//! Supply-side imports: warehouses, products, stock opening balances.
//! (Skeleton: the catalog/inventory work fills these in.)

use super::hr::{ImportFailure, Summary};
use super::ImportErrors;
use crate::audit::Actor;
use crate::db::Tx;

pub struct WarehouseRow {
    pub line: u64,
}
pub struct ProductRow {
    pub line: u64,
}
pub struct StockRow {
    pub line: u64,
}

fn not_yet(file: &str) -> ImportErrors {
    let mut c = super::Collector::new();
    c.add(1, None, "not implemented yet");
    c.finish::<()>(file, ()).unwrap_err()
}

pub fn parse_warehouses(file: &str, _bytes: &[u8]) -> Result<Vec<WarehouseRow>, ImportErrors> {
    Err(not_yet(file))
}
pub fn parse_products(file: &str, _bytes: &[u8]) -> Result<Vec<ProductRow>, ImportErrors> {
    Err(not_yet(file))
}
pub fn parse_stock(file: &str, _bytes: &[u8]) -> Result<Vec<StockRow>, ImportErrors> {
    Err(not_yet(file))
}
pub async fn apply_warehouses(
    _tx: &mut Tx,
    _tenant_id: i64,
    _actor: &Actor,
    file: &str,
    _rows: &[WarehouseRow],
) -> Result<Summary, ImportFailure> {
    Err(ImportFailure::Invalid(not_yet(file)))
}
pub async fn apply_products(
    _tx: &mut Tx,
    _tenant_id: i64,
    _actor: &Actor,
    file: &str,
    _rows: &[ProductRow],
) -> Result<Summary, ImportFailure> {
    Err(ImportFailure::Invalid(not_yet(file)))
}
pub async fn apply_stock(
    _tx: &mut Tx,
    _tenant_id: i64,
    _actor: &Actor,
    file: &str,
    _rows: &[StockRow],
) -> Result<Summary, ImportFailure> {
    Err(ImportFailure::Invalid(not_yet(file)))
}
