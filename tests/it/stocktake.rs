//! Stocktake (盘点): open → blind count → submit → approve posts counted − book
//! through the ledger; reasons above the tenant threshold; one open count per
//! warehouse; roles, tenants, stale and concurrent transitions; bad counts.

use crate::helpers::{spawn_app, Client, TestApp};
use crate::ledger::item;
use yunying::db;
use yunying::inventory::ledger::{self, DocType, MovementKind, NewMovement};
use yunying::people::{Dept, Level};

struct World {
    app: TestApp,
    t: i64,
    wh: i64,
    /// Product ids by SKU, in the order given.
    products: Vec<(String, i64)>,
}

impl World {
    fn pid(&self, sku: &str) -> i64 {
        self.products.iter().find(|(s, _)| s == sku).map(|(_, id)| *id).expect("sku")
    }

    async fn client(&self, username: &str) -> Client {
        self.app.signed_in("acme", username).await
    }

    async fn scalar(&self, sql: &str) -> i64 {
        self.app.scalar_i64(self.t, sql).await
    }

    async fn on_hand(&self, sku: &str) -> i64 {
        self.scalar(&format!(
            "SELECT on_hand FROM stock_levels WHERE product_id = {} AND warehouse_id = {}",
            self.pid(sku),
            self.wh
        ))
        .await
    }

    /// The stocktake, its lines and the ledger's stocktake movements, for refusals.
    async fn stocktake(&self, id: i64) -> crate::helpers::Snapshot {
        let lines = format!(
            "SELECT string_agg(to_jsonb(l)::text, ',' ORDER BY l.product_id) FROM stocktake_lines l WHERE stocktake_id = {id}"
        );
        let movements = "SELECT count(*)::text FROM stock_movements WHERE doc_type = 'stocktake'";
        self.app.snapshot_with(self.t, "stocktakes", id, &[&lines, movements]).await
    }

    async fn status(&self, id: i64) -> String {
        let mut tx = db::begin_tenant(&self.app.db, self.t).await.unwrap();
        let s: String = sqlx::query_scalar("SELECT status FROM stocktakes WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        s
    }

    async fn movement(&self, sku: &str, kind: MovementKind, quantity: i64) {
        post(&self.app, self.t, self.pid(sku), self.wh, kind, quantity).await;
    }
}

async fn post(app: &TestApp, tenant: i64, product: i64, wh: i64, kind: MovementKind, quantity: i64) {
    let mut tx = db::begin_tenant(&app.db, tenant).await.unwrap();
    ledger::post(
        &mut tx,
        tenant,
        &NewMovement {
            product_id: product,
            warehouse_id: wh,
            kind,
            quantity,
            reason: "测试期初",
            doc: DocType::Import,
            doc_id: None,
            created_by: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// Tenant `acme` with its people, one warehouse WH1 and the given (sku, on hand).
async fn world(stock: &[(&str, i64)]) -> World {
    let app = spawn_app().await;
    let t = app.tenant("acme").await;
    app.user(t, "opsmgr", Dept::Ops, Level::Manager, false).await;
    app.user(t, "director", Dept::Sales, Level::Director, false).await;
    app.user(t, "whmgr", Dept::Warehouse, Level::Manager, false).await;
    app.user(t, "counter", Dept::Warehouse, Level::Specialist, false).await;
    app.user(t, "opsspec", Dept::Ops, Level::Specialist, false).await;
    app.user(t, "sales", Dept::Sales, Level::Specialist, false).await;
    let mut products = Vec::new();
    let mut wh = 0;
    for (sku, qty) in stock {
        let (p, w) = item(&app, t, sku, "WH1").await;
        wh = w;
        if *qty > 0 {
            post(&app, t, p, w, MovementKind::Receipt, *qty).await;
        }
        products.push((sku.to_string(), p));
    }
    World { app, t, wh, products }
}

fn id_of(location: Option<&str>) -> i64 {
    let loc = location.expect("a redirect");
    loc.trim_start_matches("/inventory/stocktakes/").parse().unwrap_or_else(|_| panic!("record path: {loc}"))
}

async fn open(w: &World, c: &Client, prefix: &str) -> i64 {
    let res = c
        .post_form(
            "/inventory/stocktakes/new",
            "/inventory/stocktakes",
            &[("warehouse_id", &w.wh.to_string()), ("sku_prefix", prefix), ("scope_note", "月底盘点")],
        )
        .await;
    assert_eq!(res.status, 303, "open: {}", res.body);
    id_of(res.location())
}

/// Save counts (and reasons) on the count page: (sku, qty, reason).
async fn count(w: &World, c: &Client, id: i64, lines: &[(&str, &str, &str)]) -> crate::helpers::Page {
    let path = format!("/inventory/stocktakes/{id}/count");
    let names: Vec<(String, String, String, String)> = lines
        .iter()
        .map(|(sku, q, r)| {
            let pid = w.pid(sku);
            (format!("qty_{pid}"), q.to_string(), format!("reason_{pid}"), r.to_string())
        })
        .collect();
    let mut fields: Vec<(&str, &str)> = vec![("page", "1"), ("sku", "")];
    for (qn, q, rn, r) in &names {
        fields.push((qn, q));
        fields.push((rn, r));
    }
    c.post_form(&path, &path, &fields).await
}

async fn act(c: &Client, id: i64, action: &str, fields: &[(&str, &str)]) -> crate::helpers::Page {
    c.post_form(&format!("/inventory/stocktakes/{id}"), &format!("/inventory/stocktakes/{id}/{action}"), fields).await
}

/// The next page after a redirect (shows its flash).
async fn follow(c: &Client, res: &crate::helpers::Page) -> String {
    c.get(res.location().expect("redirect")).await.body
}

#[tokio::test]
async fn open_count_submit_approve_posts_the_differences() {
    let w = world(&[("A-1", 7919), ("A-2", 250), ("A-3", 100)]).await;
    let counter = w.client("counter").await;
    let id = open(&w, &counter, "").await;
    assert_eq!(w.status(id).await, "counting");
    assert_eq!(w.scalar(&format!("SELECT count(*) FROM stocktake_lines WHERE stocktake_id = {id}")).await, 3);
    assert_eq!(
        w.scalar(&format!(
            "SELECT book_quantity FROM stocktake_lines WHERE stocktake_id = {id} AND product_id = {}",
            w.pid("A-1")
        ))
        .await,
        7919
    );
    let no: String = {
        let mut tx = db::begin_tenant(&w.app.db, w.t).await.unwrap();
        let no =
            sqlx::query_scalar("SELECT no FROM stocktakes WHERE id = $1").bind(id).fetch_one(&mut *tx).await.unwrap();
        tx.commit().await.unwrap();
        no
    };
    assert_eq!(no, "PD-000001");

    // Submit refuses uncounted lines, naming how many.
    let res = count(&w, &counter, id, &[("A-1", "7910", "")]).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let res = act(&counter, id, "submit", &[]).await;
    assert_eq!(res.status, 303);
    assert!(follow(&counter, &res).await.contains("还有 2 个商品未录入盘点数"));
    assert_eq!(w.status(id).await, "counting");

    count(&w, &counter, id, &[("A-2", "255", ""), ("A-3", "100", "")]).await;
    let res = act(&counter, id, "submit", &[]).await;
    assert_eq!(res.status, 303);
    assert_eq!(w.status(id).await, "submitted");

    // Stock moves after the snapshot: 10 shipped.
    w.movement("A-1", MovementKind::Shipment, -10).await;

    // A-1 is 9 short (more than 5 units): a reason is required before approval.
    let mgr = w.client("opsmgr").await;
    let diff_page = mgr.get(&format!("/inventory/stocktakes/{id}")).await.body;
    assert!(diff_page.contains("7919") && diff_page.contains("-9") && diff_page.contains("+5"), "{diff_page}");
    let res = act(&mgr, id, "approve", &[("comment", "")]).await;
    assert_eq!(res.status, 303);
    let body = follow(&mgr, &res).await;
    assert!(body.contains("不能批准") && body.contains("A-1") && !body.contains("A-2、"), "{body}");
    assert_eq!(w.status(id).await, "submitted");
    assert_eq!(w.scalar("SELECT count(*) FROM stock_movements WHERE doc_type = 'stocktake'").await, 0);

    // The counter writes the reason on the submitted count; the manager approves.
    let res = count(&w, &counter, id, &[("A-1", "", "拣货差错")]).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let res = act(&mgr, id, "approve", &[("comment", "同意")]).await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(w.status(id).await, "approved");
    assert_eq!(w.on_hand("A-1").await, 7919 - 10 - 9);
    assert_eq!(w.on_hand("A-2").await, 255);
    assert_eq!(w.on_hand("A-3").await, 100);
    assert_eq!(
        w.scalar(&format!(
            "SELECT count(*) FROM stock_movements WHERE doc_type = 'stocktake' AND doc_id = {id} AND kind = 'adjustment'"
        ))
        .await,
        2
    );
    assert_eq!(
        w.scalar(&format!(
            "SELECT quantity FROM stock_movements WHERE doc_type = 'stocktake' AND product_id = {}",
            w.pid("A-1")
        ))
        .await,
        -9
    );
    let reason_ok = w
        .scalar(&format!(
            "SELECT count(*) FROM stock_movements WHERE doc_id = {id} AND reason = '盘点 PD-000001：拣货差错'"
        ))
        .await;
    assert_eq!(reason_ok, 1);
    // The ledger invariant holds.
    assert_eq!(
        w.scalar(
            "SELECT count(*) FROM stock_levels sl WHERE on_hand <> (SELECT coalesce(sum(quantity), 0) FROM stock_movements m
              WHERE m.product_id = sl.product_id AND m.warehouse_id = sl.warehouse_id)"
        )
        .await,
        0
    );
    for action in ["stocktake.open", "stocktake.count", "stocktake.submit", "stocktake.approve"] {
        assert!(
            w.scalar(&format!(
                "SELECT count(*) FROM audit_log WHERE action = '{action}' AND entity_type = 'stocktake' AND entity_id = '{id}'"
            ))
            .await
                >= 1,
            "{action}"
        );
    }
    // Stale: approving again is 409 and posts nothing more.
    let before = w.stocktake(id).await;
    let res = act(&mgr, id, "approve", &[]).await;
    assert_eq!(res.status, 409);
    assert_eq!(w.scalar("SELECT count(*) FROM stock_movements WHERE doc_type = 'stocktake'").await, 2);
    w.app.assert_unchanged(&before, "approving an approved stocktake").await;
    // The record page shows the history; the list shows it approved.
    let page = mgr.get(&format!("/inventory/stocktakes/{id}")).await.body;
    assert!(page.contains("批准并调整库存") && page.contains("提交审批"));
    let list = mgr.get("/inventory/stocktakes?status=approved").await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("PD-000001"));
    assert!(mgr.get("/inventory/stocktakes?status=counting").await.body.contains("没有符合条件的盘点单"));
}

#[tokio::test]
async fn counters_never_see_book_quantities() {
    let w = world(&[("B-1", 7919), ("B-2", 6353)]).await;
    let counter = w.client("counter").await;
    let id = open(&w, &counter, "").await;
    let mgr = w.client("opsmgr").await;
    for (c, path) in [
        (&counter, format!("/inventory/stocktakes/{id}/count")),
        (&counter, format!("/inventory/stocktakes/{id}")),
        (&counter, format!("/inventory/stocktakes/{id}/sheet")),
        // Even the ops manager does not see them while the count is open.
        (&mgr, format!("/inventory/stocktakes/{id}")),
        (&mgr, format!("/inventory/stocktakes/{id}/count")),
    ] {
        let page = c.get(&path).await;
        assert_eq!(page.status, 200, "{path}");
        assert!(page.body.contains("B-1"), "{path}");
        assert!(!page.body.contains("7919") && !page.body.contains("6353"), "{path} shows a book quantity");
    }
    count(&w, &counter, id, &[("B-1", "7919", ""), ("B-2", "6350", "")]).await;
    act(&counter, id, "submit", &[]).await;
    // Submitted: still nothing of the book figures for the counter …
    for path in [format!("/inventory/stocktakes/{id}/count"), format!("/inventory/stocktakes/{id}")] {
        let page = counter.get(&path).await;
        assert_eq!(page.status, 200);
        assert!(!page.body.contains("6353"), "{path}");
    }
    // … but the approver now sees book quantities and differences, differences first.
    let page = mgr.get(&format!("/inventory/stocktakes/{id}")).await.body;
    assert!(page.contains("6353") && page.contains("-3"));
    let b2 = page.find("B-2").unwrap();
    let b1 = page.find("B-1").unwrap();
    assert!(b2 < b1, "lines with differences come first");
}

#[tokio::test]
async fn reason_threshold_boundaries() {
    // Units 5 and 2 %, both strict.
    let w = world(&[("T-250", 250), ("T-1000", 1000), ("T-100a", 100), ("T-100b", 100)]).await;
    let counter = w.client("counter").await;
    let id = open(&w, &counter, "T-").await;
    count(
        &w,
        &counter,
        id,
        &[
            ("T-250", "255", ""),  // exactly 5 units and exactly 2 %: no reason
            ("T-1000", "994", ""), // 6 units (0.6 %): reason
            ("T-100a", "102", ""), // 2 units, exactly 2 %: no reason
            ("T-100b", "103", ""), // 3 units, 3 %: reason
        ],
    )
    .await;
    act(&counter, id, "submit", &[]).await;
    let mgr = w.client("opsmgr").await;
    let res = act(&mgr, id, "approve", &[]).await;
    let body = follow(&mgr, &res).await;
    assert!(body.contains("不能批准"), "{body}");
    let flash_start = body.find("不能批准").unwrap();
    let flash = &body[flash_start..flash_start + body[flash_start..].find('<').unwrap()];
    assert!(flash.contains("T-1000") && flash.contains("T-100b"), "{flash}");
    assert!(!flash.contains("T-250") && !flash.contains("T-100a"), "{flash}");
    // The counter sees which lines need a reason (without numbers) and fills them in.
    let cp = counter.get(&format!("/inventory/stocktakes/{id}/count")).await.body;
    assert_eq!(cp.matches("需填写原因</span>").count(), 2, "{cp}");
    count(&w, &counter, id, &[("T-1000", "", "破损"), ("T-100b", "", "多收")]).await;
    let res = act(&mgr, id, "approve", &[]).await;
    assert_eq!(res.status, 303);
    assert_eq!(w.status(id).await, "approved");
    assert_eq!(
        w.scalar(&format!("SELECT count(*) FROM stock_movements WHERE doc_id = {id} AND doc_type = 'stocktake'")).await,
        4
    );
    assert_eq!(w.on_hand("T-1000").await, 994);
}

#[tokio::test]
async fn one_open_count_per_warehouse() {
    let w = world(&[("C-1", 10)]).await;
    let counter = w.client("counter").await;
    let first = open(&w, &counter, "").await;
    let res = counter
        .post_form(
            "/inventory/stocktakes/new",
            "/inventory/stocktakes",
            &[("warehouse_id", &w.wh.to_string()), ("sku_prefix", ""), ("scope_note", "")],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("该仓库已有进行中的盘点"));
    assert!(res.body.contains(&format!("/inventory/stocktakes/{first}")), "links the open one");
    assert_eq!(w.scalar("SELECT count(*) FROM stocktakes").await, 1);
    // Bad input: no warehouse, a bad prefix, a prefix with nothing under it.
    let res = counter
        .post_form("/inventory/stocktakes/new", "/inventory/stocktakes", &[("warehouse_id", ""), ("sku_prefix", "a b")])
        .await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("请选择仓库") && res.body.contains("SKU 前缀最多"));
    assert!(res.body.contains("value=\"a b\""), "typed value kept");
    // Once cancelled (with a confirmation page), the warehouse can be counted again.
    let confirm = counter.get(&format!("/inventory/stocktakes/{first}/cancel")).await;
    assert_eq!(confirm.status, 200);
    assert!(confirm.body.contains("确认取消盘点"));
    let res = counter
        .post_form(
            &format!("/inventory/stocktakes/{first}/cancel"),
            &format!("/inventory/stocktakes/{first}/cancel"),
            &[],
        )
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(w.status(first).await, "cancelled");
    let res = counter
        .post_form(
            "/inventory/stocktakes/new",
            "/inventory/stocktakes",
            &[("warehouse_id", &w.wh.to_string()), ("sku_prefix", "ZZ")],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("没有此 SKU 前缀的库存记录"));
    let second = open(&w, &counter, "").await;
    assert_ne!(first, second);
    assert_eq!(w.scalar("SELECT count(*) FROM audit_log WHERE action = 'stocktake.cancel'").await, 1);
    // Cancelling again is stale.
    let before = w.stocktake(first).await;
    let res = act(&counter, first, "cancel", &[]).await;
    assert_eq!(res.status, 409);
    w.app.assert_unchanged(&before, "cancelling a cancelled stocktake").await;
}

#[tokio::test]
async fn roles_and_tenants() {
    let w = world(&[("D-1", 20)]).await;
    let beta = w.app.tenant("beta").await;
    w.app.user(beta, "director", Dept::Ops, Level::Director, false).await;
    let whmgr = w.client("whmgr").await;
    let id = open(&w, &whmgr, "").await;

    // Sales sees no stocktakes at all.
    let sales = w.client("sales").await;
    for path in ["/inventory/stocktakes", "/inventory/stocktakes/new", &format!("/inventory/stocktakes/{id}")] {
        assert_eq!(sales.get(path).await.status, 403, "{path}");
    }
    // An ops specialist may not see a warehouse-department count (out of scope).
    let opsspec = w.client("opsspec").await;
    assert_eq!(opsspec.get(&format!("/inventory/stocktakes/{id}")).await.status, 404);
    // The warehouse manager counts and submits but may not approve.
    let res = count(&w, &whmgr, id, &[("D-1", "19", "破损")]).await;
    assert_eq!(res.status, 303);
    assert_eq!(act(&whmgr, id, "submit", &[]).await.status, 303);
    let counter = w.client("counter").await;
    let other = w.app.signed_in("beta", "director").await;
    let before = w.stocktake(id).await;
    assert_eq!(act(&counter, id, "approve", &[]).await.status, 403);
    assert_eq!(act(&whmgr, id, "approve", &[]).await.status, 403);
    assert_eq!(act(&whmgr, id, "reject", &[("comment", "x")]).await.status, 403);
    w.app.assert_unchanged(&before, "decisions without the permission").await;
    // Another tenant: 404 for the page and the POSTs.
    assert_eq!(other.get(&format!("/inventory/stocktakes/{id}")).await.status, 404);
    let res = other.post_form("/inventory/stocktakes", &format!("/inventory/stocktakes/{id}/approve"), &[]).await;
    assert_eq!(res.status, 404);
    assert_eq!(w.status(id).await, "submitted");
    w.app.assert_unchanged(&before, "an approval by another tenant").await;
    assert_eq!(w.on_hand("D-1").await, 20);
    // A director of any department approves.
    let director = w.client("director").await;
    assert_eq!(act(&director, id, "approve", &[]).await.status, 303);
    assert_eq!(w.on_hand("D-1").await, 19);

    // Nobody approves their own count: the ops manager opens one, and may not decide it.
    let mgr = w.client("opsmgr").await;
    let own = open(&w, &mgr, "").await;
    count(&w, &mgr, own, &[("D-1", "19", "")]).await;
    assert_eq!(act(&mgr, own, "submit", &[]).await.status, 303);
    let before = w.stocktake(own).await;
    assert_eq!(act(&mgr, own, "approve", &[]).await.status, 403);
    assert_eq!(w.status(own).await, "submitted");
    w.app.assert_unchanged(&before, "approving one's own count").await;
    // Home pages: the approval queue and the counters' open counts.
    assert!(director.get("/").await.body.contains("待审批盘点"));
    assert!(!sales.get("/").await.body.contains("盘点"));
}

#[tokio::test]
async fn reject_needs_a_comment_and_returns_to_counting() {
    let w = world(&[("E-1", 30)]).await;
    let counter = w.client("counter").await;
    let id = open(&w, &counter, "").await;
    count(&w, &counter, id, &[("E-1", "28", "")]).await;
    act(&counter, id, "submit", &[]).await;
    let mgr = w.client("opsmgr").await;
    let res = act(&mgr, id, "reject", &[("comment", "  ")]).await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("驳回时必须填写审批意见"));
    assert_eq!(w.status(id).await, "submitted");
    let res = act(&mgr, id, "reject", &[("comment", "请复盘 E-1")]).await;
    assert_eq!(res.status, 303);
    assert_eq!(w.status(id).await, "counting");
    assert_eq!(w.scalar("SELECT count(*) FROM audit_log WHERE action = 'stocktake.reject'").await, 1);
    let page = counter.get(&format!("/inventory/stocktakes/{id}")).await.body;
    assert!(page.contains("请复盘 E-1"));
    // Stale: approving or rejecting a count that is back in counting is 409.
    let before = w.stocktake(id).await;
    assert_eq!(act(&mgr, id, "approve", &[]).await.status, 409);
    assert_eq!(act(&mgr, id, "reject", &[("comment", "again")]).await.status, 409);
    w.app.assert_unchanged(&before, "deciding a count that is back in counting").await;
    assert!(counter.get("/").await.body.contains("进行中的盘点"));
    // Recount and resubmit; the approval posts the new difference.
    count(&w, &counter, id, &[("E-1", "30", "")]).await;
    act(&counter, id, "submit", &[]).await;
    assert_eq!(act(&mgr, id, "approve", &[]).await.status, 303);
    assert_eq!(w.scalar("SELECT count(*) FROM stock_movements WHERE doc_type = 'stocktake'").await, 0);
    assert_eq!(w.on_hand("E-1").await, 30);
}

#[tokio::test]
async fn concurrent_approvals_post_once() {
    let w = world(&[("F-1", 400), ("F-2", 410)]).await;
    let counter = w.client("counter").await;
    let id = open(&w, &counter, "").await;
    count(&w, &counter, id, &[("F-1", "398", ""), ("F-2", "411", "")]).await;
    act(&counter, id, "submit", &[]).await;
    let mgr = w.client("opsmgr").await;
    let director = w.client("director").await;
    let path = format!("/inventory/stocktakes/{id}");
    let (t1, t2) = (mgr.get(&path).await.csrf(), director.get(&path).await.csrf());
    let approve = format!("{path}/approve");
    let (f1, f2) = ([("csrf_token", t1.as_str())], [("csrf_token", t2.as_str())]);
    // The test holds the stocktake's row first: both approvals start and wait for it,
    // then go on one after the other.
    let lock = w.app.hold_lock(w.t, &format!("SELECT 1 FROM stocktakes WHERE id = {id} FOR UPDATE")).await;
    let (a, b) = crate::helpers::overlapping(&w.app, lock, 2, async {
        tokio::join!(mgr.post_raw(&approve, &f1, &[]), director.post_raw(&approve, &f2, &[]))
    })
    .await;
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [303, 409]);
    assert_eq!(w.scalar("SELECT count(*) FROM stock_movements WHERE doc_type = 'stocktake'").await, 2);
    assert_eq!((w.on_hand("F-1").await, w.on_hand("F-2").await), (398, 411));
    assert_eq!(w.scalar("SELECT count(*) FROM audit_log WHERE action = 'stocktake.approve'").await, 1);
}

#[tokio::test]
async fn an_adjustment_below_zero_is_refused_and_changes_nothing() {
    let w = world(&[("G-1", 10), ("G-2", 5)]).await;
    let counter = w.client("counter").await;
    let id = open(&w, &counter, "").await;
    count(&w, &counter, id, &[("G-1", "0", "全部丢失"), ("G-2", "6", "多收一件")]).await;
    act(&counter, id, "submit", &[]).await;
    // 5 of G-1 shipped after the snapshot: on hand 5, the difference −10.
    w.movement("G-1", MovementKind::Shipment, -5).await;
    let mgr = w.client("opsmgr").await;
    let before = w.stocktake(id).await;
    let res = act(&mgr, id, "approve", &[]).await;
    assert_eq!(res.status, 409);
    assert!(res.body.contains("G-1") && res.body.contains("负数"), "{}", res.body);
    w.app.assert_unchanged(&before, "an approval that would take stock below zero").await;
    assert_eq!(w.status(id).await, "submitted");
    assert_eq!((w.on_hand("G-1").await, w.on_hand("G-2").await), (5, 5));
    assert_eq!(w.scalar("SELECT count(*) FROM stock_movements WHERE doc_type = 'stocktake'").await, 0);
}

#[tokio::test]
async fn bad_counts_show_the_form_again_and_write_nothing() {
    let w = world(&[("H-1", 3), ("H-2", 4), ("H-3", 5)]).await;
    let counter = w.client("counter").await;
    let id = open(&w, &counter, "").await;
    let res = count(&w, &counter, id, &[("H-1", "-3", ""), ("H-2", "abc", ""), ("H-3", "5", "")]).await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("盘点数量不能为负数"));
    assert!(res.body.contains("请输入不小于 0 的整数"));
    assert!(res.body.contains("value=\"abc\"") && res.body.contains("value=\"-3\""), "typed values kept");
    assert_eq!(
        w.scalar(&format!(
            "SELECT count(*) FROM stocktake_lines WHERE stocktake_id = {id} AND counted_quantity IS NOT NULL"
        ))
        .await,
        0
    );
    assert_eq!(w.scalar("SELECT count(*) FROM audit_log WHERE action = 'stocktake.count'").await, 0);
    // Decimals too.
    let res = count(&w, &counter, id, &[("H-1", "1.5", "")]).await;
    assert_eq!(res.status, 422);
    // Counting a cancelled stocktake is stale.
    let res = count(&w, &counter, id, &[("H-1", "3", "")]).await;
    assert_eq!(res.status, 303);
    act(&counter, id, "cancel", &[]).await;
    assert_eq!(w.status(id).await, "cancelled");
    let path = format!("/inventory/stocktakes/{id}/count");
    let token = counter.get(&format!("/inventory/stocktakes/{id}")).await.csrf();
    let before = w.stocktake(id).await;
    let res = counter.post_raw(&path, &[("csrf_token", &token), (&format!("qty_{}", w.pid("H-1")), "9")], &[]).await;
    assert_eq!(res.status, 409);
    w.app.assert_unchanged(&before, "counting a cancelled stocktake").await;
}

#[tokio::test]
async fn demo_seeds_counts_in_every_state_through_the_ledger() {
    let app = spawn_app().await;
    let t = app.tenant("demo").await;
    let mut users = Vec::new();
    for (name, dept, level) in [
        ("warehouse.manager", Dept::Warehouse, Level::Manager),
        ("warehouse.specialist", Dept::Warehouse, Level::Specialist),
        ("ops.manager", Dept::Ops, Level::Manager),
    ] {
        let id = app.user(t, name, dept, level, false).await;
        users.push((name.to_owned(), id, dept, level));
    }
    for (i, wh) in ["WH1", "WH2", "WH3"].iter().enumerate() {
        for n in 0..15 {
            let (p, w) = item(&app, t, &format!("{wh}-P{n:02}"), wh).await;
            post(&app, t, p, w, MovementKind::Receipt, 20 + (n * 7 + i as i64) % 50).await;
        }
    }
    let ctx = yunying::demo::supply::Ctx {
        tenant_id: t,
        n: 0,
        products: 45,
        orders: 0,
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        users,
    };
    let mut tx = db::begin_tenant(&app.db, t).await.unwrap();
    yunying::stocktake::demo::seed(&mut tx, &ctx).await.unwrap();
    tx.commit().await.unwrap();
    for status in ["approved", "submitted", "counting"] {
        assert_eq!(
            app.scalar_i64(t, &format!("SELECT count(*) FROM stocktakes WHERE status = '{status}'")).await,
            1,
            "{status}"
        );
    }
    assert!(app.scalar_i64(t, "SELECT count(*) FROM stock_movements WHERE doc_type = 'stocktake'").await >= 2);
    assert_eq!(
        app.scalar_i64(
            t,
            "SELECT count(*) FROM stock_levels sl WHERE on_hand <> (SELECT coalesce(sum(quantity), 0) FROM stock_movements m
              WHERE m.product_id = sl.product_id AND m.warehouse_id = sl.warehouse_id)"
        )
        .await,
        0
    );
    // The submitted one has a difference that still needs a reason.
    assert_eq!(
        app.scalar_i64(
            t,
            "SELECT count(*) FROM stocktake_lines l JOIN stocktakes s ON s.id = l.stocktake_id
             WHERE s.status = 'submitted' AND l.counted_quantity - l.book_quantity = 8 AND l.reason = ''"
        )
        .await,
        1
    );
    // Seeding without warehouses is a no-op.
    let empty = app.tenant("empty").await;
    let ctx = yunying::demo::supply::Ctx { tenant_id: empty, users: Vec::new(), ..ctx };
    let mut tx = db::begin_tenant(&app.db, empty).await.unwrap();
    yunying::stocktake::demo::seed(&mut tx, &ctx).await.unwrap();
    tx.commit().await.unwrap();
}
