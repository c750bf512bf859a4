//! Demo data of this module (`yunying demo`): in warehouses that hold stock, one
//! approved count with a few differences posted to the ledger, one submitted count
//! waiting for the ops manager with a difference that still needs a reason, and one
//! count in progress. Skipped when there are no warehouses with stock or no demo
//! users of the roles involved.

use super::flow::StocktakeStatus;
use super::repo::{self, NewStocktake, OpenError};
use crate::db::Tx;
use crate::demo::ctx::Ctx;
use crate::people::{Dept, Level};

fn open_err(e: OpenError) -> Option<sqlx::Error> {
    match e {
        OpenError::Database(e) => Some(e),
        // Nothing to count, or already open: skip this one.
        OpenError::AlreadyOpen(..) | OpenError::NoLines => None,
    }
}

/// Lines of a count: (product id, book quantity, on hand − reserved now).
async fn lines_of(
    tx: &mut Tx,
    tenant_id: i64,
    id: i64,
    warehouse_id: i64,
) -> Result<Vec<(i64, i64, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT l.product_id, l.book_quantity, coalesce(sl.on_hand - sl.reserved, 0)
         FROM stocktake_lines l
         LEFT JOIN stock_levels sl ON sl.tenant_id = l.tenant_id AND sl.product_id = l.product_id AND sl.warehouse_id = $3
         WHERE l.tenant_id = $1 AND l.stocktake_id = $2 ORDER BY l.product_id",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(warehouse_id)
    .fetch_all(&mut **tx)
    .await
}

async fn open(
    tx: &mut Tx,
    ctx: &Ctx,
    warehouse_id: i64,
    opener: i64,
    note: &str,
    limit: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let new = NewStocktake {
        warehouse_id,
        sku_prefix: "",
        scope_note: note,
        opened_by: opener,
        department: Dept::Warehouse,
        limit: Some(limit),
    };
    // A savepoint: a skipped count leaves nothing behind.
    sqlx::query("SAVEPOINT stocktake_demo").execute(&mut **tx).await?;
    match repo::open(tx, ctx.tenant_id, &new).await {
        Ok((id, _, _)) => {
            sqlx::query("RELEASE SAVEPOINT stocktake_demo").execute(&mut **tx).await?;
            Ok(Some(id))
        }
        Err(e) => {
            sqlx::query("ROLLBACK TO SAVEPOINT stocktake_demo").execute(&mut **tx).await?;
            match open_err(e) {
                Some(e) => Err(e),
                None => Ok(None),
            }
        }
    }
}

pub async fn seed(tx: &mut Tx, ctx: &Ctx) -> Result<(), sqlx::Error> {
    let (Some(opener), Some(approver)) =
        (ctx.user(Dept::Warehouse, Level::Manager), ctx.user(Dept::Ops, Level::Manager))
    else {
        return Ok(());
    };
    let counter = ctx.user(Dept::Warehouse, Level::Specialist).unwrap_or(opener);
    let t = ctx.tenant_id;
    let warehouses: Vec<i64> = sqlx::query_scalar(
        "SELECT w.id FROM warehouses w
         WHERE w.tenant_id = $1 AND w.is_active
           AND EXISTS (SELECT 1 FROM stock_levels sl WHERE sl.tenant_id = w.tenant_id AND sl.warehouse_id = w.id)
           AND NOT EXISTS (SELECT 1 FROM stocktakes s WHERE s.tenant_id = w.tenant_id AND s.warehouse_id = w.id
                             AND s.status IN ('counting', 'submitted'))
         ORDER BY w.code LIMIT 3",
    )
    .bind(t)
    .fetch_all(&mut **tx)
    .await?;
    let Some(&first) = warehouses.first() else {
        return Ok(());
    };

    // 1. Approved, with a few differences posted through the ledger.
    if let Some(id) = open(tx, ctx, first, opener, "月度循环盘点：A 区货架", 12).await? {
        let lines = lines_of(tx, t, id, first).await?;
        let reasons = ["拣货差错，少发未登记", "到货多收未入账", "破损报废未登记"];
        let deltas = [-2_i64, 1, -7];
        let entries: Vec<(i64, Option<i64>, String)> = lines
            .iter()
            .enumerate()
            .map(|(i, &(pid, book, available))| {
                let d = deltas.get(i).copied().unwrap_or(0);
                // Never more loss than is available now (the ledger would refuse it).
                let d = if d < 0 && available + d < 0 { 0 } else { d };
                let reason = if d != 0 { reasons[i % reasons.len()].to_owned() } else { String::new() };
                (pid, Some(book + d), reason)
            })
            .collect();
        repo::save_counts(tx, t, id, counter, &entries).await?;
        repo::set_status(tx, t, id, StocktakeStatus::Submitted, counter, None).await?;
        repo::event(tx, t, id, "submit", counter, "").await?;
        let no: String = sqlx::query_scalar("SELECT no FROM stocktakes WHERE tenant_id = $1 AND id = $2")
            .bind(t)
            .bind(id)
            .fetch_one(&mut **tx)
            .await?;
        match repo::post_adjustments(tx, t, id, &no, first, approver).await {
            Ok(_) => {
                repo::set_status(tx, t, id, StocktakeStatus::Approved, approver, Some("差异已核实，同意调整")).await?;
                repo::event(tx, t, id, "approve", approver, "差异已核实，同意调整").await?;
            }
            Err(repo::ApproveError::Database(e)) => return Err(e),
            Err(repo::ApproveError::Negative(..)) => {
                repo::set_status(tx, t, id, StocktakeStatus::Cancelled, approver, None).await?;
                repo::event(tx, t, id, "cancel", approver, "").await?;
            }
        }
    }

    // 2. Submitted, waiting for the ops manager: one difference needs a reason.
    let second = warehouses.get(1).copied().unwrap_or(first);
    if let Some(id) = open(tx, ctx, second, opener, "季度全面盘点", 10).await? {
        let lines = lines_of(tx, t, id, second).await?;
        let entries: Vec<(i64, Option<i64>, String)> = lines
            .iter()
            .enumerate()
            .map(|(i, &(pid, book, _))| match i {
                0 => (pid, Some(book + 8), String::new()),
                1 => (pid, Some(book + 1), "包装内多装一件".to_owned()),
                _ => (pid, Some(book), String::new()),
            })
            .collect();
        repo::save_counts(tx, t, id, counter, &entries).await?;
        repo::set_status(tx, t, id, StocktakeStatus::Submitted, counter, None).await?;
        repo::event(tx, t, id, "submit", counter, "").await?;
    }

    // 3. Counting: some lines counted so far (in a warehouse without an open count).
    let third = if warehouses.len() >= 3 {
        Some(warehouses[2])
    } else if warehouses.len() == 2 {
        Some(first)
    } else {
        None
    };
    if let Some(wh) = third {
        if let Some(id) = open(tx, ctx, wh, opener, "抽盘：畅销商品", 15).await? {
            let lines = lines_of(tx, t, id, wh).await?;
            let entries: Vec<(i64, Option<i64>, String)> =
                lines.iter().take(6).map(|&(pid, book, _)| (pid, Some(book), String::new())).collect();
            repo::save_counts(tx, t, id, counter, &entries).await?;
        }
    }
    Ok(())
}
