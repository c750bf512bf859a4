//! The in-process session cache (`auth::session_cache`) never outlives a change:
//! with it on, logout, deactivation and role edits take effect on the very next
//! request, and changes made outside this process reach it through NOTIFY.

use std::time::Duration;

use crate::helpers::{spawn_app_with, two_tenants, Client, TestApp, PASSWORD};
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

#[tokio::test]
async fn cached_sessions_serve_and_end_at_logout() {
    let app = app_with_cache(60).await;
    let _t = two_tenants(&app).await;
    let c = app.client();
    let token = Client::session_cookie(&c.login("alpha", "director", PASSWORD).await).expect("cookie");
    assert_eq!(c.get("/").await.status, 200);
    assert_eq!(app.sessions.len(), 1, "the session was cached");
    // Served from the cache: the row is read once, not per request.
    assert_eq!(c.get("/account").await.status, 200);
    let p = c.post_form("/", "/logout", &[]).await;
    assert_eq!(p.status, 303);
    assert_eq!(Client::with_cookie(&app.base, &token).get("/").await.status, 303, "ended at once despite the cache");
}

#[tokio::test]
async fn deactivation_and_role_edits_take_effect_on_the_next_request() {
    let app = app_with_cache(60).await;
    let t = two_tenants(&app).await;
    let victim = app.client();
    let token = Client::session_cookie(&victim.login("alpha", "specialist", PASSWORD).await).expect("cookie");
    assert_eq!(victim.get("/leave/approvals").await.status, 403, "specialists approve no leave");
    let admin = app.signed_in("alpha", "admin").await;
    // Promotion to manager: the cached role must not linger.
    let path = format!("/admin/users/{}", t.alpha_specialist);
    let p =
        admin.post_form(&path, &path, &[("display_name", "升职者"), ("department", "ops"), ("level", "manager")]).await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(victim.get("/leave/approvals").await.status, 200, "the new role applies at once");
    // Deactivation ends the session at once.
    let path = format!("/admin/users/{}/deactivate", t.alpha_specialist);
    assert_eq!(admin.post_form(&path, &path, &[]).await.status, 303);
    assert_eq!(Client::with_cookie(&app.base, &token).get("/").await.status, 303);
}

#[tokio::test]
async fn changes_made_elsewhere_arrive_through_notify() {
    // A minute-long cache: only the notification can explain a prompt refusal.
    let app = app_with_cache(60).await;
    let t = two_tenants(&app).await;
    let c = app.signed_in("alpha", "specialist").await;
    assert_eq!(c.get("/").await.status, 200);
    assert_eq!(app.sessions.len(), 1);
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
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(app.sessions.len(), 1, "no notification for last_login_at");
}
