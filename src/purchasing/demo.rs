//! Demo data of this module (`yunying demo`): replenishment requests in every
//! state and purchase orders open, partially received and received, on the
//! products and warehouses the catalog and inventory seeds created (nothing when
//! there are none).

use crate::db::Tx;
use crate::demo::ctx::Ctx;
use crate::inventory::ledger::{self, DocType, LedgerError, MovementKind, NewMovement};
use crate::people::tenants::TenantSettings;
use crate::people::{Dept, Level};

#[derive(sqlx::FromRow)]
struct Candidate {
    product_id: i64,
    warehouse_id: i64,
    on_hand: i64,
    reserved: i64,
    safety_stock: i64,
    reorder_point: i64,
    max_level: i64,
    unit_cost_fen: i64,
    default_supplier_id: Option<i64>,
}

/// The states seeded, in order (one request each).
const PLAN: &[(&str, &str)] = &[
    ("pending", "可用库存低于再订货点，按建议量补到最高库存"),
    ("pending", "仓库盘点后发现可用量偏低，申请补货"),
    ("director_pending", "双十一大促备货，预计销量翻倍"),
    ("approved", "常规补货，补足安全库存"),
    ("rejected", "月初申请补货"),
    ("rejected_director", "预备年货节大批量备货"),
    ("ordered_open", "低于再订货点，常规补货"),
    ("ordered_partial", "低于安全库存，加急补货"),
    ("ordered_received", "畅销款补货"),
];

fn ledger_err(e: LedgerError) -> sqlx::Error {
    match e {
        LedgerError::Database(e) => e,
        other => sqlx::Error::Protocol(other.to_string()),
    }
}

pub async fn seed(tx: &mut Tx, ctx: &Ctx) -> Result<(), sqlx::Error> {
    let t = ctx.tenant_id;
    let (Some(specialist), Some(manager), Some(director)) = (
        ctx.user(Dept::Ops, Level::Specialist),
        ctx.user(Dept::Ops, Level::Manager),
        ctx.user(Dept::Ops, Level::Director),
    ) else {
        return Ok(());
    };
    let wh_specialist = ctx.user(Dept::Warehouse, Level::Specialist).unwrap_or(specialist);
    let select = "SELECT s.product_id, s.warehouse_id, s.on_hand, s.reserved, s.safety_stock, s.reorder_point,
                s.max_level, coalesce(p.last_cost_fen, p.price_fen) AS unit_cost_fen, p.default_supplier_id
         FROM stock_levels s JOIN products p ON p.tenant_id = s.tenant_id AND p.id = s.product_id
         WHERE s.tenant_id = $1 AND p.status <> 'eliminated'";
    // Low items first (the partial index serves this), then any others.
    let mut items: Vec<Candidate> = sqlx::query_as(&format!(
        "{select} AND s.reorder_point > 0 AND s.on_hand - s.reserved <= s.reorder_point
         ORDER BY s.warehouse_id, s.product_id LIMIT $2"
    ))
    .bind(t)
    .bind(PLAN.len() as i64)
    .fetch_all(&mut **tx)
    .await?;
    if items.len() < PLAN.len() {
        let more: Vec<Candidate> = sqlx::query_as(&format!(
            "{select} AND NOT (s.reorder_point > 0 AND s.on_hand - s.reserved <= s.reorder_point)
             ORDER BY s.product_id, s.warehouse_id LIMIT $2"
        ))
        .bind(t)
        .bind((PLAN.len() - items.len()) as i64)
        .fetch_all(&mut **tx)
        .await?;
        items.extend(more);
    }
    if items.is_empty() {
        return Ok(());
    }
    let settings: serde_json::Value = sqlx::query_scalar("SELECT settings FROM tenants WHERE id = $1")
        .bind(t)
        .fetch_optional(&mut **tx)
        .await?
        .unwrap_or_default();
    let threshold = TenantSettings::from_json(settings).replenishment_director_threshold_fen;
    let first_supplier: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM partners WHERE tenant_id = $1 AND kind = 'supplier' AND is_active ORDER BY code LIMIT 1",
    )
    .bind(t)
    .fetch_optional(&mut **tx)
    .await?;

    for (i, (item, (state, reason))) in items.iter().zip(PLAN.iter()).enumerate() {
        let ordered = state.starts_with("ordered");
        let supplier = item.default_supplier_id.or(first_supplier);
        if ordered && supplier.is_none() {
            continue;
        }
        let available = item.on_hand - item.reserved;
        let suggested = (item.max_level - available).max(0);
        let mut quantity = if suggested > 0 { suggested } else { 20 + 10 * i as i64 };
        let big = matches!(*state, "director_pending" | "rejected_director");
        if big {
            if item.unit_cost_fen == 0 {
                continue;
            }
            // Enough units to reach the director's threshold.
            quantity = quantity.max((threshold + item.unit_cost_fen - 1) / item.unit_cost_fen + 10 * i as i64);
        }
        let value = quantity.saturating_mul(item.unit_cost_fen);
        let needs_director = value >= threshold;
        let days = (PLAN.len() - i) as i32;
        let requester = if i == 1 { wh_specialist } else { specialist };
        let department = if i == 1 { Dept::Warehouse.code() } else { Dept::Ops.code() };
        let status = match *state {
            "rejected_director" => "rejected",
            s if s.starts_with("ordered") => "approved",
            s => s,
        };
        let (manager_by, manager_comment) = match *state {
            "pending" => (None, None),
            "rejected" => (Some(manager), Some("本月预算已用完，且在途数量足够，下月再申请")),
            _ => (Some(manager), Some("同意")),
        };
        let (director_by, director_comment) = match *state {
            "rejected_director" => (Some(director), Some("备货量过大，先按一半采购，重新申请")),
            "ordered_received" if needs_director => (Some(director), Some("同意")),
            _ => (None, None),
        };
        let request_id: i64 = sqlx::query_scalar(
            "INSERT INTO replenishment_requests (tenant_id, product_id, warehouse_id, quantity, reason, status,
                 unit_cost_fen, value_fen, needs_director, snap_on_hand, snap_reserved, snap_on_order, snap_safety_stock,
                 snap_reorder_point, snap_max_level, snap_suggested, requested_by, department,
                 manager_by, manager_at, manager_comment, director_by, director_at, director_comment, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, $12, $13, $14, $15, $16, $17,
                 $18, CASE WHEN $18::bigint IS NULL THEN NULL ELSE now() - make_interval(days => $21) + interval '3 hours' END, $19,
                 $20, CASE WHEN $20::bigint IS NULL THEN NULL ELSE now() - make_interval(days => $21) + interval '20 hours' END, $22,
                 now() - make_interval(days => $21), now())
             RETURNING id",
        )
        .bind(t)
        .bind(item.product_id)
        .bind(item.warehouse_id)
        .bind(quantity)
        .bind(*reason)
        .bind(if *state == "director_pending" && !needs_director { "approved" } else { status })
        .bind(item.unit_cost_fen)
        .bind(value)
        .bind(needs_director)
        .bind(item.on_hand)
        .bind(item.reserved)
        .bind(item.safety_stock)
        .bind(item.reorder_point)
        .bind(item.max_level)
        .bind(suggested)
        .bind(requester)
        .bind(department)
        .bind(manager_by)
        .bind(manager_comment)
        .bind(director_by)
        .bind(days)
        .bind(director_comment)
        .fetch_one(&mut **tx)
        .await?;
        let (Some(supplier), true) = (supplier, ordered) else {
            continue;
        };
        let po_id: i64 = sqlx::query_scalar(
            "INSERT INTO purchase_orders (tenant_id, supplier_id, warehouse_id, note, created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, now() - make_interval(days => $6) + interval '1 day', now()) RETURNING id",
        )
        .bind(t)
        .bind(supplier)
        .bind(item.warehouse_id)
        .bind(if i % 2 == 0 { "请按约定时间送货，到货前电话联系仓库" } else { "" })
        .bind(specialist)
        .bind(days)
        .fetch_one(&mut **tx)
        .await?;
        let po_no = format!("CG-{po_id:06}");
        sqlx::query("UPDATE purchase_orders SET po_no = $3 WHERE tenant_id = $1 AND id = $2")
            .bind(t)
            .bind(po_id)
            .bind(&po_no)
            .execute(&mut **tx)
            .await?;
        sqlx::query(
            "INSERT INTO purchase_order_lines (tenant_id, purchase_order_id, product_id, warehouse_id, quantity, unit_cost_fen)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(t)
        .bind(po_id)
        .bind(item.product_id)
        .bind(item.warehouse_id)
        .bind(quantity)
        .bind(item.unit_cost_fen)
        .execute(&mut **tx)
        .await?;
        sqlx::query(
            "UPDATE replenishment_requests SET status = 'ordered', purchase_order_id = $3, ordered_by = $4,
                    ordered_at = now() - make_interval(days => $5) + interval '1 day'
             WHERE tenant_id = $1 AND id = $2",
        )
        .bind(t)
        .bind(request_id)
        .bind(po_id)
        .bind(specialist)
        .bind(days)
        .execute(&mut **tx)
        .await?;
        let received = match *state {
            "ordered_partial" => (quantity / 2).max(1).min(quantity),
            "ordered_received" => quantity,
            _ => 0,
        };
        if received > 0 {
            let reason = format!("采购单 {po_no} 收货");
            ledger::post(
                tx,
                t,
                &NewMovement {
                    product_id: item.product_id,
                    warehouse_id: item.warehouse_id,
                    kind: MovementKind::Receipt,
                    quantity: received,
                    reason: &reason,
                    doc: DocType::PurchaseOrder,
                    doc_id: Some(po_id),
                    created_by: Some(wh_specialist),
                },
            )
            .await
            .map_err(ledger_err)?;
            sqlx::query(
                "UPDATE purchase_order_lines SET received_quantity = $3 WHERE tenant_id = $1 AND purchase_order_id = $2",
            )
            .bind(t)
            .bind(po_id)
            .bind(received)
            .execute(&mut **tx)
            .await?;
            let full = received == quantity;
            sqlx::query(
                "WITH clock AS (SELECT now() AS at)
                 UPDATE purchase_orders SET status = $3, received_at = CASE WHEN $3 = 'received' THEN (SELECT at FROM clock) END
                 WHERE tenant_id = $1 AND id = $2",
            )
            .bind(t)
            .bind(po_id)
            .bind(if full { "received" } else { "partial" })
            .execute(&mut **tx)
            .await?;
            sqlx::query("UPDATE products SET last_cost_fen = $3 WHERE tenant_id = $1 AND id = $2")
                .bind(t)
                .bind(item.product_id)
                .bind(item.unit_cost_fen)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}
