//! Flash messages: one message carried by a short-lived cookie from a POST's
//! redirect to the next page, then cleared. The text is HTML-escaped when shown.

use axum::extract::{FromRequestParts, Request};
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

const COOKIE: &str = "yy_flash";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flash {
    /// `success`, `error` or `info` (a CSS class).
    pub kind: &'static str,
    pub message: String,
}

impl Flash {
    pub fn success(message: impl Into<String>) -> Self {
        Self { kind: "success", message: message.into() }
    }

    pub fn error(message: impl Into<String>) -> Self {
        Self { kind: "error", message: message.into() }
    }

    /// The `Set-Cookie` header that carries this message to the next page.
    pub fn cookie(&self) -> (axum::http::HeaderName, String) {
        let value: String =
            form_urlencoded::byte_serialize(format!("{}|{}", self.kind, self.message).as_bytes()).collect();
        (SET_COOKIE, format!("{COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=60"))
    }

    /// A 303 redirect to `to` that carries this message there.
    pub fn redirect(&self, to: &str) -> Response {
        use axum::response::{AppendHeaders, IntoResponse, Redirect};
        (AppendHeaders([self.cookie()]), Redirect::to(to)).into_response()
    }

    fn parse(raw: &str) -> Option<Self> {
        let decoded: String =
            form_urlencoded::parse(format!("v={raw}").as_bytes()).next().map(|(_, v)| v.into_owned())?;
        let (kind, message) = decoded.split_once('|')?;
        let kind = match kind {
            "success" => "success",
            "error" => "error",
            _ => "info",
        };
        Some(Self { kind, message: message.chars().take(500).collect() })
    }
}

/// The flash message this request carries, if any.
#[derive(Clone, Debug, Default)]
pub struct IncomingFlash(pub Option<Flash>);

impl<S: Send + Sync> FromRequestParts<S> for IncomingFlash {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(super::cookie(&parts.headers, COOKIE).and_then(|v| Flash::parse(&v))))
    }
}

/// Middleware: once a page that could show the flash message is sent (anything
/// but a redirect), clear the cookie.
pub async fn clear_after_show(req: Request, next: Next) -> Response {
    let had_flash = super::cookie(req.headers(), COOKIE).is_some();
    let mut res = next.run(req).await;
    if had_flash && !res.status().is_redirection() {
        res.headers_mut()
            .append(SET_COOKIE, HeaderValue::from_static("yy_flash=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_through_the_cookie() {
        let f = Flash::success("已保存：张三 & <b>");
        let (_, header) = f.cookie();
        let value = header.split_once('=').map(|(_, v)| v).unwrap_or_default();
        let value = value.split(';').next().unwrap_or_default();
        assert_eq!(Flash::parse(value), Some(f));
        assert_eq!(Flash::parse("garbage").map(|f| f.kind), None);
    }
}
