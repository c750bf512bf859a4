//! The campaign metrics upload on the web, with the order upload's preview and
//! rules: upload → check with exactly the command line's code
//! (`imports::campaign_metrics::{parse, check}`: every error by line and field,
//! nothing stored) → the file stored (`web::pending`, kind `campaign_metrics`) and
//! previewed → confirm (checked again and applied in one transaction, audited)
//! or cancel. The user may only write results of campaigns of their own
//! department (`campaigns::metrics::may_enter`). Pages under `templates/campaigns/`.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::error_list;
use super::views::{MetricsImportPage, MetricsPreviewPage};
use crate::audit::Actor;
use crate::campaigns::metrics::FILE_HEADER;
use crate::db::Tx;
use crate::error::AppResult;
use crate::imports::campaign_metrics::{self, Checked, MetricsIn};
use crate::imports::{ImportFailure, LineError};
use crate::people::Action;
use crate::web::pending::{self, id_segment};
use crate::web::upload::{ErrorList, Upload};
use crate::web::{Ctx, FieldErrors, Flash, RequestMeta};

/// The kind of these uploads in `pending_uploads`.
const KIND: &str = "campaign_metrics";
/// Where the form and the previews are.
const FORM: &str = "/campaigns/metrics/import";
const PREVIEWS: &str = "/campaigns/metrics/import/";

/// The Chinese name of a column of the file.
fn column_label(field: &str) -> &'static str {
    match field {
        "campaign_no" => "活动编号",
        "date" => "日期",
        "channel" => "渠道",
        "exposure" => "曝光",
        "clicks" => "点击",
        "conversions" => "转化",
        "participants" => "参与人数",
        "sales" => "销售额",
        "cost" => "花费",
        _ => "",
    }
}

async fn page(cx: &mut Ctx) -> AppResult<MetricsImportPage> {
    let mut tx = cx.begin().await?;
    let pending = pending::list(&mut tx, &cx.user, KIND, PREVIEWS).await?;
    tx.commit().await?;
    Ok(MetricsImportPage {
        chrome: cx.chrome("导入活动每日数据", "/campaigns"),
        header: FILE_HEADER.join(","),
        form_errors: FieldErrors::default(),
        errors: ErrorList::default(),
        pending,
    })
}

/// 422: the upload page with `file`'s errors; nothing was written.
async fn refused(cx: &mut Ctx, file: &str, errors: &[LineError]) -> AppResult<Response> {
    let mut p = page(cx).await?;
    let sentence = format!("文件 {file} 有 {} 处错误，没有导入任何数据。请修改后重新上传。", errors.len());
    p.errors = error_list(sentence, errors, column_label);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response())
}

/// `GET /campaigns/metrics/import`: the upload form.
pub async fn form(mut cx: Ctx) -> AppResult<MetricsImportPage> {
    cx.require(Action::CampaignsOperate)?;
    page(&mut cx).await
}

/// Parse `bytes` (off the async threads) and check them against the campaigns,
/// as the command line does; writes nothing.
async fn check(
    tx: &mut Tx,
    cx: &Ctx,
    file: &str,
    bytes: Vec<u8>,
) -> AppResult<Result<(Vec<MetricsIn>, Checked), Vec<LineError>>> {
    let name = file.to_owned();
    let rows = match crate::imports::off_thread(move || campaign_metrics::parse(&name, &bytes)).await {
        Ok(rows) => rows,
        Err(e) => return Ok(Err(e.errors)),
    };
    match campaign_metrics::check(tx, cx.user.tenant_id, file, &rows, cx.user.today, Some(&cx.user)).await {
        Ok(checked) => Ok(Ok((rows, checked))),
        Err(ImportFailure::Invalid(e)) => Ok(Err(e.errors)),
        Err(ImportFailure::Database(e)) => Err(e.into()),
    }
}

/// `POST /campaigns/metrics/import` (multipart: `csrf_token`, `file`): check the
/// file; with errors, list them all (nothing stored); otherwise store it and go
/// to its preview.
pub async fn upload(mut cx: Ctx, upload: Upload) -> AppResult<Response> {
    cx.require(Action::CampaignsOperate)?;
    let Some((file_name, bytes)) = upload.read().await?.into_file("metrics.csv")? else {
        let mut p = page(&mut cx).await?;
        p.form_errors.add("file", "请选择要上传的每日数据文件（CSV，不能为空）");
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response());
    };
    let mut tx = cx.begin().await?;
    if let Err(errors) = check(&mut tx, &cx, &file_name, bytes.clone()).await? {
        tx.rollback().await?;
        return refused(&mut cx, &file_name, &errors).await;
    }
    let id = pending::stage(&mut tx, &cx.user, KIND, &file_name, &bytes).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("{PREVIEWS}{id}")).into_response())
}

/// `GET /campaigns/metrics/import/{id}`: what confirming would do.
pub async fn preview(mut cx: Ctx, Path(raw_id): Path<String>) -> AppResult<Response> {
    cx.require(Action::CampaignsOperate)?;
    let id = id_segment(&raw_id)?;
    let mut tx = cx.begin().await?;
    let staged = pending::find(&mut tx, &cx.user, KIND, id, false).await?;
    let checked = check(&mut tx, &cx, &staged.file_name, staged.content).await?;
    tx.commit().await?;
    let (rows, checked) = match checked {
        Ok(c) => c,
        Err(errors) => return refused(&mut cx, &staged.file_name, &errors).await,
    };
    let p = checked.plan;
    let page = MetricsPreviewPage {
        chrome: cx.chrome("确认导入活动每日数据", "/campaigns"),
        preview: format!("{PREVIEWS}{id}"),
        file_name: staged.file_name,
        rows: rows.len(),
        inserted: p.inserted,
        updated: p.updated,
        unchanged: p.unchanged,
        odd: p.odd,
        campaigns: checked.campaigns.iter().map(|c| (c.id, c.campaign_no.clone())).collect(),
    };
    Ok(page.into_response())
}

/// `POST /campaigns/metrics/import/{id}/confirm`: apply the stored file, once.
pub async fn confirm(mut cx: Ctx, meta: RequestMeta, Path(raw_id): Path<String>) -> AppResult<Response> {
    cx.require(Action::CampaignsOperate)?;
    let id = id_segment(&raw_id)?;
    let mut tx = cx.begin().await?;
    let staged = pending::find(&mut tx, &cx.user, KIND, id, true).await?;
    let name = staged.file_name.clone();
    let content = staged.content;
    let rows = match crate::imports::off_thread(move || campaign_metrics::parse(&name, &content)).await {
        Ok(rows) => rows,
        Err(e) => {
            tx.rollback().await?;
            return refused(&mut cx, &staged.file_name, &e.errors).await;
        }
    };
    let actor = Actor::user(&cx.user, &meta);
    let (tid, today) = (cx.user.tenant_id, cx.user.today);
    let applied = campaign_metrics::apply(&mut tx, tid, &actor, &staged.file_name, &rows, today, Some(&cx.user)).await;
    let summary = match applied {
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
        "已导入 {}：新增 {} 行，更新 {} 行，未变 {} 行。",
        staged.file_name, summary.inserted, summary.updated, summary.unchanged
    );
    Ok(Flash::success(message).redirect(FORM))
}

/// `POST /campaigns/metrics/import/{id}/cancel`: discard the stored file.
pub async fn cancel(cx: Ctx, Path(raw_id): Path<String>) -> AppResult<Response> {
    cx.require(Action::CampaignsOperate)?;
    let id = id_segment(&raw_id)?;
    let mut tx = cx.begin().await?;
    let staged = pending::find(&mut tx, &cx.user, KIND, id, true).await?;
    pending::close(&mut tx, &cx.user, id, false).await?;
    tx.commit().await?;
    Ok(Flash::success(format!("已取消导入 {}，没有写入任何数据。", staged.file_name)).redirect(FORM))
}
