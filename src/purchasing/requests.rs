//! Replenishment requests (补货申请): raise, list, show, approve / reject.

use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde_json::json;

use super::flow::RequestStatus;
use super::repo::{
    self, fetch_scoped, levels, open_request, warehouse_choices, Levels, ProductHit, RequestRow, WarehouseHit,
};
use super::views::{
    HistoryLine, ItemInfo, ListPage, ListQuery, NewQuery, RequestForm, RequestFormPage, ShowPage, WarehouseChoice,
};
use super::yuan;
use crate::audit::{self, Actor, Entry};
use crate::catalog::Status;
use crate::db::Tx;
use crate::error::{AppError, AppResult, OnConstraint};
use crate::people::{Action, Level};
use crate::web::forms::non_empty;
use crate::web::forms::{Choice, DecisionForm};
use crate::web::pagination::query_string;
use crate::web::{local_time, Ctx, CurrentUser, FieldErrors, Flash, Pager, RequestMeta};

/// At most this many units in one request.
pub const MAX_QUANTITY: i64 = 1_000_000;

// ---------- levels of one item ----------

// ---------- one request ----------

// ---------- raise ----------

struct Item {
    product_id: i64,
    sku: String,
    name: String,
    unit: String,
    unit_cost_fen: i64,
    warehouse_id: i64,
    warehouse_code: String,
    warehouse_name: String,
}

async fn find_item(
    tx: &mut Tx,
    tenant_id: i64,
    sku: &str,
    wh: &str,
    errors: &mut FieldErrors,
) -> AppResult<Option<Item>> {
    let product: Option<ProductHit> =
        if sku.is_empty() { None } else { repo::product_by_sku(tx, tenant_id, sku).await? };
    match &product {
        _ if sku.is_empty() => errors.add("sku", "请填写商品 SKU"),
        None => errors.add("sku", format!("没有 SKU 为 {sku} 的商品")),
        Some(p) if p.status == Status::Eliminated => errors.add("sku", "该商品已汰换，不能再补货"),
        Some(_) => {}
    }
    let warehouse: Option<WarehouseHit> =
        if wh.is_empty() { None } else { repo::warehouse_by_code(tx, tenant_id, wh).await? };
    match &warehouse {
        _ if wh.is_empty() => errors.add("warehouse", "请选择仓库"),
        None => errors.add("warehouse", format!("没有编码为 {wh} 的仓库")),
        Some(w) if !w.is_active => errors.add("warehouse", "该仓库已停用"),
        Some(_) => {}
    }
    Ok(match (product, warehouse) {
        (Some(p), Some(w)) if p.status != Status::Eliminated && w.is_active => Some(Item {
            product_id: p.id,
            sku: p.sku,
            name: p.name,
            unit: p.unit,
            unit_cost_fen: p.last_cost_fen.unwrap_or(p.price_fen),
            warehouse_id: w.id,
            warehouse_code: w.code,
            warehouse_name: w.name,
        }),
        _ => None,
    })
}

fn form_page(
    ctx: &mut Ctx,
    form: RequestForm,
    errors: FieldErrors,
    warehouses: Vec<WarehouseChoice>,
    info: Option<ItemInfo>,
    existing: Option<i64>,
) -> RequestFormPage {
    RequestFormPage {
        chrome: ctx.chrome("申请补货", "/inventory/replenishments"),
        form,
        errors,
        warehouses,
        info,
        existing,
        threshold: yuan(ctx.user.settings.replenishment_director_threshold_fen),
    }
}

pub async fn new_form(mut ctx: Ctx, Query(q): Query<NewQuery>) -> AppResult<RequestFormPage> {
    ctx.require(Action::InventoryOperate)?;
    let mut form =
        RequestForm { sku: q.sku.trim().to_owned(), warehouse: q.warehouse.trim().to_owned(), ..Default::default() };
    let mut tx = ctx.begin().await?;
    let warehouses = warehouse_choices(&mut tx, ctx.user.tenant_id).await?;
    let mut info = None;
    let mut existing = None;
    if !form.sku.is_empty() && !form.warehouse.is_empty() {
        let mut ignored = FieldErrors::default();
        if let Some(item) = find_item(&mut tx, ctx.user.tenant_id, &form.sku, &form.warehouse, &mut ignored).await? {
            let lv = levels(&mut tx, ctx.user.tenant_id, item.product_id, item.warehouse_id).await?;
            existing = open_request(&mut tx, ctx.user.tenant_id, item.product_id, item.warehouse_id).await?;
            if lv.suggested() > 0 {
                form.quantity = lv.suggested().to_string();
            }
            if lv.is_low() {
                form.reason = "可用库存低于再订货点".into();
            }
            info = Some(item_info(item, lv));
        }
    }
    tx.commit().await?;
    Ok(form_page(&mut ctx, form, FieldErrors::default(), warehouses, info, existing))
}

fn item_info(item: Item, levels: Levels) -> ItemInfo {
    ItemInfo {
        sku: item.sku,
        name: item.name,
        unit: item.unit,
        warehouse: format!("{}（{}）", item.warehouse_name, item.warehouse_code),
        levels,
        unit_cost_fen: item.unit_cost_fen,
    }
}

pub async fn create(meta: RequestMeta, mut ctx: Ctx, Form(mut form): Form<RequestForm>) -> AppResult<Response> {
    ctx.require(Action::InventoryOperate)?;
    form.sku = form.sku.trim().to_owned();
    form.warehouse = form.warehouse.trim().to_owned();
    let mut errors = FieldErrors::default();
    let quantity = match form.quantity.trim().parse::<i64>() {
        Ok(q) if (1..=MAX_QUANTITY).contains(&q) => Some(q),
        _ if form.quantity.trim().is_empty() => {
            errors.add("quantity", "请填写补货数量");
            None
        }
        _ => {
            errors.add("quantity", format!("补货数量应为 1 到 {MAX_QUANTITY} 之间的整数"));
            None
        }
    };
    let reason = form.reason.trim().to_owned();
    if reason.is_empty() {
        errors.add("reason", "请填写补货原因");
    } else if reason.chars().count() > 500 {
        errors.add("reason", "补货原因最多 500 个字符");
    }
    let mut tx = ctx.begin().await?;
    let item = find_item(&mut tx, ctx.user.tenant_id, &form.sku, &form.warehouse, &mut errors).await?;
    let lv = match &item {
        Some(i) => Some(levels(&mut tx, ctx.user.tenant_id, i.product_id, i.warehouse_id).await?),
        None => None,
    };
    let existing = match &item {
        Some(i) => open_request(&mut tx, ctx.user.tenant_id, i.product_id, i.warehouse_id).await?,
        None => None,
    };
    if let Some(id) = existing {
        errors.add("sku", format!("该商品在该仓库已有未完成的补货申请 #{id}，请先处理那一张"));
    }
    let value = match (&item, quantity) {
        (Some(i), Some(q)) => {
            let v = q.checked_mul(i.unit_cost_fen);
            if v.is_none() {
                errors.add("quantity", "补货金额过大");
            }
            v
        }
        _ => None,
    };
    let (Some(item), Some(lv), Some(quantity), Some(value), true) = (item, lv, quantity, value, errors.is_empty())
    else {
        let warehouses = warehouse_choices(&mut tx, ctx.user.tenant_id).await?;
        tx.rollback().await?;
        let status = if existing.is_some() { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
        let page = form_page(&mut ctx, form, errors, warehouses, None, existing);
        return Ok((status, page).into_response());
    };
    let needs_director = value >= ctx.user.settings.replenishment_director_threshold_fen;
    let new = repo::NewRequest {
        product_id: item.product_id,
        warehouse_id: item.warehouse_id,
        quantity,
        reason: &reason,
        unit_cost_fen: item.unit_cost_fen,
        value_fen: value,
        needs_director,
        levels: &lv,
    };
    let inserted = repo::insert(&mut tx, ctx.user.tenant_id, &new, ctx.user.user_id, ctx.user.dept).await;
    let id = match inserted.on_constraint(&[("replenishment_requests_open_uq", "sku")])? {
        Ok(id) => id,
        Err(field) => {
            // Raised by someone else a moment ago.
            tx.rollback().await?;
            let mut tx = ctx.begin().await?;
            let existing = open_request(&mut tx, ctx.user.tenant_id, item.product_id, item.warehouse_id).await?;
            let warehouses = warehouse_choices(&mut tx, ctx.user.tenant_id).await?;
            tx.commit().await?;
            let mut errors = FieldErrors::default();
            errors.add(
                field,
                match existing {
                    Some(id) => format!("该商品在该仓库已有未完成的补货申请 #{id}，请先处理那一张"),
                    None => "该商品在该仓库已有未完成的补货申请".to_owned(),
                },
            );
            let page = form_page(&mut ctx, form, errors, warehouses, None, existing);
            return Ok((StatusCode::CONFLICT, page).into_response());
        }
    };
    audit::record(
        &mut tx,
        ctx.user.tenant_id,
        &Actor::user(&ctx.user, &meta),
        Entry {
            action: "replenishment.raise",
            entity_type: Some("replenishment"),
            entity_id: Some(id.to_string()),
            summary: format!(
                "申请补货 #{id}：{}（{}）在 {} 补 {} {}，金额 ¥{}",
                item.name,
                item.sku,
                item.warehouse_code,
                quantity,
                item.unit,
                yuan(value)
            ),
            before: None,
            after: Some(json!({
                "sku": item.sku, "warehouse": item.warehouse_code, "quantity": quantity, "reason": reason,
                "value_fen": value, "needs_director": needs_director, "status": "pending",
                "snapshot": {"on_hand": lv.on_hand, "reserved": lv.reserved, "on_order": lv.on_order,
                    "safety_stock": lv.safety_stock, "reorder_point": lv.reorder_point, "max_level": lv.max_level,
                    "suggested": lv.suggested()}
            })),
        },
    )
    .await?;
    tx.commit().await?;
    let msg = if needs_director {
        "补货申请已提交，金额达到总监审批线，经理批准后还需总监审批。"
    } else {
        "补货申请已提交，等待运营经理审批。"
    };
    Ok(Flash::success(msg).redirect(&format!("/inventory/replenishments/{id}")))
}

// ---------- list ----------

pub async fn list(mut ctx: Ctx, Query(q): Query<ListQuery>) -> AppResult<ListPage> {
    ctx.require(Action::InventoryView)?;
    let status = non_empty(&q.status);
    if let Some(s) = status {
        if RequestStatus::parse(s).is_none() {
            return Err(AppError::BadRequest(format!("未知状态：{s}")));
        }
    }
    let pager = Pager::new(
        "/inventory/replenishments",
        q.page,
        query_string(&[("status", &q.status), ("warehouse", &q.warehouse), ("q", &q.q), ("mine", &q.mine)]),
    );
    let filter = repo::ListFilter {
        status: status.and_then(RequestStatus::parse),
        warehouse: non_empty(&q.warehouse),
        q: non_empty(&q.q),
        mine: !q.mine.is_empty(),
    };
    let mut tx = ctx.begin().await?;
    let (rows, total) =
        repo::list(&mut tx, &ctx.user, &filter, pager.per_page, pager.offset(), pager.count_limit()).await?;
    let warehouses = warehouse_choices(&mut tx, ctx.user.tenant_id).await?;
    tx.commit().await?;
    Ok(ListPage {
        chrome: ctx.chrome("补货申请", "/inventory/replenishments"),
        q,
        rows,
        pager: pager.with_total(total),
        statuses: Choice::all(RequestStatus::ALL),
        warehouses,
        can_raise: ctx.can(Action::InventoryOperate),
        tz: ctx.user.settings.time_zone,
    })
}

// ---------- show ----------

/// Whether `user` may decide the request now (ignoring the state when it is
/// not open): never their own; the first stage the ops manager or a director,
/// the director stage only a director.
fn may_decide(user: &CurrentUser, row: &RequestRow) -> bool {
    user.can(Action::InventoryApprove)
        && row.requested_by != user.user_id
        && match row.status {
            RequestStatus::Pending => true,
            RequestStatus::DirectorPending => user.level == Level::Director,
            _ => false,
        }
}

fn history(row: &RequestRow, tz: &crate::tz::TimeZone) -> Vec<HistoryLine> {
    let mut h = vec![HistoryLine {
        at: local_time(row.created_at, tz),
        who: row.requester_name.clone(),
        what: format!("提交申请：补货 {} {}", row.quantity, row.unit),
        comment: row.reason.clone(),
    }];
    if let (Some(who), Some(at)) = (&row.manager_name, row.manager_at) {
        let what = if row.status == RequestStatus::Rejected && row.director_at.is_none() {
            "经理驳回"
        } else if row.needs_director {
            "经理批准，转总监审批"
        } else {
            "经理批准"
        };
        h.push(HistoryLine {
            at: local_time(at, tz),
            who: who.clone(),
            what: what.into(),
            comment: row.manager_comment.clone().unwrap_or_default(),
        });
    }
    if let (Some(who), Some(at)) = (&row.director_name, row.director_at) {
        let what = if row.status == RequestStatus::Rejected { "总监驳回" } else { "总监批准" };
        h.push(HistoryLine {
            at: local_time(at, tz),
            who: who.clone(),
            what: what.into(),
            comment: row.director_comment.clone().unwrap_or_default(),
        });
    }
    if let (Some(who), Some(at)) = (&row.orderer_name, row.ordered_at) {
        h.push(HistoryLine {
            at: local_time(at, tz),
            who: who.clone(),
            what: format!("生成采购单 {}", row.po_no.clone().unwrap_or_default()),
            comment: String::new(),
        });
    }
    h
}

pub(super) fn show_page(ctx: &mut Ctx, row: RequestRow, form: DecisionForm, errors: FieldErrors) -> ShowPage {
    let can_decide = may_decide(&ctx.user, &row);
    let can_order = row.status == RequestStatus::Approved && ctx.can(Action::PurchaseOrders);
    let stage_note = match row.status {
        RequestStatus::Pending if row.needs_director => {
            "金额达到总监审批线：运营经理批准后还需总监审批（总监批准即为终审）。".to_owned()
        }
        RequestStatus::Pending => "等待运营经理审批。".to_owned(),
        RequestStatus::DirectorPending => "运营经理已批准，等待总监审批。".to_owned(),
        RequestStatus::Approved => "已批准，等待采购下单。".to_owned(),
        _ => String::new(),
    };
    ShowPage {
        chrome: ctx.chrome(format!("补货申请 #{}", row.id), "/inventory/replenishments"),
        history: history(&row, &ctx.user.settings.time_zone),
        row,
        can_decide,
        can_order,
        stage_note,
        form,
        errors,
        threshold: yuan(ctx.user.settings.replenishment_director_threshold_fen),
    }
}

pub async fn show(mut ctx: Ctx, Path(id): Path<i64>) -> AppResult<ShowPage> {
    ctx.require(Action::InventoryView)?;
    let mut tx = ctx.begin().await?;
    let row = fetch_scoped(&mut tx, &ctx.user, id, false).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(show_page(&mut ctx, row, DecisionForm::default(), FieldErrors::default()))
}
