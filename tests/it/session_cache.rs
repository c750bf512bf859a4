//! The in-process session cache (`auth::session_cache`) never outlives a change:
//! with it on, logout, deactivation and role edits take effect on the very next
//! request, and changes made outside this process reach it through NOTIFY.

use std::time::Duration;

use crate::helpers::{spawn_app_with, two_tenants, Client, TestApp, TwoTenants, PASSWORD};
use yunying::config::Settings;

async fn app_with_cache(seconds: u64) -> TestApp {
    let app = spawn_app_with(Settings { session_cache_seconds: seconds, ..Settings::for_tests() }).await;
    // The cache turns on once its listener is connected.
    for _ in 0..200 {
        if app.sessions.enabled() {
            return app;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the session cache did not come on");
}

/// From now on, count the database's session lookups: `app.session_lookup` (the
/// one read of a session row per uncached request, `auth::session::lookup_hash`)
/// is renamed and replaced, in this test's database only, by a wrapper of the same
/// signature that bumps a sequence (not rolled back with anything) and calls it.
async fn count_lookups(app: &TestApp) {
    for sql in [
        "CREATE SEQUENCE app.test_session_lookups",
        "GRANT USAGE ON SEQUENCE app.test_session_lookups TO yunying_app",
        "ALTER FUNCTION app.session_lookup(bytea) RENAME TO session_lookup_counted",
        "CREATE FUNCTION app.session_lookup(p_token_hash bytea)
         RETURNS TABLE (
             tenant_id bigint, session_id bigint, user_id bigint, csrf_token text,
             last_seen_at timestamptz, expires_at timestamptz,
             username text, display_name text, level text, department text,
             is_tenant_admin boolean, is_active boolean, employee_no text,
             tenant_code text, tenant_name text, settings jsonb)
         LANGUAGE plpgsql VOLATILE SECURITY INVOKER
         AS $$
         BEGIN
             PERFORM nextval('app.test_session_lookups');
             RETURN QUERY SELECT * FROM app.session_lookup_counted(p_token_hash);
         END
         $$",
        "REVOKE ALL ON FUNCTION app.session_lookup(bytea) FROM PUBLIC",
        "GRANT EXECUTE ON FUNCTION app.session_lookup(bytea) TO yunying_app",
    ] {
        sqlx::query(sql).execute(&app.owner).await.unwrap();
    }
}

/// Session lookups since [`count_lookups`].
async fn lookups(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM app.test_session_lookups")
        .fetch_one(&app.owner)
        .await
        .unwrap()
}

/// Whether the cache holds a usable entry for this session token.
fn cached(app: &TestApp, token: &str) -> bool {
    app.sessions.get(&yunying::auth::session::token_hash(token), chrono::Utc::now(), 60).is_some()
}

/// A session of beta's specialist, cached only while [`notifications_caught_up`]
/// runs, whose eviction marks a sentinel notification as applied.
struct Canary {
    client: Client,
    token: String,
    payload: String,
}

async fn canary(app: &TestApp, t: &TwoTenants) -> Canary {
    let client = app.client();
    let token = Client::session_cookie(&client.login("beta", "specialist", PASSWORD).await).expect("cookie");
    Canary { client, token, payload: format!("{}:{}", t.beta, t.beta_specialist) }
}

/// Wait (at most 5 s) until the cache has applied a notification sent now: the
/// canary's session is cached, a notification for its user alone is sent, and its
/// entry goes when that notification is applied. The listener gets notifications
/// in commit order: by then every notification of a transaction committed before
/// has been applied too, so an entry still cached was evicted by none of them (a
/// late one is not mistaken for none).
async fn notifications_caught_up(app: &TestApp, canary: &Canary) {
    for _ in 0..500 {
        assert_eq!(canary.client.get("/").await.status, 200, "the canary is signed in");
        if cached(app, &canary.token) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(cached(app, &canary.token), "the canary's session is cached");
    sqlx::query("SELECT pg_notify('yunying_sessions', $1)").bind(&canary.payload).execute(&app.owner).await.unwrap();
    for _ in 0..500 {
        if !cached(app, &canary.token) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the sentinel notification was not applied within 5 s");
}

#[tokio::test]
async fn cached_sessions_serve_and_end_at_logout() {
    let app = app_with_cache(60).await;
    count_lookups(&app).await;
    let t = two_tenants(&app).await;
    let canary = canary(&app, &t).await;
    let c = app.client();
    let token = Client::session_cookie(&c.login("alpha", "director", PASSWORD).await).expect("cookie");
    // The setup's notifications (new users) are in: none can drop the entry below.
    notifications_caught_up(&app, &canary).await;
    let signed_in = lookups(&app).await;
    assert_eq!(c.get("/").await.status, 200);
    assert_eq!(app.sessions.len(), 1, "the session was cached");
    assert_eq!(lookups(&app).await, signed_in + 1, "the first request read the session");
    // Served from the cache: the row is read once, not per request.
    assert_eq!(c.get("/account").await.status, 200);
    assert_eq!(c.get("/").await.status, 200);
    assert_eq!(c.get("/account").await.status, 200);
    assert_eq!(lookups(&app).await, signed_in + 1, "three more requests, no more lookups");
    let p = c.post_form("/", "/logout", &[]).await;
    assert_eq!(p.status, 303);
    assert_eq!(Client::with_cookie(&app.base, &token).get("/").await.status, 303, "ended at once despite the cache");
}

#[tokio::test]
async fn deactivation_and_role_edits_take_effect_on_the_next_request() {
    let app = app_with_cache(60).await;
    count_lookups(&app).await;
    let t = two_tenants(&app).await;
    let victim = app.client();
    let token = Client::session_cookie(&victim.login("alpha", "specialist", PASSWORD).await).expect("cookie");
    let admin = app.signed_in("alpha", "admin").await;
    assert_eq!(admin.get("/").await.status, 200);
    let canary = canary(&app, &t).await;
    notifications_caught_up(&app, &canary).await;
    assert_eq!(victim.get("/leave/approvals").await.status, 403, "specialists approve no leave");
    // The victim's session is cached: what follows is not merely an uncached read.
    let cached = lookups(&app).await;
    assert_eq!(victim.get("/leave/approvals").await.status, 403);
    assert_eq!(lookups(&app).await, cached, "served from the cache");
    // Promotion to manager: the cached role must not linger.
    let path = format!("/admin/users/{}", t.alpha_specialist);
    let p =
        admin.post_form(&path, &path, &[("display_name", "升职者"), ("department", "ops"), ("level", "manager")]).await;
    assert_eq!(p.status, 303, "{}", p.body);
    let promoted = lookups(&app).await;
    assert_eq!(victim.get("/leave/approvals").await.status, 200, "the new role applies at once");
    assert_eq!(lookups(&app).await, promoted + 1, "the evicted session was read again");
    // Deactivation ends the session at once.
    let path = format!("/admin/users/{}/deactivate", t.alpha_specialist);
    assert_eq!(admin.post_form(&path, &path, &[]).await.status, 303);
    assert_eq!(Client::with_cookie(&app.base, &token).get("/").await.status, 303);
}

#[tokio::test]
async fn changes_made_elsewhere_arrive_through_notify() {
    // A minute-long cache: only the notification can explain a prompt refusal.
    let app = app_with_cache(60).await;
    count_lookups(&app).await;
    let t = two_tenants(&app).await;
    let c = app.signed_in("alpha", "specialist").await;
    let canary = canary(&app, &t).await;
    notifications_caught_up(&app, &canary).await;
    assert_eq!(c.get("/").await.status, 200);
    assert_eq!(app.sessions.len(), 1);
    // Cached: a request now is answered without reading the database.
    let cached = lookups(&app).await;
    assert_eq!(c.get("/").await.status, 200);
    assert_eq!(lookups(&app).await, cached, "served from the cache");
    // "Another instance" (here: plain SQL on the owner's connection) deactivates the user.
    let mut tx = yunying::db::begin_tenant(&app.owner, t.alpha).await.unwrap();
    let updated = sqlx::query("UPDATE users SET is_active = false WHERE tenant_id = $1 AND id = $2")
        .bind(t.alpha)
        .bind(t.alpha_specialist)
        .execute(&mut *tx)
        .await
        .unwrap();
    assert_eq!(updated.rows_affected(), 1);
    tx.commit().await.unwrap();
    let mut status = 200;
    for _ in 0..100 {
        status = c.get("/").await.status;
        if status != 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(status, 303, "refused within two seconds, long before the cache entry's minute is up");
    // A login touches users.last_login_at, which no cached session depends on: the
    // director's cached session survives the director signing in elsewhere.
    let other = app.signed_in("alpha", "director").await;
    assert_eq!(other.get("/").await.status, 200);
    assert_eq!(app.sessions.len(), 1);
    let _elsewhere = app.signed_in("alpha", "director").await;
    // Not a pause that a slow notification could outlast: every notification of the
    // second login's commit has been applied once the sentinel sent after it is.
    notifications_caught_up(&app, &canary).await;
    assert_eq!(app.sessions.len(), 1, "no notification for last_login_at");
    let cached = lookups(&app).await;
    assert_eq!(other.get("/").await.status, 200);
    assert_eq!(lookups(&app).await, cached, "the director's entry is the one still cached");
}
