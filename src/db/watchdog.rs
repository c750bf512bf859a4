//! The serving process watches its embedded cluster: when the postmaster dies
//! (killed, OOM), the watchdog notices within [`POLL`] and starts the cluster
//! again ([`Cluster::restart_after_crash`]: orphans killed, stale pid file
//! removed, crash recovery by PostgreSQL itself). Meanwhile requests get the 503
//! page (`error::is_unavailable`) and `/readyz` says 503; the pools reconnect by
//! themselves once the cluster is back, so the application never restarts.
//!
//! A start that fails (the data directory unusable for a while) is tried again
//! after a backoff that doubles from [`FIRST_RETRY`] up to [`MAX_RETRY`].

use std::time::{Duration, Instant};

use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::embedded::Cluster;

/// How often the postmaster's pid is checked (a file read and two `/proc` links).
pub const POLL: Duration = Duration::from_millis(250);
/// The wait after a failed restart before the next; it doubles up to [`MAX_RETRY`].
pub const FIRST_RETRY: Duration = Duration::from_millis(500);
pub const MAX_RETRY: Duration = Duration::from_secs(2);

/// A running watchdog; [`Watchdog::stop`] it before stopping the cluster.
pub struct Watchdog {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

/// Watch `cluster` from a task of the current runtime.
pub fn spawn(cluster: Cluster) -> Watchdog {
    let (stop, mut stopped) = watch::channel(false);
    let task = tokio::spawn(async move {
        let mut down_since: Option<Instant> = None;
        let mut next_try = Instant::now();
        let mut retry = FIRST_RETRY;
        loop {
            tokio::select! {
                _ = tokio::time::sleep(POLL) => {}
                _ = stopped.changed() => return,
            }
            if cluster.postmaster_alive() {
                down_since = None;
                retry = FIRST_RETRY;
                continue;
            }
            let since = *down_since.get_or_insert_with(|| {
                tracing::error!("the embedded PostgreSQL is gone (its postmaster died): restarting it");
                Instant::now()
            });
            if Instant::now() < next_try {
                continue;
            }
            let c = cluster.clone();
            // Awaited here, so `stop` waits for a restart in progress.
            match tokio::task::spawn_blocking(move || c.restart_after_crash()).await {
                Ok(Ok(_)) => {
                    tracing::info!(down_ms = since.elapsed().as_millis() as u64, "embedded PostgreSQL restarted");
                    down_since = None;
                    retry = FIRST_RETRY;
                }
                Ok(Err(err)) => {
                    tracing::error!(error = format!("{err:#}"), retry_in = ?retry, "embedded PostgreSQL did not restart");
                    next_try = Instant::now() + retry;
                    retry = (retry * 2).min(MAX_RETRY);
                }
                Err(err) => tracing::error!(error = %err, "the restart of the embedded PostgreSQL panicked"),
            }
        }
    });
    Watchdog { stop, task }
}

impl Watchdog {
    /// Stop watching (after a restart in progress has finished).
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}
