//! Warehouses and stock pages: roles, tenants, stale transitions, bad input, the
//! levels form, manual movements through the ledger, and the ledger invariant as a
//! property test.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use yunying::db;
use yunying::inventory::ledger::{self, DocType, LedgerError, MovementKind, NewMovement};

use crate::catalog::{audits, org};
use crate::helpers::{spawn_app, two_tenants, TestApp};
use crate::ledger::item;

pub(crate) async fn receipt(app: &TestApp, tenant: i64, p: i64, w: i64, q: i64) {
    let mut tx = db::begin_tenant(&app.db, tenant).await.unwrap();
    let m = NewMovement {
        product_id: p,
        warehouse_id: w,
        kind: MovementKind::Receipt,
        quantity: q,
        reason: "到货",
        doc: DocType::Manual,
        doc_id: None,
        created_by: None,
    };
    ledger::post(&mut tx, tenant, &m).await.unwrap();
    tx.commit().await.unwrap();
}

async fn on_hand(app: &TestApp, tenant: i64, p: i64, w: i64) -> i64 {
    app.scalar_i64(
        tenant,
        &format!("SELECT coalesce(max(on_hand), 0) FROM stock_levels WHERE product_id = {p} AND warehouse_id = {w}"),
    )
    .await
}

#[tokio::test]
async fn warehouses_crud_with_confirmation_roles_tenants_and_stale_states() {
    let o = org().await;
    let (app, t) = (&o.app, &o.t);
    assert_eq!(o.sales.get("/inventory/warehouses").await.status, 200);
    assert_eq!(o.hr.get("/inventory/warehouses").await.status, 403);
    assert_eq!(o.specialist.get("/inventory/warehouses/new").await.status, 403);
    let fields = [("code", "SH-JD"), ("name", "上海嘉定仓"), ("address", "嘉定区")];
    assert_eq!(o.specialist.post_form("/inventory/warehouses", "/inventory/warehouses", &fields).await.status, 403);

    let bad = o
        .manager
        .post_form(
            "/inventory/warehouses/new",
            "/inventory/warehouses",
            &[("code", "上海"), ("name", ""), ("address", "某路 1 号")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("某路 1 号") && bad.body.contains("请填写仓库名称") && bad.body.contains("编码为"));
    assert_eq!(app.scalar_i64(t.alpha, "SELECT count(*) FROM warehouses").await, 0);

    let res = o.manager.post_form("/inventory/warehouses/new", "/inventory/warehouses", &fields).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let id: i64 = res.location().and_then(|l| l.rsplit('/').next()).and_then(|s| s.parse().ok()).unwrap();
    let dup = o.manager.post_form("/inventory/warehouses/new", "/inventory/warehouses", &fields).await;
    assert_eq!(dup.status, 422);
    assert!(dup.body.contains("已被其他仓库使用"));
    assert_eq!(audits(app, t.alpha, "warehouse.create").await, 1);

    let show = format!("/inventory/warehouses/{id}");
    assert_eq!(o.sales.get(&show).await.status, 200);
    let res =
        o.manager.post_form(&show, &show, &[("code", "SH-JD"), ("name", "上海嘉定一号仓"), ("address", "")]).await;
    assert_eq!(res.status, 303);
    assert!(o.sales.get("/inventory/warehouses").await.body.contains("上海嘉定一号仓"));
    assert_eq!(o.beta_manager.get(&show).await.status, 404);
    assert_eq!(o.beta_manager.post_form("/inventory/warehouses", &show, &fields).await.status, 404);

    // Deactivation: a confirmation page, then the POST; again is 409.
    let confirm = format!("/inventory/warehouses/{id}/deactivate");
    let page = o.manager.get(&confirm).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("确认停用"));
    assert_eq!(o.specialist.post_form(&show, &confirm, &[]).await.status, 403);
    assert_eq!(o.beta_manager.post_form("/inventory/warehouses", &confirm, &[]).await.status, 404);
    assert_eq!(o.manager.post_form(&confirm, &confirm, &[]).await.status, 303);
    assert_eq!(app.scalar_i64(t.alpha, "SELECT count(*) FROM warehouses WHERE NOT is_active").await, 1);
    assert_eq!(o.manager.post_form(&show, &confirm, &[]).await.status, 409);
    let reactivate = format!("/inventory/warehouses/{id}/reactivate");
    assert_eq!(o.manager.post_form(&show, &reactivate, &[]).await.status, 303);
    assert_eq!(o.manager.post_form(&show, &reactivate, &[]).await.status, 409);
    assert_eq!(audits(app, t.alpha, "warehouse.deactivate").await, 1);
    assert_eq!(audits(app, t.alpha, "warehouse.reactivate").await, 1);
}

#[tokio::test]
async fn stock_list_filters_and_the_item_page() {
    let o = org().await;
    let (app, t) = (&o.app, &o.t);
    let (p1, w1) = item(app, t.alpha, "CUP-1", "WH1").await;
    let (p2, w2) = item(app, t.alpha, "PEN-1", "WH2").await;
    receipt(app, t.alpha, p1, w1, 50).await;
    receipt(app, t.alpha, p2, w2, 3).await;
    let mut tx = db::begin_tenant(&app.db, t.alpha).await.unwrap();
    sqlx::query("UPDATE stock_levels SET safety_stock = 2, reorder_point = 5, max_level = 20 WHERE product_id = $1")
        .bind(p2)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let all = o.sales.get("/inventory/stock").await;
    assert_eq!(all.status, 200);
    assert!(all.body.contains("CUP-1") && all.body.contains("PEN-1"));
    let low = o.sales.get("/inventory/stock?low=1").await;
    assert!(!low.body.contains("CUP-1") && low.body.contains("PEN-1"), "{}", low.body);
    let by_wh = o.sales.get(&format!("/inventory/stock?warehouse={w1}")).await;
    assert!(by_wh.body.contains("CUP-1") && !by_wh.body.contains("PEN-1"));
    let pen = o.sales.get("/inventory/stock?q=PEN").await.body;
    assert!(pen.contains("PEN-1") && !pen.contains("CUP-1"));
    assert!(pen.contains("共 1 条"), "the search's count comes with its page: {pen}");
    // Past the last page of a search: no rows, and the count still says what there is.
    let past = o.sales.get("/inventory/stock?q=PEN&page=3").await.body;
    assert!(!past.contains("PEN-1") && past.contains("共 1 条"), "{past}");
    assert!(o.sales.get("/inventory/stock?q=nothing").await.body.contains("没有符合条件"));
    assert_eq!(o.sales.get("/inventory/stock?warehouse=x").await.status, 400);
    assert_eq!(o.hr.get("/inventory/stock").await.status, 403);

    let page = o.sales.get(&format!("/inventory/stock/{p1}/{w1}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("到货") && page.body.contains("+50"));
    // Read-only for sales: no forms.
    assert!(!page.body.contains("/levels") && !page.body.contains("/movements"));
    assert_eq!(o.beta_manager.get(&format!("/inventory/stock/{p1}/{w1}")).await.status, 404);
    assert_eq!(o.hr.get(&format!("/inventory/stock/{p1}/{w1}")).await.status, 403);
    // A product never stocked in a warehouse still has a page (zeros).
    assert_eq!(o.manager.get(&format!("/inventory/stock/{p1}/{w2}")).await.status, 200);
}

#[tokio::test]
async fn levels_are_set_by_the_ops_manager_and_validated() {
    let o = org().await;
    let (app, t) = (&o.app, &o.t);
    let (p, w) = item(app, t.alpha, "CUP-1", "WH1").await;
    let page = format!("/inventory/stock/{p}/{w}");
    let post = format!("{page}/levels");
    let ok = [("safety_stock", "5"), ("reorder_point", "10"), ("max_level", "40")];
    assert_eq!(o.specialist.post_form(&page, &post, &ok).await.status, 403);
    assert_eq!(o.beta_manager.post_form("/inventory/stock", &post, &ok).await.status, 404);
    let bad = o
        .manager
        .post_form(&page, &post, &[("safety_stock", "12"), ("reorder_point", "10"), ("max_level", "abc")])
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("最高库存必须是") && bad.body.contains("value=\"12\""), "{}", bad.body);
    let bad = o
        .manager
        .post_form(&page, &post, &[("safety_stock", "12"), ("reorder_point", "10"), ("max_level", "40")])
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("安全库存不能高于补货点"));
    let bad = o
        .manager
        .post_form(&page, &post, &[("safety_stock", "-1"), ("reorder_point", "50"), ("max_level", "40")])
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("最高库存不能低于补货点") || bad.body.contains("安全库存必须是"));
    assert_eq!(app.scalar_i64(t.alpha, "SELECT count(*) FROM stock_levels").await, 0);
    let res = o.manager.post_form(&page, &post, &ok).await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(
        app.scalar_i64(
            t.alpha,
            "SELECT count(*) FROM stock_levels WHERE safety_stock = 5 AND reorder_point = 10 AND max_level = 40"
        )
        .await,
        1
    );
    assert_eq!(audits(app, t.alpha, "stock.levels").await, 1);
}

#[tokio::test]
async fn manual_movements_go_through_the_ledger() {
    let o = org().await;
    let (app, t) = (&o.app, &o.t);
    let (p, w) = item(app, t.alpha, "CUP-1", "WH1").await;
    let (_, w2) = item(app, t.alpha, "CUP-2", "WH2").await;
    let page = format!("/inventory/stock/{p}/{w}");
    let post = format!("{page}/movements");
    let receipt = [("kind", "receipt"), ("quantity", "10"), ("reason", "供应商到货")];
    assert_eq!(o.sales.post_form(&page, &post, &receipt).await.status, 403);
    assert_eq!(o.beta_manager.post_form("/inventory/stock", &post, &receipt).await.status, 404);
    let res = o.specialist.post_form(&page, &post, &receipt).await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(on_hand(app, t.alpha, p, w).await, 10);
    assert_eq!(audits(app, t.alpha, "stock.move").await, 1);

    // Insufficient: the form again with a clear message, nothing written.
    let res =
        o.specialist.post_form(&page, &post, &[("kind", "shipment"), ("quantity", "11"), ("reason", "订单发货")]).await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("库存不足") && res.body.contains("value=\"11\"") && res.body.contains("订单发货"));
    assert_eq!(on_hand(app, t.alpha, p, w).await, 10);
    assert_eq!(app.scalar_i64(t.alpha, "SELECT count(*) FROM stock_movements").await, 1);
    // Bad input.
    let res = o.specialist.post_form(&page, &post, &[("kind", "shipment"), ("quantity", "abc"), ("reason", "")]).await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("数量必须是正整数") && res.body.contains("请填写变动原因"));
    let res =
        o.specialist.post_form(&page, &post, &[("kind", "transfer"), ("quantity", "3"), ("reason", "调拨")]).await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("请选择调入仓库"));
    let res = o.specialist.post_form(&page, &post, &[("kind", "steal"), ("quantity", "3"), ("reason", "x")]).await;
    assert_eq!(res.status, 422);
    assert_eq!(app.scalar_i64(t.alpha, "SELECT count(*) FROM stock_movements").await, 1);

    // Adjustment down, a transfer, a return.
    let w2s = w2.to_string();
    for fields in [
        vec![("kind", "adjustment"), ("quantity", "-2"), ("reason", "破损")],
        vec![("kind", "transfer"), ("quantity", "3"), ("to_warehouse", w2s.as_str()), ("reason", "调往二号仓")],
        vec![("kind", "return"), ("quantity", "1"), ("reason", "客户退货")],
    ] {
        let res = o.manager.post_form(&page, &post, &fields).await;
        assert_eq!(res.status, 303, "{fields:?}: {}", res.body);
    }
    assert_eq!(on_hand(app, t.alpha, p, w).await, 6);
    assert_eq!(on_hand(app, t.alpha, p, w2).await, 3);
    assert_eq!(audits(app, t.alpha, "stock.transfer").await, 1);
    let history = o.sales.get(&page).await;
    assert!(history.body.contains("调拨出库") && history.body.contains("破损") && history.body.contains("客户退货"));

    // A deactivated warehouse takes no receipts.
    let mut tx = db::begin_tenant(&app.db, t.alpha).await.unwrap();
    sqlx::query("UPDATE warehouses SET is_active = false WHERE id = $1").bind(w).execute(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();
    let res = o.specialist.post_form(&page, &post, &receipt).await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("已停用"));
    assert_eq!(on_hand(app, t.alpha, p, w).await, 6);
}

/// One step of a random sequence.
#[derive(Clone, Debug)]
enum Op {
    Receipt(usize, usize, i64),
    Shipment(usize, usize, i64),
    Adjust(usize, usize, i64),
    Transfer(usize, usize, i64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..2usize, 0..2usize, 1..20i64).prop_map(|(p, w, q)| Op::Receipt(p, w, q)),
        (0..2usize, 0..2usize, 1..25i64).prop_map(|(p, w, q)| Op::Shipment(p, w, q)),
        (0..2usize, 0..2usize, prop_oneof![-15..-1i64, 1..15i64]).prop_map(|(p, w, q)| Op::Adjust(p, w, q)),
        (0..2usize, 0..2usize, 1..20i64).prop_map(|(p, from, q)| Op::Transfer(p, from, q)),
    ]
}

/// Apply `ops` through the ledger, each in its own transaction (refused ones rolled
/// back); returns how many were refused for insufficient stock.
async fn run(app: &TestApp, tenant: i64, products: &[i64], whs: &[i64], ops: &[Op]) -> usize {
    let mut refused = 0;
    for op in ops {
        let mut tx = db::begin_tenant(&app.db, tenant).await.unwrap();
        let m = |p: usize, w: usize, kind, quantity| NewMovement {
            product_id: products[p],
            warehouse_id: whs[w],
            kind,
            quantity,
            reason: "随机",
            doc: DocType::Manual,
            doc_id: None,
            created_by: None,
        };
        let result = match *op {
            Op::Receipt(p, w, q) => ledger::post(&mut tx, tenant, &m(p, w, MovementKind::Receipt, q)).await.map(|_| ()),
            Op::Shipment(p, w, q) => {
                ledger::post(&mut tx, tenant, &m(p, w, MovementKind::Shipment, -q)).await.map(|_| ())
            }
            Op::Adjust(p, w, q) => {
                ledger::post(&mut tx, tenant, &m(p, w, MovementKind::Adjustment, q)).await.map(|_| ())
            }
            Op::Transfer(p, from, q) => {
                ledger::transfer(&mut tx, tenant, products[p], whs[from], whs[1 - from], q, "随机调拨", None)
                    .await
                    .map(|_| ())
            }
        };
        match result {
            Ok(()) => tx.commit().await.unwrap(),
            Err(LedgerError::Insufficient) => {
                refused += 1;
                tx.rollback().await.unwrap();
            }
            Err(e) => panic!("{op:?}: {e:?}"),
        }
    }
    refused
}

/// (product, warehouse, on hand, sum of movements, min balance_after) per level.
async fn balances(app: &TestApp, tenant: i64) -> Vec<(i64, i64, i64, i64, i64)> {
    let mut tx = db::begin_tenant(&app.db, tenant).await.unwrap();
    let rows = sqlx::query_as(
        "SELECT s.product_id, s.warehouse_id, s.on_hand, coalesce(sum(m.quantity), 0)::bigint,
                coalesce(min(m.balance_after), 0)
         FROM stock_levels s LEFT JOIN stock_movements m
           ON m.tenant_id = s.tenant_id AND m.product_id = s.product_id AND m.warehouse_id = s.warehouse_id
         WHERE s.tenant_id = $1 GROUP BY 1, 2, 3 ORDER BY 1, 2",
    )
    .bind(tenant)
    .fetch_all(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    rows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ledger_invariant_on_hand_is_the_sum_of_movements_and_never_negative() {
    let app = spawn_app().await;
    let t = two_tenants(&app).await;
    let mut runner = TestRunner::new(Config { cases: 16, failure_persistence: None, ..Config::default() });
    let strategy = proptest::collection::vec(op(), 1..30);
    let case = std::cell::Cell::new(0usize);
    let total_refused = std::cell::Cell::new(0usize);
    let handle = tokio::runtime::Handle::current();
    let result = runner.run(&strategy, |ops| {
        case.set(case.get() + 1);
        let case = case.get();
        // Fresh products per case, in the same two warehouses.
        let (app, tenant) = (&app, t.alpha);
        let refused = tokio::task::block_in_place(|| {
            handle.block_on(async {
                let (p1, w1) = item(app, tenant, &format!("P{case}A"), "WA").await;
                let (p2, w2) = item(app, tenant, &format!("P{case}B"), "WB").await;
                run(app, tenant, &[p1, p2], &[w1, w2], &ops).await
            })
        });
        total_refused.set(total_refused.get() + refused);
        let rows = tokio::task::block_in_place(|| handle.block_on(balances(app, tenant)));
        for (p, w, on_hand, sum, min_balance) in rows {
            prop_assert_eq!(on_hand, sum, "product {} warehouse {}", p, w);
            prop_assert!(on_hand >= 0 && min_balance >= 0, "negative stock for {} in {}", p, w);
        }
        Ok(())
    });
    result.unwrap();
    assert!(total_refused.get() > 0, "some movements must have been refused for insufficient stock");
}

async fn demo(app: &TestApp, products: &str) -> (i64, std::time::Duration) {
    let started = std::time::Instant::now();
    let out = app.cli(&["demo", "--tenants", "1", "--employees", "10", "--products", products], None);
    let took = started.elapsed();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    if std::env::var_os("SHOW_DEMO_LOG").is_some() {
        eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    }
    let demo: i64 = sqlx::query_scalar("SELECT id FROM tenants WHERE code = 'demo'").fetch_one(&app.db).await.unwrap();
    (demo, took)
}

#[tokio::test]
async fn demo_adds_warehouses_products_stock_and_eliminations() {
    let app = spawn_app().await;
    let (demo, took) = demo(&app, "200").await;
    eprintln!("demo with 200 products: {took:?}");
    assert_eq!(app.scalar_i64(demo, "SELECT count(*) FROM warehouses").await, 5);
    assert_eq!(app.scalar_i64(demo, "SELECT count(*) FROM products").await, 200);
    assert!(app.scalar_i64(demo, "SELECT count(*) FROM products WHERE status = 'listed'").await > 150);
    assert!(app.scalar_i64(demo, "SELECT count(*) FROM products WHERE status = 'draft'").await > 0);
    assert!(app.scalar_i64(demo, "SELECT count(*) FROM products WHERE status = 'delisted'").await > 0);
    assert_eq!(app.scalar_i64(demo, "SELECT count(*) FROM products WHERE status = 'eliminated'").await, 2);
    assert_eq!(app.scalar_i64(demo, "SELECT count(*) FROM product_eliminations WHERE status = 'pending'").await, 1);
    // Every product is stocked somewhere, in one to five warehouses.
    assert_eq!(
        app.scalar_i64(
            demo,
            "SELECT count(*) FROM products p WHERE NOT EXISTS (SELECT 1 FROM stock_levels s WHERE s.product_id = p.id)"
        )
        .await,
        0
    );
    let levels = app.scalar_i64(demo, "SELECT count(*) FROM stock_levels").await;
    let low = app
        .scalar_i64(
            demo,
            "SELECT count(*) FROM stock_levels WHERE reorder_point > 0 AND on_hand - reserved <= reorder_point",
        )
        .await;
    assert!(levels > 300 && levels < 1000, "{levels}");
    assert!(low * 100 >= levels * 5 && low * 100 <= levels * 20, "about one in ten low: {low} of {levels}");
    // The ledger invariant holds for the demo too.
    assert_eq!(
        app.scalar_i64(
            demo,
            "SELECT count(*) FROM stock_levels s WHERE on_hand <> (SELECT coalesce(sum(quantity), 0) FROM stock_movements m
             WHERE m.product_id = s.product_id AND m.warehouse_id = s.warehouse_id)"
        )
        .await,
        0
    );
    let ops = app.client();
    assert_eq!(ops.login("demo", "ops.manager", yunying::demo::DEMO_PASSWORD).await.status, 303);
    for path in [
        "/products",
        "/products?status=eliminated",
        "/products/clearance",
        "/inventory/stock?low=1",
        "/inventory/warehouses",
    ] {
        let page = ops.get(path).await;
        assert_eq!(page.status, 200, "{path}");
        assert!(!page.body.contains("class=\"empty\""), "{path} has rows");
    }
    assert!(ops.get("/").await.body.contains("待审批商品汰换"));
}

/// `cargo test --test it -- --ignored demo_of_50000` — times the supply demo at the
/// benchmark's scale (the debug build of the binary; PostgreSQL does the work).
#[tokio::test]
#[ignore]
async fn demo_of_50000_products_takes_seconds() {
    let app = spawn_app().await;
    let (demo, took) = demo(&app, "50000").await;
    assert_eq!(app.scalar_i64(demo, "SELECT count(*) FROM products").await, 50_000);
    let levels = app.scalar_i64(demo, "SELECT count(*) FROM stock_levels").await;
    eprintln!("demo with 50,000 products ({levels} stock levels): {took:?}");
    assert!(took.as_secs() < 120, "{took:?}");
    // The list pages at that scale: first and deep pages, with filters.
    let ops = app.client();
    assert_eq!(ops.login("demo", "ops.manager", yunying::demo::DEMO_PASSWORD).await.status, 303);
    let wh = app.scalar_i64(demo, "SELECT min(id) FROM warehouses").await;
    for path in [
        "/products".to_owned(),
        "/products?page=150".to_owned(),
        "/products?status=listed&page=100".to_owned(),
        "/products?q=JD00".to_owned(),
        "/products?q=保温杯".to_owned(),
        "/inventory/stock".to_owned(),
        "/inventory/stock?page=180".to_owned(),
        format!("/inventory/stock?warehouse={wh}&page=100"),
        "/inventory/stock?low=1&page=50".to_owned(),
        "/inventory/stock?q=空气炸锅".to_owned(),
        "/products/clearance".to_owned(),
    ] {
        let _ = ops.get(&path).await;
        let started = std::time::Instant::now();
        for _ in 0..5 {
            assert_eq!(ops.get(&path).await.status, 200, "{path}");
        }
        eprintln!("{path}: {:?} per request", started.elapsed() / 5);
    }
    if std::env::var_os("SHOW_PLANS").is_some() {
        let stock = "SELECT s.product_id, s.warehouse_id, p.sku, p.name, w.code, s.on_hand FROM stock_levels s
             JOIN products p ON p.tenant_id = s.tenant_id AND p.id = s.product_id
             JOIN warehouses w ON w.tenant_id = s.tenant_id AND w.id = s.warehouse_id WHERE s.tenant_id = $1";
        let products = "SELECT p.id, p.sku, s.name FROM products p
             LEFT JOIN partners s ON s.tenant_id = p.tenant_id AND s.id = p.default_supplier_id WHERE p.tenant_id = $1";
        for sql in [
            format!("{stock} ORDER BY s.warehouse_id, s.product_id LIMIT 50 OFFSET 0"),
            format!("{stock} ORDER BY s.warehouse_id, s.product_id LIMIT 50 OFFSET 9000"),
            "SELECT p.sku, w.code, s.on_hand FROM (SELECT s.warehouse_id, s.product_id FROM stock_levels s WHERE s.tenant_id = $1
               ORDER BY s.warehouse_id, s.product_id LIMIT 50 OFFSET 9000) k
             JOIN stock_levels s ON s.tenant_id = $1 AND s.warehouse_id = k.warehouse_id AND s.product_id = k.product_id
             JOIN products p ON p.tenant_id = s.tenant_id AND p.id = s.product_id
             JOIN warehouses w ON w.tenant_id = s.tenant_id AND w.id = s.warehouse_id ORDER BY k.warehouse_id, k.product_id".to_owned(),
            format!("{stock} AND s.reorder_point > 0 AND s.on_hand - s.reserved <= s.reorder_point ORDER BY s.warehouse_id, s.product_id LIMIT 50 OFFSET 2500"),
            format!("{stock} AND (p.sku LIKE 'JD00%' OR p.name ILIKE '%空气炸锅%') ORDER BY s.warehouse_id, s.product_id LIMIT 50"),
            "SELECT count(*) FROM (SELECT 1 FROM stock_levels s WHERE s.tenant_id = $1 LIMIT 10000) t".to_owned(),
            format!("{products} AND (p.sku LIKE 'JD00%' OR p.name ILIKE '%JD00%') ORDER BY p.sku LIMIT 50"),
            format!("{products} ORDER BY p.sku LIMIT 50 OFFSET 7450"),
            "SELECT count(*) FROM products WHERE tenant_id = $1 AND name ILIKE '%空气炸锅%'".to_owned(),
            "SELECT count(*) FROM products WHERE tenant_id = $1 AND name LIKE '%空气炸锅%'".to_owned(),
            "SELECT count(*) FROM products WHERE tenant_id = $1 AND strpos(name, '空气炸锅') > 0".to_owned(),
        ] {
            let mut tx = yunying::db::begin_tenant(&app.db, demo).await.unwrap();
            let plan: Vec<String> = sqlx::query_scalar(&format!("EXPLAIN (ANALYZE, BUFFERS) {sql}"))
                .bind(demo)
                .fetch_all(&mut *tx)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            eprintln!("{sql}\n{}\n", plan.join("\n"));
        }
    }
}

#[tokio::test]
async fn a_two_character_name_search_is_answered_by_the_search_index_exactly() {
    let o = org().await;
    let (app, t) = (&o.app, &o.t);
    let mut items = Vec::new();
    for (sku, wh, name) in [
        ("CG-1", "WH1", "晨光中性笔"),
        ("CG-2", "WH1", "晨光文具盒"),
        ("CG-3", "WH2", "晨光中性笔"),
        ("DL-1", "WH1", "得力订书机"),
        ("GC-1", "WH1", "光晨纸巾"),
    ] {
        let (p, w) = item(app, t.alpha, sku, wh).await;
        let mut tx = db::begin_tenant(&app.db, t.alpha).await.unwrap();
        sqlx::query("UPDATE products SET name = $2 WHERE id = $1").bind(p).bind(name).execute(&mut *tx).await.unwrap();
        tx.commit().await.unwrap();
        receipt(app, t.alpha, p, w, 10).await;
        items.push((sku, w));
    }
    let wh1 = items[0].1;
    let rows = |body: &str| -> Vec<String> {
        body.split("<tr data-sku=\"").skip(1).filter_map(|s| s.split('"').next().map(str::to_owned)).collect()
    };
    let get = |q: &str, extra: &str| {
        let url =
            format!("/inventory/stock?q={}{extra}", form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>());
        let c = &o.sales;
        async move { c.get(&url).await.body }
    };
    let all = get("晨光", "").await;
    assert_eq!(rows(&all), ["CG-1", "CG-2", "CG-3"], "not 光晨纸巾");
    assert!(all.contains("共 3 条"));
    let in_wh1 = get("晨光", &format!("&warehouse={wh1}")).await;
    assert_eq!(rows(&in_wh1), ["CG-1", "CG-2"]);
    assert!(get("晨光", "&page=2").await.contains("共 3 条"), "past the last page, the count still says 3");
    assert_eq!(rows(&get("订书", "").await), ["DL-1"]);
    // Three characters, and one too long for the index alone (rechecked with LIKE).
    assert_eq!(rows(&get("晨光中", "").await), ["CG-1", "CG-3"]);
}
