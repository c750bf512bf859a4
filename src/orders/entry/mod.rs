//! Orders entered here: the order form (`GET`/`POST /orders/new`, source `manual`)
//! and the order of a signed sales contract (`contract.rs`, source `contract`).
//! Both are numbered SO-000001… per tenant, go through the intake of imports
//! (`repo::insert`: lines, the `unpaid` / `address` holds, the first timeline event)
//! and write their audit row in the same transaction.

mod contract;
mod form;
mod views;

pub use contract::{from_contract, order_of, STEP as CONTRACT_STEP};

use std::collections::{HashMap, HashSet};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use chrono::{DateTime, Utc};
use serde_json::json;

use super::repo::{self, Author, NewLine, NewOrder};
use crate::audit::{self, Entry};
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::people::Action;
use crate::rules::Fen;
use crate::web::{Ctx, FieldErrors, Flash, RequestMeta};
use form::Typed;
use views::{NewPage, RowView};

/// The most products a search offers for one row.
const CHOICES: i64 = 20;
/// The most waiting contracts the form lists.
const WAITING: i64 = 20;

async fn page(
    cx: &mut Ctx,
    tx: &mut Tx,
    typed: Typed,
    rows: Vec<RowView>,
    errors: FieldErrors,
    note: String,
) -> AppResult<NewPage> {
    let waiting = repo::contracts_waiting(tx, cx.user.tenant_id, WAITING).await?;
    let ids: Vec<i64> = waiting.iter().map(|c| c.id).collect();
    let linked = crate::contracts::visible(tx, &cx.user, &ids).await?;
    Ok(NewPage {
        chrome: cx.chrome("新建订单", "/orders"),
        typed,
        rows,
        errors,
        note,
        platforms: super::codes::Platform::ALL,
        waiting,
        linked,
    })
}

/// `GET /orders/new`: the empty form.
pub async fn new_form(mut cx: Ctx) -> AppResult<NewPage> {
    cx.require(Action::OrdersOperate)?;
    let mut tx = cx.begin().await?;
    let typed = Typed::blank();
    let rows = RowView::of(&typed);
    let page = page(&mut cx, &mut tx, typed, rows, FieldErrors::default(), String::new()).await?;
    tx.commit().await?;
    Ok(page)
}

/// `POST /orders/new`: with `add_line`, the form again with one more row; else the
/// order checked and created — or the form again (422) with every value as typed,
/// the messages beside the fields and nothing written.
pub async fn create(mut cx: Ctx, meta: RequestMeta, Form(fields): Form<Vec<(String, String)>>) -> AppResult<Response> {
    cx.require(Action::OrdersOperate)?;
    let mut typed = Typed::from_fields(fields).map_err(AppError::BadRequest)?;
    let mut tx = cx.begin().await?;
    if typed.add_line {
        let note = if typed.add_row() { String::new() } else { format!("一张订单最多 {} 行", form::MAX_ROWS) };
        let rows = RowView::of(&typed);
        let page = page(&mut cx, &mut tx, typed, rows, FieldErrors::default(), note).await?;
        tx.rollback().await?;
        return Ok(page.into_response());
    }
    let (checked, errors, rows) = check(&mut tx, &cx, &typed, Utc::now()).await?;
    let Some(order) = checked else {
        // The rows as checked: a pick becomes the row's SKU.
        typed.rows = rows.iter().map(|r| r.row.clone()).collect();
        let page = page(&mut cx, &mut tx, typed, rows, errors, String::new()).await?;
        tx.rollback().await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    intake(&cx, &meta, tx, order, ("order.create", "手工录入")).await
}

/// The form checked against the tenant's customers and products: the order
/// (without its number), or the messages; and the rows as the page shows them.
async fn check(
    tx: &mut Tx,
    cx: &Ctx,
    typed: &Typed,
    now: DateTime<Utc>,
) -> AppResult<(Option<NewOrder>, FieldErrors, Vec<RowView>)> {
    let tid = cx.user.tenant_id;
    let mut errors = FieldErrors::default();
    let mut head = form::header(typed, cx.user.settings.time_zone, now, &mut errors);
    let mut customer_id = None;
    if !typed.customer.is_empty() {
        let code = &typed.customer;
        match repo::partner(tx, tid, code).await? {
            None => errors.add("customer", format!("没有编码为 {code} 的客户")),
            Some(p) if p.kind != "customer" => {
                errors.add("customer", format!("{}（{code}）是供应商，不是客户", p.name))
            }
            Some(p) if !p.is_active => errors.add("customer", format!("客户 {}（{code}）已停用", p.name)),
            Some(p) => {
                customer_id = Some(p.id);
                if head.buyer.is_empty() {
                    head.buyer = p.name;
                }
            }
        }
    }
    if !typed.campaign.is_empty() {
        let no = &typed.campaign;
        let found = repo::campaigns_for_orders(tx, tid, std::slice::from_ref(no)).await?;
        let hit = found.get(no);
        match repo::campaign_refusal(no, hit.map(|(_, status)| status.as_str())) {
            Some(why) => errors.add("campaign", why),
            None => head.campaign_id = hit.map(|(id, _)| *id),
        }
    }
    let mut rows = RowView::of(typed);
    let skus: Vec<String> = typed.rows.iter().map(|r| r.sku().to_owned()).filter(|s| !s.is_empty()).collect();
    let found: HashMap<String, repo::ProductHit> =
        repo::products_by_sku(tx, tid, &skus).await?.into_iter().map(|p| (p.sku.clone(), p)).collect();
    let mut lines = Vec::new();
    let mut seen = HashSet::new();
    for v in rows.iter_mut().filter(|v| !v.row.is_blank()) {
        let quantity = form::quantity(&v.row.quantity).map_err(|e| v.errors.quantity = e).ok();
        let price = form::unit_price(&v.row.unit_price).map_err(|e| v.errors.unit_price = e).ok();
        let sku = v.row.sku().to_owned();
        let product = match found.get(&sku) {
            _ if sku.is_empty() => {
                v.errors.sku = "请填写 SKU 或商品名称".into();
                None
            }
            Some(p) if p.status != crate::catalog::Status::Listed => {
                v.errors.sku = format!("{}（{}）为「{}」，不能下单", p.name, p.sku, p.status.label());
                None
            }
            Some(p) if !seen.insert(p.id) => {
                v.errors.sku = format!("{} 已在前面的行中，请合并为一行", p.sku);
                None
            }
            Some(p) => {
                (v.row.sku, v.row.pick) = (p.sku.clone(), String::new());
                Some(p)
            }
            None => {
                // Not a SKU: the listed products it finds, to choose from.
                let mut hits = repo::search_listed(tx, tid, &sku, CHOICES + 1).await?;
                let more = hits.len() as i64 > CHOICES;
                hits.truncate(CHOICES as usize);
                v.errors.sku = match hits.len() {
                    0 => format!("没有 SKU 或名称含“{sku}”的在售商品"),
                    n if more => {
                        format!("“{sku}”不是 SKU：请从下面前 {n} 个匹配的在售商品中选择（或输入更完整的名称）")
                    }
                    n => format!("“{sku}”不是 SKU：请从下面 {n} 个匹配的在售商品中选择"),
                };
                v.choices = hits;
                None
            }
        };
        if let (Some(p), Some(quantity), Some(price)) = (product, quantity, price) {
            lines.push(NewLine {
                product_id: p.id,
                quantity,
                unit_price_fen: price.unwrap_or(p.price_fen),
                contract_line_id: None,
            });
        }
    }
    if rows.iter().all(|v| v.row.is_blank()) {
        errors.add("lines", "请至少填写一行商品");
    }
    if !errors.is_empty() || rows.iter().any(RowView::has_error) {
        return Ok((None, errors, rows));
    }
    let amounts: Vec<(i64, i64)> = lines.iter().map(|l| (l.quantity, l.unit_price_fen)).collect();
    let paid_fen = match form::totals(&amounts, head.shipping_fen, head.discount_fen) {
        Ok((_, due)) => due,
        Err(e) => {
            errors.add("discount", e);
            return Ok((None, errors, rows));
        }
    };
    // Partners carry no sales rep: a hand-entered order belongs to nobody's scope.
    let order = NewOrder { customer_id, paid_fen, created_by: Some(cx.user.user_id), lines, ..head };
    Ok((Some(order), errors, rows))
}

/// Number `order` (SO-…), take it in as imports do, audit it, commit, and go to
/// the new order ([`take_in`]).
async fn intake(
    cx: &Ctx,
    meta: &RequestMeta,
    mut tx: Tx,
    mut order: NewOrder,
    step: (&'static str, &str),
) -> AppResult<Response> {
    let name = super::handlers::author(cx);
    let actor = audit::Actor::user(&cx.user, meta);
    let id = take_in(&mut tx, cx.user.tenant_id, &mut order, (cx.user.user_id, &name), &actor, step).await?;
    tx.commit().await?;
    Ok(Flash::success(format!("已创建订单 {}", order.order_no)).redirect(&format!("/orders/{id}")))
}

/// Number `order` (SO-…) and take it in as imports do (its lines, the intake
/// holds, the timeline's first event by `by` — user id and name —, noted `how`),
/// the contract's history saying so for an order of a contract, audited as
/// `action` by `actor`: the order form, 生成订单, and the demo's contract orders.
/// The order's id.
pub(crate) async fn take_in(
    tx: &mut Tx,
    tid: i64,
    order: &mut NewOrder,
    (user_id, name): (i64, &str),
    actor: &audit::Actor,
    (action, how): (&'static str, &str),
) -> AppResult<i64> {
    order.order_no = repo::next_order_no(tx, tid).await?;
    let ids = repo::insert(tx, tid, std::slice::from_ref(order), &Author { user_id: Some(user_id), name }, how).await?;
    let id = ids.first().copied().ok_or_else(|| AppError::Internal(anyhow::anyhow!("insert returned no id")))?;
    let holds: Vec<&str> = order.intake_holds().iter().map(|(k, _)| k.code()).collect();
    let no = &order.order_no;
    if let Some(contract_id) = order.contract_id {
        // The contract's history says so too, beside its approvals and signing.
        crate::contracts::event(tx, tid, contract_id, "order", None, user_id, &format!("订单 {no}")).await?;
    }
    let summary = format!(
        "{how}订单 {no}：{} 行，实付 {} 元{}",
        order.lines.len(),
        Fen(order.paid_fen),
        if holds.is_empty() { "" } else { "（挂起）" }
    );
    let after = json!({
        "order_no": no, "source": order.source.code(), "platform": order.platform.code(),
        "customer_id": order.customer_id, "contract_id": order.contract_id, "campaign_id": order.campaign_id,
        "goods_fen": order.goods_fen(),
        "shipping_fen": order.shipping_fen, "discount_fen": order.discount_fen, "paid_fen": order.paid_fen,
        "paid_at": order.paid_at, "lines": order.lines.len(), "holds": holds,
    });
    audit::record(tx, tid, actor, Entry::step(action, "order", id, summary, None, after)).await?;
    Ok(id)
}
