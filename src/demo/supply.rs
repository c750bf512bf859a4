//! Demo data of the supply side: partners, warehouses, products and stock, then
//! replenishment requests and purchase orders, stocktakes and contracts in every
//! state. Each module seeds its own tables from one shared [`Ctx`].

use crate::db::Tx;

pub use super::ctx::Ctx;
pub use crate::orders::demo::Plan as OrderPlan;

/// Seed everything of the supply side in the demo tenant's transaction — the
/// orders only planned (and their stock received): they are written after it
/// commits, in parts at once (`crate::orders::demo::write`).
pub async fn populate(tx: &mut Tx, ctx: &Ctx, order_parts: usize) -> Result<Option<OrderPlan>, sqlx::Error> {
    crate::partners::demo::seed(tx, ctx).await?;
    crate::catalog::demo::seed(tx, ctx).await?;
    crate::inventory::demo::seed(tx, ctx).await?;
    crate::purchasing::demo::seed(tx, ctx).await?;
    crate::stocktake::demo::seed(tx, ctx).await?;
    crate::contracts::demo::seed(tx, ctx).await?;
    crate::orders::demo::plan(tx, ctx, order_parts).await
}
