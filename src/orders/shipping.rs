//! Allocation, parcels, delivery and exceptions: the steps that move stock or
//! follow a parcel. Checked like every change (`flow`: 403 → 404 → 409).

use std::collections::{BTreeMap, HashMap};

use axum::extract::Path;
use axum::response::Response;
use axum::Form;
use serde::Deserialize;
use serde_json::json;

use super::codes::{Carrier, ExceptionKind, OrderEvent, OrderStatus};
use super::handlers::{finish, record, refuse};
use super::repo::{self, LineRow};
use super::stock::{self, StockError};
use super::{flow, repo::OrderRow};
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::people::Action;
use crate::web::{Ctx, FieldErrors, Flash, RequestMeta};

pub(super) fn stock_error(e: StockError, warehouse: &str) -> AppError {
    match e {
        StockError::Short(what) => AppError::Conflict(format!("仓库 {warehouse} 中 {what} 库存不足，未配货")),
        StockError::Ledger(e) => e.into(),
        StockError::Database(e) => e.into(),
    }
}

#[derive(Debug, Deserialize)]
pub struct AllocateForm {
    #[serde(default)]
    pub warehouse: String,
}

pub async fn allocate(
    cx: Ctx,
    meta: RequestMeta,
    Path(id): Path<i64>,
    Form(f): Form<AllocateForm>,
) -> AppResult<Response> {
    let mut tx = cx.begin().await?;
    let order = flow::lock(&cx, &mut tx, id, Action::OrdersOperate).await?;
    let next = flow::next(&order, OrderEvent::Allocate, "配货")?;
    let reassign = order.status == OrderStatus::Allocated;
    if reassign {
        cx.require(Action::OrdersOverride)?;
    }
    flow::not_held(&order, "配货")?;
    let tid = cx.user.tenant_id;
    let code = f.warehouse.trim();
    let Some((wid, code, _)) = repo::warehouse_choices(&mut tx, tid).await?.into_iter().find(|w| w.1 == code) else {
        let mut errors = FieldErrors::default();
        errors.add("warehouse", if code.is_empty() { "请选择仓库".to_owned() } else { format!("仓库“{code}”不存在") });
        return refuse(cx, tx, order, errors, String::new()).await;
    };
    let released =
        if reassign { stock::release_all(&mut tx, tid, id).await.map_err(|e| stock_error(e, &code))? } else { 0 };
    let lines = repo::lines(&mut tx, tid, id).await?;
    let reserved = stock::allocate(&mut tx, tid, id, wid, &lines).await.map_err(|e| stock_error(e, &code))?;
    repo::set_status(&mut tx, tid, id, next, None).await?;
    let (kind, action, message) = if reassign {
        ("reassign", "order.reassign", format!("已改派到仓库 {code}"))
    } else {
        ("allocate", "order.allocate", format!("已在仓库 {code} 配货"))
    };
    let after = json!({"warehouse": code, "reserved": reserved, "released": released});
    finish(&cx, &meta, tx, &order, (kind, action), &format!("仓库 {code}，预留 {reserved} 件"), after, message).await
}

/// `qty_N` fields of the ship form: line number → units (`None` when none given).
fn quantities(form: &HashMap<String, String>, errors: &mut FieldErrors) -> Option<BTreeMap<i32, i64>> {
    let mut out = BTreeMap::new();
    let mut any = false;
    for (k, v) in form {
        let Some(n) = k.strip_prefix("qty_") else { continue };
        let v = v.trim();
        if v.is_empty() {
            continue;
        }
        any = true;
        match (n.parse::<i32>(), v.parse::<i64>()) {
            (Ok(line), Ok(q)) if line >= 1 && q >= 0 => {
                if q > 0 {
                    out.insert(line, q);
                }
            }
            _ => errors.add("qty", format!("{k} 应为非负整数（行号从 1 开始）")),
        }
    }
    any.then_some(out)
}

pub async fn ship(
    cx: Ctx,
    meta: RequestMeta,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let mut tx = cx.begin().await?;
    let order = flow::lock(&cx, &mut tx, id, Action::OrdersShip).await?;
    flow::next(&order, OrderEvent::Ship { rest_allocated: false }, "发货")?;
    flow::not_held(&order, "发货")?;
    let tid = cx.user.tenant_id;
    let mut errors = FieldErrors::default();
    let field = |name: &str| form.get(name).map(|s| s.trim().to_owned()).unwrap_or_default();
    let carrier = Carrier::parse(&field("carrier"));
    if carrier.is_none() {
        errors.add("carrier", format!("请选择承运商（{}）", Carrier::codes()));
    }
    let tracking = field("tracking_no");
    if let Err(e) = flow::tracking_no(&tracking) {
        errors.add("tracking_no", e);
    }
    let lines = repo::lines(&mut tx, tid, id).await?;
    let wanted = match quantities(&form, &mut errors) {
        Some(q) => q,
        None => all_reserved(&lines),
    };
    for (n, q) in &wanted {
        match lines.iter().find(|l| l.line_no == *n) {
            None => errors.add("qty", format!("没有第 {n} 行")),
            Some(l) if *q > l.reserved_qty => {
                errors.add("qty", format!("第 {n} 行（{}）最多可发 {} 件（已预留）", l.sku, l.reserved_qty))
            }
            Some(_) => {}
        }
    }
    if errors.is_empty() && wanted.is_empty() {
        errors.add("qty", NOTHING_RESERVED);
    }
    let (Some(carrier), true) = (carrier, errors.is_empty()) else {
        return refuse(cx, tx, order, errors, String::new()).await;
    };
    let message = send_parcel(&cx, &meta, &mut tx, &order, carrier, &tracking, &wanted).await?;
    tx.commit().await?;
    Ok(Flash::success(message).redirect(&format!("/orders/{id}")))
}

/// Why an order has nothing to ship.
pub(super) const NOTHING_RESERVED: &str = "没有可发的商品：请先配货";

/// Every line's reserved units: what ships when no quantities are given.
pub(super) fn all_reserved(lines: &[LineRow]) -> BTreeMap<i32, i64> {
    lines.iter().filter(|l| l.reserved_qty > 0).map(|l| (l.line_no, l.reserved_qty)).collect()
}

/// Send a parcel of `order` (locked, its state, holds and `wanted` checked by
/// the caller) with `carrier` and `tracking`: the parcel, its `shipment`
/// movements out of the reservation, the order's next state, its timeline event
/// and audit row, in the caller's transaction. The one way an order ships, from
/// its page and from the batch; the message for the user (409 when the tracking
/// number is taken).
pub(super) async fn send_parcel(
    cx: &Ctx,
    meta: &RequestMeta,
    tx: &mut Tx,
    order: &OrderRow,
    carrier: Carrier,
    tracking: &str,
    wanted: &BTreeMap<i32, i64>,
) -> AppResult<String> {
    let (tid, id) = (cx.user.tenant_id, order.id);
    let Some(warehouse) = order.warehouse_id else {
        return Err(AppError::Conflict("订单尚未配货".into()));
    };
    let Some(parcel) = repo::insert_parcel(tx, tid, id, warehouse, carrier, tracking, cx.user.user_id).await? else {
        return Err(AppError::Conflict(format!("{} 运单号 {tracking} 已被使用", carrier.label())));
    };
    let reason = format!("订单 {} 发货（{} {tracking}）", order.order_no, carrier.label());
    let shipped = stock::ship(tx, tid, id, parcel, wanted, &reason, cx.user.user_id)
        .await
        .map_err(|e| stock_error(e, order.warehouse_code.as_deref().unwrap_or("")))?;
    let rest: i64 = repo::lines(tx, tid, id).await?.iter().map(|l| l.reserved_qty).sum();
    let next = flow::next(order, OrderEvent::Ship { rest_allocated: rest > 0 }, "发货")?;
    repo::set_status(tx, tid, id, next, None).await?;
    repo::mark_shipped(tx, tid, id).await?;
    let after = json!({"parcel": parcel, "carrier": carrier.code(), "tracking_no": tracking, "units": shipped, "status": next.code()});
    let note = format!("{} {tracking}，{shipped} 件", carrier.label());
    let message = if rest > 0 {
        format!("已发出一个包裹（{note}），还有 {rest} 件待发")
    } else {
        format!("已发货（{note}）")
    };
    record(cx, meta, tx, order, ("ship", "order.ship"), &note, after, &message).await?;
    Ok(message)
}

/// Lock the order for a parcel-following step (warehouse, ops or service staff).
async fn lock_follow(cx: &Ctx, tx: &mut Tx, id: i64) -> AppResult<OrderRow> {
    let action = if cx.can(Action::OrdersShip) { Action::OrdersShip } else { Action::OrdersOperate };
    flow::lock(cx, tx, id, action).await
}

pub async fn deliver(cx: Ctx, meta: RequestMeta, Path(id): Path<i64>) -> AppResult<Response> {
    let mut tx = cx.begin().await?;
    let order = lock_follow(&cx, &mut tx, id).await?;
    let next = flow::next(&order, OrderEvent::Deliver, "登记签收")?;
    repo::set_status(&mut tx, cx.user.tenant_id, id, next, None).await?;
    repo::parcels_delivered(&mut tx, cx.user.tenant_id, id).await?;
    finish(&cx, &meta, tx, &order, ("deliver", "order.deliver"), "", json!({"status": next.code()}), "已签收".into())
        .await
}

#[derive(Debug, Deserialize)]
pub struct ExceptionForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub note: String,
}

pub async fn exception(
    cx: Ctx,
    meta: RequestMeta,
    Path(id): Path<i64>,
    Form(f): Form<ExceptionForm>,
) -> AppResult<Response> {
    let mut tx = cx.begin().await?;
    let order = lock_follow(&cx, &mut tx, id).await?;
    let next = flow::next(&order, OrderEvent::Exception, "登记物流异常")?;
    let mut errors = FieldErrors::default();
    let kind = ExceptionKind::parse(f.kind.trim());
    if kind.is_none() {
        errors.add("kind", format!("请选择异常类型（{}）", ExceptionKind::codes()));
    }
    let note = f.note.trim().to_owned();
    if note.is_empty() {
        errors.add("exception_note", "请填写处理说明（与承运商的沟通、告知客户的内容）");
    } else if note.chars().count() > 500 {
        errors.add("exception_note", "处理说明最多 500 个字符");
    }
    let (Some(kind), true) = (kind, errors.is_empty()) else {
        return refuse(cx, tx, order, errors, String::new()).await;
    };
    repo::parcel_exception(&mut tx, cx.user.tenant_id, id, kind, &note).await?;
    repo::set_status(&mut tx, cx.user.tenant_id, id, next, None).await?;
    let after = json!({"kind": kind.code(), "note": note});
    let message = format!("已登记物流异常：{}", kind.label());
    finish(
        &cx,
        &meta,
        tx,
        &order,
        ("exception", "order.exception"),
        &format!("{}：{note}", kind.label()),
        after,
        message,
    )
    .await
}
