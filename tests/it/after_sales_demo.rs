//! After-sales beyond one case's life: every page and step refused for a role
//! outside (403) and another tenant (404), and the demo's cases agreeing with the
//! orders, the ledger and their timelines.

use crate::after_sales::{act, case_of, desk, raise, shipped};

#[tokio::test]
async fn the_demo_has_cases_in_every_state_with_stock_money_and_orders_agreeing() {
    let app = crate::helpers::spawn_app().await;
    crate::helpers::ok(&app.cli(&["demo"], None), "demo");
    let demo: i64 =
        sqlx::query_scalar("SELECT id FROM tenants WHERE code = 'demo'").fetch_one(&app.owner).await.unwrap();
    let states = app.strings(demo, "SELECT DISTINCT status FROM after_sales ORDER BY 1").await;
    assert_eq!(
        states,
        [
            "approved",
            "closed",
            "received",
            "refund_pending",
            "refunded",
            "rejected",
            "repaired",
            "requested",
            "reshipped"
        ]
    );
    let kinds = app.strings(demo, "SELECT DISTINCT kind FROM after_sales ORDER BY 1").await;
    assert_eq!(kinds, ["exchange", "refund", "repair", "return"]);
    // The orders carry exactly their cases, refunds and returned units.
    let off = app
        .scalar_i64(
            demo,
            "SELECT count(*) FROM orders o WHERE o.after_sale_count <> (SELECT count(*) FROM after_sales a WHERE a.order_id = o.id)
                OR o.refunded_fen <> (SELECT coalesce(sum(amount_fen), 0) FROM refunds r WHERE r.order_id = o.id AND r.status = 'done')
                OR o.refunded_fen > o.paid_fen",
        )
        .await;
    assert_eq!(off, 0, "orders' after-sales totals");
    let off = app
        .scalar_i64(
            demo,
            "SELECT count(*) FROM order_lines l WHERE l.returned_qty <> (SELECT coalesce(sum(received_qty), 0) FROM after_sales a
               WHERE a.order_id = l.order_id AND a.line_no = l.line_no AND a.kind <> 'repair')",
        )
        .await;
    assert_eq!(off, 0, "lines' returned quantities");
    // Restocked units came back through the ledger; the ledger holds.
    let restocked = app
        .scalar_i64(
            demo,
            "SELECT count(*) FROM after_sale_receipts WHERE disposition = 'restock' AND movement_id IS NOT NULL",
        )
        .await;
    let restock = app.scalar_i64(demo, "SELECT count(*) FROM after_sale_receipts WHERE disposition = 'restock'").await;
    assert!(restocked > 0 && restocked == restock);
    let off = app
        .scalar_i64(
            demo,
            "SELECT count(*) FROM stock_levels s WHERE on_hand <> (SELECT coalesce(sum(quantity), 0) FROM stock_movements m
             WHERE m.product_id = s.product_id AND m.warehouse_id = s.warehouse_id)",
        )
        .await;
    assert_eq!(off, 0);
    let sent = app.scalar_i64(demo, "SELECT count(*) FROM after_sales WHERE kind IN ('exchange', 'repair') AND status IN ('reshipped', 'repaired', 'closed') AND parcel_id IS NULL").await;
    assert_eq!(sent, 0, "every case sent out has its parcel");
    let events = app.scalar_i64(demo, "SELECT count(*) FROM after_sales a WHERE NOT EXISTS (SELECT 1 FROM after_sale_events e WHERE e.case_id = a.id AND e.kind = 'raise')").await;
    assert_eq!(events, 0, "every case has its timeline");
    // The service desk opens the list and a case of every state; the next number follows.
    let svc = app.client();
    assert_eq!(svc.login("demo", "service.specialist", yunying::demo::DEMO_PASSWORD).await.status, 303);
    assert_eq!(svc.get("/after-sales").await.status, 200);
    for id in app.strings(demo, "SELECT min(id)::text FROM after_sales GROUP BY status").await {
        let page = svc.get(&format!("/after-sales/{id}")).await;
        assert_eq!(page.status, 200, "{}", page.body);
    }
    let last = app.scalar_i64(demo, "SELECT count(*) FROM after_sales").await;
    let order =
        app.scalar_i64(demo, "SELECT min(id) FROM orders WHERE status = 'delivered' AND after_sale_count = 0").await;
    let sku = app.strings(demo, &format!("SELECT p.sku FROM order_lines l JOIN products p ON p.id = l.product_id WHERE l.order_id = {order} AND l.line_no = 1")).await;
    let r = raise(&svc, order, &[("kind", "repair"), ("sku", &sku[0]), ("quantity", "1"), ("reason", "演示后新申请")])
        .await;
    let id = case_of(&r);
    assert!(svc.get(&format!("/after-sales/{id}")).await.body.contains(&format!("AS-{:06}", last + 1)));
}

#[tokio::test]
async fn every_page_and_step_is_403_for_a_role_outside_and_404_for_another_tenant() {
    let d = desk().await;
    let s = &d.s;
    let order = shipped(&d, "TB-10", None).await;
    let id = case_of(
        &raise(
            &d.svc,
            order,
            &[("kind", "return"), ("sku", "CUP-1"), ("quantity", "1"), ("amount", "1"), ("reason", "x")],
        )
        .await,
    );
    let before = s.app.snapshot(s.t.alpha, "after_sales", id).await;
    for path in [
        "/after-sales".to_owned(),
        "/after-sales.csv".into(),
        format!("/after-sales/{id}"),
        format!("/after-sales/new?order={order}"),
    ] {
        assert_eq!(s.hr.get(&path).await.status, 403, "HR: GET {path}");
    }
    assert_eq!(s.beta.get(&format!("/after-sales/{id}")).await.status, 404);
    assert_eq!(s.beta.get(&format!("/after-sales/new?order={order}")).await.status, 404);
    for step in ["approve", "reject", "receive", "reship", "close", "refund", "refund/approve", "refund/reject"] {
        let fields = [
            ("comment", "不行"),
            ("disposition", "scrap"),
            ("amount", "1"),
            ("warehouse", "WH1"),
            ("carrier", "SF"),
            ("tracking_no", "SF777"),
        ];
        assert_eq!(act(&s.hr, id, step, &fields).await.status, 403, "HR: {step}");
        assert_eq!(act(&s.sales, id, step, &fields).await.status, 403, "a sales rep: {step}");
        assert_eq!(act(&s.beta, id, step, &fields).await.status, 404, "beta: {step}");
    }
    assert_eq!(act(&s.beta, 999_999, "approve", &[]).await.status, 404, "no such case");
    s.app.assert_unchanged(&before, "refused steps").await;
}
