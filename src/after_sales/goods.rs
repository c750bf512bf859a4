//! Goods back and out again: receiving returned goods (restock through the
//! ledger, or scrap), sending an exchange's replacement or the repaired goods out
//! (a parcel with a tracking number), and closing a case. Each step: permission
//! (403) → the case locked within scope (404) → its state (`flow`, 409) → the
//! change, its timeline event and audit row in one transaction.

use std::collections::HashMap;

use axum::extract::Path;
use axum::response::Response;
use axum::Form;
use serde_json::json;

use super::codes::{CaseKind, Disposition};
use super::flow::{self, CaseEvent};
use super::handlers::{finish, refuse};
use super::repo::{self, CaseRow};
use super::scope;
use super::views::Typed;
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::inventory::ledger::{self, DocType, MovementKind, NewMovement};
use crate::orders::codes::Carrier;
use crate::orders::repo as orders;
use crate::orders::stock::{self as order_stock, StockError};
use crate::people::Action;
use crate::web::{Ctx, FieldErrors, RequestMeta};

/// Check `action`, then lock the case within scope.
pub(super) async fn lock(cx: &Ctx, tx: &mut Tx, id: i64, action: Action) -> AppResult<CaseRow> {
    cx.require(action)?;
    repo::find(tx, cx.user.tenant_id, &scope(&cx.user), id, true).await?.ok_or(AppError::NotFound)
}

fn field(form: &HashMap<String, String>, name: &str) -> String {
    form.get(name).map(|s| s.trim().to_owned()).unwrap_or_default()
}

/// The warehouse of a form's code: its id, or the field's error.
async fn warehouse(tx: &mut Tx, tenant_id: i64, code: &str, errors: &mut FieldErrors) -> AppResult<Option<i64>> {
    let found = orders::warehouse_choices(tx, tenant_id).await?.into_iter().find(|w| w.1 == code).map(|w| w.0);
    if found.is_none() {
        errors.add("warehouse", if code.is_empty() { "请选择仓库".to_owned() } else { format!("仓库“{code}”不存在") });
    }
    Ok(found)
}

/// `POST /after-sales/{id}/receive`: `disposition` (`restock` or `scrap`; a repair
/// keeps the item for repair and needs none), `warehouse` (code, for restock),
/// `quantity` (optional: default everything still to come back).
pub async fn receive(
    cx: Ctx,
    meta: RequestMeta,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let mut tx = cx.begin().await?;
    let case = lock(&cx, &mut tx, id, Action::AfterSalesReceive).await?;
    flow::next(&case, CaseEvent::Receive { complete: true }, "登记收货")?;
    let tid = cx.user.tenant_id;
    let mut errors = FieldErrors::default();
    let left = case.quantity - case.received_qty;
    let typed = Typed {
        quantity: field(&form, "quantity"),
        disposition: field(&form, "disposition"),
        warehouse: field(&form, "warehouse"),
        ..Typed::default()
    };
    let quantity = match typed.quantity.as_str() {
        "" => Some(left),
        q => match q.parse::<i64>() {
            Ok(q) if (1..=left).contains(&q) => Some(q),
            _ => {
                errors.add("quantity", format!("收货数量应为 1 到 {left} 的整数（还有 {left} 件未收回）"));
                None
            }
        },
    };
    let disposition = if case.kind == CaseKind::Repair {
        Some(Disposition::Repair)
    } else {
        match Disposition::parse(&typed.disposition) {
            Some(d @ (Disposition::Restock | Disposition::Scrap)) => Some(d),
            _ => {
                errors.add("disposition", "请选择处理方式：restock（入库）或 scrap（报废）");
                None
            }
        }
    };
    let warehouse_id = match disposition {
        Some(Disposition::Restock) => warehouse(&mut tx, tid, &typed.warehouse, &mut errors).await?,
        _ => None,
    };
    let (Some(quantity), Some(disposition), true) = (quantity, disposition, errors.is_empty()) else {
        return refuse(cx, tx, case, errors, typed).await;
    };
    let reason = format!("售后单 {} 退回（订单 {}）", case.case_no, case.order_no);
    let movement_id = match warehouse_id {
        Some(wid) => {
            let m = NewMovement {
                product_id: case.product_id,
                warehouse_id: wid,
                kind: MovementKind::Return,
                quantity,
                reason: &reason,
                doc: DocType::AfterSale,
                doc_id: Some(case.id),
                created_by: Some(cx.user.user_id),
            };
            Some(ledger::post(&mut tx, tid, &m).await?.0)
        }
        None => None,
    };
    repo::receive(&mut tx, tid, case.id, quantity, disposition, warehouse_id, movement_id, cx.user.user_id).await?;
    if case.kind != CaseKind::Repair {
        // The customer gave these back: the order line's returned quantity.
        orders::returned(&mut tx, tid, case.order_id, case.line_no, quantity).await?;
    }
    let complete = quantity == left;
    let status = flow::next(&case, CaseEvent::Receive { complete }, "登记收货")?;
    repo::set_status(&mut tx, tid, case.id, status).await?;
    let place = match disposition {
        Disposition::Restock => format!("入库 {}", typed.warehouse),
        d => d.label().to_owned(),
    };
    let note = format!("收回 {} × {quantity}，{place}", case.sku);
    let message = if complete {
        format!("已收货：{note}")
    } else {
        format!("已部分收货：{note}，还差 {} 件", left - quantity)
    };
    let after = json!({"quantity": quantity, "disposition": disposition.code(), "warehouse": typed.warehouse,
                       "movement": movement_id, "status": status.code()});
    finish(&cx, &meta, tx, &case, ("receive", "after_sale.receive"), &note, after, message).await
}

/// `POST /after-sales/{id}/reship`: `warehouse` (code), `carrier`, `tracking_no`.
/// An exchange sends its replacement out of that warehouse (reserved, then a
/// `shipment` movement whose document is the case); a repair sends the customer's
/// own item back (the parcel alone, no stock).
pub async fn send_out(
    cx: Ctx,
    meta: RequestMeta,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let mut tx = cx.begin().await?;
    let case = lock(&cx, &mut tx, id, Action::AfterSalesOperate).await?;
    let status = flow::next(&case, CaseEvent::SendOut, "寄出")?;
    let tid = cx.user.tenant_id;
    let mut errors = FieldErrors::default();
    let typed = Typed {
        warehouse: field(&form, "warehouse"),
        carrier: field(&form, "carrier"),
        tracking_no: field(&form, "tracking_no"),
        ..Typed::default()
    };
    let warehouse_id = warehouse(&mut tx, tid, &typed.warehouse, &mut errors).await?;
    let carrier = Carrier::parse(&typed.carrier);
    if carrier.is_none() {
        errors.add("carrier", format!("请选择承运商（{}）", Carrier::codes()));
    }
    if let Err(e) = crate::orders::flow::tracking_no(&typed.tracking_no) {
        errors.add("tracking_no", e);
    }
    let (Some(wid), Some(carrier), true) = (warehouse_id, carrier, errors.is_empty()) else {
        return refuse(cx, tx, case, errors, typed).await;
    };
    let tracking = typed.tracking_no.as_str();
    let Some(parcel) =
        orders::insert_parcel(&mut tx, tid, case.order_id, wid, carrier, tracking, cx.user.user_id).await?
    else {
        return Err(AppError::Conflict(format!("{} 运单号 {tracking} 已被使用", carrier.label())));
    };
    orders::parcel_for_case(&mut tx, tid, parcel, case.id).await?;
    if case.kind == CaseKind::Exchange {
        let reason = format!("售后单 {} 换货发出（{} {tracking}）", case.case_no, carrier.label());
        order_stock::send_for_case(
            &mut tx,
            tid,
            case.id,
            wid,
            case.product_id,
            (&case.sku, case.quantity),
            &reason,
            cx.user.user_id,
        )
        .await
        .map_err(|e| match e {
            StockError::Short(sku) => AppError::Conflict(format!(
                "仓库 {} 中 {sku} 可用库存不足 {} 件，未发出",
                typed.warehouse, case.quantity
            )),
            e => e.into(),
        })?;
    }
    repo::sent_out(&mut tx, tid, case.id, parcel).await?;
    repo::set_status(&mut tx, tid, case.id, status).await?;
    let what = if case.kind == CaseKind::Exchange { "换货商品" } else { "维修后的商品" };
    let note =
        format!("{what} {} × {}：{} {tracking}（仓库 {}）", case.sku, case.quantity, carrier.label(), typed.warehouse);
    let after = json!({"parcel": parcel, "carrier": carrier.code(), "tracking_no": tracking,
                       "warehouse": typed.warehouse, "status": status.code()});
    finish(&cx, &meta, tx, &case, ("reship", "after_sale.reship"), &note, after, format!("已寄出{what}")).await
}

/// `POST /after-sales/{id}/close`: the case is done (refunded, reshipped or repaired).
pub async fn close(cx: Ctx, meta: RequestMeta, Path(id): Path<i64>) -> AppResult<Response> {
    let mut tx = cx.begin().await?;
    let case = lock(&cx, &mut tx, id, Action::AfterSalesOperate).await?;
    let status = flow::next(&case, CaseEvent::Close, "完结")?;
    repo::set_status(&mut tx, cx.user.tenant_id, case.id, status).await?;
    finish(&cx, &meta, tx, &case, ("close", "after_sale.close"), "", json!({"status": status.code()}), "已完结".into())
        .await
}
