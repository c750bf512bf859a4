//! In-process caches that PostgreSQL keeps honest.
//!
//! [`TtlCache`] is the mechanism both server caches share (signed-in sessions,
//! `auth::session_cache`; home-page summaries, `home::cache`): entries live at most
//! a `ttl`, the cache holds at most `capacity` of them, and it answers only while
//! it is *live* — while [`spawn_listener`] is connected to PostgreSQL and receiving
//! the invalidation notifications its triggers send. A lost connection turns every
//! cache off and empties it until the listener is back, so no notification can be
//! missed while an entry is being used.
//!
//! A lookup that raced with an eviction is not cached: every eviction bumps a
//! generation, read it with [`TtlCache::generation`] BEFORE reading the database,
//! and [`TtlCache::insert`] drops a value read under an older generation.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use sqlx::postgres::PgListener;
use sqlx::PgPool;

pub struct TtlCache<K, V> {
    ttl: Duration,
    capacity: usize,
    /// Off until the invalidation listener is connected.
    live: AtomicBool,
    inner: Mutex<Inner<K, V>>,
}

struct Inner<K, V> {
    entries: HashMap<K, (V, Instant)>,
    generation: u64,
}

impl<K: Eq + Hash, V: Clone> TtlCache<K, V> {
    /// A cache of at most `capacity` entries, each used for at most `ttl` (zero:
    /// never used).
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        Self {
            ttl,
            capacity,
            live: AtomicBool::new(false),
            inner: Mutex::new(Inner { entries: HashMap::new(), generation: 0 }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner<K, V>> {
        // A panic while holding the lock leaves plain data behind: keep using it.
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Entries held (for tests and diagnostics).
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the cache answers: a non-zero ttl and a connected listener.
    pub fn enabled(&self) -> bool {
        !self.ttl.is_zero() && self.live.load(Ordering::Acquire)
    }

    /// Turned on when the listener connects, off (and emptied) when it is lost.
    pub fn set_live(&self, live: bool) {
        self.live.store(live, Ordering::Release);
        if !live {
            self.clear();
        }
    }

    /// The value of `key`, if it was read less than `ttl` ago and `usable` accepts
    /// it (given its age).
    pub fn get<Q>(&self, key: &Q, usable: impl FnOnce(&V, Duration) -> bool) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        if !self.enabled() {
            return None;
        }
        let inner = self.lock();
        let (value, fetched) = inner.entries.get(key)?;
        let age = fetched.elapsed();
        (age < self.ttl && usable(value, age)).then(|| value.clone())
    }

    /// The generation to pass to [`insert`](Self::insert): read it BEFORE the
    /// database.
    pub fn generation(&self) -> u64 {
        self.lock().generation
    }

    /// Cache what was read, unless something was evicted since `generation`.
    pub fn insert(&self, key: K, generation: u64, value: V) {
        if !self.enabled() {
            return;
        }
        let ttl = self.ttl;
        let mut inner = self.lock();
        if inner.generation != generation {
            return;
        }
        if inner.entries.len() >= self.capacity && !inner.entries.contains_key(&key) {
            inner.entries.retain(|_, (_, fetched)| fetched.elapsed() < ttl);
            if inner.entries.len() >= self.capacity {
                inner.entries.clear();
            }
        }
        inner.entries.insert(key, (value, Instant::now()));
    }

    /// Drop every entry `pred` selects (and fail the lookups in flight).
    pub fn evict_where(&self, pred: impl Fn(&K, &V) -> bool) {
        let mut inner = self.lock();
        inner.generation += 1;
        inner.entries.retain(|k, (v, _)| !pred(k, v));
    }

    pub fn clear(&self) {
        let mut inner = self.lock();
        inner.generation += 1;
        inner.entries.clear();
    }
}

/// A cache that [`spawn_listener`] keeps in step with PostgreSQL.
pub trait Invalidated: Send + Sync + 'static {
    /// The NOTIFY channel its triggers send on.
    fn channel(&self) -> &'static str;
    /// Whether it caches at all (a zero ttl needs no listener).
    fn wanted(&self) -> bool;
    /// Apply one notification's payload.
    fn notified(&self, payload: &str);
    /// See [`TtlCache::set_live`].
    fn set_live(&self, live: bool);
}

/// LISTEN on every wanted cache's channel, hand each notification to its cache,
/// and keep the caches off (and empty) whenever not listening. Reconnects every
/// second after a lost connection; ends when the pool is closed.
pub fn spawn_listener(pool: PgPool, caches: Vec<Arc<dyn Invalidated>>) {
    let caches: Vec<_> = caches.into_iter().filter(|c| c.wanted()).collect();
    if caches.is_empty() {
        return;
    }
    tokio::spawn(async move {
        loop {
            if let Err(err) = listen(&pool, &caches).await {
                tracing::warn!(error = %err, "cache invalidation listener lost its connection; caches off");
            }
            for c in &caches {
                c.set_live(false);
            }
            if pool.is_closed() {
                return;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
}

async fn listen(pool: &PgPool, caches: &[Arc<dyn Invalidated>]) -> Result<(), sqlx::Error> {
    if on_citus(pool).await? {
        // The triggers run on the workers' shards, where a NOTIFY reaches no server
        // (and breaks two-phase commits): deploy/citus.sql silences them, so the
        // caches stay off and every request reads PostgreSQL (docs/decisions.md, "Citus").
        tracing::info!("on a Citus coordinator: session and home caches off");
        while !pool.is_closed() {
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        return Ok(());
    }
    let mut listener = PgListener::connect_with(pool).await?;
    let channels: Vec<&str> = caches.iter().map(|c| c.channel()).collect();
    listener.listen_all(channels).await?;
    for c in caches {
        c.set_live(true);
    }
    loop {
        match listener.try_recv().await? {
            Some(n) => {
                for c in caches.iter().filter(|c| c.channel() == n.channel()) {
                    c.notified(n.payload());
                }
            }
            // The connection was lost (notifications may have been missed).
            None => return Ok(()),
        }
    }
}

/// Whether the database is a Citus cluster's (the extension is installed).
async fn on_citus(pool: &PgPool) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT FROM pg_extension WHERE extname = 'citus')").fetch_one(pool).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn live(ttl: u64, capacity: usize) -> TtlCache<&'static str, u32> {
        let c = TtlCache::new(Duration::from_secs(ttl), capacity);
        c.set_live(true);
        c
    }

    #[test]
    fn answers_only_while_live_with_a_ttl() {
        let c = TtlCache::new(Duration::from_secs(5), 10);
        c.insert("a", c.generation(), 1);
        assert_eq!(c.get("a", |_, _| true), None, "not live yet");
        let zero = live(0, 10);
        zero.insert("a", zero.generation(), 1);
        assert_eq!(zero.get("a", |_, _| true), None, "a zero ttl never answers");
        let on = live(5, 10);
        on.insert("a", on.generation(), 1);
        assert_eq!(on.get("a", |_, _| true), Some(1));
        assert_eq!(on.get("a", |_, _| false), None, "the caller may refuse an entry");
        on.set_live(false);
        assert!(on.is_empty(), "losing the listener empties it");
        on.set_live(true);
        assert_eq!(on.get("a", |_, _| true), None);
    }

    #[test]
    fn a_read_that_raced_an_eviction_is_not_cached() {
        let c = live(5, 10);
        let generation = c.generation();
        c.evict_where(|k, _| *k == "other"); // committed while the read was running
        c.insert("a", generation, 1);
        assert_eq!(c.get("a", |_, _| true), None);
        c.insert("a", c.generation(), 2);
        assert_eq!(c.get("a", |_, _| true), Some(2));
    }

    #[test]
    fn evictions_select_entries_and_capacity_is_kept() {
        let c = live(5, 2);
        c.insert("a", c.generation(), 1);
        c.insert("b", c.generation(), 2);
        c.evict_where(|_, v| *v == 1);
        assert_eq!((c.get("a", |_, _| true), c.get("b", |_, _| true)), (None, Some(2)));
        c.insert("a", c.generation(), 1);
        c.insert("b", c.generation(), 3);
        assert_eq!(c.len(), 2, "replacing an entry does not count against the capacity");
        c.insert("c", c.generation(), 4);
        assert!(c.len() <= 2, "never more than the capacity");
        assert_eq!(c.get("c", |_, _| true), Some(4));
    }
}
