//! The tenant context of a signed-in request: who is asking, the flash message
//! the request carries, and the way to the tenant's data. Handlers take one
//! [`Ctx`] instead of the state, the user and the flash separately.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::response::Response;
use sqlx::PgPool;

use super::{Chrome, CurrentUser, IncomingFlash};
use crate::db::{self, Tx};
use crate::error::AppError;
use crate::people::Action;

/// A signed-in request's context. Without a signed-in user the request is
/// answered exactly as [`CurrentUser`] answers it (a redirect to `/login`).
pub struct Ctx {
    pub user: CurrentUser,
    flash: IncomingFlash,
    db: PgPool,
}

impl<S> FromRequestParts<S> for Ctx
where
    S: Send + Sync,
    PgPool: FromRef<S>,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        let Ok(flash) = IncomingFlash::from_request_parts(parts, state).await;
        Ok(Self { user, flash, db: PgPool::from_ref(state) })
    }
}

impl Ctx {
    /// The request's tenant transaction: row-level security shows and accepts only
    /// the user's tenant until commit or rollback.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        db::begin_tenant(&self.db, self.user.tenant_id).await
    }

    /// The page chrome, carrying the request's flash message (a second page of the
    /// same request shows none).
    pub fn chrome(&mut self, title: impl Into<String>, path: &str) -> Chrome {
        let flash = self.take_flash();
        Chrome::new(&self.user, flash, title, path)
    }

    /// The request's flash message, taken (for a page whose chrome is built with
    /// [`Chrome::new`] by hand).
    pub fn take_flash(&mut self) -> IncomingFlash {
        std::mem::take(&mut self.flash)
    }

    /// `Err(Forbidden)` unless the user may perform `action`.
    pub fn require(&self, action: Action) -> Result<(), AppError> {
        self.user.require(action)
    }

    pub fn can(&self, action: Action) -> bool {
        self.user.can(action)
    }
}
