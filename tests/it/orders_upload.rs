//! The order import on the web (`/orders/import`): the command line's checks with
//! every error by line and field and nothing written; GBK, CRLF and the Chinese
//! header; a preview, then one confirmation creating exactly what the command line
//! creates; re-uploads unchanged; cancel; a second confirmation refused; 403 for
//! other roles and 404 for anyone else's upload.

use yunying::people::{Dept, Level};

use crate::catalog::audits;
use crate::helpers::{ok, spawn_app, two_tenants, Client, Page, TestApp, TwoTenants};
use crate::orders_import::{import_bytes, FILE, PRODUCTS};

struct Desk {
    app: TestApp,
    t: TwoTenants,
    /// ops specialist of alpha: operates orders
    ops: Client,
}

async fn desk() -> Desk {
    let app = spawn_app().await;
    let t = two_tenants(&app).await;
    for tenant in ["alpha", "beta"] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.csv");
        std::fs::write(&path, PRODUCTS).unwrap();
        ok(&app.cli(&["import", "products", "--tenant", tenant, &path.display().to_string()], None), "products");
    }
    Desk { ops: app.signed_in("alpha", "specialist").await, app, t }
}

async fn upload(c: &Client, name: &str, bytes: &[u8]) -> Page {
    c.upload("/orders/import", "/orders/import", &[], name, bytes.to_vec()).await
}

async fn post(c: &Client, path: &str) -> Page {
    c.post_form("/", path, &[]).await
}

/// The preview's path after a valid upload.
async fn previewed(c: &Client, name: &str, bytes: &[u8]) -> String {
    let r = upload(c, name, bytes).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let path = r.location().expect("to the preview").to_owned();
    assert!(path.starts_with("/orders/import/"), "{path}");
    path
}

/// The number shown in the preview's card `testid`.
fn stat(body: &str, testid: &str) -> String {
    let marker = format!("data-testid=\"{testid}\">");
    let start = body.find(&marker).unwrap_or_else(|| panic!("no {testid} in {body}")) + marker.len();
    body[start..].split('<').next().unwrap().to_owned()
}

async fn counts(d: &Desk, tenant: i64) -> (i64, i64, i64) {
    let app = &d.app;
    (
        app.scalar_i64(tenant, "SELECT count(*) FROM orders").await,
        app.scalar_i64(tenant, "SELECT count(*) FROM order_lines").await,
        audits(app, tenant, "import.orders").await,
    )
}

#[tokio::test]
async fn a_bad_upload_lists_every_error_by_line_and_field_and_writes_nothing() {
    let d = desk().await;
    // Line 3 disagrees with line 2 about the receiver (CRLF line ends: still line 3).
    let disagree = FILE.replacen(
        "\tTB-1,2026-11-23 10:05,2026-11-23 10:06:30,小王,王小明",
        "\tTB-1,2026-11-23 10:05,2026-11-23 10:06:30,小王,王大明",
        1,
    );
    let r = upload(&d.ops, "orders.csv", disagree.as_bytes()).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("data-testid=\"import-errors\""), "{}", r.body);
    for needle in ["第 3 行", "收货人（receiver）", "与第 2 行同一订单的收货人不一致", "没有导入任何订单"]
    {
        assert!(r.body.contains(needle), "{needle} not in {}", r.body);
    }
    // An unknown SKU on line 4 (the database check), and a bad quantity and time
    // on one line: each named.
    let unknown = FILE.replace("PEN-1,3,11.5", "NOPE-1,3,11.5");
    let r = upload(&d.ops, "orders.csv", unknown.as_bytes()).await;
    assert_eq!(r.status, 422);
    for needle in ["第 4 行", "商家编码（sku）", "商品 NOPE-1 不存在"] {
        assert!(r.body.contains(needle), "{needle} not in {}", r.body);
    }
    let bad = FILE.replace("PEN-1,3,11.5", "PEN-1,0,11.5").replace("2026-11-24 09:00", "2026-11-24 9:00");
    let r = upload(&d.ops, "orders.csv", bad.as_bytes()).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("下单时间（ordered_at）") && r.body.contains("数量（quantity）"), "{}", r.body);
    // A wrong header, a file with only its header, no file at all.
    let r = upload(&d.ops, "x.csv", b"order_no,sku\nTB-1,CUP-1\n").await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("第 1 行") && r.body.contains("表头必须是"), "{}", r.body);
    let header = FILE.lines().next().unwrap();
    assert_eq!(upload(&d.ops, "h.csv", header.as_bytes()).await.status, 422);
    let r = upload(&d.ops, "", b"").await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("请选择要上传的订单文件"), "{}", r.body);
    assert_eq!(counts(&d, d.t.alpha).await, (0, 0, 0), "nothing written");
    assert_eq!(d.app.scalar_i64(d.t.alpha, "SELECT count(*) FROM pending_uploads").await, 0, "nothing stored");
}

/// What an import created in `tenant`, without ids, users or file paths.
async fn created(app: &TestApp, tenant: i64) -> Vec<String> {
    let mut all = app
        .strings(
            tenant,
            "SELECT concat_ws(' ', platform, order_no, shop, source, status, buyer, receiver, phone, province, city, district,
                              address, buyer_note, seller_note, goods_fen, shipping_fen, discount_fen, paid_fen,
                              ordered_at, paid_at) FROM orders ORDER BY platform, order_no",
        )
        .await;
    all.extend(
        app.strings(
            tenant,
            "SELECT concat_ws(' ', o.order_no, l.line_no, p.sku, l.quantity, l.unit_price_fen, l.reserved_qty)
             FROM order_lines l JOIN orders o ON o.tenant_id = l.tenant_id AND o.id = l.order_id
             JOIN products p ON p.tenant_id = l.tenant_id AND p.id = l.product_id ORDER BY 1",
        )
        .await,
    );
    all.extend(
        app.strings(
            tenant,
            "SELECT concat_ws(' ', o.order_no, h.kind, h.reason, h.released_at IS NULL) FROM order_holds h
             JOIN orders o ON o.tenant_id = h.tenant_id AND o.id = h.order_id ORDER BY 1",
        )
        .await,
    );
    all.extend(
        app.strings(
            tenant,
            "SELECT concat_ws(' ', o.order_no, e.kind, regexp_replace(e.note, '（.*/', '（')) FROM order_events e
             JOIN orders o ON o.tenant_id = e.tenant_id AND o.id = e.order_id ORDER BY 1",
        )
        .await,
    );
    all.extend(
        app.strings(
            tenant,
            "SELECT concat_ws(' ', action, entity_type, regexp_replace(summary, '（.*/', '（'), (after - 'file')::text)
             FROM audit_log WHERE action LIKE 'import.%' ORDER BY id",
        )
        .await,
    );
    all
}

#[tokio::test]
async fn a_gbk_crlf_file_with_the_chinese_header_is_previewed_then_created_as_the_command_line_would() {
    let d = desk().await;
    let zh = "平台,店铺,订单编号,下单时间,付款时间,买家,收货人,手机,省,市,区,详细地址,商家编码,数量,单价,运费,优惠,实付金额,买家留言,卖家备注";
    let text = FILE.replacen(FILE.lines().next().unwrap(), zh, 1);
    assert!(text.contains("\r\n"), "CRLF line ends");
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(!unmappable && std::str::from_utf8(&gbk).is_err(), "really GBK");
    let path = previewed(&d.ops, "orders.csv", &gbk).await;
    assert_eq!(counts(&d, d.t.alpha).await, (0, 0, 0), "a preview writes nothing");
    let p = d.ops.get(&path).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert_eq!(
        (stat(&p.body, "new"), stat(&p.body, "lines"), stat(&p.body, "unchanged")),
        ("2".into(), "3".into(), "0".into())
    );
    for needle in ["王小明", "JD-9", "CUP-1×2，PEN-1×1", "126.70"] {
        assert!(p.body.contains(needle), "sample rows: {needle} not in {}", p.body);
    }
    let holds = &p.body[p.body.find("data-testid=\"holds\"").expect("the holds intake places")..];
    assert!(holds.contains("未付款</span> 1 单") && holds.contains("地址不完整</span> 1 单"), "{holds}");
    // The listed upload awaits its confirmation.
    assert!(d.ops.get("/orders/import").await.body.contains(&format!("href=\"{path}\"")));
    let r = post(&d.ops, &format!("{path}/confirm")).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), Some("/orders"));
    let list = d.ops.get("/orders").await;
    assert!(list.body.contains("新增 2 单（3 行），未变 0 单"), "{}", list.body);
    assert_eq!(counts(&d, d.t.alpha).await, (2, 3, 1));
    // Exactly what `yunying import orders` makes of the same file (in beta).
    ok(&import_bytes(&d.app, "beta", &gbk), "the command line's import");
    let web = created(&d.app, d.t.alpha).await;
    assert_eq!(web, created(&d.app, d.t.beta).await);
    assert!(web.iter().any(|l| l.starts_with("JD-9 unpaid 导入时未付款")), "{web:?}");
    let by: Vec<String> =
        d.app.strings(d.t.alpha, "SELECT coalesce(actor_name, '') FROM audit_log WHERE action = 'import.orders'").await;
    assert!(by[0].contains("specialist"), "audited as the user: {by:?}");
    assert_eq!(d.ops.get(&path).await.status, 409, "the preview is gone");
}

#[tokio::test]
async fn a_re_upload_is_unchanged_a_second_confirmation_is_refused_and_a_cancel_writes_nothing() {
    let d = desk().await;
    let path = previewed(&d.ops, "orders.csv", FILE.as_bytes()).await;
    assert_eq!(post(&d.ops, &format!("{path}/confirm")).await.status, 303);
    // Twice: 409, nothing applied again.
    let again = post(&d.ops, &format!("{path}/confirm")).await;
    assert_eq!(again.status, 409, "{}", again.body);
    assert!(again.body.contains("已经确认导入过了"), "{}", again.body);
    assert_eq!(post(&d.ops, &format!("{path}/cancel")).await.status, 409);
    assert_eq!(counts(&d, d.t.alpha).await, (2, 3, 1));
    // The same file again: nothing new.
    let path = previewed(&d.ops, "orders.csv", FILE.as_bytes()).await;
    let p = d.ops.get(&path).await;
    assert_eq!((stat(&p.body, "new"), stat(&p.body, "unchanged")), ("0".into(), "2".into()));
    assert!(!p.body.contains("data-testid=\"holds\""), "no holds for orders that exist");
    assert_eq!(post(&d.ops, &format!("{path}/confirm")).await.status, 303);
    assert!(d.ops.get("/orders").await.body.contains("新增 0 单（0 行），未变 2 单"));
    assert_eq!(counts(&d, d.t.alpha).await, (2, 3, 2), "the re-import is audited too");
    assert_eq!(d.app.scalar_i64(d.t.alpha, "SELECT count(*) FROM order_holds").await, 2);
    // Cancelled: nothing written, the bytes gone, no confirmation after.
    let other = FILE.replace("TB-1", "TB-2").replace("JD-9", "JD-10");
    let path = previewed(&d.ops, "other.csv", other.as_bytes()).await;
    let r = post(&d.ops, &format!("{path}/cancel")).await;
    assert_eq!((r.status, r.location()), (303, Some("/orders/import")));
    assert_eq!(post(&d.ops, &format!("{path}/confirm")).await.status, 409);
    assert_eq!(counts(&d, d.t.alpha).await, (2, 3, 2));
    let stored = "SELECT count(*) FROM pending_uploads WHERE content IS NOT NULL OR status = 'pending'";
    assert_eq!(d.app.scalar_i64(d.t.alpha, stored).await, 0);
}

#[tokio::test]
async fn other_roles_get_403_and_anyone_elses_upload_is_404() {
    let d = desk().await;
    d.app.user(d.t.alpha, "svc", Dept::Service, Level::Specialist, false).await;
    d.app.user(d.t.alpha, "wh", Dept::Warehouse, Level::Specialist, false).await;
    d.app.user(d.t.alpha, "hrs", Dept::Hr, Level::Specialist, false).await;
    let path = previewed(&d.ops, "orders.csv", FILE.as_bytes()).await;
    for who in ["wh", "hrs"] {
        let c = d.app.signed_in("alpha", who).await;
        assert_eq!(c.get("/orders/import").await.status, 403, "{who}");
        assert_eq!(c.get(&path).await.status, 403, "{who}");
        let r = c.upload("/", "/orders/import", &[], "o.csv", FILE.as_bytes().to_vec()).await;
        assert_eq!(r.status, 403, "{who}");
        assert_eq!(post(&c, &format!("{path}/confirm")).await.status, 403, "{who}");
    }
    // Service staff may import; but another user's upload (same tenant, same
    // permission) is not theirs, nor one of another tenant.
    let svc = d.app.signed_in("alpha", "svc").await;
    assert_eq!(svc.get("/orders/import").await.status, 200);
    let manager = d.app.signed_in("alpha", "manager").await;
    let beta = d.app.signed_in("beta", "specialist").await;
    for c in [&svc, &manager, &beta] {
        assert_eq!(c.get(&path).await.status, 404);
        assert_eq!(post(c, &format!("{path}/confirm")).await.status, 404);
        assert_eq!(post(c, &format!("{path}/cancel")).await.status, 404);
        assert!(!c.get("/orders/import").await.body.contains(&path), "not listed for others");
    }
    assert_eq!(d.ops.get("/orders/import/999999").await.status, 404);
    assert_eq!(post(&d.ops, "/orders/import/x/confirm").await.status, 404);
    assert_eq!(counts(&d, d.t.alpha).await, (0, 0, 0));
    // An expired upload is gone.
    let mut tx = yunying::db::begin_tenant(&d.app.db, d.t.alpha).await.unwrap();
    sqlx::query("UPDATE pending_uploads SET expires_at = now() - interval '1 minute'").execute(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(post(&d.ops, &format!("{path}/confirm")).await.status, 404);
    assert_eq!(counts(&d, d.t.alpha).await, (0, 0, 0));
    // The list links the import for those who may use it, not for the others.
    assert!(d.ops.get("/orders").await.body.contains("href=\"/orders/import\""));
    assert!(!d.app.signed_in("alpha", "wh").await.get("/orders").await.body.contains("href=\"/orders/import\""));
}
