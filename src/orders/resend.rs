//! A lost parcel sent again (物流异常 → 补发): its units go back to the order's
//! lines as open quantities, are reserved in a warehouse in the same transaction
//! (all or nothing, like an allocation), and then ship in a new parcel through
//! the usual shipping form. The lost units' shipment movements stay: that stock
//! left and did not come back.

use axum::extract::Path;
use axum::response::Response;
use axum::Form;
use serde::Deserialize;
use serde_json::json;

use super::codes::{ExceptionKind, OrderEvent, OrderStatus};
use super::handlers::{finish, refuse};
use super::shipping::stock_error;
use super::{flow, repo, stock};
use crate::error::{AppError, AppResult};
use crate::people::Action;
use crate::web::{Ctx, FieldErrors, RequestMeta};

#[derive(Debug, Deserialize)]
pub struct ResendForm {
    #[serde(default)]
    pub parcel: String,
    #[serde(default)]
    pub warehouse: String,
}

/// `POST /orders/{id}/resend` (`parcel`, `warehouse`): the order desk re-sends a
/// lost parcel of an order in exception.
pub async fn resend(cx: Ctx, meta: RequestMeta, Path(id): Path<i64>, Form(f): Form<ResendForm>) -> AppResult<Response> {
    let mut tx = cx.begin().await?;
    let order = flow::lock(&cx, &mut tx, id, Action::OrdersOperate).await?;
    if order.status != OrderStatus::Exception {
        return Err(AppError::Conflict(format!(
            "订单 {} {}：只有物流异常（丢件）的订单可以补发",
            order.order_no,
            order.status.label()
        )));
    }
    let next = flow::next(&order, OrderEvent::Allocate, "补发")?;
    flow::not_held(&order, "补发")?;
    let tid = cx.user.tenant_id;
    let parcel_id: i64 = f.parcel.trim().parse().map_err(|_| AppError::BadRequest("请选择要补发的包裹".into()))?;
    let Some((kind, resent, carrier, tracking)) = repo::lock_parcel(&mut tx, tid, id, parcel_id).await? else {
        return Err(AppError::NotFound);
    };
    if resent {
        return Err(AppError::Conflict(format!("包裹 {} {tracking} 已补发过", carrier.label())));
    }
    if kind.as_deref() != Some(ExceptionKind::Lost.code()) {
        return Err(AppError::Conflict(format!("包裹 {} {tracking} 没有登记为丢件，不能补发", carrier.label())));
    }
    let code = f.warehouse.trim();
    let Some((wid, code, _)) = repo::warehouse_choices(&mut tx, tid).await?.into_iter().find(|w| w.1 == code) else {
        let mut errors = FieldErrors::default();
        errors.add(
            "resend_warehouse",
            if code.is_empty() { "请选择仓库".to_owned() } else { format!("仓库“{code}”不存在") },
        );
        return refuse(cx, tx, order, errors, String::new()).await;
    };
    let lines = repo::lines(&mut tx, tid, id).await?;
    if order.warehouse_id.is_some_and(|w| w != wid) && lines.iter().any(|l| l.reserved_qty > 0) {
        return Err(AppError::Conflict(format!(
            "订单在仓库 {} 还有待发的预留，补发也须从该仓库发出",
            order.warehouse_code.as_deref().unwrap_or("")
        )));
    }
    let units = repo::mark_resent(&mut tx, tid, id, parcel_id, cx.user.user_id).await?;
    let lines = repo::lines(&mut tx, tid, id).await?;
    let reserved = stock::allocate(&mut tx, tid, id, wid, &lines).await.map_err(|e| stock_error(e, &code))?;
    repo::set_status(&mut tx, tid, id, next, None).await?;
    let note = format!("丢件 {} {tracking} 的 {units} 件，在仓库 {code} 重新预留 {reserved} 件", carrier.label());
    let after =
        json!({"parcel": parcel_id, "units": units, "warehouse": code, "reserved": reserved, "status": next.code()});
    let message = format!("已补发：{note}，请打印拣货单并发出新包裹");
    finish(&cx, &meta, tx, &order, ("resend", "order.resend"), &note, after, message).await
}
