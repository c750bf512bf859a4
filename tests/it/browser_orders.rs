//! An order's day in two real browsers: the order desk imports a platform export
//! through the web upload (check → preview → confirm), finds the order, releases
//! its address hold with a note, reviews and allocates it; the warehouse prints
//! its picking slip, ships it with a tracking number, prints the label (a Code 128
//! barcode drawn as SVG), and the stock page shows the new quantities.

use std::time::{Duration, Instant};

use crate::helpers::{spawn_app, TestApp, PASSWORD};
use crate::webdriver::{self, Browser, ChromeDriver};
use yunying::db;
use yunying::inventory::ledger::{self, DocType, MovementKind, NewMovement};
use yunying::people::{Dept, Level};

/// The order's record page shows `status`.
async fn wait_status(b: &Browser, status: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while b.find_all(&format!("[data-status='{status}']")).await.is_empty() {
        if Instant::now() >= deadline {
            panic!("the order should be {status} on {}:\n{}", b.current_url().await, b.page_source().await);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn setup(app: &TestApp) -> i64 {
    let t = app.tenant("shop").await;
    app.user(t, "ops.specialist", Dept::Ops, Level::Specialist, false).await;
    app.user(t, "wh.specialist", Dept::Warehouse, Level::Specialist, false).await;
    let (p, w) = crate::ledger::item(app, t, "BR-CUP", "WH1").await;
    let mut tx = db::begin_tenant(&app.db, t).await.expect("tx");
    let opening = NewMovement {
        product_id: p,
        warehouse_id: w,
        kind: MovementKind::Adjustment,
        quantity: 10,
        reason: "期初",
        doc: DocType::Import,
        doc_id: None,
        created_by: None,
    };
    ledger::post(&mut tx, t, &opening).await.expect("opening balance");
    tx.commit().await.expect("commit");
    t
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_uploaded_order_is_reviewed_allocated_printed_and_shipped_and_the_stock_follows() {
    let Some(chromedriver) = webdriver::available() else {
        return;
    };
    let app = spawn_app().await;
    setup(&app).await;
    let base = app.base.clone();
    // A Taobao export: paid, but without the receiver's phone (an `address` hold).
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("淘宝订单.csv");
    std::fs::write(
        &file,
        "platform,shop,order_no,ordered_at,paid_at,buyer,receiver,phone,province,city,district,address,sku,quantity,unit_price,shipping_fee,discount,paid_amount,buyer_note,seller_note\r\n\
         taobao,旗舰店,=\"TB9001\",2026-11-30 10:00,2026-11-30 10:02,小王,王小明,,浙江省,杭州市,西湖区,文三路 1 号,BR-CUP,2,10.00,0,0,20.00,,\r\n",
    )
    .expect("write the export");

    let mut driver = ChromeDriver::start(&chromedriver);
    let ops = driver.session().await;
    ops.sign_in(&base, "shop", "ops.specialist", PASSWORD).await;
    ops.goto(&format!("{base}/orders/import")).await;
    let input = ops.wait_for("input[type=file][name=file]").await;
    input.send_keys(file.to_str().expect("utf-8 path")).await.expect("choose the file");
    let check = ops.wait_for("form[action='/orders/import'] button[type=submit]").await;
    ops.click(check).await;
    // The preview, then the confirmation.
    let confirm = ops.wait_for("form[action$='/confirm'] button[type=submit]").await;
    assert!(ops.page_source().await.contains("TB9001"), "the preview names the order");
    ops.click(confirm).await;
    ops.goto(&format!("{base}/orders?q=TB9001")).await;
    let link = ops.wait_for("tr[data-order] td a[href^='/orders/']").await;
    let href = link.attr("href").await.expect("href").expect("the order's link");
    assert!(href.trim_start_matches("/orders/").bytes().all(|c| c.is_ascii_digit()), "{href}");
    ops.goto(&format!("{base}{href}")).await;
    wait_status(&ops, "pending_review").await;

    // The address hold: released with a note (the customer gave the phone).
    ops.type_into("[data-hold='address'] input[name=note]", "已联系客户确认地址和电话").await;
    let release = ops.wait_for("[data-hold='address'] button[type=submit]").await;
    ops.click(release).await;
    assert!(ops.find_all("[data-hold]").await.is_empty(), "no active hold left");
    let approve = ops.wait_for(&format!("form[action='{href}/approve'] button")).await;
    ops.click(approve).await;
    wait_status(&ops, "approved").await;
    ops.select(&format!("form[action='{href}/allocate'] select[name=warehouse]"), "WH1").await;
    let allocate = ops.wait_for(&format!("form[action='{href}/allocate'] button")).await;
    ops.click(allocate).await;
    wait_status(&ops, "allocated").await;

    // The warehouse: the slip, the parcel, the label.
    let wh = driver.session().await;
    wh.sign_in(&base, "shop", "wh.specialist", PASSWORD).await;
    wh.goto(&format!("{base}{href}")).await;
    let slip = wh.wait_for(&format!("a[href='{href}/slip']")).await;
    wh.click(slip).await;
    wh.wait_for("svg[data-barcode=code128]").await;
    assert_eq!(wh.texts("[data-pick]").await, ["2"]);
    wh.goto(&format!("{base}{href}")).await;
    wh.select(&format!("form[action='{href}/ship'] select[name=carrier]"), "SF").await;
    wh.type_into(&format!("form[action='{href}/ship'] input[name=tracking_no]"), "SF1234567890123").await;
    let ship = wh.wait_for(&format!("form[action='{href}/ship'] button")).await;
    wh.click(ship).await;
    wait_status(&wh, "shipped").await;
    let label = wh.wait_for(&format!("a[href='{href}/label']")).await;
    wh.click(label).await;
    wh.wait_for("[data-tracking='SF1234567890123'] svg.barcode rect").await;
    let label_text = wh.texts(".label").await.join(" ");
    for text in ["顺丰", "王小明", "浙江省杭州市西湖区", "SF1234567890123"] {
        assert!(label_text.contains(text), "the label shows {text}: {label_text}");
    }

    // The stock page: 10 − 2 on hand, nothing reserved.
    wh.goto(&format!("{base}/inventory/stock?q=BR-CUP")).await;
    wh.wait_for("tr[data-sku='BR-CUP']").await;
    assert_eq!(wh.texts("tr[data-sku='BR-CUP'] [data-testid=on-hand]").await, ["8"]);
    assert_eq!(wh.texts("tr[data-sku='BR-CUP'] [data-testid=reserved]").await, ["0"]);
    ops.close().await;
    wh.close().await;
}
