//! A campaign's daily results (issue 12, item 3): the entry form (roles 403,
//! scope 404, bad input 422 with nothing written, days outside the window, a
//! summarized campaign 409), the page's totals and KPIs (`data-kpi`), the chart and
//! the budget warning, the CSV, and the metrics file through the command line and
//! the web upload (line numbers with GBK and CRLF, all or nothing, upsert,
//! idempotent, audited). Campaigns are inserted with SQL (the core's handlers are
//! not on this branch).

use chrono::NaiveDate;
use yunying::db;
use yunying::people::{Dept, Level};

use crate::catalog::audits;
use crate::helpers::{spawn_app_on, two_tenants, Client, TestApp, TwoTenants};

pub fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// The date the web requests of these tests decide by.
pub const TODAY: &str = "2026-12-10";

/// Insert a campaign as the owner (the first user of the tenant drafted it): its
/// id and number.
#[allow(clippy::too_many_arguments)]
pub async fn insert_campaign(
    app: &TestApp,
    tenant: i64,
    status: &str,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    budget_fen: i64,
    channels: &[&str],
    department: &str,
) -> (i64, String) {
    let mut tx = db::begin_tenant(&app.owner, tenant).await.unwrap();
    let channels: Vec<String> = channels.iter().map(|c| (*c).to_owned()).collect();
    let row: (i64, String) = sqlx::query_as(
        "INSERT INTO campaigns (tenant_id, campaign_no, theme, kind, channels, budget_fen, starts_on, ends_on, goal,
                                department, status, drafted_by, approved_at, summarized_at)
         SELECT $1, 'HD-' || lpad((c.n + 1)::text, 6, '0'), '双十二大促', 'discount', $2, $3, $4, $5, '冲销量',
                $6, $7, u.first,
                CASE WHEN $7 IN ('approved', 'summarized') THEN now() END,
                CASE WHEN $7 = 'summarized' THEN now() END
         FROM (SELECT count(*) AS n FROM campaigns WHERE tenant_id = $1) c,
              (SELECT min(id) AS first FROM users WHERE tenant_id = $1) u
         RETURNING id, campaign_no",
    )
    .bind(tenant)
    .bind(&channels)
    .bind(budget_fen)
    .bind(starts_on)
    .bind(ends_on)
    .bind(department)
    .bind(status)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    row
}

pub struct Desk {
    pub app: TestApp,
    pub t: TwoTenants,
    /// marketing specialist of alpha
    pub mkt: Client,
}

/// alpha and beta, with marketing, ops, warehouse and service people in alpha.
pub async fn desk() -> Desk {
    let app = spawn_app_on(day(TODAY)).await;
    let t = two_tenants(&app).await;
    for (name, dept, level) in [
        ("mkt", Dept::Marketing, Level::Specialist),
        ("mktmgr", Dept::Marketing, Level::Manager),
        ("wh", Dept::Warehouse, Level::Specialist),
        ("whmgr", Dept::Warehouse, Level::Manager),
        ("sales", Dept::Sales, Level::Specialist),
    ] {
        app.user(t.alpha, name, dept, level, false).await;
    }
    app.user(t.beta, "mkt", Dept::Marketing, Level::Specialist, false).await;
    Desk { mkt: app.signed_in("alpha", "mkt").await, app, t }
}

/// An approved marketing campaign of alpha, 12-01 to 12-20, ¥10,000.00, on taobao and douyin.
pub async fn running(d: &Desk) -> i64 {
    insert_campaign(
        &d.app,
        d.t.alpha,
        "approved",
        day("2026-12-01"),
        day("2026-12-20"),
        1_000_000,
        &["taobao", "douyin"],
        "marketing",
    )
    .await
    .0
}

pub async fn enter(c: &Client, id: i64, fields: &[(&str, &str)]) -> crate::helpers::Page {
    c.post_form(&format!("/campaigns/{id}/metrics"), &format!("/campaigns/{id}/metrics"), fields).await
}

/// A valid form: 12-01 on taobao.
pub fn form<'a>(over: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("day", "2026-12-01"),
        ("channel", "taobao"),
        ("exposure", "20000"),
        ("clicks", "690"),
        ("conversions", "23"),
        ("participants", "40"),
        ("sales", "12600"),
        ("cost", "3000.00"),
    ];
    for (k, v) in over {
        match f.iter_mut().find(|(name, _)| name == k) {
            Some(slot) => slot.1 = v,
            None => f.push((k, v)),
        }
    }
    f
}

/// The text inside the first element carrying `attr`.
pub fn inside(body: &str, attr: &str) -> String {
    let start = body.find(attr).unwrap_or_else(|| panic!("no {attr} in {body}"));
    let rest = &body[start..];
    let open = rest.find('>').unwrap() + 1;
    rest[open..].split('<').next().unwrap().trim().to_owned()
}

async fn stored(app: &TestApp, tenant: i64) -> Vec<String> {
    app.strings(
        tenant,
        "SELECT day || ' ' || channel || ' ' || exposure || ' ' || clicks || ' ' || conversions || ' ' || participants
                || ' ' || sales_fen || ' ' || cost_fen FROM campaign_metrics ORDER BY day, channel",
    )
    .await
}

const WRITES: &[&str] =
    &["SELECT (SELECT count(*) FROM campaign_metrics) || ',' || (SELECT count(*) FROM campaign_events) || ','
            || coalesce((SELECT string_agg(sales_fen::text, ',' ORDER BY day, channel) FROM campaign_metrics), '')"];

#[tokio::test]
async fn the_form_upserts_one_day_and_channel_with_its_event_and_audit_row() {
    let d = desk().await;
    let id = running(&d).await;
    let r = enter(&d.mkt, id, &form(&[])).await;
    assert_eq!((r.status, r.location()), (303, Some(format!("/campaigns/{id}").as_str())), "{}", r.body);
    assert_eq!(stored(&d.app, d.t.alpha).await, ["2026-12-01 taobao 20000 690 23 40 1260000 300000"]);
    assert_eq!(audits(&d.app, d.t.alpha, "campaign.metrics").await, 1);
    let events = d.app.strings(d.t.alpha, "SELECT kind || ' ' || actor_name || ' ' || note FROM campaign_events").await;
    assert_eq!(events.len(), 1);
    assert!(events[0].starts_with("metrics 测试mkt（mkt） 2026-12-01 淘宝：曝光 20000"), "{events:?}");
    // The same day and channel again: updated, not added; the same figures: nothing written.
    let r = enter(&d.mkt, id, &form(&[("sales", "12,600"), ("cost", "3500")])).await;
    assert_eq!(r.status, 422, "a thousands separator is not a number");
    let r = enter(&d.mkt, id, &form(&[("sales", "13000.5"), ("cost", "3500"), ("channel", "淘宝")])).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(stored(&d.app, d.t.alpha).await, ["2026-12-01 taobao 20000 690 23 40 1300050 350000"]);
    let before = d.app.snapshot_with(d.t.alpha, "campaigns", id, WRITES).await;
    let r = enter(&d.mkt, id, &form(&[("sales", "13000.50"), ("cost", "3500"), ("channel", "淘宝")])).await;
    assert_eq!(r.status, 303);
    d.app.assert_unchanged(&before, "the same figures again").await;
    // Platform figures that disagree with themselves are kept, and pointed out.
    let r = enter(&d.mkt, id, &form(&[("day", "2026-12-10"), ("channel", "douyin"), ("clicks", "30000")])).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = d.mkt.get(&format!("/campaigns/{id}/metrics")).await;
    assert!(page.body.contains("点击数大于曝光数"), "{}", page.body);
    assert_eq!(audits(&d.app, d.t.alpha, "campaign.metrics").await, 3);
    // An ops specialist enters results of the ops department's campaigns.
    let ops =
        insert_campaign(&d.app, d.t.alpha, "approved", day("2026-12-01"), day("2026-12-01"), 0, &["jd"], "ops").await.0;
    let r = enter(&d.app.signed_in("alpha", "specialist").await, ops, &form(&[("channel", "jd")])).await;
    assert_eq!(r.status, 303, "{}", r.body);
    // A raised budget waiting for approval: the campaign keeps running and takes results.
    d.app
        .scalar_i64(
            d.t.alpha,
            &format!("WITH c AS (UPDATE campaigns SET status = 'submitted' WHERE id = {id} RETURNING 1) SELECT count(*) FROM c"),
        )
        .await;
    let r = enter(&d.mkt, id, &form(&[("day", "2026-12-09")])).await;
    assert_eq!(r.status, 303, "{}", r.body);
}

#[tokio::test]
async fn the_form_refuses_roles_scopes_bad_input_other_days_and_closed_campaigns() {
    let d = desk().await;
    let id = running(&d).await;
    let mut who = Vec::new();
    for name in ["wh", "whmgr", "sales", "director", "manager", "specialist"] {
        who.push((name, d.app.signed_in("alpha", name).await));
    }
    let beta = d.app.signed_in("beta", "mkt").await;
    let before = d.app.snapshot_with(d.t.alpha, "campaigns", id, WRITES).await;
    // 403: no right to operate campaigns, or (the ops manager) told of the approved
    // campaign but of another department; 404: outside the scope (an ops specialist
    // sees the ops department's only), another tenant, no such id.
    for (name, c) in &who {
        let r = c.post_form("/", &format!("/campaigns/{id}/metrics"), &form(&[])).await;
        assert_eq!(r.status, if *name == "specialist" { 404 } else { 403 }, "{name}");
    }
    assert_eq!(beta.post_form("/", &format!("/campaigns/{id}/metrics"), &form(&[])).await.status, 404);
    assert_eq!(beta.get(&format!("/campaigns/{id}/metrics")).await.status, 404);
    assert_eq!(beta.get(&format!("/campaigns/{id}/metrics.csv")).await.status, 404);
    for bad in ["999999", "x", "0"] {
        assert_eq!(d.mkt.post_form("/", &format!("/campaigns/{bad}/metrics"), &form(&[])).await.status, 404, "{bad}");
    }
    d.app.assert_unchanged(&before, "refused by role or scope").await;
    // 422: each bad value named beside its field, the form as typed, nothing written.
    for (field, value, needle) in [
        ("clicks", "abc", "“abc”不是有效数量"),
        ("exposure", "-1", "不是有效数量"),
        ("conversions", "", "不能为空"),
        ("sales", "1.234", "不是有效金额"),
        ("cost", "-5", "不是有效金额"),
        ("day", "2026-12-11", "不在活动 HD-000001 可录入的 2026-12-01 至 2026-12-10 之间"),
        ("day", "2026-11-30", "2026-12-01 至 2026-12-10"),
        ("day", "2026-02-30", "不是有效日期"),
        ("channel", "jd", "没有渠道「京东」"),
        ("channel", "amazon", "不是有效渠道"),
    ] {
        let r = enter(&d.mkt, id, &form(&[(field, value)])).await;
        assert_eq!(r.status, 422, "{field}={value}: {}", r.body);
        assert!(r.body.contains(needle), "{field}={value}: {needle} not in {}", r.body);
        if field == "clicks" {
            assert!(r.body.contains("value=\"abc\""), "the form as typed");
        }
        d.app.assert_unchanged(&before, &format!("{field}={value}")).await;
    }
    // 409: a summarized campaign is read-only; one not approved takes no results.
    for status in ["summarized", "draft", "submitted", "rejected"] {
        let (other, _) = insert_campaign(
            &d.app,
            d.t.alpha,
            status,
            day("2026-12-01"),
            day("2026-12-05"),
            100,
            &["taobao"],
            "marketing",
        )
        .await;
        let before = d.app.snapshot_with(d.t.alpha, "campaigns", other, WRITES).await;
        let r = enter(&d.mkt, other, &form(&[])).await;
        assert_eq!(r.status, 409, "{status}: {}", r.body);
        d.app.assert_unchanged(&before, status).await;
    }
    // A campaign that has not started takes no day yet.
    let (later, _) = insert_campaign(
        &d.app,
        d.t.alpha,
        "approved",
        day("2026-12-11"),
        day("2026-12-31"),
        100,
        &["taobao"],
        "marketing",
    )
    .await;
    let r = enter(&d.mkt, later, &form(&[("day", "2026-12-11")])).await;
    assert_eq!(r.status, 409);
    assert!(r.body.contains("开始前不能录入"), "{}", r.body);
    assert!(d.mkt.get(&format!("/campaigns/{later}/metrics")).await.body.contains("开始后才能录入数据"));
}

#[tokio::test]
async fn the_page_shows_totals_kpis_the_chart_the_table_and_the_budget_warning() {
    let d = desk().await;
    let id = running(&d).await;
    // Nothing yet: every figure `-`.
    let page = d.mkt.get(&format!("/campaigns/{id}/metrics")).await;
    assert_eq!(page.status, 200);
    for kpi in ["ctr", "cvr", "roi"] {
        assert_eq!(inside(&page.body, &format!("data-kpi=\"{kpi}\"")), "-", "{kpi}");
    }
    assert_eq!(inside(&page.body, "data-kpi=\"budget_used\""), "0.00%");
    assert!(page.body.contains("暂无数据") && page.body.contains("data-testid=\"metrics-form\""));
    // Two days, two channels: 20,000 exposure, 690 clicks, 23 conversions, ¥12,600 sales, ¥3,000 cost.
    for f in [
        form(&[("exposure", "15000"), ("clicks", "600"), ("conversions", "20"), ("sales", "10000"), ("cost", "2000")]),
        form(&[
            ("channel", "douyin"),
            ("exposure", "5000"),
            ("clicks", "90"),
            ("conversions", "3"),
            ("sales", "2600"),
            ("cost", "1000"),
        ]),
        form(&[
            ("day", "2026-12-02"),
            ("exposure", "0"),
            ("clicks", "0"),
            ("conversions", "0"),
            ("sales", "0"),
            ("cost", "0"),
        ]),
    ] {
        assert_eq!(enter(&d.mkt, id, &f).await.status, 303);
    }
    let page = d.mkt.get(&format!("/campaigns/{id}/metrics")).await;
    let body = &page.body;
    assert_eq!(inside(body, "data-kpi=\"ctr\""), "3.45%");
    assert_eq!(inside(body, "data-kpi=\"cvr\""), "3.33%");
    assert_eq!(inside(body, "data-kpi=\"roi\""), "4.20");
    assert_eq!(inside(body, "data-kpi=\"budget_used\""), "30.00%");
    assert_eq!(inside(body, "data-total=\"sales\""), "¥12,600.00");
    assert_eq!(inside(body, "data-total=\"exposure\""), "20,000");
    assert!(!body.contains("data-warning=\"over_budget\""), "within the budget");
    // The chart: a line each for sales and cost, a tooltip on every day's point; the table beside it.
    assert!(body.contains("<svg class=\"chart\" viewBox="), "{body}");
    assert!(body.contains("<title>销售额 · 12-01：¥12,600.00</title>"), "{body}");
    assert!(body.contains("<title>花费 · 12-02：¥0.00</title>"), "{body}");
    assert_eq!(body.matches("<circle").count(), 4);
    assert!(body.contains("data-day-total=\"2026-12-01\""), "a day of two channels has its sum");
    assert!(
        body.find("data-day=\"2026-12-02\"").unwrap() < body.find("data-day=\"2026-12-01\"").unwrap(),
        "latest first"
    );
    // Past the budget: the warning.
    let (small, _) = insert_campaign(
        &d.app,
        d.t.alpha,
        "approved",
        day("2026-12-01"),
        day("2026-12-03"),
        100_000,
        &["taobao"],
        "marketing",
    )
    .await;
    assert_eq!(
        enter(&d.mkt, small, &form(&[("clicks", "1"), ("exposure", "32"), ("cost", "1000.01")])).await.status,
        303
    );
    let body = d.mkt.get(&format!("/campaigns/{small}/metrics")).await.body;
    assert!(inside(&body, "data-warning=\"over_budget\"").contains("已超过预算 ¥1,000.00（超出 ¥0.01）"), "{body}");
    assert_eq!(inside(&body, "data-kpi=\"ctr\""), "3.13%", "1 ÷ 32 = 3.125% rounds half up");
    assert_eq!(inside(&body, "data-kpi=\"budget_used\""), "100.00%", "100.001% to two decimals");
    // Those told of the campaign see the figures without the form; others do not see it.
    let whmgr = d.app.signed_in("alpha", "whmgr").await;
    let body = whmgr.get(&format!("/campaigns/{id}/metrics")).await.body;
    assert_eq!(inside(&body, "data-kpi=\"roi\""), "4.20");
    assert!(!body.contains("metrics-form"));
    assert_eq!(d.app.signed_in("alpha", "wh").await.get(&format!("/campaigns/{id}/metrics")).await.status, 404);
    assert_eq!(d.app.signed_in("alpha", "director").await.get(&format!("/campaigns/{id}/metrics")).await.status, 200);
}

#[tokio::test]
async fn the_csv_lists_every_day_and_channel_in_the_import_files_format() {
    let d = desk().await;
    let id = running(&d).await;
    assert_eq!(enter(&d.mkt, id, &form(&[("channel", "douyin"), ("sales", "0.5")])).await.status, 303);
    assert_eq!(enter(&d.mkt, id, &form(&[])).await.status, 303);
    let r = d.mkt.get(&format!("/campaigns/{id}/metrics.csv")).await;
    assert_eq!(r.status, 200);
    assert!(r.headers["content-disposition"].to_str().unwrap().contains("HD-000001-metrics.csv"));
    assert_eq!(
        r.body,
        "\u{feff}campaign_no,date,channel,exposure,clicks,conversions,participants,sales,cost\r\n\
         HD-000001,2026-12-01,douyin,20000,690,23,40,0.50,3000.00\r\n\
         HD-000001,2026-12-01,taobao,20000,690,23,40,12600.00,3000.00\r\n"
    );
}

#[tokio::test]
async fn the_daily_table_shows_a_month_a_page_the_latest_first_and_the_chart_every_day() {
    let d = desk().await;
    // 40 days of results on two channels (11-01 … 12-10), the other tenant's too.
    let (id, _) = insert_campaign(
        &d.app,
        d.t.alpha,
        "approved",
        day("2026-11-01"),
        day("2026-12-31"),
        1_000_000,
        &["taobao", "douyin"],
        "marketing",
    )
    .await;
    let mut tx = db::begin_tenant(&d.app.owner, d.t.alpha).await.unwrap();
    sqlx::query(
        "INSERT INTO campaign_metrics (tenant_id, campaign_id, day, channel, exposure, clicks, conversions, participants,
                                       sales_fen, cost_fen)
         SELECT $1, $2, date '2026-11-01' + i, ch, 1000, 10, 1, 1, 100 * (i + 1), 10
         FROM generate_series(0, 39) AS i, unnest(ARRAY['taobao', 'douyin']) AS ch",
    )
    .bind(d.t.alpha)
    .bind(id)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let days_on =
        |body: &str| -> Vec<String> { body.split("data-day-total=\"").skip(1).map(|s| s[..10].to_owned()).collect() };
    for path in [format!("/campaigns/{id}"), format!("/campaigns/{id}/metrics")] {
        let page = d.mkt.get(&path).await;
        assert_eq!(page.status, 200, "{path}");
        let days = days_on(&page.body);
        assert_eq!(days.len(), 31, "{path}: a month of days");
        assert_eq!((days[0].as_str(), days[30].as_str()), ("2026-12-10", "2026-11-10"), "{path}: the latest first");
        assert_eq!(page.body.matches("<tr data-day=\"2026-12-10\"").count(), 2, "{path}: each channel a row");
        assert!(page.body.contains("data-total=\"40\""), "{path}: the pager counts the days");
        assert!(page.body.contains(&format!("href=\"/campaigns/{id}/metrics?page=2\"")), "{path}: the next page");
        // The chart and the totals keep every day.
        assert_eq!(page.body.matches("<circle").count(), 80, "{path}: 40 days × sales and cost");
        assert_eq!(inside(&page.body, "data-total=\"sales\""), "¥1,640.00", "{path}: 2 × (1 + … + 40) yuan");
    }
    let second = d.mkt.get(&format!("/campaigns/{id}/metrics?page=2")).await;
    assert_eq!(
        days_on(&second.body),
        [
            "2026-11-09",
            "2026-11-08",
            "2026-11-07",
            "2026-11-06",
            "2026-11-05",
            "2026-11-04",
            "2026-11-03",
            "2026-11-02",
            "2026-11-01"
        ]
    );
    let past = d.mkt.get(&format!("/campaigns/{id}/metrics?page=9")).await;
    assert_eq!(past.status, 200);
    assert!(past.body.contains("没有第 9 页（共 2 页）") && days_on(&past.body).is_empty(), "past the end, said so");
}
