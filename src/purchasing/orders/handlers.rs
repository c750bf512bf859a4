//! Purchase order pages: create from an approved request, the list, the printable
//! order and receiving.

use std::collections::HashMap;

use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde_json::json;

use super::repo::{self, NewOrder, OrderFilter, OrderRow};
use super::views::{ListQuery, NewQuery, OrderForm, OrderFormPage, OrderPage, OrdersPage};
use crate::audit::{self, Actor, Entry};
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::inventory::ledger::{self, DocType, MovementKind, NewMovement};
use crate::people::Action;
use crate::purchasing::flow::{OrderStatus, RequestEvent, RequestStatus};
use crate::purchasing::repo::{fetch_any, RequestRow};
use crate::purchasing::yuan;
use crate::rules::Fen;
use crate::web::forms::non_empty;
use crate::web::forms::Choice;
use crate::web::pagination::query_string;
use crate::web::{Ctx, FieldErrors, Flash, Pager, RequestMeta};

// ---------- create from an approved request ----------

fn parse_id(s: &str) -> AppResult<i64> {
    s.trim().parse::<i64>().map_err(|_| AppError::NotFound)
}

/// An approved request of the tenant, locked or not: 404 / 409 otherwise.
async fn approved_request(tx: &mut Tx, tenant_id: i64, id: i64, lock: bool) -> AppResult<RequestRow> {
    let req = fetch_any(tx, tenant_id, id, lock).await?.ok_or(AppError::NotFound)?;
    if req.status != RequestStatus::Approved {
        return Err(AppError::Conflict(format!(
            "补货申请 #{id} 当前为“{}”，只有已批准的申请才能生成采购单",
            req.status_label()
        )));
    }
    Ok(req)
}

pub async fn new_form(mut ctx: Ctx, Query(q): Query<NewQuery>) -> AppResult<OrderFormPage> {
    ctx.require(Action::PurchaseOrders)?;
    let id = parse_id(&q.request)?;
    let mut tx = ctx.begin().await?;
    let req = approved_request(&mut tx, ctx.user.tenant_id, id, false).await?;
    let default_supplier = match req.default_supplier_id {
        Some(sid) => repo::default_supplier_code(&mut tx, ctx.user.tenant_id, sid).await?,
        None => None,
    };
    let suppliers = repo::supplier_choices(&mut tx, ctx.user.tenant_id).await?;
    tx.commit().await?;
    let form = OrderForm {
        request: id.to_string(),
        supplier: default_supplier.unwrap_or_default(),
        unit_cost: yuan(req.last_cost_fen.unwrap_or(req.price_fen)),
        note: String::new(),
    };
    Ok(OrderFormPage {
        chrome: ctx.chrome("生成采购单", "/purchasing/orders"),
        req,
        form,
        errors: FieldErrors::default(),
        suppliers,
    })
}

pub async fn create(meta: RequestMeta, mut ctx: Ctx, Form(form): Form<OrderForm>) -> AppResult<Response> {
    ctx.require(Action::PurchaseOrders)?;
    let request_id = parse_id(&form.request)?;
    let mut tx = ctx.begin().await?;
    let req = approved_request(&mut tx, ctx.user.tenant_id, request_id, true).await?;
    let mut errors = FieldErrors::default();
    let supplier_code = form.supplier.trim();
    let supplier = if supplier_code.is_empty() {
        errors.add("supplier", "请选择供应商");
        None
    } else {
        repo::supplier_by_code(&mut tx, ctx.user.tenant_id, supplier_code).await?
    };
    match &supplier {
        None if !supplier_code.is_empty() => errors.add("supplier", format!("没有编码为 {supplier_code} 的供应商")),
        Some(s) if !s.is_active => errors.add("supplier", "该供应商已停用"),
        _ => {}
    }
    let unit_cost = match Fen::parse_non_negative_yuan(form.unit_cost.trim()) {
        Ok(f) if f.0 <= 10_000_000_000 => Some(f.0),
        _ if form.unit_cost.trim().is_empty() => {
            errors.add("unit_cost", "请填写采购单价");
            None
        }
        _ => {
            errors.add("unit_cost", "采购单价应为不小于 0 的金额（元，最多两位小数）");
            None
        }
    };
    let note = form.note.trim().to_owned();
    if note.chars().count() > 500 {
        errors.add("note", "备注最多 500 个字符");
    }
    let (Some(supplier), Some(unit_cost), true) = (supplier.filter(|s| s.is_active), unit_cost, errors.is_empty())
    else {
        let suppliers = repo::supplier_choices(&mut tx, ctx.user.tenant_id).await?;
        tx.rollback().await?;
        let page =
            OrderFormPage { chrome: ctx.chrome("生成采购单", "/purchasing/orders"), req, form, errors, suppliers };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let new_order = NewOrder {
        supplier_id: supplier.id,
        warehouse_id: req.warehouse_id,
        note: &note,
        created_by: ctx.user.user_id,
        product_id: req.product_id,
        quantity: req.quantity,
        unit_cost_fen: unit_cost,
    };
    let (po_id, po_no) = repo::insert_order(&mut tx, ctx.user.tenant_id, &new_order).await?;
    let ordered = req.status.next(RequestEvent::Order).ok_or_else(|| {
        AppError::Conflict(format!("补货申请 #{request_id} 当前为“{}”，不能生成采购单", req.status_label()))
    })?;
    repo::set_request_ordered(&mut tx, ctx.user.tenant_id, request_id, po_id, ctx.user.user_id, ordered).await?;
    audit::record(
        &mut tx,
        ctx.user.tenant_id,
        &Actor::user(&ctx.user, &meta),
        Entry {
            action: "purchase_order.create",
            entity_type: Some("purchase_order"),
            entity_id: Some(po_id.to_string()),
            summary: format!(
                "由补货申请 #{request_id} 生成采购单 {po_no}：向 {} 采购 {}（{}）{} {}，单价 ¥{}",
                supplier.name,
                req.product_name,
                req.sku,
                req.quantity,
                req.unit,
                yuan(unit_cost)
            ),
            before: Some(json!({"request": request_id, "request_status": "approved"})),
            after: Some(json!({
                "po_no": po_no, "supplier": supplier.code, "warehouse": req.warehouse_code, "request": request_id,
                "request_status": "ordered",
                "lines": [{"sku": req.sku, "quantity": req.quantity, "unit_cost_fen": unit_cost}]
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Flash::success(format!("已生成采购单 {po_no}。")).redirect(&format!("/purchasing/orders/{po_id}")))
}

// ---------- list ----------

pub async fn list(mut ctx: Ctx, Query(q): Query<ListQuery>) -> AppResult<OrdersPage> {
    ctx.require(Action::InventoryView)?;
    let status = non_empty(&q.status);
    if let Some(s) = status {
        if OrderStatus::parse(s).is_none() {
            return Err(AppError::BadRequest(format!("未知状态：{s}")));
        }
    }
    let pager =
        Pager::new("/purchasing/orders", q.page, query_string(&[("status", &q.status), ("supplier", &q.supplier)]));
    let can_order = ctx.can(Action::PurchaseOrders);
    let mut tx = ctx.begin().await?;
    let filter = OrderFilter { status, supplier_code: non_empty(&q.supplier) };
    let (rows, total) =
        repo::list(&mut tx, ctx.user.tenant_id, &filter, pager.per_page, pager.offset(), pager.count_limit()).await?;
    let suppliers = repo::supplier_choices(&mut tx, ctx.user.tenant_id).await?;
    let awaiting = if can_order { repo::awaiting(&mut tx, ctx.user.tenant_id).await? } else { Vec::new() };
    tx.commit().await?;
    Ok(OrdersPage {
        chrome: ctx.chrome("采购单", "/purchasing/orders"),
        q,
        rows,
        pager: pager.with_total(total),
        statuses: Choice::all(OrderStatus::ALL),
        suppliers,
        awaiting,
        can_order,
        tz: ctx.user.settings.time_zone,
    })
}

// ---------- show (printable) and receive ----------

async fn order_page(
    tx: &mut Tx,
    ctx: &mut Ctx,
    order: OrderRow,
    typed: HashMap<i64, String>,
    line_errors: HashMap<i64, String>,
    errors: FieldErrors,
) -> Result<OrderPage, sqlx::Error> {
    let lines = repo::load_lines(tx, ctx.user.tenant_id, order.id, false).await?;
    let receipts = repo::receipts(tx, ctx.user.tenant_id, order.id).await?;
    let total = lines.iter().fold(0i64, |acc, l| acc.saturating_add(l.quantity.saturating_mul(l.unit_cost_fen)));
    Ok(OrderPage {
        chrome: ctx.chrome(format!("采购单 {}", order.no()), "/purchasing/orders"),
        can_receive: order.receivable() && ctx.can(Action::InventoryOperate),
        order,
        lines,
        receipts,
        total: yuan(total),
        typed,
        line_errors,
        errors,
        tz: ctx.user.settings.time_zone,
    })
}

pub async fn show(mut ctx: Ctx, Path(id): Path<i64>) -> AppResult<OrderPage> {
    ctx.require(Action::InventoryView)?;
    let mut tx = ctx.begin().await?;
    let order = repo::load_order(&mut tx, ctx.user.tenant_id, id, false).await?.ok_or(AppError::NotFound)?;
    let page = order_page(&mut tx, &mut ctx, order, HashMap::new(), HashMap::new(), FieldErrors::default()).await?;
    tx.commit().await?;
    Ok(page)
}

/// Receive: `qty_<line id>` per line (empty = 0), partial allowed, never more than
/// what is still open on a line.
pub async fn receive(
    meta: RequestMeta,
    mut ctx: Ctx,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    ctx.require(Action::InventoryOperate)?;
    let mut tx = ctx.begin().await?;
    let order = repo::load_order(&mut tx, ctx.user.tenant_id, id, true).await?.ok_or(AppError::NotFound)?;
    if !order.receivable() {
        return Err(AppError::Conflict(format!("采购单 {} 当前为“{}”，不能再收货", order.no(), order.status_label())));
    }
    let lines = repo::load_lines(&mut tx, ctx.user.tenant_id, id, true).await?;
    let typed: HashMap<i64, String> = fields
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("qty_").and_then(|n| n.parse::<i64>().ok()).map(|n| (n, v.trim().to_owned()))
        })
        .collect();
    let mut line_errors = HashMap::new();
    let mut receipts = Vec::new();
    for line in &lines {
        let text = typed.get(&line.id).map(String::as_str).unwrap_or("");
        if text.is_empty() {
            continue;
        }
        match text.parse::<i64>() {
            Ok(0) => {}
            Ok(q) if q < 0 => {
                line_errors.insert(line.id, "收货数量不能为负数".to_owned());
            }
            Ok(q) if q > line.remaining() => {
                line_errors.insert(line.id, format!("超过未收数量 {}，不能多收", line.remaining()));
            }
            Ok(q) => receipts.push((line, q)),
            Err(_) => {
                line_errors.insert(line.id, "请填写整数".to_owned());
            }
        }
    }
    let mut errors = FieldErrors::default();
    if line_errors.is_empty() && receipts.is_empty() {
        errors.add("receive", "请至少填写一行本次收货数量");
    }
    if !line_errors.is_empty() {
        errors.add("receive", "请修改标出的收货数量");
    }
    if !errors.is_empty() {
        tx.rollback().await?;
        let mut tx = ctx.begin().await?;
        let page = order_page(&mut tx, &mut ctx, order, typed, line_errors, errors).await?;
        tx.commit().await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let po_no = order.no();
    let reason = format!("采购单 {po_no} 收货");
    let mut detail = Vec::new();
    for (line, q) in &receipts {
        let (_, balance) = ledger::post(
            &mut tx,
            ctx.user.tenant_id,
            &NewMovement {
                product_id: line.product_id,
                warehouse_id: order.warehouse_id,
                kind: MovementKind::Receipt,
                quantity: *q,
                reason: &reason,
                doc: DocType::PurchaseOrder,
                doc_id: Some(id),
                created_by: Some(ctx.user.user_id),
            },
        )
        .await?;
        repo::receive_line(&mut tx, ctx.user.tenant_id, line, *q).await?;
        detail.push(json!({"sku": line.sku, "quantity": q, "received_before": line.received_quantity,
            "received_after": line.received_quantity + q, "ordered": line.quantity, "balance_after": balance}));
    }
    let all_received = lines.iter().all(|l| {
        let got = receipts.iter().find(|(r, _)| r.id == l.id).map_or(0, |(_, q)| *q);
        l.received_quantity + got >= l.quantity
    });
    let new_status = order.status.after_receipt(all_received).ok_or_else(|| {
        AppError::Conflict(format!("采购单 {} 当前为“{}”，不能再收货", order.no(), order.status_label()))
    })?;
    repo::set_status(&mut tx, ctx.user.tenant_id, id, new_status).await?;
    let units: i64 = receipts.iter().map(|(_, q)| *q).sum();
    audit::record(
        &mut tx,
        ctx.user.tenant_id,
        &Actor::user(&ctx.user, &meta),
        Entry {
            action: "purchase_order.receive",
            entity_type: Some("purchase_order"),
            entity_id: Some(id.to_string()),
            summary: format!(
                "采购单 {po_no} 收货 {units} 件入 {}，{}",
                order.warehouse_code,
                if all_received { "已全部收货" } else { "部分收货" }
            ),
            before: Some(json!({"status": order.status.code()})),
            after: Some(json!({"status": new_status.code(), "lines": detail})),
        },
    )
    .await?;
    tx.commit().await?;
    let msg = if all_received {
        format!("采购单 {po_no} 已全部收货入库。")
    } else {
        format!("已登记部分收货（{units} 件）。")
    };
    Ok(Flash::success(msg).redirect(&format!("/purchasing/orders/{id}")))
}
