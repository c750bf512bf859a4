//! Demo data of this module (`yunying demo`).

use crate::db::Tx;
use crate::demo::supply::Ctx;

pub async fn seed(_tx: &mut Tx, _ctx: &Ctx) -> Result<(), sqlx::Error> {
    Ok(())
}
