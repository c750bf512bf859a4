//! A real browser against the real binary: headless Chromium driven over
//! WebDriver (fantoccini) by Debian's `chromedriver`.

use crate::spawn::Server;
use crate::webdriver::{self, ChromeDriver};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn director_and_specialist_see_different_navigation_in_chromium() {
    let Some(chromedriver) = webdriver::available() else {
        return;
    };

    let mut server = Server::start();
    let base = server.url.clone();
    let mut driver = ChromeDriver::start(&chromedriver);

    let director = driver.session().await;
    let (director_role, director_nav) = director.sign_in(&base, "demo", "ops.director", "demo1234").await;
    assert_eq!(director_role, "运营部 · 总监", "ops.director's role badge");

    // A second browser: its own cookie jar, so both stay signed in side by side.
    let specialist = driver.session().await;
    let (specialist_role, specialist_nav) = specialist.sign_in(&base, "demo", "ops.specialist", "demo1234").await;
    assert_eq!(specialist_role, "运营部 · 专员", "ops.specialist's role badge");

    // The exact lists are checked in tests/it/pages.rs; here: what a browser shows.
    for (nav, who) in [(&director_nav, "director"), (&specialist_nav, "specialist")] {
        assert_eq!(nav.first().map(String::as_str), Some("首页"), "{who}: {nav:?}");
        assert_eq!(nav.last().map(String::as_str), Some("我的账户"), "{who}: {nav:?}");
    }
    assert!(director_nav.iter().any(|l| l == "工资调整"), "directors see payroll: {director_nav:?}");
    assert!(!specialist_nav.iter().any(|l| l == "工资调整" || l == "用户管理"), "{specialist_nav:?}");
    assert_ne!(director_nav, specialist_nav);
    assert!(
        director_nav.iter().any(|l| l == "审计日志") && !specialist_nav.iter().any(|l| l == "审计日志"),
        "only the director may see 审计日志: director {director_nav:?}, specialist {specialist_nav:?}"
    );
    assert_ne!(director_nav, specialist_nav);

    // The director's session was not replaced by the specialist's sign-in.
    director.goto(&format!("{base}/")).await;
    let role = director.wait_for("[data-testid=user-role]").await;
    assert_eq!(director.text(&role).await, "运营部 · 总监", "the first browser should still be the director");

    // The specialist may not manage users.
    specialist.goto(&format!("{base}/admin/users")).await;
    let h1 = specialist.wait_for("h1").await;
    assert_eq!(specialist.text(&h1).await, "没有权限", "the heading of /admin/users for a specialist");
    let code = specialist.texts(".error-code").await;
    assert_eq!(code, ["403"], "the status shown on the error page");

    // Sign out: back on the login form, and the session is gone.
    specialist.goto(&format!("{base}/")).await;
    let logout = specialist.wait_for("[data-testid=logout]").await;
    specialist.click(logout).await;
    specialist.wait_for_path(&base, "/login").await;
    specialist.wait_for("input[name=company]").await;
    let submit = specialist.wait_for("form[action='/login'] button[type=submit]").await;
    assert_eq!(specialist.text(&submit).await, "登录");
    assert!(specialist.find_all("[data-testid=user-name]").await.is_empty(), "no signed-in header after logout");
    specialist.goto(&format!("{base}/")).await;
    specialist.wait_for_path(&base, "/login").await;

    director.close().await;
    specialist.close().await;
    drop(driver);

    let status = server.terminate();
    assert!(status.success(), "yunying should exit 0 after SIGTERM, got {status}\n{}", server.logs());
}
