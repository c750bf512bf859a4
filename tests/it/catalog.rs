//! Products: list, create, edit, list/delist, elimination proposals and their
//! approval, the clearance list; roles, tenants, stale transitions, bad input.

use yunying::db;
use yunying::inventory::ledger::{self, DocType, MovementKind, NewMovement};
use yunying::people::{Dept, Level};

use crate::helpers::{spawn_app, two_tenants, Client, TestApp, TwoTenants};
use crate::ledger::item;

pub struct Org {
    pub app: TestApp,
    pub t: TwoTenants,
    pub manager: Client,
    pub specialist: Client,
    pub sales: Client,
    pub hr: Client,
    pub beta_manager: Client,
}

/// alpha (two_tenants) plus a second ops manager `manager2`, a sales specialist
/// `sales`, an HR manager `hrm`; beta gets an ops manager `manager`.
pub async fn org() -> Org {
    let app = spawn_app().await;
    let t = two_tenants(&app).await;
    app.user(t.alpha, "manager2", Dept::Ops, Level::Manager, false).await;
    app.user(t.alpha, "sales", Dept::Sales, Level::Specialist, false).await;
    app.user(t.alpha, "hrm", Dept::Hr, Level::Manager, false).await;
    app.user(t.beta, "manager", Dept::Ops, Level::Manager, false).await;
    let manager = app.signed_in("alpha", "manager").await;
    let specialist = app.signed_in("alpha", "specialist").await;
    let sales = app.signed_in("alpha", "sales").await;
    let hr = app.signed_in("alpha", "hrm").await;
    let beta_manager = app.signed_in("beta", "manager").await;
    Org { app, t, manager, specialist, sales, hr, beta_manager }
}

pub async fn audits(app: &TestApp, tenant: i64, action: &str) -> i64 {
    app.scalar_i64(tenant, &format!("SELECT count(*) FROM audit_log WHERE action = '{action}'")).await
}

async fn status(app: &TestApp, tenant: i64, id: i64) -> String {
    let mut tx = db::begin_tenant(&app.db, tenant).await.unwrap();
    let s: String =
        sqlx::query_scalar("SELECT status FROM products WHERE id = $1").bind(id).fetch_one(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();
    s
}

fn id_from(location: Option<&str>, prefix: &str) -> i64 {
    location.and_then(|l| l.strip_prefix(prefix)).and_then(|s| s.parse().ok()).expect("a record location")
}

const FIELDS: &[(&str, &str)] = &[
    ("sku", "TEA-001"),
    ("name", "西湖龙井"),
    ("spec", "250g 罐装"),
    ("unit", "罐"),
    ("price", "298.5"),
    ("description", "明前"),
];

#[tokio::test]
async fn create_edit_list_delist_with_roles_tenants_and_stale_states() {
    let o = org().await;
    let (app, t) = (&o.app, &o.t);
    // Who sees the list.
    assert_eq!(o.specialist.get("/products").await.status, 200);
    assert_eq!(o.sales.get("/products").await.status, 200);
    assert_eq!(o.hr.get("/products").await.status, 403);
    assert_eq!(o.sales.get("/products/new").await.status, 403);

    // Bad input: the form again with what was typed and the messages; nothing written.
    let bad = o
        .specialist
        .post_form(
            "/products/new",
            "/products",
            &[("sku", "坏SKU"), ("name", ""), ("spec", "规格甲"), ("unit", "罐"), ("price", "12.345")],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.body.contains("规格甲") && bad.body.contains("坏SKU"));
    assert!(bad.body.contains("请填写商品名称") && bad.body.contains("请填写有效价格"), "{}", bad.body);
    assert_eq!(app.scalar_i64(t.alpha, "SELECT count(*) FROM products").await, 0);

    // Create.
    let res = o.specialist.post_form("/products/new", "/products", FIELDS).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let id = id_from(res.location(), "/products/");
    assert_eq!(status(app, t.alpha, id).await, "draft");
    assert_eq!(app.scalar_i64(t.alpha, "SELECT price_fen FROM products").await, 29850);
    assert_eq!(audits(app, t.alpha, "product.create").await, 1);
    let page = o.sales.get(&format!("/products/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("西湖龙井") && page.body.contains("298.50"));
    // The sales specialist sees no edit buttons.
    assert!(!page.body.contains("/edit"));
    // A duplicate SKU is a field error.
    let dup = o.specialist.post_form("/products/new", "/products", FIELDS).await;
    assert_eq!(dup.status, 422);
    assert!(dup.body.contains("已存在"));

    // Edit (SKU stays).
    let edit = format!("/products/{id}/edit");
    let res = o
        .manager
        .post_form(
            &edit,
            &format!("/products/{id}"),
            &[("sku", "HACK"), ("name", "特级龙井"), ("unit", "罐"), ("price", "300")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(
        app.scalar_i64(t.alpha, "SELECT count(*) FROM products WHERE name = '特级龙井' AND sku = 'TEA-001'").await,
        1
    );
    let bad = o
        .manager
        .post_form(&edit, &format!("/products/{id}"), &[("name", "特级龙井"), ("unit", ""), ("price", "-1")])
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("请填写单位"));
    assert_eq!(o.sales.get(&edit).await.status, 403);

    // List, then listing again is stale (409) and changes nothing.
    let show = format!("/products/{id}");
    assert_eq!(o.sales.post_form(&show, &format!("/products/{id}/list"), &[]).await.status, 403);
    let res = o.specialist.post_form(&show, &format!("/products/{id}/list"), &[]).await;
    assert_eq!(res.status, 303);
    assert_eq!(status(app, t.alpha, id).await, "listed");
    assert_eq!(o.specialist.post_form(&show, &format!("/products/{id}/list"), &[]).await.status, 409);
    assert_eq!(o.specialist.post_form(&show, &format!("/products/{id}/delist"), &[]).await.status, 303);
    assert_eq!(status(app, t.alpha, id).await, "delisted");
    assert_eq!(o.specialist.post_form(&show, &format!("/products/{id}/delist"), &[]).await.status, 409);
    assert_eq!(status(app, t.alpha, id).await, "delisted");
    assert_eq!(audits(app, t.alpha, "product.list").await, 1);
    assert_eq!(audits(app, t.alpha, "product.delist").await, 1);

    // Another tenant: 404 for the page and every POST.
    assert_eq!(o.beta_manager.get(&show).await.status, 404);
    assert_eq!(o.beta_manager.post_form("/products", &format!("/products/{id}/list"), &[]).await.status, 404);
    assert_eq!(
        o.beta_manager
            .post_form("/products", &format!("/products/{id}"), &[("name", "x"), ("unit", "个"), ("price", "1")])
            .await
            .status,
        404
    );
    assert_eq!(status(app, t.alpha, id).await, "delisted");

    // Filters.
    let list = o.sales.get("/products?q=TEA").await;
    assert!(list.body.contains("TEA-001"));
    assert!(!o.sales.get("/products?q=EA-0").await.body.contains("TEA-001"), "SKU matches by prefix only");
    assert!(o.sales.get("/products?q=龙井").await.body.contains("TEA-001"), "name matches by substring");
    assert!(!o.sales.get("/products?status=listed").await.body.contains("TEA-001"));
    assert!(o.sales.get("/products?status=delisted").await.body.contains("TEA-001"));
    assert_eq!(o.sales.get("/products?status=nonsense").await.status, 400);
}

async fn pending_id(app: &TestApp, tenant: i64) -> i64 {
    app.scalar_i64(tenant, "SELECT id FROM product_eliminations WHERE status = 'pending'").await
}

#[tokio::test]
async fn elimination_is_proposed_then_decided_once() {
    let o = org().await;
    let (app, t) = (&o.app, &o.t);
    let (p, w) = item(app, t.alpha, "OLD-1", "WH1").await;
    let mut tx = db::begin_tenant(&app.db, t.alpha).await.unwrap();
    let m = NewMovement {
        product_id: p,
        warehouse_id: w,
        kind: MovementKind::Receipt,
        quantity: 12,
        reason: "到货",
        doc: DocType::Manual,
        doc_id: None,
        created_by: None,
    };
    ledger::post(&mut tx, t.alpha, &m).await.unwrap();
    tx.commit().await.unwrap();
    let form = format!("/products/{p}/eliminate");

    // Who may propose; the reason is required.
    assert_eq!(o.sales.get(&form).await.status, 403);
    assert_eq!(o.beta_manager.get(&form).await.status, 404);
    let bad = o.specialist.post_form(&form, &form, &[("reason", "  ")]).await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("请填写汰换原因"));
    assert_eq!(app.scalar_i64(t.alpha, "SELECT count(*) FROM product_eliminations").await, 0);
    let res = o.specialist.post_form(&form, &form, &[("reason", "厂家停产")]).await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(res.location(), Some(format!("/products/{p}").as_str()));
    // At most one open proposal.
    let e = pending_id(app, t.alpha).await;
    let product_row = format!("SELECT to_jsonb(p)::text FROM products p WHERE id = {p}");
    let before = app.snapshot_with(t.alpha, "product_eliminations", e, &[&product_row]).await;
    let again = o.manager.post_form(&form, &form, &[("reason", "再提一次")]).await;
    assert_eq!(again.status, 409);
    assert!(again.body.contains("待审批的汰换申请"), "{}", again.body);
    app.assert_unchanged(&before, "a second proposal").await;

    // The home page: the manager's approval queue, the specialist's own.
    assert!(o.manager.get("/").await.body.contains("待审批商品汰换"));
    assert!(o.specialist.get("/").await.body.contains("我提出的商品汰换"));

    let show = format!("/products/{p}");
    let approve = format!("/products/eliminations/{e}/approve");
    let reject = format!("/products/eliminations/{e}/reject");
    // Wrong role, other tenant, empty reject comment.
    let before = app.snapshot_with(t.alpha, "product_eliminations", e, &[&product_row]).await;
    assert_eq!(o.specialist.post_form(&show, &approve, &[]).await.status, 403);
    app.assert_unchanged(&before, "an approval by a specialist").await;
    assert_eq!(o.beta_manager.post_form("/products", &approve, &[]).await.status, 404);
    app.assert_unchanged(&before, "an approval by another tenant").await;
    let bad = o.manager.post_form(&show, &reject, &[("comment", "")]).await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("驳回时必须填写审批意见"));
    assert_eq!(pending_id(app, t.alpha).await, e);
    app.assert_unchanged(&before, "a rejection without a comment").await;

    // Two managers approve at the same moment: exactly one succeeds.
    let m2 = app.signed_in("alpha", "manager2").await;
    // The tokens first (post_form would GET the page inside the race), then the test
    // holds the proposal's row: both approvals start and wait for it, then go on one
    // after the other.
    let (t1, t2) = (o.manager.get(&show).await.csrf(), m2.get(&show).await.csrf());
    let (f1, f2) = ([("csrf_token", t1.as_str())], [("csrf_token", t2.as_str()), ("comment", "同意")]);
    let lock = app.hold_lock(t.alpha, &format!("SELECT 1 FROM product_eliminations WHERE id = {e} FOR UPDATE")).await;
    let (a, b) = crate::helpers::overlapping(app, lock, 2, async {
        tokio::join!(o.manager.post_raw(&approve, &f1, &[]), m2.post_raw(&approve, &f2, &[]))
    })
    .await;
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [303, 409], "{} / {}", a.body, b.body);
    assert_eq!(status(app, t.alpha, p).await, "eliminated");
    assert_eq!(audits(app, t.alpha, "product.eliminate_approve").await, 1);
    // Stale: reject what is approved.
    let before = app.snapshot_with(t.alpha, "product_eliminations", e, &[&product_row]).await;
    assert_eq!(o.manager.post_form(&show, &reject, &[("comment", "晚了")]).await.status, 409);
    assert_eq!(app.scalar_i64(t.alpha, "SELECT count(*) FROM product_eliminations WHERE status = 'approved'").await, 1);
    app.assert_unchanged(&before, "rejecting an approved proposal").await;
    // Eliminated: no listing, no new proposal; the clearance list shows the stock.
    assert_eq!(o.specialist.post_form(&show, &format!("/products/{p}/list"), &[]).await.status, 409);
    app.assert_unchanged(&before, "listing an eliminated product").await;
    assert_eq!(o.specialist.post_form(&show, &form, &[("reason", "x")]).await.status, 409);
    app.assert_unchanged(&before, "proposing to eliminate an eliminated product").await;
    let clearance = o.sales.get("/products/clearance").await;
    assert_eq!(clearance.status, 200);
    assert!(clearance.body.contains("OLD-1") && clearance.body.contains("12"), "{}", clearance.body);
    assert!(o.sales.get(&show).await.body.contains("待清仓"));
    assert_eq!(o.hr.get("/products/clearance").await.status, 403);
    assert!(o.sales.get("/products/eliminations?status=approved").await.body.contains("OLD-1"));
}

#[tokio::test]
async fn a_rejection_needs_a_comment_and_nobody_decides_their_own_proposal() {
    let o = org().await;
    let (app, t) = (&o.app, &o.t);
    let (p, _) = item(app, t.alpha, "P-1", "WH1").await;
    let form = format!("/products/{p}/eliminate");
    assert_eq!(o.manager.post_form(&form, &form, &[("reason", "滞销")]).await.status, 303);
    let e = pending_id(app, t.alpha).await;
    let show = format!("/products/{p}");
    // The manager's own proposal: 403; the other manager rejects with a comment.
    let m2 = app.signed_in("alpha", "manager2").await;
    let product_row = format!("SELECT to_jsonb(p)::text FROM products p WHERE id = {p}");
    let before = app.snapshot_with(t.alpha, "product_eliminations", e, &[&product_row]).await;
    assert_eq!(o.manager.post_form(&show, &format!("/products/eliminations/{e}/approve"), &[]).await.status, 403);
    app.assert_unchanged(&before, "a manager approving their own proposal").await;
    let res = m2.post_form(&show, &format!("/products/eliminations/{e}/reject"), &[("comment", "还在热销")]).await;
    assert_eq!(res.status, 303);
    assert_eq!(status(app, t.alpha, p).await, "listed");
    assert!(o.specialist.get(&show).await.body.contains("还在热销"));
    assert_eq!(audits(app, t.alpha, "product.eliminate_reject").await, 1);
    // A new proposal is possible after a rejection.
    assert_eq!(o.specialist.post_form(&form, &form, &[("reason", "还是滞销")]).await.status, 303);
    // Nothing waits for the HR manager; their home page still renders.
    assert_eq!(o.hr.get("/").await.status, 200);
}

#[tokio::test]
async fn the_usual_supplier_is_chosen_from_suppliers() {
    let o = org().await;
    let (app, t) = (&o.app, &o.t);
    let mut tx = db::begin_tenant(&app.db, t.alpha).await.unwrap();
    let supplier: i64 = sqlx::query_scalar(
        "INSERT INTO partners (tenant_id, code, kind, name) VALUES ($1, 'S01', 'supplier', '杭州茶叶合作社') RETURNING id",
    )
    .bind(t.alpha)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    let customer: i64 = sqlx::query_scalar(
        "INSERT INTO partners (tenant_id, code, kind, name) VALUES ($1, 'C01', 'customer', '某客户') RETURNING id",
    )
    .bind(t.alpha)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let form = o.specialist.get("/products/new").await;
    assert!(form.body.contains("杭州茶叶合作社") && !form.body.contains("某客户"));
    let customer = customer.to_string();
    let mut fields = FIELDS.to_vec();
    fields.push(("supplier", &customer));
    let bad = o.specialist.post_form("/products/new", "/products", &fields).await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("请选择有效的供应商"));
    let supplier = supplier.to_string();
    fields.pop();
    fields.push(("supplier", &supplier));
    let res = o.specialist.post_form("/products/new", "/products", &fields).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let id = id_from(res.location(), "/products/");
    assert!(o.sales.get(&format!("/products/{id}")).await.body.contains("杭州茶叶合作社"));
    assert_eq!(
        app.scalar_i64(t.alpha, &format!("SELECT default_supplier_id FROM products WHERE id = {id}")).await.to_string(),
        supplier
    );
}

/// Products named `names` (SKUs P-1, P-2, …) in `tenant`, by SQL (the trigger of
/// migration 0013 indexes their names).
async fn named(app: &TestApp, tenant: i64, names: &[&str]) {
    let mut tx = db::begin_tenant(&app.db, tenant).await.unwrap();
    for (i, name) in names.iter().enumerate() {
        sqlx::query(
            "INSERT INTO products (tenant_id, sku, name, price_fen, status) VALUES ($1, $2, $3, 100, 'listed')",
        )
        .bind(tenant)
        .bind(format!("P-{}", i + 1))
        .bind(name)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

/// The SKUs on a product list page, in order.
fn skus(body: &str) -> Vec<String> {
    body.split("<tr data-sku=\"").skip(1).filter_map(|s| s.split('"').next().map(str::to_owned)).collect()
}

#[tokio::test]
async fn search_finds_exactly_the_sku_prefixes_and_name_substrings() {
    let o = org().await;
    let (app, t) = (&o.app, &o.t);
    named(app, t.alpha, &["晨光中性笔", "晨光文具盒", "得力订书机", "USB 数据线", "光晨纸巾"]).await;
    named(app, t.beta, &["晨光中性笔"]).await;
    let search = |q: &str| {
        let url = format!("/products?q={}", form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>());
        let c = &o.sales;
        async move { skus(&c.get(&url).await.body) }
    };
    assert_eq!(search("晨光").await, ["P-1", "P-2"], "the substring 晨光, not 光晨");
    assert_eq!(search("光中性").await, ["P-1"]);
    assert_eq!(search("usb").await, ["P-4"], "ASCII letters match in any case");
    assert_eq!(search("B 数").await, ["P-4"], "a space is part of the text");
    assert_eq!(search("笔").await, ["P-1"], "one character");
    assert_eq!(search("P-").await, ["P-1", "P-2", "P-3", "P-4", "P-5"], "SKU prefix");
    assert_eq!(search("p-2").await, ["P-2"], "SKU prefixes in any case");
    assert_eq!(search("-2").await, Vec::<String>::new(), "a SKU matches by its start only");
    assert_eq!(search("晨光光").await, Vec::<String>::new(), "the whole query must be there, in order");
    // Renaming re-indexes: the old name is no longer found, the new one is.
    let mut tx = db::begin_tenant(&app.db, t.alpha).await.unwrap();
    sqlx::query("UPDATE products SET name = '齐心订书钉' WHERE tenant_id = $1 AND sku = 'P-3'")
        .bind(t.alpha)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(search("得力").await, Vec::<String>::new());
    assert_eq!(search("订书").await, ["P-3"]);
    // The candidates really come from the index: without its terms, P-2 is not found.
    let mut tx = db::begin_tenant(&app.db, t.alpha).await.unwrap();
    sqlx::query("DELETE FROM search_terms WHERE kind = 'product' AND id = (SELECT id FROM products WHERE sku = 'P-2')")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(search("晨光").await, ["P-1"]);
    // The index is tenant-keyed like everything else.
    assert_eq!(app.scalar_i64(t.beta, "SELECT count(DISTINCT id) FROM search_terms WHERE kind = 'product'").await, 1);
}
