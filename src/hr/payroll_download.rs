//! `GET /hr/payroll/YYYY-MM.csv`: the payroll-adjustment CSV, the same bytes as
//! `yunying payroll export`, streamed (HR and directors only).

use axum::body::{Body, Bytes};
use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use futures_util::TryStreamExt;

use crate::audit::{self, Actor, Entry};
use crate::error::{AppError, AppResult};
use crate::payroll::{self, csv_out, Selection};
use crate::people::Action;
use crate::web::{Ctx, RequestMeta};

/// Bytes per chunk sent to the client.
const CHUNK: usize = 32 * 1024;

pub async fn download(ctx: Ctx, meta: RequestMeta, Path(file): Path<String>) -> AppResult<Response> {
    ctx.require(Action::PayrollExport)?;
    let month = file.strip_suffix(".csv").and_then(payroll::parse_month).ok_or(AppError::NotFound)?;
    let mut audit_tx = ctx.begin().await?;
    audit::record(
        &mut audit_tx,
        ctx.user.tenant_id,
        &Actor::user(&ctx.user, &meta),
        Entry {
            action: "payroll.download",
            entity_type: Some("payroll"),
            entity_id: Some(month.to_string()),
            summary: format!("下载 {month} 工资调整表"),
            ..Entry::default()
        },
    )
    .await?;
    audit_tx.commit().await?;

    let mut tx = ctx.begin().await?;
    // Load the month's context before answering, so its errors get an error page.
    let month_ctx = payroll::load_context(&mut tx, ctx.user.tenant_id, month).await.map_err(anyhow::Error::from)?;
    let tenant_id = ctx.user.tenant_id;
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    tokio::spawn(async move {
        if sender.send(Ok(Bytes::from(csv_out::header()))).await.is_err() {
            return;
        }
        let mut buf = Vec::with_capacity(CHUNK + 1024);
        let failure = {
            let mut rows = payroll::facts(&mut tx, tenant_id, &month_ctx, &Selection::default());
            loop {
                match rows.try_next().await {
                    Ok(Some(row)) => match payroll::evaluate(&month_ctx, row) {
                        Ok(m) => csv_out::append_row(&mut buf, &m),
                        Err(e) => break Some(e.to_string()),
                    },
                    Ok(None) => break None,
                    Err(e) => break Some(e.to_string()),
                }
                if buf.len() >= CHUNK && sender.send(Ok(Bytes::from(std::mem::take(&mut buf)))).await.is_err() {
                    return; // the client went away
                }
            }
        };
        match failure {
            None => {
                let _ = sender.send(Ok(Bytes::from(buf))).await;
                let _ = tx.commit().await;
            }
            Some(err) => {
                tracing::error!(error = %err, "payroll download failed mid-stream");
                let _ = sender.send(Err(std::io::Error::other("payroll computation failed"))).await;
            }
        }
    });
    let stream = futures_util::stream::unfold(receiver, |mut rx| async move { rx.recv().await.map(|item| (item, rx)) });
    Ok((
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (CONTENT_DISPOSITION, format!("attachment; filename=\"payroll-{}-{month}.csv\"", ctx.user.tenant_code)),
            (CACHE_CONTROL, "no-store".to_owned()),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}
