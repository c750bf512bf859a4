//! Orders entered here: the order form (lines, 添加一行, the SKU search, every
//! validation error re-showing the form and writing nothing) and the order of a
//! signed sales contract (once per contract, also under a race), numbered
//! SO-000001… per tenant, with the intake holds, the timeline event and the audit row.

use yunying::db;
use yunying::people::{Dept, Level};

use crate::helpers::{spawn_app, two_tenants, Client, Page, Snapshot, TestApp, TwoTenants};

struct Desk {
    app: TestApp,
    t: TwoTenants,
    /// ops specialist: takes orders in
    ops: Client,
    service: Client,
    warehouse: Client,
    hr: Client,
    /// sales specialist `rep` (drafts contracts), another one, their manager
    rep: Client,
    rep2: Client,
    sales_manager: Client,
    /// beta's ops manager
    beta: Client,
    rep_id: i64,
    ops_id: i64,
    cup: i64,
    cup2: i64,
    pen: i64,
    old: i64,
    c001: i64,
    c002: i64,
    s001: i64,
}

async fn exec(app: &TestApp, tenant: i64, sql: &str) -> i64 {
    let mut tx = db::begin_tenant(&app.db, tenant).await.unwrap();
    let id: i64 = sqlx::query_scalar(sql).bind(tenant).fetch_one(&mut *tx).await.expect(sql);
    tx.commit().await.unwrap();
    id
}

async fn desk() -> Desk {
    let app = spawn_app().await;
    let t = two_tenants(&app).await;
    app.user(t.alpha, "svc", Dept::Service, Level::Specialist, false).await;
    app.user(t.alpha, "wh", Dept::Warehouse, Level::Specialist, false).await;
    app.user(t.alpha, "hrs", Dept::Hr, Level::Specialist, false).await;
    let rep_id = app.user(t.alpha, "rep", Dept::Sales, Level::Specialist, false).await;
    app.user(t.alpha, "rep2", Dept::Sales, Level::Specialist, false).await;
    app.user(t.alpha, "sm", Dept::Sales, Level::Manager, false).await;
    app.user(t.beta, "manager", Dept::Ops, Level::Manager, false).await;
    let product = |sku: &str, name: &str, price: i64, status: &str| {
        format!("INSERT INTO products (tenant_id, sku, name, price_fen, status) VALUES ($1, '{sku}', '{name}', {price}, '{status}') RETURNING id")
    };
    let cup = exec(&app, t.alpha, &product("CUP-1", "保温杯", 8800, "listed")).await;
    let cup2 = exec(&app, t.alpha, &product("CUP-2", "保温杯大号", 9900, "listed")).await;
    let pen = exec(&app, t.alpha, &product("PEN-1", "中性笔", 250, "listed")).await;
    let old = exec(&app, t.alpha, &product("OLD-1", "保温杯旧款", 100, "eliminated")).await;
    exec(&app, t.alpha, &product("NEW-1", "新品杯", 100, "draft")).await;
    exec(&app, t.alpha, &product("DEL-1", "下架杯", 100, "delisted")).await;
    exec(&app, t.beta, &product("CUP-1", "北京保温杯", 5000, "listed")).await;
    let partner = |code: &str, kind: &str, name: &str, contact: &str, phone: &str, address: &str| {
        format!("INSERT INTO partners (tenant_id, code, kind, name, contact, phone, address) VALUES ($1, '{code}', '{kind}', '{name}', '{contact}', '{phone}', '{address}') RETURNING id")
    };
    let c001 = exec(
        &app,
        t.alpha,
        &partner("C001", "customer", "上海联华超市", "李经理", "13900000000", "上海市浦东新区张江路 1 号"),
    )
    .await;
    let c002 = exec(&app, t.alpha, &partner("C002", "customer", "无联系人客户", "", "", "")).await;
    let s001 = exec(&app, t.alpha, &partner("S001", "supplier", "宁波华锐塑料", "", "", "")).await;
    Desk {
        ops: app.signed_in("alpha", "specialist").await,
        service: app.signed_in("alpha", "svc").await,
        warehouse: app.signed_in("alpha", "wh").await,
        hr: app.signed_in("alpha", "hrs").await,
        rep: app.signed_in("alpha", "rep").await,
        rep2: app.signed_in("alpha", "rep2").await,
        sales_manager: app.signed_in("alpha", "sm").await,
        beta: app.signed_in("beta", "manager").await,
        ops_id: t.alpha_specialist,
        rep_id,
        app,
        t,
        cup,
        cup2,
        pen,
        old,
        c001,
        c002,
        s001,
    }
}

/// A contract of `kind` with `partner` in `status`, drafted by `drafter`, with
/// `lines` (product, quantity, price in fen).
async fn contract(d: &Desk, kind: &str, partner: i64, status: &str, drafter: i64, lines: &[(i64, i64, i64)]) -> i64 {
    let dept = if kind == "sales" { "sales" } else { "ops" };
    let signed = if status == "signed" { "'2026-11-01'" } else { "NULL" };
    let amount: i64 = lines.iter().map(|l| l.1 * l.2).sum::<i64>().max(1);
    let id = exec(
        &d.app,
        d.t.alpha,
        &format!(
            "INSERT INTO contracts (tenant_id, contract_no, kind, partner_id, title, amount_fen, status, department, drafted_by, signed_on)
             SELECT $1, 'HT-' || lpad((count(*) + 1)::text, 6, '0'), '{kind}', {partner}, '测试合同', {amount}, '{status}', '{dept}', {drafter}, {signed}
             FROM contracts RETURNING id"
        ),
    )
    .await;
    for (product, quantity, price) in lines {
        exec(
            &d.app,
            d.t.alpha,
            &format!(
                "INSERT INTO contract_lines (tenant_id, contract_id, product_id, quantity, price_fen)
                 VALUES ($1, {id}, {product}, {quantity}, {price}) RETURNING id"
            ),
        )
        .await;
    }
    id
}

/// POST the order form (token from the form page).
async fn submit(c: &Client, fields: &[(&str, &str)]) -> Page {
    c.post_form("/orders/new", "/orders/new", fields).await
}

/// POST 生成订单 of contract `id` (token from the home page).
async fn order_contract(c: &Client, id: i64) -> Page {
    c.post_form("/", &format!("/contracts/{id}/order"), &[]).await
}

fn order_id(page: &Page) -> i64 {
    assert_eq!(page.status, 303, "{}", page.body);
    let loc = page.location().expect("redirect");
    loc.trim_start_matches("/orders/").parse().unwrap_or_else(|_| panic!("order location {loc}"))
}

async fn text(app: &TestApp, tenant: i64, sql: &str) -> String {
    app.strings(tenant, sql).await.join(" | ")
}

/// Everything an order's intake writes, counted (and the number counter).
const WRITES: &[&str] = &["SELECT (SELECT count(*) FROM orders) || ',' || (SELECT count(*) FROM order_lines) || ','
        || (SELECT count(*) FROM order_holds) || ',' || (SELECT count(*) FROM order_events) || ','
        || coalesce((SELECT last FROM order_numbers), 0)"];

async fn snapshot(d: &Desk, table: &str, id: i64) -> Snapshot {
    d.app.snapshot_with(d.t.alpha, table, id, WRITES).await
}

const HEADER: &[(&str, &str)] = &[
    ("customer", "C001"),
    ("receiver", "王小明"),
    ("phone", "13800000000"),
    ("province", "浙江省"),
    ("city", "杭州市"),
    ("district", "西湖区"),
    ("address", "文三路 1 号"),
    ("buyer_note", "尽快发货"),
    ("seller_note", "电话订单"),
];

fn with<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut v: Vec<(&str, &str)> = HEADER.to_vec();
    v.extend_from_slice(extra);
    v
}

#[tokio::test]
async fn the_form_is_the_order_desks_and_refused_to_everyone_else() {
    let d = desk().await;
    for c in [&d.ops, &d.service] {
        let page = c.get("/orders/new").await;
        assert_eq!(page.status, 200, "{}", page.body);
        for field in ["name=\"sku_1\"", "name=\"quantity_3\"", "name=\"unit_price_3\"", "name=\"add_line\"", "添加一行"]
        {
            assert!(page.body.contains(field), "{field}");
        }
        assert!(!page.body.contains("name=\"sku_4\""), "three rows to start with");
        assert!(c.get("/orders").await.body.contains("href=\"/orders/new\""), "the list links the form");
    }
    assert!(!d.warehouse.get("/orders").await.body.contains("href=\"/orders/new\""));
    for c in [&d.warehouse, &d.rep, &d.hr] {
        assert_eq!(c.get("/orders/new").await.status, 403);
        let r = c.post_form("/", "/orders/new", &with(&[("sku_1", "CUP-1"), ("quantity_1", "1")])).await;
        assert_eq!(r.status, 403);
    }
    assert_eq!(d.app.scalar_i64(d.t.alpha, "SELECT count(*) FROM orders").await, 0, "nothing written");
    // Without the token: refused like every other form.
    let r = d.ops.post_raw("/orders/new", &[("sku_1", "CUP-1"), ("quantity_1", "1")], &[]).await;
    assert_eq!(r.status, 403);
}

#[tokio::test]
async fn a_valid_order_is_numbered_held_as_intake_holds_and_audited_in_fen() {
    let d = desk().await;
    // No address and no payment: both intake holds. CUP-1 at its price (88.00), pens as typed.
    let mut fields = with(&[
        ("sku_1", "CUP-1"),
        ("quantity_1", "2"),
        ("sku_3", "PEN-1"),
        ("quantity_3", "3"),
        ("unit_price_3", "2.5"),
        ("shipping_fee", "10"),
        ("discount", "5.50"),
    ]);
    fields.retain(|(k, _)| *k != "address");
    let r = submit(&d.ops, &fields).await;
    let id = order_id(&r);
    let row = text(
        &d.app,
        d.t.alpha,
        &format!(
            "SELECT concat_ws(',', order_no, platform, source, customer_id, contract_id IS NULL, buyer, receiver, address = '',
                    goods_fen, shipping_fen, discount_fen, paid_fen, paid_at IS NULL, status, rep_id IS NULL, created_by,
                    buyer_note, seller_note) FROM orders WHERE id = {id}"
        ),
    )
    .await;
    assert_eq!(
        row,
        format!(
            "SO-000001,offline,manual,{},t,上海联华超市,王小明,t,18350,1000,550,18800,t,pending_review,t,{},尽快发货,电话订单",
            d.c001, d.ops_id
        ),
        "goods 2 × 88.00 + 3 × 2.50; paid = goods + 10.00 − 5.50; the buyer is the customer"
    );
    let lines = text(
        &d.app,
        d.t.alpha,
        &format!("SELECT line_no || ':' || product_id || '×' || quantity || '@' || unit_price_fen FROM order_lines WHERE order_id = {id} ORDER BY line_no"),
    )
    .await;
    assert_eq!(lines, format!("1:{}×2@8800 | 2:{}×3@250", d.cup, d.pen), "the blank row is skipped");
    let holds = text(
        &d.app,
        d.t.alpha,
        &format!("SELECT kind || ' ' || reason FROM order_holds WHERE order_id = {id} ORDER BY kind"),
    )
    .await;
    assert_eq!(holds, "address 缺少详细地址 | unpaid 录入时未付款");
    let events =
        text(&d.app, d.t.alpha, &format!("SELECT kind || ' ' || note FROM order_events WHERE order_id = {id}")).await;
    assert_eq!(events, "intake 手工录入");
    let audit = text(
        &d.app,
        d.t.alpha,
        &format!("SELECT action || ' ' || (after->>'paid_fen') FROM audit_log WHERE entity_type = 'order' AND entity_id = '{id}'"),
    )
    .await;
    assert_eq!(audit, "order.create 18800");
    let page = d.ops.get(&format!("/orders/{id}")).await;
    assert!(page.body.contains("已创建订单 SO-000001"), "the flash");
    assert!(page.body.contains("data-hold=\"address\"") && page.body.contains("data-hold=\"unpaid\""));

    // Paid, complete, on another platform: the next number and no hold.
    let r = submit(
        &d.service,
        &with(&[("platform", "tmall"), ("shop", "天猫旗舰店"), ("sku_1", "PEN-1"), ("quantity_1", "1"), ("paid", "1")]),
    )
    .await;
    let second = order_id(&r);
    let row = text(
        &d.app,
        d.t.alpha,
        &format!("SELECT concat_ws(',', order_no, platform, shop, paid_fen, paid_at IS NOT NULL) FROM orders WHERE id = {second}"),
    )
    .await;
    assert_eq!(row, "SO-000002,tmall,天猫旗舰店,250,t");
    assert_eq!(
        d.app.scalar_i64(d.t.alpha, &format!("SELECT count(*) FROM order_holds WHERE order_id = {second}")).await,
        0
    );
    // A payment time typed (local time): kept.
    let r = submit(&d.ops, &with(&[("sku_1", "PEN-1"), ("quantity_1", "1"), ("paid_at", "2026-01-02 03:04")])).await;
    let third = order_id(&r);
    let paid = text(&d.app, d.t.alpha, &format!("SELECT order_no || ' ' || to_char(paid_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') FROM orders WHERE id = {third}")).await;
    assert_eq!(paid, "SO-000003 2026-01-02 03:04");
    // Numbers are per tenant.
    let r = submit(&d.beta, &[("sku_1", "CUP-1"), ("quantity_1", "1")]).await;
    let beta = order_id(&r);
    assert_eq!(text(&d.app, d.t.beta, &format!("SELECT order_no FROM orders WHERE id = {beta}")).await, "SO-000001");
}

type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);

#[tokio::test]
async fn each_validation_error_shows_the_form_again_with_what_was_typed_and_writes_nothing() {
    let d = desk().await;
    let first = order_id(&submit(&d.ops, &with(&[("sku_1", "CUP-1"), ("quantity_1", "1")])).await);
    let before = snapshot(&d, "orders", first).await;
    // (the fields, the message, a typed value the form shows again)
    let cases: &[Case] = &[
        (&[], "请至少填写一行商品", "value=\"王小明\""),
        (&[("sku_1", "CUP-1"), ("quantity_1", "0")], "“0”不是有效数量", "name=\"quantity_1\" value=\"0\""),
        (&[("sku_1", "CUP-1"), ("quantity_1", "1.5")], "“1.5”不是有效数量", "value=\"1.5\""),
        (&[("sku_1", "CUP-1")], "请填写数量", "value=\"CUP-1\""),
        (&[("quantity_2", "4")], "请填写 SKU 或商品名称", "name=\"quantity_2\" value=\"4\""),
        (
            &[("sku_1", "CUP-1"), ("quantity_1", "1"), ("unit_price_1", "1.999")],
            "“1.999”不是有效金额",
            "value=\"1.999\"",
        ),
        (&[("sku_1", "OLD-1"), ("quantity_1", "1")], "保温杯旧款（OLD-1）为「已汰换」，不能下单", "value=\"OLD-1\""),
        (&[("sku_1", "NEW-1"), ("quantity_1", "1")], "新品杯（NEW-1）为「草稿」，不能下单", "value=\"NEW-1\""),
        (&[("sku_1", "DEL-1"), ("quantity_1", "1")], "下架杯（DEL-1）为「已下架」，不能下单", "value=\"DEL-1\""),
        (
            &[("sku_1", "CUP-1"), ("quantity_1", "1"), ("sku_2", "CUP-1"), ("quantity_2", "2")],
            "CUP-1 已在前面的行中",
            "name=\"quantity_2\" value=\"2\"",
        ),
        (
            &[("sku_1", "不存在的东西"), ("quantity_1", "1")],
            "没有 SKU 或名称含“不存在的东西”的在售商品",
            "value=\"不存在的东西\"",
        ),
        (
            &[("sku_1", "PEN-1"), ("quantity_1", "1"), ("discount", "13")],
            "优惠不能超过商品金额与运费之和",
            "value=\"13\"",
        ),
        (&[("sku_1", "PEN-1"), ("quantity_1", "1"), ("shipping_fee", "-1")], "“-1”不是有效金额", "value=\"-1\""),
        (
            &[("sku_1", "PEN-1"), ("quantity_1", "1"), ("paid_at", "2099-01-01 00:00")],
            "付款时间不能晚于现在",
            "value=\"2099-01-01 00:00\"",
        ),
        (&[("sku_1", "PEN-1"), ("quantity_1", "1"), ("paid_at", "昨天")], "不是有效时间", "value=\"昨天\""),
        (&[("sku_1", "PEN-1"), ("quantity_1", "1"), ("phone", "电话")], "手机只能含数字", "value=\"电话\""),
        (&[("sku_1", "PEN-1"), ("quantity_1", "1"), ("customer", "NOPE")], "没有编码为 NOPE 的客户", "value=\"NOPE\""),
        (
            &[("sku_1", "PEN-1"), ("quantity_1", "1"), ("customer", "S001")],
            "宁波华锐塑料（S001）是供应商",
            "value=\"S001\"",
        ),
        (&[("sku_1", "PEN-1"), ("quantity_1", "1"), ("platform", "amazon")], "请选择平台", "value=\"PEN-1\""),
    ];
    for (extra, message, kept) in cases {
        // The case's fields replace the header's of the same name.
        let mut fields: Vec<(&str, &str)> =
            HEADER.iter().copied().filter(|(k, _)| !extra.iter().any(|(e, _)| e == k)).collect();
        fields.extend_from_slice(extra);
        let r = submit(&d.ops, &fields).await;
        assert_eq!(r.status, 422, "{message}: {}", r.body);
        assert!(r.body.contains(message), "{message}: {}", r.body);
        assert!(r.body.contains(kept), "{message}: keeps {kept}");
        assert!(r.body.contains("value=\"杭州市\""), "{message}: the header as typed");
        d.app.assert_unchanged(&before, message).await;
    }
    // A row number past the form's: a bad request, nothing written.
    let r = submit(&d.ops, &with(&[("sku_101", "CUP-1"), ("quantity_101", "1")])).await;
    assert_eq!(r.status, 400);
    d.app.assert_unchanged(&before, "row 101").await;
    // The counter gave no number away: the next order is SO-000002.
    let next = order_id(&submit(&d.ops, &with(&[("sku_1", "CUP-1"), ("quantity_1", "1")])).await);
    assert_eq!(text(&d.app, d.t.alpha, &format!("SELECT order_no FROM orders WHERE id = {next}")).await, "SO-000002");
}

#[tokio::test]
async fn add_line_shows_the_form_again_with_every_value_and_one_more_row() {
    let d = desk().await;
    let fields = with(&[
        ("sku_1", "CUP-1"),
        ("quantity_1", "2"),
        ("unit_price_1", "80"),
        ("sku_3", "保温"),
        ("quantity_3", "7"),
        ("shipping_fee", "12"),
        ("discount", "1"),
        ("paid", "1"),
        ("paid_at", "2026-01-02 03:04"),
        ("add_line", "1"),
    ]);
    let r = submit(&d.ops, &fields).await;
    assert_eq!(r.status, 200, "{}", r.body);
    for kept in [
        "name=\"sku_1\" value=\"CUP-1\"",
        "name=\"quantity_1\" value=\"2\"",
        "name=\"unit_price_1\" value=\"80\"",
        "name=\"sku_2\" value=\"\"",
        "name=\"sku_3\" value=\"保温\"",
        "name=\"quantity_3\" value=\"7\"",
        "name=\"sku_4\" value=\"\"",
        "name=\"shipping_fee\" value=\"12\"",
        "name=\"discount\" value=\"1\"",
        "name=\"paid\" value=\"1\" checked",
        "value=\"2026-01-02 03:04\"",
        "name=\"customer\" value=\"C001\"",
        "name=\"seller_note\" value=\"电话订单\"",
    ] {
        assert!(r.body.contains(kept), "keeps {kept}");
    }
    assert!(!r.body.contains("name=\"sku_5\""), "exactly one row more");
    assert!(!r.body.contains("field-error"), "no checks yet");
    // Pressed again on the re-shown form (now four rows): five.
    let mut again = fields.clone();
    again.push(("sku_4", ""));
    assert!(submit(&d.ops, &again).await.body.contains("name=\"sku_5\" value=\"\""));
    assert_eq!(d.app.scalar_i64(d.t.alpha, "SELECT count(*) FROM orders").await, 0);
    assert_eq!(d.app.scalar_i64(d.t.alpha, "SELECT count(*) FROM audit_log WHERE entity_type = 'order'").await, 0);
}

#[tokio::test]
async fn a_name_that_is_not_a_sku_offers_the_listed_products_to_choose_from() {
    let d = desk().await;
    let r = submit(&d.ops, &with(&[("sku_1", "PEN-1"), ("quantity_1", "1"), ("sku_2", "保温杯"), ("quantity_2", "3")]))
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("“保温杯”不是 SKU：请从下面 2 个匹配的在售商品中选择"), "{}", r.body);
    assert!(r.body.contains("name=\"pick_2\" value=\"CUP-1\"") && r.body.contains("name=\"pick_2\" value=\"CUP-2\""));
    assert!(!r.body.contains("value=\"OLD-1\""), "an eliminated product is not offered");
    assert!(!r.body.contains("name=\"pick_1\""), "an exact SKU needs no choice");
    assert!(r.body.contains("name=\"quantity_2\" value=\"3\""));
    // The start of a SKU in any case finds it too.
    let r = submit(&d.ops, &with(&[("sku_1", "cup-2"), ("quantity_1", "1")])).await;
    assert!(r.body.contains("name=\"pick_1\" value=\"CUP-2\"") && !r.body.contains("value=\"CUP-1\""), "{}", r.body);
    // Chosen: the order, at the chosen product's price.
    let id = order_id(
        &submit(
            &d.ops,
            &with(&[
                ("sku_1", "PEN-1"),
                ("quantity_1", "1"),
                ("sku_2", "保温杯"),
                ("pick_2", "CUP-2"),
                ("quantity_2", "3"),
            ]),
        )
        .await,
    );
    let lines = text(
        &d.app,
        d.t.alpha,
        &format!("SELECT product_id || '×' || quantity || '@' || unit_price_fen FROM order_lines WHERE order_id = {id} ORDER BY line_no"),
    )
    .await;
    assert_eq!(lines, format!("{}×1@250 | {}×3@9900", d.pen, d.cup2));
    // A choice made while another field is wrong: the row shows the chosen SKU.
    let r = submit(&d.ops, &with(&[("sku_1", "保温杯"), ("pick_1", "CUP-1"), ("quantity_1", "0")])).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("name=\"sku_1\" value=\"CUP-1\""), "{}", r.body);
}

#[tokio::test]
async fn a_signed_sales_contract_becomes_one_order_linked_both_ways() {
    let d = desk().await;
    let k = contract(&d, "sales", d.c001, "signed", d.rep_id, &[(d.cup, 10, 8000), (d.pen, 100, 200)]).await;
    // Waiting on the order desk's form, and a button on the contract page for its drafter.
    assert!(d.ops.get("/orders/new").await.body.contains(&format!("action=\"/contracts/{k}/order\"")));
    assert!(d.rep.get(&format!("/contracts/{k}")).await.body.contains(&format!("action=\"/contracts/{k}/order\"")));
    let id = order_id(&order_contract(&d.ops, k).await);
    let row = text(
        &d.app,
        d.t.alpha,
        &format!(
            "SELECT concat_ws(',', order_no, platform, source, customer_id, contract_id, buyer, receiver, phone, address,
                    goods_fen, paid_fen, paid_at IS NULL, rep_id, rep_department, created_by) FROM orders WHERE id = {id}"
        ),
    )
    .await;
    assert_eq!(
        row,
        format!(
            "SO-000001,offline,contract,{},{k},上海联华超市,李经理,13900000000,上海市浦东新区张江路 1 号,100000,100000,t,{},sales,{}",
            d.c001, d.rep_id, d.ops_id
        )
    );
    let lines = text(
        &d.app,
        d.t.alpha,
        &format!(
            "SELECT l.product_id || '×' || l.quantity || '@' || l.unit_price_fen || ' ' || (cl.contract_id = {k})
             FROM order_lines l JOIN contract_lines cl ON cl.tenant_id = l.tenant_id AND cl.id = l.contract_line_id
             WHERE l.order_id = {id} ORDER BY l.line_no"
        ),
    )
    .await;
    assert_eq!(lines, format!("{}×10@8000 true | {}×100@200 true", d.cup, d.pen));
    let holds =
        text(&d.app, d.t.alpha, &format!("SELECT kind || ' ' || reason FROM order_holds WHERE order_id = {id}")).await;
    assert_eq!(holds, "unpaid 合同订单，待付款", "the customer's address is complete");
    let events =
        text(&d.app, d.t.alpha, &format!("SELECT kind || ' ' || note FROM order_events WHERE order_id = {id}")).await;
    assert_eq!(events, "intake 合同生成");
    let audit = d
        .app
        .scalar_i64(
            d.t.alpha,
            &format!(
                "SELECT count(*) FROM audit_log WHERE action = 'order.create_from_contract' AND entity_id = '{id}'"
            ),
        )
        .await;
    assert_eq!(audit, 1);
    let history = text(
        &d.app,
        d.t.alpha,
        &format!("SELECT action || ' ' || comment || ' ' || actor_id FROM contract_events WHERE contract_id = {k} AND action = 'order'"),
    )
    .await;
    assert_eq!(history, format!("order 订单 SO-000001 {}", d.ops_id), "the contract's history has the order");
    // Linked both ways; the rep follows the order of their contract.
    let page = d.rep.get(&format!("/orders/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(&format!("href=\"/contracts/{k}\"")));
    let page = d.rep.get(&format!("/contracts/{k}")).await;
    assert!(page.body.contains(&format!("href=\"/orders/{id}\"")) && page.body.contains("SO-000001"));
    assert!(!page.body.contains(&format!("action=\"/contracts/{k}/order\"")), "no second order");
    assert!(page.body.contains("<td>生成订单</td><td>订单 SO-000001</td>"), "the history row: {}", page.body);
    assert!(!d.ops.get("/orders/new").await.body.contains(&format!("action=\"/contracts/{k}/order\"")));
    // A second time: 409 naming the order, nothing written.
    let before = snapshot(&d, "contracts", k).await;
    for c in [&d.ops, &d.rep] {
        let r = order_contract(c, k).await;
        assert_eq!(r.status, 409);
        assert!(r.body.contains("已生成订单 SO-000001"), "{}", r.body);
    }
    d.app.assert_unchanged(&before, "ordered twice").await;
    // Its drafter and their manager may order a contract too (no address: held).
    let k2 = contract(&d, "sales", d.c002, "signed", d.rep_id, &[(d.cup, 1, 8800)]).await;
    let id2 = order_id(&order_contract(&d.rep, k2).await);
    let holds = text(
        &d.app,
        d.t.alpha,
        &format!("SELECT kind || ' ' || reason FROM order_holds WHERE order_id = {id2} ORDER BY kind"),
    )
    .await;
    assert_eq!(holds, "address 缺少收货人、手机、详细地址 | unpaid 合同订单，待付款");
    let k3 = contract(&d, "sales", d.c001, "signed", d.rep_id, &[(d.pen, 1, 250)]).await;
    let id3 = order_id(&order_contract(&d.sales_manager, k3).await);
    assert_eq!(text(&d.app, d.t.alpha, &format!("SELECT order_no FROM orders WHERE id = {id3}")).await, "SO-000003");
}

#[tokio::test]
async fn contract_orders_are_refused_out_of_state_kind_role_and_tenant_with_nothing_written() {
    let d = desk().await;
    let approved = contract(&d, "sales", d.c001, "approved", d.rep_id, &[(d.cup, 1, 100)]).await;
    let purchase = contract(&d, "purchase", d.s001, "signed", d.ops_id, &[(d.cup, 1, 100)]).await;
    let empty = contract(&d, "sales", d.c001, "signed", d.rep_id, &[]).await;
    let eliminated = contract(&d, "sales", d.c001, "signed", d.rep_id, &[(d.old, 1, 100)]).await;
    let signed = contract(&d, "sales", d.c001, "signed", d.rep_id, &[(d.cup, 1, 100)]).await;
    let before = snapshot(&d, "contracts", signed).await;
    for (k, message) in [
        (approved, "当前为「已批准」：签订后才能生成订单"),
        (purchase, "是采购合同：只有销售合同可以生成订单"),
        (empty, "没有商品明细"),
        (eliminated, "保温杯旧款（OLD-1）已汰换"),
    ] {
        let r = order_contract(&d.ops, k).await;
        assert_eq!(r.status, 409, "{message}");
        assert!(r.body.contains(message), "{message}: {}", r.body);
        assert!(!d.rep.get(&format!("/contracts/{k}")).await.body.contains("/order\""), "no button: {message}");
        assert!(
            !d.ops.get("/orders/new").await.body.contains(&format!("/contracts/{k}/order")),
            "not waiting: {message}"
        );
    }
    // The contract page says why it cannot be ordered.
    let page = d.rep.get(&format!("/contracts/{eliminated}")).await;
    assert!(page.body.contains("data-testid=\"order-blocked\">商品 OLD-1 已汰换"), "{}", page.body);
    // Roles without it: 403; another sales rep does not see the contract, nor beta: 404.
    for c in [&d.warehouse, &d.hr] {
        assert_eq!(order_contract(c, signed).await.status, 403);
    }
    assert_eq!(order_contract(&d.rep2, signed).await.status, 404);
    assert_eq!(order_contract(&d.beta, signed).await.status, 404);
    assert_eq!(order_contract(&d.ops, 999_999).await.status, 404);
    d.app.assert_unchanged(&before, "refused contract orders").await;
    assert!(order_contract(&d.service, signed).await.status == 303, "the service desk takes it in");
}

#[tokio::test]
async fn two_racing_orders_of_one_contract_make_exactly_one() {
    let d = desk().await;
    let k = contract(&d, "sales", d.c001, "signed", d.rep_id, &[(d.cup, 2, 8800), (d.pen, 5, 250)]).await;
    // Both requests wait on the contract's row (held here), then run one after the other.
    let lock = d.app.hold_lock(d.t.alpha, &format!("SELECT 1 FROM contracts WHERE id = {k} FOR UPDATE")).await;
    let (ta, tb) = (d.ops.get("/").await.csrf(), d.service.get("/").await.csrf());
    let path = format!("/contracts/{k}/order");
    let (fa, fb) = ([("csrf_token", ta.as_str())], [("csrf_token", tb.as_str())]);
    let (ra, rb) = crate::helpers::overlapping(&d.app, lock, 2, async {
        tokio::join!(d.ops.post_raw(&path, &fa, &[]), d.service.post_raw(&path, &fb, &[]))
    })
    .await;
    let mut codes = [ra.status, rb.status];
    codes.sort();
    assert_eq!(codes, [303, 409], "exactly one order");
    assert_eq!(d.app.scalar_i64(d.t.alpha, "SELECT count(*) FROM orders").await, 1);
    assert_eq!(d.app.scalar_i64(d.t.alpha, "SELECT count(*) FROM order_lines").await, 2);
    assert_eq!(d.app.scalar_i64(d.t.alpha, "SELECT last FROM order_numbers").await, 1);
}
