//! Demo data of the supply side: partners, warehouses, products and stock, then
//! replenishment requests and purchase orders, stocktakes and contracts in every
//! state. Each module seeds its own tables from one shared [`Ctx`].

use crate::db::Tx;

pub use super::ctx::Ctx;

/// Seed everything of the supply side in the demo tenant's transaction.
pub async fn populate(tx: &mut Tx, ctx: &Ctx) -> Result<(), sqlx::Error> {
    crate::partners::demo::seed(tx, ctx).await?;
    crate::catalog::demo::seed(tx, ctx).await?;
    crate::inventory::demo::seed(tx, ctx).await?;
    crate::purchasing::demo::seed(tx, ctx).await?;
    crate::stocktake::demo::seed(tx, ctx).await?;
    crate::contracts::demo::seed(tx, ctx).await?;
    crate::orders::demo::seed(tx, ctx).await?;
    Ok(())
}
