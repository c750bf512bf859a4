//! Stocktake pages: list, open, the record page, blind count entry, the printable
//! count sheet, submit and cancel (approve and reject are `decision`'s).

use std::collections::HashMap;

use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde_json::json;

use super::flow::{StocktakeEvent, StocktakeStatus};
use super::repo::{self, Header, LineQuery, OpenError};
use super::views::{
    CancelPage, CountLine, CountPage, CountQuery, EventView, ListPage, ListQuery, NewForm, NewPage, SheetPage,
    ShowPage, ShowQuery,
};
use crate::audit::{self, Entry};
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::people::Action;
use crate::web::forms::non_empty;
use crate::web::forms::Choice;
use crate::web::pagination::query_string;
use crate::web::{local_time, Ctx, CurrentUser, FieldErrors, Flash, Pager, RequestMeta};

const LIST_PATH: &str = "/inventory/stocktakes";

pub(super) fn record_path(id: i64) -> String {
    format!("{LIST_PATH}/{id}")
}

fn sku_ok(s: &str) -> bool {
    s.len() <= 40 && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

// ---------- list ----------

pub async fn list(mut ctx: Ctx, Query(q): Query<ListQuery>) -> AppResult<ListPage> {
    ctx.require(Action::InventoryView)?;
    let status = match non_empty(&q.status) {
        None => None,
        Some(s) => Some(StocktakeStatus::parse(s).ok_or_else(|| AppError::BadRequest(format!("未知状态：{s}")))?),
    };
    let warehouse_id = match non_empty(&q.warehouse_id) {
        None => None,
        Some(w) => Some(w.parse::<i64>().map_err(|_| AppError::BadRequest(format!("仓库参数无效：{w}")))?),
    };
    let pager =
        Pager::new(LIST_PATH, q.page, query_string(&[("status", &q.status), ("warehouse_id", &q.warehouse_id)]));
    let mut tx = ctx.begin().await?;
    let filter = repo::ListFilter { status, warehouse_id };
    let (rows, total) =
        repo::list(&mut tx, &ctx.user, &filter, pager.per_page, pager.offset(), pager.count_limit()).await?;
    let warehouses = repo::warehouses(&mut tx, ctx.user.tenant_id, false).await?;
    tx.commit().await?;
    Ok(ListPage {
        chrome: ctx.chrome("盘点", LIST_PATH),
        statuses: Choice::all(StocktakeStatus::ALL),
        warehouses,
        rows,
        pager: pager.with_total(total),
        can_open: ctx.can(Action::InventoryOperate),
        tz: ctx.user.settings.time_zone,
        q,
    })
}

// ---------- open ----------

pub async fn new_form(mut ctx: Ctx) -> AppResult<NewPage> {
    ctx.require(Action::InventoryOperate)?;
    let mut tx = ctx.begin().await?;
    let warehouses = repo::warehouses(&mut tx, ctx.user.tenant_id, true).await?;
    tx.commit().await?;
    Ok(NewPage {
        chrome: ctx.chrome("开始盘点", LIST_PATH),
        form: NewForm::default(),
        errors: FieldErrors::default(),
        warehouses,
        open_one: None,
    })
}

pub async fn create(meta: RequestMeta, mut ctx: Ctx, Form(form): Form<NewForm>) -> AppResult<Response> {
    ctx.require(Action::InventoryOperate)?;
    let mut errors = FieldErrors::default();
    let mut tx = ctx.begin().await?;
    let warehouses = repo::warehouses(&mut tx, ctx.user.tenant_id, true).await?;
    let warehouse = form.warehouse_id.trim().parse::<i64>().ok().and_then(|id| warehouses.iter().find(|w| w.id == id));
    if warehouse.is_none() {
        errors.add("warehouse_id", "请选择仓库");
    }
    let prefix = form.sku_prefix.trim().to_owned();
    if !sku_ok(&prefix) {
        errors.add("sku_prefix", "SKU 前缀最多 40 位，只能包含字母、数字、_ . -");
    }
    let note = form.scope_note.trim().to_owned();
    if note.chars().count() > 200 {
        errors.add("scope_note", "盘点范围说明最多 200 字");
    }
    let mut open_one = None;
    let mut result = None;
    if let (Some(w), true) = (warehouse, errors.is_empty()) {
        let new = repo::NewStocktake {
            warehouse_id: w.id,
            sku_prefix: &prefix,
            scope_note: &note,
            opened_by: ctx.user.user_id,
            department: ctx.user.dept,
            limit: None,
        };
        match repo::open(&mut tx, ctx.user.tenant_id, &new).await {
            Ok(r) => result = Some((w.code.clone(), w.name.clone(), r)),
            Err(OpenError::AlreadyOpen(id, no)) => {
                errors.add("warehouse_id", "该仓库已有进行中的盘点，须先完成或取消它");
                if id > 0 {
                    open_one = Some((id, no));
                }
            }
            Err(OpenError::NoLines) => {
                errors.add(
                    "sku_prefix",
                    if prefix.is_empty() {
                        "该仓库没有任何库存记录，无需盘点"
                    } else {
                        "该仓库没有此 SKU 前缀的库存记录"
                    },
                );
            }
            Err(OpenError::Database(e)) => return Err(e.into()),
        }
    }
    let Some((wcode, wname, (id, no, lines))) = result else {
        tx.rollback().await?;
        let mut tx = ctx.begin().await?;
        // The open count may be out of this ctx.user's scope: link it only when visible.
        if let Some((oid, _)) = &open_one {
            if repo::find(&mut tx, &ctx.user, *oid, false).await?.is_none() {
                open_one = None;
            }
        }
        tx.commit().await?;
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            NewPage { chrome: ctx.chrome("开始盘点", LIST_PATH), form, errors, warehouses, open_one },
        )
            .into_response());
    };
    audit::by_user(
        &mut tx,
        &ctx.user,
        &meta,
        Entry::step(
            "stocktake.open",
            "stocktake",
            id,
            format!("开始盘点 {no}（{wname}，{lines} 个商品）"),
            None,
            json!({ "no": no, "warehouse": wcode, "sku_prefix": prefix, "scope_note": note, "lines": lines }),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Flash::success(format!("已开始盘点 {no}，共 {lines} 个商品待盘点。")).redirect(&record_path(id)))
}

// ---------- record page ----------

fn may_see_book(user: &CurrentUser, st: &Header) -> bool {
    user.can(Action::InventoryApprove) && matches!(st.status, StocktakeStatus::Submitted | StocktakeStatus::Approved)
}

pub(super) async fn show_page(tx: &mut Tx, ctx: &mut Ctx, st: Header, q: ShowQuery) -> AppResult<ShowPage> {
    let with_book = may_see_book(&ctx.user, &st);
    let sku = q.sku.trim().to_owned();
    let sku = if sku_ok(&sku) { sku } else { String::new() };
    let pager = Pager::new(&record_path(st.id), q.page, query_string(&[("sku", &q.sku), ("diff", &q.diff)]));
    let (lines, total) = repo::lines(
        tx,
        &ctx.user,
        st.id,
        &LineQuery {
            with_book,
            sku: &sku,
            differences_only: q.diff == "1",
            limit: pager.per_page,
            offset: pager.offset(),
        },
    )
    .await?;
    let mut stats = repo::stats(tx, &ctx.user, st.id).await?;
    if !with_book {
        // Blind counting: nothing derived from the book quantities.
        stats.differing = 0;
        stats.missing_reasons = 0;
        stats.net_difference = 0;
    }
    let tz = ctx.user.settings.time_zone;
    let events = repo::events(tx, ctx.user.tenant_id, st.id)
        .await?
        .into_iter()
        .map(|e| EventView {
            label: e.label(),
            actor: e.actor_name.clone(),
            comment: e.comment.clone(),
            at: local_time(e.at, &tz),
        })
        .collect();
    let open = st.is_open();
    Ok(ShowPage {
        chrome: ctx.chrome(format!("盘点单 {}", st.no), LIST_PATH),
        with_book,
        can_count: open && ctx.can(Action::InventoryOperate),
        can_submit: st.status == StocktakeStatus::Counting && ctx.can(Action::InventoryOperate),
        can_decide: st.status == StocktakeStatus::Submitted
            && ctx.can(Action::InventoryApprove)
            && st.opened_by != ctx.user.user_id,
        can_cancel: open && (ctx.can(Action::InventoryOperate) || ctx.can(Action::InventoryApprove)),
        is_opener: st.opened_by == ctx.user.user_id,
        created: local_time(st.created_at, &tz),
        reason_units: ctx.user.settings.stocktake_reason_units,
        reason_percent: ctx.user.settings.stocktake_reason_percent,
        stats,
        q,
        lines,
        pager: pager.with_total(total),
        events,
        comment: String::new(),
        errors: FieldErrors::default(),
        st,
    })
}

pub async fn show(mut ctx: Ctx, Path(id): Path<i64>, Query(q): Query<ShowQuery>) -> AppResult<ShowPage> {
    ctx.require(Action::InventoryView)?;
    let mut tx = ctx.begin().await?;
    let st = repo::find(&mut tx, &ctx.user, id, false).await?.ok_or(AppError::NotFound)?;
    let page = show_page(&mut tx, &mut ctx, st, q).await?;
    tx.commit().await?;
    Ok(page)
}

// ---------- blind count entry ----------

async fn count_page_of(tx: &mut Tx, ctx: &mut Ctx, st: Header, sku: &str, page: Option<i64>) -> AppResult<CountPage> {
    let sku = if sku_ok(sku.trim()) { sku.trim().to_owned() } else { String::new() };
    let pager = Pager::new(&format!("{}/count", record_path(st.id)), page, query_string(&[("sku", &sku)]));
    let reasons_only = st.status == StocktakeStatus::Submitted;
    let (rows, total) =
        repo::count_rows(tx, &ctx.user, st.id, reasons_only, &sku, pager.per_page, pager.offset()).await?;
    let stats = repo::stats(tx, &ctx.user, st.id).await?;
    Ok(CountPage {
        chrome: ctx.chrome(format!("录入盘点数 {}", st.no), LIST_PATH),
        sku,
        lines: rows.into_iter().map(CountLine::from).collect(),
        pager: pager.with_total(total),
        counted: stats.counted,
        reasons_only,
        has_errors: false,
        st,
    })
}

fn check_countable(st: &Header) -> AppResult<()> {
    if st.is_open() {
        Ok(())
    } else {
        Err(AppError::Conflict(format!("盘点单 {} 已{}，不能再录入。", st.no, st.status_label())))
    }
}

pub async fn count_form(mut ctx: Ctx, Path(id): Path<i64>, Query(q): Query<CountQuery>) -> AppResult<CountPage> {
    ctx.require(Action::InventoryOperate)?;
    let mut tx = ctx.begin().await?;
    let st = repo::find(&mut tx, &ctx.user, id, false).await?.ok_or(AppError::NotFound)?;
    check_countable(&st)?;
    let page = count_page_of(&mut tx, &mut ctx, st, &q.sku, q.page).await?;
    tx.commit().await?;
    Ok(page)
}

/// A typed count: `Ok(None)` when left empty.
fn parse_count(s: &str) -> Result<Option<i64>, &'static str> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if let Some(rest) = t.strip_prefix('-') {
        if !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit()) {
            return Err("盘点数量不能为负数");
        }
    }
    if !t.chars().all(|c| c.is_ascii_digit()) {
        return Err("请输入不小于 0 的整数");
    }
    match t.parse::<i64>() {
        Ok(n) if n <= 1_000_000_000 => Ok(Some(n)),
        _ => Err("数量过大"),
    }
}

pub async fn count_save(
    meta: RequestMeta,
    mut ctx: Ctx,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    ctx.require(Action::InventoryOperate)?;
    let mut page_no = None;
    let mut sku = String::new();
    let mut qtys: HashMap<i64, String> = HashMap::new();
    let mut reasons: HashMap<i64, String> = HashMap::new();
    let mut order: Vec<i64> = Vec::new();
    for (k, v) in fields {
        if k == "page" {
            page_no = v.trim().parse::<i64>().ok();
        } else if k == "sku" {
            sku = v;
        } else if let Some(pid) = k.strip_prefix("qty_").and_then(|p| p.parse::<i64>().ok()) {
            if !order.contains(&pid) {
                order.push(pid);
            }
            qtys.insert(pid, v);
        } else if let Some(pid) = k.strip_prefix("reason_").and_then(|p| p.parse::<i64>().ok()) {
            if !order.contains(&pid) {
                order.push(pid);
            }
            reasons.insert(pid, v);
        }
    }
    let mut tx = ctx.begin().await?;
    let st = repo::find(&mut tx, &ctx.user, id, true).await?.ok_or(AppError::NotFound)?;
    check_countable(&st)?;
    let reasons_only = st.status == StocktakeStatus::Submitted;
    let mut line_errors: HashMap<i64, String> = HashMap::new();
    let mut entries = Vec::new();
    for pid in &order {
        let qty = if reasons_only {
            None
        } else {
            match parse_count(qtys.get(pid).map(String::as_str).unwrap_or("")) {
                Ok(q) => q,
                Err(msg) => {
                    line_errors.insert(*pid, msg.to_owned());
                    None
                }
            }
        };
        let reason = reasons.get(pid).map(|r| r.trim().to_owned()).unwrap_or_default();
        if reason.chars().count() > 200 {
            line_errors.entry(*pid).or_insert_with(|| "原因最多 200 字".to_owned());
        }
        entries.push((*pid, qty, reason));
    }
    let back = format!(
        "{}/count?{}",
        record_path(id),
        query_string(&[("sku", sku.trim()), ("page", &page_no.unwrap_or(1).to_string())])
    );
    if !line_errors.is_empty() {
        // The form again, with what was typed and a message on each bad line.
        let mut page = count_page_of(&mut tx, &mut ctx, st, &sku, page_no).await?;
        tx.rollback().await?;
        for line in &mut page.lines {
            if let Some(q) = qtys.get(&line.product_id) {
                line.qty = q.clone();
            }
            if let Some(r) = reasons.get(&line.product_id) {
                line.reason = r.clone();
            }
            line.error = line_errors.get(&line.product_id).cloned();
        }
        page.has_errors = true;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let changed = repo::save_counts(&mut tx, ctx.user.tenant_id, id, ctx.user.user_id, &entries).await?;
    if changed > 0 {
        let counted: Vec<_> = entries
            .iter()
            .filter(|e| e.1.is_some() || !e.2.is_empty())
            .take(100)
            .map(|e| json!({ "product_id": e.0, "counted": e.1, "reason": e.2 }))
            .collect();
        audit::by_user(
            &mut tx,
            &ctx.user,
            &meta,
            Entry::step(
                "stocktake.count",
                "stocktake",
                id,
                format!("盘点 {} 录入 {changed} 行{}", st.no, if reasons_only { "差异原因" } else { "盘点数" }),
                None,
                json!({ "lines": counted }),
            ),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Flash::success(format!("已保存本页 {changed} 行。")).redirect(&back))
}

// ---------- printable count sheet ----------

pub async fn sheet(mut ctx: Ctx, Path(id): Path<i64>) -> AppResult<SheetPage> {
    ctx.require(Action::InventoryView)?;
    let mut tx = ctx.begin().await?;
    let st = repo::find(&mut tx, &ctx.user, id, false).await?.ok_or(AppError::NotFound)?;
    let (lines, _) = repo::count_rows(&mut tx, &ctx.user, id, false, "", 100_000, 0).await?;
    tx.commit().await?;
    Ok(SheetPage {
        chrome: ctx.chrome(format!("盘点表 {}", st.no), LIST_PATH),
        created: local_time(st.created_at, &ctx.user.settings.time_zone),
        st,
        lines,
    })
}

// ---------- transitions ----------

pub(super) fn stale(st: &Header, what: &str) -> AppError {
    AppError::Conflict(format!(
        "盘点单 {} 当前状态为“{}”，不能{what}。请刷新页面查看最新状态。",
        st.no,
        st.status_label()
    ))
}

pub async fn submit(meta: RequestMeta, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    ctx.require(Action::InventoryOperate)?;
    let mut tx = ctx.begin().await?;
    let st = repo::find(&mut tx, &ctx.user, id, true).await?.ok_or(AppError::NotFound)?;
    let Some(submitted) = st.status.next(StocktakeEvent::Submit) else {
        return Err(stale(&st, "提交"));
    };
    let uncounted = repo::uncounted(&mut tx, ctx.user.tenant_id, id).await?;
    if uncounted > 0 {
        tx.rollback().await?;
        return Ok(Flash::error(format!("还有 {uncounted} 个商品未录入盘点数，不能提交。"))
            .redirect(&format!("{}/count", record_path(id))));
    }
    repo::set_status(&mut tx, ctx.user.tenant_id, id, submitted, ctx.user.user_id, None).await?;
    repo::event(&mut tx, ctx.user.tenant_id, id, "submit", ctx.user.user_id, "").await?;
    audit::by_user(
        &mut tx,
        &ctx.user,
        &meta,
        Entry::step(
            "stocktake.submit",
            "stocktake",
            id,
            format!("提交盘点 {}（{} 个商品）", st.no, st.line_count),
            Some(json!({ "status": st.status.code() })),
            json!({ "status": "submitted" }),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Flash::success(format!("盘点单 {} 已提交审批。", st.no)).redirect(&record_path(id)))
}

fn may_cancel(user: &CurrentUser) -> AppResult<()> {
    if user.can(Action::InventoryOperate) || user.can(Action::InventoryApprove) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

pub async fn cancel_confirm(mut ctx: Ctx, Path(id): Path<i64>) -> AppResult<CancelPage> {
    may_cancel(&ctx.user)?;
    let mut tx = ctx.begin().await?;
    let st = repo::find(&mut tx, &ctx.user, id, false).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    if !st.is_open() {
        return Err(stale(&st, "取消"));
    }
    Ok(CancelPage { chrome: ctx.chrome(format!("取消盘点 {}", st.no), LIST_PATH), st })
}

pub async fn cancel(meta: RequestMeta, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    may_cancel(&ctx.user)?;
    let mut tx = ctx.begin().await?;
    let st = repo::find(&mut tx, &ctx.user, id, true).await?.ok_or(AppError::NotFound)?;
    let Some(cancelled) = st.status.next(StocktakeEvent::Cancel) else {
        return Err(stale(&st, "取消"));
    };
    repo::set_status(&mut tx, ctx.user.tenant_id, id, cancelled, ctx.user.user_id, None).await?;
    repo::event(&mut tx, ctx.user.tenant_id, id, "cancel", ctx.user.user_id, "").await?;
    audit::by_user(
        &mut tx,
        &ctx.user,
        &meta,
        Entry::step(
            "stocktake.cancel",
            "stocktake",
            id,
            format!("取消盘点 {}", st.no),
            Some(json!({ "status": st.status.code() })),
            json!({ "status": "cancelled" }),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Flash::success(format!("已取消盘点单 {}，库存未做调整。", st.no)).redirect(&record_path(id)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_non_negative_integers() {
        assert_eq!(parse_count(" 12 "), Ok(Some(12)));
        assert_eq!(parse_count(""), Ok(None));
        assert_eq!(parse_count("0"), Ok(Some(0)));
        assert_eq!(parse_count("-3"), Err("盘点数量不能为负数"));
        assert!(parse_count("1.5").is_err());
        assert!(parse_count("abc").is_err());
        assert!(parse_count("+4").is_err());
    }
}
