//! Login, logout, password change and session expiry.

use crate::helpers::{spawn_app, two_tenants, Client, PASSWORD};
use yunying::db;

#[tokio::test]
async fn login_lands_on_the_home_page_of_that_user() {
    let app = spawn_app().await;
    let _t = two_tenants(&app).await;
    let c = app.client();
    let p = c.login(" ALPHA ", "Director", PASSWORD).await;
    assert_eq!(p.status, 303, "company and username are case-insensitive");
    assert_eq!(p.location(), Some("/"));
    let home = c.get("/").await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("您好，测试director"));
    assert!(home.body.contains("运营部 · 总监"));
    assert!(home.body.contains("alpha 公司"));
    // A signed-in user asking for the login page goes home.
    assert_eq!(c.get("/login").await.location(), Some("/"));
}

#[tokio::test]
async fn empty_login_fields_are_named_and_typed_values_kept() {
    let app = spawn_app().await;
    let c = app.client();
    let p = c.login("alpha", "somebody", "").await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("请填写公司代码、用户名和密码"));
    assert!(p.body.contains("value=\"somebody\""), "what was typed is kept");
    assert!(!p.body.contains("type=\"password\" value"), "the password is never echoed");
}

#[tokio::test]
async fn password_change_checks_the_current_password_and_ends_other_sessions() {
    let app = spawn_app().await;
    let t = two_tenants(&app).await;
    let laptop = app.signed_in("alpha", "specialist").await;
    let phone_login = app.client().login("alpha", "specialist", PASSWORD).await;
    let phone = Client::session_cookie(&phone_login).unwrap();
    // Wrong current password, mismatch, too short: the form again with messages.
    let p = laptop
        .post_form(
            "/account/password",
            "/account/password",
            &[("current_password", "nope-nope-1"), ("new_password", "short"), ("confirm_password", "other")],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("当前密码不正确"));
    assert!(p.body.contains("密码至少 8 个字符"));
    assert!(p.body.contains("两次输入的新密码不一致"));
    // Success.
    let p = laptop
        .post_form(
            "/account/password",
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "brand-new-pass-2"),
                ("confirm_password", "brand-new-pass-2"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let after = laptop.get("/account").await;
    assert_eq!(after.status, 200, "this session stays");
    assert!(after.body.contains("密码已修改"), "flash message shown");
    assert!(!laptop.get("/account").await.body.contains("密码已修改"), "flash shown once");
    assert_eq!(Client::with_cookie(&app.base, &phone).get("/").await.status, 303, "other sessions ended");
    assert_eq!(app.client().login("alpha", "specialist", PASSWORD).await.status, 200, "old password refused");
    assert_eq!(app.client().login("alpha", "specialist", "brand-new-pass-2").await.status, 303);
    assert_eq!(app.scalar_i64(t.alpha, "SELECT count(*) FROM audit_log WHERE action = 'password.change'").await, 1);
}

async fn age_session(app: &crate::helpers::TestApp, tenant: i64, sql: &str) {
    let mut tx = db::begin_tenant(&app.db, tenant).await.unwrap();
    sqlx::query(sql).execute(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn idle_sessions_expire_after_the_tenant_timeout() {
    let app = spawn_app().await;
    let t = two_tenants(&app).await;
    let c = app.signed_in("alpha", "director").await;
    age_session(&app, t.alpha, "UPDATE sessions SET last_seen_at = now() - interval '7 hours 59 minutes'").await;
    assert_eq!(c.get("/").await.status, 200, "within 8 hours of idleness");
    age_session(&app, t.alpha, "UPDATE sessions SET last_seen_at = now() - interval '8 hours 1 minute'").await;
    let p = c.get("/").await;
    assert_eq!(p.status, 303);
    assert_eq!(p.location(), Some("/login"));
    assert_eq!(app.scalar_i64(t.alpha, "SELECT count(*) FROM sessions").await, 0, "the expired session is deleted");
}

#[tokio::test]
async fn sessions_end_at_their_absolute_lifetime_even_when_active() {
    let app = spawn_app().await;
    let t = two_tenants(&app).await;
    let c = app.signed_in("alpha", "director").await;
    let days: i64 = app
        .scalar_i64(t.alpha, "SELECT round(extract(epoch FROM expires_at - created_at) / 86400)::bigint FROM sessions")
        .await;
    assert_eq!(days, 7, "default absolute lifetime");
    age_session(&app, t.alpha, "UPDATE sessions SET expires_at = now() - interval '1 second', last_seen_at = now()")
        .await;
    assert_eq!(c.get("/").await.status, 303);
}

#[tokio::test]
async fn tenant_settings_change_the_idle_timeout() {
    let app = spawn_app().await;
    let t = two_tenants(&app).await;
    let c = app.signed_in("alpha", "director").await;
    // The tenant may change its own settings row (and only its own).
    let mut tx = db::begin_tenant(&app.db, t.alpha).await.unwrap();
    let n = sqlx::query("UPDATE tenants SET settings = '{\"session_idle_minutes\": 30}'")
        .execute(&mut *tx)
        .await
        .unwrap()
        .rows_affected();
    tx.commit().await.unwrap();
    assert_eq!(n, 1, "row-level security limits the update to alpha's row");
    age_session(&app, t.alpha, "UPDATE sessions SET last_seen_at = now() - interval '31 minutes'").await;
    assert_eq!(c.get("/").await.status, 303);
}
