//! The one state every handler shares, and its parts (`FromRef`): a leaf of the
//! platform, so features and web middleware import it without importing the
//! router that merges them.

use std::sync::Arc;
use std::time::Duration;

use sqlx::PgPool;

use crate::config::Settings;

/// The one state every handler shares (cheap to clone).
#[derive(Clone)]
pub struct AppState {
    /// The runtime role's pool.
    pub db: PgPool,
    pub settings: Arc<Settings>,
    /// Signed-in sessions cached for a few seconds (see `auth::session_cache`).
    pub sessions: Arc<crate::auth::session_cache::SessionCache>,
    /// Home-page summaries, kept until the tenant's data changes (see `home::cache`).
    pub home: Arc<crate::home::cache::HomeCache>,
}

impl AppState {
    /// The state, with the caches' invalidation listener started.
    pub fn new(db: PgPool, settings: Arc<Settings>) -> Self {
        let sessions =
            crate::auth::session_cache::SessionCache::new(Duration::from_secs(settings.session_cache_seconds));
        let home = crate::home::cache::HomeCache::new(Duration::from_secs(settings.home_cache_seconds));
        crate::cache::spawn_listener(db.clone(), vec![sessions.clone(), home.clone()]);
        Self { db, settings, sessions, home }
    }
}

impl axum::extract::FromRef<AppState> for Arc<Settings> {
    fn from_ref(state: &AppState) -> Self {
        state.settings.clone()
    }
}

impl axum::extract::FromRef<AppState> for PgPool {
    fn from_ref(state: &AppState) -> Self {
        state.db.clone()
    }
}
