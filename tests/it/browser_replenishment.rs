//! The replenishment flow in two real browsers: an ops specialist raises a request
//! from the low-stock page, the ops manager approves it in a second session, a
//! purchase order is created from it and received, and the new on-hand quantity
//! shows on the purchase order and on the stock page.

use std::time::{Duration, Instant};

use fantoccini::Locator;

use crate::helpers::{spawn_app, TestApp, PASSWORD};
use crate::webdriver::{self, Browser, ChromeDriver};
use yunying::db;
use yunying::inventory::ledger::{self, DocType, MovementKind, NewMovement};
use yunying::people::{Dept, Level};

/// Wait (at most 20 s) until the element matching `css` reads `want` (tolerating
/// the page being replaced meanwhile).
async fn wait_text(b: &Browser, css: &str, want: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let now = match b.client.find(Locator::Css(css)).await {
            Ok(el) => el.text().await.map(|t| t.trim().to_owned()).ok(),
            Err(_) => None,
        };
        if now.as_deref() == Some(want) {
            return;
        }
        if Instant::now() >= deadline {
            panic!(
                "{css} should read {want:?}, reads {now:?} on {}:\n{}",
                b.current_url().await,
                b.page_source().await
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Wait (at most 20 s) until the current URL is a record page `<prefix><id>` (the
/// form page the click came from, e.g. `<prefix>new?…`, does not count).
async fn wait_record_url(b: &Browser, prefix: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let url = b.current_url().await;
        if url.strip_prefix(prefix).is_some_and(|id| !id.is_empty() && id.bytes().all(|c| c.is_ascii_digit())) {
            return url;
        }
        if Instant::now() >= deadline {
            panic!("expected a page under {prefix}, still on {url}:\n{}", b.page_source().await);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn setup(app: &TestApp) -> i64 {
    let t = app.tenant("shop").await;
    app.user(t, "ops.specialist", Dept::Ops, Level::Specialist, false).await;
    app.user(t, "ops.manager", Dept::Ops, Level::Manager, false).await;
    let (p, w) = crate::ledger::item(app, t, "BR-1", "WH1").await;
    let mut tx = db::begin_tenant(&app.db, t).await.expect("tx");
    sqlx::query(
        "INSERT INTO stock_levels (tenant_id, product_id, warehouse_id, safety_stock, reorder_point, max_level)
         VALUES ($1, $2, $3, 5, 10, 50)",
    )
    .bind(t)
    .bind(p)
    .bind(w)
    .execute(&mut *tx)
    .await
    .expect("levels");
    ledger::post(
        &mut tx,
        t,
        &NewMovement {
            product_id: p,
            warehouse_id: w,
            kind: MovementKind::Adjustment,
            quantity: 5,
            reason: "期初",
            doc: DocType::Import,
            doc_id: None,
            created_by: None,
        },
    )
    .await
    .expect("opening balance");
    let supplier: i64 = sqlx::query_scalar(
        "INSERT INTO partners (tenant_id, code, kind, name) VALUES ($1, 'SUP1', 'supplier', '华东供应商') RETURNING id",
    )
    .bind(t)
    .fetch_one(&mut *tx)
    .await
    .expect("supplier");
    sqlx::query("UPDATE products SET default_supplier_id = $2 WHERE tenant_id = $1 AND id = $3")
        .bind(t)
        .bind(supplier)
        .bind(p)
        .execute(&mut *tx)
        .await
        .expect("default supplier");
    tx.commit().await.expect("commit");
    t
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn specialist_raises_manager_approves_order_received() {
    let Some(chromedriver) = webdriver::available() else {
        return;
    };
    let app = spawn_app().await;
    let tenant = setup(&app).await;
    let base = app.base.clone();

    let mut driver = ChromeDriver::start(&chromedriver);
    let specialist = driver.session().await;
    specialist.sign_in(&base, "shop", "ops.specialist", PASSWORD).await;

    // The low-stock page lists BR-1 with 5 on hand and a suggestion of 45.
    specialist.goto(&format!("{base}/inventory/low-stock")).await;
    specialist.wait_for("tr[data-sku='BR-1']").await;
    assert_eq!(specialist.texts("tr[data-sku='BR-1'] [data-testid=on-hand]").await, ["5"]);
    assert_eq!(specialist.texts("tr[data-sku='BR-1'] [data-testid=suggested]").await, ["45"]);
    let raise = specialist.wait_for("tr[data-sku='BR-1'] a[data-testid=raise]").await;
    specialist.click(raise).await;

    // The form comes prefilled (quantity 45, a reason): submit it.
    specialist.wait_for("input[name=quantity][value='45']").await;
    let submit = specialist.wait_for("form[action='/inventory/replenishments'] button[type=submit]").await;
    specialist.click(submit).await;
    let request_url = wait_record_url(&specialist, &format!("{base}/inventory/replenishments/")).await;
    wait_text(&specialist, "[data-testid=status]", "待审批").await;
    let path = request_url.trim_start_matches(&base).to_owned();

    // The low-stock row now links to the open request.
    specialist.goto(&format!("{base}/inventory/low-stock")).await;
    specialist.wait_for(&format!("tr[data-sku='BR-1'] a[href='{path}']")).await;

    // The ops manager approves it in a second browser.
    let manager = driver.session().await;
    manager.sign_in(&base, "shop", "ops.manager", PASSWORD).await;
    manager.goto(&format!("{base}/inventory/replenishments?status=pending")).await;
    let link = manager.wait_for(&format!("a[href='{path}']")).await;
    manager.click(link).await;
    manager.type_into("textarea[name=comment]", "同意补货").await;
    let approve = manager.wait_for(&format!("form[action='{path}/approve'] button.btn-primary")).await;
    manager.click(approve).await;
    wait_text(&manager, "[data-testid=status]", "已批准").await;

    // The specialist (purchasing) turns it into a purchase order to the usual supplier.
    specialist.goto(&request_url).await;
    wait_text(&specialist, "[data-testid=status]", "已批准").await;
    let create = specialist.wait_for("a[data-testid=create-po]").await;
    specialist.click(create).await;
    specialist.wait_for("select[name=supplier] option[value='SUP1'][selected]").await;
    let submit = specialist.wait_for("form[action='/purchasing/orders'] button[type=submit]").await;
    specialist.click(submit).await;
    let po_url = wait_record_url(&specialist, &format!("{base}/purchasing/orders/")).await;
    assert!(!po_url.contains("/new"), "{po_url}");
    wait_text(&specialist, "[data-testid=status]", "待收货").await;

    // Received in two parts: 20, then the remaining 25.
    for (qty, status, on_hand) in [("20", "部分收货", "25"), ("25", "已收货", "50")] {
        specialist.type_into("input[name^=qty_]", qty).await;
        let receive = specialist.wait_for("button[data-testid=receive]").await;
        specialist.click(receive).await;
        wait_text(&specialist, "[data-testid=status]", status).await;
        assert_eq!(specialist.texts("tr[data-sku='BR-1'] [data-testid=on-hand]").await, [on_hand]);
    }

    // The request shows it was ordered; BR-1 is no longer low.
    specialist.goto(&request_url).await;
    wait_text(&specialist, "[data-testid=status]", "已下单").await;
    specialist.goto(&format!("{base}/inventory/low-stock")).await;
    specialist.wait_for("h1").await;
    assert!(specialist.find_all("tr[data-sku='BR-1']").await.is_empty(), "BR-1 is stocked again");

    // The stock page shows the new quantity.
    specialist.goto(&format!("{base}/inventory/stock?q=BR-1")).await;
    specialist.wait_for("tr[data-sku='BR-1']").await;
    assert_eq!(specialist.texts("tr[data-sku='BR-1'][data-warehouse='WH1'] [data-testid=on-hand]").await, ["50"]);
    assert_eq!(
        app.scalar_i64(
            tenant,
            "SELECT on_hand FROM stock_levels JOIN products p ON p.id = product_id WHERE p.sku = 'BR-1'"
        )
        .await,
        50
    );

    specialist.close().await;
    manager.close().await;
    drop(driver);
}
