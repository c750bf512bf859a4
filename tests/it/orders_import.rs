//! `yunying import orders`: platform exports become orders with lines, the intake
//! holds and the first timeline event; all or nothing; re-importing changes nothing.

use crate::catalog::audits;
use crate::helpers::{ok, spawn_app, TestApp};

pub fn import_bytes(app: &TestApp, tenant: &str, bytes: &[u8]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orders.csv");
    std::fs::write(&path, bytes).unwrap();
    app.cli(&["import", "orders", "--tenant", tenant, &path.display().to_string()], None)
}

fn fails_naming(out: &std::process::Output, needles: &[&str]) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "expected failure: {stderr}");
    for n in needles {
        assert!(stderr.contains(n), "{n:?} not in: {stderr}");
    }
}

pub const PRODUCTS: &str =
    "sku,name,spec,unit,price,status\nCUP-1,保温杯,500ml,个,59.9,listed\nPEN-1,中性笔,0.5mm,盒,12,listed\n";

/// Two orders: TB-1 (two lines, paid, full address) and JD-9 (one line, unpaid, no
/// receiver), the first number in Excel's quoted text form.
pub const FILE: &str = "platform,shop,order_no,ordered_at,paid_at,buyer,receiver,phone,province,city,district,address,sku,quantity,unit_price,shipping_fee,discount,paid_amount,buyer_note,seller_note\r\n\
taobao,旗舰店,\"=\"\"TB-1\"\"\",2026-11-23 10:05,2026-11-23 10:06:30,小王,王小明,138****0000,浙江省,杭州市,西湖区,文三路 1 号,CUP-1,2,59.90,0,5,126.70,尽快发货,\r\n\
taobao,旗舰店,\tTB-1,2026-11-23 10:05,2026-11-23 10:06:30,小王,王小明,138****0000,浙江省,杭州市,西湖区,文三路 1 号,PEN-1,1,12,0,5,126.70,尽快发货,\r\n\
jd,京东自营,JD-9,2026-11-24 09:00,,老李,,13900000000,广东省,广州市,天河区,体育西路 2 号,PEN-1,3,11.5,8,0,0,,\r\n";

async fn setup(app: &TestApp) -> (i64, i64) {
    let acme = app.tenant("acme").await;
    let other = app.tenant("other").await;
    for t in ["acme", "other"] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.csv");
        std::fs::write(&path, PRODUCTS).unwrap();
        ok(&app.cli(&["import", "products", "--tenant", t, &path.display().to_string()], None), "products");
    }
    (acme, other)
}

#[tokio::test]
async fn orders_are_imported_with_lines_holds_and_timeline_and_again_unchanged() {
    let app = spawn_app().await;
    let (acme, other) = setup(&app).await;
    let out = ok(&import_bytes(&app, "acme", FILE.as_bytes()), "import orders");
    assert!(out.contains("2 new orders (3 lines), 0 unchanged"), "{out}");
    let orders = app
        .strings(
            acme,
            "SELECT platform || ' ' || order_no || ' ' || status || ' ' || goods_fen || ' ' || shipping_fen || ' ' ||
                    discount_fen || ' ' || paid_fen || ' ' || to_char(ordered_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')
                    || ' ' || (paid_at IS NOT NULL) FROM orders ORDER BY order_no DESC",
        )
        .await;
    assert_eq!(
        orders,
        [
            "taobao TB-1 pending_review 13180 0 500 12670 2026-11-23 02:05 true",
            "jd JD-9 pending_review 3450 800 0 0 2026-11-24 01:00 false",
        ],
        "money in fen, local times (Asia/Shanghai) stored as instants"
    );
    let lines = app
        .strings(
            acme,
            "SELECT o.order_no || ' ' || l.line_no || ' ' || p.sku || ' ' || l.quantity || ' ' || l.unit_price_fen
             FROM order_lines l JOIN orders o ON o.tenant_id = l.tenant_id AND o.id = l.order_id
             JOIN products p ON p.tenant_id = l.tenant_id AND p.id = l.product_id ORDER BY o.order_no DESC, l.line_no",
        )
        .await;
    assert_eq!(lines, ["TB-1 1 CUP-1 2 5990", "TB-1 2 PEN-1 1 1200", "JD-9 1 PEN-1 3 1150"]);
    let holds = app
        .strings(
            acme,
            "SELECT o.order_no || ' ' || h.kind || ' ' || h.reason FROM order_holds h
             JOIN orders o ON o.tenant_id = h.tenant_id AND o.id = h.order_id WHERE h.released_at IS NULL ORDER BY 1",
        )
        .await;
    assert_eq!(holds, ["JD-9 address 缺少收货人", "JD-9 unpaid 导入时未付款"]);
    assert_eq!(app.scalar_i64(acme, "SELECT count(*) FROM order_events WHERE kind = 'intake'").await, 2);
    assert_eq!(audits(&app, acme, "import.orders").await, 1);
    assert_eq!(app.scalar_i64(other, "SELECT count(*) FROM orders").await, 0, "the other tenant sees nothing");

    // Again: nothing changes, and the summary says so.
    let out = ok(&import_bytes(&app, "acme", FILE.as_bytes()), "import orders again");
    assert!(out.contains("0 new orders (0 lines), 2 unchanged"), "{out}");
    assert_eq!(app.scalar_i64(acme, "SELECT count(*) FROM order_lines").await, 3);
    assert_eq!(app.scalar_i64(acme, "SELECT count(*) FROM order_holds").await, 2);
    assert_eq!(audits(&app, acme, "import.orders").await, 2, "the re-import is recorded too");
    // The same numbers are other orders in another tenant.
    ok(&import_bytes(&app, "other", FILE.as_bytes()), "import orders into other");
    assert_eq!(app.scalar_i64(other, "SELECT count(*) FROM orders").await, 2);
}

#[tokio::test]
async fn chinese_headers_and_gbk_files_are_read() {
    let app = spawn_app().await;
    let (acme, _) = setup(&app).await;
    let zh = "平台,店铺,订单编号,下单时间,付款时间,买家,收货人,手机,省,市,区,详细地址,商家编码,数量,单价,运费,优惠,实付金额,买家留言,卖家备注";
    let text = FILE.replacen(FILE.lines().next().unwrap(), zh, 1);
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&gbk).is_err(), "really not UTF-8");
    let out = ok(&import_bytes(&app, "acme", &gbk), "import GBK orders");
    assert!(out.contains("2 new orders"), "{out}");
    assert_eq!(app.strings(acme, "SELECT receiver FROM orders WHERE order_no = 'TB-1'").await, ["王小明"]);
    assert_eq!(app.strings(acme, "SELECT shop FROM orders WHERE order_no = 'JD-9'").await, ["京东自营"]);
}

#[tokio::test]
async fn a_bad_file_names_its_line_and_field_and_writes_nothing() {
    let app = spawn_app().await;
    let (acme, _) = setup(&app).await;
    // Line 3 disagrees with line 2 about the receiver (CRLF line ends: still line 3).
    let disagree = FILE.replacen(
        "\tTB-1,2026-11-23 10:05,2026-11-23 10:06:30,小王,王小明",
        "\tTB-1,2026-11-23 10:05,2026-11-23 10:06:30,小王,王大明",
        1,
    );
    fails_naming(
        &import_bytes(&app, "acme", disagree.as_bytes()),
        &["line 3, field receiver", "与第 2 行同一订单的收货人不一致"],
    );
    // An unknown SKU on line 4.
    let unknown = FILE.replace("PEN-1,3,11.5", "NOPE-1,3,11.5");
    fails_naming(&import_bytes(&app, "acme", unknown.as_bytes()), &["line 4, field sku", "商品 NOPE-1 不存在"]);
    // A bad quantity and a bad time on one line: both named.
    let bad = FILE.replace("PEN-1,3,11.5", "PEN-1,0,11.5").replace("2026-11-24 09:00", "2026-11-24 9:00");
    fails_naming(&import_bytes(&app, "acme", bad.as_bytes()), &["line 4, field ordered_at", "line 4, field quantity"]);
    assert_eq!(app.scalar_i64(acme, "SELECT count(*) FROM orders").await, 0, "nothing written");
    assert_eq!(app.scalar_i64(acme, "SELECT count(*) FROM order_lines").await, 0);
    assert_eq!(audits(&app, acme, "import.orders").await, 0);
}

/// A file of 15,000 orders in 20,000 rows (CRLF): every third order has a second
/// row, all of them after the last first row, in reverse (so the rows of one order
/// are far apart), and every 1,000th order a seller note over two lines. Returns
/// the file and the physical line of each order's rows.
fn big_file() -> (String, Vec<Vec<u64>>) {
    const ORDERS: usize = 15_000;
    let header = FILE.lines().next().unwrap();
    let mut text = format!("{header}\r\n");
    let mut line = 2;
    let mut lines = vec![Vec::new(); ORDERS];
    let mut row = |text: &mut String, i: usize, sku: &str, qty: usize| {
        let paid =
            if i.is_multiple_of(7) { String::new() } else { format!("2026-11-{:02} 10:{:02}:30", 1 + i % 28, i % 60) };
        let note = if i.is_multiple_of(1000) { "\"第一行\r\n第二行\"" } else { "" };
        text.push_str(&format!(
            "taobao,旗舰店,BIG-{i},2026-11-{:02} 10:{:02},{paid},买家{i},收货人{i},1380000{:04},浙江省,杭州市,西湖区,\
             文三路 {i} 号,{sku},{qty},{}.{:02},0,0,{},,{note}\r\n",
            1 + i % 28,
            i % 60,
            i % 10_000,
            1 + i % 50,
            i % 100,
            i % 500,
        ));
        lines[i].push(line);
        line += if i.is_multiple_of(1000) { 2 } else { 1 };
    };
    for i in 0..ORDERS {
        row(&mut text, i, "CUP-1", 1 + i % 3);
    }
    for i in (0..ORDERS).rev().filter(|i| i % 3 == 0) {
        row(&mut text, i, "PEN-1", 2);
    }
    (text, lines)
}

#[tokio::test]
async fn a_file_of_20000_rows_is_streamed_in_with_far_apart_rows_and_late_errors_named_exactly() {
    let app = spawn_app().await;
    let (acme, _) = setup(&app).await;
    let (text, lines) = big_file();
    assert_eq!(lines.iter().map(Vec::len).sum::<usize>(), 20_000);

    // A far-apart late row disagreeing with its order's first row, and a late row's
    // unknown SKU: each named by its physical line, and nothing written.
    let (first, late) = (lines[3][0], lines[3][1]); // BIG-3's second row is the file's last but one
    let at = text.rfind("BIG-3,").unwrap();
    let bad = format!("{}{}", &text[..at], text[at..].replacen("收货人3", "别人", 1));
    let out = import_bytes(&app, "acme", bad.as_bytes());
    fails_naming(&out, &[&format!("line {late}, field receiver: 与第 {first} 行同一订单的收货人不一致")]);
    assert_eq!(String::from_utf8_lossy(&out.stderr).matches(", field ").count(), 1, "one error");
    let unknown = text.replacen("文三路 3 号,PEN-1", "文三路 3 号,NOPE-1", 1);
    let out = import_bytes(&app, "acme", unknown.as_bytes());
    fails_naming(&out, &[&format!("line {late}, field sku: 商品 NOPE-1 不存在")]);
    assert_eq!(String::from_utf8_lossy(&out.stderr).matches(", field ").count(), 1, "one error");
    assert_eq!(app.scalar_i64(acme, "SELECT count(*) FROM orders").await, 0, "nothing written");
    assert_eq!(audits(&app, acme, "import.orders").await, 0);

    let out = ok(&import_bytes(&app, "acme", text.as_bytes()), "import 20,000 rows");
    assert!(out.contains("15000 new orders (20000 lines), 0 unchanged"), "{out}");
    let count = |sql: &'static str| app.scalar_i64(acme, sql);
    assert_eq!(count("SELECT count(*) FROM orders").await, 15_000);
    assert_eq!(count("SELECT count(*) FROM order_lines").await, 20_000);
    assert_eq!(count("SELECT count(*) FROM order_holds WHERE kind = 'unpaid'").await, 2_143, "i % 7 == 0");
    assert_eq!(count("SELECT count(*) FROM order_holds WHERE kind <> 'unpaid'").await, 0);
    assert_eq!(count("SELECT count(*) FROM order_events WHERE kind = 'intake'").await, 15_000);
    assert!(count("SELECT count(*) FROM search_terms WHERE kind = 'order'").await > 15_000, "search terms");
    let app = &app;
    let order = |no: &str| {
        let sql = format!(
            "SELECT o.order_no || ' ' || o.receiver || ' ' || o.phone || ' ' || o.goods_fen || ' ' || o.paid_fen || ' ' ||
                    (o.paid_at IS NOT NULL) || ' ' || replace(o.seller_note, E'\\r', '') || ' ' ||
                    string_agg(p.sku || '×' || l.quantity || '@' || l.unit_price_fen, ',' ORDER BY l.line_no)
             FROM orders o JOIN order_lines l ON l.tenant_id = o.tenant_id AND l.order_id = o.id
             JOIN products p ON p.tenant_id = l.tenant_id AND p.id = l.product_id
             WHERE o.order_no = '{no}' GROUP BY o.tenant_id, o.id"
        );
        async move { app.strings(acme, &sql).await }
    };
    assert_eq!(order("BIG-0").await, ["BIG-0 收货人0 13800000000 300 0 false 第一行\n第二行 CUP-1×1@100,PEN-1×2@100"]);
    assert_eq!(order("BIG-3").await, ["BIG-3 收货人3 13800000003 1209 300 true  CUP-1×1@403,PEN-1×2@403"]);
    assert_eq!(order("BIG-14999").await, ["BIG-14999 收货人14999 13800004999 15297 49900 true  CUP-1×3@5099"]);
    assert_eq!(audits(app, acme, "import.orders").await, 1);

    // Again: nothing new, nothing changed.
    let out = ok(&import_bytes(app, "acme", text.as_bytes()), "import 20,000 rows again");
    assert!(out.contains("0 new orders (0 lines), 15000 unchanged"), "{out}");
    assert_eq!(count("SELECT count(*) FROM orders").await, 15_000);
    assert_eq!(count("SELECT count(*) FROM order_lines").await, 20_000);
    assert_eq!(count("SELECT count(*) FROM order_events").await, 15_000);
    assert_eq!(audits(app, acme, "import.orders").await, 2);
}
