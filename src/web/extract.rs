//! Extractors: the signed-in user, and facts about the request for the audit log.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};

use crate::error::AppError;
use crate::people::tenants::TenantSettings;
use crate::people::{Action, Dept, Level, Role};

/// The signed-in user of this request, loaded from the server-side session by
/// `auth::session::load`. The tenant comes only from here.
#[derive(Clone, Debug)]
pub struct CurrentUser {
    pub tenant_id: i64,
    pub tenant_code: String,
    pub tenant_name: String,
    pub settings: TenantSettings,
    pub session_id: i64,
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub level: Level,
    pub dept: Dept,
    pub tenant_admin: bool,
    pub employee_no: Option<String>,
    pub csrf_token: String,
    /// The date this request decides by, in the tenant's time zone: read from the
    /// clock once per request (or `Settings::today` when a test sets it).
    pub today: chrono::NaiveDate,
}

impl CurrentUser {
    pub fn role(&self) -> Role {
        Role { user_id: self.user_id, level: self.level, dept: self.dept, tenant_admin: self.tenant_admin }
    }

    pub fn can(&self, action: Action) -> bool {
        self.role().can(action)
    }

    /// `Err(Forbidden)` unless the user may perform `action`: the first line of
    /// every handler that needs a permission.
    pub fn require(&self, action: Action) -> Result<(), AppError> {
        if self.can(action) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<CurrentUser>().cloned().ok_or_else(|| Redirect::to("/login").into_response())
    }
}

/// Where a request came from, for the audit log and login throttling.
#[derive(Clone, Debug, Default)]
pub struct RequestMeta {
    pub ip: String,
    pub request_id: String,
    pub user_agent: String,
}

impl RequestMeta {
    pub fn from_parts(parts: &Parts) -> Self {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ci| ci.0.ip().to_string())
            .unwrap_or_else(|| "unknown".to_owned());
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .chars()
                .take(200)
                .collect::<String>()
        };
        Self { ip, request_id: header("x-request-id"), user_agent: header("user-agent") }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestMeta {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::from_parts(parts))
    }
}

impl<S: Send + Sync> axum::extract::OptionalFromRequestParts<S> for CurrentUser {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<CurrentUser>().cloned())
    }
}
