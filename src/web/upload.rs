//! The one reader of file uploads (multipart forms with a `file` field).
//!
//! The file is read as a stream, chunk by chunk, into a spooled temporary file
//! (memory up to [`SPOOL_IN_MEMORY`], then disk), and refused with a 413 page as
//! soon as it passes the one limit (`YUNYING_UPLOAD_MAX_MB`), before anything is
//! written. Text fields and file names are checked for control characters. A
//! refused file's problems are listed by [`ErrorList`] (`partials/upload_errors.html`).

use std::io::{Read, Seek, SeekFrom, Write};

use axum::extract::multipart::MultipartError;
use axum::extract::{FromRef, FromRequest, Multipart, Request};
use axum::http::StatusCode;

use crate::config::Settings;
use crate::error::AppError;

/// Up to this many bytes of a file stay in memory while it is received.
pub const SPOOL_IN_MEMORY: usize = 256 * 1024;

/// A file of an upload form.
pub struct UploadedFile {
    /// The base name the browser sent, without path or control characters (may be empty).
    pub name: String,
    spooled: tempfile::SpooledTempFile,
    pub len: usize,
}

impl UploadedFile {
    /// The file's bytes, read back from the spool.
    pub fn bytes(mut self) -> Result<Vec<u8>, AppError> {
        let mut out = Vec::with_capacity(self.len);
        self.spooled
            .seek(SeekFrom::Start(0))
            .and_then(|_| self.spooled.read_to_end(&mut out))
            .map_err(|e| AppError::Internal(anyhow::anyhow!("reading a spooled upload: {e}")))?;
        Ok(out)
    }
}

/// A submitted upload form: its file (`None` when none was chosen, or it was
/// empty) and its other fields.
pub struct UploadForm {
    pub file: Option<UploadedFile>,
    pub fields: Vec<(String, String)>,
}

impl UploadForm {
    /// The first non-empty value of text field `name`, trimmed.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(k, v)| k == name && !v.trim().is_empty()).map(|(_, v)| v.trim())
    }

    /// The file's name (`default_name` when the browser sent none) and bytes.
    pub fn into_file(self, default_name: &str) -> Result<Option<(String, Vec<u8>)>, AppError> {
        match self.file {
            None => Ok(None),
            Some(file) => {
                let name = if file.name.is_empty() { default_name.to_owned() } else { file.name.clone() };
                Ok(Some((name, file.bytes()?)))
            }
        }
    }
}

/// One line of a refused file's error list, as the upload pages show it.
pub struct ErrorLine {
    pub line: u64,
    /// How the page names the column (empty: the whole line).
    pub field: String,
    pub message: String,
}

/// A refused file's problems, for `partials/upload_errors.html` (the page's
/// `errors`): the sentence above the list, the lines shown and how many there
/// are in all.
#[derive(Default)]
pub struct ErrorList {
    pub refused: String,
    pub lines: Vec<ErrorLine>,
    pub total: usize,
    /// Columns named by their code, as in the file's header, rather than a label.
    pub codes: bool,
    /// The table carries `data-testid="import-errors"`.
    pub marked: bool,
}

impl ErrorList {
    /// A marked list of every line (`total` = `lines.len()`).
    pub fn of(refused: String, lines: Vec<ErrorLine>) -> Self {
        Self { refused, total: lines.len(), lines, codes: false, marked: true }
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }
}

/// The refusal of a file past the limit: 413, one message on every form.
pub fn too_large(max_bytes: usize) -> AppError {
    AppError::PayloadTooLarge(format!(
        "上传的文件超过 {} MB 的上限，未导入任何内容。请把文件拆分成几份后分别上传。",
        max_bytes / (1024 * 1024)
    ))
}

fn unreadable(max_bytes: usize) -> impl Fn(MultipartError) -> AppError {
    move |e: MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large(max_bytes)
        } else {
            AppError::BadRequest(format!("上传表单无法读取，请重新选择文件后提交（{}）", e.body_text()))
        }
    }
}

/// The base name of an uploaded file, safe to store and show; `default` when empty.
pub fn clean_file_name(raw: &str, default: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let name: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    let name = name.trim();
    if name.is_empty() {
        default.to_owned()
    } else {
        name.to_owned()
    }
}

/// An upload form's body, not read yet: a handler checks its permission first,
/// then calls [`Upload::read`].
pub struct Upload {
    multipart: Result<Multipart, AppError>,
    max_bytes: usize,
}

impl<S> FromRequest<S> for Upload
where
    S: Send + Sync,
    std::sync::Arc<Settings>: FromRef<S>,
{
    type Rejection = std::convert::Infallible;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let max_bytes = std::sync::Arc::<Settings>::from_ref(state).upload_max_bytes;
        let multipart = Multipart::from_request(req, state)
            .await
            .map_err(|e| AppError::BadRequest(format!("请用文件上传表单提交（{}）", e.body_text())));
        Ok(Upload { multipart, max_bytes })
    }
}

impl Upload {
    /// Read the form: the file streamed into its spool (413 past the limit), the
    /// other fields as text.
    pub async fn read(self) -> Result<UploadForm, AppError> {
        let max = self.max_bytes;
        let mut multipart = self.multipart?;
        let bad = unreadable(max);
        let mut file = None;
        let mut fields = Vec::new();
        while let Some(mut field) = multipart.next_field().await.map_err(&bad)? {
            let name = field.name().unwrap_or_default().to_owned();
            if name != "file" {
                let text = field.text().await.map_err(&bad)?;
                crate::input::check_text(&text).map_err(|m| AppError::BadRequest(format!("表单字段 {name} {m}")))?;
                fields.push((name, text));
                continue;
            }
            let file_name = clean_file_name(field.file_name().unwrap_or_default(), "");
            let mut spooled = tempfile::SpooledTempFile::new(SPOOL_IN_MEMORY);
            let mut len = 0usize;
            while let Some(chunk) = field.chunk().await.map_err(&bad)? {
                len += chunk.len();
                if len > max {
                    return Err(too_large(max));
                }
                spooled
                    .write_all(&chunk)
                    .map_err(|e| AppError::Internal(anyhow::anyhow!("spooling an upload: {e}")))?;
            }
            if len > 0 && file.is_none() {
                file = Some(UploadedFile { name: file_name, spooled, len });
            }
        }
        Ok(UploadForm { file, fields })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names() {
        assert_eq!(clean_file_name("C:\\Users\\张三\\考勤.csv", "a.csv"), "考勤.csv");
        assert_eq!(clean_file_name("../../etc/passwd", "a.csv"), "passwd");
        assert_eq!(clean_file_name("x\0y.csv", "a.csv"), "xy.csv");
        assert_eq!(clean_file_name("  ", "a.csv"), "a.csv");
    }

    #[test]
    fn the_message_names_the_limit() {
        let AppError::PayloadTooLarge(msg) = too_large(32 * 1024 * 1024) else { panic!() };
        assert!(msg.contains("32 MB"), "{msg}");
    }
}
