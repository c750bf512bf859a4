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
//!   session ends or a user or tenant changes, and the listener
//!   ([`crate::cache::spawn_listener`]) evicts on each notification. Until the
//!   listener is connected, and whenever it loses its connection, the cache is off
//!   and empty;
//! - a lookup that raced with an eviction is not cached (see [`crate::cache`]).

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::cache::{Invalidated, TtlCache};
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

/// Signed-in sessions by token hash.
pub struct SessionCache(TtlCache<Vec<u8>, Cached>);

impl SessionCache {
    pub fn new(ttl: Duration) -> Arc<Self> {
        Arc::new(Self(TtlCache::new(ttl, CAPACITY)))
    }

    /// Entries held (for tests and diagnostics).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn enabled(&self) -> bool {
        self.0.enabled()
    }

    /// The cached user of a token hash, if the entry may still be used at `now`.
    pub fn get(&self, hash: &[u8], now: DateTime<Utc>, touch_seconds: i64) -> Option<CurrentUser> {
        self.0.get(hash, |s, _age| usable(s, now, touch_seconds)).map(|s| s.user)
    }

    /// The generation to pass to [`insert`](Self::insert): read it BEFORE the lookup.
    pub fn generation(&self) -> u64 {
        self.0.generation()
    }

    /// Cache a lookup's result, unless something was evicted since `generation`.
    pub fn insert(&self, hash: Vec<u8>, generation: u64, session: Cached) {
        self.0.insert(hash, generation, session);
    }

    /// After a commit that changed this user or ended their sessions.
    pub fn evict_user(&self, tenant_id: i64, user_id: i64) {
        self.0.evict_where(|_, s| s.user.tenant_id == tenant_id && s.user.user_id == user_id);
    }

    /// After a commit that changed the tenant (name, settings).
    pub fn evict_tenant(&self, tenant_id: i64) {
        self.0.evict_where(|_, s| s.user.tenant_id == tenant_id);
    }

    pub fn clear(&self) {
        self.0.clear();
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

impl Invalidated for SessionCache {
    fn channel(&self) -> &'static str {
        CHANNEL
    }

    fn wanted(&self) -> bool {
        !self.0.ttl().is_zero()
    }

    fn notified(&self, payload: &str) {
        self.apply_notification(payload);
    }

    fn set_live(&self, live: bool) {
        self.0.set_live(live);
    }
}

/// Whether a cached session may answer at `now` (the cache has checked its ttl):
/// neither idle-expired nor past its lifetime, and no touch of `last_seen_at` due.
fn usable(s: &Cached, now: DateTime<Utc>, touch_seconds: i64) -> bool {
    let idle = chrono::Duration::minutes(s.user.settings.session_idle_minutes.max(1));
    now < s.last_seen_at + idle && now < s.expires_at && (now - s.last_seen_at).num_seconds() < touch_seconds
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
            today: chrono::NaiveDate::default(),
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
        c.set_live(true);
        c
    }

    #[test]
    fn entries_answer_only_within_idle_lifetime_and_touch_interval() {
        let s = cached(1, 2, "2026-11-22T10:00:00Z");
        let now = at("2026-11-22T10:00:30Z");
        assert!(usable(&s, now, 60));
        assert!(!usable(&s, at("2026-11-22T10:01:00Z"), 60), "a touch is due");
        let idle = Cached {
            user: CurrentUser {
                settings: TenantSettings { session_idle_minutes: 0, ..TenantSettings::default() },
                ..s.user.clone()
            },
            ..s.clone()
        };
        assert!(!usable(&idle, at("2026-11-22T10:01:00Z"), 3600), "idle timeout (min 1 minute)");
        let ended = Cached { expires_at: at("2026-11-22T10:00:10Z"), ..s.clone() };
        assert!(!usable(&ended, now, 60), "past the absolute lifetime");
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
}
