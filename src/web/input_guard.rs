//! Control characters stop where input enters: a query string, a path or a
//! form field carrying one (a NUL above all, which PostgreSQL refuses in text) is
//! answered with a 400 page naming the problem, before any handler runs. Upload
//! forms and import files are checked by their readers (`web::upload`, `imports`).

use axum::body::Body;
use axum::extract::Request;
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::csrf::MAX_FORM_BYTES;
use crate::error::AppError;
use crate::input::{is_forbidden_control, CONTROL_MESSAGE};

fn refused(what: &str) -> Response {
    AppError::BadRequest(format!("{what}{CONTROL_MESSAGE}")).into_response()
}

/// Whether any name or value of an `application/x-www-form-urlencoded` text (a
/// query string or a form body) carries a forbidden control character.
pub fn has_control(encoded: &[u8]) -> bool {
    form_urlencoded::parse(encoded)
        .any(|(k, v)| k.chars().any(is_forbidden_control) || v.chars().any(is_forbidden_control))
}

pub async fn refuse_control_characters(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if percent_decoded(path).chars().any(is_forbidden_control) {
        return refused("地址");
    }
    if req.uri().query().is_some_and(|q| has_control(q.as_bytes())) {
        return refused("查询参数");
    }
    let is_form = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_FORM_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
    };
    if has_control(&bytes) {
        return refused("表单内容");
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

fn percent_decoded(path: &str) -> String {
    // A path is decoded like a form value, except that `+` stays a plus.
    let escaped = path.replace('+', "%2B");
    form_urlencoded::parse(format!("p={escaped}").as_bytes()).next().map(|(_, v)| v.into_owned()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_in_encoded_text() {
        assert!(has_control(b"q=%00x"));
        assert!(has_control(b"company=demo%00&username=a"));
        assert!(has_control(b"a%01=1"));
        assert!(!has_control(b"q=%E8%AE%A2%E4%B9%A6%E6%9C%BA&note=a%0D%0Ab%09c"));
        assert!(percent_decoded("/products/%00").contains('\0'));
        assert_eq!(percent_decoded("/a+b/%E5%BC%A0"), "/a+b/张");
    }
}
