//! Purchase orders (采购单): created from an approved replenishment request,
//! listed, printed and received (in full or in part) into the ledger.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use sqlx::{Postgres, QueryBuilder};

use super::flow::{OrderStatus, RequestEvent};
use super::repo::{fetch_any, RequestRow};
use super::yuan;
use crate::audit::{self, Actor, Entry};
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::inventory::ledger::{self, DocType, MovementKind, NewMovement};
use crate::people::Action;
use crate::rules::Fen;
use crate::web::forms::non_empty;
use crate::web::forms::Choice;
use crate::web::pagination::query_string;
use crate::web::{local_time, Chrome, Ctx, FieldErrors, Flash, Pager, RequestMeta};

pub struct SupplierChoice {
    pub code: String,
    pub name: String,
}

async fn supplier_choices(tx: &mut Tx, tenant_id: i64) -> Result<Vec<SupplierChoice>, sqlx::Error> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT code, name FROM partners WHERE tenant_id = $1 AND kind = 'supplier' AND is_active ORDER BY code LIMIT 1000",
    )
    .bind(tenant_id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(|(code, name)| SupplierChoice { code, name }).collect())
}

// ---------- create from an approved request ----------

#[derive(Clone, Debug, Default, Deserialize)]
pub struct OrderForm {
    #[serde(default)]
    pub request: String,
    #[serde(default)]
    pub supplier: String,
    #[serde(default)]
    pub unit_cost: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "purchasing/order_form.html")]
pub struct OrderFormPage {
    pub chrome: Chrome,
    pub req: RequestRow,
    pub form: OrderForm,
    pub errors: FieldErrors,
    pub suppliers: Vec<SupplierChoice>,
}

#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    pub request: String,
}

fn parse_id(s: &str) -> AppResult<i64> {
    s.trim().parse::<i64>().map_err(|_| AppError::NotFound)
}

/// An approved request of the tenant, locked or not: 404 / 409 otherwise.
async fn approved_request(tx: &mut Tx, tenant_id: i64, id: i64, lock: bool) -> AppResult<RequestRow> {
    let req = fetch_any(tx, tenant_id, id, lock).await?.ok_or(AppError::NotFound)?;
    if req.status != super::flow::RequestStatus::Approved {
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
    let default_supplier: Option<String> = match req.default_supplier_id {
        Some(sid) => {
            sqlx::query_scalar(
                "SELECT code FROM partners WHERE tenant_id = $1 AND id = $2 AND kind = 'supplier' AND is_active",
            )
            .bind(ctx.user.tenant_id)
            .bind(sid)
            .fetch_optional(&mut *tx)
            .await?
        }
        None => None,
    };
    let suppliers = supplier_choices(&mut tx, ctx.user.tenant_id).await?;
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
    let supplier: Option<(i64, String, String, bool)> = if supplier_code.is_empty() {
        errors.add("supplier", "请选择供应商");
        None
    } else {
        sqlx::query_as(
            "SELECT id, code, name, is_active FROM partners WHERE tenant_id = $1 AND code = $2 AND kind = 'supplier'",
        )
        .bind(ctx.user.tenant_id)
        .bind(supplier_code)
        .fetch_optional(&mut *tx)
        .await?
    };
    match &supplier {
        None if !supplier_code.is_empty() => errors.add("supplier", format!("没有编码为 {supplier_code} 的供应商")),
        Some(s) if !s.3 => errors.add("supplier", "该供应商已停用"),
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
    let (Some(supplier), Some(unit_cost), true) = (supplier.filter(|s| s.3), unit_cost, errors.is_empty()) else {
        let suppliers = supplier_choices(&mut tx, ctx.user.tenant_id).await?;
        tx.rollback().await?;
        let page =
            OrderFormPage { chrome: ctx.chrome("生成采购单", "/purchasing/orders"), req, form, errors, suppliers };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let po_id: i64 = sqlx::query_scalar(
        "INSERT INTO purchase_orders (tenant_id, supplier_id, warehouse_id, note, created_by)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(ctx.user.tenant_id)
    .bind(supplier.0)
    .bind(req.warehouse_id)
    .bind(&note)
    .bind(ctx.user.user_id)
    .fetch_one(&mut *tx)
    .await?;
    let po_no = format!("CG-{po_id:06}");
    sqlx::query("UPDATE purchase_orders SET po_no = $3 WHERE tenant_id = $1 AND id = $2")
        .bind(ctx.user.tenant_id)
        .bind(po_id)
        .bind(&po_no)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO purchase_order_lines (tenant_id, purchase_order_id, product_id, warehouse_id, quantity, unit_cost_fen)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(ctx.user.tenant_id)
    .bind(po_id)
    .bind(req.product_id)
    .bind(req.warehouse_id)
    .bind(req.quantity)
    .bind(unit_cost)
    .execute(&mut *tx)
    .await?;
    let ordered = req.status.next(RequestEvent::Order).ok_or_else(|| {
        AppError::Conflict(format!("补货申请 #{request_id} 当前为“{}”，不能生成采购单", req.status_label()))
    })?;
    sqlx::query(
        "UPDATE replenishment_requests SET status = $5, purchase_order_id = $3, ordered_by = $4, ordered_at = now(),
                updated_at = now() WHERE tenant_id = $1 AND id = $2",
    )
    .bind(ctx.user.tenant_id)
    .bind(request_id)
    .bind(po_id)
    .bind(ctx.user.user_id)
    .bind(ordered)
    .execute(&mut *tx)
    .await?;
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
                supplier.2,
                req.product_name,
                req.sku,
                req.quantity,
                req.unit,
                yuan(unit_cost)
            ),
            before: Some(json!({"request": request_id, "request_status": "approved"})),
            after: Some(json!({
                "po_no": po_no, "supplier": supplier.1, "warehouse": req.warehouse_code, "request": request_id,
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

#[derive(Clone, Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub supplier: String,
    pub page: Option<i64>,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct OrderListRow {
    pub id: i64,
    pub po_no: Option<String>,
    pub supplier_name: String,
    pub warehouse_code: String,
    pub status: OrderStatus,
    pub lines: i64,
    pub quantity: i64,
    pub received: i64,
    pub amount_fen: i64,
    pub created_at: DateTime<Utc>,
}

impl OrderListRow {
    pub fn status_label(&self) -> &'static str {
        self.status.label()
    }
    pub fn status_class(&self) -> &'static str {
        self.status.tag()
    }
    pub fn amount(&self) -> String {
        yuan(self.amount_fen)
    }
    pub fn no(&self) -> String {
        self.po_no.clone().unwrap_or_default()
    }
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AwaitingRow {
    pub id: i64,
    pub sku: String,
    pub product_name: String,
    pub warehouse_code: String,
    pub quantity: i64,
    pub value_fen: i64,
}

impl AwaitingRow {
    pub fn value(&self) -> String {
        yuan(self.value_fen)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "purchasing/orders.html")]
pub struct OrdersPage {
    pub chrome: Chrome,
    pub q: ListQuery,
    pub rows: Vec<OrderListRow>,
    pub pager: Pager,
    pub statuses: Vec<Choice>,
    pub suppliers: Vec<SupplierChoice>,
    /// Approved requests without an order yet (for purchasing users).
    pub awaiting: Vec<AwaitingRow>,
    pub can_order: bool,
    pub tz: crate::tz::TimeZone,
}

impl OrdersPage {
    pub fn at(&self, t: &DateTime<Utc>) -> String {
        local_time(*t, &self.tz)
    }
}

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
    let push_where = |qb: &mut QueryBuilder<'_, Postgres>| {
        qb.push(" WHERE o.tenant_id = ").push_bind(ctx.user.tenant_id);
        if let Some(s) = status {
            qb.push(" AND o.status = ").push_bind(s.to_owned());
        }
        if let Some(code) = non_empty(&q.supplier) {
            qb.push(" AND o.supplier_id = (SELECT id FROM partners WHERE tenant_id = ")
                .push_bind(ctx.user.tenant_id)
                .push(" AND code = ")
                .push_bind(code.to_owned())
                .push(")");
        }
    };
    let mut qb = QueryBuilder::<Postgres>::new(
        "SELECT o.id, o.po_no, s.name AS supplier_name, w.code AS warehouse_code, o.status,
                (SELECT count(*) FROM purchase_order_lines l WHERE l.tenant_id = o.tenant_id AND l.purchase_order_id = o.id) AS lines,
                (SELECT coalesce(sum(l.quantity), 0)::bigint FROM purchase_order_lines l WHERE l.tenant_id = o.tenant_id AND l.purchase_order_id = o.id) AS quantity,
                (SELECT coalesce(sum(l.received_quantity), 0)::bigint FROM purchase_order_lines l WHERE l.tenant_id = o.tenant_id AND l.purchase_order_id = o.id) AS received,
                (SELECT coalesce(sum(l.quantity * l.unit_cost_fen), 0)::bigint FROM purchase_order_lines l WHERE l.tenant_id = o.tenant_id AND l.purchase_order_id = o.id) AS amount_fen,
                o.created_at
         FROM purchase_orders o
         JOIN partners s ON s.tenant_id = o.tenant_id AND s.id = o.supplier_id
         JOIN warehouses w ON w.tenant_id = o.tenant_id AND w.id = o.warehouse_id",
    );
    push_where(&mut qb);
    qb.push(" ORDER BY o.id DESC LIMIT ").push_bind(pager.per_page).push(" OFFSET ").push_bind(pager.offset());
    let mut count = QueryBuilder::<Postgres>::new("SELECT count(*) FROM (SELECT 1 FROM purchase_orders o");
    push_where(&mut count);
    count.push(" LIMIT ").push_bind(pager.count_limit()).push(") c");
    let can_order = ctx.can(Action::PurchaseOrders);
    let mut tx = ctx.begin().await?;
    let rows: Vec<OrderListRow> = qb.build_query_as().fetch_all(&mut *tx).await?;
    let total: i64 = count.build_query_scalar().fetch_one(&mut *tx).await?;
    let suppliers = supplier_choices(&mut tx, ctx.user.tenant_id).await?;
    let awaiting: Vec<AwaitingRow> = if can_order {
        sqlx::query_as(
            "SELECT r.id, p.sku, p.name AS product_name, w.code AS warehouse_code, r.quantity, r.value_fen
             FROM replenishment_requests r
             JOIN products p ON p.tenant_id = r.tenant_id AND p.id = r.product_id
             JOIN warehouses w ON w.tenant_id = r.tenant_id AND w.id = r.warehouse_id
             WHERE r.tenant_id = $1 AND r.status = 'approved' ORDER BY r.id LIMIT 50",
        )
        .bind(ctx.user.tenant_id)
        .fetch_all(&mut *tx)
        .await?
    } else {
        Vec::new()
    };
    tx.commit().await?;
    Ok(OrdersPage {
        chrome: ctx.chrome("采购单", "/purchasing/orders"),
        q,
        rows,
        pager: pager.with_total(total),
        statuses: OrderStatus::ALL.iter().map(|s| Choice { code: s.code(), label: s.label() }).collect(),
        suppliers,
        awaiting,
        can_order,
        tz: ctx.user.settings.time_zone,
    })
}

// ---------- show (printable) and receive ----------

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct OrderRow {
    pub id: i64,
    pub po_no: Option<String>,
    pub supplier_code: String,
    pub supplier_name: String,
    pub supplier_contact: String,
    pub supplier_phone: String,
    pub supplier_address: String,
    pub warehouse_id: i64,
    pub warehouse_code: String,
    pub warehouse_name: String,
    pub warehouse_address: String,
    pub status: OrderStatus,
    pub note: String,
    pub creator_name: String,
    pub created_at: DateTime<Utc>,
    pub received_at: Option<DateTime<Utc>>,
    pub request_id: Option<i64>,
}

impl OrderRow {
    pub fn status_label(&self) -> &'static str {
        self.status.label()
    }
    pub fn status_class(&self) -> &'static str {
        self.status.tag()
    }
    pub fn no(&self) -> String {
        self.po_no.clone().unwrap_or_default()
    }
    pub fn receivable(&self) -> bool {
        self.status.after_receipt(false).is_some()
    }
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct LineRow {
    pub id: i64,
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    pub spec: String,
    pub unit: String,
    pub quantity: i64,
    pub unit_cost_fen: i64,
    pub received_quantity: i64,
    pub on_hand: i64,
}

impl LineRow {
    pub fn remaining(&self) -> i64 {
        self.quantity - self.received_quantity
    }
    pub fn unit_cost(&self) -> String {
        yuan(self.unit_cost_fen)
    }
    pub fn amount(&self) -> String {
        yuan(self.quantity.saturating_mul(self.unit_cost_fen))
    }
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ReceiptRow {
    pub created_at: DateTime<Utc>,
    pub sku: String,
    pub quantity: i64,
    pub balance_after: i64,
    pub who: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "purchasing/order_show.html")]
pub struct OrderPage {
    pub chrome: Chrome,
    pub order: OrderRow,
    pub lines: Vec<LineRow>,
    pub receipts: Vec<ReceiptRow>,
    pub total: String,
    pub can_receive: bool,
    /// What was typed per line (after a refused receipt).
    pub typed: HashMap<i64, String>,
    pub line_errors: HashMap<i64, String>,
    pub errors: FieldErrors,
    pub tz: crate::tz::TimeZone,
}

impl OrderPage {
    pub fn at(&self, t: &DateTime<Utc>) -> String {
        local_time(*t, &self.tz)
    }
    pub fn when(&self, t: &Option<DateTime<Utc>>) -> String {
        t.map(|t| local_time(t, &self.tz)).unwrap_or_default()
    }
    pub fn typed_for(&self, line: &LineRow) -> String {
        self.typed.get(&line.id).cloned().unwrap_or_default()
    }
    pub fn error_for(&self, line: &LineRow) -> String {
        self.line_errors.get(&line.id).cloned().unwrap_or_default()
    }
}

async fn load_order(tx: &mut Tx, tenant_id: i64, id: i64, lock: bool) -> Result<Option<OrderRow>, sqlx::Error> {
    let sql = format!(
        "SELECT o.id, o.po_no, s.code AS supplier_code, s.name AS supplier_name, s.contact AS supplier_contact,
                s.phone AS supplier_phone, s.address AS supplier_address, o.warehouse_id, w.code AS warehouse_code,
                w.name AS warehouse_name, w.address AS warehouse_address, o.status, o.note,
                u.display_name AS creator_name, o.created_at, o.received_at,
                (SELECT r.id FROM replenishment_requests r WHERE r.tenant_id = o.tenant_id AND r.purchase_order_id = o.id
                 ORDER BY r.id LIMIT 1) AS request_id
         FROM purchase_orders o
         JOIN partners s ON s.tenant_id = o.tenant_id AND s.id = o.supplier_id
         JOIN warehouses w ON w.tenant_id = o.tenant_id AND w.id = o.warehouse_id
         JOIN users u ON u.tenant_id = o.tenant_id AND u.id = o.created_by
         WHERE o.tenant_id = $1 AND o.id = $2{}",
        if lock { " FOR UPDATE OF o" } else { "" }
    );
    sqlx::query_as(&sql).bind(tenant_id).bind(id).fetch_optional(&mut **tx).await
}

async fn load_lines(tx: &mut Tx, tenant_id: i64, id: i64, lock: bool) -> Result<Vec<LineRow>, sqlx::Error> {
    let sql = format!(
        "SELECT l.id, l.product_id, p.sku, p.name, p.spec, p.unit, l.quantity, l.unit_cost_fen, l.received_quantity,
                coalesce(s.on_hand, 0) AS on_hand
         FROM purchase_order_lines l
         JOIN products p ON p.tenant_id = l.tenant_id AND p.id = l.product_id
         LEFT JOIN stock_levels s ON s.tenant_id = l.tenant_id AND s.product_id = l.product_id AND s.warehouse_id = l.warehouse_id
         WHERE l.tenant_id = $1 AND l.purchase_order_id = $2 ORDER BY l.id{}",
        if lock { " FOR UPDATE OF l" } else { "" }
    );
    sqlx::query_as(&sql).bind(tenant_id).bind(id).fetch_all(&mut **tx).await
}

async fn order_page(
    tx: &mut Tx,
    ctx: &mut Ctx,
    order: OrderRow,
    typed: HashMap<i64, String>,
    line_errors: HashMap<i64, String>,
    errors: FieldErrors,
) -> Result<OrderPage, sqlx::Error> {
    let lines = load_lines(tx, ctx.user.tenant_id, order.id, false).await?;
    let receipts: Vec<ReceiptRow> = sqlx::query_as(
        "SELECT m.created_at, p.sku, m.quantity, m.balance_after, u.display_name AS who
         FROM stock_movements m
         JOIN products p ON p.tenant_id = m.tenant_id AND p.id = m.product_id
         LEFT JOIN users u ON u.tenant_id = m.tenant_id AND u.id = m.created_by
         WHERE m.tenant_id = $1 AND m.doc_type = 'purchase_order' AND m.doc_id = $2 ORDER BY m.id",
    )
    .bind(ctx.user.tenant_id)
    .bind(order.id)
    .fetch_all(&mut **tx)
    .await?;
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
    let order = load_order(&mut tx, ctx.user.tenant_id, id, false).await?.ok_or(AppError::NotFound)?;
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
    let order = load_order(&mut tx, ctx.user.tenant_id, id, true).await?.ok_or(AppError::NotFound)?;
    if !order.receivable() {
        return Err(AppError::Conflict(format!("采购单 {} 当前为“{}”，不能再收货", order.no(), order.status_label())));
    }
    let lines = load_lines(&mut tx, ctx.user.tenant_id, id, true).await?;
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
        sqlx::query(
            "UPDATE purchase_order_lines SET received_quantity = received_quantity + $3 WHERE tenant_id = $1 AND id = $2",
        )
        .bind(ctx.user.tenant_id)
        .bind(line.id)
        .bind(q)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE products SET last_cost_fen = $3, updated_at = now() WHERE tenant_id = $1 AND id = $2")
            .bind(ctx.user.tenant_id)
            .bind(line.product_id)
            .bind(line.unit_cost_fen)
            .execute(&mut *tx)
            .await?;
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
    sqlx::query(
        "UPDATE purchase_orders SET status = $3, updated_at = now(),
                received_at = CASE WHEN $3 = 'received' THEN now() ELSE received_at END
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(ctx.user.tenant_id)
    .bind(id)
    .bind(new_status)
    .execute(&mut *tx)
    .await?;
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
