//! The after-sales list, its CSV, the record page, and raising a case. The steps
//! that follow are in `goods` (receiving, sending out, closing) and `refunds`;
//! the two decisions in `flow`.

use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::Deserialize;
use serde_json::json;

use super::codes::{CaseKind, Category, Disposition, RefundMethod};
use super::flow::{paid_shares, CaseStatus};
use super::repo::{self, CaseRow, Filter, NewCase};
use super::scope;
use super::views::{
    yuan, EventView, LineChoice, ListPage, ListQuery, ListRow, NewForm, NewPage, ReceiptView, RefundView, ShowPage,
    Typed,
};
use crate::audit::{self, Entry};
use crate::db::{numbers, Tx};
use crate::error::{AppError, AppResult};
use crate::orders::codes::Carrier;
use crate::orders::repo::{self as orders, LineRow, OrderRow};
use crate::people::Action;
use crate::rules::Fen;
use crate::tz::TimeZone;
use crate::web::forms::non_empty;
use crate::web::pagination::query_string;
use crate::web::{Ctx, FieldErrors, Flash, Pager, RequestMeta};

/// The list's filter from its query string (400 naming a bad value), and what was
/// wrong with its dates: a bad date is left out of the filter and cleared from `q`
/// (which the pager's links are made of).
fn filter_of(cx: &Ctx, q: &mut ListQuery) -> AppResult<(Filter, Vec<String>)> {
    fn code<T>(raw: &str, parse: fn(&str) -> Option<T>, what: &str) -> AppResult<Option<T>> {
        match non_empty(raw) {
            None => Ok(None),
            Some(s) => parse(s).map(Some).ok_or_else(|| AppError::BadRequest(format!("{what}“{s}”无效"))),
        }
    }
    let tz = cx.user.settings.time_zone;
    let mut errors = Vec::new();
    let mut date = |raw: &mut String, what: &str, day_after: bool| {
        crate::web::forms::day_start(tz, raw, what, day_after, &mut errors)
    };
    let from = date(&mut q.from, "申请日期（起）", false);
    let until = date(&mut q.to, "申请日期（止）", true);
    let refunded_from = date(&mut q.refunded_from, "退款日期（起）", false);
    let refunded_until = date(&mut q.refunded_to, "退款日期（止）", true);
    let order_id = match non_empty(&q.order) {
        None => None,
        Some(s) => Some(s.parse::<i64>().map_err(|_| AppError::BadRequest(format!("订单“{s}”无效")))?),
    };
    let filter = Filter {
        kind: code(&q.kind, CaseKind::parse, "类型")?,
        status: code(&q.status, CaseStatus::parse, "状态")?,
        order_id,
        from,
        until,
        refunded_from,
        refunded_until,
        to_receive: q.stage == "receive",
        raised_by: (q.mine == "1").then_some(cx.user.user_id),
        q: non_empty(&q.q).map(str::to_owned),
    };
    Ok((filter, errors))
}

fn query_of(q: &ListQuery) -> String {
    query_string(&[
        ("q", &q.q),
        ("kind", &q.kind),
        ("status", &q.status),
        ("order", &q.order),
        ("from", &q.from),
        ("to", &q.to),
        ("refunded_from", &q.refunded_from),
        ("refunded_to", &q.refunded_to),
        ("stage", &q.stage),
        ("mine", &q.mine),
    ])
}

/// `GET /after-sales`: one page of the filtered list (400 with the page, the date
/// left out, when a date of the filter is not one).
pub async fn list(mut cx: Ctx, Query(q): Query<ListQuery>) -> AppResult<Response> {
    cx.require(Action::AfterSalesView)?;
    let mut applied = q.clone();
    let (filter, date_errors) = filter_of(&cx, &mut applied)?;
    let pager = Pager::new("/after-sales", q.page, query_of(&applied));
    let mut tx = cx.begin().await?;
    let tid = cx.user.tenant_id;
    let scope = scope(&cx.user);
    let (rows, total) =
        repo::list(&mut tx, tid, &scope, &filter, pager.per_page, pager.offset(), pager.count_limit()).await?;
    let refunded_sum = match filter.by_refund_day() {
        true => Some(yuan(repo::refunded_sum(&mut tx, tid, &scope, &filter).await?)),
        false => None,
    };
    tx.commit().await?;
    let tz = cx.user.settings.time_zone;
    let status = if date_errors.is_empty() { StatusCode::OK } else { StatusCode::BAD_REQUEST };
    let page = ListPage {
        chrome: cx.chrome("售后", "/after-sales"),
        q,
        rows: rows.into_iter().map(|case| ListRow { raised_at: tz.format(case.raised_at), case }).collect(),
        pager: pager.with_total(total),
        kinds: CaseKind::ALL,
        statuses: CaseStatus::ALL,
        date_errors,
        refunded_sum,
    };
    Ok((status, page).into_response())
}

/// The most cases one CSV export holds.
const EXPORT_MAX_ROWS: i64 = 100_000;

/// `GET /after-sales.csv`: the filtered list as CSV (UTF-8 with BOM, CRLF), newest first.
pub async fn export(cx: Ctx, Query(q): Query<ListQuery>) -> AppResult<Response> {
    cx.require(Action::AfterSalesView)?;
    let (filter, date_errors) = filter_of(&cx, &mut q.clone())?;
    if let Some(e) = date_errors.into_iter().next() {
        return Err(AppError::BadRequest(e));
    }
    let mut tx = cx.begin().await?;
    let (rows, _) = repo::list(&mut tx, cx.user.tenant_id, &scope(&cx.user), &filter, EXPORT_MAX_ROWS, 0, 1).await?;
    tx.commit().await?;
    let tz = cx.user.settings.time_zone;
    let header = [
        "case_no",
        "raised_at",
        "kind",
        "status",
        "order_no",
        "receiver",
        "phone",
        "sku",
        "quantity",
        "received",
        "category",
        "reason",
        "amount_asked",
        "refunded",
    ];
    let body = crate::web::csv::build(
        &header,
        rows.iter().map(|c| {
            vec![
                c.case_no.clone(),
                tz.format(c.raised_at),
                c.kind.code().to_owned(),
                c.status.code().to_owned(),
                c.order_no.clone(),
                c.receiver.clone(),
                c.phone.clone(),
                c.sku.clone(),
                c.quantity.to_string(),
                c.received_qty.to_string(),
                c.category.code().to_owned(),
                c.reason.clone(),
                yuan(c.asked_fen),
                yuan(c.refunded_fen),
            ]
        }),
    )?;
    Ok(crate::web::csv::download(&format!("after-sales-{}.csv", cx.user.tenant_code), body))
}

fn local(tz: TimeZone, at: Option<chrono::DateTime<chrono::Utc>>) -> String {
    at.map(|t| tz.format(t)).unwrap_or_default()
}

/// The line's share of what the order was paid.
pub(super) fn line_share(order: &OrderRow, lines: &[LineRow], line_no: i32) -> i64 {
    let amounts: Vec<i64> = lines.iter().map(|l| l.quantity * l.unit_price_fen).collect();
    let shares = paid_shares(order.paid_fen, &amounts);
    lines.iter().position(|l| l.line_no == line_no).map(|i| shares[i]).unwrap_or_default()
}

/// The record page of `case` (with a form's errors and what was typed).
pub(super) async fn page(
    cx: &mut Ctx,
    tx: &mut Tx,
    case: CaseRow,
    errors: FieldErrors,
    typed: Typed,
) -> AppResult<ShowPage> {
    let tid = cx.user.tenant_id;
    let tz = cx.user.settings.time_zone;
    let order = orders::find(tx, tid, &crate::orders::flow::scope(&cx.user), case.order_id, false).await?;
    let lines = orders::lines(tx, tid, case.order_id).await?;
    let (order_paid_fen, line_share_fen) = match &order {
        Some(o) => (o.paid_fen, line_share(o, &lines, case.line_no)),
        None => (0, 0),
    };
    let (order_refunds_fen, line_refunds) = repo::refunds_so_far(tx, tid, case.order_id, case.line_no).await?;
    let refundable_fen = (line_share_fen - line_refunds).min(order_paid_fen - order_refunds_fen).max(0);
    let warehouses = orders::warehouse_choices(tx, tid).await?.into_iter().map(|(_, c, n)| (c, n)).collect();
    let receipts = repo::receipts(tx, tid, case.id).await?;
    let refunds = repo::refunds(tx, tid, case.id).await?;
    let events = repo::events(tx, tid, case.id).await?;
    Ok(ShowPage {
        chrome: cx.chrome(format!("售后单 {}", case.case_no), "/after-sales"),
        raised_at: tz.format(case.raised_at),
        decided_at: local(tz, case.decided_at),
        receipts: receipts.into_iter().map(|r| ReceiptView { at: tz.format(r.received_at), receipt: r }).collect(),
        refunds: refunds
            .into_iter()
            .map(|r| RefundView { at: tz.format(r.recorded_at), decided_at: local(tz, r.decided_at), refund: r })
            .collect(),
        events: events.into_iter().map(|e| EventView { at: tz.format(e.at), event: e }).collect(),
        order_paid_fen,
        line_share_fen,
        refundable_fen,
        order_refunds_fen,
        threshold_fen: cx.user.settings.refund_manager_threshold_fen,
        warehouses,
        carriers: Carrier::ALL,
        methods: RefundMethod::ALL,
        dispositions: &[Disposition::Restock, Disposition::Scrap],
        can_operate: cx.can(Action::AfterSalesOperate),
        can_receive: cx.can(Action::AfterSalesReceive),
        can_decide_refund: cx.can(Action::RefundApprove),
        order_link: order.is_some() && cx.can(Action::OrdersView),
        viewer_id: cx.user.user_id,
        errors,
        typed,
        case,
    })
}

pub async fn show(mut cx: Ctx, Path(id): Path<i64>) -> AppResult<ShowPage> {
    cx.require(Action::AfterSalesView)?;
    let mut tx = cx.begin().await?;
    let case = repo::find(&mut tx, cx.user.tenant_id, &scope(&cx.user), id, false).await?.ok_or(AppError::NotFound)?;
    let page = page(&mut cx, &mut tx, case, FieldErrors::default(), Typed::default()).await?;
    tx.commit().await?;
    Ok(page)
}

/// The record page again with `errors` (422), nothing written.
pub(super) async fn refuse(
    mut cx: Ctx,
    mut tx: Tx,
    case: CaseRow,
    errors: FieldErrors,
    typed: Typed,
) -> AppResult<Response> {
    let page = page(&mut cx, &mut tx, case, errors, typed).await?;
    tx.rollback().await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// The timeline event and audit row of a step of `case`, then commit and go back to it.
#[allow(clippy::too_many_arguments)]
pub(super) async fn finish(
    cx: &Ctx,
    meta: &RequestMeta,
    mut tx: Tx,
    case: &CaseRow,
    (kind, action): (&str, &'static str),
    note: &str,
    after: serde_json::Value,
    message: String,
) -> AppResult<Response> {
    let tid = cx.user.tenant_id;
    repo::event(&mut tx, tid, case.id, kind, (cx.user.user_id, &cx.user.display_name), note).await?;
    let summary = format!("售后单 {}（订单 {}）：{message}", case.case_no, case.order_no);
    let before = json!({"status": case.status.code()});
    audit::by_user(&mut tx, &cx.user, meta, Entry::step(action, "after_sale", case.id, summary, Some(before), after))
        .await?;
    tx.commit().await?;
    Ok(Flash::success(message).redirect(&format!("/after-sales/{}", case.id)))
}

#[derive(Debug, Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    pub order: String,
}

/// The order a new case is raised on, locked (so two cases of it are checked one
/// after the other): 400 for a malformed id, 404 outside scope.
async fn order_of(cx: &Ctx, tx: &mut Tx, raw: &str, lock: bool) -> AppResult<OrderRow> {
    let id = raw.trim().parse::<i64>().map_err(|_| AppError::BadRequest("请从订单页面申请售后（订单无效）".into()))?;
    orders::find(tx, cx.user.tenant_id, &crate::orders::flow::scope(&cx.user), id, lock)
        .await?
        .ok_or(AppError::NotFound)
}

async fn new_page(
    cx: &mut Ctx,
    tx: &mut Tx,
    order: OrderRow,
    form: NewForm,
    errors: FieldErrors,
) -> AppResult<NewPage> {
    let tid = cx.user.tenant_id;
    let lines = orders::lines(tx, tid, order.id).await?;
    let covered = repo::covered(tx, tid, order.id).await?;
    let choices = lines
        .iter()
        .map(|l| LineChoice {
            line_no: l.line_no,
            sku: l.sku.clone(),
            name: l.name.clone(),
            shipped: l.shipped_qty,
            covered: covered.iter().find(|c| c.0 == l.line_no).map(|c| c.1).unwrap_or_default(),
            share_fen: line_share(&order, &lines, l.line_no),
        })
        .collect();
    Ok(NewPage {
        chrome: cx.chrome(format!("申请售后：订单 {}", order.order_no), "/after-sales"),
        order_id: order.id,
        order_no: order.order_no,
        receiver: order.receiver,
        paid_fen: order.paid_fen,
        lines: choices,
        kinds: CaseKind::ALL,
        categories: Category::ALL,
        form,
        errors,
    })
}

/// `GET /after-sales/new?order=ID`.
pub async fn new_form(mut cx: Ctx, Query(q): Query<NewQuery>) -> AppResult<NewPage> {
    cx.require(Action::AfterSalesOperate)?;
    let mut tx = cx.begin().await?;
    let order = order_of(&cx, &mut tx, &q.order, false).await?;
    let form = NewForm { order: order.id.to_string(), ..NewForm::default() };
    let page = new_page(&mut cx, &mut tx, order, form, FieldErrors::default()).await?;
    tx.commit().await?;
    Ok(page)
}

/// A yuan amount (> 0, at most two decimals) in fen.
pub(super) fn amount(raw: &str) -> Result<i64, String> {
    match Fen::parse_non_negative_yuan(raw) {
        Ok(f) if f.fen() > 0 => Ok(f.fen()),
        _ if raw.is_empty() => Err("请填写金额".into()),
        _ => Err(format!("“{raw}”不是有效金额（元，大于 0，最多两位小数）")),
    }
}

/// `POST /after-sales`: raise a case (fields of CONTRACT.md, `category` optional).
pub async fn create(mut cx: Ctx, meta: RequestMeta, Form(form): Form<NewForm>) -> AppResult<Response> {
    cx.require(Action::AfterSalesOperate)?;
    let mut tx = cx.begin().await?;
    let order = order_of(&cx, &mut tx, &form.order, true).await?;
    let tid = cx.user.tenant_id;
    let lines = orders::lines(&mut tx, tid, order.id).await?;
    let covered = repo::covered(&mut tx, tid, order.id).await?;
    let mut errors = FieldErrors::default();
    let kind = CaseKind::parse(form.kind.trim());
    if kind.is_none() {
        errors.add("kind", format!("请选择售后类型（{}）", CaseKind::codes()));
    }
    let quantity = match form.quantity.trim().parse::<i64>() {
        Ok(q) if q >= 1 => Some(q),
        _ => {
            errors.add("quantity", format!("“{}”不是有效数量（1 以上的整数）", form.quantity.trim()));
            None
        }
    };
    let open = |l: &LineRow| l.shipped_qty - covered.iter().find(|c| c.0 == l.line_no).map(|c| c.1).unwrap_or_default();
    let sku = form.sku.trim();
    let of_sku: Vec<&LineRow> = lines.iter().filter(|l| l.sku.eq_ignore_ascii_case(sku)).collect();
    // The first line of the SKU that can take the quantity (an order may list a SKU twice).
    let line = of_sku.iter().find(|l| quantity.is_some_and(|q| open(l) >= q)).or(of_sku.first()).copied();
    match (line, quantity) {
        (None, _) if sku.is_empty() => errors.add("sku", "请选择商品（SKU）"),
        (None, _) => errors.add("sku", format!("订单 {} 中没有商品“{sku}”", order.order_no)),
        (Some(l), Some(q)) if open(l) < q => errors.add(
            "quantity",
            format!(
                "{} 最多可申请 {} 件（已发 {}，已有售后 {}）",
                l.sku,
                open(l).max(0),
                l.shipped_qty,
                l.shipped_qty - open(l)
            ),
        ),
        _ => {}
    }
    let asked = match kind {
        Some(k) if k.refunds() => match amount(form.amount.trim()) {
            Ok(fen) => {
                if let Some(l) = line {
                    let share = line_share(&order, &lines, l.line_no);
                    if fen > share {
                        errors.add("amount", format!("退款金额不能超过该商品的实付 ¥{}", Fen(share)));
                    }
                }
                fen
            }
            Err(e) => {
                errors.add("amount", e);
                0
            }
        },
        Some(k) if !form.amount.trim().is_empty() && form.amount.trim() != "0" => {
            errors.add("amount", format!("{}不退款，请不要填写金额", k.label()));
            0
        }
        _ => 0,
    };
    let category = match non_empty(&form.category) {
        None => Some(Category::Other),
        Some(c) => Category::parse(c),
    };
    if category.is_none() {
        errors.add("category", format!("请选择原因分类（{}）", Category::codes()));
    }
    let reason = form.reason.trim();
    if reason.is_empty() {
        errors.add("reason", "请填写售后原因");
    } else if reason.chars().count() > 500 {
        errors.add("reason", "售后原因最多 500 个字符");
    }
    let (Some(kind), Some(quantity), Some(line), Some(category), true) =
        (kind, quantity, line, category, errors.is_empty())
    else {
        let page = new_page(&mut cx, &mut tx, order, form, errors).await?;
        tx.rollback().await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let case_no = numbers::format("AS", numbers::next(&mut tx, tid, "AS").await?);
    let new = NewCase {
        order_id: order.id,
        line_no: line.line_no,
        product_id: line.product_id,
        kind,
        quantity,
        asked_fen: asked,
        category,
        reason,
        rep_id: order.rep_id,
        rep_department: order.rep_department.as_deref(),
        raised_by: cx.user.user_id,
    };
    let id = repo::insert(&mut tx, tid, &case_no, &new).await?;
    orders::after_sale_raised(&mut tx, tid, order.id).await?;
    let note = format!("{} {} × {}：{}", kind.label(), line.sku, quantity, reason);
    repo::event(&mut tx, tid, id, "raise", (cx.user.user_id, &cx.user.display_name), &note).await?;
    let after = json!({"case_no": case_no, "order": order.id, "kind": kind.code(), "sku": line.sku,
                       "quantity": quantity, "amount_fen": asked, "category": category.code()});
    let summary = format!("售后单 {case_no}（订单 {}）：{note}", order.order_no);
    audit::by_user(&mut tx, &cx.user, &meta, Entry::step("after_sale.raise", "after_sale", id, summary, None, after))
        .await?;
    tx.commit().await?;
    Ok(Flash::success(format!("已提交售后申请 {case_no}")).redirect(&format!("/after-sales/{id}")))
}
