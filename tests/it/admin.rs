//! Tenant administration: users and departments; the audit log page.

use crate::helpers::{spawn_app, two_tenants, Client, PASSWORD};
use yunying::db;
use yunying::people::{Dept, Level};

#[tokio::test]
async fn users_list_filters_and_paginates() {
    let app = spawn_app().await;
    let t = two_tenants(&app).await;
    for i in 0..55 {
        app.user(t.alpha, &format!("w{i:02}"), Dept::Warehouse, Level::Specialist, false).await;
    }
    let c = app.signed_in("alpha", "admin").await;
    let p = c.get("/admin/users?department=warehouse").await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains("共 55 条"), "{}", p.body);
    assert!(
        p.body.contains("href=\"/admin/users?department=warehouse&#38;page=2\""),
        "next-page link keeps the filter"
    );
    assert!(!p.body.contains(">测试director<"), "filtered by department");
    let p2 = c.get("/admin/users?department=warehouse&page=2").await;
    assert!(p2.body.contains("第 2 / 2 页"));
    assert_eq!(p2.body.matches("测试w").count(), 5);
    let p = c.get("/admin/users?level=director").await;
    assert!(p.body.contains("共 1 条"));
    let p = c.get("/admin/users?q=w1").await;
    assert!(p.body.contains("共 10 条"), "search by username");
    let p = c.get("/admin/users?q=nobody-like-this").await;
    assert!(p.body.contains("没有符合条件的用户"), "empty state");
}

#[tokio::test]
async fn create_user_validates_and_keeps_what_was_typed() {
    let app = spawn_app().await;
    let t = two_tenants(&app).await;
    let c = app.signed_in("alpha", "admin").await;
    let p = c
        .post_form(
            "/admin/users/new",
            "/admin/users",
            &[
                ("username", "Bad Name!"),
                ("display_name", "王小明"),
                ("department", "moon"),
                ("level", "specialist"),
                ("password", "123"),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("用户名为 1–64 位"));
    assert!(p.body.contains("请选择部门"));
    assert!(p.body.contains("密码至少 8 个字符"));
    assert!(p.body.contains("value=\"王小明\""), "typed name kept");
    assert!(p.body.contains("value=\"bad name!\""), "typed username kept");
    // Duplicate username.
    let p = c
        .post_form(
            "/admin/users/new",
            "/admin/users",
            &[
                ("username", "director"),
                ("display_name", "重名"),
                ("department", "ops"),
                ("level", "manager"),
                ("password", "new-pass-123"),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("该用户名已被使用"));
    // Success, then the new user can sign in; the audit row has the new values.
    let p = c
        .post_form(
            "/admin/users/new",
            "/admin/users",
            &[
                ("username", "xiaoming"),
                ("display_name", "王小明"),
                ("department", "sales"),
                ("level", "specialist"),
                ("employee_no", "E0042"),
                ("password", "new-pass-123"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let location = p.location().unwrap().to_owned();
    assert!(location.starts_with("/admin/users/"));
    let show = c.get(&location).await;
    assert!(show.body.contains("已创建用户 xiaoming"));
    assert!(show.body.contains("value=\"E0042\""));
    assert_eq!(app.client().login("alpha", "xiaoming", "new-pass-123").await.status, 303);
    let after: serde_json::Value = {
        let mut tx = db::begin_tenant(&app.db, t.alpha).await.unwrap();
        let v = sqlx::query_scalar("SELECT after FROM audit_log WHERE action = 'user.create'")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        v
    };
    assert_eq!(after["department"], "sales");
    assert_eq!(after["employee_no"], "E0042");
}

#[tokio::test]
async fn edit_level_and_department_is_audited_with_before_and_after() {
    let app = spawn_app().await;
    let t = two_tenants(&app).await;
    let c = app.signed_in("alpha", "admin").await;
    let path = format!("/admin/users/{}", t.alpha_specialist);
    let p =
        c.post_form(&path, &path, &[("display_name", "升职者"), ("department", "sales"), ("level", "manager")]).await;
    assert_eq!(p.status, 303, "{}", p.body);
    let (before, after): (serde_json::Value, serde_json::Value) = {
        let mut tx = db::begin_tenant(&app.db, t.alpha).await.unwrap();
        let v = sqlx::query_as("SELECT before, after FROM audit_log WHERE action = 'user.update'")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        v
    };
    assert_eq!((before["level"].as_str(), before["department"].as_str()), (Some("specialist"), Some("ops")));
    assert_eq!((after["level"].as_str(), after["department"].as_str()), (Some("manager"), Some("sales")));
    // The user's next page reflects the new role.
    let home = app.signed_in("alpha", "specialist").await.get("/").await;
    assert!(home.body.contains("销售部 · 经理"));
    // An admin cannot remove their own admin flag (no lock-out).
    let own = format!("/admin/users/{}", t.alpha_admin);
    let p = c.post_form(&own, &own, &[("display_name", "管理员"), ("department", "hr"), ("level", "manager")]).await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("不能取消自己的管理员权限"));
}

#[tokio::test]
async fn deactivation_is_confirmed_ends_sessions_and_is_reversible() {
    let app = spawn_app().await;
    let t = two_tenants(&app).await;
    let victim = app.signed_in("alpha", "specialist").await;
    let c = app.signed_in("alpha", "admin").await;
    let confirm = format!("/admin/users/{}/deactivate", t.alpha_specialist);
    let page = c.get(&confirm).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("确认停用"), "a confirmation page first");
    assert_eq!(victim.get("/").await.status, 200, "a GET changes nothing");
    let p = c.post_form(&confirm, &confirm, &[]).await;
    assert_eq!(p.status, 303);
    assert_eq!(victim.get("/").await.status, 303, "their session ended");
    // Deactivating again is a stale transition.
    let p = c.post_form("/admin/users", &confirm, &[]).await;
    assert_eq!(p.status, 409);
    assert!(p.body.contains("该用户已被停用"));
    let list = c.get("/admin/users?active=no").await;
    assert!(list.body.contains("共 1 条"));
    // Reactivate; they can sign in again.
    let p = c.post_form("/admin/users", &format!("/admin/users/{}/reactivate", t.alpha_specialist), &[]).await;
    assert_eq!(p.status, 303);
    assert_eq!(app.client().login("alpha", "specialist", PASSWORD).await.status, 303);
    // An admin cannot deactivate themselves.
    let own = format!("/admin/users/{}/deactivate", t.alpha_admin);
    let p = c.post_form("/admin/users", &own, &[]).await;
    assert_eq!(p.status, 303);
    assert!(c.get(&format!("/admin/users/{}", t.alpha_admin)).await.body.contains("不能停用自己的账号"));
    assert_eq!(c.get("/").await.status, 200, "still signed in");
    let actions = app
        .scalar_i64(t.alpha, "SELECT count(*) FROM audit_log WHERE action IN ('user.deactivate', 'user.reactivate')")
        .await;
    assert_eq!(actions, 2);
}

#[tokio::test]
async fn password_reset_by_admin_ends_the_users_sessions() {
    let app = spawn_app().await;
    let t = two_tenants(&app).await;
    let login = app.client().login("alpha", "specialist", PASSWORD).await;
    let token = Client::session_cookie(&login).unwrap();
    let c = app.signed_in("alpha", "admin").await;
    let path = format!("/admin/users/{}/password", t.alpha_specialist);
    let show = format!("/admin/users/{}", t.alpha_specialist);
    let p = c.post_form(&show, &path, &[("new_password", "reset-pass-9"), ("confirm_password", "typo")]).await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("两次输入的新密码不一致"));
    let p = c.post_form(&show, &path, &[("new_password", "reset-pass-9"), ("confirm_password", "reset-pass-9")]).await;
    assert_eq!(p.status, 303);
    assert_eq!(Client::with_cookie(&app.base, &token).get("/").await.status, 303);
    assert_eq!(app.client().login("alpha", "specialist", "reset-pass-9").await.status, 303);
}

#[tokio::test]
async fn departments_page_lists_the_seven_with_counts() {
    let app = spawn_app().await;
    let _t = two_tenants(&app).await;
    let c = app.signed_in("alpha", "admin").await;
    let p = c.get("/admin/departments").await;
    assert_eq!(p.status, 200);
    for name in ["运营部", "市场部", "销售部", "客服部", "仓储物流部", "人事部", "财务部"] {
        assert!(p.body.contains(name), "{name}");
    }
    // ops: director, manager, specialist are active.
    assert!(p.body.contains("<td><code>ops</code></td><td class=\"num\">3</td>"), "{}", p.body);
}

#[tokio::test]
async fn audit_page_filters_by_actor_action_and_date() {
    let app = spawn_app().await;
    let t = two_tenants(&app).await;
    let _ = app.client().login("alpha", "manager", "wrong-pass-1").await;
    let _ = app.signed_in("alpha", "manager").await;
    let d = app.signed_in("alpha", "director").await;
    let p = d.get("/audit").await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains("登录失败") && p.body.contains("登录成功"));
    let p = d.get("/audit?action=login.failure").await;
    assert!(p.body.contains("manager 登录失败：密码错误"));
    assert!(!p.body.contains("登录成功（IP"));
    let p = d.get("/audit?actor=director").await;
    assert!(!p.body.contains("测试manager（manager）"));
    assert!(p.body.contains("测试director（director）"));
    let p = d.get("/audit?from=2000-01-01&to=2000-01-31").await;
    assert!(p.body.contains("没有符合条件的记录"));
    // The day the logins above were recorded, in tenant time (read from their row,
    // not from the clock, which may have passed midnight since).
    let today = app
        .strings(
            t.alpha,
            "SELECT ((at AT TIME ZONE 'Asia/Shanghai')::date)::text FROM audit_log
             WHERE action = 'login.success' ORDER BY id DESC LIMIT 1",
        )
        .await
        .remove(0);
    let p = d.get(&format!("/audit?from={today}&to={today}")).await;
    assert!(p.body.contains("登录成功"));
    // Fixed days: the range is whole days in tenant time (Asia/Shanghai), so 23:30
    // and 00:30 an hour apart fall on two days.
    let mut tx = yunying::db::begin_tenant(&app.owner, t.alpha).await.unwrap();
    sqlx::query(
        "INSERT INTO audit_log (tenant_id, at, actor_name, action, summary) VALUES
         ($1, '2026-11-20 23:30:00+08', '系统', 'test.fixed', '固定日期甲'),
         ($1, '2026-11-21 00:30:00+08', '系统', 'test.fixed', '固定日期乙')",
    )
    .bind(t.alpha)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let p = d.get("/audit?from=2026-11-20&to=2026-11-20").await;
    assert!(p.body.contains("固定日期甲") && !p.body.contains("固定日期乙"), "{}", p.body);
    assert!(!p.body.contains("登录成功（IP"), "today's logins are not on a fixed past day");
    let p = d.get("/audit?from=2026-11-21&to=2026-11-21").await;
    assert!(!p.body.contains("固定日期甲") && p.body.contains("固定日期乙"), "{}", p.body);
    let p = d.get("/audit?from=2026-11-20&to=2026-11-21&action=test.fixed").await;
    assert!(p.body.contains("固定日期甲") && p.body.contains("固定日期乙"));
}
