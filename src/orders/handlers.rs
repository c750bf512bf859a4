//! The order pages and the review steps: holds, payment, approval, the stock
//! re-check and cancelling. Every change goes through `flow` (403 → 404 → 409)
//! and writes its timeline event and audit row in the same transaction.

use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::Deserialize;
use serde_json::json;

use super::codes::{Carrier, ExceptionKind, HoldKind, OrderEvent, OrderStatus, Platform};
use super::flow::{self, scope};
use super::repo::{self, Author, OrderRow, Which};
use super::views::{local, EventView, HoldView, ListPage, ListQuery, ListRow, ParcelView, ShowPage};
use crate::audit::{self, Entry};
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::people::Action;
use crate::web::forms::non_empty;
use crate::web::pagination::query_string;
use crate::web::{Ctx, CurrentUser, FieldErrors, Flash, Pager, RequestMeta};

fn parse_code<T>(raw: &str, parse: fn(&str) -> Option<T>, what: &str) -> AppResult<Option<T>> {
    match non_empty(raw) {
        None => Ok(None),
        Some(s) => parse(s).map(Some).ok_or_else(|| AppError::BadRequest(format!("{what}“{s}”无效"))),
    }
}

/// The list's filter from its query string (400 naming a bad value, a bad date
/// too: the CSV and the picking list, which have no page to say it on).
pub(super) async fn filter_of(
    tx: &mut Tx,
    user: &CurrentUser,
    q: &ListQuery,
) -> AppResult<(repo::Filter, Vec<(i64, String, String)>)> {
    let (filter, warehouses, date_errors) = lenient_filter_of(tx, user, &mut q.clone()).await?;
    match date_errors.into_iter().next() {
        Some(e) => Err(AppError::BadRequest(e)),
        None => Ok((filter, warehouses)),
    }
}

/// [`filter_of`], but a bad date is only reported (its message) and left out of
/// the filter and of `q` (which the pager's links are made of).
async fn lenient_filter_of(
    tx: &mut Tx,
    user: &CurrentUser,
    q: &mut ListQuery,
) -> AppResult<(repo::Filter, Vec<(i64, String, String)>, Vec<String>)> {
    let warehouses = repo::warehouse_choices(tx, user.tenant_id).await?;
    let warehouse_id = match non_empty(&q.warehouse) {
        None => None,
        Some(code) => Some(
            warehouses
                .iter()
                .find(|w| w.1 == code)
                .map(|w| w.0)
                .ok_or_else(|| AppError::BadRequest(format!("仓库“{code}”不存在")))?,
        ),
    };
    let to_ship = q.status.trim() == TO_SHIP;
    let any_hold = q.hold.trim() == ANY_HOLD;
    let on_time = match q.on_time.trim() {
        "" => None,
        "1" => Some(true),
        "0" => Some(false),
        other => return Err(AppError::BadRequest(format!("按时发货“{other}”无效（1 或 0）"))),
    };
    let tz = user.settings.time_zone;
    let mut errors = Vec::new();
    let filter = repo::Filter {
        status: if to_ship { None } else { parse_code(&q.status, OrderStatus::parse, "状态")? },
        to_ship,
        hold: if any_hold { None } else { parse_code(&q.hold, HoldKind::parse, "挂起类型")? },
        any_hold,
        platform: parse_code(&q.platform, Platform::parse, "平台")?,
        warehouse_id,
        q: non_empty(&q.q).map(str::to_owned),
        paid_from: day_start(tz, &mut q.paid_from, "付款日期（起）", false, &mut errors),
        paid_until: day_start(tz, &mut q.paid_to, "付款日期（止）", true, &mut errors),
        shipped_from: day_start(tz, &mut q.shipped_from, "发货日期（起）", false, &mut errors),
        shipped_until: day_start(tz, &mut q.shipped_to, "发货日期（止）", true, &mut errors),
        on_time: on_time.map(|on_time| repo::OnTime { on_time, within_hours: user.settings.ship_within_hours }),
    };
    Ok((filter, warehouses, errors))
}

/// `status=to_ship`: waiting to ship (approved, allocated, partially shipped).
const TO_SHIP: &str = "to_ship";
/// `hold=any`: any active hold.
const ANY_HOLD: &str = "any";

use crate::web::forms::day_start;

fn query_of(q: &ListQuery) -> String {
    query_string(&[
        ("q", &q.q),
        ("status", &q.status),
        ("hold", &q.hold),
        ("platform", &q.platform),
        ("warehouse", &q.warehouse),
        ("paid_from", &q.paid_from),
        ("paid_to", &q.paid_to),
        ("shipped_from", &q.shipped_from),
        ("shipped_to", &q.shipped_to),
        ("on_time", &q.on_time),
    ])
}

/// The most orders one CSV export holds.
const EXPORT_MAX_ROWS: i64 = 100_000;

/// `GET /orders.csv`: the filtered list as CSV (UTF-8 with BOM, CRLF), newest first.
pub async fn export(cx: Ctx, Query(q): Query<ListQuery>) -> AppResult<Response> {
    cx.require(Action::OrdersView)?;
    let mut tx = cx.begin().await?;
    let (filter, _) = filter_of(&mut tx, &cx.user, &q).await?;
    let (rows, _) = repo::list(&mut tx, cx.user.tenant_id, &scope(&cx.user), &filter, EXPORT_MAX_ROWS, 0, 1).await?;
    tx.commit().await?;
    let tz = cx.user.settings.time_zone;
    let header = [
        "order_no",
        "platform",
        "shop",
        "ordered_at",
        "paid_at",
        "status",
        "holds",
        "receiver",
        "phone",
        "address",
        "goods",
        "shipping_fee",
        "discount",
        "paid_amount",
        "warehouse",
    ];
    let body = crate::web::csv::build(
        &header,
        rows.iter().map(|o| {
            vec![
                o.order_no.clone(),
                o.platform.code().to_owned(),
                o.shop.clone(),
                tz.format(o.ordered_at),
                local(tz, o.paid_at),
                o.status.code().to_owned(),
                o.holds.clone(),
                o.receiver.clone(),
                o.phone.clone(),
                format!("{}{}{} {}", o.province, o.city, o.district, o.address),
                super::views::yuan(o.goods_fen),
                super::views::yuan(o.shipping_fen),
                super::views::yuan(o.discount_fen),
                super::views::yuan(o.paid_fen),
                o.warehouse_code.clone().unwrap_or_default(),
            ]
        }),
    )?;
    Ok(crate::web::csv::download(&format!("orders-{}.csv", cx.user.tenant_code), body))
}

/// `GET /orders`: one page of the filtered list (400 with the page, the date left
/// out, when a date of the filter is not one).
pub async fn list(mut cx: Ctx, Query(q): Query<ListQuery>) -> AppResult<Response> {
    cx.require(Action::OrdersView)?;
    let mut tx = cx.begin().await?;
    let mut applied = q.clone();
    let (filter, warehouses, date_errors) = lenient_filter_of(&mut tx, &cx.user, &mut applied).await?;
    let pager = Pager::new("/orders", q.page, query_of(&applied));
    let tid = cx.user.tenant_id;
    let scope = scope(&cx.user);
    let (rows, total) =
        repo::list(&mut tx, tid, &scope, &filter, pager.per_page, pager.offset(), pager.count_limit()).await?;
    let paid_sum = match filter.by_paid_day() {
        true => Some(super::views::yuan(repo::paid_sum(&mut tx, tid, &scope, &filter).await?)),
        false => None,
    };
    tx.commit().await?;
    let tz = cx.user.settings.time_zone;
    let status = if date_errors.is_empty() { StatusCode::OK } else { StatusCode::BAD_REQUEST };
    let page = ListPage {
        chrome: cx.chrome("订单", "/orders"),
        q,
        rows: rows.into_iter().map(|order| ListRow { ordered_at: tz.format(order.ordered_at), order }).collect(),
        pager: pager.with_total(total),
        statuses: OrderStatus::ALL,
        holds: HoldKind::ALL,
        platforms: Platform::ALL,
        warehouses: warehouses.into_iter().map(|(_, code, name)| (code, name)).collect(),
        date_errors,
        paid_sum,
        ship_within_hours: cx.user.settings.ship_within_hours,
        can_print: cx.can(Action::OrdersShip) || cx.can(Action::OrdersOperate),
        can_import: cx.can(Action::OrdersOperate),
        can_ship: cx.can(Action::OrdersShip),
        can_enter: cx.can(Action::OrdersOperate),
    };
    Ok((status, page).into_response())
}

/// The record page of `order` (with a form's errors, when a change was refused).
async fn page(
    cx: &mut Ctx,
    tx: &mut Tx,
    order: OrderRow,
    errors: FieldErrors,
    hold_reason: String,
) -> AppResult<ShowPage> {
    let tid = cx.user.tenant_id;
    let tz = cx.user.settings.time_zone;
    let lines = repo::lines(tx, tid, order.id).await?;
    let holds = repo::holds(tx, tid, order.id).await?;
    let events = repo::events(tx, tid, order.id).await?;
    let coverage = if order.status.before_shipping() { repo::coverage(tx, tid, order.id).await? } else { Vec::new() };
    let parcels = repo::parcels(tx, tid, order.id).await?;
    let warehouses = if order.status == OrderStatus::Exception {
        repo::warehouse_choices(tx, tid).await?.into_iter().map(|(_, code, name)| (code, name)).collect()
    } else {
        Vec::new()
    };
    let contract_link = match order.contract_id {
        Some(id) => crate::contracts::visible(tx, &cx.user, &[id]).await?.contains(&id),
        None => false,
    };
    let (active, released): (Vec<_>, Vec<_>) = holds
        .into_iter()
        .map(|hold| HoldView { placed_at: tz.format(hold.placed_at), released_at: local(tz, hold.released_at), hold })
        .partition(|h| h.hold.released_at.is_none());
    let shipped_any = lines.iter().any(|l| l.shipped_qty > 0);
    Ok(ShowPage {
        chrome: cx.chrome(format!("订单 {}", order.order_no), "/orders"),
        ordered_at: tz.format(order.ordered_at),
        paid_at: local(tz, order.paid_at),
        lines,
        active,
        released,
        events: events.into_iter().map(|event| EventView { at: tz.format(event.at), event }).collect(),
        coverage,
        warehouses,
        parcels: parcels.into_iter().map(|p| ParcelView { shipped_at: tz.format(p.shipped_at), parcel: p }).collect(),
        carriers: Carrier::ALL,
        exception_kinds: ExceptionKind::ALL,
        can_ship: cx.can(Action::OrdersShip),
        can_operate: cx.can(Action::OrdersOperate),
        can_override: cx.can(Action::OrdersOverride),
        contract_link,
        can_see_after_sales: cx.can(Action::AfterSalesView),
        can_see_campaigns: cx.can(Action::CampaignsView),
        can_raise_after_sale: cx.can(Action::AfterSalesOperate) && shipped_any,
        can_log_complaint: cx.can(Action::AfterSalesOperate),
        errors,
        hold_reason,
        order,
    })
}

pub async fn show(mut cx: Ctx, Path(id): Path<i64>) -> AppResult<ShowPage> {
    cx.require(Action::OrdersView)?;
    let mut tx = cx.begin().await?;
    let order = repo::find(&mut tx, cx.user.tenant_id, &scope(&cx.user), id, false).await?.ok_or(AppError::NotFound)?;
    let page = page(&mut cx, &mut tx, order, FieldErrors::default(), String::new()).await?;
    tx.commit().await?;
    Ok(page)
}

/// The record page again with `errors` (422), nothing written.
pub(super) async fn refuse(
    mut cx: Ctx,
    mut tx: Tx,
    order: OrderRow,
    errors: FieldErrors,
    typed: String,
) -> AppResult<Response> {
    let page = page(&mut cx, &mut tx, order, errors, typed).await?;
    tx.rollback().await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

pub(super) fn author(cx: &Ctx) -> String {
    format!("{}（{}）", cx.user.display_name, cx.user.username)
}

/// Timeline event + audit row of a change, then commit and go back to the order.
#[allow(clippy::too_many_arguments)]
pub(super) async fn finish(
    cx: &Ctx,
    meta: &RequestMeta,
    mut tx: Tx,
    order: &OrderRow,
    step: (&str, &'static str),
    note: &str,
    after: serde_json::Value,
    message: String,
) -> AppResult<Response> {
    record(cx, meta, &mut tx, order, step, note, after, &message).await?;
    tx.commit().await?;
    Ok(Flash::success(message).redirect(&format!("/orders/{}", order.id)))
}

/// The timeline event and the audit row of a change to `order` (`message`: what
/// the user is told), in the change's transaction.
#[allow(clippy::too_many_arguments)]
pub(super) async fn record(
    cx: &Ctx,
    meta: &RequestMeta,
    tx: &mut Tx,
    order: &OrderRow,
    (kind, action): (&str, &'static str),
    note: &str,
    after: serde_json::Value,
    message: &str,
) -> AppResult<()> {
    let name = author(cx);
    let who = Author { user_id: Some(cx.user.user_id), name: &name };
    repo::event(tx, cx.user.tenant_id, order.id, kind, &who, note).await?;
    let summary = format!("订单 {}：{message}", order.order_no);
    let before = json!({"status": order.status.code(), "holds": order.holds});
    audit::by_user(tx, &cx.user, meta, Entry::step(action, "order", order.id, summary, Some(before), after)).await?;
    Ok(())
}

fn required_text(raw: &str, field: &'static str, label: &str, errors: &mut FieldErrors) -> String {
    let v = raw.trim().to_owned();
    if v.is_empty() {
        errors.add(field, format!("请填写{label}"));
    } else if v.chars().count() > 500 {
        errors.add(field, format!("{label}最多 500 个字符"));
    }
    v
}

#[derive(Debug, Deserialize)]
pub struct HoldForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub reason: String,
}

pub async fn place_hold(
    cx: Ctx,
    meta: RequestMeta,
    Path(id): Path<i64>,
    Form(f): Form<HoldForm>,
) -> AppResult<Response> {
    let mut tx = cx.begin().await?;
    let order = flow::lock(&cx, &mut tx, id, Action::OrdersOperate).await?;
    if f.kind != HoldKind::Manual.code() {
        return Err(AppError::BadRequest("只能人工挂起（kind=manual）；其他挂起由系统放置".into()));
    }
    if !order.status.before_shipping() {
        return Err(AppError::Conflict(format!("订单 {} 已{}，不能再挂起", order.order_no, order.status.label())));
    }
    let mut errors = FieldErrors::default();
    let reason = required_text(&f.reason, "reason", "挂起原因", &mut errors);
    if !errors.is_empty() {
        return refuse(cx, tx, order, errors, f.reason).await;
    }
    let Some(hold) =
        repo::place_hold(&mut tx, cx.user.tenant_id, id, HoldKind::Manual, &reason, Some(cx.user.user_id)).await?
    else {
        return Err(AppError::Conflict(format!("订单 {} 已有进行中的人工挂起", order.order_no)));
    };
    let after = json!({"hold": hold, "kind": "manual", "reason": reason});
    finish(&cx, &meta, tx, &order, ("hold", "order.hold"), &reason, after, "已人工挂起".into()).await
}

#[derive(Debug, Deserialize)]
pub struct ReleaseForm {
    #[serde(default)]
    pub note: String,
}

pub async fn release_hold(
    cx: Ctx,
    meta: RequestMeta,
    Path((id, hold_id)): Path<(i64, i64)>,
    Form(f): Form<ReleaseForm>,
) -> AppResult<Response> {
    let mut tx = cx.begin().await?;
    let order = flow::lock(&cx, &mut tx, id, Action::OrdersOperate).await?;
    let Some((_, kind)) = repo::lock_active_hold(&mut tx, cx.user.tenant_id, id, hold_id).await? else {
        return Err(if repo::hold_exists(&mut tx, cx.user.tenant_id, id, hold_id).await? {
            AppError::Conflict("该挂起已解除".into())
        } else {
            AppError::NotFound
        });
    };
    if kind == HoldKind::Unpaid {
        // Without a payment (credit customers, 货到付款): the ops manager's alone.
        cx.require(Action::OrdersOverride)?;
    }
    let mut errors = FieldErrors::default();
    let note = required_text(&f.note, "note", "解除说明", &mut errors);
    if !errors.is_empty() {
        return refuse(cx, tx, order, errors, String::new()).await;
    }
    if kind == HoldKind::Stock && !repo::coverage(&mut tx, cx.user.tenant_id, id).await?.iter().any(|c| c.covers_all) {
        return Err(AppError::Conflict("仍没有一个仓库能满足整单，缺货挂起不能解除".into()));
    }
    repo::release_hold(&mut tx, cx.user.tenant_id, id, Which::Id(hold_id), Some(cx.user.user_id), &note).await?;
    let after = json!({"hold": hold_id, "kind": kind.code(), "note": note});
    let message = format!("已解除「{}」挂起", kind.label());
    finish(&cx, &meta, tx, &order, ("release", "order.release"), &format!("{}：{note}", kind.label()), after, message)
        .await
}

#[derive(Debug, Deserialize)]
pub struct PaidForm {
    #[serde(default)]
    pub paid_at: String,
}

pub async fn paid(cx: Ctx, meta: RequestMeta, Path(id): Path<i64>, Form(f): Form<PaidForm>) -> AppResult<Response> {
    let mut tx = cx.begin().await?;
    let order = flow::lock(&cx, &mut tx, id, Action::OrdersOperate).await?;
    if order.paid_at.is_some() {
        return Err(AppError::Conflict(format!("订单 {} 已登记付款", order.order_no)));
    }
    if order.status == OrderStatus::Cancelled {
        return Err(AppError::Conflict(format!("订单 {} 已取消", order.order_no)));
    }
    let tz = cx.user.settings.time_zone;
    let paid_at = match non_empty(f.paid_at.trim()) {
        None => chrono::Utc::now(),
        Some(s) => match crate::input::date_time(s) {
            Ok(t) => tz.to_utc(t),
            Err(e) => {
                let mut errors = FieldErrors::default();
                errors.add("paid_at", e);
                return refuse(cx, tx, order, errors, String::new()).await;
            }
        },
    };
    repo::set_paid(&mut tx, cx.user.tenant_id, id, paid_at).await?;
    let note = format!("付款时间 {}", tz.format(paid_at));
    repo::release_hold(&mut tx, cx.user.tenant_id, id, Which::Kind(HoldKind::Unpaid), Some(cx.user.user_id), &note)
        .await?;
    let after = json!({"paid_at": paid_at});
    finish(&cx, &meta, tx, &order, ("paid", "order.paid"), &note, after, "已登记付款".into()).await
}

pub async fn approve(cx: Ctx, meta: RequestMeta, Path(id): Path<i64>) -> AppResult<Response> {
    let mut tx = cx.begin().await?;
    let order = flow::lock(&cx, &mut tx, id, Action::OrdersOperate).await?;
    let next = flow::next(&order, OrderEvent::Approve, "审核")?;
    flow::not_held(&order, "审核通过")?;
    let tid = cx.user.tenant_id;
    if !repo::coverage(&mut tx, tid, id).await?.iter().any(|c| c.covers_all) {
        // Review finds no warehouse able to cover every line: held, not approved.
        let reason = "审核时没有一个仓库能满足整单";
        repo::place_hold(&mut tx, tid, id, HoldKind::Stock, reason, Some(cx.user.user_id)).await?;
        let after = json!({"hold": "stock"});
        let message = "库存不足：已挂起「缺货」，到货后点“重新检查库存”".to_owned();
        return finish(&cx, &meta, tx, &order, ("hold", "order.hold"), reason, after, message).await;
    }
    repo::set_status(&mut tx, tid, id, next, None).await?;
    let after = json!({"status": next.code()});
    finish(&cx, &meta, tx, &order, ("approve", "order.approve"), "", after, "审核通过".into()).await
}

pub async fn recheck_stock(cx: Ctx, meta: RequestMeta, Path(id): Path<i64>) -> AppResult<Response> {
    let mut tx = cx.begin().await?;
    let order = flow::lock(&cx, &mut tx, id, Action::OrdersOperate).await?;
    if !flow::active_holds(&order).contains(&HoldKind::Stock) {
        return Err(AppError::Conflict(format!("订单 {} 没有缺货挂起", order.order_no)));
    }
    let tid = cx.user.tenant_id;
    let Some(c) = repo::coverage(&mut tx, tid, id).await?.into_iter().find(|c| c.covers_all) else {
        tx.rollback().await?;
        return Ok(Flash::error("仍没有一个仓库能满足整单，缺货挂起保持").redirect(&format!("/orders/{id}")));
    };
    let note = format!("重新检查：{} 可满足整单", c.code);
    repo::release_hold(&mut tx, tid, id, Which::Kind(HoldKind::Stock), Some(cx.user.user_id), &note).await?;
    let after = json!({"hold": "stock", "warehouse": c.code});
    finish(&cx, &meta, tx, &order, ("release", "order.release"), &note, after, "库存已可满足，缺货挂起已解除".into())
        .await
}

#[derive(Debug, Deserialize)]
pub struct CancelForm {
    #[serde(default)]
    pub reason: String,
}

pub async fn cancel(cx: Ctx, meta: RequestMeta, Path(id): Path<i64>, Form(f): Form<CancelForm>) -> AppResult<Response> {
    let mut tx = cx.begin().await?;
    let order = flow::lock(&cx, &mut tx, id, Action::OrdersOperate).await?;
    let next = flow::next(&order, OrderEvent::Cancel, "取消")?;
    if order.status == OrderStatus::Allocated {
        cx.require(Action::OrdersOverride)?;
    }
    let mut errors = FieldErrors::default();
    let reason = required_text(&f.reason, "cancel_reason", "取消原因", &mut errors);
    if !errors.is_empty() {
        return refuse(cx, tx, order, errors, String::new()).await;
    }
    let released = super::stock::release_all(&mut tx, cx.user.tenant_id, id).await?;
    repo::set_status(&mut tx, cx.user.tenant_id, id, next, Some(&reason)).await?;
    let after = json!({"status": next.code(), "reason": reason, "released": released});
    finish(&cx, &meta, tx, &order, ("cancel", "order.cancel"), &reason, after, "订单已取消".into()).await
}
