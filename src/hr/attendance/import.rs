//! HR's web import of a punch-clock file: upload → check (every error by line and
//! field, nothing written) → preview (stored server-side, awaiting confirmation)
//! → confirm (the stored bytes are parsed and checked again, then applied in one
//! transaction, audited by `apply_attendance`) or cancel.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;

use super::repo::{self, Staged};
use super::{id_segment, today};
use crate::audit::Actor;
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::hr::upload::{ImportKind, ImportPage};
use crate::imports::hr::{
    apply_attendance, employee_ids, parse_attendance, AttendanceRow, ImportFailure, ATTENDANCE_HEADER,
};
use crate::imports::{self, LineError};
use crate::people::Action;
use crate::rules::classify::hhmm;
use crate::rules::YearMonth;
use crate::web::pending::{self, PendingUpload, UploadStatus};
use crate::web::upload::Upload;
use crate::web::{Chrome, Ctx, CurrentUser, Flash, RequestMeta};

/// How long an upload waits for its confirmation.
const PENDING_MINUTES: i32 = 60;
/// Sample rows on the preview.
const SAMPLE_ROWS: usize = 10;

async fn pending_uploads(tx: &mut Tx, user: &CurrentUser) -> AppResult<Vec<PendingUpload>> {
    let rows = repo::pending_uploads(tx, user.tenant_id, user.user_id).await?;
    Ok(pending::listed(rows, user, "/hr/attendance/import/"))
}

/// The upload page, with this user's uploads awaiting confirmation.
async fn import_page(ctx: &mut Ctx) -> AppResult<ImportPage> {
    let mut page = ImportPage::new(ctx, ImportKind::Attendance);
    let mut tx = ctx.begin().await?;
    page.pending = pending_uploads(&mut tx, &ctx.user).await?;
    tx.commit().await?;
    Ok(page)
}

/// `GET /hr/attendance/import`: the upload form.
pub async fn form(mut ctx: Ctx) -> AppResult<ImportPage> {
    ctx.require(Action::HrManage)?;
    import_page(&mut ctx).await
}

/// A file that passed every check, with what the preview shows.
pub struct Checked {
    pub rows: Vec<AttendanceRow>,
    pub ids: HashMap<String, i64>,
}

/// Parse `bytes` and check them against the database (unknown employees), with
/// every error of the file at once; writes nothing.
async fn check(
    tx: &mut Tx,
    tenant_id: i64,
    file: &str,
    bytes: Arc<Vec<u8>>,
) -> AppResult<Result<Checked, Vec<LineError>>> {
    let ids = employee_ids(tx, tenant_id).await?;
    let unknown = |no: &str| format!("系统中没有工号为 {no} 的员工（请先导入员工）");
    // The parse, and on errors the raw rows (to name unknown employees too), off
    // the async threads.
    let name = file.to_owned();
    let (parsed, raw) = imports::off_thread(move || {
        let parsed = parse_attendance(&name, &bytes);
        let raw = parsed.as_ref().err().and_then(|_| imports::read(&name, &bytes, ATTENDANCE_HEADER).ok());
        (parsed, raw)
    })
    .await;
    match parsed {
        Ok(rows) if rows.is_empty() => {
            Ok(Err(vec![LineError {
                line: 1, field: None, message: "文件只有表头，没有考勤记录".to_owned()
            }]))
        }
        Ok(rows) => {
            let errors: Vec<LineError> = rows
                .iter()
                .filter(|r| !ids.contains_key(&r.employee_no))
                .map(|r| LineError { line: r.line, field: Some("employee_no"), message: unknown(&r.employee_no) })
                .collect();
            Ok(if errors.is_empty() { Ok(Checked { rows, ids }) } else { Err(errors) })
        }
        Err(parsed) => {
            let mut errors = parsed.errors;
            // Also name the unknown employees of the lines that failed for other
            // reasons, so the file can be fixed in one go.
            if let Some(raw) = raw {
                let flagged: HashSet<u64> =
                    errors.iter().filter(|e| e.field == Some("employee_no")).map(|e| e.line).collect();
                for row in raw {
                    let no = row.cells.first().map(String::as_str).unwrap_or_default();
                    if !no.is_empty() && !flagged.contains(&row.line) && !ids.contains_key(no) {
                        errors.push(LineError { line: row.line, field: Some("employee_no"), message: unknown(no) });
                    }
                }
            }
            errors.sort_by_key(|e| e.line);
            Ok(Err(errors))
        }
    }
}

/// `POST /hr/attendance/import` (multipart: `csrf_token`, `file`): check the file;
/// with errors, list them all (nothing stored); otherwise store it and show the preview.
pub async fn upload(mut ctx: Ctx, upload: Upload) -> AppResult<Response> {
    ctx.require(Action::HrManage)?;
    let upload = upload.read().await?;
    let Some((file_name, bytes)) = upload.into_file("attendance.csv")? else {
        return Ok(import_page(&mut ctx).await?.no_file());
    };
    let mut tx = ctx.begin().await?;
    let bytes = Arc::new(bytes);
    match check(&mut tx, ctx.user.tenant_id, &file_name, bytes.clone()).await? {
        Err(errors) => {
            tx.rollback().await?;
            Ok(import_page(&mut ctx).await?.invalid(&file_name, &errors))
        }
        Ok(_) => {
            let id =
                repo::stage(&mut tx, ctx.user.tenant_id, ctx.user.user_id, &file_name, &bytes, PENDING_MINUTES).await?;
            tx.commit().await?;
            Ok(Redirect::to(&format!("/hr/attendance/import/{id}")).into_response())
        }
    }
}

/// A pending upload of this user (`lock`: FOR UPDATE): 404 when unknown, another
/// user's, or gone; 409 when it was already applied or cancelled.
async fn pending(tx: &mut Tx, user: &CurrentUser, id: i64, lock: bool) -> AppResult<Staged> {
    let s = repo::staged(tx, user.tenant_id, user.user_id, id, lock).await?.ok_or(AppError::NotFound)?;
    if s.status != UploadStatus::Pending {
        return Err(s.status.closed());
    }
    Ok(s)
}

/// The stored file of a pending upload, unless it expired (404).
fn take_content(s: &mut Staged) -> AppResult<Vec<u8>> {
    let expired = s.expired;
    s.content.take().filter(|_| !expired).ok_or(AppError::NotFound)
}

pub struct SampleRow {
    pub line: u64,
    pub employee_no: String,
    pub name: String,
    pub date: NaiveDate,
    pub clock_in: String,
    pub clock_out: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "hr/attendance/preview.html")]
pub struct PreviewPage {
    pub chrome: Chrome,
    /// The preview's own path (its forms post to `…/confirm`, `…/cancel`).
    pub preview: String,
    pub file_name: String,
    pub rows: usize,
    pub employees: usize,
    pub first_date: NaiveDate,
    pub last_date: NaiveDate,
    /// Employee-days already stored that the import replaces.
    pub replaced: i64,
    /// Of those, days corrected by HR (the correction is lost).
    pub replaced_corrections: i64,
    pub missing_punches: usize,
    pub future_days: usize,
    pub samples: Vec<SampleRow>,
}

/// `GET /hr/attendance/import/{id}`: what confirming would do.
pub async fn preview(mut ctx: Ctx, Path(raw_id): Path<String>) -> AppResult<Response> {
    ctx.require(Action::HrManage)?;
    let id = id_segment(&raw_id)?;
    let mut tx = ctx.begin().await?;
    let mut s = pending(&mut tx, &ctx.user, id, false).await?;
    let content = take_content(&mut s)?;
    let checked = match check(&mut tx, ctx.user.tenant_id, &s.file_name, Arc::new(content)).await? {
        Ok(c) => c,
        Err(errors) => {
            tx.rollback().await?;
            return Ok(import_page(&mut ctx).await?.invalid(&s.file_name, &errors));
        }
    };
    let Checked { rows, ids } = checked;
    let resolved: Vec<(i64, NaiveDate)> =
        rows.iter().filter_map(|r| ids.get(&r.employee_no).map(|id| (*id, r.date))).collect();
    let (replaced, replaced_corrections) = repo::replaced(&mut tx, ctx.user.tenant_id, &resolved).await?;
    let sample_nos: Vec<String> =
        rows.iter().take(SAMPLE_ROWS).map(|r| r.employee_no.clone()).collect::<BTreeSet<_>>().into_iter().collect();
    let names = repo::names(&mut tx, ctx.user.tenant_id, &sample_nos).await?;
    tx.commit().await?;
    let today = today(&ctx.user);
    let employees: HashSet<&str> = rows.iter().map(|r| r.employee_no.as_str()).collect();
    let first_date = rows.iter().map(|r| r.date).min().unwrap_or(today);
    let last_date = rows.iter().map(|r| r.date).max().unwrap_or(today);
    let page = PreviewPage {
        chrome: ctx.chrome("确认导入考勤", "/hr/attendance/import"),
        preview: format!("/hr/attendance/import/{id}"),
        file_name: s.file_name,
        rows: rows.len(),
        employees: employees.len(),
        first_date,
        last_date,
        replaced,
        replaced_corrections,
        missing_punches: rows.iter().filter(|r| r.clock_in.is_none() || r.clock_out.is_none()).count(),
        future_days: rows.iter().filter(|r| r.date > today).count(),
        samples: rows
            .iter()
            .take(SAMPLE_ROWS)
            .map(|r| SampleRow {
                line: r.line,
                employee_no: r.employee_no.clone(),
                name: names.get(&r.employee_no).cloned().unwrap_or_default(),
                date: r.date,
                clock_in: hhmm(r.clock_in),
                clock_out: hhmm(r.clock_out),
            })
            .collect(),
    };
    Ok(page.into_response())
}

/// `POST /hr/attendance/import/{id}/confirm`: apply the stored file.
pub async fn confirm(meta: RequestMeta, mut ctx: Ctx, Path(raw_id): Path<String>) -> AppResult<Response> {
    ctx.require(Action::HrManage)?;
    let id = id_segment(&raw_id)?;
    let mut tx = ctx.begin().await?;
    let mut s = pending(&mut tx, &ctx.user, id, true).await?;
    let content = take_content(&mut s)?;
    let rejected = |errors: Vec<LineError>| (s.file_name.clone(), errors);
    let name = s.file_name.clone();
    let outcome = match imports::off_thread(move || parse_attendance(&name, &content)).await {
        Err(e) => Err(rejected(e.errors)),
        Ok(rows) => {
            match apply_attendance(&mut tx, ctx.user.tenant_id, &Actor::user(&ctx.user, &meta), &s.file_name, &rows)
                .await
            {
                Ok(summary) => Ok((summary, rows.iter().map(|r| r.date).min())),
                Err(ImportFailure::Invalid(e)) => Err(rejected(e.errors)),
                Err(ImportFailure::Database(e)) => return Err(e.into()),
            }
        }
    };
    match outcome {
        Err((file_name, errors)) => {
            tx.rollback().await?;
            Ok(import_page(&mut ctx).await?.invalid(&file_name, &errors))
        }
        Ok((summary, first)) => {
            repo::close(&mut tx, ctx.user.tenant_id, id, UploadStatus::Applied).await?;
            tx.commit().await?;
            let target = match first.and_then(YearMonth::of) {
                Some(m) => format!("/hr/attendance?month={m}"),
                None => "/hr/attendance".to_owned(),
            };
            let message =
                format!("已导入 {}：新增 {} 条，更新 {} 条考勤记录。", s.file_name, summary.inserted, summary.updated);
            Ok(Flash::success(message).redirect(&target))
        }
    }
}

/// `POST /hr/attendance/import/{id}/cancel`: discard the stored file.
pub async fn cancel(ctx: Ctx, Path(raw_id): Path<String>) -> AppResult<Response> {
    ctx.require(Action::HrManage)?;
    let id = id_segment(&raw_id)?;
    let mut tx = ctx.begin().await?;
    let s = pending(&mut tx, &ctx.user, id, true).await?;
    repo::close(&mut tx, ctx.user.tenant_id, id, UploadStatus::Cancelled).await?;
    tx.commit().await?;
    let message = format!("已取消导入 {}，没有写入任何考勤。", s.file_name);
    Ok(Flash::success(message).redirect("/hr/attendance/import"))
}
