//! The metrics file (command line and web upload: line numbers with GBK and CRLF,
//! all or nothing, upsert, idempotent, audited) and the reconciliation of a
//! campaign's reported sales with its real orders (issue 12, item 4): orders
//! tagged through the order import's optional last column `campaign_no` and the
//! order form's 活动 field, counted over the campaign's dates in the tenant's time
//! zone, cancelled and unpaid ones left out, less their done refunds.

use chrono::Days;
use yunying::db;

use crate::campaign_metrics::{day, desk, enter, form, insert_campaign, inside, Desk};
use crate::catalog::audits;
use crate::helpers::{ok, spawn_app_on, two_tenants, Client, TestApp};
use crate::orders_import::{import_bytes, FILE, PRODUCTS};

const H: &str = "campaign_no,date,channel,exposure,clicks,conversions,participants,sales,cost";

fn import_metrics(app: &TestApp, bytes: &[u8]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("metrics.csv");
    std::fs::write(&path, bytes).unwrap();
    app.cli(&["import", "campaign-metrics", "--tenant", "alpha", &path.display().to_string()], None)
}

fn stderr(out: &std::process::Output) -> String {
    assert!(!out.status.success(), "expected a failure: {}", String::from_utf8_lossy(&out.stdout));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

async fn writes(app: &TestApp, tenant: i64) -> String {
    app.strings(
        tenant,
        "SELECT (SELECT count(*) FROM campaign_metrics) || ' rows, ' || (SELECT count(*) FROM campaign_events)
                || ' events, ' || (SELECT coalesce(sum(sales_fen), 0) FROM campaign_metrics) || ' fen'",
    )
    .await
    .join("")
}

#[tokio::test]
async fn the_command_line_import_is_all_or_nothing_by_line_upserts_and_is_idempotent() {
    // The command line decides by the real date in the tenant's time zone.
    let today = yunying::tz::TimeZone::default().today();
    let app = spawn_app_on(today).await;
    let t = two_tenants(&app).await;
    let d0 = today - Days::new(3);
    let d1 = today - Days::new(2);
    let (id, no) = insert_campaign(
        &app,
        t.alpha,
        "approved",
        d0,
        today + Days::new(5),
        100_000,
        &["taobao", "douyin"],
        "marketing",
    )
    .await;
    insert_campaign(&app, t.alpha, "summarized", d0, d1, 100, &["taobao"], "marketing").await;
    let file = format!("{H}\r\n{no},{d0},taobao,1000,50,5,8,1234.50,300\r\n{no},{d1},抖音,2000,60,6,9,100,50.5\r\n");
    let out = ok(&import_metrics(&app, file.as_bytes()), "import");
    assert!(out.contains("2 new, 0 updated, 0 unchanged rows of 1 campaign"), "{out}");
    assert_eq!(writes(&app, t.alpha).await, "2 rows, 1 events, 133450 fen");
    // The same file again changes nothing but is recorded in the audit log.
    let out = ok(&import_metrics(&app, file.as_bytes()), "import again");
    assert!(out.contains("0 new, 0 updated, 2 unchanged"), "{out}");
    assert_eq!(writes(&app, t.alpha).await, "2 rows, 1 events, 133450 fen");
    assert_eq!(audits(&app, t.alpha, "import.campaign_metrics").await, 2);
    let updated_at = app.strings(t.alpha, "SELECT updated_at::text FROM campaign_metrics ORDER BY day").await;
    // One row changed: updated, by campaign, day and channel.
    let out = ok(&import_metrics(&app, file.replace("1234.50", "1300").as_bytes()), "import a change");
    assert!(out.contains("0 new, 1 updated, 1 unchanged"), "{out}");
    assert_eq!(writes(&app, t.alpha).await, "2 rows, 2 events, 140000 fen");
    let now = app.strings(t.alpha, "SELECT updated_at::text FROM campaign_metrics ORDER BY day").await;
    assert_eq!((now[1].as_str(), now[0] != updated_at[0]), (updated_at[1].as_str(), true), "only the changed row");
    let audit = app
        .strings(t.alpha, "SELECT summary FROM audit_log WHERE action = 'import.campaign_metrics' ORDER BY id")
        .await;
    assert!(audit[2].contains("新增 0 条，更新 1 条"), "{audit:?}");
    // Bad cells and repeated rows, in a GBK file with CRLF and a blank line: every error by line.
    let bad = format!(
        "{H}\r\n{no},{d0},淘宝,1,1,1,1,1,1\r\n\r\n{no},{d0},taobao,1,1,1,1,1,1\r\n{no},昨天,天猫,x,1,1,1,1.001,1\r\n"
    );
    let (gbk, _, _) = encoding_rs::GBK.encode(&bad);
    let err = stderr(&import_metrics(&app, &gbk));
    for needle in [
        "line 4: 与第 2 行重复",
        "line 5, field date",
        "line 5, field channel: “天猫”不是有效渠道",
        "line 5, field exposure",
        "line 5, field sales",
    ] {
        assert!(err.contains(needle), "{needle} not in {err}");
    }
    // Campaigns and days the database refuses: every error by line, nothing written.
    let tomorrow = today + Days::new(1);
    let bad = format!(
        "{H}\n{no},{d0},taobao,9,9,9,9,9,9\nHD-000002,{d0},taobao,1,1,1,1,1,1\n{no},{tomorrow},taobao,1,1,1,1,1,1\n\
         {no},{d0},jd,1,1,1,1,1,1\nHD-000099,{d0},taobao,1,1,1,1,1,1\n{no},{},taobao,1,1,1,1,1,1\n",
        d0 - Days::new(1)
    );
    let err = stderr(&import_metrics(&app, bad.as_bytes()));
    for needle in [
        "line 3, field campaign_no: 活动 HD-000002 已复盘，数据只读",
        &format!("line 4, field date: 日期 {tomorrow} 不在活动 {no} 可录入的 {d0} 至 {today} 之间"),
        "line 5, field channel: 活动 HD-000001 没有渠道「京东」",
        "line 6, field campaign_no: 活动 HD-000099 不存在",
        "line 7, field date",
        "nothing was imported",
    ] {
        assert!(err.contains(needle), "{needle} not in {err}");
    }
    assert!(!err.contains("line 2"), "{err}");
    assert_eq!(writes(&app, t.alpha).await, "2 rows, 2 events, 140000 fen");
    assert_eq!(audits(&app, t.alpha, "import.campaign_metrics").await, 3);
    // Another tenant's campaign number is not this tenant's.
    let beta_file = format!("{H}\n{no},{d0},taobao,1,1,1,1,1,1\n");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.csv");
    std::fs::write(&path, beta_file).unwrap();
    let err = stderr(&app.cli(&["import", "campaign-metrics", "--tenant", "beta", &path.display().to_string()], None));
    assert!(err.contains("line 2, field campaign_no: 活动 HD-000001 不存在"), "{err}");
    assert_eq!(
        app.scalar_i64(t.alpha, &format!("SELECT count(*) FROM campaign_metrics WHERE campaign_id = {id}")).await,
        2
    );
}

async fn upload(c: &Client, bytes: &[u8]) -> crate::helpers::Page {
    c.upload("/campaigns/metrics/import", "/campaigns/metrics/import", &[], "每日数据.csv", bytes.to_vec()).await
}

#[tokio::test]
async fn the_web_upload_previews_then_applies_only_the_users_departments_campaigns() {
    let d = desk().await;
    let (id, no) = insert_campaign(
        &d.app,
        d.t.alpha,
        "approved",
        day("2026-12-01"),
        day("2026-12-20"),
        100_000,
        &["taobao"],
        "marketing",
    )
    .await;
    let (_, ops_no) =
        insert_campaign(&d.app, d.t.alpha, "approved", day("2026-12-01"), day("2026-12-20"), 0, &["jd"], "ops").await;
    let file =
        format!("{H}\r\n{no},2026-12-01,taobao,100,200,1,1,88.8,10\r\n{no},2026-12-02,淘宝,100,10,1,1,11.2,10\r\n");
    let r = upload(&d.mkt, file.as_bytes()).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let preview = r.location().unwrap().to_owned();
    let p = d.mkt.get(&preview).await;
    assert_eq!(inside(&p.body, "data-testid=\"inserted\""), "2");
    assert!(p.body.contains("data-testid=\"odd\""), "more clicks than exposure is pointed out: {}", p.body);
    assert_eq!(
        d.app.scalar_i64(d.t.alpha, "SELECT count(*) FROM campaign_metrics").await,
        0,
        "nothing before confirming"
    );
    let r = d.mkt.post_form("/", &format!("{preview}/confirm"), &[]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(d.mkt.post_form("/", &format!("{preview}/confirm"), &[]).await.status, 409, "once");
    assert_eq!(
        d.app
            .scalar_i64(
                d.t.alpha,
                &format!("SELECT sum(sales_fen)::bigint FROM campaign_metrics WHERE campaign_id = {id}")
            )
            .await,
        10_000
    );
    assert_eq!(audits(&d.app, d.t.alpha, "import.campaign_metrics").await, 1);
    // Again: all unchanged.
    let r = upload(&d.mkt, file.as_bytes()).await;
    let p = d.mkt.get(r.location().unwrap()).await;
    assert_eq!(inside(&p.body, "data-testid=\"unchanged\""), "2");
    // Another department's campaign, a day past today: refused by line, nothing stored.
    let bad = format!("{H}\n{no},2026-12-01,taobao,1,1,1,1,1,1\n{ops_no},2026-12-01,jd,1,1,1,1,1,1\n{no},2026-12-11,taobao,1,1,1,1,1,1\n");
    let r = upload(&d.mkt, bad.as_bytes()).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("data-testid=\"import-errors\""), "{}", r.body);
    assert!(
        r.body.contains("第 3 行") && r.body.contains(&format!("活动 {ops_no} 不存在，或您无权录入它的数据")),
        "{}",
        r.body
    );
    assert!(r.body.contains("第 4 行") && r.body.contains("日期（date）"), "{}", r.body);
    assert!(!r.body.contains("第 2 行"), "{}", r.body);
    // Who may not operate campaigns cannot upload; nobody else sees this upload.
    assert_eq!(d.app.signed_in("alpha", "wh").await.get("/campaigns/metrics/import").await.status, 403);
    assert_eq!(d.app.signed_in("alpha", "mktmgr").await.get(&preview).await.status, 404);
}

/// An order file with the campaign column: `(order_no, ordered_at, paid_at, paid, campaign)`.
fn orders_file(rows: &[(&str, &str, &str, &str, &str)]) -> String {
    let mut s = String::from(crate::orders_import::FILE.lines().next().unwrap());
    s.push_str(",campaign_no\n");
    for (no, at, paid_at, paid, campaign) in rows {
        s.push_str(&format!(
            "taobao,旗舰店,{no},{at},{paid_at},小王,王小明,13800000000,浙江省,杭州市,西湖区,文三路 1 号,CUP-1,1,{paid},0,0,{paid},,,{campaign}\n"
        ));
    }
    s
}

/// A refund of `amount_fen` of order `order_no`'s first line, in `status`, on a case of its own.
async fn refund(app: &TestApp, tenant: i64, order_no: &str, amount_fen: i64, status: &str) {
    let mut tx = db::begin_tenant(&app.owner, tenant).await.unwrap();
    sqlx::query(
        "WITH c AS (
             INSERT INTO after_sales (tenant_id, case_no, order_id, line_no, product_id, kind, quantity, asked_fen,
                                      category, reason, status, raised_by)
             SELECT $1, 'AS-' || lpad((SELECT count(*) + 1 FROM after_sales WHERE tenant_id = $1)::text, 6, '0'),
                    o.id, 1, l.product_id, 'refund', 1, $3, 'quality', '测试', 'approved',
                    (SELECT min(id) FROM users WHERE tenant_id = $1)
             FROM orders o JOIN order_lines l ON l.tenant_id = o.tenant_id AND l.order_id = o.id AND l.line_no = 1
             WHERE o.tenant_id = $1 AND o.order_no = $2
             RETURNING id, order_id, raised_by)
         INSERT INTO refunds (tenant_id, case_id, order_id, line_no, amount_fen, method, status, recorded_by)
         SELECT $1, id, order_id, 1, $3, 'original', $4, raised_by FROM c",
    )
    .bind(tenant)
    .bind(order_no)
    .bind(amount_fen)
    .bind(status)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

async fn products(d: &Desk) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.csv");
    std::fs::write(&path, PRODUCTS).unwrap();
    ok(&d.app.cli(&["import", "products", "--tenant", "alpha", &path.display().to_string()], None), "products");
}

#[tokio::test]
async fn the_page_reconciles_reported_sales_with_the_campaigns_real_orders_less_refunds() {
    let d = desk().await;
    products(&d).await;
    let (id, no) = insert_campaign(
        &d.app,
        d.t.alpha,
        "approved",
        day("2026-12-01"),
        day("2026-12-10"),
        100_000,
        &["taobao"],
        "marketing",
    )
    .await;
    // Counted: A, B and C (paid, not cancelled, ordered 12-01 00:00 to 12-10 24:00 Shanghai time).
    let file = orders_file(&[
        ("A", "2026-12-01 00:10", "2026-12-01 00:11", "100", &no),
        ("B", "2026-12-05 12:00", "2026-12-05 12:01", "250", &no),
        ("C", "2026-12-10 23:50", "2026-12-10 23:51", "80", &no),
        ("D", "2026-12-11 00:05", "2026-12-11 00:06", "999", &no), // 12-10 16:05 UTC: after the end all the same
        ("E", "2026-11-30 23:59", "2026-12-01 00:01", "777", &no),
        ("F", "2026-12-03 10:00", "2026-12-03 10:01", "70", &no), // cancelled below
        ("G", "2026-12-03 10:00", "", "60", &no),                 // not paid
        ("H", "2026-12-03 10:00", "2026-12-03 10:01", "500", ""), // no campaign
    ]);
    let out = ok(&import_bytes(&d.app, "alpha", file.as_bytes()), "orders with campaigns");
    assert!(out.contains("8 new orders"), "{out}");
    let tagged = d
        .app
        .strings(
            d.t.alpha,
            &format!("SELECT string_agg(order_no, '' ORDER BY order_no) FROM orders WHERE campaign_id = {id}"),
        )
        .await;
    assert_eq!(tagged, ["ABCDEFG"]);
    d.app
        .scalar_i64(d.t.alpha, "WITH c AS (UPDATE orders SET status = 'cancelled', cancelled_at = now(), cancel_reason = '测试' WHERE order_no = 'F' RETURNING 1) SELECT count(*) FROM c")
        .await;
    refund(&d.app, d.t.alpha, "B", 3000, "done").await;
    refund(&d.app, d.t.alpha, "C", 2000, "pending").await;
    refund(&d.app, d.t.alpha, "F", 7000, "done").await;
    assert_eq!(enter(&d.mkt, id, &form(&[("sales", "450")])).await.status, 303);
    let body = d.mkt.get(&format!("/campaigns/{id}/metrics")).await.body;
    // Paid 100 + 250 + 80 = 430; less B's done refund of 30 = 400; reported 450: 50 more.
    assert_eq!(inside(&body, "data-recon=\"reported\""), "¥450.00");
    assert_eq!(inside(&body, "data-recon=\"paid\""), "¥430.00");
    assert_eq!(inside(&body, "data-recon=\"refunded\""), "¥30.00");
    assert_eq!(inside(&body, "data-recon=\"net\""), "¥400.00");
    assert_eq!(inside(&body, "data-recon=\"difference\""), "¥50.00");
    assert_eq!(inside(&body, "data-recon=\"verdict\""), "报告销售额比实际订单多 ¥50.00");
    assert!(body.contains("3 单") && body.contains("1 笔"), "{body}");
}

#[tokio::test]
async fn orders_carry_a_campaign_from_the_import_and_the_form_and_old_files_stay_valid() {
    let d = desk().await;
    products(&d).await;
    let (id, no) = insert_campaign(
        &d.app,
        d.t.alpha,
        "approved",
        day("2026-12-01"),
        day("2026-12-10"),
        0,
        &["taobao"],
        "marketing",
    )
    .await;
    insert_campaign(&d.app, d.t.alpha, "draft", day("2026-12-01"), day("2026-12-10"), 0, &["taobao"], "marketing")
        .await;
    insert_campaign(&d.app, d.t.alpha, "summarized", day("2026-11-01"), day("2026-11-10"), 0, &["taobao"], "marketing")
        .await;
    // A file without the column imports as before, with no campaign.
    let out = ok(&import_bytes(&d.app, "alpha", FILE.as_bytes()), "an old file");
    assert!(out.contains("2 new orders"), "{out}");
    assert_eq!(d.app.scalar_i64(d.t.alpha, "SELECT count(*) FROM orders WHERE campaign_id IS NOT NULL").await, 0);
    // The column's number is checked by line: its form, then the campaign.
    let at = "2026-12-02 10:00";
    let err = stderr(&import_bytes(&d.app, "alpha", orders_file(&[("X1", at, at, "1", "HD-1")]).as_bytes()));
    assert!(err.contains("line 2, field campaign_no: “HD-1”不是有效活动编号"), "{err}");
    let file = orders_file(&[
        ("X1", at, at, "1", &no),
        ("X2", at, at, "1", "HD-000002"),
        ("X3", at, at, "1", "HD-000099"),
        ("X4", at, at, "1", "HD-000003"),
    ]);
    let err = stderr(&import_bytes(&d.app, "alpha", file.as_bytes()));
    for needle in [
        "line 3, field campaign_no: 活动 HD-000002 尚未批准，不能关联订单",
        "line 4, field campaign_no: 活动 HD-000099 不存在",
        "line 5, field campaign_no: 活动 HD-000003 已复盘，不能再关联订单",
    ] {
        assert!(err.contains(needle), "{needle} not in {err}");
    }
    assert!(!err.contains("line 2"), "{err}");
    // The rows of one order agree on its campaign.
    let mut two = orders_file(&[("X5", at, at, "1", &no)]);
    two.push_str(&orders_file(&[("X5", at, at, "1", "")]).lines().nth(1).unwrap().replace("CUP-1", "PEN-1"));
    two.push('\n');
    let err = stderr(&import_bytes(&d.app, "alpha", two.as_bytes()));
    assert!(err.contains("line 3, field campaign_no: 与第 2 行同一订单的活动编号不一致"), "{err}");
    assert_eq!(d.app.scalar_i64(d.t.alpha, "SELECT count(*) FROM orders").await, 2, "nothing written");
    // The Chinese header with 活动编号, GBK and CRLF.
    let zh = orders_file(&[("X6", at, at, "1", &no)])
        .replacen(FILE.lines().next().unwrap(), &yunying::imports::orders::HEADER_ZH.join(","), 1)
        .replacen(",campaign_no\n", ",活动编号\r\n", 1);
    let (gbk, _, _) = encoding_rs::GBK.encode(&zh);
    ok(&import_bytes(&d.app, "alpha", &gbk), "the Chinese header with the campaign");
    assert_eq!(
        d.app
            .scalar_i64(d.t.alpha, &format!("SELECT count(*) FROM orders WHERE order_no = 'X6' AND campaign_id = {id}"))
            .await,
        1
    );
    // The order form's 活动 field.
    let ops = d.app.signed_in("alpha", "specialist").await;
    let fields =
        |campaign: &'static str| vec![("sku_1", "CUP-1"), ("quantity_1", "1"), ("paid", "1"), ("campaign", campaign)];
    for (campaign, needle) in
        [("HD-000002", "尚未批准"), ("HD-000099", "活动 HD-000099 不存在"), ("HD-000003", "已复盘")]
    {
        let r = ops.post_form("/orders/new", "/orders/new", &fields(campaign)).await;
        assert_eq!(r.status, 422, "{campaign}");
        assert!(r.body.contains(needle) && r.body.contains(&format!("value=\"{campaign}\"")), "{campaign}: {}", r.body);
    }
    let r = ops.post_form("/orders/new", "/orders/new", &fields("HD-000001")).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let order = r.location().unwrap().trim_start_matches("/orders/").to_owned();
    assert_eq!(d.app.scalar_i64(d.t.alpha, &format!("SELECT campaign_id FROM orders WHERE id = {order}")).await, id);
    // The order's page names its campaign; ops (who see campaigns) get the link.
    let page = ops.get(&format!("/orders/{order}")).await;
    assert!(page.body.contains(&format!("data-campaign=\"{no}\"")), "{}", page.body);
    assert!(page.body.contains(&format!("href=\"/campaigns/{id}\"")), "{}", page.body);
    let r = ops.post_form("/orders/new", "/orders/new", &fields("")).await;
    assert_eq!(r.status, 303, "the field is optional");
}
