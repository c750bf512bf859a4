//! An order's stock, only through the ledger: allocation reserves every open line
//! in one warehouse or nothing; a parcel releases what it takes from the
//! reservation and posts a `shipment` movement for it; a cancel releases what is
//! reserved. Level rows are always taken in product order, so two orders never
//! wait on each other in a circle.

use std::collections::BTreeMap;

use super::repo::{self, LineRow};
use crate::db::Tx;
use crate::inventory::ledger::{self, DocType, LedgerError, MovementKind, NewMovement};

/// Why an allocation or a parcel was refused.
#[derive(Debug, thiserror::Error)]
pub enum StockError {
    /// This SKU is short in the warehouse (the whole allocation is undone).
    #[error("{0} 库存不足")]
    Short(String),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl From<StockError> for crate::error::AppError {
    fn from(e: StockError) -> Self {
        match e {
            StockError::Short(what) => crate::error::AppError::Conflict(format!("{what} 库存不足")),
            StockError::Ledger(e) => e.into(),
            StockError::Database(e) => e.into(),
        }
    }
}

/// Reserve every line's open quantity (ordered − shipped − reserved) in
/// `warehouse_id`. On `Short` the caller rolls back: nothing stays reserved.
pub async fn allocate(
    tx: &mut Tx,
    tenant_id: i64,
    order_id: i64,
    warehouse_id: i64,
    lines: &[LineRow],
) -> Result<i64, StockError> {
    let mut by_product: Vec<&LineRow> = lines.iter().filter(|l| open(l) > 0).collect();
    by_product.sort_by_key(|l| (l.product_id, l.line_no));
    let mut total = 0;
    for l in by_product {
        let need = open(l);
        match ledger::reserve(tx, tenant_id, l.product_id, warehouse_id, need).await {
            Ok(()) => {}
            Err(LedgerError::Insufficient) => return Err(StockError::Short(l.sku.clone())),
            Err(e) => return Err(e.into()),
        }
        repo::insert_reservation(tx, tenant_id, order_id, l.line_no, warehouse_id, l.product_id, need).await?;
        total += need;
    }
    repo::set_warehouse(tx, tenant_id, order_id, Some(warehouse_id)).await?;
    Ok(total)
}

fn open(l: &LineRow) -> i64 {
    l.quantity - l.shipped_qty - l.reserved_qty
}

/// Release every open reservation of the order; the units released.
pub async fn release_all(tx: &mut Tx, tenant_id: i64, order_id: i64) -> Result<i64, StockError> {
    let mut total = 0;
    for r in repo::open_reservations(tx, tenant_id, order_id).await? {
        ledger::release(tx, tenant_id, r.product_id, r.warehouse_id, r.quantity).await?;
        repo::close_reservation(tx, tenant_id, order_id, &r, r.quantity, false).await?;
        total += r.quantity;
    }
    Ok(total)
}

/// Take `quantities` (line no → units, each at most what the line has reserved)
/// out of the reservations into parcel `parcel_id`: each unit is released from
/// the level's reserved and leaves on hand through a `shipment` movement whose
/// document is the order. The units shipped.
pub async fn ship(
    tx: &mut Tx,
    tenant_id: i64,
    order_id: i64,
    parcel_id: i64,
    quantities: &BTreeMap<i32, i64>,
    reason: &str,
    by: i64,
) -> Result<i64, StockError> {
    let mut left = quantities.clone();
    let mut taken: BTreeMap<i32, i64> = BTreeMap::new();
    for r in repo::open_reservations(tx, tenant_id, order_id).await? {
        let Some(want) = left.get_mut(&r.line_no) else { continue };
        let take = (*want).min(r.quantity);
        if take == 0 {
            continue;
        }
        *want -= take;
        // Release first: on hand may then fall by what leaves without ever being
        // below what is still reserved.
        ledger::release(tx, tenant_id, r.product_id, r.warehouse_id, take).await?;
        let movement = NewMovement {
            product_id: r.product_id,
            warehouse_id: r.warehouse_id,
            kind: MovementKind::Shipment,
            quantity: -take,
            reason,
            doc: DocType::Order,
            doc_id: Some(order_id),
            created_by: Some(by),
        };
        ledger::post(tx, tenant_id, &movement).await?;
        repo::close_reservation(tx, tenant_id, order_id, &r, take, true).await?;
        *taken.entry(r.line_no).or_default() += take;
    }
    if let Some((line, _)) = left.iter().find(|(_, q)| **q > 0) {
        return Err(StockError::Short(format!("第 {line} 行")));
    }
    for (line, q) in &taken {
        repo::insert_parcel_line(tx, tenant_id, parcel_id, order_id, *line, *q).await?;
    }
    Ok(taken.values().sum())
}

/// Send `quantity` of `product_id` out of `warehouse_id` for after-sales case
/// `case_id` of the order (an exchange's replacement): reserved first like any
/// order line (the conditional update; `Short` when not available), then released
/// into a `shipment` movement whose document is the case.
#[allow(clippy::too_many_arguments)]
pub async fn send_for_case(
    tx: &mut Tx,
    tenant_id: i64,
    case_id: i64,
    warehouse_id: i64,
    product_id: i64,
    (sku, quantity): (&str, i64),
    reason: &str,
    by: i64,
) -> Result<(), StockError> {
    match ledger::reserve(tx, tenant_id, product_id, warehouse_id, quantity).await {
        Ok(()) => {}
        Err(LedgerError::Insufficient) => return Err(StockError::Short(sku.to_owned())),
        Err(e) => return Err(e.into()),
    }
    ledger::release(tx, tenant_id, product_id, warehouse_id, quantity).await?;
    let movement = NewMovement {
        product_id,
        warehouse_id,
        kind: MovementKind::Shipment,
        quantity: -quantity,
        reason,
        doc: DocType::AfterSale,
        doc_id: Some(case_id),
        created_by: Some(by),
    };
    ledger::post(tx, tenant_id, &movement).await?;
    Ok(())
}
