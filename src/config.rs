//! Environment → [`Settings`].

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;

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
        Ok(Self {
            database_url: var("DATABASE_URL"),
            database_app_url: var("DATABASE_APP_URL"),
            data_dir: PathBuf::from(var("YUNYING_DATA_DIR").unwrap_or_else(|| "./data".to_owned())),
            bind,
            public_url,
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
        }
    }
}
