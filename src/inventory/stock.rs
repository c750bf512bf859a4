//! Stock pages: the levels list, an item's page (levels and movement history),
//! the levels form (ops manager) and the manual movement form (InventoryOperate).

use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use super::ledger::{self, DocType, LedgerError, MovementKind, NewMovement};
use super::repo::{self, StockFilter};
use super::views::{ItemPage, ItemQuery, LevelsForm, MoveForm, StockPage, StockQuery};
use crate::audit::{self, Actor, Entry};
use crate::catalog::repo as catalog;
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::people::Action;
use crate::web::forms::non_empty;
use crate::web::pagination::query_string;
use crate::web::{Ctx, FieldErrors, Flash, Pager, RequestMeta};

/// `slow=1` as the instant from which a shipment makes stock not slow (now − 90
/// days); empty or `0` is no filter, anything else a 400.
fn slow_since(raw: &str) -> AppResult<Option<DateTime<Utc>>> {
    match raw.trim() {
        "" | "0" => Ok(None),
        "1" => Ok(Some(Utc::now() - Duration::days(repo::SLOW_DAYS))),
        other => {
            Err(AppError::BadRequest(format!("slow“{other}”无效（应为 1：只看 {} 天未出库的库存）", repo::SLOW_DAYS)))
        }
    }
}

pub async fn list(mut ctx: Ctx, Query(q): Query<StockQuery>) -> AppResult<StockPage> {
    ctx.require(Action::CatalogView)?;
    let filter = StockFilter {
        warehouse_id: match non_empty(&q.warehouse) {
            None => None,
            Some(w) => Some(w.parse().map_err(|_| AppError::BadRequest(format!("无效的仓库：{w}")))?),
        },
        q: non_empty(&q.q).map(str::to_owned),
        low: !q.low.is_empty(),
    };
    let slow = slow_since(&q.slow)?;
    let pager = Pager::new(
        "/inventory/stock",
        q.page,
        query_string(&[("warehouse", &q.warehouse), ("q", &q.q), ("low", &q.low), ("slow", &q.slow)]),
    );
    let mut tx = ctx.begin().await?;
    let warehouses = repo::all_warehouses(&mut tx, ctx.user.tenant_id).await?;
    let (rows, total) = repo::stock_filtered(
        &mut tx,
        ctx.user.tenant_id,
        &filter,
        slow,
        pager.per_page,
        pager.offset(),
        pager.count_limit(),
    )
    .await?;
    tx.commit().await?;
    Ok(StockPage {
        chrome: ctx.chrome("库存", "/inventory/stock"),
        q,
        warehouses,
        rows,
        pager: pager.with_total(total),
    })
}

/// The most rows one export holds (the whole list of a big tenant fits).
const EXPORT_MAX_ROWS: i64 = 2_000_000;

/// `GET /inventory/stock.csv`: the stock list as CSV (UTF-8 with BOM, CRLF), with
/// the list's filters (`warehouse`: a code, or the list's id; `q`; `low`; `slow`).
pub async fn export(ctx: Ctx, Query(q): Query<StockQuery>) -> AppResult<Response> {
    ctx.require(Action::CatalogView)?;
    let slow_since = slow_since(&q.slow)?;
    let mut tx = ctx.begin().await?;
    let warehouses = repo::all_warehouses(&mut tx, ctx.user.tenant_id).await?;
    let warehouse_id = match non_empty(&q.warehouse) {
        None => None,
        Some(w) => Some(
            warehouses
                .iter()
                .find(|x| x.code == w)
                .or_else(|| w.parse::<i64>().ok().and_then(|id| warehouses.iter().find(|x| x.id == id)))
                .map(|x| x.id)
                .ok_or_else(|| AppError::BadRequest(format!("无效的仓库：{w}")))?,
        ),
    };
    let filter = StockFilter { warehouse_id, q: non_empty(&q.q).map(str::to_owned), low: !q.low.is_empty() };
    let (rows, _) =
        repo::stock_filtered(&mut tx, ctx.user.tenant_id, &filter, slow_since, EXPORT_MAX_ROWS, 0, 1).await?;
    tx.commit().await?;
    let header =
        ["sku", "name", "warehouse", "on_hand", "reserved", "available", "safety_stock", "reorder_point", "max_level"];
    let body = crate::web::csv::build(
        &header,
        rows.iter().map(|r| {
            let n = |v: i64| v.to_string();
            [
                r.sku.clone(),
                r.product_name.clone(),
                r.warehouse_code.clone(),
                n(r.on_hand),
                n(r.reserved),
                n(r.available()),
                n(r.safety_stock),
                n(r.reorder_point),
                n(r.max_level),
            ]
        }),
    )?;
    Ok(crate::web::csv::download(&format!("stock-{}.csv", ctx.user.tenant_code), body))
}

/// The item page with empty forms (the caller fills in what was typed and errors).
async fn item_page(
    tx: &mut Tx,
    ctx: &mut Ctx,
    product_id: i64,
    warehouse_id: i64,
    page: Option<i64>,
) -> AppResult<ItemPage> {
    let product = catalog::find(tx, ctx.user.tenant_id, product_id).await?.ok_or(AppError::NotFound)?;
    let warehouse = repo::find_warehouse(tx, ctx.user.tenant_id, warehouse_id).await?.ok_or(AppError::NotFound)?;
    let level = repo::level(tx, ctx.user.tenant_id, product_id, warehouse_id).await?.unwrap_or_default();
    let path = format!("/inventory/stock/{product_id}/{warehouse_id}");
    let pager = Pager::new(&path, page, String::new());
    let (movements, total) = repo::movements(
        tx,
        ctx.user.tenant_id,
        product_id,
        warehouse_id,
        pager.per_page,
        pager.offset(),
        pager.count_limit(),
    )
    .await?;
    let others = repo::all_warehouses(tx, ctx.user.tenant_id)
        .await?
        .into_iter()
        .filter(|w| w.id != warehouse_id && w.is_active)
        .collect();
    Ok(ItemPage {
        chrome: ctx.chrome(format!("库存：{} · {}", product.name, warehouse.name), "/inventory/stock"),
        levels_form: LevelsForm {
            safety_stock: level.safety_stock.to_string(),
            reorder_point: level.reorder_point.to_string(),
            max_level: level.max_level.to_string(),
        },
        product,
        warehouse,
        level,
        movements,
        pager: pager.with_total(total),
        others,
        can_levels: ctx.can(Action::InventoryLevels),
        can_move: ctx.can(Action::InventoryOperate),
        levels_errors: FieldErrors::default(),
        move_form: MoveForm::default(),
        move_errors: FieldErrors::default(),
        tz: ctx.user.settings.time_zone,
    })
}

pub async fn item(
    mut ctx: Ctx,
    Path((product_id, warehouse_id)): Path<(i64, i64)>,
    Query(q): Query<ItemQuery>,
) -> AppResult<ItemPage> {
    ctx.require(Action::CatalogView)?;
    let mut tx = ctx.begin().await?;
    let page = item_page(&mut tx, &mut ctx, product_id, warehouse_id, q.page).await?;
    tx.commit().await?;
    Ok(page)
}

fn non_negative(s: &str, field: &'static str, label: &str, errors: &mut FieldErrors) -> Option<i64> {
    match s.trim().parse::<i64>() {
        Ok(v) if (0..=1_000_000_000).contains(&v) => Some(v),
        _ => {
            errors.add(field, format!("{label}必须是 0 到 1000000000 之间的整数"));
            None
        }
    }
}

/// Validate the three levels: integers ≥ 0 with safety ≤ reorder ≤ max.
pub fn validate_levels(form: &LevelsForm, errors: &mut FieldErrors) -> Option<(i64, i64, i64)> {
    let safety = non_negative(&form.safety_stock, "safety_stock", "安全库存", errors);
    let reorder = non_negative(&form.reorder_point, "reorder_point", "补货点", errors);
    let max = non_negative(&form.max_level, "max_level", "最高库存", errors);
    let (safety, reorder, max) = (safety?, reorder?, max?);
    if safety > reorder {
        errors.add("safety_stock", "安全库存不能高于补货点");
    }
    if reorder > max {
        errors.add("max_level", "最高库存不能低于补货点");
    }
    errors.is_empty().then_some((safety, reorder, max))
}

pub async fn set_levels(
    meta: RequestMeta,
    mut ctx: Ctx,
    Path((product_id, warehouse_id)): Path<(i64, i64)>,
    Form(form): Form<LevelsForm>,
) -> AppResult<Response> {
    ctx.require(Action::InventoryLevels)?;
    let mut tx = ctx.begin().await?;
    let product = catalog::find(&mut tx, ctx.user.tenant_id, product_id).await?.ok_or(AppError::NotFound)?;
    let warehouse = repo::find_warehouse(&mut tx, ctx.user.tenant_id, warehouse_id).await?.ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::default();
    let Some((safety, reorder, max)) = validate_levels(&form, &mut errors) else {
        let mut page = item_page(&mut tx, &mut ctx, product_id, warehouse_id, None).await?;
        tx.rollback().await?;
        page.levels_form = form;
        page.levels_errors = errors;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let before = repo::lock_level(&mut tx, ctx.user.tenant_id, product_id, warehouse_id).await?;
    repo::set_levels(&mut tx, ctx.user.tenant_id, product_id, warehouse_id, safety, reorder, max).await?;
    audit::record(
        &mut tx,
        ctx.user.tenant_id,
        &Actor::user(&ctx.user, &meta),
        Entry {
            action: "stock.levels",
            entity_type: Some("stock_level"),
            entity_id: Some(format!("{product_id}/{warehouse_id}")),
            summary: format!(
                "设置 {}（{}）在 {} 的库存水位：安全 {safety}、补货点 {reorder}、最高 {max}",
                product.name, product.sku, warehouse.name
            ),
            before: Some(json!({
                "safety_stock": before.safety_stock, "reorder_point": before.reorder_point, "max_level": before.max_level,
            })),
            after: Some(json!({"safety_stock": safety, "reorder_point": reorder, "max_level": max})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Flash::success("库存水位已保存。").redirect(&format!("/inventory/stock/{product_id}/{warehouse_id}")))
}

/// A validated manual movement.
enum Move {
    Single(MovementKind, i64),
    Transfer { to: i64, quantity: i64 },
}

fn validate_move(form: &MoveForm, others: &[i64], errors: &mut FieldErrors) -> Option<Move> {
    let kind = form.kind.trim();
    let qty: Option<i64> = form.quantity.trim().parse().ok().filter(|q: &i64| q.abs() <= 1_000_000_000);
    let reason = form.reason.trim();
    if reason.is_empty() {
        errors.add("reason", "请填写变动原因");
    } else if reason.chars().count() > 500 {
        errors.add("reason", "变动原因最多 500 个字符");
    }
    let single = |k: MovementKind, errors: &mut FieldErrors| match qty {
        Some(q) if q > 0 => Some(Move::Single(k, q * k.sign())),
        _ => {
            errors.add("quantity", "数量必须是正整数");
            None
        }
    };
    let m = match kind {
        "receipt" => single(MovementKind::Receipt, errors),
        "shipment" => single(MovementKind::Shipment, errors),
        "return" => single(MovementKind::Return, errors),
        "adjustment" => match qty {
            Some(q) if q != 0 => Some(Move::Single(MovementKind::Adjustment, q)),
            _ => {
                errors.add("quantity", "调整数量必须是非零整数（负数表示减少）");
                None
            }
        },
        "transfer" => {
            let to = form.to_warehouse.trim().parse::<i64>().ok().filter(|w| others.contains(w));
            if to.is_none() {
                errors.add("to_warehouse", "请选择调入仓库（另一个在用仓库）");
            }
            match (to, qty) {
                (Some(to), Some(q)) if q > 0 => Some(Move::Transfer { to, quantity: q }),
                (_, Some(q)) if q > 0 => None,
                _ => {
                    errors.add("quantity", "数量必须是正整数");
                    None
                }
            }
        }
        _ => {
            errors.add("kind", "请选择变动类型");
            None
        }
    };
    m.filter(|_| errors.is_empty())
}

pub async fn post_movement(
    meta: RequestMeta,
    mut ctx: Ctx,
    Path((product_id, warehouse_id)): Path<(i64, i64)>,
    Form(form): Form<MoveForm>,
) -> AppResult<Response> {
    ctx.require(Action::InventoryOperate)?;
    let mut tx = ctx.begin().await?;
    let product = catalog::find(&mut tx, ctx.user.tenant_id, product_id).await?.ok_or(AppError::NotFound)?;
    let warehouse = repo::find_warehouse(&mut tx, ctx.user.tenant_id, warehouse_id).await?.ok_or(AppError::NotFound)?;
    let warehouses = repo::all_warehouses(&mut tx, ctx.user.tenant_id).await?;
    let others: Vec<i64> = warehouses.iter().filter(|w| w.id != warehouse_id && w.is_active).map(|w| w.id).collect();
    let mut errors = FieldErrors::default();
    let mv = validate_move(&form, &others, &mut errors);
    if let Some(Move::Single(k, _)) = &mv {
        if !warehouse.is_active && k.sign() > 0 {
            errors.add("kind", "该仓库已停用，不能入库");
        }
    }
    let reason = form.reason.trim();
    let result = match mv.as_ref().filter(|_| errors.is_empty()) {
        None => None,
        Some(Move::Single(kind, quantity)) => {
            let m = NewMovement {
                product_id,
                warehouse_id,
                kind: *kind,
                quantity: *quantity,
                reason,
                doc: DocType::Manual,
                doc_id: None,
                created_by: Some(ctx.user.user_id),
            };
            Some(ledger::post(&mut tx, ctx.user.tenant_id, &m).await.map(|(id, _)| id))
        }
        Some(Move::Transfer { to, quantity }) => Some(
            ledger::transfer(
                &mut tx,
                ctx.user.tenant_id,
                product_id,
                warehouse_id,
                *to,
                *quantity,
                reason,
                Some(ctx.user.user_id),
            )
            .await,
        ),
    };
    let mut insufficient = false;
    let movement_id = match result {
        Some(Ok(id)) => Some(id),
        Some(Err(LedgerError::Insufficient)) => {
            insufficient = true;
            None
        }
        Some(Err(LedgerError::Invalid(m))) => {
            errors.add("quantity", m);
            None
        }
        Some(Err(LedgerError::Database(e))) => return Err(e.into()),
        None => None,
    };
    let Some(movement_id) = movement_id else {
        // Nothing of a refused movement is kept.
        tx.rollback().await?;
        let mut tx = ctx.begin().await?;
        let mut page = item_page(&mut tx, &mut ctx, product_id, warehouse_id, None).await?;
        tx.commit().await?;
        if insufficient {
            let l = &page.level;
            errors.add(
                "quantity",
                format!(
                    "库存不足：当前可用 {}（在库 {}，已预留 {}），未做任何变动",
                    l.available(),
                    l.on_hand,
                    l.reserved
                ),
            );
        }
        page.move_form = form;
        page.move_errors = errors;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let (action, summary, after) = match mv {
        Some(Move::Transfer { to, quantity }) => {
            let to_name = warehouses.iter().find(|w| w.id == to).map_or("?", |w| w.name.as_str());
            (
                "stock.transfer",
                format!(
                    "调拨 {}（{}）{quantity} {}：{} → {to_name}；{reason}",
                    product.name, product.sku, product.unit, warehouse.name
                ),
                json!({"movement_id": movement_id, "from_warehouse": warehouse_id, "to_warehouse": to, "quantity": quantity, "reason": reason}),
            )
        }
        Some(Move::Single(kind, quantity)) => (
            "stock.move",
            format!(
                "{} {}（{}）{quantity} {}，{}；{reason}",
                kind.label(),
                product.name,
                product.sku,
                product.unit,
                warehouse.name
            ),
            json!({"movement_id": movement_id, "warehouse": warehouse_id, "kind": kind.code(), "quantity": quantity, "reason": reason}),
        ),
        None => return Err(AppError::Internal(anyhow::anyhow!("a movement without a kind"))),
    };
    audit::record(
        &mut tx,
        ctx.user.tenant_id,
        &Actor::user(&ctx.user, &meta),
        Entry {
            action,
            entity_type: Some("stock_movement"),
            entity_id: Some(movement_id.to_string()),
            summary,
            before: None,
            after: Some(after),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Flash::success("库存变动已登记。").redirect(&format!("/inventory/stock/{product_id}/{warehouse_id}")))
}
