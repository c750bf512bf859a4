//! The demo's orders from signed sales contracts: made as 生成订单 makes them
//! (`orders::entry::order_of`), after the platform and hand-entered ones.

use super::Plan;
use crate::audit::Actor;
use crate::db::Tx;
use crate::demo::ctx::Ctx;
use crate::orders::{entry, repo};
use crate::people::{Dept, Level};

/// The demo's signed sales contracts to order: every one that may be, but the
/// newest, left for 生成订单 to be tried on.
pub(super) async fn contracts_to_order(tx: &mut Tx, ctx: &Ctx) -> Result<Vec<i64>, sqlx::Error> {
    let waiting = repo::contracts_waiting(tx, ctx.tenant_id, 100).await?;
    Ok(waiting.iter().skip(1).map(|c| c.id).collect())
}

/// The orders of [`contracts_to_order`] (after the platform and hand-entered ones,
/// numbered after them), made as 生成订单 makes them, by the ops clerk: held at
/// intake as any order is, linked to their contract both ways, with the contract's
/// history and the audit saying so.
pub async fn from_contracts(tx: &mut Tx, ctx: &Ctx, plan: &Plan) -> anyhow::Result<()> {
    let tid = ctx.tenant_id;
    let Some(clerk) = ctx.user(Dept::Ops, Level::Specialist) else {
        return Ok(());
    };
    let ids = contracts_to_order(tx, ctx).await?;
    for &id in ids.iter().take(plan.from_contracts) {
        let Some(c) = repo::lock_contract(tx, tid, &crate::people::Scope::Tenant, id).await? else {
            continue;
        };
        let mut order = entry::order_of(tx, tid, c, clerk).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let name = "运营专员（ops.specialist）";
        let actor = Actor { user_id: Some(clerk), name: name.to_owned(), ip: None, request_id: None };
        entry::take_in(tx, tid, &mut order, (clerk, name), &actor, entry::CONTRACT_STEP)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(())
}
