//! CSRF protection for every state-changing request.
//!
//! Two independent checks, both must pass:
//! 1. the request is not cross-site: `Sec-Fetch-Site`, when the browser sends it,
//!    is `same-origin` or `none`, and `Origin`, when sent, is this site;
//! 2. the form's `csrf_token` field equals the token bound to the session (renewed
//!    at every login). Before login, the login form's token is bound to a
//!    pre-session cookie instead (double submit), so login CSRF fails too.
//!
//! Failure is 403 and the handler never runs, so nothing changes.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_TYPE, HOST, ORIGIN};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use super::CurrentUser;
use crate::config::Settings;
use crate::error::AppError;

/// The form field every form carries.
pub const FIELD: &str = "csrf_token";
/// The cookie binding the login form's token before a session exists.
pub const PRE_SESSION_COOKIE: &str = "yy_csrf";
/// The largest form body accepted.
pub const MAX_FORM_BYTES: usize = 2 * 1024 * 1024;

pub async fn verify(State(settings): State<std::sync::Arc<Settings>>, req: Request, next: Next) -> Response {
    if !matches!(*req.method(), Method::POST | Method::PUT | Method::PATCH | Method::DELETE) {
        return next.run(req).await;
    }
    if !same_origin(req.headers(), &settings) {
        tracing::warn!("cross-site request refused");
        return AppError::Csrf.into_response();
    }
    let expected = if req.uri().path() == "/login" {
        super::cookie(req.headers(), PRE_SESSION_COOKIE)
    } else {
        match req.extensions().get::<CurrentUser>() {
            Some(user) => Some(user.csrf_token.clone()),
            // Anonymous: the handler's CurrentUser extractor sends them to /login
            // and nothing is done on their behalf.
            None => return next.run(req).await,
        }
    };
    let Some(expected) = expected else {
        return AppError::Csrf.into_response();
    };
    let (parts, body) = req.into_parts();
    let content_type = parts.headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let (presented, body) = if let Ok(boundary) = multer::parse_boundary(&content_type) {
        // An upload: only the head of the body is read here (the form puts the token
        // first); the rest streams on to the handler's upload reader.
        multipart_token(body, boundary).await
    } else {
        let bytes = match axum::body::to_bytes(body, MAX_FORM_BYTES).await {
            Ok(bytes) => bytes,
            Err(_) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
        };
        let presented = if content_type.starts_with("application/x-www-form-urlencoded") {
            form_urlencoded::parse(&bytes).find(|(k, _)| k == FIELD).map(|(_, v)| v.into_owned())
        } else {
            parts.headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).map(str::to_owned)
        };
        (presented, Body::from(bytes))
    };
    let matches = presented.is_some_and(|p| !p.is_empty() && bool::from(p.as_bytes().ct_eq(expected.as_bytes())));
    if !matches {
        tracing::warn!("missing or wrong CSRF token");
        return AppError::Csrf.into_response();
    }
    next.run(Request::from_parts(parts, body)).await
}

/// How much of an upload's body is read, at most, to find its `csrf_token` field.
const MULTIPART_HEAD_BYTES: usize = 64 * 1024;

/// The `csrf_token` field of a multipart body (file uploads), which the forms put
/// first, and the body to hand on: the chunks read so far, then the rest unread.
async fn multipart_token(body: Body, boundary: String) -> (Option<String>, Body) {
    use futures_util::StreamExt;
    let mut stream = body.into_data_stream();
    let mut head: Vec<axum::body::Bytes> = Vec::new();
    let mut head_len = 0;
    let mut token = None;
    while head_len < MULTIPART_HEAD_BYTES {
        match stream.next().await {
            Some(Ok(chunk)) => {
                head_len += chunk.len();
                head.push(chunk);
            }
            // The body ended, or failed (the handler sees the same failure).
            _ => break,
        }
        if let Some(found) = token_in(&head, &boundary).await {
            token = Some(found);
            break;
        }
    }
    let replay = futures_util::stream::iter(head.into_iter().map(Ok::<_, axum::Error>));
    (token, Body::from_stream(replay.chain(stream)))
}

/// The `csrf_token` field, when it is complete within `head`.
async fn token_in(head: &[axum::body::Bytes], boundary: &str) -> Option<String> {
    let chunks: Vec<Result<axum::body::Bytes, std::convert::Infallible>> = head.iter().cloned().map(Ok).collect();
    let mut multipart = multer::Multipart::new(futures_util::stream::iter(chunks), boundary.to_owned());
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some(FIELD) {
            return field.text().await.ok();
        }
    }
    None
}

/// Whether the request comes from this site (or from no site: typed URL, old browser).
pub fn same_origin(headers: &HeaderMap, settings: &Settings) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        if !matches!(site.as_bytes(), b"same-origin" | b"none") {
            return false;
        }
    }
    let Some(origin) = headers.get(ORIGIN) else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    if let Some(public) = &settings.public_url {
        if origin == public {
            return true;
        }
    }
    let Some(host) = headers.get(HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    origin == format!("http://{host}") || origin == format!("https://{host}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn origin_rules() {
        let s = Settings::for_tests();
        assert!(same_origin(&headers(&[]), &s));
        assert!(same_origin(&headers(&[("host", "a.test"), ("origin", "http://a.test")]), &s));
        assert!(!same_origin(&headers(&[("host", "a.test"), ("origin", "http://evil.test")]), &s));
        assert!(!same_origin(&headers(&[("host", "a.test"), ("origin", "null")]), &s));
        assert!(!same_origin(&headers(&[("sec-fetch-site", "cross-site")]), &s));
        assert!(!same_origin(&headers(&[("sec-fetch-site", "same-site")]), &s));
        assert!(same_origin(&headers(&[("sec-fetch-site", "same-origin")]), &s));
    }
}
