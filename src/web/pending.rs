//! Uploads awaiting their confirmation (`pending_uploads`, one table for every
//! kind of web upload with a preview): a checked file is stored here, its preview
//! reads it back, and confirming or cancelling closes it. Only the uploader sees
//! an upload (anyone else, of any tenant: 404); once applied or cancelled it is a
//! 409, and its bytes are gone.

use chrono::{DateTime, Utc};

use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::web::CurrentUser;

/// How long an upload waits for its confirmation.
pub const PENDING_MINUTES: i32 = 60;

crate::code_enum! {
    /// Where an upload awaiting its confirmation stands (`status` of
    /// `pending_uploads` and of `attendance_uploads`).
    pub enum UploadStatus {
        Pending => ("pending", "待确认"),
        Applied => ("applied", "已导入"),
        Cancelled => ("cancelled", "已取消"),
    }
}

impl UploadStatus {
    /// The 409 of confirming or cancelling an upload that is no longer pending.
    pub fn closed(self) -> AppError {
        AppError::Conflict(match self {
            UploadStatus::Applied => "这份文件已经确认导入过了。".to_owned(),
            _ => "这份文件已取消导入。".to_owned(),
        })
    }
}

/// An upload of this user waiting for its confirmation, for the upload form's list.
pub struct PendingUpload {
    pub id: i64,
    pub file_name: String,
    /// When it was uploaded, in the tenant's time zone.
    pub created: String,
    /// Its preview page.
    pub href: String,
}

/// The pending uploads of `kind` of this user, newest first; `href` is the
/// preview's path without the id (`/orders/import/`).
pub async fn list(tx: &mut Tx, user: &CurrentUser, kind: &str, href: &str) -> AppResult<Vec<PendingUpload>> {
    let rows: Vec<(i64, String, DateTime<Utc>)> = sqlx::query_as(
        "SELECT id, file_name, created_at FROM pending_uploads
         WHERE tenant_id = $1 AND uploaded_by = $2 AND kind = $3 AND status = $4 AND expires_at > now()
         ORDER BY id DESC LIMIT 20",
    )
    .bind(user.tenant_id)
    .bind(user.user_id)
    .bind(kind)
    .bind(UploadStatus::Pending)
    .fetch_all(&mut **tx)
    .await?;
    Ok(listed(rows, user, href))
}

/// Uploads (id, file name, uploaded at) as the upload form lists them, each
/// linked to `href` + its id.
pub fn listed(rows: Vec<(i64, String, DateTime<Utc>)>, user: &CurrentUser, href: &str) -> Vec<PendingUpload> {
    rows.into_iter()
        .map(|(id, file_name, at)| PendingUpload {
            id,
            file_name,
            created: user.settings.time_zone.format(at),
            href: format!("{href}{id}"),
        })
        .collect()
}

/// Store a checked file of `kind` for this user (and purge the tenant's uploads
/// expired for more than a day); its id.
pub async fn stage(tx: &mut Tx, user: &CurrentUser, kind: &str, file_name: &str, bytes: &[u8]) -> AppResult<i64> {
    sqlx::query("DELETE FROM pending_uploads WHERE tenant_id = $1 AND expires_at < now() - interval '1 day'")
        .bind(user.tenant_id)
        .execute(&mut **tx)
        .await?;
    Ok(sqlx::query_scalar(
        "INSERT INTO pending_uploads (tenant_id, kind, uploaded_by, file_name, content, expires_at)
         VALUES ($1, $2, $3, $4, $5, now() + make_interval(mins => $6)) RETURNING id",
    )
    .bind(user.tenant_id)
    .bind(kind)
    .bind(user.user_id)
    .bind(file_name)
    .bind(bytes)
    .bind(PENDING_MINUTES)
    .fetch_one(&mut **tx)
    .await?)
}

/// A pending upload, read back: its file's name and bytes.
pub struct Staged {
    pub id: i64,
    pub file_name: String,
    pub content: Vec<u8>,
}

/// The pending upload `id` of `kind` of this user (`lock`: its row locked for
/// confirming or cancelling): 404 when unknown, another user's or expired; 409
/// when it was already applied or cancelled.
pub async fn find(tx: &mut Tx, user: &CurrentUser, kind: &str, id: i64, lock: bool) -> AppResult<Staged> {
    let sql = format!(
        "SELECT file_name, content, status, expires_at <= now() FROM pending_uploads
         WHERE tenant_id = $1 AND id = $2 AND uploaded_by = $3 AND kind = $4{}",
        if lock { " FOR UPDATE" } else { "" }
    );
    let row: Option<(String, Option<Vec<u8>>, UploadStatus, bool)> = sqlx::query_as(&sql)
        .bind(user.tenant_id)
        .bind(id)
        .bind(user.user_id)
        .bind(kind)
        .fetch_optional(&mut **tx)
        .await?;
    let (file_name, content, status, expired) = row.ok_or(AppError::NotFound)?;
    match (status, content) {
        (UploadStatus::Pending, Some(content)) if !expired => Ok(Staged { id, file_name, content }),
        (UploadStatus::Pending, _) => Err(AppError::NotFound),
        (closed, _) => Err(closed.closed()),
    }
}

/// Close a pending upload as `applied` (`false`: cancelled); its bytes are dropped.
pub async fn close(tx: &mut Tx, user: &CurrentUser, id: i64, applied: bool) -> AppResult<()> {
    sqlx::query(
        "UPDATE pending_uploads SET status = $3, content = NULL, decided_at = now()
         WHERE tenant_id = $1 AND id = $2 AND status = $4",
    )
    .bind(user.tenant_id)
    .bind(id)
    .bind(if applied { UploadStatus::Applied } else { UploadStatus::Cancelled })
    .bind(UploadStatus::Pending)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A path segment that must be an id: anything else is a 404.
pub fn id_segment(raw: &str) -> AppResult<i64> {
    raw.parse::<i64>().ok().filter(|id| *id > 0).ok_or(AppError::NotFound)
}
