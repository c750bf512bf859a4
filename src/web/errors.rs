//! Error pages: every 4xx/5xx without a body of its own becomes an HTML page in
//! Chinese with the request id, and nothing internal. 5xx are logged with the id.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Request;
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::Chrome;
use crate::error::ErrorPage;

#[derive(Template, WebTemplate)]
#[template(path = "errors/error.html")]
pub struct ErrorTemplate {
    pub chrome: Chrome,
    pub status: u16,
    pub heading: &'static str,
    pub message: String,
    pub request_id: String,
}

fn heading(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "请求有误",
        403 => "没有权限",
        404 => "页面不存在",
        405 => "不支持的请求方式",
        408 => "请求超时",
        409 => "状态冲突",
        413 => "提交内容过大",
        422 => "提交内容有误",
        429 => "请求过于频繁",
        503 => "服务暂不可用",
        s if s >= 500 => "系统错误",
        _ => "请求未完成",
    }
}

fn default_message(status: StatusCode) -> String {
    match status.as_u16() {
        404 => "页面或记录不存在，或您无权查看。".into(),
        405 => "此地址不支持这种请求方式。".into(),
        408 => "请求处理超时，请稍后重试。".into(),
        413 => "提交的内容超过了大小上限。".into(),
        503 => crate::error::UNAVAILABLE.into(),
        s if s >= 500 => "系统错误，请稍后重试；如问题持续，请把下方请求编号告诉管理员。".into(),
        _ => "请求未能完成。".into(),
    }
}

pub async fn render(req: Request, next: Next) -> Response {
    let request_id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let res = next.run(req).await;
    let status = res.status();
    let marker = res.extensions().get::<ErrorPage>().cloned();
    let bare_error =
        (status.is_client_error() || status.is_server_error()) && !res.headers().contains_key(CONTENT_TYPE);
    if marker.is_none() && !bare_error {
        return res;
    }
    let message = match marker {
        Some(page) => {
            match &page.internal {
                // The database is unreachable: one warning a request, not an error report.
                Some(internal) if status == StatusCode::SERVICE_UNAVAILABLE => {
                    tracing::warn!(%request_id, error = %internal, "request refused: service unavailable");
                }
                Some(internal) => tracing::error!(%request_id, error = %internal, "request failed"),
                None => {}
            }
            page.message
        }
        None => {
            if status.is_server_error() {
                tracing::error!(%request_id, %status, "request failed");
            }
            default_message(status)
        }
    };
    let heading = heading(status);
    let page = ErrorTemplate {
        chrome: Chrome::anonymous(heading, String::new()),
        status: status.as_u16(),
        heading,
        message,
        request_id,
    };
    let mut out = (status, page).into_response();
    // Keep headers such as Retry-After or Set-Cookie the handler added.
    for (name, value) in res.headers() {
        if name != CONTENT_TYPE && name != axum::http::header::CONTENT_LENGTH {
            out.headers_mut().append(name.clone(), value.clone());
        }
    }
    out
}

/// The router's fallback: any unknown path is a 404 page.
pub async fn not_found() -> crate::error::AppError {
    crate::error::AppError::NotFound
}
