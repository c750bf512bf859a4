//! Environment → [`Settings`].

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;

/// The runtime pool's default size.
pub const DB_POOL_SIZE: u32 = 16;
/// The default wait for a pool connection, in milliseconds (docs/decisions.md,
/// "Faults and backups").
pub const DB_ACQUIRE_TIMEOUT_MS: u64 = 2000;

/// Process-wide settings read once from the environment (CONTRACT.md, "Binary and environment").
#[derive(Clone, Debug)]
pub struct Settings {
    /// An existing PostgreSQL to use; `None` selects the embedded default.
    pub database_url: Option<String>,
    /// Optional separate login for the runtime role when `database_url` is set.
    pub database_app_url: Option<String>,
    /// Where the embedded cluster and other local state live.
    pub data_dir: PathBuf,
    /// Listen address.
    pub bind: SocketAddr,
    /// The public origin (e.g. `https://ops.example.com`) when served behind a proxy.
    /// An `https` origin turns on `Secure` cookies and HSTS.
    pub public_url: Option<String>,
    /// How long a signed-in session may be answered from the in-process cache
    /// (`YUNYING_SESSION_CACHE_SECONDS`, default 5; 0 = always ask the database).
    pub session_cache_seconds: u64,
    /// How long a user's home-page summary may be answered from the in-process
    /// cache (`YUNYING_HOME_CACHE_SECONDS`, default 5; 0 = read it on every view).
    /// Any write to the tenant's data drops it at once, whatever the time left.
    pub home_cache_seconds: u64,
    /// The largest file an upload form accepts (`YUNYING_UPLOAD_MAX_MB`, default 32).
    pub upload_max_bytes: usize,
    /// Connections of the runtime pool (`YUNYING_DB_POOL_SIZE`, default 16).
    pub db_pool_size: u32,
    /// How long a request waits for a pool connection before its 503 page
    /// (`YUNYING_DB_ACQUIRE_TIMEOUT_MS`, default 2000): the queue is bounded in time.
    pub db_acquire_timeout: std::time::Duration,
    /// The date every request decides by (`CurrentUser::today`); `None` — always,
    /// outside tests — reads the clock in the tenant's time zone. Not read from the
    /// environment: tests set it to pass the date in.
    pub today: Option<chrono::NaiveDate>,
}

impl Settings {
    pub fn from_env() -> anyhow::Result<Self> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let bind = var("YUNYING_BIND").unwrap_or_else(|| "127.0.0.1:8080".to_owned());
        let bind =
            bind.parse().with_context(|| format!("YUNYING_BIND is not an address such as 127.0.0.1:8080: {bind:?}"))?;
        let public_url = var("YUNYING_PUBLIC_URL").map(|u| u.trim_end_matches('/').to_owned());
        if let Some(url) = &public_url {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                anyhow::bail!("YUNYING_PUBLIC_URL must start with http:// or https://: {url:?}");
            }
        }
        let cache_seconds = |name: &str| match var(name) {
            None => Ok(5),
            Some(v) => v
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|s| *s <= 60)
                .with_context(|| format!("{name} must be a whole number of seconds from 0 to 60: {v:?}")),
        };
        let upload_max_mb =
            match var("YUNYING_UPLOAD_MAX_MB") {
                None => 32,
                Some(v) => v.trim().parse::<usize>().ok().filter(|mb| (1..=1024).contains(mb)).with_context(|| {
                    format!("YUNYING_UPLOAD_MAX_MB must be a whole number of MB from 1 to 1024: {v:?}")
                })?,
            };
        let number = |name: &str, default: u64, range: std::ops::RangeInclusive<u64>| match var(name) {
            None => Ok(default),
            Some(v) => v.trim().parse::<u64>().ok().filter(|n| range.contains(n)).with_context(|| {
                format!("{name} must be a whole number from {} to {}: {v:?}", range.start(), range.end())
            }),
        };
        let db_pool_size = number("YUNYING_DB_POOL_SIZE", DB_POOL_SIZE.into(), 1..=100)? as u32;
        let acquire_ms = number("YUNYING_DB_ACQUIRE_TIMEOUT_MS", DB_ACQUIRE_TIMEOUT_MS, 100..=60_000)?;
        Ok(Self {
            db_pool_size,
            db_acquire_timeout: std::time::Duration::from_millis(acquire_ms),
            upload_max_bytes: upload_max_mb * 1024 * 1024,
            session_cache_seconds: cache_seconds("YUNYING_SESSION_CACHE_SECONDS")?,
            home_cache_seconds: cache_seconds("YUNYING_HOME_CACHE_SECONDS")?,
            database_url: var("DATABASE_URL"),
            database_app_url: var("DATABASE_APP_URL"),
            data_dir: PathBuf::from(var("YUNYING_DATA_DIR").unwrap_or_else(|| "./data".to_owned())),
            bind,
            public_url,
            today: None,
        })
    }

    /// Whether the site is served over https (cookies get `Secure`, responses HSTS).
    pub fn https(&self) -> bool {
        self.public_url.as_deref().is_some_and(|u| u.starts_with("https://"))
    }

    /// Settings for tests: embedded data dir unused, an ephemeral port.
    pub fn for_tests() -> Self {
        Self {
            database_url: None,
            database_app_url: None,
            data_dir: PathBuf::from("./data"),
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            public_url: None,
            // Tests that change sessions or records with SQL expect the next request
            // to see it at once; the caches' own tests turn them on.
            session_cache_seconds: 0,
            home_cache_seconds: 0,
            upload_max_bytes: 32 * 1024 * 1024,
            db_pool_size: DB_POOL_SIZE,
            db_acquire_timeout: std::time::Duration::from_millis(DB_ACQUIRE_TIMEOUT_MS),
            today: None,
        }
    }
}
