//! Batch shipping (`/orders/ship-batch`): every listed order ships everything
//! allocated, through the ship form's own path (parcel, `shipment` movements,
//! reservations consumed, timeline, audit); one bad line — an unknown or
//! ambiguous order, a tracking number used before or twice, a held or
//! unallocated order, a bad carrier — names its line and ships nothing.

use yunying::db;
use yunying::people::{Dept, Level};

use crate::catalog::audits;
use crate::helpers::{Client, Page};
use crate::orders::{level, order, post, reservations_agree, shop, status_of, stock_in, Shop};

/// A paid order of 3 cups and 2 pens, approved and allocated in WH1.
async fn allocated(s: &Shop, no: &str) -> i64 {
    let id = order(s, no, false).await;
    assert_eq!(post(&s.ops, id, "approve", &[]).await.status, 303);
    let r = post(&s.ops, id, "allocate", &[("warehouse", "WH1")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    id
}

/// POST the batch form: pasted `lines`, or a file.
async fn batch(c: &Client, lines: &str, file: Option<(&str, Vec<u8>)>) -> Page {
    let (name, bytes) = file.unwrap_or(("", Vec::new()));
    c.upload("/orders/ship-batch", "/orders/ship-batch", &[("lines", lines)], name, bytes).await
}

/// Move an order to the jd platform (its number then exists there, not on taobao).
async fn on_jd(s: &Shop, id: i64) {
    let mut tx = db::begin_tenant(&s.app.db, s.t.alpha).await.unwrap();
    sqlx::query("UPDATE orders SET platform = 'jd' WHERE id = $1").bind(id).execute(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();
}

async fn status(s: &Shop, id: i64) -> String {
    status_of(&s.ops.get(&format!("/orders/{id}")).await.body)
}

async fn count(s: &Shop, sql: &str) -> i64 {
    s.app.scalar_i64(s.t.alpha, sql).await
}

#[tokio::test]
async fn a_batch_ships_every_listed_order_with_its_movements_and_reservations_consumed() {
    let s = shop().await;
    stock_in(&s.app, s.t.alpha, s.cup, s.wh1, 10).await;
    // TB-3 is also a number on another platform: written `taobao:TB-3` below.
    let jd = order(&s, "TB-3", false).await;
    on_jd(&s, jd).await;
    let (a, b, c) = (allocated(&s, "TB-1").await, allocated(&s, "TB-2").await, allocated(&s, "TB-3").await);
    assert_eq!(level(&s, s.cup, s.wh1).await, (15, 9));
    assert_eq!(level(&s, s.pen, s.wh1).await, (10, 6));
    // Two pasted (CRLF, no header), one as a GBK file with the Chinese header.
    let r = batch(&s.warehouse, "TB-1,SF,SF0001\r\nTB-2,中通,ZT0002\r\n", None).await;
    assert_eq!((r.status, r.location()), (303, Some("/orders/ship-batch")), "{}", r.body);
    assert!(s.warehouse.get("/orders/ship-batch").await.body.contains("已批量发货 2 单"));
    let (gbk, _, _) = encoding_rs::GBK.encode("订单编号,承运商,运单号\r\ntaobao:TB-3,圆通,YT0003\r\n");
    let r = batch(&s.warehouse, "", Some(("发货.csv", gbk.into_owned()))).await;
    assert_eq!(r.status, 303, "{}", r.body);
    for id in [a, b, c] {
        assert_eq!(status(&s, id).await, "shipped");
    }
    assert_eq!(status(&s, jd).await, "pending_review", "the other platform's TB-3 is untouched");
    assert_eq!(level(&s, s.cup, s.wh1).await, (6, 0));
    assert_eq!(level(&s, s.pen, s.wh1).await, (4, 0));
    reservations_agree(&s).await;
    assert_eq!(count(&s, "SELECT count(*) FROM order_reservations WHERE state = 'consumed'").await, 6);
    assert_eq!(count(&s, "SELECT count(*) FROM order_reservations WHERE state = 'reserved'").await, 0);
    let moves = "SELECT count(*) FROM stock_movements WHERE kind = 'shipment' AND doc_type = 'order'";
    assert_eq!(count(&s, moves).await, 6);
    let parcels = s.app.strings(s.t.alpha, "SELECT carrier || ' ' || tracking_no FROM parcels ORDER BY id").await;
    assert_eq!(parcels, ["SF SF0001", "ZTO ZT0002", "YTO YT0003"]);
    assert_eq!(count(&s, "SELECT count(*) FROM order_events WHERE kind = 'ship'").await, 3);
    assert_eq!(audits(&s.app, s.t.alpha, "order.ship").await, 3);
    assert_eq!(count(&s, "SELECT count(*) FROM orders WHERE shipped_at IS NOT NULL").await, 3);
}

#[tokio::test]
async fn one_bad_line_names_its_line_and_ships_nothing() {
    let s = shop().await;
    stock_in(&s.app, s.t.alpha, s.cup, s.wh1, 20).await;
    stock_in(&s.app, s.t.alpha, s.pen, s.wh1, 20).await;
    let a = allocated(&s, "TB-1").await;
    allocated(&s, "TB-2").await;
    let held = allocated(&s, "TB-3").await;
    let r = post(&s.ops, held, "holds", &[("kind", "manual"), ("reason", "客户要求暂缓")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let approved = order(&s, "TB-4", false).await;
    assert_eq!(post(&s.ops, approved, "approve", &[]).await.status, 303);
    let sent = allocated(&s, "TB-5").await;
    assert_eq!(post(&s.warehouse, sent, "ship", &[("carrier", "SF"), ("tracking_no", "SF9999")]).await.status, 303);
    let dup = order(&s, "DUP-1", false).await;
    on_jd(&s, dup).await;
    order(&s, "DUP-1", false).await;
    let before = s
        .app
        .snapshot_with(
            s.t.alpha,
            "orders",
            a,
            &[
                "SELECT string_agg(status, ',' ORDER BY id) FROM orders",
                "SELECT string_agg(on_hand || '/' || reserved, ',' ORDER BY product_id, warehouse_id) FROM stock_levels",
                "SELECT count(*)::text FROM stock_movements",
                "SELECT string_agg(state || quantity, ',' ORDER BY id) FROM order_reservations",
                "SELECT count(*)::text FROM parcels",
                "SELECT count(*)::text FROM order_events",
            ],
        )
        .await;
    let cases: &[(&str, &str, &str)] = &[
        ("TB-1,SF,SF0001\nTB-2,SF,SF0002\nNOPE-1,SF,SF0003\n", "第 3 行", "订单 NOPE-1 不存在"),
        ("TB-1,SF,SF0001\nTB-2,SF,SF0002\nTB-3,SF,SF0003\n", "第 3 行", "有挂起（人工挂起）"),
        ("TB-1,SF,SF0001\nTB-2,SF,SF0002\nTB-4,SF,SF0003\n", "第 3 行", "当前为「已审核」，不能发货"),
        ("TB-1,SF,SF0001\nTB-5,SF,SF0002\n", "第 2 行", "当前为「已发货」"),
        (
            "order_no,carrier,tracking_no\r\nTB-1,SF,SF0001\r\nTB-2,SF,SF9999\r\n",
            "第 3 行",
            "顺丰 运单号 SF9999 已被使用",
        ),
        ("TB-1,SF,SF0001\nTB-2,SF,SF0001\n", "第 2 行", "顺丰 运单号 SF0001 与第 1 行重复"),
        ("TB-1,SF,SF0001\nTB-2,XYZ,SF0002\n", "第 2 行", "“XYZ”不是有效承运商"),
        ("TB-1,SF,SF0001\nTB-2,SF,1\n", "第 2 行", "运单号为 4–40 位字母、数字或 -"),
        (
            "TB-1,SF,SF0001\nDUP-1,SF,SF0002\n",
            "第 2 行",
            "订单号 DUP-1 在多个平台都有（京东、淘宝），请写成“平台:订单号”，如 jd:DUP-1",
        ),
        ("TB-1,SF,SF0001\nTB-1,ZTO,ZT0002\n", "第 2 行", "订单 TB-1 已在第 1 行"),
        ("TB-1,SF,SF0001\nTB-2,SF\n", "第 2 行", "应有 3 列"),
    ];
    for (lines, line, message) in cases {
        let r = batch(&s.warehouse, lines, None).await;
        assert_eq!(r.status, 422, "{lines}: {}", r.body);
        let errors = &r.body[r.body.find("data-testid=\"import-errors\"").unwrap_or_else(|| panic!("{}", r.body))..];
        assert!(errors.contains(line) && errors.contains(message), "{lines}: {line} {message} not in {errors}");
        assert!(r.body.contains("没有发出任何订单"), "{}", r.body);
        s.app.assert_unchanged(&before, lines).await;
    }
    // Nothing given, or both ways at once: the form again.
    assert_eq!(batch(&s.warehouse, " \r\n", None).await.status, 422);
    assert_eq!(batch(&s.warehouse, "TB-1,SF,SF0001", Some(("b.csv", b"TB-2,SF,SF0002".to_vec()))).await.status, 422);
    s.app.assert_unchanged(&before, "empty or twice").await;
    // And the same lines once fixed ship both.
    let r = batch(&s.warehouse, "TB-1,SF,SF0001\nTB-2,SF,SF0002\n", None).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(status(&s, a).await, "shipped");
}

#[tokio::test]
async fn only_the_warehouse_ships_a_batch_and_only_its_own_tenants_orders() {
    let s = shop().await;
    let a = allocated(&s, "TB-1").await;
    s.app.user(s.t.beta, "wh", Dept::Warehouse, Level::Specialist, false).await;
    let before = s.app.snapshot(s.t.alpha, "orders", a).await;
    for c in [&s.ops, &s.hr, &s.sales, &s.manager] {
        assert_eq!(c.get("/orders/ship-batch").await.status, 403);
        let r = c.upload("/", "/orders/ship-batch", &[("lines", "TB-1,SF,SF0001")], "", Vec::new()).await;
        assert_eq!(r.status, 403);
    }
    let beta = s.app.signed_in("beta", "wh").await;
    let r = batch(&beta, "TB-1,SF,SF0001", None).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("订单 TB-1 不存在"), "{}", r.body);
    s.app.assert_unchanged(&before, "refused batches").await;
    assert!(s.warehouse.get("/orders").await.body.contains("href=\"/orders/ship-batch\""));
    assert!(!s.ops.get("/orders").await.body.contains("href=\"/orders/ship-batch\""));
}
