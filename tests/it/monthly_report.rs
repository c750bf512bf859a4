//! The monthly operations report (运营月报, issue 13 item 5): who may open it, a
//! month with no data, the top products of a hand-made month (ties, cancelled,
//! unpaid and other months' orders, the time zone's month boundary, another
//! tenant's orders), slow stock, campaigns with their ROI, complaints by category,
//! the director's text saved, audited, refused when too long or stale — and the CSV
//! of each table.

use chrono::{DateTime, Utc};
use yunying::db;
use yunying::orders::repo::NewLine;
use yunying::people::{Dept, Level};

use crate::helpers::{spawn_app_on, two_tenants, Client, Page, TestApp, TwoTenants};
use crate::ledger::item;
use crate::orders::{insert_order, new_order, stock_in};

/// Today for every request: November is over, December runs.
fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap()
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

async fn exec(app: &TestApp, tenant: i64, sql: &str) {
    let mut tx = db::begin_tenant(&app.owner, tenant).await.unwrap();
    sqlx::query(sql).execute(&mut *tx).await.expect(sql);
    tx.commit().await.unwrap();
}

/// An order of `lines` (product, quantity, unit price in fen), paid their sum at
/// `paid_at` (`None`: unpaid), in `tenant`.
async fn order(app: &TestApp, tenant: i64, no: &str, lines: &[(i64, i64, i64)], paid_at: Option<&str>) -> i64 {
    let total = lines.iter().map(|(_, q, p)| q * p).sum();
    let lines = lines
        .iter()
        .map(|&(product_id, quantity, unit_price_fen)| NewLine {
            product_id,
            quantity,
            unit_price_fen,
            contract_line_id: None,
        })
        .collect();
    let mut o = new_order(no, total, lines);
    o.paid_at = paid_at.map(at);
    o.ordered_at = o.paid_at.unwrap_or_else(Utc::now) - chrono::Duration::hours(1);
    insert_order(app, tenant, o).await
}

struct R {
    app: TestApp,
    t: TwoTenants,
    director: Client,
}

async fn setup() -> R {
    let app = spawn_app_on(today()).await;
    let t = two_tenants(&app).await;
    app.user(t.alpha, "finm", Dept::Finance, Level::Manager, false).await;
    app.user(t.alpha, "findir", Dept::Finance, Level::Director, false).await;
    let director = app.signed_in("alpha", "director").await;
    R { app, t, director }
}

/// The hand-made November of alpha (Asia/Shanghai), and beta's big order:
/// - 11-05: A-1 2 × ¥15.00, B-1 1 × ¥50.00; 11-12: A-1 1 × ¥30.00;
///   11-30 23:30: B-1 1 × ¥10.00, C-1 3 × ¥10.00 — so A-1 ¥60.00 (3, 2 orders),
///   B-1 ¥60.00 (2, 2 orders; the tie goes by SKU), C-1 ¥30.00;
/// - not November: a cancelled order and an unpaid one (C-1 × 100), one paid
///   12-01 00:10 and one 10-31 23:50 (October's sales: ¥50.00);
/// - beta: BETA-1 10 × ¥1,000.00 paid 11-10.
async fn november(r: &R) -> (i64, i64, i64) {
    let (app, a) = (&r.app, r.t.alpha);
    let (pa, wh) = item(app, a, "A-1", "WH1").await;
    let (pb, _) = item(app, a, "B-1", "WH1").await;
    let (pc, _) = item(app, a, "C-1", "WH1").await;
    stock_in(app, a, pa, wh, 10).await;
    order(app, a, "N-1", &[(pa, 2, 1500), (pb, 1, 5000)], Some("2026-11-05T10:00:00+08:00")).await;
    order(app, a, "N-2", &[(pa, 1, 3000)], Some("2026-11-12T10:00:00+08:00")).await;
    order(app, a, "N-3", &[(pb, 1, 1000), (pc, 3, 1000)], Some("2026-11-30T23:30:00+08:00")).await;
    let cancelled = order(app, a, "N-4", &[(pc, 100, 1000)], Some("2026-11-15T10:00:00+08:00")).await;
    exec(app, a, &format!("UPDATE orders SET status = 'cancelled', cancelled_at = now() WHERE id = {cancelled}")).await;
    order(app, a, "N-5", &[(pc, 100, 1000)], None).await;
    order(app, a, "N-6", &[(pc, 50, 1000)], Some("2026-12-01T00:10:00+08:00")).await;
    order(app, a, "N-7", &[(pc, 5, 1000)], Some("2026-10-31T23:50:00+08:00")).await;
    let (pz, bwh) = item(app, r.t.beta, "BETA-1", "BWH").await;
    stock_in(app, r.t.beta, pz, bwh, 10).await;
    order(app, r.t.beta, "B-1", &[(pz, 10, 100_000)], Some("2026-11-10T10:00:00+08:00")).await;
    (pa, pb, pc)
}

/// A campaign of `tenant` (`approved`: with `approved_at`) and its daily results
/// (day, sales fen, cost fen).
async fn campaign(app: &TestApp, tenant: i64, no: &str, status: &str, dates: (&str, &str), days: &[(&str, i64, i64)]) {
    exec(
        app,
        tenant,
        &format!(
            "INSERT INTO campaigns (tenant_id, campaign_no, theme, kind, channels, budget_fen, starts_on, ends_on, goal,
                                    department, status, drafted_by, approved_at)
             SELECT {tenant}, '{no}', '主题{no}', 'discount', ARRAY['taobao'], 100000, DATE '{}', DATE '{}', '冲销量',
                    'marketing', '{status}', (SELECT min(id) FROM users WHERE tenant_id = {tenant}),
                    CASE WHEN '{status}' IN ('approved', 'summarized') THEN now() END",
            dates.0, dates.1
        ),
    )
    .await;
    for (day, sales, cost) in days {
        exec(
            app,
            tenant,
            &format!(
                "INSERT INTO campaign_metrics (tenant_id, campaign_id, day, channel, exposure, clicks, conversions,
                                               participants, sales_fen, cost_fen)
                 SELECT {tenant}, id, DATE '{day}', 'taobao', 100, 10, 1, 1, {sales}, {cost} FROM campaigns
                 WHERE campaign_no = '{no}'"
            ),
        )
        .await;
    }
}

/// A complaint received at `received` (RFC 3339), due 24 hours later, first answered
/// `reply_after_h` hours after it was received (`None`: not yet).
async fn complaint(app: &TestApp, tenant: i64, n: i64, category: &str, received: &str, reply_after_h: Option<i64>) {
    let reply = reply_after_h.map_or("NULL".to_owned(), |h| format!("TIMESTAMPTZ '{received}' + interval '{h} hours'"));
    exec(
        app,
        tenant,
        &format!(
            "INSERT INTO complaints (tenant_id, complaint_no, customer, phone, channel, category, severity, content,
                                     demand, received_at, soon_at, due_at, first_reply_at, created_by)
             SELECT {tenant}, 'TS-{n:06}', '客户', '13900000000', 'phone', '{category}', 'normal', '内容', '诉求',
                    TIMESTAMPTZ '{received}', TIMESTAMPTZ '{received}' + interval '19 hours',
                    TIMESTAMPTZ '{received}' + interval '24 hours', {reply},
                    (SELECT min(id) FROM users WHERE tenant_id = {tenant})"
        ),
    )
    .await;
}

/// The text of the first element after `marker` (its `>` up to the next `<`).
fn after(body: &str, marker: &str) -> String {
    let start = body.find(marker).unwrap_or_else(|| panic!("{marker} in {body}"));
    let rest = &body[start..];
    let open = rest.find('>').unwrap() + 1;
    rest[open..open + rest[open..].find('<').unwrap()].trim().to_owned()
}

/// A figure's cell (`col`: current, previous, previous_change, year, year_change).
fn figure(body: &str, kpi: &str, col: &str) -> String {
    let row = body.find(&format!("data-kpi=\"{kpi}\"")).unwrap_or_else(|| panic!("{kpi} in {body}"));
    after(&body[row..], &format!("data-col=\"{col}\""))
}

/// The rows of a CSV (BOM dropped), split at commas; the header first.
fn csv(p: &Page) -> Vec<Vec<String>> {
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.headers["content-type"].to_str().unwrap().starts_with("text/csv"));
    p.body.trim_start_matches('\u{feff}').lines().map(|l| l.split(',').map(str::to_owned).collect()).collect()
}

#[tokio::test]
async fn only_directors_open_the_report_and_it_is_in_their_navigation() {
    let r = setup().await;
    let p = r.director.get("/reports/monthly").await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains("运营月报 · 2026年11月"), "last month by default");
    assert!(p.body.contains("<a href=\"/reports/monthly\" class=\"active\""), "its nav entry is active");
    assert!(p.body.contains("<details class=\"navgroup\" data-area=\"analytics\" open>"));
    // A director of another department too (the report is the company's).
    let findir = r.app.signed_in("alpha", "findir").await;
    assert_eq!(findir.get("/reports/monthly?month=2026-11").await.status, 200);
    for who in ["manager", "specialist", "finm", "admin"] {
        let c = r.app.signed_in("alpha", who).await;
        assert!(!c.get("/").await.body.contains("/reports/monthly"), "{who}: no nav entry");
        assert_eq!(c.get("/reports/monthly").await.status, 403, "{who}");
        assert_eq!(c.get("/reports/monthly.csv?month=2026-11&table=figures").await.status, 403, "{who}");
        let save = c.post_form("/", "/reports/monthly/2026-11", &[("conclusions", "x"), ("version", "0")]).await;
        assert_eq!(save.status, 403, "{who}");
    }
    assert_eq!(r.app.scalar_i64(r.t.alpha, "SELECT count(*) FROM monthly_reports").await, 0);
}

#[tokio::test]
async fn a_month_with_no_data_shows_every_section_empty_and_divides_by_nothing() {
    let r = setup().await;
    let p = r.director.get("/reports/monthly?month=2026-10").await;
    assert_eq!(p.status, 200, "{}", p.body);
    for empty in ["products", "slow", "campaigns", "complaints"] {
        assert!(p.body.contains(&format!("data-empty=\"{empty}\"")), "{empty} empty state");
    }
    assert_eq!(figure(&p.body, "sales.amount", "current"), "¥0.00");
    assert_eq!(figure(&p.body, "sales.avg_order", "current"), "—", "no orders to divide by");
    assert_eq!(figure(&p.body, "refunds.rate", "current"), "—");
    assert_eq!(figure(&p.body, "complaints.on_time", "current"), "—");
    assert_eq!(figure(&p.body, "inventory.turnover", "current"), "—");
    for col in ["previous", "previous_change", "year", "year_change"] {
        assert_eq!(figure(&p.body, "sales.amount", col), "—", "{col}: nothing to compare with");
    }
    assert!(p.body.contains("（尚未填写）"));
    for bad in ["NaN", "inf", "系统错误"] {
        assert!(!p.body.contains(bad), "{bad}");
    }
    // Its CSVs: a header and no rows.
    for (table, header) in [
        ("products", "month,rank,sku,name,quantity,orders,amount"),
        ("slow", "month,sku,name,warehouse,on_hand,last_shipped"),
        ("campaigns", "month,campaign_no,theme,department,status,dates,sales,cost,roi"),
        ("complaints", "month,category,label,received,on_time,late,unanswered,on_time_rate"),
    ] {
        let rows = csv(&r.director.get(&format!("/reports/monthly.csv?month=2026-10&table={table}")).await);
        assert_eq!(rows.len(), 1, "{table}: {rows:?}");
        assert_eq!(rows[0].join(","), header);
    }
}

#[tokio::test]
async fn bad_and_future_months_and_tables_say_what_is_wrong() {
    let r = setup().await;
    for (q, says) in [
        ("2026-13", "无效"),
        ("2026-1", "无效"),
        ("november", "无效"),
        ("1899-12", "无效"),
        ("2027-01", "还没有到"),
        ("2026-12x", "无效"),
    ] {
        let p = r.director.get(&format!("/reports/monthly?month={q}")).await;
        assert_eq!(p.status, 400, "{q}: {}", p.body);
        assert!(p.body.contains(says), "{q}: {}", p.body);
        let c = r.director.get(&format!("/reports/monthly.csv?month={q}&table=figures")).await;
        assert_eq!(c.status, 400, "{q} csv");
    }
    let p = r.director.get("/reports/monthly.csv?month=2026-11&table=orders").await;
    assert_eq!(p.status, 400);
    assert!(p.body.contains("表格“orders”无效"), "{}", p.body);
    let p = r.director.post_form("/", "/reports/monthly/2027-01", &[("conclusions", "x"), ("version", "0")]).await;
    assert_eq!(p.status, 400);
    // This month is shown, up to today.
    let p = r.director.get("/reports/monthly?month=2026-12").await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains("本月尚未结束"), "{}", p.body);
}

#[tokio::test]
async fn the_figures_products_and_stock_of_a_hand_made_month_and_never_another_tenants() {
    let r = setup().await;
    november(&r).await;
    let p = r.director.get("/reports/monthly?month=2026-11").await;
    assert_eq!(p.status, 200, "{}", p.body);
    // Sales: ¥80.00 + ¥30.00 + ¥40.00; October ¥50.00; no November 2025.
    assert_eq!(figure(&p.body, "sales.amount", "current"), "¥150.00");
    assert_eq!(figure(&p.body, "sales.orders", "current"), "3");
    assert_eq!(figure(&p.body, "sales.amount", "previous"), "¥50.00");
    assert_eq!(figure(&p.body, "sales.amount", "previous_change"), "+200.00%");
    assert_eq!(figure(&p.body, "sales.orders", "previous_change"), "+200.00%");
    assert_eq!(figure(&p.body, "sales.amount", "year"), "—");
    assert_eq!(figure(&p.body, "sales.amount", "year_change"), "—");
    // Top products: the tie at ¥60.00 goes by SKU.
    let ranks: Vec<(String, String)> = p
        .body
        .split("data-product=\"")
        .skip(1)
        .map(|s| {
            let sku = s[..s.find('"').unwrap()].to_owned();
            (sku, after(s, "data-amount="))
        })
        .collect();
    assert_eq!(
        ranks,
        [("A-1".into(), "¥60.00".into()), ("B-1".into(), "¥60.00".into()), ("C-1".into(), "¥30.00".into())]
    );
    assert!(!p.body.contains("BETA-1"), "another tenant's product");
    assert!(!p.body.contains("¥10,000.00"), "another tenant's sales");
    // The charts are there, each with its table.
    assert!(p.body.contains("每日销售额（数据表）"), "{}", p.body);
    // Slow stock: A-1 has stock and was never shipped; beta's is not shown.
    assert!(p.body.contains("data-slow=\"A-1\""));
    assert!(p.body.contains("data-slow-count=\"1\""));
    assert!(p.body.contains("2026-11-30 24:00 之前 90 天内没有出库"), "the cut-off is the month's end");
    assert!(p.body.contains("href=\"/inventory/stock?slow=1\""));
    // The CSVs.
    let rows = csv(&r.director.get("/reports/monthly.csv?month=2026-11&table=products").await);
    assert_eq!(
        rows,
        [
            vec!["month", "rank", "sku", "name", "quantity", "orders", "amount"],
            vec!["2026-11", "1", "A-1", "测试商品", "3", "2", "60.00"],
            vec!["2026-11", "2", "B-1", "测试商品", "2", "2", "60.00"],
            vec!["2026-11", "3", "C-1", "测试商品", "3", "1", "30.00"],
        ]
    );
    let rows = csv(&r.director.get("/reports/monthly.csv?month=2026-11&table=figures").await);
    assert_eq!(rows[0].join(","), "month,kpi,area,label,value,previous_month,previous_change,year_before,year_change");
    let sales = rows.iter().find(|r| r[1] == "sales.amount").expect("sales.amount row");
    assert_eq!(sales[4..], ["150.00", "50.00", "+200.00%", "", "—"]);
    let rows = csv(&r.director.get("/reports/monthly.csv?month=2026-11&table=slow").await);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[1][..5], ["2026-11", "A-1", "测试商品", "WH1仓", "10"]);
    // Beta's director sees beta's month only.
    let beta = r.app.signed_in("beta", "director").await.get("/reports/monthly?month=2026-11").await;
    assert_eq!(figure(&beta.body, "sales.amount", "current"), "¥10,000.00");
    assert!(!beta.body.contains("data-product=\"A-1\""));
    assert!(beta.body.contains("data-product=\"BETA-1\""));
}

#[tokio::test]
async fn campaigns_with_their_roi_and_complaints_by_category() {
    let r = setup().await;
    let (app, a) = (&r.app, r.t.alpha);
    campaign(app, a, "HD-000001", "approved", ("2026-11-01", "2026-11-15"), &[("2026-11-02", 100_000, 25_000)]).await;
    campaign(
        app,
        a,
        "HD-000002",
        "approved",
        ("2026-11-20", "2026-12-10"),
        &[("2026-11-25", 5_000, 0), ("2026-12-02", 9_999, 9_999)],
    )
    .await;
    campaign(app, a, "HD-000003", "draft", ("2026-11-01", "2026-11-30"), &[]).await;
    campaign(app, a, "HD-000004", "approved", ("2026-10-01", "2026-10-31"), &[]).await;
    campaign(app, r.t.beta, "HD-000009", "approved", ("2026-11-01", "2026-11-30"), &[]).await;
    complaint(app, a, 1, "logistics", "2026-11-03T10:00:00+08:00", Some(2)).await;
    complaint(app, a, 2, "logistics", "2026-11-04T10:00:00+08:00", Some(30)).await;
    complaint(app, a, 3, "quality", "2026-11-30T23:00:00+08:00", None).await;
    complaint(app, a, 4, "price", "2026-10-31T23:00:00+08:00", Some(1)).await;
    complaint(app, r.t.beta, 1, "service", "2026-11-10T10:00:00+08:00", Some(1)).await;
    let p = r.director.get("/reports/monthly?month=2026-11").await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert_eq!(after(&p.body, "data-roi=\"HD-000001\""), "4.00");
    assert_eq!(after(&p.body, "data-roi=\"HD-000002\""), "-", "no cost: no ROI");
    for not in ["HD-000003", "HD-000004", "HD-000009"] {
        assert!(!p.body.contains(not), "{not}");
    }
    assert!(p.body.contains("data-category=\"logistics\""));
    assert!(!p.body.contains("data-category=\"price\""), "October's");
    assert!(!p.body.contains("data-category=\"service\""), "beta's");
    let rows = csv(&r.director.get("/reports/monthly.csv?month=2026-11&table=campaigns").await);
    assert_eq!(
        rows[1..],
        [
            vec![
                "2026-11",
                "HD-000001",
                "主题HD-000001",
                "市场部",
                "已批准",
                "2026-11-01 至 2026-11-15",
                "1000.00",
                "250.00",
                "4.00"
            ],
            vec![
                "2026-11",
                "HD-000002",
                "主题HD-000002",
                "市场部",
                "已批准",
                "2026-11-20 至 2026-12-10",
                "50.00",
                "0.00",
                "-"
            ],
        ]
    );
    let rows = csv(&r.director.get("/reports/monthly.csv?month=2026-11&table=complaints").await);
    assert_eq!(
        rows[1..],
        [
            vec!["2026-11", "logistics", "物流", "2", "1", "1", "0", "50.00%"],
            vec!["2026-11", "quality", "质量", "1", "0", "0", "1", "0.00%"],
            vec!["2026-11", "total", "合计", "3", "1", "1", "1", "33.33%"],
        ]
    );
}

/// The save form's version on the report page of November.
async fn version(c: &Client) -> String {
    let p = c.get("/reports/monthly?month=2026-11").await;
    let marker = "name=\"version\" value=\"";
    let start = p.body.find(marker).expect("version field") + marker.len();
    p.body[start..start + p.body[start..].find('"').unwrap()].to_owned()
}

async fn save(c: &Client, conclusions: &str, suggestions: &str, version: &str) -> Page {
    c.post_form(
        "/reports/monthly?month=2026-11",
        "/reports/monthly/2026-11",
        &[("conclusions", conclusions), ("suggestions", suggestions), ("version", version)],
    )
    .await
}

#[tokio::test]
async fn the_text_is_saved_audited_kept_when_refused_and_a_stale_save_is_409() {
    let r = setup().await;
    let (app, a) = (&r.app, r.t.alpha);
    let audit = |sql: &str| {
        let sql = format!("SELECT count(*) FROM audit_log WHERE action = 'report.monthly_save' AND {sql}");
        async move { app.scalar_i64(a, &sql).await }
    };
    assert_eq!(version(&r.director).await, "0");
    let p = save(&r.director, "销售额环比增长\r\n两倍", "加大投放", "0").await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(p.location(), Some("/reports/monthly?month=2026-11"));
    let page = r.director.get("/reports/monthly?month=2026-11").await;
    assert!(page.body.contains("已保存 2026年11月 月报的结论与建议"));
    assert!(page.body.contains("销售额环比增长\n两倍"), "line ends kept as \\n");
    assert!(page.body.contains("data-saved-by"));
    assert_eq!(
        audit("before IS NULL AND after->>'conclusions' = E'销售额环比增长\\n两倍' AND after->>'version' = '1'").await,
        1
    );
    // A second save: before and after.
    let p = save(&r.director, "销售额环比增长两倍", "加大投放", "1").await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(
        audit("before->>'conclusions' = E'销售额环比增长\\n两倍' AND after->>'conclusions' = '销售额环比增长两倍' AND entity_id = '2026-11'")
            .await,
        1
    );
    // The same text again writes nothing.
    let p = save(&r.director, "销售额环比增长两倍", "加大投放", "2").await;
    assert_eq!(p.status, 303);
    assert_eq!(audit("true").await, 2);
    // Another director saved since this form was loaded (at version 1): 409, the
    // typed text kept, nothing written.
    let findir = app.signed_in("alpha", "findir").await;
    let p = save(&findir, "我的结论", "我的建议", "1").await;
    assert_eq!(p.status, 409, "{}", p.body);
    assert!(p.body.contains("未保存：打开此页后，测试director 已保存了新的内容（第 2 版）"), "{}", p.body);
    assert!(p.body.contains(">我的结论</textarea>"), "what was typed is kept");
    assert!(p.body.contains("name=\"version\" value=\"2\""), "a save from here goes against version 2");
    assert_eq!(audit("true").await, 2);
    assert_eq!(
        app.strings(a, "SELECT conclusions || '|' || version FROM monthly_reports").await,
        ["销售额环比增长两倍|2"]
    );
    // Too long: 422, what was typed kept, each field's message, nothing written.
    let long = "长".repeat(2001);
    let p = save(&r.director, &long, "建议", "2").await;
    assert_eq!(p.status, 422, "{}", p.body);
    assert!(p.body.contains("结论最多 2000 字（现在 2001 字）"), "{}", p.body);
    assert!(p.body.contains(&format!(">{long}</textarea>")));
    assert!(p.body.contains(">建议</textarea>"));
    assert!(!p.body.contains("data-error=\"suggestions\""));
    assert_eq!(audit("true").await, 2);
    // 2000 characters are fine.
    let p = save(&r.director, &"长".repeat(2000), "", "2").await;
    assert_eq!(p.status, 303, "{}", p.body);
    // Beta sees none of it.
    let beta = app.signed_in("beta", "director").await.get("/reports/monthly?month=2026-11").await;
    assert!(!beta.body.contains("长长长"));
    assert_eq!(app.scalar_i64(r.t.beta, "SELECT count(*) FROM monthly_reports").await, 0);
    // A bad version is a bad request.
    assert_eq!(save(&r.director, "x", "y", "abc").await.status, 400);
}
