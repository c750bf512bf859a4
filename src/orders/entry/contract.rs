//! `POST /contracts/{id}/order` (生成订单): the order of a signed sales contract —
//! its customer, its lines (product, quantity, unit price, each line linked to the
//! contract line it comes from), source `contract`, the contract's drafter as the
//! sales rep. A contract is ordered once: its row is locked first, so of two racing
//! requests the second finds its lines ordered (409).

use axum::extract::Path;
use axum::response::Response;

use super::intake;
use crate::catalog::Status as ProductStatus;
use crate::contracts::status::ContractStatus;
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::orders::codes::{Platform, Source};
use crate::orders::repo::{self, ContractToOrder, NewLine, NewOrder};
use crate::orders::ShipTo;
use crate::people::{Action, Scope};
use crate::web::{Ctx, RequestMeta};

/// The audit action and the intake note of an order made from a contract.
pub const STEP: (&str, &str) = ("order.create_from_contract", "合同生成");

pub async fn from_contract(cx: Ctx, meta: RequestMeta, Path(id): Path<i64>) -> AppResult<Response> {
    // The order desk takes orders in for any contract of the tenant; a contract's
    // signers (its drafter, its department's manager) for the contracts they see.
    let desk = cx.can(Action::OrdersOperate);
    if !desk && !cx.can(Action::ContractsDraft) {
        return Err(AppError::Forbidden);
    }
    let tid = cx.user.tenant_id;
    let mut tx = cx.begin().await?;
    let scope = if desk { Scope::Tenant } else { crate::contracts::view_scope(&cx.user) };
    let c = repo::lock_contract(&mut tx, tid, &scope, id).await?.ok_or(AppError::NotFound)?;
    if !crate::contracts::may_order(&cx.user, c.drafted_by, &c.department) {
        return Err(AppError::Forbidden);
    }
    let order = order_of(&mut tx, tid, c, cx.user.user_id).await?;
    intake(&cx, &meta, tx, order, STEP).await
}

/// The order of the signed sales contract `c` (its row locked by the caller): what
/// 生成订单 takes in, and the demo's orders from contracts. 409 when the contract is
/// not a signed sales contract, when any of its lines is ordered already, when it
/// has no lines or one of an eliminated product.
pub async fn order_of(tx: &mut Tx, tid: i64, c: ContractToOrder, created_by: i64) -> AppResult<NewOrder> {
    let no = &c.contract_no;
    if c.kind != "sales" {
        return Err(AppError::Conflict(format!("合同 {no} 是采购合同：只有销售合同可以生成订单")));
    }
    if c.status != ContractStatus::Signed {
        let status = c.status.label();
        return Err(AppError::Conflict(format!("合同 {no} 当前为「{status}」：签订后才能生成订单")));
    }
    let ordered = repo::orders_of_lines(tx, tid, c.id).await?;
    if !ordered.is_empty() {
        return Err(AppError::Conflict(format!("合同 {no} 已生成订单 {}：一份合同只生成一次订单", ordered.join("、"))));
    }
    let lines = repo::contract_lines(tx, tid, c.id).await?;
    if lines.is_empty() {
        return Err(AppError::Conflict(format!("合同 {no} 没有商品明细，不能生成订单")));
    }
    if let Some(l) = lines.iter().find(|l| l.status == ProductStatus::Eliminated) {
        return Err(AppError::Conflict(format!("合同 {no} 的商品 {}（{}）已汰换，不能生成订单", l.name, l.sku)));
    }
    let lines: Vec<NewLine> = lines
        .iter()
        .map(|l| NewLine {
            product_id: l.product_id,
            quantity: l.quantity,
            unit_price_fen: l.price_fen,
            contract_line_id: Some(l.id),
        })
        .collect();
    let amounts: Vec<(i64, i64)> = lines.iter().map(|l| (l.quantity, l.unit_price_fen)).collect();
    let (goods_fen, _) =
        super::form::totals(&amounts, 0, 0).map_err(|e| AppError::Conflict(format!("合同 {no}：{e}")))?;
    Ok(NewOrder {
        platform: Platform::Offline,
        order_no: String::new(),
        shop: String::new(),
        source: Source::Contract,
        customer_id: Some(c.partner_id),
        contract_id: Some(c.id),
        buyer: c.partner_name,
        // The customer's contact, phone and address (partners keep one address
        // line); what is missing holds the order (`address`).
        ship_to: ShipTo { receiver: c.contact, phone: c.phone, address: c.address, ..ShipTo::default() },
        buyer_note: String::new(),
        seller_note: format!("合同 {no}"),
        shipping_fen: 0,
        discount_fen: 0,
        paid_fen: goods_fen,
        ordered_at: chrono::Utc::now(),
        // Paid as the contract's terms say: recorded on the order (or the ops
        // manager releases the hold for credit).
        paid_at: None,
        rep_id: Some(c.drafted_by),
        rep_department: Some(c.department),
        created_by: Some(created_by),
        campaign_id: None,
        lines,
    })
}
