//! Security behaviour: login failures, throttling, CSRF, sessions, cookies,
//! headers, roles and tenant isolation.

use crate::helpers::{spawn_app, spawn_app_with, two_tenants, Client, PASSWORD};
use yunying::config::Settings;

/// Remove the typed company and username from a login page, so pages for
/// different inputs can be compared byte for byte.
fn normalise_login(body: &str, company: &str, username: &str) -> String {
    body.replace(&format!("value=\"{company}\""), "value=\"C\"")
        .replace(&format!("value=\"{username}\""), "value=\"U\"")
}

#[tokio::test]
async fn every_kind_of_login_failure_gives_the_same_page() {
    let app = spawn_app().await;
    let t = two_tenants(&app).await;
    let inactive =
        app.user(t.alpha, "gone", yunying::people::Dept::Ops, yunying::people::Level::Specialist, false).await;
    sqlx::query("UPDATE users SET is_active = false WHERE id = $1").bind(inactive).execute(&app.owner).await.ok();
    // The owner is subject to forced RLS: deactivate through a tenant transaction.
    let mut tx = yunying::db::begin_tenant(&app.db, t.alpha).await.unwrap();
    sqlx::query("UPDATE users SET is_active = false WHERE tenant_id = $1 AND id = $2")
        .bind(t.alpha)
        .bind(inactive)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let c = app.client();
    let cases = [
        ("nosuchco", "director", PASSWORD),    // unknown company
        ("alpha", "nobody", PASSWORD),         // unknown user
        ("alpha", "director", "wrong-pass-1"), // wrong password
        ("alpha", "gone", PASSWORD),           // inactive user
    ];
    let mut pages = Vec::new();
    for (company, username, password) in cases {
        let page = c.login(company, username, password).await;
        assert_eq!(page.status, 200, "{company}/{username}");
        assert!(page.body.contains("公司代码、用户名或密码不正确，或账号已停用。"), "{}", page.body);
        assert!(Client::session_cookie(&page).is_none(), "no session for a failed login");
        pages.push(normalise_login(&page.body, company, username));
    }
    for p in &pages[1..] {
        assert_eq!(p, &pages[0], "login failure pages must not tell the cases apart");
    }
    // The right password of an active user still works from the same client.
    assert_eq!(c.login("alpha", "director", PASSWORD).await.status, 303);
    // Every attempt against a known company is in its audit log.
    let failures = app.scalar_i64(t.alpha, "SELECT count(*) FROM audit_log WHERE action = 'login.failure'").await;
    assert_eq!(failures, 3);
    let successes = app.scalar_i64(t.alpha, "SELECT count(*) FROM audit_log WHERE action = 'login.success'").await;
    assert_eq!(successes, 1);
}

#[tokio::test]
async fn five_failures_lock_one_account_for_the_window_only() {
    let app = spawn_app().await;
    let _t = two_tenants(&app).await;
    let c = app.client();
    for i in 0..5 {
        let p = c.login("alpha", "director", "wrong-pass-1").await;
        assert_eq!(p.status, 200, "failure {i} is an ordinary failure");
    }
    // Refused even with the right password.
    let p = c.login("alpha", "director", PASSWORD).await;
    assert_eq!(p.status, 429);
    assert!(p.body.contains("登录失败次数过多"));
    assert!(Client::session_cookie(&p).is_none());
    // Username case and spaces do not get around it.
    assert_eq!(c.login("ALPHA", " Director ", PASSWORD).await.status, 429);
    // Another account, and the same username in another company, are unaffected.
    assert_eq!(app.client().login("alpha", "manager", PASSWORD).await.status, 303);
    assert_eq!(app.client().login("beta", "director", PASSWORD).await.status, 303);
    let throttled = app.scalar_i64(_t.alpha, "SELECT count(*) FROM audit_log WHERE action = 'login.throttled'").await;
    assert_eq!(throttled, 2);
    // When the window has passed, the right password works again.
    sqlx::query("UPDATE login_attempts SET at = at - interval '16 minutes'").execute(&app.owner).await.unwrap();
    assert_eq!(app.client().login("alpha", "director", PASSWORD).await.status, 303);
}

#[tokio::test]
async fn password_spraying_from_one_ip_is_throttled() {
    let app = spawn_app().await;
    let _t = two_tenants(&app).await;
    let c = app.client();
    for i in 0..yunying::auth::throttle::IP_LIMIT {
        // A different account each time: no per-account limit is reached.
        let p = c.login("alpha", &format!("user{i}"), "spray-pass-1").await;
        assert_eq!(p.status, 200);
    }
    let p = c.login("alpha", "director", PASSWORD).await;
    assert_eq!(p.status, 429, "the per-IP limit applies to every account from that IP");
}

async fn user_count(app: &crate::helpers::TestApp, tenant: i64) -> i64 {
    app.scalar_i64(tenant, "SELECT count(*) FROM users").await
}

#[tokio::test]
async fn csrf_missing_forged_or_cross_site_is_403_and_changes_nothing() {
    let app = spawn_app().await;
    let t = two_tenants(&app).await;
    let admin = app.signed_in("alpha", "admin").await;
    let token = admin.get("/admin/users/new").await.csrf();
    let before = user_count(&app, t.alpha).await;
    // Signed in before the snapshot (a login is audited).
    let other = app.signed_in("alpha", "director").await;
    let unchanged = app.snapshot(t.alpha, "users", t.alpha_specialist).await;
    let fields = |tok: &'static str| {
        vec![
            ("username", "newbie"),
            ("display_name", "新人"),
            ("department", "ops"),
            ("level", "specialist"),
            ("password", "new-user-pass-1"),
            ("csrf_token", tok),
        ]
    };
    let no_token: Vec<(&str, &str)> = fields("").into_iter().filter(|(k, _)| *k != "csrf_token").collect();
    let p = admin.post_raw("/admin/users", &no_token, &[]).await;
    assert_eq!(p.status, 403, "missing token");
    let p = admin.post_raw("/admin/users", &fields("forged-token-value"), &[]).await;
    assert_eq!(p.status, 403, "forged token");
    // A token from another session is not this session's token.
    let other_token = other.get("/account").await.csrf();
    let mut with_other: Vec<(&str, &str)> = no_token.clone();
    with_other.push(("csrf_token", &other_token));
    assert_eq!(admin.post_raw("/admin/users", &with_other, &[]).await.status, 403, "another session's token");
    // The right token, but sent cross-site.
    let mut good: Vec<(&str, &str)> = no_token.clone();
    good.push(("csrf_token", &token));
    let p = admin.post_raw("/admin/users", &good, &[("origin", "http://evil.example")]).await;
    assert_eq!(p.status, 403, "foreign Origin");
    let p = admin.post_raw("/admin/users", &good, &[("sec-fetch-site", "cross-site")]).await;
    assert_eq!(p.status, 403, "Sec-Fetch-Site: cross-site");
    assert!(p.body.contains("表单已失效或来源不可信"), "a clear page: {}", p.body);
    assert_eq!(user_count(&app, t.alpha).await, before, "nothing was written");
    app.assert_unchanged(&unchanged, "user creation with a bad token or cross-site").await;
    // A change to an existing record, with a forged token or cross-site: refused too.
    let deactivate = format!("/admin/users/{}/deactivate", t.alpha_specialist);
    let p = admin.post_raw(&deactivate, &[("csrf_token", "forged-token-value")], &[]).await;
    assert_eq!(p.status, 403, "forged token");
    let p = admin.post_raw(&deactivate, &[("csrf_token", &token)], &[("origin", "http://evil.example")]).await;
    assert_eq!(p.status, 403, "foreign Origin");
    app.assert_unchanged(&unchanged, "a deactivation with a forged token or cross-site").await;
    // The control: same request from this site goes through.
    let origin = app.base.clone();
    let p = admin.post_raw("/admin/users", &good, &[("origin", &origin), ("sec-fetch-site", "same-origin")]).await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(user_count(&app, t.alpha).await, before + 1);
}

#[tokio::test]
async fn login_form_is_csrf_protected_too() {
    let app = spawn_app().await;
    let t = two_tenants(&app).await;
    let director = {
        let mut tx = yunying::db::begin_tenant(&app.db, t.alpha).await.unwrap();
        let id: i64 =
            sqlx::query_scalar("SELECT id FROM users WHERE username = 'director'").fetch_one(&mut *tx).await.unwrap();
        tx.commit().await.unwrap();
        id
    };
    let before = app.snapshot(t.alpha, "users", director).await;
    let c = app.client();
    c.get("/login").await;
    let p = c
        .post_raw(
            "/login",
            &[("company", "alpha"), ("username", "director"), ("password", PASSWORD), ("csrf_token", "guess")],
            &[],
        )
        .await;
    assert_eq!(p.status, 403);
    assert!(Client::session_cookie(&p).is_none());
    let sessions = app.scalar_i64(t.alpha, "SELECT count(*) FROM sessions").await;
    assert_eq!(sessions, 0, "no session was created");
    app.assert_unchanged(&before, "a login with a guessed token").await;
}

#[tokio::test]
async fn session_id_changes_at_login_and_old_ones_stop_working() {
    let app = spawn_app().await;
    let _t = two_tenants(&app).await;
    // A browser that already holds a session (say, one planted by an attacker)…
    let first = app.client().login("alpha", "director", PASSWORD).await;
    let planted = Client::session_cookie(&first).expect("session cookie");
    let planted_csrf = csrf_of(&app.base, &planted).await;
    // …fetches the login form anonymously and signs in, still sending that cookie.
    let raw = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let form = raw.get(format!("{}/login", app.base)).send().await.unwrap();
    let pre = form
        .headers()
        .get_all("set-cookie")
        .iter()
        .find_map(|v| v.to_str().ok()?.strip_prefix("yy_csrf=").map(|r| r.split(';').next().unwrap_or("").to_owned()))
        .expect("pre-session cookie");
    let token = crate::helpers::csrf_from(&form.text().await.unwrap());
    let res = raw
        .post(format!("{}/login", app.base))
        .header("cookie", format!("yy_csrf={pre}; yy_session={planted}"))
        .form(&[("company", "alpha"), ("username", "director"), ("password", PASSWORD), ("csrf_token", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    let fresh = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .find_map(|v| {
            v.to_str().ok()?.strip_prefix("yy_session=").map(|r| r.split(';').next().unwrap_or("").to_owned())
        })
        .expect("a new session cookie");
    assert_ne!(fresh, planted, "the session id changes at login");
    let replay = Client::with_cookie(&app.base, &planted).get("/").await;
    assert_eq!(replay.status, 303, "the session presented at login was ended");
    assert_eq!(replay.location(), Some("/login"));
    assert_eq!(Client::with_cookie(&app.base, &fresh).get("/").await.status, 200);
    assert_ne!(csrf_of(&app.base, &fresh).await, planted_csrf, "the CSRF token is renewed at login");
}

async fn csrf_of(base: &str, session: &str) -> String {
    Client::with_cookie(base, session).get("/account").await.csrf()
}

#[tokio::test]
async fn cookie_replayed_after_logout_is_refused() {
    let app = spawn_app().await;
    let t = two_tenants(&app).await;
    let c = app.client();
    let login = c.login("alpha", "director", PASSWORD).await;
    let token = Client::session_cookie(&login).expect("cookie");
    let p = c.post_form("/", "/logout", &[]).await;
    assert_eq!(p.status, 303);
    assert_eq!(p.location(), Some("/login"));
    assert!(p.set_cookies().iter().any(|c| c.starts_with("yy_session=;") && c.contains("Max-Age=0")));
    let replay = Client::with_cookie(&app.base, &token).get("/").await;
    assert_eq!(replay.status, 303, "the session ended on the server");
    assert_eq!(app.scalar_i64(t.alpha, "SELECT count(*) FROM audit_log WHERE action = 'logout'").await, 1);
}

#[tokio::test]
async fn cookie_replayed_after_deactivation_is_refused() {
    let app = spawn_app().await;
    let t = two_tenants(&app).await;
    let victim = app.client();
    let login = victim.login("alpha", "specialist", PASSWORD).await;
    let token = Client::session_cookie(&login).expect("cookie");
    assert_eq!(victim.get("/").await.status, 200);
    let admin = app.signed_in("alpha", "admin").await;
    let path = format!("/admin/users/{}/deactivate", t.alpha_specialist);
    let p = admin.post_form(&path, &path, &[]).await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(Client::with_cookie(&app.base, &token).get("/").await.status, 303);
    assert_eq!(victim.login("alpha", "specialist", PASSWORD).await.status, 200, "cannot log in either");
}

#[tokio::test]
async fn cookie_flags_over_http_and_https() {
    let app = spawn_app().await;
    let _t = two_tenants(&app).await;
    let p = app.client().login("alpha", "director", PASSWORD).await;
    let cookie = p.set_cookies().into_iter().find(|c| c.starts_with("yy_session=")).expect("cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http: {cookie}");
    assert!(p.headers.get("strict-transport-security").is_none());
    assert_eq!(Client::session_cookie(&p).map(|t| t.len()), Some(43), "256-bit token");

    let mut settings = Settings::for_tests();
    settings.public_url = Some("https://ops.example.com".into());
    let app = spawn_app_with(settings).await;
    let _t = two_tenants(&app).await;
    let c = app.client();
    let token = c.get("/login").await.csrf();
    let p = c
        .post_raw(
            "/login",
            &[("company", "alpha"), ("username", "director"), ("password", PASSWORD), ("csrf_token", &token)],
            &[],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let cookie = p.set_cookies().into_iter().find(|c| c.starts_with("__Host-yy_session=")).expect("https cookie name");
    assert!(cookie.contains("; Secure") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(p.headers.get("strict-transport-security").is_some());
    let login_page = app.client().get("/login").await;
    let pre = login_page.set_cookies().join("\n");
    assert!(pre.contains("Secure"), "{pre}");
    assert!(login_page.headers.get("strict-transport-security").is_some());
    let set = yunying::auth::session::set_cookie(&app.settings, "t");
    assert!(set.starts_with("__Host-yy_session=t;") && set.contains("; Secure") && set.contains("HttpOnly"));
}

fn assert_security_headers(p: &crate::helpers::Page, what: &str) {
    let h = |n: &str| p.headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert_eq!(
        h("content-security-policy"),
        "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
        "{what}"
    );
    assert_eq!(h("x-content-type-options"), "nosniff", "{what}");
    assert!(!h("referrer-policy").is_empty(), "{what}");
    assert!(!h("x-request-id").is_empty(), "{what}");
}

#[tokio::test]
async fn security_headers_on_200_404_and_500() {
    let app = spawn_app().await;
    let t = two_tenants(&app).await;
    let c = app.signed_in("alpha", "director").await;
    let ok = c.get("/").await;
    assert_eq!(ok.status, 200);
    assert_security_headers(&ok, "200");
    let missing = c.get("/no/such/page").await;
    assert_eq!(missing.status, 404);
    assert_security_headers(&missing, "404");
    assert!(missing.body.contains("页面不存在"));
    let request_id = missing.headers.get("x-request-id").unwrap().to_str().unwrap().to_owned();
    assert!(missing.body.contains(&request_id), "the error page shows the request id");
    // Break the database under the home page to get a 500.
    let mut tx = yunying::db::begin_tenant(&app.owner, t.alpha).await.unwrap();
    sqlx::query("ALTER TABLE audit_log RENAME TO audit_log_moved").execute(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();
    let broken = c.get("/").await;
    assert_eq!(broken.status, 500);
    assert_security_headers(&broken, "500");
    assert!(broken.body.contains("系统错误"));
    let request_id = broken.headers.get("x-request-id").unwrap().to_str().unwrap();
    assert!(broken.body.contains(request_id));
    assert!(!broken.body.contains("audit_log"), "nothing internal leaks: {}", broken.body);
    assert!(!broken.body.to_lowercase().contains("relation"), "{}", broken.body);
}

#[tokio::test]
async fn wrong_role_gets_403() {
    let app = spawn_app().await;
    let t = two_tenants(&app).await;
    let specialist = app.signed_in("alpha", "specialist").await;
    for path in ["/admin/users", "/admin/users/new", "/admin/departments", "/audit"] {
        let p = specialist.get(path).await;
        assert_eq!(p.status, 403, "{path}");
        assert!(p.body.contains("没有权限"), "{path}");
    }
    let director = app.signed_in("alpha", "director").await;
    assert_eq!(director.get("/admin/users").await.status, 403, "directors are not tenant admins");
    assert_eq!(director.get("/audit").await.status, 200);
    let manager = app.signed_in("alpha", "manager").await;
    assert_eq!(manager.get("/audit").await.status, 403);
    // POSTs too, with a valid token: nothing is created.
    let before = app.snapshot(t.alpha, "users", t.alpha_specialist).await;
    let p = specialist
        .post_form(
            "/account",
            "/admin/users",
            &[
                ("username", "x1"),
                ("display_name", "X"),
                ("department", "ops"),
                ("level", "specialist"),
                ("password", "pass-word-1"),
            ],
        )
        .await;
    assert_eq!(p.status, 403);
    app.assert_unchanged(&before, "a user created by a specialist").await;
}

#[tokio::test]
async fn another_tenants_user_is_404_in_admin_pages() {
    let app = spawn_app().await;
    let t = two_tenants(&app).await;
    let admin = app.signed_in("alpha", "admin").await;
    let foreign = t.beta_specialist;
    let before = app.snapshot(t.beta, "users", foreign).await;
    let alpha_before = app.snapshot(t.alpha, "users", t.alpha_admin).await;
    assert_eq!(admin.get(&format!("/admin/users/{foreign}")).await.status, 404);
    assert_eq!(admin.get(&format!("/admin/users/{foreign}/deactivate")).await.status, 404);
    let p = admin.post_form("/admin/users", &format!("/admin/users/{foreign}/deactivate"), &[]).await;
    assert_eq!(p.status, 404);
    let p = admin
        .post_form(
            "/admin/users",
            &format!("/admin/users/{foreign}"),
            &[("display_name", "改名"), ("department", "hr"), ("level", "director")],
        )
        .await;
    assert_eq!(p.status, 404);
    let p = admin
        .post_form(
            "/admin/users",
            &format!("/admin/users/{foreign}/password"),
            &[("new_password", "taken-over-1"), ("confirm_password", "taken-over-1")],
        )
        .await;
    assert_eq!(p.status, 404);
    app.assert_unchanged(&before, "changes to another tenant's user").await;
    app.assert_unchanged(&alpha_before, "changes to another tenant's user").await;
    // Beta's user is untouched and can still log in with the old password.
    assert_eq!(app.client().login("beta", "specialist", PASSWORD).await.status, 303);
    let level: String = {
        let mut tx = yunying::db::begin_tenant(&app.db, t.beta).await.unwrap();
        let l = sqlx::query_scalar("SELECT level FROM users WHERE id = $1")
            .bind(foreign)
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        l
    };
    assert_eq!(level, "specialist");
    // Alpha's admin list never shows beta's users.
    let list = admin.get("/admin/users").await;
    assert!(list.body.contains(&format!("href=\"/admin/users/{}\"", t.alpha_specialist)));
    assert!(!list.body.contains(&format!("href=\"/admin/users/{}\"", t.beta_admin)));
    assert!(!list.body.contains(&format!("href=\"/admin/users/{foreign}\"")));
}

#[tokio::test]
async fn extra_fields_on_the_profile_form_are_ignored() {
    let app = spawn_app().await;
    let t = two_tenants(&app).await;
    let c = app.signed_in("alpha", "specialist").await;
    let beta = t.beta.to_string();
    let p = c
        .post_form(
            "/account",
            "/account",
            &[
                ("display_name", "新名字"),
                ("tenant_id", &beta),
                ("level", "director"),
                ("department", "hr"),
                ("is_tenant_admin", "on"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let row: (String, String, String, bool, i64) = {
        let mut tx = yunying::db::begin_tenant(&app.db, t.alpha).await.unwrap();
        let r = sqlx::query_as(
            "SELECT display_name, level, department, is_tenant_admin, tenant_id FROM users WHERE id = $1",
        )
        .bind(t.alpha_specialist)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
        tx.commit().await.unwrap();
        r
    };
    assert_eq!(row, ("新名字".into(), "specialist".into(), "ops".into(), false, t.alpha));
    assert_eq!(c.get("/admin/users").await.status, 403, "still not an admin");
}

#[tokio::test]
async fn anonymous_requests_are_sent_to_login() {
    let app = spawn_app().await;
    let c = app.client();
    for path in ["/", "/admin/users", "/audit", "/account"] {
        let p = c.get(path).await;
        assert_eq!(p.status, 303, "{path}");
        assert_eq!(p.location(), Some("/login"), "{path}");
    }
    // An anonymous POST does nothing either.
    let p = c.post_raw("/admin/users", &[("username", "x")], &[]).await;
    assert_eq!(p.status, 303);
}

#[tokio::test]
async fn multipart_uploads_are_csrf_checked_by_their_form_field() {
    let app = spawn_app().await;
    let t = two_tenants(&app).await;
    let c = app.signed_in("alpha", "director").await;
    let token = c.get("/account").await.csrf();
    let director = {
        let mut tx = yunying::db::begin_tenant(&app.db, t.alpha).await.unwrap();
        let id: i64 =
            sqlx::query_scalar("SELECT id FROM users WHERE username = 'director'").fetch_one(&mut *tx).await.unwrap();
        tx.commit().await.unwrap();
        id
    };
    let before = app.snapshot(t.alpha, "users", director).await;
    let send = |tok: String| {
        let form = reqwest::multipart::Form::new()
            .text("csrf_token", tok)
            .part("file", reqwest::multipart::Part::bytes(b"a,b\n1,2\n".to_vec()).file_name("x.csv"));
        c.http.post(format!("{}/account", app.base)).multipart(form).send()
    };
    let forged = send("forged".into()).await.unwrap();
    assert_eq!(forged.status().as_u16(), 403);
    app.assert_unchanged(&before, "a multipart POST with a forged token").await;
    let right = send(token).await.unwrap();
    // The token passes; the profile handler itself only takes URL-encoded forms.
    assert_eq!(right.status().as_u16(), 415);
}
