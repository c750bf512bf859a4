//! Pages by role, health endpoints, error pages.

use crate::helpers::{spawn_app, two_tenants};
use yunying::people::{Dept, Level};

#[tokio::test]
async fn health_endpoints() {
    let app = spawn_app().await;
    let c = app.client();
    let h = c.get("/healthz").await;
    assert_eq!((h.status, h.body.as_str()), (200, "ok"));
    let r = c.get("/readyz").await;
    assert_eq!((r.status, r.body.as_str()), (200, "ready"));
    app.db.close().await;
    let r = c.get("/readyz").await;
    assert_eq!(r.status, 503, "not ready without the database");
    assert_eq!(c.get("/healthz").await.status, 200, "still alive");
}

/// Every href of the navigation, in order (首页, the areas' entries, 我的账户).
fn nav(body: &str) -> Vec<String> {
    hrefs(nav_html(body))
}

fn nav_html(body: &str) -> &str {
    let start = body.find("<nav class=\"sidenav\"").expect("nav");
    let end = body[start..].find("</nav>").expect("nav end") + start;
    &body[start..end]
}

fn hrefs(html: &str) -> Vec<String> {
    html.split("<a href=\"").skip(1).filter_map(|s| s.split('"').next().map(str::to_owned)).collect()
}

/// The navigation's areas: (data-area, open, hrefs), in order.
fn areas(body: &str) -> Vec<(String, bool, Vec<String>)> {
    nav_html(body)
        .split("<details class=\"navgroup\" data-area=\"")
        .skip(1)
        .map(|g| {
            let g = &g[..g.find("</details>").expect("details end")];
            let (area, rest) = g.split_once('"').expect("data-area");
            let tag = &rest[..rest.find('>').expect("tag end")];
            (area.to_owned(), tag.split_whitespace().any(|a| a == "open"), hrefs(g))
        })
        .collect()
}

fn area_names(body: &str) -> Vec<String> {
    areas(body).into_iter().map(|(a, _, _)| a).collect()
}

fn open_areas(body: &str) -> Vec<String> {
    areas(body).into_iter().filter(|(_, open, _)| *open).map(|(a, _, _)| a).collect()
}

fn area<'a>(groups: &'a [(String, bool, Vec<String>)], name: &str) -> &'a [String] {
    groups.iter().find(|(a, _, _)| a == name).map_or(&[], |(_, _, h)| h.as_slice())
}

#[tokio::test]
async fn navigation_shows_only_what_the_role_may_open() {
    let app = spawn_app().await;
    let t = two_tenants(&app).await;
    app.user(t.alpha, "keeper", Dept::Warehouse, Level::Specialist, false).await;
    app.user(t.alpha, "seller", Dept::Sales, Level::Specialist, false).await;
    let director = app.signed_in("alpha", "director").await.get("/").await;
    assert_eq!(
        nav(&director.body),
        [
            "/",
            "/products",
            "/inventory/stock",
            "/inventory/low-stock",
            "/inventory/warehouses",
            "/inventory/stocktakes",
            "/inventory/replenishments",
            "/purchasing/orders",
            "/partners",
            "/contracts",
            "/orders",
            "/after-sales",
            "/complaints",
            "/campaigns",
            "/targets",
            "/reports/monthly",
            "/attendance/me",
            "/leave",
            "/performance/me",
            "/me/deductions",
            "/hr/employees",
            "/hr/attendance",
            "/leave/approvals",
            "/performance",
            "/hr/payroll",
            "/hr/calendar",
            "/audit",
            "/account"
        ]
    );
    assert_eq!(
        area_names(&director.body),
        ["catalog", "purchasing", "orders", "marketing", "sales", "analytics", "hr", "system"]
    );
    assert_eq!(area(&areas(&director.body), "analytics"), ["/reports/monthly"], "运营月报, directors only");
    assert_eq!(area(&areas(&director.body), "system"), ["/audit"], "a director who is no tenant admin");
    let specialist = app.signed_in("alpha", "specialist").await.get("/").await;
    assert_eq!(
        nav(&specialist.body),
        [
            "/",
            "/products",
            "/inventory/stock",
            "/inventory/low-stock",
            "/inventory/warehouses",
            "/inventory/stocktakes",
            "/inventory/replenishments",
            "/purchasing/orders",
            "/partners",
            "/contracts",
            "/orders",
            "/after-sales",
            "/complaints",
            "/campaigns",
            "/attendance/me",
            "/leave",
            "/performance/me",
            "/me/deductions",
            "/hr/employees",
            "/hr/calendar",
            "/account"
        ]
    );
    assert_eq!(area_names(&specialist.body), ["catalog", "purchasing", "orders", "marketing", "hr"]);
    // The admin is an HR manager: every page.
    let admin = app.signed_in("alpha", "admin").await.get("/").await;
    assert_eq!(nav(&admin.body).len(), 18, "{:?}", nav(&admin.body));
    assert_eq!(area_names(&admin.body), ["hr", "system"], "no goods for HR");
    assert_eq!(area(&areas(&admin.body), "system"), ["/admin/users", "/admin/departments", "/audit"]);
    // Every link in the navigation opens (no dead or forbidden links), for the
    // admin (HR), the director and specialists of the supply side and sales.
    let c = app.signed_in("alpha", "admin").await;
    for href in nav(&admin.body) {
        assert_eq!(c.get(&href).await.status, 200, "{href}");
    }
    for who in ["director", "specialist", "keeper", "seller"] {
        let c = app.signed_in("alpha", who).await;
        let links = nav(&c.get("/").await.body);
        for href in links {
            assert_eq!(c.get(&href).await.status, 200, "{who}: {href}");
        }
    }
    // Only the most specific entry is marked active.
    let approvals = c.get("/leave/approvals").await;
    assert_eq!(approvals.body.matches("aria-current=\"page\"").count(), 1);
    assert!(approvals.body.contains("<a href=\"/leave/approvals\" class=\"active\""));
}

#[tokio::test]
async fn a_specialist_sees_only_the_areas_they_may_open() {
    let app = spawn_app().await;
    let t = two_tenants(&app).await;
    app.user(t.alpha, "keeper", Dept::Warehouse, Level::Specialist, false).await;
    app.user(t.alpha, "seller", Dept::Sales, Level::Specialist, false).await;
    // A warehouse specialist: goods, the purchasing they take deliveries of, the
    // orders they ship; of 人事 only their own pages; nothing of 系统.
    let keeper = app.signed_in("alpha", "keeper").await.get("/").await;
    let groups = areas(&keeper.body);
    assert_eq!(area_names(&keeper.body), ["catalog", "purchasing", "orders", "hr"], "{groups:?}");
    assert_eq!(area(&groups, "purchasing"), ["/inventory/replenishments", "/purchasing/orders", "/partners"]);
    assert_eq!(area(&groups, "orders"), ["/orders", "/after-sales"]);
    assert_eq!(
        area(&groups, "hr"),
        ["/attendance/me", "/leave", "/performance/me", "/me/deductions", "/hr/employees", "/hr/calendar"],
        "their own 人事 pages only"
    );
    for href in ["/hr/attendance", "/leave/approvals", "/leave/all", "/hr/payroll", "/admin/users", "/audit"] {
        assert!(!nav(&keeper.body).contains(&href.to_owned()), "{href}");
    }
    assert!(!keeper.body.contains("data-area=\"system\""));
    assert!(!keeper.body.contains("<summary>系统</summary>"));
    // A sales specialist finds customers and sales contracts under 销售; with no
    // stock pages and no purchasing left, 采购 is not shown at all.
    let seller = app.signed_in("alpha", "seller").await.get("/").await;
    let groups = areas(&seller.body);
    assert_eq!(area_names(&seller.body), ["catalog", "orders", "sales", "hr"], "{groups:?}");
    assert_eq!(area(&groups, "sales"), ["/targets", "/partners", "/contracts"]);
    assert_eq!(area(&groups, "catalog"), ["/products", "/inventory/stock", "/inventory/warehouses"]);
    // 首页 first and 我的账户 last, for everyone.
    for body in [&keeper.body, &seller.body] {
        let links = nav(body);
        assert_eq!(
            (links.first().map(String::as_str), links.last().map(String::as_str)),
            (Some("/"), Some("/account"))
        );
    }
}

#[tokio::test]
async fn the_current_area_is_open_and_the_others_collapsed() {
    let app = spawn_app().await;
    let _t = two_tenants(&app).await;
    let c = app.signed_in("alpha", "director").await;
    let all = ["catalog", "purchasing", "orders", "marketing", "sales", "analytics", "hr", "system"];
    for (path, open) in [
        ("/orders", "orders"),
        ("/complaints", "orders"),
        ("/campaigns", "marketing"),
        ("/targets", "sales"),
        ("/reports/monthly", "analytics"),
        ("/contracts", "purchasing"),
        ("/inventory/stock", "catalog"),
        ("/inventory/replenishments", "purchasing"),
        ("/leave/approvals", "hr"),
        ("/audit", "system"),
    ] {
        let page = c.get(path).await;
        assert_eq!(page.status, 200, "{path}");
        assert_eq!(open_areas(&page.body), [open], "{path}");
        assert_eq!(area_names(&page.body), all, "{path}: every area still there, collapsed");
        assert!(page.body.contains(&format!("<details class=\"navgroup\" data-area=\"{open}\" open>")), "{path}");
    }
    // A page below an entry opens that entry's area.
    let draft = app.signed_in("alpha", "specialist").await.get("/contracts/new").await;
    assert_eq!(draft.status, 200);
    assert_eq!(open_areas(&draft.body), ["purchasing"]);
    assert!(draft.body.contains("<a href=\"/contracts\" class=\"active\""));
    // 首页 and 我的账户 are in no area: every area open.
    for path in ["/", "/account"] {
        let page = c.get(path).await;
        assert_eq!(open_areas(&page.body), all, "{path}");
    }
}

#[tokio::test]
async fn home_activity_follows_the_data_scope() {
    let app = spawn_app().await;
    let t = two_tenants(&app).await;
    let other =
        app.user(t.alpha, "hrperson", yunying::people::Dept::Hr, yunying::people::Level::Specialist, false).await;
    let _ = other;
    // Each signs in once: a login.success audit row per person.
    let _ = app.signed_in("alpha", "hrperson").await;
    let _ = app.signed_in("alpha", "manager").await;
    let specialist = app.signed_in("alpha", "specialist").await.get("/").await;
    assert!(specialist.body.contains("本人"));
    assert!(specialist.body.contains("测试specialist（specialist）"));
    assert!(!specialist.body.contains("测试manager（manager）"), "a specialist sees only their own activity");
    let manager = app.signed_in("alpha", "manager").await.get("/").await;
    assert!(manager.body.contains("本部门"));
    assert!(manager.body.contains("测试specialist（specialist）"), "same department");
    assert!(!manager.body.contains("测试hrperson"), "other departments are out of scope");
    let director = app.signed_in("alpha", "director").await.get("/").await;
    assert!(director.body.contains("全公司"));
    assert!(director.body.contains("测试hrperson"));
    // Beta's activity never shows up in alpha.
    let _ = app.signed_in("beta", "director").await;
    let director = app.signed_in("alpha", "director").await.get("/").await;
    assert_eq!(
        director.body.matches("<td>测试director（director）</td>").count(),
        2,
        "two alpha logins, none of beta's"
    );
}

#[tokio::test]
async fn unknown_pages_and_bad_ids_get_error_pages() {
    let app = spawn_app().await;
    let _t = two_tenants(&app).await;
    let c = app.signed_in("alpha", "admin").await;
    let p = c.get("/admin/users/999999").await;
    assert_eq!(p.status, 404);
    assert!(p.body.contains("页面不存在") && p.body.contains("请求编号"));
    let p = c.get("/nowhere").await;
    assert_eq!(p.status, 404);
    assert!(p.body.contains("<html lang=\"zh-CN\">"));
    let p = c.get("/admin/users?department=moon").await;
    assert_eq!(p.status, 400);
    assert!(p.body.contains("未知部门：moon"), "{}", p.body);
    let p = c.get("/audit?from=yesterday").await;
    assert_eq!(p.status, 400);
    assert!(p.body.contains("YYYY-MM-DD"));
}

#[tokio::test]
async fn stylesheet_is_served_with_print_styles() {
    let app = spawn_app().await;
    let p = app.client().get("/static/app.css").await;
    assert_eq!(p.status, 200);
    assert!(p.headers.get("content-type").unwrap().to_str().unwrap().starts_with("text/css"));
    assert!(p.body.contains("@media print"));
}
