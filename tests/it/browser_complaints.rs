//! A complaint in a real browser: a service specialist logs a phone complaint
//! received 23 hours ago, finds it due soon on the list, replies, and the
//! complaint shows its first-response deadline met.

use std::time::{Duration, Instant};

use crate::complaints::ago;
use crate::helpers::{spawn_app, PASSWORD};
use crate::webdriver::{self, Browser, ChromeDriver};
use yunying::people::{Dept, Level};

/// Wait (at most 20 s) for an element matching `css`, failing with the page.
async fn wait_css(b: &Browser, css: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while b.find_all(css).await.is_empty() {
        if Instant::now() >= deadline {
            panic!("no {css} on {}:\n{}", b.current_url().await, b.page_source().await);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_logged_call_received_23_hours_ago_is_due_soon_until_the_reply_meets_it() {
    let Some(chromedriver) = webdriver::available() else {
        return;
    };
    let app = spawn_app().await;
    let t = app.tenant("shop").await;
    app.user(t, "service.specialist", Dept::Service, Level::Specialist, false).await;
    let base = app.base.clone();
    let mut driver = ChromeDriver::start(&chromedriver);
    let b = driver.session().await;
    let (_, nav) = b.sign_in(&base, "shop", "service.specialist", PASSWORD).await;
    assert!(nav.iter().any(|n| n == "投诉"), "投诉 in the navigation: {nav:?}");

    b.goto(&format!("{base}/complaints")).await;
    let new = b.wait_for("a[href='/complaints/new']").await;
    b.click(new).await;
    b.type_into("input[name=customer]", "周先生").await;
    b.type_into("input[name=phone]", "13600001234").await;
    b.select("select[name=channel]", "phone").await;
    b.select("select[name=category]", "logistics").await;
    b.type_into("textarea[name=content]", "快递显示签收但没有收到").await;
    b.type_into("textarea[name=demand]", "查明去向并补发").await;
    // The received time: a datetime-local field, set as the browser's picker would.
    let received = ago(23, 0);
    b.client
        .execute(
            "document.querySelector('input[name=received_at]').value = arguments[0];",
            vec![serde_json::json!(received)],
        )
        .await
        .expect("set the received time");
    let submit = b.wait_for("form[action='/complaints'] button[type=submit]").await;
    b.click(submit).await;
    wait_css(&b, "[data-sla='due_soon'][data-status='open']").await;
    let page = b.page_source().await;
    assert!(page.contains("TS-000001") && page.contains("周先生"), "the record page");

    // The list: due soon, with its deadline an hour away.
    b.goto(&format!("{base}/complaints")).await;
    wait_css(&b, "tr[data-complaint][data-sla='due_soon']").await;
    let link = b.wait_for("tr[data-sla='due_soon'] a[href^='/complaints/']").await;
    let href = link.attr("href").await.expect("href").expect("the complaint's link");
    b.click(link).await;

    b.type_into("form[action$='/reply'] textarea[name=message]", "您好，已联系快递公司核实，今天内回复您").await;
    let reply = b.wait_for("form[action$='/reply'] button[type=submit]").await;
    b.click(reply).await;
    wait_css(&b, "[data-sla='met']").await;
    assert!(b.page_source().await.contains("已联系快递公司核实"), "the reply on the timeline");
    b.goto(&format!("{base}/complaints")).await;
    wait_css(&b, &format!("tr[data-sla='met'] a[href='{href}']")).await;
    b.close().await;
}
