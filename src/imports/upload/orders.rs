//! The order import on the web, with the attendance upload's preview and rules:
//! upload → check with exactly the command line's code (`imports::orders::scan`
//! off the async threads, then `plan`; every error by line and field, nothing
//! stored) → the file stored (`web::pending`, kind `orders`) and previewed →
//! confirm (the stored bytes checked again and imported in one transaction,
//! streamed and audited by `imports::orders::import`) or cancel.

use std::sync::Arc;

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::error_list;
use super::views::{ImportPage, PreviewPage, SampleOrder};
use crate::audit::Actor;
use crate::db::Tx;
use crate::error::AppResult;
use crate::imports::orders::{self, column_label, Plan, Scanned, HEADER, HEADER_ZH};
use crate::imports::{off_thread, ImportFailure, LineError};
use crate::orders::repo::intake_hold_kinds;
use crate::people::Action;
use crate::rules::Fen;
use crate::web::pending::{self, id_segment};
use crate::web::upload::{ErrorList, Upload};
use crate::web::{Ctx, FieldErrors, Flash, RequestMeta};

/// The kind of these uploads in `pending_uploads`.
const KIND: &str = "orders";
/// Where the previews are.
const PREVIEWS: &str = "/orders/import/";
/// Orders listed on the preview.
const SAMPLE_ORDERS: usize = 10;

/// The upload page, with this user's uploads awaiting confirmation.
async fn page(cx: &mut Ctx) -> AppResult<ImportPage> {
    let mut tx = cx.begin().await?;
    let pending = pending::list(&mut tx, &cx.user, KIND, PREVIEWS).await?;
    tx.commit().await?;
    Ok(ImportPage {
        chrome: cx.chrome("导入订单", "/orders"),
        header: HEADER.join(","),
        header_zh: HEADER_ZH.join(","),
        form_errors: FieldErrors::default(),
        errors: ErrorList::default(),
        pending,
    })
}

/// 422: the upload page with `file`'s errors; nothing was written.
async fn refused(cx: &mut Ctx, file: &str, errors: &[LineError]) -> AppResult<Response> {
    let mut p = page(cx).await?;
    let sentence = format!("文件 {file} 有 {} 处错误，没有导入任何订单。请修改后重新上传。", errors.len());
    p.errors = error_list(sentence, errors, column_label);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response())
}

/// `GET /orders/import`: the upload form.
pub async fn form(mut cx: Ctx) -> AppResult<ImportPage> {
    cx.require(Action::OrdersOperate)?;
    page(&mut cx).await
}

/// Check `bytes` (the first pass off the async threads) against the database, as
/// the command line does; writes nothing.
async fn check(
    tx: &mut Tx,
    cx: &Ctx,
    file: &str,
    bytes: Arc<Vec<u8>>,
) -> AppResult<Result<(Scanned, Plan), Vec<LineError>>> {
    let (name, src) = (file.to_owned(), bytes.clone());
    let scanned = match off_thread(move || orders::scan(&name, &*src, SAMPLE_ORDERS)).await {
        Ok(scanned) if scanned.is_empty() => {
            return Ok(Err(vec![LineError {
                line: 1, field: None, message: "文件只有表头，没有订单".into()
            }]))
        }
        Ok(scanned) => scanned,
        Err(e) => return Ok(Err(e.errors)),
    };
    match orders::plan(tx, cx.user.tenant_id, file, &bytes, &scanned).await {
        Ok(plan) => Ok(Ok((scanned, plan))),
        Err(ImportFailure::Invalid(e)) => Ok(Err(e.errors)),
        Err(ImportFailure::Database(e)) => Err(e.into()),
    }
}

/// `POST /orders/import` (multipart: `csrf_token`, `file`): check the file; with
/// errors, list them all (nothing stored); otherwise store it and go to its preview.
pub async fn upload(mut cx: Ctx, upload: Upload) -> AppResult<Response> {
    cx.require(Action::OrdersOperate)?;
    let Some((file_name, bytes)) = upload.read().await?.into_file("orders.csv")? else {
        let mut p = page(&mut cx).await?;
        p.form_errors.add("file", "请选择要上传的订单文件（CSV，不能为空）");
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response());
    };
    let bytes = Arc::new(bytes);
    let mut tx = cx.begin().await?;
    if let Err(errors) = check(&mut tx, &cx, &file_name, bytes.clone()).await? {
        tx.rollback().await?;
        return refused(&mut cx, &file_name, &errors).await;
    }
    let id = pending::stage(&mut tx, &cx.user, KIND, &file_name, &bytes).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("{PREVIEWS}{id}")).into_response())
}

/// `GET /orders/import/{id}`: what confirming would do — new and unchanged
/// orders, their lines, the holds intake will place, the first orders.
pub async fn preview(mut cx: Ctx, Path(raw_id): Path<String>) -> AppResult<Response> {
    cx.require(Action::OrdersOperate)?;
    let id = id_segment(&raw_id)?;
    let mut tx = cx.begin().await?;
    let staged = pending::find(&mut tx, &cx.user, KIND, id, false).await?;
    let checked = check(&mut tx, &cx, &staged.file_name, Arc::new(staged.content)).await?;
    tx.commit().await?;
    let (scanned, plan) = match checked {
        Ok(c) => c,
        Err(errors) => return refused(&mut cx, &staged.file_name, &errors).await,
    };
    let samples = scanned
        .samples
        .iter()
        .map(|o| {
            let new = plan.is_new(o.platform, &o.order_no);
            SampleOrder {
                line: o.line,
                platform: o.platform.label(),
                order_no: o.order_no.clone(),
                receiver: o.ship_to.receiver.clone(),
                goods: o.lines.iter().map(|l| format!("{}×{}", l.sku, l.quantity)).collect::<Vec<_>>().join("，"),
                paid: Fen::to_yuan_string(o.paid_amount),
                new,
                holds: match new {
                    true => intake_hold_kinds(o.paid_at.is_some(), &o.ship_to).map(|k| k.label()).collect(),
                    false => Vec::new(),
                },
            }
        })
        .collect();
    let summary = plan.summary;
    let page = PreviewPage {
        chrome: cx.chrome("确认导入订单", "/orders"),
        preview: format!("{PREVIEWS}{id}"),
        file_name: staged.file_name,
        new: summary.new,
        lines: summary.lines,
        unchanged: summary.unchanged,
        unpaid: plan.unpaid,
        address: plan.address,
        samples,
    };
    Ok(page.into_response())
}

/// `POST /orders/import/{id}/confirm`: apply the stored file, once.
pub async fn confirm(mut cx: Ctx, meta: RequestMeta, Path(raw_id): Path<String>) -> AppResult<Response> {
    cx.require(Action::OrdersOperate)?;
    let id = id_segment(&raw_id)?;
    let mut tx = cx.begin().await?;
    let staged = pending::find(&mut tx, &cx.user, KIND, id, true).await?;
    let content = Arc::new(staged.content);
    let (name, src) = (staged.file_name.clone(), content.clone());
    let scanned = match off_thread(move || orders::scan(&name, &*src, 0)).await {
        Ok(scanned) => scanned,
        Err(e) => {
            tx.rollback().await?;
            return refused(&mut cx, &staged.file_name, &e.errors).await;
        }
    };
    let actor = Actor::user(&cx.user, &meta);
    let summary = match orders::import(&mut tx, cx.user.tenant_id, &actor, &staged.file_name, &content, &scanned).await
    {
        Ok(summary) => summary,
        Err(ImportFailure::Invalid(e)) => {
            tx.rollback().await?;
            return refused(&mut cx, &staged.file_name, &e.errors).await;
        }
        Err(ImportFailure::Database(e)) => return Err(e.into()),
    };
    pending::close(&mut tx, &cx.user, id, true).await?;
    tx.commit().await?;
    let message = format!(
        "已导入 {}：新增 {} 单（{} 行），未变 {} 单。",
        staged.file_name, summary.new, summary.lines, summary.unchanged
    );
    Ok(Flash::success(message).redirect("/orders"))
}

/// `POST /orders/import/{id}/cancel`: discard the stored file.
pub async fn cancel(cx: Ctx, Path(raw_id): Path<String>) -> AppResult<Response> {
    cx.require(Action::OrdersOperate)?;
    let id = id_segment(&raw_id)?;
    let mut tx = cx.begin().await?;
    let staged = pending::find(&mut tx, &cx.user, KIND, id, true).await?;
    pending::close(&mut tx, &cx.user, id, false).await?;
    tx.commit().await?;
    Ok(Flash::success(format!("已取消导入 {}，没有写入任何订单。", staged.file_name)).redirect("/orders/import"))
}
