//! One error type for request handlers, rendered as an HTML page that leaks nothing.
//!
//! A handler returns `Err(AppError::…)`; [`AppError::into_response`] produces a bare
//! response carrying an [`ErrorPage`] extension, and the `render_errors` middleware
//! (in `web::errors`) turns it into the full page with the request id. Internal
//! errors are logged there with the request id and shown only as "系统错误".
//! A database that cannot be reached (down, restarting, or every pool connection
//! busy past the wait) is not an internal error: it is a 503 "服务暂不可用" page
//! with `Retry-After`, see [`is_unavailable`].

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No such record, or one outside the tenant or the user's data scope.
    #[error("not found")]
    NotFound,
    /// The role may not do this.
    #[error("forbidden")]
    Forbidden,
    /// A missing, forged or cross-site CSRF token or origin.
    #[error("csrf check failed")]
    Csrf,
    /// A state transition that is no longer possible.
    #[error("conflict: {0}")]
    Conflict(String),
    /// Input that cannot be shown again in a form (bad query string, malformed body).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// An upload past the size limit (the message names the limit).
    #[error("payload too large: {0}")]
    PayloadTooLarge(String),
    /// Login throttled.
    #[error("too many requests")]
    TooManyRequests,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Marker left on an error response for the error-page renderer.
#[derive(Clone, Debug)]
pub struct ErrorPage {
    /// A message safe to show the user (never internal details).
    pub message: String,
    /// The internal error, for the log only.
    pub internal: Option<String>,
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            AppError::Database(e) if is_unavailable(e) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(e) if e.chain().filter_map(|c| c.downcast_ref::<sqlx::Error>()).any(is_unavailable) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            AppError::Database(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn public_message(&self) -> String {
        match self {
            AppError::NotFound => "页面或记录不存在，或您无权查看。".into(),
            AppError::Forbidden => "您没有权限执行此操作。".into(),
            AppError::Csrf => "表单已失效或来源不可信，请返回刷新页面后重试。".into(),
            AppError::Conflict(msg) => format!("操作无法完成：{msg}"),
            AppError::BadRequest(msg) => format!("请求有误：{msg}"),
            AppError::PayloadTooLarge(msg) => msg.clone(),
            AppError::TooManyRequests => "登录尝试过于频繁，请 15 分钟后再试。".into(),
            AppError::Database(_) | AppError::Internal(_) if self.status() == StatusCode::SERVICE_UNAVAILABLE => {
                UNAVAILABLE.into()
            }
            AppError::Database(_) | AppError::Internal(_) => {
                "系统错误，请稍后重试；如问题持续，请把下方请求编号告诉管理员。".into()
            }
        }
    }
}

/// The message of every 503 page.
pub const UNAVAILABLE: &str =
    "服务暂不可用：数据库暂时无法连接或系统繁忙，请稍后刷新重试；如问题持续，请把下方请求编号告诉管理员。";

/// Seconds a 503 page asks the browser (or a proxy) to wait.
pub const RETRY_AFTER_SECONDS: &str = "3";

/// Whether a database error means "not reachable now" rather than a fault of the
/// request: no pool connection within the wait, a broken or refused connection,
/// PostgreSQL shutting down, starting up or out of connections.
pub fn is_unavailable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Io(_) | sqlx::Error::Tls(_) => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            // 08: connection exception; 53: insufficient resources (too many
            // connections, disk full); 57P01–57P03: shutting down, crashed, starting up.
            code.starts_with("08") || code.starts_with("53") || matches!(&*code, "57P01" | "57P02" | "57P03")
        }),
        _ => false,
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let internal = status.is_server_error().then(|| format!("{self:?}"));
        let mut response = status.into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from_static(RETRY_AFTER_SECONDS));
        }
        response.extensions_mut().insert(ErrorPage { message: self.public_message(), internal });
        response
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// Writes whose unique constraints stand for something the user typed (realworld's
/// `on_constraint`): a violation of one of the named constraints becomes
/// `Ok(Err(what))` — the form field it concerns, or whatever the caller names —
/// so the form is shown again with the message beside that field; any other
/// failure stays a database error.
pub trait OnConstraint<T> {
    fn on_constraint<W: Copy>(self, constraints: &[(&str, W)]) -> Result<Result<T, W>, sqlx::Error>;
}

impl<T> OnConstraint<T> for Result<T, sqlx::Error> {
    fn on_constraint<W: Copy>(self, constraints: &[(&str, W)]) -> Result<Result<T, W>, sqlx::Error> {
        match self {
            Ok(v) => Ok(Ok(v)),
            Err(e) => match constraints.iter().find(|(c, _)| is_unique_violation(&e, c)) {
                Some((_, what)) => Ok(Err(*what)),
                None => Err(e),
            },
        }
    }
}

/// Whether a database error is a unique violation of the named constraint.
fn is_unique_violation(err: &sqlx::Error, constraint: &str) -> bool {
    match err {
        sqlx::Error::Database(db) => db.code().as_deref() == Some("23505") && db.constraint() == Some(constraint),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreachable_database_is_a_503_and_anything_else_a_500() {
        let refused = || sqlx::Error::Io(std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
        for e in [AppError::Database(sqlx::Error::PoolTimedOut), AppError::Database(refused())] {
            assert_eq!(e.status(), StatusCode::SERVICE_UNAVAILABLE, "{e:?}");
            assert_eq!(e.public_message(), UNAVAILABLE);
        }
        let wrapped = AppError::Internal(anyhow::Error::new(refused()).context("loading the page"));
        assert_eq!(wrapped.status(), StatusCode::SERVICE_UNAVAILABLE);
        let res = AppError::Database(sqlx::Error::PoolClosed).into_response();
        assert_eq!(res.headers().get(axum::http::header::RETRY_AFTER).unwrap(), RETRY_AFTER_SECONDS);
        for e in [AppError::Database(sqlx::Error::RowNotFound), AppError::Internal(anyhow::anyhow!("bug"))] {
            assert_eq!(e.status(), StatusCode::INTERNAL_SERVER_ERROR, "{e:?}");
        }
    }
}
