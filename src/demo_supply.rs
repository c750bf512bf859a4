//! Demo data of the supply side: partners, warehouses, products and stock, then
//! replenishment requests and purchase orders, stocktakes and contracts in every
//! state. Each module seeds its own tables from one shared [`Ctx`].

use chrono::NaiveDate;

use crate::db::Tx;
use crate::people::{Dept, Level};

/// What every module's `demo::seed` gets.
pub struct Ctx {
    pub tenant_id: i64,
    /// The tenant's index among the demo tenants (varies the data).
    pub n: usize,
    /// How many products to create (`--products`).
    pub products: usize,
    pub today: NaiveDate,
    /// The demo users: (username, user id, department, level).
    pub users: Vec<(String, i64, Dept, Level)>,
}

impl Ctx {
    /// The id of the demo user `<dept>.<level>` (they always exist).
    pub fn user(&self, dept: Dept, level: Level) -> Option<i64> {
        self.users.iter().find(|(_, _, d, l)| *d == dept && *l == level).map(|(_, id, _, _)| *id)
    }
}

/// Seed everything of the supply side in the demo tenant's transaction.
pub async fn populate(tx: &mut Tx, ctx: &Ctx) -> Result<(), sqlx::Error> {
    crate::partners::demo::seed(tx, ctx).await?;
    crate::catalog::demo::seed(tx, ctx).await?;
    crate::inventory::demo::seed(tx, ctx).await?;
    crate::purchasing::demo::seed(tx, ctx).await?;
    crate::stocktake::demo::seed(tx, ctx).await?;
    crate::contracts::demo::seed(tx, ctx).await?;
    Ok(())
}
