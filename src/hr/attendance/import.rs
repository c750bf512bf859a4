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
use chrono::{DateTime, NaiveDate, Utc};

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
use crate::web::pending::{self, PendingUpload};
use crate::web::upload::Upload;
use crate::web::{Chrome, Ctx, CurrentUser, Flash, RequestMeta};

/// How long an upload waits for its confirmation.
const PENDING_MINUTES: i32 = 60;
/// Sample rows on the preview.
const SAMPLE_ROWS: usize = 10;

async fn pending_uploads(tx: &mut Tx, user: &CurrentUser) -> AppResult<Vec<PendingUpload>> {
    let rows: Vec<(i64, String, DateTime<Utc>)> = sqlx::query_as(
        "SELECT id, file_name, created_at FROM attendance_uploads
         WHERE tenant_id = $1 AND uploaded_by = $2 AND status = 'pending' AND expires_at > now()
         ORDER BY id DESC LIMIT 20",
    )
    .bind(user.tenant_id)
    .bind(user.user_id)
    .fetch_all(&mut **tx)
    .await?;
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
            sqlx::query(
                "DELETE FROM attendance_uploads WHERE tenant_id = $1 AND expires_at < now() - interval '1 day'",
            )
            .bind(ctx.user.tenant_id)
            .execute(&mut *tx)
            .await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO attendance_uploads (tenant_id, uploaded_by, file_name, content, expires_at)
                 VALUES ($1, $2, $3, $4, now() + make_interval(mins => $5)) RETURNING id",
            )
            .bind(ctx.user.tenant_id)
            .bind(ctx.user.user_id)
            .bind(&file_name)
            .bind(bytes.as_slice())
            .bind(PENDING_MINUTES)
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(Redirect::to(&format!("/hr/attendance/import/{id}")).into_response())
        }
    }
}

/// A pending upload of this user (`None`: unknown, another user's, or expired).
struct Staged {
    file_name: String,
    content: Option<Vec<u8>>,
    status: String,
    expired: bool,
}

async fn staged(tx: &mut Tx, user: &CurrentUser, id: i64, lock: bool) -> AppResult<Option<Staged>> {
    let sql = format!(
        "SELECT file_name, content, status, expires_at <= now() FROM attendance_uploads
         WHERE tenant_id = $1 AND id = $2 AND uploaded_by = $3{}",
        if lock { " FOR UPDATE" } else { "" }
    );
    let row: Option<(String, Option<Vec<u8>>, String, bool)> =
        sqlx::query_as(&sql).bind(user.tenant_id).bind(id).bind(user.user_id).fetch_optional(&mut **tx).await?;
    Ok(row.map(|(file_name, content, status, expired)| Staged { file_name, content, status, expired }))
}

/// A pending upload of this user (`lock`: FOR UPDATE): 404 when unknown, another
/// user's, or gone; 409 when it was already applied or cancelled.
async fn pending(tx: &mut Tx, user: &CurrentUser, id: i64, lock: bool) -> AppResult<Staged> {
    let s = staged(tx, user, id, lock).await?.ok_or(AppError::NotFound)?;
    if s.status != "pending" {
        return Err(no_longer_pending(&s.status));
    }
    Ok(s)
}

impl Staged {
    /// The stored file, unless the upload expired (404).
    fn take_content(&mut self) -> AppResult<Vec<u8>> {
        let expired = self.expired;
        self.content.take().filter(|_| !expired).ok_or(AppError::NotFound)
    }
}

fn no_longer_pending(status: &str) -> AppError {
    AppError::Conflict(match status {
        "applied" => "这份文件已经确认导入过了。".to_owned(),
        _ => "这份文件已取消导入。".to_owned(),
    })
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
    let content = s.take_content()?;
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
    let (replaced, replaced_corrections): (i64, i64) = sqlx::query_as(
        "SELECT count(*), count(*) FILTER (WHERE a.source = 'correction')
         FROM attendance a JOIN UNNEST($2::bigint[], $3::date[]) AS u(e, d) ON a.employee_id = u.e AND a.day = u.d
         WHERE a.tenant_id = $1",
    )
    .bind(ctx.user.tenant_id)
    .bind(resolved.iter().map(|(e, _)| *e).collect::<Vec<i64>>())
    .bind(resolved.iter().map(|(_, d)| *d).collect::<Vec<NaiveDate>>())
    .fetch_one(&mut *tx)
    .await?;
    let sample_nos: Vec<String> =
        rows.iter().take(SAMPLE_ROWS).map(|r| r.employee_no.clone()).collect::<BTreeSet<_>>().into_iter().collect();
    let names: HashMap<String, String> = sqlx::query_as::<_, (String, String)>(
        "SELECT employee_no, name FROM employees WHERE tenant_id = $1 AND employee_no = ANY($2)",
    )
    .bind(ctx.user.tenant_id)
    .bind(&sample_nos)
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .collect();
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
    let content = s.take_content()?;
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
            sqlx::query(
                "UPDATE attendance_uploads SET status = 'applied', content = NULL, decided_at = now()
                 WHERE tenant_id = $1 AND id = $2",
            )
            .bind(ctx.user.tenant_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
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
    sqlx::query(
        "UPDATE attendance_uploads SET status = 'cancelled', content = NULL, decided_at = now()
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(ctx.user.tenant_id)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    let message = format!("已取消导入 {}，没有写入任何考勤。", s.file_name);
    Ok(Flash::success(message).redirect("/hr/attendance/import"))
}
