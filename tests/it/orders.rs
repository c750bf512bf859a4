//! Orders on the web: review and holds, allocation, parcels, delivery, cancel —
//! every refusal (403, 404, 409, bad input) changing nothing, and the stock exact
//! at every step.

use yunying::db;
use yunying::inventory::ledger::{self, DocType, MovementKind, NewMovement};
use yunying::orders::codes::{Platform, Source};
use yunying::orders::repo::{self, Author, NewLine, NewOrder};
use yunying::orders::ShipTo;
use yunying::people::{Dept, Level};

use crate::helpers::{spawn_app, two_tenants, Client, TestApp, TwoTenants};
use crate::ledger::item;

pub struct Shop {
    pub app: TestApp,
    pub t: TwoTenants,
    /// ops specialist: operates orders
    pub ops: Client,
    /// ops manager: overrides
    pub manager: Client,
    /// warehouse specialist: ships
    pub warehouse: Client,
    pub sales: Client,
    pub hr: Client,
    pub beta: Client,
    pub cup: i64,
    pub pen: i64,
    pub wh1: i64,
    pub wh2: i64,
}

pub async fn stock_in(app: &TestApp, tenant: i64, product: i64, wh: i64, q: i64) {
    let mut tx = db::begin_tenant(&app.db, tenant).await.unwrap();
    let m = NewMovement {
        product_id: product,
        warehouse_id: wh,
        kind: MovementKind::Receipt,
        quantity: q,
        reason: "测试入库",
        doc: DocType::Manual,
        doc_id: None,
        created_by: None,
    };
    ledger::post(&mut tx, tenant, &m).await.unwrap();
    tx.commit().await.unwrap();
}

pub async fn shop() -> Shop {
    let app = spawn_app().await;
    let t = two_tenants(&app).await;
    app.user(t.alpha, "wh", Dept::Warehouse, Level::Specialist, false).await;
    app.user(t.alpha, "rep", Dept::Sales, Level::Specialist, false).await;
    app.user(t.alpha, "hrs", Dept::Hr, Level::Specialist, false).await;
    app.user(t.beta, "manager", Dept::Ops, Level::Manager, false).await;
    let (cup, wh1) = item(&app, t.alpha, "CUP-1", "WH1").await;
    let (pen, wh2) = item(&app, t.alpha, "PEN-1", "WH2").await;
    stock_in(&app, t.alpha, cup, wh1, 5).await;
    stock_in(&app, t.alpha, pen, wh1, 10).await;
    stock_in(&app, t.alpha, cup, wh2, 1).await;
    Shop {
        ops: app.signed_in("alpha", "specialist").await,
        manager: app.signed_in("alpha", "manager").await,
        warehouse: app.signed_in("alpha", "wh").await,
        sales: app.signed_in("alpha", "rep").await,
        hr: app.signed_in("alpha", "hrs").await,
        beta: app.signed_in("beta", "manager").await,
        app,
        t,
        cup,
        pen,
        wh1,
        wh2,
    }
}

/// A paid Taobao order `no` of `lines` to 王小明 (address complete), of nobody's rep.
pub fn new_order(no: &str, paid_fen: i64, lines: Vec<NewLine>) -> NewOrder {
    NewOrder {
        platform: Platform::Taobao,
        order_no: no.into(),
        shop: "旗舰店".into(),
        source: Source::Import,
        customer_id: None,
        contract_id: None,
        buyer: "小王".into(),
        ship_to: ShipTo {
            receiver: "王小明".into(),
            phone: "13800000000".into(),
            province: "浙江省".into(),
            city: "杭州市".into(),
            district: "西湖区".into(),
            address: "文三路 1 号".into(),
        },
        buyer_note: String::new(),
        seller_note: String::new(),
        shipping_fen: 0,
        discount_fen: 0,
        paid_fen,
        ordered_at: chrono::Utc::now(),
        paid_at: Some(chrono::Utc::now()),
        rep_id: None,
        rep_department: None,
        created_by: None,
        campaign_id: None,
        lines,
    }
}

/// Insert `o` into `tenant`: its id.
pub async fn insert_order(app: &TestApp, tenant: i64, o: NewOrder) -> i64 {
    let mut tx = db::begin_tenant(&app.db, tenant).await.unwrap();
    let ids = repo::insert(&mut tx, tenant, &[o], &Author { user_id: None, name: "测试" }, "测试").await.unwrap();
    tx.commit().await.unwrap();
    ids[0]
}

/// An order of 3 cups and 2 pens (paid unless `unpaid`, address complete).
pub async fn order(s: &Shop, no: &str, unpaid: bool) -> i64 {
    let lines = vec![
        NewLine { product_id: s.cup, quantity: 3, unit_price_fen: 800, contract_line_id: None },
        NewLine { product_id: s.pen, quantity: 2, unit_price_fen: 400, contract_line_id: None },
    ];
    let mut o = new_order(no, 3200, lines);
    if unpaid {
        o.paid_at = None;
    }
    insert_order(&s.app, s.t.alpha, o).await
}

/// An order of 3 cups and 2 pens at `prices` (fen), paid `paid_fen`, of the sales
/// rep `rep` when given.
pub async fn order_with(s: &Shop, no: &str, paid_fen: i64, prices: [i64; 2], rep: Option<i64>) -> i64 {
    let lines = vec![
        NewLine { product_id: s.cup, quantity: 3, unit_price_fen: prices[0], contract_line_id: None },
        NewLine { product_id: s.pen, quantity: 2, unit_price_fen: prices[1], contract_line_id: None },
    ];
    let mut o = new_order(no, paid_fen, lines);
    o.rep_id = rep;
    o.rep_department = rep.map(|_| "sales".to_owned());
    insert_order(&s.app, s.t.alpha, o).await
}

/// (on hand, reserved) of a product in a warehouse.
pub async fn level(s: &Shop, product: i64, wh: i64) -> (i64, i64) {
    let v = s
        .app
        .strings(
            s.t.alpha,
            &format!(
                "SELECT on_hand || ',' || reserved FROM stock_levels WHERE product_id = {product} AND warehouse_id = {wh}"
            ),
        )
        .await;
    let (a, b) = v[0].split_once(',').unwrap();
    (a.parse().unwrap(), b.parse().unwrap())
}

/// Reserved equals the sum of open reservations, for every level of the tenant.
pub async fn reservations_agree(s: &Shop) {
    let off = s
        .app
        .scalar_i64(
            s.t.alpha,
            "SELECT count(*) FROM stock_levels l WHERE l.reserved <> coalesce((SELECT sum(r.quantity) FROM order_reservations r
             WHERE r.tenant_id = l.tenant_id AND r.warehouse_id = l.warehouse_id AND r.product_id = l.product_id
               AND r.state = 'reserved'), 0)",
        )
        .await;
    assert_eq!(off, 0, "reserved = Σ open reservations");
}

pub fn status_of(body: &str) -> String {
    let marks: Vec<&str> = body.split("data-status=\"").skip(1).collect();
    assert_eq!(marks.len(), 1, "exactly one data-status on the record page");
    marks[0].split('"').next().unwrap().to_owned()
}

pub async fn post(c: &Client, id: i64, action: &str, fields: &[(&str, &str)]) -> crate::helpers::Page {
    c.post_form(&format!("/orders/{id}"), &format!("/orders/{id}/{action}"), fields).await
}

#[tokio::test]
async fn an_order_is_reviewed_allocated_shipped_in_two_parcels_and_delivered_with_stock_exact() {
    let s = shop().await;
    let id = order(&s, "TB-100", false).await;
    let page = s.ops.get(&format!("/orders/{id}")).await;
    assert_eq!(status_of(&page.body), "pending_review");
    assert!(page.body.contains("WH1") && page.body.contains("可满足"), "WH1 covers every line");
    // Review.
    let r = post(&s.ops, id, "approve", &[]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(status_of(&s.ops.get(&format!("/orders/{id}")).await.body), "approved");
    // Allocation in WH2 fails (1 cup there): nothing reserved anywhere.
    let r = post(&s.ops, id, "allocate", &[("warehouse", "WH2")]).await;
    assert_eq!(r.status, 409);
    assert!(r.body.contains("CUP-1"), "names the short SKU: {}", r.body);
    assert_eq!(level(&s, s.cup, s.wh2).await, (1, 0));
    assert_eq!(level(&s, s.pen, s.wh1).await, (10, 0));
    // In WH1: everything.
    let r = post(&s.ops, id, "allocate", &[("warehouse", "WH1")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(level(&s, s.cup, s.wh1).await, (5, 3));
    assert_eq!(level(&s, s.pen, s.wh1).await, (10, 2));
    reservations_agree(&s).await;
    // Ops may not ship; the warehouse ships one cup first.
    assert_eq!(post(&s.ops, id, "ship", &[("carrier", "SF"), ("tracking_no", "SF1000")]).await.status, 403);
    let r = post(&s.warehouse, id, "ship", &[("carrier", "SF"), ("tracking_no", "SF1000"), ("qty_1", "1")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(status_of(&s.ops.get(&format!("/orders/{id}")).await.body), "partially_shipped");
    assert_eq!(level(&s, s.cup, s.wh1).await, (4, 2));
    assert_eq!(level(&s, s.pen, s.wh1).await, (10, 2), "line 2 shipped nothing");
    reservations_agree(&s).await;
    // More than reserved: the form again, nothing changed.
    let r = post(&s.warehouse, id, "ship", &[("carrier", "ZTO"), ("tracking_no", "ZT2000"), ("qty_1", "3")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("最多可发 2 件"), "{}", r.body);
    // A tracking number already used with that carrier: 409.
    assert_eq!(post(&s.warehouse, id, "ship", &[("carrier", "SF"), ("tracking_no", "SF1000")]).await.status, 409);
    assert_eq!(level(&s, s.cup, s.wh1).await, (4, 2));
    // The rest.
    let r = post(&s.warehouse, id, "ship", &[("carrier", "ZTO"), ("tracking_no", "ZT2000")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(level(&s, s.cup, s.wh1).await, (2, 0));
    assert_eq!(level(&s, s.pen, s.wh1).await, (8, 0));
    reservations_agree(&s).await;
    let moves = s
        .app
        .scalar_i64(s.t.alpha, &format!("SELECT (-sum(quantity))::bigint FROM stock_movements WHERE kind = 'shipment' AND doc_type = 'order' AND doc_id = {id}"))
        .await;
    assert_eq!(moves, 5, "every unit left through a shipment movement of the order");
    let page = s.ops.get(&format!("/orders/{id}")).await;
    assert_eq!(status_of(&page.body), "shipped");
    assert!(page.body.contains("SF1000") && page.body.contains("ZT2000"));
    // The list finds the order by each parcel's tracking number, exactly.
    for (q, found) in [("SF1000", true), ("ZT2000", true), ("SF100", false), ("ZT20001", false)] {
        let list = s.ops.get(&format!("/orders?q={q}")).await.body;
        assert_eq!(list.contains(&format!("href=\"/orders/{id}\"")), found, "{q}");
    }
    // Nothing can be cancelled once shipped.
    assert_eq!(post(&s.manager, id, "cancel", &[("reason", "客户不要了")]).await.status, 409);
    let r = post(&s.warehouse, id, "deliver", &[]).await;
    assert_eq!(r.status, 303);
    let page = s.ops.get(&format!("/orders/{id}")).await;
    assert_eq!(status_of(&page.body), "delivered");
    for kind in ["intake", "approve", "allocate", "ship", "deliver"] {
        assert!(page.body.contains(&format!("data-event=\"{kind}\"")), "timeline has {kind}");
    }
}

#[tokio::test]
async fn holds_block_review_and_are_released_with_a_note_unpaid_only_by_payment_or_the_ops_manager() {
    let s = shop().await;
    let id = order(&s, "TB-200", true).await;
    let active = "SELECT count(*) FROM order_holds WHERE released_at IS NULL";
    // Intake placed `unpaid` (no payment time).
    let page = s.ops.get(&format!("/orders/{id}")).await;
    assert!(page.body.contains("data-hold=\"unpaid\""), "{}", page.body);
    assert_eq!(post(&s.ops, id, "approve", &[]).await.status, 409, "held: no approval");
    // A manual hold needs a reason; with one it is placed once.
    let r = post(&s.ops, id, "holds", &[("kind", "manual"), ("reason", "")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("请填写挂起原因"));
    assert_eq!(s.app.scalar_i64(s.t.alpha, active).await, 1);
    assert_eq!(post(&s.ops, id, "holds", &[("kind", "manual"), ("reason", "客户要求改地址")]).await.status, 303);
    assert_eq!(post(&s.ops, id, "holds", &[("kind", "manual"), ("reason", "再来一次")]).await.status, 409);
    assert_eq!(s.app.scalar_i64(s.t.alpha, active).await, 2);
    let hold = |kind: &str| {
        let app = &s.app;
        let t = s.t.alpha;
        let sql = format!("SELECT id FROM order_holds WHERE kind = '{kind}' AND released_at IS NULL");
        async move { app.scalar_i64(t, &sql).await }
    };
    let manual = hold("manual").await;
    let unpaid = hold("unpaid").await;
    // A release needs a note.
    let r = post(&s.ops, id, &format!("holds/{manual}/release"), &[("note", " ")]).await;
    assert_eq!(r.status, 422);
    assert_eq!(
        post(&s.ops, id, &format!("holds/{manual}/release"), &[("note", "已联系客户确认地址")]).await.status,
        303
    );
    assert_eq!(post(&s.ops, id, &format!("holds/{manual}/release"), &[("note", "again")]).await.status, 409);
    // unpaid: not the specialist's to release without payment; the ops manager's.
    assert_eq!(post(&s.ops, id, &format!("holds/{unpaid}/release"), &[("note", "货到付款")]).await.status, 403);
    assert_eq!(s.app.scalar_i64(s.t.alpha, active).await, 1);
    assert_eq!(post(&s.manager, id, &format!("holds/{unpaid}/release"), &[("note", "货到付款")]).await.status, 303);
    assert_eq!(s.app.scalar_i64(s.t.alpha, active).await, 0);
    assert_eq!(post(&s.ops, id, "approve", &[]).await.status, 303);

    // Another order: recording the payment releases unpaid.
    let id2 = order(&s, "TB-201", true).await;
    let r = post(&s.ops, id2, "paid", &[("paid_at", "2026-13-01 10:00")]).await;
    assert_eq!(r.status, 422, "a bad time is named");
    assert_eq!(post(&s.ops, id2, "paid", &[("paid_at", "2026-11-30 10:00")]).await.status, 303);
    assert!(!s.ops.get(&format!("/orders/{id2}")).await.body.contains("data-hold=\"unpaid\""));
    assert_eq!(post(&s.ops, id2, "paid", &[]).await.status, 409, "paid once");

    // The list's hold filter: only orders whose hold of that kind is still active.
    let id3 = order(&s, "TB-202", true).await;
    let rows = |body: &str| -> Vec<String> {
        body.split("<tr data-order=\"").skip(1).filter_map(|r| r.split('"').next()).map(str::to_owned).collect()
    };
    let held = s.ops.get("/orders?hold=unpaid").await.body;
    assert_eq!(rows(&held), [id3.to_string()], "TB-200's and TB-201's unpaid holds were released");
    assert!(held.contains(" · 共 1 条"), "{held}");
    assert!(rows(&s.ops.get("/orders?hold=manual").await.body).is_empty(), "TB-200's manual hold was released");
}

#[tokio::test]
async fn review_holds_for_stock_and_the_recheck_lifts_it_once_a_warehouse_covers() {
    let s = shop().await;
    // A first order takes 3 of WH1's 5 cups; the second finds 2 there and 1 in WH2.
    let first = order(&s, "TB-299", false).await;
    assert_eq!(post(&s.ops, first, "approve", &[]).await.status, 303);
    assert_eq!(post(&s.ops, first, "allocate", &[("warehouse", "WH1")]).await.status, 303);
    let id = order(&s, "TB-300", false).await;
    let r = post(&s.ops, id, "approve", &[]).await;
    assert_eq!(r.status, 303);
    let page = s.ops.get(&format!("/orders/{id}")).await;
    assert_eq!(status_of(&page.body), "pending_review", "held, not approved");
    assert!(page.body.contains("data-hold=\"stock\""));
    // Still short: the recheck keeps it.
    post(&s.ops, id, "recheck-stock", &[]).await;
    assert!(s.ops.get(&format!("/orders/{id}")).await.body.contains("data-hold=\"stock\""));
    // The first order is cancelled: its cups are free again (no receipt), and the recheck lifts the hold.
    assert_eq!(post(&s.manager, first, "cancel", &[("reason", "客户取消")]).await.status, 303);
    assert_eq!(post(&s.ops, id, "recheck-stock", &[]).await.status, 303);
    assert!(!s.ops.get(&format!("/orders/{id}")).await.body.contains("data-hold=\"stock\""));
    assert_eq!(post(&s.ops, id, "approve", &[]).await.status, 303);
}

#[tokio::test]
async fn a_receipt_that_lets_one_warehouse_cover_the_order_lifts_its_stock_hold_by_itself() {
    let s = shop().await;
    // 30 cups: no warehouse has them.
    let id = order(&s, "TB-310", false).await;
    s.app
        .strings(
            s.t.alpha,
            &format!("UPDATE order_lines SET quantity = 30 WHERE order_id = {id} AND line_no = 1 RETURNING ''"),
        )
        .await;
    assert_eq!(post(&s.ops, id, "approve", &[]).await.status, 303);
    let held =
        format!("SELECT count(*) FROM order_holds WHERE order_id = {id} AND kind = 'stock' AND released_at IS NULL");
    assert_eq!(s.app.scalar_i64(s.t.alpha, &held).await, 1);
    // 29 more cups in WH2 make 30 there, but WH2 has no pens: still held.
    stock_in(&s.app, s.t.alpha, s.cup, s.wh2, 29).await;
    assert_eq!(s.app.scalar_i64(s.t.alpha, &held).await, 1, "no single warehouse covers every line");
    // Another company's receipt changes nothing here.
    let (beta_cup, beta_wh) = item(&s.app, s.t.beta, "CUP-1", "WH1").await;
    stock_in(&s.app, s.t.beta, beta_cup, beta_wh, 100).await;
    assert_eq!(s.app.scalar_i64(s.t.alpha, &held).await, 1);
    // 25 cups into WH1 (30 there, and 10 pens): lifted in the receipt's transaction.
    stock_in(&s.app, s.t.alpha, s.cup, s.wh1, 25).await;
    assert_eq!(s.app.scalar_i64(s.t.alpha, &held).await, 0);
    let page = s.ops.get(&format!("/orders/{id}")).await;
    assert!(!page.body.contains("data-hold=\"stock\""));
    assert!(page.body.contains("到货后自动检查：仓库 WH1 可满足整单"), "the release note says why");
    let events = s
        .app
        .strings(s.t.alpha, &format!("SELECT actor_name FROM order_events WHERE order_id = {id} AND kind = 'release'"))
        .await;
    assert_eq!(events, ["系统"], "on the timeline, by the system");
    let audit = s
        .app
        .scalar_i64(
            s.t.alpha,
            &format!("SELECT count(*) FROM audit_log WHERE action = 'order.release' AND entity_id = '{id}' AND actor_name = '系统'"),
        )
        .await;
    assert_eq!(audit, 1, "audited");
    assert_eq!(post(&s.ops, id, "approve", &[]).await.status, 303);
    assert_eq!(status_of(&s.ops.get(&format!("/orders/{id}")).await.body), "approved");
}

#[tokio::test]
async fn cancel_releases_exactly_what_was_reserved_and_allocation_is_refused_to_the_wrong_roles() {
    let s = shop().await;
    let id = order(&s, "TB-400", false).await;
    post(&s.ops, id, "approve", &[]).await;
    assert_eq!(post(&s.ops, id, "allocate", &[("warehouse", "WH1")]).await.status, 303);
    assert_eq!(level(&s, s.cup, s.wh1).await, (5, 3));
    // After allocation only the ops manager cancels, and a reason is required.
    assert_eq!(post(&s.ops, id, "cancel", &[("reason", "客户取消")]).await.status, 403);
    assert_eq!(post(&s.manager, id, "cancel", &[("reason", "")]).await.status, 422);
    assert_eq!(level(&s, s.cup, s.wh1).await, (5, 3), "refusals change nothing");
    // Reassignment is the manager's: to WH1 again releases and reserves in one go.
    assert_eq!(post(&s.ops, id, "allocate", &[("warehouse", "WH1")]).await.status, 403);
    assert_eq!(post(&s.manager, id, "allocate", &[("warehouse", "WH1")]).await.status, 303);
    assert_eq!(level(&s, s.cup, s.wh1).await, (5, 3));
    reservations_agree(&s).await;
    assert_eq!(post(&s.manager, id, "cancel", &[("reason", "客户取消")]).await.status, 303);
    assert_eq!(level(&s, s.cup, s.wh1).await, (5, 0));
    assert_eq!(level(&s, s.pen, s.wh1).await, (10, 0));
    reservations_agree(&s).await;
    let page = s.ops.get(&format!("/orders/{id}")).await;
    assert_eq!(status_of(&page.body), "cancelled");
    assert_eq!(post(&s.manager, id, "cancel", &[("reason", "again")]).await.status, 409);
    let _ = s.wh2;
}

#[tokio::test]
async fn who_sees_orders_and_another_tenant_sees_none() {
    let s = shop().await;
    let id = order(&s, "TB-500", false).await;
    assert_eq!(s.ops.get("/orders").await.status, 200);
    assert!(s.warehouse.get("/orders").await.body.contains("TB-500"));
    assert_eq!(s.hr.get("/orders").await.status, 403);
    assert_eq!(s.hr.get(&format!("/orders/{id}")).await.status, 403);
    // A sales rep sees the orders of their contracts and customers: not this one.
    assert!(!s.sales.get("/orders").await.body.contains("TB-500"));
    assert_eq!(s.sales.get(&format!("/orders/{id}")).await.status, 404);
    // Another tenant: 404, and its POSTs change nothing.
    assert_eq!(s.beta.get(&format!("/orders/{id}")).await.status, 404);
    let r = s.beta.post_form("/orders", &format!("/orders/{id}/approve"), &[]).await;
    assert_eq!(r.status, 404);
    assert_eq!(status_of(&s.ops.get(&format!("/orders/{id}")).await.body), "pending_review");
    // The list's search: number prefix, receiver, the phone's last four digits.
    for q in ["TB-5", "小明", "0000"] {
        let body = s
            .ops
            .get(&format!("/orders?q={}", form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()))
            .await
            .body;
        assert!(body.contains(&format!("href=\"/orders/{id}\"")), "{q}");
    }
    assert!(!s.ops.get("/orders?q=TB-6").await.body.contains("TB-500"));
    assert_eq!(s.ops.get("/orders?status=nope").await.status, 400);
}

#[tokio::test]
async fn two_orders_racing_for_the_last_units_one_is_allocated() {
    let s = shop().await;
    let a = order(&s, "TB-600", false).await;
    let b = order(&s, "TB-601", false).await;
    for id in [a, b] {
        assert_eq!(post(&s.ops, id, "approve", &[]).await.status, 303);
    }
    // 5 cups in WH1, each order wants 3: both requests wait on the cups' level
    // row (held here) and then run one after the other.
    let lock = s
        .app
        .hold_lock(
            s.t.alpha,
            &format!("SELECT 1 FROM stock_levels WHERE product_id = {} AND warehouse_id = {} FOR UPDATE", s.cup, s.wh1),
        )
        .await;
    let (ta, tb) = (s.ops.get(&format!("/orders/{a}")).await.csrf(), s.ops.get(&format!("/orders/{b}")).await.csrf());
    let (pa, pb) = (format!("/orders/{a}/allocate"), format!("/orders/{b}/allocate"));
    let (fa, fb) =
        ([("csrf_token", ta.as_str()), ("warehouse", "WH1")], [("csrf_token", tb.as_str()), ("warehouse", "WH1")]);
    let (ra, rb) = crate::helpers::overlapping(&s.app, lock, 2, async {
        tokio::join!(s.ops.post_raw(&pa, &fa, &[]), s.ops.post_raw(&pb, &fb, &[]))
    })
    .await;
    let mut codes = [ra.status, rb.status];
    codes.sort();
    assert_eq!(codes, [303, 409], "exactly one allocated");
    assert_eq!(level(&s, s.cup, s.wh1).await, (5, 3));
    assert_eq!(level(&s, s.pen, s.wh1).await, (10, 2), "the loser reserved nothing, not even its pens");
    reservations_agree(&s).await;
}

#[tokio::test]
async fn reserved_is_the_sum_of_open_reservations_after_any_sequence() {
    let s = shop().await;
    stock_in(&s.app, s.t.alpha, s.cup, s.wh1, 10).await;
    stock_in(&s.app, s.t.alpha, s.pen, s.wh2, 6).await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let id = order(&s, &format!("TB-70{i}"), false).await;
        post(&s.ops, id, "approve", &[]).await;
        ids.push(id);
    }
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |n: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n
    };
    let mut tracking = 0;
    let mut done = [0; 5];
    for _ in 0..40 {
        let id = ids[next(ids.len() as u64) as usize];
        let op = next(5) as usize;
        let r = match op {
            0 => post(&s.ops, id, "allocate", &[("warehouse", ["WH1", "WH2"][next(2) as usize])]).await,
            1 => post(&s.manager, id, "allocate", &[("warehouse", ["WH1", "WH2"][next(2) as usize])]).await,
            2 | 3 => {
                tracking += 1;
                let t = format!("T{tracking:05}");
                let line = (1 + next(2)).to_string();
                let key = format!("qty_{line}");
                let mut f = vec![("carrier", "YD"), ("tracking_no", t.as_str())];
                if next(2) == 0 {
                    f.push((key.as_str(), "1"));
                }
                post(&s.warehouse, id, "ship", &f).await
            }
            _ => post(&s.manager, id, "cancel", &[("reason", "随机取消")]).await,
        };
        assert!([303, 403, 409, 422].contains(&r.status), "never a 500: {} {}", r.status, r.body);
        done[op] += usize::from(r.status == 303);
        reservations_agree(&s).await;
        let drift = s
            .app
            .scalar_i64(
                s.t.alpha,
                "SELECT count(*) FROM stock_levels l WHERE l.on_hand <> (SELECT coalesce(sum(m.quantity), 0) FROM stock_movements m
                 WHERE m.tenant_id = l.tenant_id AND m.product_id = l.product_id AND m.warehouse_id = l.warehouse_id)
                 OR l.reserved > l.on_hand",
            )
            .await;
        assert_eq!(drift, 0, "on hand is the ledger's sum, and never below what is reserved");
        let lines_off = s
            .app
            .scalar_i64(
                s.t.alpha,
                "SELECT count(*) FROM order_lines ol WHERE ol.reserved_qty <> coalesce((SELECT sum(r.quantity)
                 FROM order_reservations r WHERE r.tenant_id = ol.tenant_id AND r.order_id = ol.order_id
                 AND r.line_no = ol.line_no AND r.state = 'reserved'), 0)",
            )
            .await;
        assert_eq!(lines_off, 0, "each line's reserved quantity is its open reservations");
    }
    assert!(
        done[0] + done[1] > 0 && done[2] + done[3] > 0 && done[4] > 0,
        "allocations, parcels and cancels happened: {done:?}"
    );
}

#[tokio::test]
async fn the_stock_list_exports_as_csv_with_its_filters() {
    let s = shop().await;
    let id = order(&s, "TB-800", false).await;
    post(&s.ops, id, "approve", &[]).await;
    post(&s.ops, id, "allocate", &[("warehouse", "WH1")]).await;
    let all = s.ops.get("/inventory/stock.csv").await;
    assert_eq!(all.status, 200);
    assert!(all.body.starts_with('\u{feff}'), "BOM");
    let lines: Vec<&str> = all.body.trim_start_matches('\u{feff}').split("\r\n").collect();
    assert_eq!(lines[0], "sku,name,warehouse,on_hand,reserved,available,safety_stock,reorder_point,max_level");
    assert!(lines.contains(&"CUP-1,测试商品,WH1,5,3,2,0,0,0"), "{lines:?}");
    assert!(lines.contains(&"CUP-1,测试商品,WH2,1,0,1,0,0,0"));
    let wh2 = s.ops.get("/inventory/stock.csv?warehouse=WH2").await.body;
    assert!(!wh2.contains(",WH1,") && wh2.contains(",WH2,"), "{wh2}");
    let pens = s.ops.get("/inventory/stock.csv?q=PEN").await.body;
    assert!(pens.contains("PEN-1") && !pens.contains("CUP-1"));
    assert_eq!(s.hr.get("/inventory/stock.csv").await.status, 403);
    // The orders list too, with its filters.
    let other = order(&s, "TB-801", false).await;
    let csv = s.ops.get("/orders.csv?status=allocated").await;
    assert_eq!(csv.status, 200);
    assert!(csv.body.starts_with("\u{feff}order_no,platform,shop,ordered_at,paid_at,status,holds,"), "{}", csv.body);
    assert!(
        csv.body.contains("TB-800,taobao,旗舰店,") && csv.body.contains(",allocated,") && !csv.body.contains("TB-801")
    );
    assert!(s.ops.get("/orders.csv").await.body.contains("TB-801"));
    assert_eq!(s.hr.get("/orders.csv").await.status, 403);
    assert!(!s.sales.get("/orders.csv").await.body.contains("TB-80"), "scoped like the list");
    let _ = other;
    assert!(!s.beta.get("/inventory/stock.csv").await.body.contains("CUP-1"), "another tenant's stock is not there");
}

#[tokio::test]
async fn the_demo_has_orders_in_every_state_consistent_with_the_ledger() {
    let app = spawn_app().await;
    let out = app.cli(&["demo", "--tenants", "1", "--employees", "10", "--products", "200", "--orders", "400"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let demo: i64 = sqlx::query_scalar("SELECT id FROM tenants WHERE code = 'demo'").fetch_one(&app.db).await.unwrap();
    assert_eq!(app.scalar_i64(demo, "SELECT count(*) FROM orders").await, 400);
    let states = app.strings(demo, "SELECT DISTINCT status FROM orders ORDER BY 1").await;
    for s in [
        "allocated",
        "approved",
        "cancelled",
        "delivered",
        "exception",
        "partially_shipped",
        "pending_review",
        "shipped",
    ] {
        if s == "partially_shipped" || s == "allocated" {
            continue; // transient: the demo moves older orders on
        }
        assert!(states.contains(&s.to_owned()), "{s} in {states:?}");
    }
    let holds = app.strings(demo, "SELECT DISTINCT kind FROM order_holds WHERE released_at IS NULL ORDER BY 1").await;
    assert!(holds.contains(&"unpaid".to_owned()) && holds.contains(&"manual".to_owned()), "{holds:?}");
    assert!(
        app.scalar_i64(demo, "SELECT count(*) FROM (SELECT order_id FROM parcels GROUP BY 1 HAVING count(*) > 1) x")
            .await
            > 0
    );
    let off = app
        .scalar_i64(
            demo,
            "SELECT count(*) FROM stock_levels l WHERE l.reserved <> coalesce((SELECT sum(r.quantity) FROM order_reservations r
             WHERE r.tenant_id = l.tenant_id AND r.warehouse_id = l.warehouse_id AND r.product_id = l.product_id
               AND r.state = 'reserved'), 0)
             OR l.on_hand <> (SELECT coalesce(sum(m.quantity), 0) FROM stock_movements m
               WHERE m.tenant_id = l.tenant_id AND m.product_id = l.product_id AND m.warehouse_id = l.warehouse_id)",
        )
        .await;
    assert_eq!(off, 0, "reserved = Σ open reservations and on hand = the ledger");
    let shipped_units = app.scalar_i64(demo, "SELECT coalesce(sum(shipped_qty), 0)::bigint FROM order_lines").await;
    let moved = app
        .scalar_i64(demo, "SELECT coalesce(-sum(quantity), 0)::bigint FROM stock_movements WHERE kind = 'shipment' AND doc_type = 'order'")
        .await;
    assert_eq!(shipped_units, moved, "every shipped unit is a shipment movement");
    let off = app
        .scalar_i64(
            demo,
            "SELECT count(*) FROM orders o WHERE (SELECT coalesce(sum(shipped_qty), 0) FROM order_lines l WHERE l.order_id = o.id)
               <> (SELECT coalesce(-sum(m.quantity), 0) FROM stock_movements m WHERE m.kind = 'shipment' AND m.doc_type = 'order'
                   AND m.doc_id = o.id)
             OR (SELECT coalesce(sum(reserved_qty), 0) FROM order_lines l WHERE l.order_id = o.id)
               <> (SELECT coalesce(sum(r.quantity), 0) FROM order_reservations r WHERE r.order_id = o.id AND r.state = 'reserved')
             OR (SELECT coalesce(sum(shipped_qty), 0) FROM order_lines l WHERE l.order_id = o.id)
               <> (SELECT coalesce(sum(pl.quantity), 0) FROM parcel_lines pl WHERE pl.order_id = o.id)",
        )
        .await;
    assert_eq!(
        off, 0,
        "per order: shipped = its shipment movements = its parcels' lines; reserved = its open reservations"
    );
    let covered = app
        .scalar_i64(
            demo,
            "SELECT count(*) FROM order_holds h WHERE h.kind = 'stock' AND h.released_at IS NULL AND EXISTS (
               SELECT 1 FROM warehouses w WHERE NOT EXISTS (
                 SELECT 1 FROM order_lines l LEFT JOIN stock_levels s ON s.warehouse_id = w.id AND s.product_id = l.product_id
                 WHERE l.order_id = h.order_id AND l.quantity - l.shipped_qty - l.reserved_qty > coalesce(s.on_hand - s.reserved, 0)))",
        )
        .await;
    assert_eq!(covered, 0, "a stock hold stands only while no warehouse covers the order");
    assert!(holds.contains(&"stock".to_owned()), "{holds:?}");
    let c = app.client();
    assert_eq!(c.login("demo", "ops.manager", yunying::demo::DEMO_PASSWORD).await.status, 303);
    let list = c.get("/orders").await;
    assert_eq!(list.status, 200);
    assert!(!list.body.contains("class=\"empty\""));
    let held = c.get("/orders?hold=unpaid").await.body;
    assert!(held.contains("未付款"));
    // The hold filter (a join with the active hold): exactly the held orders, newest first.
    let unpaid = "FROM orders o WHERE EXISTS (SELECT 1 FROM order_holds h WHERE h.order_id = o.id AND h.kind = 'unpaid' AND h.released_at IS NULL)";
    let expected = app.strings(demo, &format!("SELECT o.id::text {unpaid} ORDER BY o.id DESC LIMIT 50")).await;
    let shown: Vec<String> =
        held.split("<tr data-order=\"").skip(1).filter_map(|r| r.split('"').next()).map(str::to_owned).collect();
    assert!(!shown.is_empty());
    assert_eq!(shown, expected);
    let total = app.scalar_i64(demo, &format!("SELECT count(*) {unpaid}")).await;
    assert!(held.contains(&format!(" · 共 {total} 条")), "count {total}: {held}");
    // Every 40th order was entered on the order form: numbered SO-000001… in order,
    // and the form goes on from there.
    let manual = app
        .strings(demo, "SELECT order_no || ' ' || platform || ' ' || (created_by IS NOT NULL) FROM orders WHERE source = 'manual' ORDER BY order_no")
        .await;
    assert_eq!(manual.len(), 10, "{manual:?}");
    assert_eq!(manual[0], "SO-000001 offline true");
    assert_eq!(manual[9], "SO-000010 offline true");
    // The older of the two signed sales contracts with lines was ordered (生成订单) after
    // them, the newer is left for the order desk to try: 400 orders in all.
    let from_contracts = app
        .strings(
            demo,
            "SELECT o.order_no || ' ' || c.title || ' ' || o.created_by::text || ' ' || count(l.*)
                    || ' ' || count(l.contract_line_id) || ' ' || bool_and(l.unit_price_fen = cl.price_fen AND l.quantity = cl.quantity)
             FROM orders o JOIN contracts c ON c.id = o.contract_id
             JOIN order_lines l ON l.order_id = o.id JOIN contract_lines cl ON cl.id = l.contract_line_id
             WHERE o.source = 'contract' GROUP BY o.order_no, c.title, o.created_by",
        )
        .await;
    let clerk = app.scalar_i64(demo, "SELECT id FROM users WHERE username = 'ops.specialist'").await;
    assert_eq!(from_contracts, [format!("SO-000011 连锁便利店季度供货合同 {clerk} 4 4 true")]);
    let waiting = app
        .strings(
            demo,
            "SELECT c.title FROM contracts c WHERE c.kind = 'sales' AND c.status = 'signed'
               AND EXISTS (SELECT 1 FROM contract_lines l WHERE l.contract_id = c.id)
               AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.contract_id = c.id)",
        )
        .await;
    assert_eq!(waiting, ["社区生鲜超市月度供货合同"]);
    // Linked both ways on the pages, and the order desk is offered the one left.
    let (order_id, contract_id) = (
        app.scalar_i64(demo, "SELECT id FROM orders WHERE source = 'contract'").await,
        app.scalar_i64(demo, "SELECT contract_id FROM orders WHERE source = 'contract'").await,
    );
    // Linked to whoever may open the contract: the sales director; the order desk (the
    // ops manager, who does not see the sales department's contracts: 404) gets the
    // number alone, on the order and on the form's waiting list.
    let link = format!("href=\"/contracts/{contract_id}\"");
    let director = app.client();
    assert_eq!(director.login("demo", "sales.director", yunying::demo::DEMO_PASSWORD).await.status, 303);
    let order_page = director.get(&format!("/orders/{order_id}")).await;
    assert_eq!(order_page.status, 200);
    assert!(order_page.body.contains(&link), "{}", order_page.body);
    let contract_page = director.get(&format!("/contracts/{contract_id}")).await;
    assert!(contract_page.body.contains(&format!("href=\"/orders/{order_id}\">SO-000011</a>")));
    assert_eq!(c.get(&format!("/contracts/{contract_id}")).await.status, 404);
    let desk_page = c.get(&format!("/orders/{order_id}")).await.body;
    assert!(
        !desk_page.contains(&link) && desk_page.contains(&format!("data-contract=\"{contract_id}\"")),
        "{desk_page}"
    );
    let waiting_id = app.scalar_i64(demo, "SELECT id FROM contracts WHERE title = '社区生鲜超市月度供货合同'").await;
    let form = c.get("/orders/new").await.body;
    assert!(form.contains("社区生鲜超市月度供货合同") && !form.contains("连锁便利店季度供货合同"), "{form}");
    assert!(!form.contains(&format!("href=\"/contracts/{waiting_id}\"")), "{form}");
    assert_eq!(
        app.scalar_i64(
            demo,
            "SELECT count(*) FROM contract_events WHERE action = 'order' AND comment = '订单 SO-000011'"
        )
        .await,
        1,
        "the contract's history says so"
    );
    assert_eq!(
        app.scalar_i64(demo, "SELECT count(*) FROM audit_log WHERE action = 'order.create_from_contract'").await,
        1
    );
    assert_eq!(
        app.scalar_i64(demo, "SELECT last FROM order_numbers WHERE prefix = 'SO'").await,
        11,
        "the next hand-entered order is SO-000012"
    );
    let taken = app
        .scalar_i64(
            demo,
            "SELECT count(*) FROM order_events e JOIN orders o ON o.id = e.order_id
             WHERE o.source = 'manual' AND e.kind = 'intake' AND e.note = '手工录入' AND e.actor_id = o.created_by",
        )
        .await;
    assert_eq!(taken, 10, "taken in at the order desk, by its clerk");
}

#[tokio::test]
async fn the_home_pages_show_the_order_desks_queues_with_counts() {
    let s = shop().await;
    let a = order(&s, "TB-900", true).await;
    let b = order(&s, "TB-901", false).await;
    post(&s.ops, b, "approve", &[]).await;
    let line = |body: &str, key: &str| -> Option<String> {
        body.split(&format!("data-queue=\"{key}\" data-count=\""))
            .nth(1)
            .and_then(|r| r.split('"').next())
            .map(str::to_owned)
    };
    let ops = s.ops.get("/").await.body;
    assert_eq!(line(&ops, "orders.pending_review").as_deref(), Some("1"), "TB-900 waits for review");
    assert_eq!(line(&ops, "orders.hold.unpaid").as_deref(), Some("1"));
    assert_eq!(line(&ops, "orders.approved").as_deref(), Some("1"), "TB-901 waits for allocation");
    assert!(ops.contains("href=\"/orders?hold=unpaid\""));
    assert_eq!(line(&ops, "orders.allocated"), None, "shipping is the warehouse's queue");
    post(&s.ops, b, "allocate", &[("warehouse", "WH1")]).await;
    let wh = s.warehouse.get("/").await.body;
    assert_eq!(line(&wh, "orders.allocated").as_deref(), Some("1"));
    assert_eq!(line(&wh, "orders.pending_review"), None);
    assert_eq!(line(&s.hr.get("/").await.body, "orders.pending_review"), None, "HR has no order queue");
    assert_eq!(
        line(&s.beta.get("/").await.body, "orders.pending_review"),
        None,
        "another tenant's orders are not counted"
    );
    let _ = a;
}

#[tokio::test]
async fn every_order_post_refuses_a_role_without_it_and_another_tenant() {
    let s = shop().await;
    let id = order(&s, "TB-990", true).await;
    let hold = s.app.scalar_i64(s.t.alpha, "SELECT id FROM order_holds WHERE kind = 'unpaid'").await;
    let release = format!("holds/{hold}/release");
    let actions: [(&str, &[(&str, &str)]); 10] = [
        ("holds", &[("kind", "manual"), ("reason", "x")]),
        (&release, &[("note", "x")]),
        ("paid", &[]),
        ("approve", &[]),
        ("recheck-stock", &[]),
        ("allocate", &[("warehouse", "WH1")]),
        ("ship", &[("carrier", "SF"), ("tracking_no", "SF5555")]),
        ("deliver", &[]),
        ("exception", &[("kind", "lost"), ("note", "x")]),
        ("cancel", &[("reason", "x")]),
    ];
    s.app.user(s.t.beta, "wh", Dept::Warehouse, Level::Specialist, false).await;
    let beta_wh = s.app.signed_in("beta", "wh").await;
    let before = s.app.snapshot(s.t.alpha, "orders", id).await;
    for (action, fields) in actions {
        // Another tenant's staff who may do this anywhere: the order is not there (404).
        let beta = if ["ship", "deliver", "exception"].contains(&action) { &beta_wh } else { &s.beta };
        // HR may not even see orders; the sales rep sees none of these (out of scope: 404).
        assert_eq!(s.hr.post_form("/", &format!("/orders/{id}/{action}"), fields).await.status, 403, "hr {action}");
        assert_eq!(
            s.sales.post_form("/", &format!("/orders/{id}/{action}"), fields).await.status,
            403,
            "sales {action}"
        );
        assert_eq!(beta.post_form("/", &format!("/orders/{id}/{action}"), fields).await.status, 404, "beta {action}");
    }
    s.app.assert_unchanged(&before, "refused order POSTs").await;
}
