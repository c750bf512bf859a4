//! Web plumbing shared by every module: extractors (the signed-in user, the tenant
//! context), CSRF, flash messages, error pages, security headers, pagination and the
//! page chrome (header + navigation).

pub mod barcode;
pub mod chart;
pub mod chrome;
pub mod csrf;
pub mod csv;
pub mod errors;
pub mod extract;
pub mod flash;
pub mod forms;
pub mod input_guard;
pub mod pagination;
pub mod pending;
pub mod security;
pub mod tenant;
pub mod upload;

pub use chrome::Chrome;
pub use extract::{CurrentUser, RequestMeta};
pub use flash::{Flash, IncomingFlash};
pub use forms::FieldErrors;
pub use pagination::Pager;
pub use tenant::Ctx;

use axum::http::HeaderMap;

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// A fresh 256-bit random token, URL-safe base64 without padding (43 characters).
pub fn random_token() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Format a timestamp in the tenant's time zone for display.
pub fn local_time(at: chrono::DateTime<chrono::Utc>, tz: &crate::tz::TimeZone) -> String {
    tz.format(at)
}
