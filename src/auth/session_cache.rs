//! A short-lived in-process cache of signed-in sessions, so that a page does not
//! pay for the session lookup on every request.
//!
//! Correctness comes first; the cache only ever answers with what a database
//! lookup would have answered a few seconds ago, and never after a change this
//! process or another one has made:
//! - an entry lives at most `ttl` (default 5 s, `YUNYING_SESSION_CACHE_SECONDS`; 0
//!   turns the cache off), and is used only while the session is neither idle-expired
//!   nor past its absolute lifetime and its last activity was recorded less than a
//!   minute ago (so the once-a-minute touch of `last_seen_at` still happens);
//! - changes made by this process (logout, password change, deactivation, role or
//!   profile edits) evict the affected entries right after their commit;
//! - changes made anywhere (another instance, an operator's SQL) reach every instance
//!   through PostgreSQL: triggers (migration 0012) `NOTIFY yunying_sessions` when a
//!   session ends or a user or tenant changes, and [`spawn_listener`] evicts on each
//!   notification. Until the listener is connected, and whenever it loses its
//!   connection, the cache is off and empty;
//! - a lookup that raced with an eviction is not cached: every eviction bumps a
//!   generation, and an entry read under an older generation is dropped.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sqlx::postgres::PgListener;
use sqlx::PgPool;

use crate::web::CurrentUser;

/// The channel of migration 0012's triggers. Payload: `tenant` or `tenant:user`.
pub const CHANNEL: &str = "yunying_sessions";

/// Entries kept at most; beyond it, expired entries go, then everything.
const CAPACITY: usize = 10_000;

/// The session as last read from the database.
#[derive(Clone, Debug)]
pub struct Cached {
    pub user: CurrentUser,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

struct Entry {
    session: Cached,
    fetched: Instant,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<Vec<u8>, Entry>,
    generation: u64,
}

pub struct SessionCache {
    ttl: Duration,
    /// Off until the invalidation listener is connected.
    live: AtomicBool,
    inner: Mutex<Inner>,
}

impl SessionCache {
    pub fn new(ttl: Duration) -> Arc<Self> {
        Arc::new(Self { ttl, live: AtomicBool::new(false), inner: Mutex::new(Inner::default()) })
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves plain data behind: keep using it.
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Entries held (for tests and diagnostics).
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn enabled(&self) -> bool {
        !self.ttl.is_zero() && self.live.load(Ordering::Acquire)
    }

    fn set_live(&self, live: bool) {
        self.live.store(live, Ordering::Release);
        if !live {
            self.clear();
        }
    }

    /// The cached user of a token hash, if the entry may still be used at `now`.
    pub fn get(&self, hash: &[u8], now: DateTime<Utc>, touch_seconds: i64) -> Option<CurrentUser> {
        if !self.enabled() {
            return None;
        }
        let inner = self.lock();
        let e = inner.entries.get(hash)?;
        usable(&e.session, e.fetched.elapsed(), self.ttl, now, touch_seconds).then(|| e.session.user.clone())
    }

    /// The generation to pass to [`insert`](Self::insert): read it BEFORE the lookup.
    pub fn generation(&self) -> u64 {
        self.lock().generation
    }

    /// Cache a lookup's result, unless something was evicted since `generation`.
    pub fn insert(&self, hash: Vec<u8>, generation: u64, session: Cached) {
        if !self.enabled() {
            return;
        }
        let ttl = self.ttl;
        let mut inner = self.lock();
        if inner.generation != generation {
            return;
        }
        if inner.entries.len() >= CAPACITY {
            inner.entries.retain(|_, e| e.fetched.elapsed() < ttl);
            if inner.entries.len() >= CAPACITY {
                inner.entries.clear();
            }
        }
        inner.entries.insert(hash, Entry { session, fetched: Instant::now() });
    }

    fn evict_where(&self, pred: impl Fn(&CurrentUser) -> bool) {
        let mut inner = self.lock();
        inner.generation += 1;
        inner.entries.retain(|_, e| !pred(&e.session.user));
    }

    /// After a commit that changed this user or ended their sessions.
    pub fn evict_user(&self, tenant_id: i64, user_id: i64) {
        self.evict_where(|u| u.tenant_id == tenant_id && u.user_id == user_id);
    }

    /// After a commit that changed the tenant (name, settings).
    pub fn evict_tenant(&self, tenant_id: i64) {
        self.evict_where(|u| u.tenant_id == tenant_id);
    }

    pub fn clear(&self) {
        let mut inner = self.lock();
        inner.generation += 1;
        inner.entries.clear();
    }

    /// Apply one notification payload (`tenant` or `tenant:user`); anything
    /// unreadable clears the cache.
    pub fn apply_notification(&self, payload: &str) {
        let mut parts = payload.split(':').map(str::parse::<i64>);
        match (parts.next(), parts.next(), parts.next()) {
            (Some(Ok(tenant)), None, None) => self.evict_tenant(tenant),
            (Some(Ok(tenant)), Some(Ok(user)), None) => self.evict_user(tenant, user),
            _ => self.clear(),
        }
    }
}

/// Whether a cached session may answer at `now`, `age` after it was read.
fn usable(s: &Cached, age: Duration, ttl: Duration, now: DateTime<Utc>, touch_seconds: i64) -> bool {
    let idle = chrono::Duration::minutes(s.user.settings.session_idle_minutes.max(1));
    age < ttl
        && now < s.last_seen_at + idle
        && now < s.expires_at
        && (now - s.last_seen_at).num_seconds() < touch_seconds
}

/// Keep the cache in step with the database: LISTEN on [`CHANNEL`], evict on every
/// notification, and keep the cache off (and empty) whenever not listening.
pub fn spawn_listener(pool: PgPool, cache: Arc<SessionCache>) {
    if cache.ttl.is_zero() {
        return;
    }
    tokio::spawn(async move {
        loop {
            match listen(&pool, &cache).await {
                Ok(()) => {}
                Err(err) => tracing::warn!(error = %err, "session cache listener lost its connection; cache off"),
            }
            cache.set_live(false);
            if pool.is_closed() {
                return;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
}

async fn listen(pool: &PgPool, cache: &SessionCache) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    cache.clear();
    cache.set_live(true);
    loop {
        match listener.try_recv().await? {
            Some(n) => cache.apply_notification(n.payload()),
            // The connection was lost (notifications may have been missed).
            None => return Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::people::tenants::TenantSettings;
    use crate::people::{Dept, Level};

    fn user(tenant_id: i64, user_id: i64) -> CurrentUser {
        CurrentUser {
            tenant_id,
            tenant_code: "t".into(),
            tenant_name: "T".into(),
            settings: TenantSettings::default(),
            session_id: 1,
            user_id,
            username: "u".into(),
            display_name: "U".into(),
            level: Level::Manager,
            dept: Dept::Ops,
            tenant_admin: false,
            employee_no: None,
            csrf_token: "c".into(),
        }
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn cached(tenant: i64, user_id: i64, last_seen: &str) -> Cached {
        Cached { user: user(tenant, user_id), last_seen_at: at(last_seen), expires_at: at("2026-11-29T00:00:00Z") }
    }

    fn live(ttl: u64) -> Arc<SessionCache> {
        let c = SessionCache::new(Duration::from_secs(ttl));
        c.live.store(true, Ordering::Release);
        c
    }

    #[test]
    fn entries_answer_only_within_ttl_idle_lifetime_and_touch_interval() {
        let s = cached(1, 2, "2026-11-22T10:00:00Z");
        let ttl = Duration::from_secs(5);
        let now = at("2026-11-22T10:00:30Z");
        assert!(usable(&s, Duration::from_secs(1), ttl, now, 60));
        assert!(!usable(&s, Duration::from_secs(5), ttl, now, 60), "older than the ttl");
        assert!(!usable(&s, Duration::ZERO, ttl, at("2026-11-22T10:01:00Z"), 60), "a touch is due");
        let idle = Cached {
            user: CurrentUser {
                settings: TenantSettings { session_idle_minutes: 0, ..TenantSettings::default() },
                ..s.user.clone()
            },
            ..s.clone()
        };
        assert!(!usable(&idle, Duration::ZERO, ttl, at("2026-11-22T10:01:00Z"), 3600), "idle timeout (min 1 minute)");
        let ended = Cached { expires_at: at("2026-11-22T10:00:10Z"), ..s.clone() };
        assert!(!usable(&ended, Duration::ZERO, ttl, now, 60), "past the absolute lifetime");
    }

    #[test]
    fn off_until_live_and_when_ttl_is_zero() {
        let c = SessionCache::new(Duration::from_secs(5));
        c.insert(b"h".to_vec(), c.generation(), cached(1, 2, "2026-11-22T10:00:00Z"));
        assert!(c.get(b"h", at("2026-11-22T10:00:01Z"), 60).is_none(), "not live yet");
        let off = live(0);
        off.insert(b"h".to_vec(), off.generation(), cached(1, 2, "2026-11-22T10:00:00Z"));
        assert!(off.get(b"h", at("2026-11-22T10:00:01Z"), 60).is_none());
        let on = live(5);
        on.insert(b"h".to_vec(), on.generation(), cached(1, 2, "2026-11-22T10:00:00Z"));
        assert_eq!(on.get(b"h", at("2026-11-22T10:00:01Z"), 60).map(|u| u.user_id), Some(2));
        on.set_live(false);
        assert!(on.get(b"h", at("2026-11-22T10:00:01Z"), 60).is_none(), "losing the listener empties it");
    }

    #[test]
    fn evictions_by_user_tenant_and_notification() {
        let c = live(5);
        let now = at("2026-11-22T10:00:01Z");
        for (h, t, u) in [(b"a", 1, 1), (b"b", 1, 2), (b"c", 2, 3)] {
            c.insert(h.to_vec(), c.generation(), cached(t, u, "2026-11-22T10:00:00Z"));
        }
        c.apply_notification("1:1");
        assert!(c.get(b"a", now, 60).is_none());
        assert!(c.get(b"b", now, 60).is_some());
        c.apply_notification("1");
        assert!(c.get(b"b", now, 60).is_none());
        assert!(c.get(b"c", now, 60).is_some());
        c.apply_notification("garbage");
        assert!(c.get(b"c", now, 60).is_none(), "an unreadable payload clears everything");
    }

    #[test]
    fn a_lookup_that_raced_an_eviction_is_not_cached() {
        let c = live(5);
        let generation = c.generation();
        c.evict_user(1, 2); // committed while the lookup was reading
        c.insert(b"h".to_vec(), generation, cached(1, 2, "2026-11-22T10:00:00Z"));
        assert!(c.get(b"h", at("2026-11-22T10:00:01Z"), 60).is_none());
    }
}
