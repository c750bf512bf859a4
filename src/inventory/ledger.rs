//! The stock-movement ledger: the only way on hand changes.
//!
//! A movement is one INSERT into `stock_movements`; the trigger of migration 0007
//! adds its quantity to the product's level in that warehouse (creating the level
//! at zero) and records the balance after it. The runtime role cannot write
//! `stock_levels.on_hand` at all, so "on hand = sum of movements" holds by
//! construction; check constraints keep on hand ≥ reserved ≥ 0, and a movement
//! that would break them fails with [`LedgerError::Insufficient`] and changes nothing.
//!
//! Reservations move `reserved` within on hand with one conditional UPDATE: two
//! concurrent reservations of the last units serialise on the row lock and exactly
//! one succeeds.

use crate::db::Tx;

/// What a movement is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MovementKind {
    Receipt,
    Shipment,
    Return,
    Adjustment,
    TransferIn,
    TransferOut,
}

impl MovementKind {
    pub const ALL: [MovementKind; 6] = [
        MovementKind::Receipt,
        MovementKind::Shipment,
        MovementKind::Return,
        MovementKind::Adjustment,
        MovementKind::TransferIn,
        MovementKind::TransferOut,
    ];

    pub fn code(self) -> &'static str {
        match self {
            MovementKind::Receipt => "receipt",
            MovementKind::Shipment => "shipment",
            MovementKind::Return => "return",
            MovementKind::Adjustment => "adjustment",
            MovementKind::TransferIn => "transfer_in",
            MovementKind::TransferOut => "transfer_out",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            MovementKind::Receipt => "入库",
            MovementKind::Shipment => "出库",
            MovementKind::Return => "退货入库",
            MovementKind::Adjustment => "调整",
            MovementKind::TransferIn => "调拨入库",
            MovementKind::TransferOut => "调拨出库",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The sign a quantity of this kind must have: +1, −1, or 0 for either.
    pub fn sign(self) -> i64 {
        match self {
            MovementKind::Receipt | MovementKind::Return | MovementKind::TransferIn => 1,
            MovementKind::Shipment | MovementKind::TransferOut => -1,
            MovementKind::Adjustment => 0,
        }
    }
}

/// The document a movement came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocType {
    Manual,
    Import,
    PurchaseOrder,
    Stocktake,
    Transfer,
    Order,
    AfterSale,
}

impl DocType {
    pub const ALL: [DocType; 7] = [
        DocType::Manual,
        DocType::Import,
        DocType::PurchaseOrder,
        DocType::Stocktake,
        DocType::Transfer,
        DocType::Order,
        DocType::AfterSale,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DocType::Manual => "manual",
            DocType::Import => "import",
            DocType::PurchaseOrder => "purchase_order",
            DocType::Stocktake => "stocktake",
            DocType::Transfer => "transfer",
            DocType::Order => "order",
            DocType::AfterSale => "after_sale",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DocType::Manual => "手工登记",
            DocType::Import => "期初导入",
            DocType::PurchaseOrder => "采购单",
            DocType::Stocktake => "盘点单",
            DocType::Transfer => "调拨",
            DocType::Order => "订单",
            DocType::AfterSale => "售后单",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.code() == code)
    }
}

/// One movement to post.
#[derive(Clone, Debug)]
pub struct NewMovement<'a> {
    pub product_id: i64,
    pub warehouse_id: i64,
    pub kind: MovementKind,
    /// The signed change of on hand (never 0; its sign must fit `kind`).
    pub quantity: i64,
    /// Why (required, at most 500 characters).
    pub reason: &'a str,
    pub doc: DocType,
    pub doc_id: Option<i64>,
    /// The user who made it (`None` for the command line).
    pub created_by: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// The movement or reservation would take on hand below zero or below what is
    /// reserved (or release more than is reserved).
    #[error("库存不足")]
    Insufficient,
    /// The movement itself is malformed (zero quantity, wrong sign, no reason).
    #[error("{0}")]
    Invalid(&'static str),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl From<LedgerError> for crate::error::AppError {
    fn from(e: LedgerError) -> Self {
        match e {
            LedgerError::Insufficient => crate::error::AppError::Conflict("库存不足：可用数量不够".into()),
            LedgerError::Invalid(m) => crate::error::AppError::BadRequest(m.into()),
            LedgerError::Database(e) => crate::error::AppError::Database(e),
        }
    }
}

/// Whether a database error is one of the stock-level check constraints.
fn is_stock_check(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Database(db) => {
            db.code().as_deref() == Some("23514")
                && matches!(db.constraint(), Some("stock_on_hand_not_negative" | "stock_reserved_within_on_hand"))
        }
        _ => false,
    }
}

impl NewMovement<'_> {
    pub fn validate(&self) -> Result<(), LedgerError> {
        if self.quantity == 0 {
            return Err(LedgerError::Invalid("数量不能为 0"));
        }
        let sign = self.kind.sign();
        if sign != 0 && self.quantity.signum() != sign {
            return Err(LedgerError::Invalid(if sign > 0 {
                "入库类变动的数量必须为正"
            } else {
                "出库类变动的数量必须为负"
            }));
        }
        let len = self.reason.trim().chars().count();
        if len == 0 {
            return Err(LedgerError::Invalid("必须填写变动原因"));
        }
        if len > 500 {
            return Err(LedgerError::Invalid("变动原因不能超过 500 字"));
        }
        Ok(())
    }
}

/// Post one movement; returns its id and the balance after it.
pub async fn post(tx: &mut Tx, tenant_id: i64, m: &NewMovement<'_>) -> Result<(i64, i64), LedgerError> {
    m.validate()?;
    let result = sqlx::query_as::<_, (i64, i64)>(
        "INSERT INTO stock_movements (tenant_id, product_id, warehouse_id, kind, quantity, reason, doc_type, doc_id, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         RETURNING id, balance_after",
    )
    .bind(tenant_id)
    .bind(m.product_id)
    .bind(m.warehouse_id)
    .bind(m.kind.code())
    .bind(m.quantity)
    .bind(m.reason.trim())
    .bind(m.doc.code())
    .bind(m.doc_id)
    .bind(m.created_by)
    .fetch_one(&mut **tx)
    .await;
    match result {
        Ok(row) => Ok(row),
        Err(e) if is_stock_check(&e) => Err(LedgerError::Insufficient),
        Err(e) => Err(e.into()),
    }
}

/// Post many movements in a few statements, for history made in bulk (the demo):
/// `app.post_movements` (migration 0022) locks their levels, checks every level's
/// running balance against its checks, raises each level once by its total and
/// inserts the movements with the balance after each, in the order given — the rows
/// and levels one [`post`] per movement would leave, without updating a level once
/// per movement (quadratic in one transaction: each update of a row walks its
/// earlier versions).
pub async fn post_many(tx: &mut Tx, tenant_id: i64, moves: &[NewMovement<'_>]) -> Result<(), LedgerError> {
    for m in moves {
        m.validate()?;
    }
    for chunk in moves.chunks(200_000) {
        let result = sqlx::query("SELECT app.post_movements($1, $2, $3, $4, $5, $6, $7, $8, $9)")
            .bind(tenant_id)
            .bind(chunk.iter().map(|m| m.product_id).collect::<Vec<_>>())
            .bind(chunk.iter().map(|m| m.warehouse_id).collect::<Vec<_>>())
            .bind(chunk.iter().map(|m| m.kind.code()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|m| m.quantity).collect::<Vec<_>>())
            .bind(chunk.iter().map(|m| m.reason.trim()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|m| m.doc.code()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|m| m.doc_id).collect::<Vec<_>>())
            .bind(chunk.iter().map(|m| m.created_by).collect::<Vec<_>>())
            .execute(&mut **tx)
            .await;
        match result {
            Ok(_) => {}
            Err(e) if is_stock_check(&e) => return Err(LedgerError::Insufficient),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// Move `quantity` (> 0) of a product from one warehouse to another: a transfer-out
/// and a transfer-in movement, the second pointing at the first. Returns the
/// out-movement's id.
#[allow(clippy::too_many_arguments)]
pub async fn transfer(
    tx: &mut Tx,
    tenant_id: i64,
    product_id: i64,
    from_warehouse: i64,
    to_warehouse: i64,
    quantity: i64,
    reason: &str,
    created_by: Option<i64>,
) -> Result<i64, LedgerError> {
    if quantity <= 0 {
        return Err(LedgerError::Invalid("调拨数量必须为正"));
    }
    if from_warehouse == to_warehouse {
        return Err(LedgerError::Invalid("调出和调入仓库不能相同"));
    }
    let (out_id, _) = post(
        tx,
        tenant_id,
        &NewMovement {
            product_id,
            warehouse_id: from_warehouse,
            kind: MovementKind::TransferOut,
            quantity: -quantity,
            reason,
            doc: DocType::Transfer,
            doc_id: None,
            created_by,
        },
    )
    .await?;
    post(
        tx,
        tenant_id,
        &NewMovement {
            product_id,
            warehouse_id: to_warehouse,
            kind: MovementKind::TransferIn,
            quantity,
            reason,
            doc: DocType::Transfer,
            doc_id: Some(out_id),
            created_by,
        },
    )
    .await?;
    Ok(out_id)
}

/// Reserve `quantity` (> 0) of what is available (on hand − reserved). Exactly one of
/// two concurrent reservations of the last units succeeds; the other gets
/// [`LedgerError::Insufficient`].
pub async fn reserve(
    tx: &mut Tx,
    tenant_id: i64,
    product_id: i64,
    warehouse_id: i64,
    quantity: i64,
) -> Result<(), LedgerError> {
    if quantity <= 0 {
        return Err(LedgerError::Invalid("预留数量必须为正"));
    }
    let done = sqlx::query(
        "UPDATE stock_levels SET reserved = reserved + $4, updated_at = now()
         WHERE tenant_id = $1 AND product_id = $2 AND warehouse_id = $3 AND on_hand - reserved >= $4",
    )
    .bind(tenant_id)
    .bind(product_id)
    .bind(warehouse_id)
    .bind(quantity)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        Err(LedgerError::Insufficient)
    }
}

/// Release `quantity` (> 0) of a reservation.
pub async fn release(
    tx: &mut Tx,
    tenant_id: i64,
    product_id: i64,
    warehouse_id: i64,
    quantity: i64,
) -> Result<(), LedgerError> {
    if quantity <= 0 {
        return Err(LedgerError::Invalid("释放数量必须为正"));
    }
    let done = sqlx::query(
        "UPDATE stock_levels SET reserved = reserved - $4, updated_at = now()
         WHERE tenant_id = $1 AND product_id = $2 AND warehouse_id = $3 AND reserved >= $4",
    )
    .bind(tenant_id)
    .bind(product_id)
    .bind(warehouse_id)
    .bind(quantity)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        Err(LedgerError::Insufficient)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(kind: MovementKind, quantity: i64, reason: &str) -> NewMovement<'_> {
        NewMovement {
            product_id: 1,
            warehouse_id: 1,
            kind,
            quantity,
            reason,
            doc: DocType::Manual,
            doc_id: None,
            created_by: None,
        }
    }

    #[test]
    fn signs_must_fit_the_kind() {
        assert!(m(MovementKind::Receipt, 5, "到货").validate().is_ok());
        assert!(m(MovementKind::Receipt, -5, "到货").validate().is_err());
        assert!(m(MovementKind::Shipment, -5, "发货").validate().is_ok());
        assert!(m(MovementKind::Shipment, 5, "发货").validate().is_err());
        assert!(m(MovementKind::Adjustment, -5, "盘亏").validate().is_ok());
        assert!(m(MovementKind::Adjustment, 5, "盘盈").validate().is_ok());
        assert!(m(MovementKind::Adjustment, 0, "无").validate().is_err());
        assert!(m(MovementKind::Return, 1, "  ").validate().is_err());
    }

    #[test]
    fn codes_round_trip() {
        for k in MovementKind::ALL {
            assert_eq!(MovementKind::parse(k.code()), Some(k));
        }
        for d in DocType::ALL {
            assert_eq!(DocType::parse(d.code()), Some(d));
        }
        assert_eq!(MovementKind::parse("steal"), None);
    }
}
