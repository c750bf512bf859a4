//! The home page's summaries, cached per user and dropped whenever the tenant's
//! data changes.
//!
//! The home page is the page every user opens most, and what it shows — the
//! recent activity in their scope, the approval queues, their own open documents,
//! the alerts — changes only when someone writes to the tenant's data. So a
//! user's [`Summary`] is kept in memory and read again only after a write:
//! - every write to a tenant table (migration 0014: a statement-level trigger on
//!   each, sessions and login attempts aside) sends `NOTIFY yunying_home` with the
//!   writer's tenant, at commit, whoever wrote it — this process, another instance,
//!   a CLI import, an operator's SQL — and the listener drops that tenant's
//!   summaries (an unreadable payload drops all of them);
//! - for read-your-writes, [`forget_after_writes`] also drops them in this process
//!   right after every request that may have written (any method but GET/HEAD),
//!   before its response leaves, so the page a POST redirects to never shows what
//!   was there before it — without waiting for the notification;
//! - a summary read while an eviction happened is not kept, the cache is off
//!   whenever the listener is not connected, and an entry lives at most
//!   `YUNYING_HOME_CACHE_SECONDS` (default 5) in any case (see [`crate::cache`]);
//! - an entry serves only the role it was read for (level, department, admin
//!   flag); the ages of the queues are computed when the page is shown.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;

use super::Summary;
use crate::app::state::AppState;
use crate::cache::{Invalidated, TtlCache};
use crate::people::{Dept, Level};
use crate::web::CurrentUser;

/// The channel of migration 0014's triggers. Payload: the tenant id.
pub const CHANNEL: &str = "yunying_home";

/// Summaries kept at most (a few kB each).
const CAPACITY: usize = 2_000;

type Role = (Level, Dept, bool);

fn role(user: &CurrentUser) -> Role {
    (user.level, user.dept, user.tenant_admin)
}

#[derive(Clone)]
struct Entry {
    role: Role,
    summary: Arc<Summary>,
}

/// Home-page summaries by (tenant, user).
/// The key: (tenant, user, the dashboard's period as its query value).
pub struct HomeCache(TtlCache<(i64, i64, String), Entry>);

impl HomeCache {
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

    /// The summary last read for `user` in their current role and for `period`
    /// (the dashboard's, as its query value), if still usable.
    pub fn get(&self, user: &CurrentUser, period: &str) -> Option<Arc<Summary>> {
        let role = role(user);
        self.0.get(&(user.tenant_id, user.user_id, period.to_owned()), |e, _| e.role == role).map(|e| e.summary)
    }

    /// The generation to pass to [`insert`](Self::insert): read it BEFORE the
    /// transaction that reads the summary begins.
    pub fn generation(&self) -> u64 {
        self.0.generation()
    }

    pub fn insert(&self, user: &CurrentUser, period: &str, generation: u64, summary: Arc<Summary>) {
        let key = (user.tenant_id, user.user_id, period.to_owned());
        self.0.insert(key, generation, Entry { role: role(user), summary });
    }

    /// After a write to `tenant_id`'s data.
    pub fn evict_tenant(&self, tenant_id: i64) {
        self.0.evict_where(|(tenant, _, _), _| *tenant == tenant_id);
    }

    pub fn clear(&self) {
        self.0.clear();
    }

    /// Apply one notification payload (a tenant id); anything else — a write made
    /// without a tenant set — drops every summary.
    pub fn apply_notification(&self, payload: &str) {
        match payload.parse::<i64>() {
            Ok(tenant) => self.evict_tenant(tenant),
            Err(_) => self.clear(),
        }
    }
}

impl Invalidated for HomeCache {
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

/// Middleware (inside the session layer): after a request that may have written,
/// drop its tenant's summaries — every tenant's when nobody is signed in (a
/// login) — before the response is sent.
pub async fn forget_after_writes(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let tenant = req.extensions().get::<CurrentUser>().map(|u| u.tenant_id);
    let res = next.run(req).await;
    match tenant {
        Some(tenant_id) => state.home.evict_tenant(tenant_id),
        None => state.home.clear(),
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::people::tenants::TenantSettings;

    fn user(tenant_id: i64, user_id: i64, level: Level) -> CurrentUser {
        CurrentUser {
            tenant_id,
            tenant_code: "t".into(),
            tenant_name: "T".into(),
            settings: TenantSettings::default(),
            session_id: 1,
            user_id,
            username: "u".into(),
            display_name: "U".into(),
            level,
            dept: Dept::Ops,
            tenant_admin: false,
            employee_no: None,
            csrf_token: "c".into(),
            today: chrono::NaiveDate::default(),
        }
    }

    fn summary(n: i64) -> Arc<Summary> {
        Arc::new(Summary { activity: Vec::new(), user_counts: Some((n, 0)), queues: Vec::new(), dashboard: None })
    }

    const P: &str = "this_month";

    fn live() -> Arc<HomeCache> {
        let c = HomeCache::new(Duration::from_secs(60));
        c.set_live(true);
        c
    }

    fn counts(c: &HomeCache, u: &CurrentUser) -> Option<(i64, i64)> {
        c.get(u, P).and_then(|s| s.user_counts)
    }

    #[test]
    fn a_summary_serves_only_its_user_in_the_role_it_was_read_for() {
        let c = live();
        let manager = user(1, 7, Level::Manager);
        c.insert(&manager, P, c.generation(), summary(3));
        assert_eq!(counts(&c, &manager), Some((3, 0)));
        assert!(c.get(&manager, "last_month").is_none(), "another period");
        assert_eq!(counts(&c, &user(1, 8, Level::Manager)), None, "another user");
        assert_eq!(counts(&c, &user(2, 7, Level::Manager)), None, "the same id in another tenant");
        assert_eq!(counts(&c, &user(1, 7, Level::Director)), None, "promoted since");
        assert_eq!(counts(&c, &CurrentUser { tenant_admin: true, ..manager.clone() }), None);
        assert_eq!(counts(&c, &CurrentUser { dept: Dept::Sales, ..manager }), None);
    }

    #[test]
    fn notifications_drop_the_writers_tenant_or_everything() {
        let c = live();
        let (a, b, z) = (user(1, 7, Level::Manager), user(1, 8, Level::Director), user(2, 9, Level::Manager));
        for u in [&a, &b, &z] {
            c.insert(u, P, c.generation(), summary(u.user_id));
        }
        c.apply_notification("1");
        assert_eq!((counts(&c, &a), counts(&c, &b), counts(&c, &z)), (None, None, Some((9, 0))));
        c.apply_notification("");
        assert!(c.is_empty(), "a write without a tenant set drops every summary");
    }

    #[test]
    fn a_summary_read_across_a_write_is_not_kept() {
        let c = live();
        let u = user(1, 7, Level::Manager);
        let generation = c.generation();
        c.evict_tenant(2); // any write committed while the summary was being read
        c.insert(&u, P, generation, summary(1));
        assert!(c.get(&u, P).is_none());
    }
}
