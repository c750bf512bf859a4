//! Low stock, replenishment requests and purchase orders over HTTP: every
//! transition for the roles that may and may not make it, other tenants, stale
//! states, bad input, the one-open-request rule, the director threshold,
//! concurrent approvals, scope, and receipts into the ledger.

use crate::helpers::{spawn_app, two_tenants, Client, Page, TestApp, TwoTenants};
use yunying::db;
use yunying::inventory::ledger::{self, DocType, MovementKind, NewMovement};
use yunying::people::{Dept, Level};

const NEW: &str = "/inventory/replenishments/new";
const RAISE: &str = "/inventory/replenishments";

struct Fx {
    app: TestApp,
    t: TwoTenants,
    product: i64,
    wh: i64,
}

async fn exec(app: &TestApp, tenant: i64, sql: &str) {
    let mut tx = db::begin_tenant(&app.db, tenant).await.unwrap();
    sqlx::query(sql).execute(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();
}

/// A product with `on_hand` units in a warehouse and levels safety 5 / reorder 10 / max 50.
async fn stocked(app: &TestApp, tenant: i64, sku: &str, wh: &str, on_hand: i64) -> (i64, i64) {
    let (p, w) = crate::ledger::item(app, tenant, sku, wh).await;
    let mut tx = db::begin_tenant(&app.db, tenant).await.unwrap();
    sqlx::query(
        "INSERT INTO stock_levels (tenant_id, product_id, warehouse_id, safety_stock, reorder_point, max_level)
         VALUES ($1, $2, $3, 5, 10, 50)",
    )
    .bind(tenant)
    .bind(p)
    .bind(w)
    .execute(&mut *tx)
    .await
    .unwrap();
    if on_hand > 0 {
        ledger::post(
            &mut tx,
            tenant,
            &NewMovement {
                product_id: p,
                warehouse_id: w,
                kind: MovementKind::Adjustment,
                quantity: on_hand,
                reason: "期初",
                doc: DocType::Import,
                doc_id: None,
                created_by: None,
            },
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    (p, w)
}

/// alpha: admin (HR manager), director, manager, specialist (ops) + spec2 (ops),
/// manager2 (ops), whspec / whmgr (warehouse), sales (sales specialist);
/// product SKU-1 (price ¥10) with 5 in WH1 (low: suggestion 45), supplier SUP1 its default.
async fn fixture() -> Fx {
    let app = spawn_app().await;
    let t = two_tenants(&app).await;
    app.user(t.alpha, "spec2", Dept::Ops, Level::Specialist, false).await;
    app.user(t.alpha, "manager2", Dept::Ops, Level::Manager, false).await;
    app.user(t.alpha, "whspec", Dept::Warehouse, Level::Specialist, false).await;
    app.user(t.alpha, "whmgr", Dept::Warehouse, Level::Manager, false).await;
    app.user(t.alpha, "sales", Dept::Sales, Level::Specialist, false).await;
    app.user(t.beta, "manager", Dept::Ops, Level::Manager, false).await;
    let (product, wh) = stocked(&app, t.alpha, "SKU-1", "WH1", 5).await;
    exec(&app, t.alpha, "INSERT INTO partners (tenant_id, code, kind, name, contact, phone) VALUES (app.current_tenant(), 'SUP1', 'supplier', '华东供应商', '王经理', '021-5555')").await;
    exec(&app, t.alpha, "INSERT INTO partners (tenant_id, code, kind, name) VALUES (app.current_tenant(), 'SUP2', 'supplier', '华南供应商')").await;
    exec(
        &app,
        t.alpha,
        "UPDATE products SET default_supplier_id = (SELECT id FROM partners WHERE code = 'SUP1') WHERE sku = 'SKU-1'",
    )
    .await;
    Fx { app, t, product, wh }
}

impl Fx {
    async fn as_(&self, user: &str) -> Client {
        self.app.signed_in("alpha", user).await
    }

    async fn count(&self, sql: &str) -> i64 {
        self.app.scalar_i64(self.t.alpha, sql).await
    }

    async fn status_of(&self, id: i64) -> String {
        let mut tx = db::begin_tenant(&self.app.db, self.t.alpha).await.unwrap();
        let s: String = sqlx::query_scalar("SELECT status FROM replenishment_requests WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        s
    }

    async fn set_threshold(&self, fen: i64) {
        let mut tx = db::begin_tenant(&self.app.db, self.t.alpha).await.unwrap();
        let n = sqlx::query(
            "UPDATE tenants SET settings = settings || jsonb_build_object('replenishment_director_threshold_fen', $2::bigint) WHERE id = $1",
        )
        .bind(self.t.alpha)
        .bind(fen)
        .execute(&mut *tx)
        .await
        .unwrap()
        .rows_affected();
        tx.commit().await.unwrap();
        assert_eq!(n, 1);
    }
}

async fn raise(c: &Client, sku: &str, wh: &str, qty: &str, reason: &str) -> Page {
    c.post_form(NEW, RAISE, &[("sku", sku), ("warehouse", wh), ("quantity", qty), ("reason", reason)]).await
}

fn id_from(page: &Page, prefix: &str) -> i64 {
    assert_eq!(page.status, 303, "expected a redirect: {}", page.body);
    let loc = page.location().expect("location");
    loc.strip_prefix(prefix).and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("{loc}"))
}

async fn raised(c: &Client, qty: &str) -> i64 {
    id_from(&raise(c, "SKU-1", "WH1", qty, "低于再订货点").await, "/inventory/replenishments/")
}

async fn decide(c: &Client, id: i64, what: &str, comment: &str) -> Page {
    c.post_form(
        &format!("/inventory/replenishments/{id}"),
        &format!("/inventory/replenishments/{id}/{what}"),
        &[("comment", comment)],
    )
    .await
}

/// POST with a token read from a page the user can open ("/" always works).
async fn post_home_token(c: &Client, path: &str, fields: &[(&str, &str)]) -> Page {
    c.post_form("/", path, fields).await
}

#[tokio::test]
async fn low_stock_page_suggests_and_links_open_requests() {
    let fx = fixture().await;
    stocked(&fx.app, fx.t.alpha, "SKU-OK", "WH1", 40).await;
    stocked(&fx.app, fx.t.alpha, "SKU-W2", "WH2", 0).await;
    stocked(&fx.app, fx.t.beta, "SKU-BETA", "WH1", 1).await;
    let spec = fx.as_("specialist").await;
    let page = spec.get("/inventory/low-stock").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("SKU-1") && page.body.contains("SKU-W2"), "{}", page.body);
    assert!(!page.body.contains("SKU-OK"), "not low");
    assert!(!page.body.contains("SKU-BETA"), "another tenant");
    assert!(page.body.contains(r#"data-testid="suggested">45<"#), "50 − 5");
    assert!(page.body.contains("/inventory/replenishments/new?sku=SKU-1&#38;warehouse=WH1"), "{}", page.body);
    // Filters: warehouse and search.
    let page = spec.get("/inventory/low-stock?warehouse=WH2").await;
    assert!(page.body.contains("SKU-W2") && !page.body.contains("SKU-1<"), "{}", page.body);
    let page = spec.get("/inventory/low-stock?q=sku-w").await;
    assert!(page.body.contains("SKU-W2") && !page.body.contains(">SKU-1<"));
    // The form is prefilled with the suggestion.
    let form = spec.get("/inventory/replenishments/new?sku=SKU-1&warehouse=WH1").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains(r#"name="quantity" value="45""#), "{}", form.body);
    // Raised: the row links to the request instead.
    let id = raised(&spec, "45").await;
    let page = spec.get("/inventory/low-stock").await;
    assert!(page.body.contains(&format!(r#"href="/inventory/replenishments/{id}" data-testid="open-request""#)));
    // Roles: warehouse and directors see it; sales and HR do not.
    assert_eq!(fx.as_("whspec").await.get("/inventory/low-stock").await.status, 200);
    assert_eq!(fx.as_("director").await.get("/inventory/low-stock").await.status, 200);
    assert_eq!(fx.as_("sales").await.get("/inventory/low-stock").await.status, 403);
    assert_eq!(fx.as_("admin").await.get("/inventory/low-stock").await.status, 403);
    // The directors do not operate: no raise link, and no form.
    assert_eq!(fx.as_("director").await.get(NEW).await.status, 403);
}

#[tokio::test]
async fn low_stock_links_only_the_requests_the_viewer_may_open() {
    let fx = fixture().await;
    let id = raised(&fx.as_("spec2").await, "45").await;
    let link = format!(r#"href="/inventory/replenishments/{id}""#);
    // Another specialist sees that a request is open, without a link to a 404.
    let spec = fx.as_("specialist").await;
    let page = spec.get("/inventory/low-stock").await;
    assert!(!page.body.contains(&link), "{}", page.body);
    assert!(page.body.contains(r#"data-testid="open-request-other""#), "{}", page.body);
    assert_eq!(spec.get(&format!("/inventory/replenishments/{id}")).await.status, 404, "outside their scope");
    // Its author and the ops manager open it from the list.
    for who in ["spec2", "manager"] {
        let c = fx.as_(who).await;
        let page = c.get("/inventory/low-stock").await;
        assert!(page.body.contains(&link), "{who}: {}", page.body);
        assert_eq!(c.get(&format!("/inventory/replenishments/{id}")).await.status, 200, "{who}");
    }
}

#[tokio::test]
async fn raising_validates_and_writes_nothing_on_bad_input() {
    let fx = fixture().await;
    let spec = fx.as_("specialist").await;
    for (fields, field_msg) in [
        (("", "WH1", "10", "原因"), "请填写商品 SKU"),
        (("NOPE", "WH1", "10", "原因"), "没有 SKU 为 NOPE 的商品"),
        (("SKU-1", "XX", "10", "原因"), "没有编码为 XX 的仓库"),
        (("SKU-1", "WH1", "0", "原因"), "补货数量应为 1 到"),
        (("SKU-1", "WH1", "abc", "原因"), "补货数量应为 1 到"),
        (("SKU-1", "WH1", "", "原因"), "请填写补货数量"),
        (("SKU-1", "WH1", "10", "  "), "请填写补货原因"),
    ] {
        let page = raise(&spec, fields.0, fields.1, fields.2, fields.3).await;
        assert_eq!(page.status, 422, "{fields:?}: {}", page.body);
        assert!(page.body.contains(field_msg), "{fields:?}: {}", page.body);
        assert!(page.body.contains("field-error"));
    }
    // What was typed is kept.
    let page = raise(&spec, "SKU-1", "WH1", "abc", "备货理由甲").await;
    assert!(page.body.contains(r#"value="abc""#) && page.body.contains("备货理由甲"));
    assert_eq!(fx.count("SELECT count(*) FROM replenishment_requests").await, 0);
    assert_eq!(fx.count("SELECT count(*) FROM audit_log WHERE action = 'replenishment.raise'").await, 0);
    // Without the permission: 403, nothing written (nor audited).
    let mut clients = Vec::new();
    for who in ["sales", "admin", "director"] {
        clients.push((who, fx.as_(who).await));
    }
    let audited = fx.count("SELECT count(*) FROM audit_log").await;
    for (who, c) in clients {
        let page =
            post_home_token(&c, RAISE, &[("sku", "SKU-1"), ("warehouse", "WH1"), ("quantity", "5"), ("reason", "x")])
                .await;
        assert_eq!(page.status, 403, "{who}");
    }
    assert_eq!(fx.count("SELECT count(*) FROM replenishment_requests").await, 0);
    assert_eq!(fx.count("SELECT count(*) FROM audit_log").await, audited);
    // Valid: 303 to the record, with the snapshot and the audit row.
    let id = raised(&spec, "45").await;
    let snap = fx
        .count(&format!(
            "SELECT snap_on_hand * 1000000 + snap_on_order * 10000 + snap_reorder_point * 100 + snap_suggested
             FROM replenishment_requests WHERE id = {id}"
        ))
        .await;
    assert_eq!(snap, 5 * 1_000_000 + 10 * 100 + 45);
    assert_eq!(fx.count(&format!("SELECT value_fen FROM replenishment_requests WHERE id = {id}")).await, 45 * 1000);
    assert_eq!(fx.count("SELECT count(*) FROM audit_log WHERE action = 'replenishment.raise'").await, 1);
    let page = spec.get(&format!("/inventory/replenishments/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("待审批") && page.body.contains("低于再订货点"));
    // A warehouse specialist may raise too (their department's request).
    let (p2, _) = stocked(&fx.app, fx.t.alpha, "SKU-2", "WH1", 3).await;
    let wh = fx.as_("whspec").await;
    let page = raise(&wh, "SKU-2", "WH1", "10", "仓库发现缺货").await;
    let id2 = id_from(&page, "/inventory/replenishments/");
    assert_eq!(
        fx.count(&format!("SELECT count(*) FROM replenishment_requests WHERE id = {id2} AND department = 'warehouse' AND product_id = {p2}")).await,
        1
    );
}

#[tokio::test]
async fn one_open_request_per_product_and_warehouse() {
    let fx = fixture().await;
    let spec = fx.as_("specialist").await;
    let first = raised(&spec, "45").await;
    // A second one, by anyone: refused with a link to the first, nothing written.
    let mut clients = Vec::new();
    for who in ["specialist", "spec2", "whspec"] {
        clients.push((who, fx.as_(who).await));
    }
    let before = fx.app.snapshot(fx.t.alpha, "replenishment_requests", first).await;
    for (who, c) in clients {
        let page = raise(&c, "SKU-1", "WH1", "10", "再来一张").await;
        assert_eq!(page.status, 409, "{who}: {}", page.body);
        assert!(page.body.contains(&format!(r#"href="/inventory/replenishments/{first}""#)), "{}", page.body);
        assert!(page.body.contains("已有未完成的补货申请"));
        assert!(page.body.contains("再来一张"), "typed values kept");
        fx.app.assert_unchanged(&before, &format!("a second request by {who}")).await;
    }
    assert_eq!(fx.count("SELECT count(*) FROM replenishment_requests").await, 1);
    // Another warehouse is another item.
    let (_, _) = stocked(&fx.app, fx.t.alpha, "SKU-X", "WH2", 1).await;
    let page = raise(&spec, "SKU-1", "WH2", "10", "二号仓").await;
    assert_eq!(page.status, 303, "{}", page.body);
    // Still open once approved; free again once rejected.
    let mgr = fx.as_("manager").await;
    assert_eq!(decide(&mgr, first, "approve", "").await.status, 303);
    assert_eq!(raise(&spec, "SKU-1", "WH1", "10", "x").await.status, 409);
}

#[tokio::test]
async fn rejected_requests_free_the_item() {
    let fx = fixture().await;
    let spec = fx.as_("specialist").await;
    let first = raised(&spec, "45").await;
    let mgr = fx.as_("manager").await;
    assert_eq!(decide(&mgr, first, "reject", "在途足够").await.status, 303);
    let second = raised(&spec, "30").await;
    assert_ne!(first, second);
}

#[tokio::test]
async fn manager_approval_is_final_below_the_threshold() {
    let fx = fixture().await;
    let spec = fx.as_("specialist").await;
    let id = raised(&spec, "45").await; // ¥450 < ¥50,000
                                        // Who may not: the requester, other specialists, the warehouse manager, sales, HR.
    let mut clients = Vec::new();
    for who in ["specialist", "spec2", "whspec", "whmgr", "sales", "admin"] {
        clients.push((who, fx.as_(who).await));
    }
    let beta = fx.app.signed_in("beta", "director").await;
    let before = fx.app.snapshot(fx.t.alpha, "replenishment_requests", id).await;
    for (who, c) in clients {
        let page = post_home_token(&c, &format!("/inventory/replenishments/{id}/approve"), &[("comment", "")]).await;
        assert_eq!(page.status, 403, "{who}");
        fx.app.assert_unchanged(&before, &format!("approval by {who}")).await;
    }
    // Another tenant: 404.
    let page = post_home_token(&beta, &format!("/inventory/replenishments/{id}/approve"), &[("comment", "")]).await;
    assert_eq!(page.status, 404);
    fx.app.assert_unchanged(&before, "approval by another tenant").await;
    assert_eq!(beta.get(&format!("/inventory/replenishments/{id}")).await.status, 404);
    assert_eq!(fx.status_of(id).await, "pending");
    // The ops manager sees the buttons, approves: final.
    let mgr = fx.as_("manager").await;
    let page = mgr.get(&format!("/inventory/replenishments/{id}")).await;
    assert!(page.body.contains(&format!(r#"action="/inventory/replenishments/{id}/approve""#)));
    let page = decide(&mgr, id, "approve", "同意补货").await;
    assert_eq!(page.status, 303);
    assert_eq!(page.location(), Some(format!("/inventory/replenishments/{id}").as_str()));
    assert_eq!(fx.status_of(id).await, "approved");
    assert_eq!(fx.count("SELECT count(*) FROM audit_log WHERE action = 'replenishment.approve'").await, 1);
    let page = mgr.get(&format!("/inventory/replenishments/{id}")).await;
    assert!(page.body.contains("已批准") && page.body.contains("同意补货") && page.body.contains("经理批准"));
    assert!(!page.body.contains(&format!(r#"action="/inventory/replenishments/{id}/approve""#)), "no buttons");
    // Stale: approve or reject again → 409, nothing changed.
    let mut clients = Vec::new();
    for (what, who) in [("approve", "manager2"), ("reject", "manager"), ("approve", "director")] {
        clients.push((what, who, fx.as_(who).await));
    }
    let before = fx.app.snapshot(fx.t.alpha, "replenishment_requests", id).await;
    for (what, who, c) in clients {
        let page = post_home_token(&c, &format!("/inventory/replenishments/{id}/{what}"), &[("comment", "再次")]).await;
        assert_eq!(page.status, 409, "{what} by {who}");
        fx.app.assert_unchanged(&before, &format!("{what} again by {who}")).await;
    }
    assert_eq!(fx.status_of(id).await, "approved");
    assert_eq!(fx.count("SELECT count(*) FROM audit_log WHERE action LIKE 'replenishment.%'").await, 2);
}

#[tokio::test]
async fn nobody_decides_their_own_request() {
    let fx = fixture().await;
    let mgr = fx.as_("manager").await;
    let id = raised(&mgr, "45").await;
    let before = fx.app.snapshot(fx.t.alpha, "replenishment_requests", id).await;
    assert_eq!(decide(&mgr, id, "approve", "").await.status, 403);
    assert_eq!(decide(&mgr, id, "reject", "不要了").await.status, 403);
    fx.app.assert_unchanged(&before, "the requester deciding their own request").await;
    assert_eq!(fx.status_of(id).await, "pending");
    assert!(!mgr.get(&format!("/inventory/replenishments/{id}")).await.body.contains("/approve\""));
    // A director decides it (final at the first stage).
    let dir = fx.as_("director").await;
    assert_eq!(decide(&dir, id, "approve", "").await.status, 303);
    assert_eq!(fx.status_of(id).await, "approved");
}

#[tokio::test]
async fn rejecting_needs_a_comment() {
    let fx = fixture().await;
    let id = raised(&fx.as_("specialist").await, "45").await;
    let mgr = fx.as_("manager").await;
    let before = fx.app.snapshot(fx.t.alpha, "replenishment_requests", id).await;
    let page = decide(&mgr, id, "reject", "  ").await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("驳回时必须填写审批意见"));
    assert_eq!(fx.status_of(id).await, "pending");
    fx.app.assert_unchanged(&before, "a rejection without a comment").await;
    assert_eq!(fx.count("SELECT count(*) FROM audit_log WHERE action = 'replenishment.reject'").await, 0);
    let page = decide(&mgr, id, "reject", "在途数量足够").await;
    assert_eq!(page.status, 303);
    assert_eq!(fx.status_of(id).await, "rejected");
    assert_eq!(fx.count("SELECT count(*) FROM audit_log WHERE action = 'replenishment.reject'").await, 1);
    let page = fx.as_("specialist").await.get(&format!("/inventory/replenishments/{id}")).await;
    assert!(page.body.contains("已驳回") && page.body.contains("在途数量足够") && page.body.contains("经理驳回"));
    // Stale.
    let before = fx.app.snapshot(fx.t.alpha, "replenishment_requests", id).await;
    assert_eq!(decide(&mgr, id, "approve", "").await.status, 409);
    assert_eq!(fx.status_of(id).await, "rejected");
    fx.app.assert_unchanged(&before, "approving a rejected request").await;
}

#[tokio::test]
async fn above_the_threshold_a_director_approves_too() {
    let fx = fixture().await;
    fx.set_threshold(40_000).await; // ¥400: 45 × ¥10 = ¥450 needs a director, 30 × ¥10 does not
    let spec = fx.as_("specialist").await;
    // At the threshold exactly (value ≥ threshold): director needed.
    let (_, _) = stocked(&fx.app, fx.t.alpha, "SKU-EQ", "WH1", 0).await;
    let eq = id_from(&raise(&spec, "SKU-EQ", "WH1", "40", "正好").await, "/inventory/replenishments/");
    assert_eq!(
        fx.count(&format!("SELECT needs_director::int::bigint FROM replenishment_requests WHERE id = {eq}")).await,
        1
    );

    let id = raised(&spec, "45").await;
    let mgr = fx.as_("manager").await;
    let page = decide(&mgr, id, "approve", "同意，请总监审批").await;
    assert_eq!(page.status, 303);
    assert_eq!(fx.status_of(id).await, "director_pending");
    // The manager stage is done: managers may not decide now; specialists never.
    let manager2 = fx.as_("manager2").await;
    let before = fx.app.snapshot(fx.t.alpha, "replenishment_requests", id).await;
    assert_eq!(decide(&mgr, id, "approve", "").await.status, 403);
    assert_eq!(decide(&manager2, id, "approve", "").await.status, 403);
    assert_eq!(
        post_home_token(&spec, &format!("/inventory/replenishments/{id}/approve"), &[("comment", "")]).await.status,
        403
    );
    assert_eq!(fx.status_of(id).await, "director_pending");
    fx.app.assert_unchanged(&before, "a second-stage decision by managers and a specialist").await;
    // The director sees the buttons and approves: approved.
    let dir = fx.as_("director").await;
    let page = dir.get(&format!("/inventory/replenishments/{id}")).await;
    assert!(page.body.contains("待总监审批") && page.body.contains("/approve\""));
    assert_eq!(decide(&dir, id, "approve", "同意").await.status, 303);
    assert_eq!(fx.status_of(id).await, "approved");
    let page = dir.get(&format!("/inventory/replenishments/{id}")).await;
    assert!(page.body.contains("经理批准，转总监审批") && page.body.contains("总监批准"), "{}", page.body);
    let before = fx.app.snapshot(fx.t.alpha, "replenishment_requests", id).await;
    assert_eq!(decide(&dir, id, "approve", "").await.status, 409);
    fx.app.assert_unchanged(&before, "approving an approved request").await;

    // Below the threshold: the manager's approval is final.
    let (_, _) = stocked(&fx.app, fx.t.alpha, "SKU-S", "WH1", 0).await;
    let small = id_from(&raise(&spec, "SKU-S", "WH1", "30", "小额").await, "/inventory/replenishments/");
    assert_eq!(decide(&mgr, small, "approve", "").await.status, 303);
    assert_eq!(fx.status_of(small).await, "approved");

    // A director may decide at the first stage: final.
    assert_eq!(decide(&dir, eq, "approve", "").await.status, 303);
    assert_eq!(fx.status_of(eq).await, "approved");
}

#[tokio::test]
async fn a_director_rejects_at_the_second_stage() {
    let fx = fixture().await;
    fx.set_threshold(100).await;
    let id = raised(&fx.as_("specialist").await, "45").await;
    assert_eq!(decide(&fx.as_("manager").await, id, "approve", "").await.status, 303);
    assert_eq!(fx.status_of(id).await, "director_pending");
    let dir = fx.as_("director").await;
    let before = fx.app.snapshot(fx.t.alpha, "replenishment_requests", id).await;
    let page = decide(&dir, id, "reject", "").await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("驳回时必须填写审批意见"));
    assert_eq!(fx.status_of(id).await, "director_pending");
    fx.app.assert_unchanged(&before, "a rejection without a comment").await;
    assert_eq!(decide(&dir, id, "reject", "备货量过大").await.status, 303);
    assert_eq!(fx.status_of(id).await, "rejected");
    let page = dir.get(&format!("/inventory/replenishments/{id}")).await;
    assert!(page.body.contains("总监驳回") && page.body.contains("备货量过大"));
    let manager = fx.as_("manager").await;
    let before = fx.app.snapshot(fx.t.alpha, "replenishment_requests", id).await;
    assert_eq!(decide(&dir, id, "approve", "").await.status, 409);
    assert_eq!(decide(&manager, id, "approve", "").await.status, 409);
    fx.app.assert_unchanged(&before, "approving a rejected request").await;
}

#[tokio::test]
async fn two_managers_approving_at_once_exactly_one_wins() {
    let fx = fixture().await;
    let id = raised(&fx.as_("specialist").await, "45").await;
    let a = fx.as_("manager").await;
    let b = fx.as_("manager2").await;
    let path = format!("/inventory/replenishments/{id}");
    let ta = a.get(&path).await.csrf();
    let tb = b.get(&path).await.csrf();
    let approve = format!("{path}/approve");
    let fa = [("csrf_token", ta.as_str()), ("comment", "甲")];
    let fb = [("csrf_token", tb.as_str()), ("comment", "乙")];
    // The test holds the request's row first: both approvals start, both wait for it,
    // then go on one after the other (without FOR UPDATE both would read "pending").
    let lock =
        fx.app.hold_lock(fx.t.alpha, &format!("SELECT 1 FROM replenishment_requests WHERE id = {id} FOR UPDATE")).await;
    let (ra, rb) = crate::helpers::overlapping(&fx.app, lock, 2, async {
        tokio::join!(a.post_raw(&approve, &fa, &[]), b.post_raw(&approve, &fb, &[]))
    })
    .await;
    let mut statuses = [ra.status, rb.status];
    statuses.sort();
    assert_eq!(statuses, [303, 409]);
    assert_eq!(fx.status_of(id).await, "approved");
    assert_eq!(fx.count("SELECT count(*) FROM audit_log WHERE action = 'replenishment.approve'").await, 1);
}

#[tokio::test]
async fn scope_of_requests() {
    let fx = fixture().await;
    let spec = fx.as_("specialist").await;
    let mine = raised(&spec, "45").await;
    let (_, _) = stocked(&fx.app, fx.t.alpha, "SKU-W", "WH1", 0).await;
    let wh = fx.as_("whspec").await;
    let theirs = id_from(&raise(&wh, "SKU-W", "WH1", "10", "仓库").await, "/inventory/replenishments/");
    // Specialists: their own only.
    assert_eq!(spec.get(&format!("/inventory/replenishments/{mine}")).await.status, 200);
    assert_eq!(spec.get(&format!("/inventory/replenishments/{theirs}")).await.status, 404);
    let spec2 = fx.as_("spec2").await;
    assert_eq!(spec2.get(&format!("/inventory/replenishments/{mine}")).await.status, 404);
    let list = spec2.get("/inventory/replenishments").await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("没有符合条件的补货申请"));
    let list = spec.get("/inventory/replenishments").await;
    assert!(list.body.contains(&format!("/inventory/replenishments/{mine}\"")));
    assert!(!list.body.contains(&format!("/inventory/replenishments/{theirs}\"")));
    // The warehouse manager: their department's; the ops manager and directors: all.
    let whmgr = fx.as_("whmgr").await;
    assert_eq!(whmgr.get(&format!("/inventory/replenishments/{theirs}")).await.status, 200);
    assert_eq!(whmgr.get(&format!("/inventory/replenishments/{mine}")).await.status, 404);
    for who in ["manager", "director"] {
        let c = fx.as_(who).await;
        let list = c.get("/inventory/replenishments").await;
        assert!(list.body.contains(&format!("/inventory/replenishments/{mine}\"")), "{who}");
        assert!(list.body.contains(&format!("/inventory/replenishments/{theirs}\"")), "{who}");
        assert_eq!(c.get(&format!("/inventory/replenishments/{theirs}")).await.status, 200);
    }
    // Filters: status, warehouse, search, mine.
    let mgr = fx.as_("manager").await;
    let l = mgr.get("/inventory/replenishments?q=SKU-W").await;
    assert!(
        l.body.contains(&format!("/inventory/replenishments/{theirs}\""))
            && !l.body.contains(&format!("/inventory/replenishments/{mine}\""))
    );
    let l = mgr.get("/inventory/replenishments?status=approved").await;
    assert!(l.body.contains("没有符合条件的补货申请"));
    let l = mgr.get("/inventory/replenishments?warehouse=WH1&status=pending").await;
    assert!(l.body.contains(&format!("/inventory/replenishments/{mine}\"")));
    let l = spec.get("/inventory/replenishments?mine=1").await;
    assert!(l.body.contains(&format!("/inventory/replenishments/{mine}\"")));
    assert_eq!(mgr.get("/inventory/replenishments?status=bogus").await.status, 400);
    // Other roles and tenants.
    assert_eq!(fx.as_("sales").await.get("/inventory/replenishments").await.status, 403);
    assert_eq!(fx.as_("sales").await.get(&format!("/inventory/replenishments/{mine}")).await.status, 403);
    let beta = fx.app.signed_in("beta", "director").await;
    assert_eq!(beta.get(&format!("/inventory/replenishments/{mine}")).await.status, 404);
    assert!(beta.get("/inventory/replenishments").await.body.contains("没有符合条件的补货申请"));
}

async fn on_hand(fx: &Fx) -> i64 {
    fx.count(&format!(
        "SELECT on_hand FROM stock_levels WHERE product_id = {} AND warehouse_id = {}",
        fx.product, fx.wh
    ))
    .await
}

#[tokio::test]
async fn purchase_order_from_an_approved_request_received_in_two_parts() {
    let fx = fixture().await;
    let spec = fx.as_("specialist").await;
    let id = raised(&spec, "45").await;
    let new_po = format!("/purchasing/orders/new?request={id}");
    // Not approved yet: 409.
    assert_eq!(spec.get(&new_po).await.status, 409);
    assert_eq!(decide(&fx.as_("manager").await, id, "approve", "").await.status, 303);
    // Who may order: ops managers and specialists (PurchaseOrders); not warehouse, not directors.
    let mut clients = Vec::new();
    for who in ["whspec", "whmgr", "director", "sales"] {
        clients.push((who, fx.as_(who).await));
    }
    let beta = fx.app.signed_in("beta", "specialist").await;
    let before = fx.app.snapshot(fx.t.alpha, "replenishment_requests", id).await;
    let orders = fx.count("SELECT count(*) FROM purchase_orders").await;
    for (who, c) in clients {
        assert_eq!(c.get(&new_po).await.status, 403, "{who}");
        let page = post_home_token(
            &c,
            "/purchasing/orders",
            &[("request", &id.to_string()), ("supplier", "SUP1"), ("unit_cost", "9.50")],
        )
        .await;
        assert_eq!(page.status, 403, "{who}");
        fx.app.assert_unchanged(&before, &format!("an order by {who}")).await;
        assert_eq!(fx.count("SELECT count(*) FROM purchase_orders").await, orders);
    }
    assert_eq!(beta.get(&new_po).await.status, 404);
    // The form defaults the product's usual supplier and its price as the cost.
    let buyer = fx.as_("spec2").await;
    let form = buyer.get(&new_po).await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains(r#"<option value="SUP1" selected>"#), "{}", form.body);
    assert!(form.body.contains(r#"name="unit_cost" value="10.00""#));
    // Bad input: the form again, nothing written.
    let page = buyer
        .post_form(
            &new_po,
            "/purchasing/orders",
            &[("request", &id.to_string()), ("supplier", "NOPE"), ("unit_cost", "abc")],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("没有编码为 NOPE 的供应商") && page.body.contains("采购单价应为"));
    assert!(page.body.contains(r#"value="abc""#));
    assert_eq!(fx.count("SELECT count(*) FROM purchase_orders").await, 0);
    assert_eq!(fx.status_of(id).await, "approved");
    // Created (another supplier chosen): the request is ordered.
    let page = buyer
        .post_form(
            &new_po,
            "/purchasing/orders",
            &[("request", &id.to_string()), ("supplier", "SUP2"), ("unit_cost", "9.50")],
        )
        .await;
    let po = id_from(&page, "/purchasing/orders/");
    assert_eq!(fx.status_of(id).await, "ordered");
    assert_eq!(fx.count(&format!("SELECT purchase_order_id FROM replenishment_requests WHERE id = {id}")).await, po);
    assert_eq!(fx.count("SELECT count(*) FROM audit_log WHERE action = 'purchase_order.create'").await, 1);
    // Stale: ordering it again → 409, nothing written.
    let before = fx.app.snapshot(fx.t.alpha, "replenishment_requests", id).await;
    let order_before = fx.app.snapshot(fx.t.alpha, "purchase_orders", po).await;
    let page = post_home_token(
        &buyer,
        "/purchasing/orders",
        &[("request", &id.to_string()), ("supplier", "SUP1"), ("unit_cost", "1")],
    )
    .await;
    assert_eq!(page.status, 409);
    assert_eq!(fx.count("SELECT count(*) FROM purchase_orders").await, 1);
    fx.app.assert_unchanged(&before, "ordering an ordered request").await;
    fx.app.assert_unchanged(&order_before, "ordering an ordered request").await;
    // The printable page and the list.
    let po_path = format!("/purchasing/orders/{po}");
    let page = spec.get(&po_path).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains(&format!("CG-{po:06}")) && page.body.contains("华南供应商") && page.body.contains("待收货")
    );
    assert!(page.body.contains("427.50"), "45 × 9.50");
    let list = fx.as_("whspec").await.get("/purchasing/orders?status=open").await;
    assert!(list.body.contains(&po_path));
    assert!(fx
        .as_("whspec")
        .await
        .get("/purchasing/orders?status=received")
        .await
        .body
        .contains("没有符合条件的采购单"));
    assert!(fx.as_("director").await.get("/purchasing/orders?supplier=SUP2").await.body.contains(&po_path));
    assert!(!fx.as_("director").await.get("/purchasing/orders?supplier=SUP1").await.body.contains(&po_path));
    assert_eq!(fx.as_("sales").await.get("/purchasing/orders").await.status, 403);
    assert_eq!(fx.as_("sales").await.get(&po_path).await.status, 403);
    assert_eq!(beta.get(&po_path).await.status, 404);
    // On order now counts on the low-stock page: suggestion 50 − (5 + 45) = 0.
    let low = spec.get("/inventory/low-stock").await;
    assert!(low.body.contains(r#"data-testid="suggested">0<"#), "{}", low.body);

    let line: i64 = fx.count(&format!("SELECT id FROM purchase_order_lines WHERE purchase_order_id = {po}")).await;
    let field = format!("qty_{line}");
    let receive = format!("{po_path}/receive");
    // Who may not receive: sales, directors (no InventoryOperate), another tenant.
    let mut clients = Vec::new();
    for who in ["sales", "director", "admin"] {
        clients.push((who, fx.as_(who).await));
    }
    let before = fx.app.snapshot(fx.t.alpha, "purchase_orders", po).await;
    for (who, c) in clients {
        let page = post_home_token(&c, &receive, &[(&field, "1")]).await;
        assert_eq!(page.status, 403, "{who}");
        fx.app.assert_unchanged(&before, &format!("a receipt by {who}")).await;
    }
    let page = post_home_token(&beta, &receive, &[(&field, "1")]).await;
    assert_eq!(page.status, 404);
    fx.app.assert_unchanged(&before, "a receipt by another tenant").await;
    assert_eq!(on_hand(&fx).await, 5);
    // Over-receipt and nonsense: refused, nothing changed.
    let wh = fx.as_("whspec").await;
    for (qty, msg) in [("46", "超过未收数量 45"), ("-1", "不能为负数"), ("x", "请填写整数"), ("", "请至少填写一行")]
    {
        let page = wh.post_form(&po_path, &receive, &[(&field, qty)]).await;
        assert_eq!(page.status, 422, "{qty}");
        assert!(page.body.contains(msg), "{qty}: {}", page.body);
    }
    assert_eq!(on_hand(&fx).await, 5);
    assert_eq!(fx.count("SELECT count(*) FROM stock_movements WHERE doc_type = 'purchase_order'").await, 0);
    // Partial: 20.
    let page = wh.post_form(&po_path, &receive, &[(&field, "20")]).await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(on_hand(&fx).await, 25);
    assert_eq!(
        fx.count(&format!(
            "SELECT (status = 'partial' AND received_at IS NULL)::int::bigint FROM purchase_orders WHERE id = {po}"
        ))
        .await,
        1
    );
    assert_eq!(fx.count(&format!("SELECT received_quantity FROM purchase_order_lines WHERE id = {line}")).await, 20);
    assert_eq!(
        fx.count(&format!("SELECT count(*) FROM stock_movements WHERE doc_type = 'purchase_order' AND doc_id = {po} AND kind = 'receipt' AND quantity = 20 AND balance_after = 25")).await,
        1
    );
    assert_eq!(fx.count(&format!("SELECT last_cost_fen FROM products WHERE id = {}", fx.product)).await, 950);
    let page = wh.get(&po_path).await;
    assert!(page.body.contains("部分收货") && page.body.contains(r#"data-testid="on-hand">25<"#));
    // Over the rest (25 open): refused.
    let page = wh.post_form(&po_path, &receive, &[(&field, "26")]).await;
    assert_eq!(page.status, 422);
    assert_eq!(on_hand(&fx).await, 25);
    // The rest: received.
    let page = fx.as_("specialist").await.post_form(&po_path, &receive, &[(&field, "25")]).await;
    assert_eq!(page.status, 303);
    assert_eq!(on_hand(&fx).await, 50);
    assert_eq!(fx.count(&format!("SELECT (status = 'received' AND received_at IS NOT NULL)::int::bigint FROM purchase_orders WHERE id = {po}")).await, 1);
    assert_eq!(
        fx.count(&format!("SELECT count(*) FROM stock_movements WHERE doc_type = 'purchase_order' AND doc_id = {po}"))
            .await,
        2
    );
    assert_eq!(fx.count("SELECT count(*) FROM audit_log WHERE action = 'purchase_order.receive'").await, 2);
    // The ledger invariant: on hand = sum of movements.
    assert_eq!(
        fx.count(&format!(
            "SELECT sum(quantity)::bigint FROM stock_movements WHERE product_id = {} AND warehouse_id = {}",
            fx.product, fx.wh
        ))
        .await,
        50
    );
    // Stale: nothing more to receive.
    let before = fx.app.snapshot(fx.t.alpha, "purchase_orders", po).await;
    let page = post_home_token(&wh, &receive, &[(&field, "1")]).await;
    assert_eq!(page.status, 409);
    assert_eq!(on_hand(&fx).await, 50);
    fx.app.assert_unchanged(&before, "receiving a received order").await;
    // No longer low.
    assert!(!spec.get("/inventory/low-stock").await.body.contains(">SKU-1<"));
    let page = spec.get(&format!("/inventory/replenishments/{id}")).await;
    assert!(page.body.contains("已下单") && page.body.contains(&format!("CG-{po:06}")));
}

#[tokio::test]
async fn home_queues_by_role() {
    let fx = fixture().await;
    fx.set_threshold(100).await;
    let spec = fx.as_("specialist").await;
    let id = raised(&spec, "45").await;
    let home = spec.get("/").await;
    assert!(home.body.contains("我的未完成补货申请") && home.body.contains("低库存商品"), "{}", home.body);
    let mgr = fx.as_("manager").await;
    let home = mgr.get("/").await;
    assert!(home.body.contains("待审批补货申请"), "{}", home.body);
    assert_eq!(decide(&mgr, id, "approve", "").await.status, 303);
    let home = fx.as_("director").await.get("/").await;
    assert!(home.body.contains("待总监审批补货申请"));
    let home = fx.as_("sales").await.get("/").await;
    assert!(!home.body.contains("补货申请") && !home.body.contains("低库存商品"));
}

#[tokio::test]
async fn demo_seeds_every_state() {
    let app = spawn_app().await;
    let t = app.tenant("demo").await;
    let mut users = Vec::new();
    for (name, dept, level) in [
        ("ops.specialist", Dept::Ops, Level::Specialist),
        ("ops.manager", Dept::Ops, Level::Manager),
        ("ops.director", Dept::Ops, Level::Director),
        ("warehouse.specialist", Dept::Warehouse, Level::Specialist),
    ] {
        let id = app.user(t, name, dept, level, false).await;
        users.push((name.to_owned(), id, dept, level));
    }
    let ctx = yunying::demo::supply::Ctx {
        tenant_id: t,
        n: 0,
        products: 12,
        orders: 0,
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        users,
    };
    // Nothing to work on: nothing seeded, no error.
    let mut tx = db::begin_tenant(&app.db, t).await.unwrap();
    yunying::purchasing::demo::seed(&mut tx, &ctx).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(app.scalar_i64(t, "SELECT count(*) FROM replenishment_requests").await, 0);

    for i in 0..12 {
        stocked(&app, t, &format!("D-{i:02}"), if i % 2 == 0 { "WH1" } else { "WH2" }, if i < 6 { 3 } else { 30 })
            .await;
    }
    exec(
        &app,
        t,
        "INSERT INTO partners (tenant_id, code, kind, name) VALUES (app.current_tenant(), 'S1', 'supplier', '供应商')",
    )
    .await;
    let mut tx = db::begin_tenant(&app.db, t).await.unwrap();
    yunying::purchasing::demo::seed(&mut tx, &ctx).await.unwrap();
    tx.commit().await.unwrap();
    for (status, n) in [("pending", 2), ("director_pending", 1), ("approved", 1), ("rejected", 2), ("ordered", 3)] {
        let got =
            app.scalar_i64(t, &format!("SELECT count(*) FROM replenishment_requests WHERE status = '{status}'")).await;
        assert_eq!(got, n, "{status}");
    }
    assert_eq!(
        app.scalar_i64(
            t,
            "SELECT count(*) FROM replenishment_requests WHERE status = 'director_pending' AND needs_director"
        )
        .await,
        1
    );
    for status in ["open", "partial", "received"] {
        let got = app.scalar_i64(t, &format!("SELECT count(*) FROM purchase_orders WHERE status = '{status}'")).await;
        assert_eq!(got, 1, "{status}");
    }
    // Receipts are in the ledger, and on hand is still the sum of the movements.
    assert_eq!(app.scalar_i64(t, "SELECT count(*) FROM stock_movements WHERE doc_type = 'purchase_order'").await, 2);
    assert_eq!(
        app.scalar_i64(
            t,
            "SELECT count(*) FROM stock_levels s WHERE on_hand <> (SELECT coalesce(sum(quantity), 0) FROM stock_movements m
             WHERE m.product_id = s.product_id AND m.warehouse_id = s.warehouse_id)"
        )
        .await,
        0
    );
    // The pages render the seeded data.
    let c = app.signed_in("demo", "ops.manager").await;
    for path in ["/inventory/low-stock", "/inventory/replenishments", "/purchasing/orders", "/"] {
        let page = c.get(path).await;
        assert_eq!(page.status, 200, "{path}");
    }
}
