//! The list filters the dashboards link to (issue 13, helper L2): complaints by
//! received date (local days, Asia/Shanghai midnights) and by clock; slow stock
//! (90 days without a shipment); the campaigns' sums over every matching
//! campaign; the month's absences, late arrivals and missing scores in HR, with
//! the counting functions a dashboard calls. Each on hand-made data, another
//! tenant's rows never counted, bad input a clear 400, wrong roles 403.

use chrono::NaiveDate;
use yunying::db;
use yunying::inventory::ledger::{self, DocType, MovementKind, NewMovement};
use yunying::people::{Dept, Level, Scope};

use crate::campaign_metrics::{day, insert_campaign};
use crate::complaints::{ago, desk, exec, logged, only, rows, sla_of, step};
use crate::helpers::{spawn_app, spawn_app_on, two_tenants, Client, TestApp};

/// The `data-total` of the list's pager.
fn total(body: &str) -> i64 {
    let marker = "class=\"pager\" aria-label=\"分页\" data-total=\"";
    let start = body.find(marker).unwrap_or_else(|| panic!("no pager in {body}")) + marker.len();
    body[start..start + body[start..].find('"').unwrap()].parse().unwrap()
}

/// The `data-value` of the `data-list-sum="name"` line.
fn list_sum(body: &str, name: &str) -> String {
    let marker = format!("data-list-sum=\"{name}\" data-value=\"");
    let start = body.find(&marker).unwrap_or_else(|| panic!("no list sum {name} in {body}")) + marker.len();
    body[start..start + body[start..].find('"').unwrap()].to_owned()
}

async fn get_ok(c: &Client, path: &str) -> String {
    let page = c.get(path).await;
    assert_eq!(page.status, 200, "{path}: {}", page.body);
    page.body
}

/// A 400 whose page names what was wrong.
async fn refused(c: &Client, path: &str, says: &str) {
    let page = c.get(path).await;
    assert_eq!(page.status, 400, "{path}: {}", page.body);
    assert!(page.body.contains(says), "{path} should say {says}: {}", page.body);
}

// ---------- complaints ----------

/// Complaint `id` received at the local (Asia/Shanghai) time `local`, its clock
/// moved with it (24 hours, 80 % at 19 h 12 min).
async fn received(app: &TestApp, tenant: i64, id: i64, local: &str) {
    exec(
        app,
        tenant,
        &format!(
            "UPDATE complaints SET received_at = timestamptz '{local}+08', soon_at = timestamptz '{local}+08' + interval '19 hours 12 minutes',
                    due_at = timestamptz '{local}+08' + interval '24 hours' WHERE id = {id}"
        ),
    )
    .await;
}

#[tokio::test]
async fn complaints_by_received_day_are_cut_at_local_midnight() {
    let d = desk().await;
    let c = &d.svc;
    let oct31 = logged(c, &[("customer", "十月底")]).await;
    let nov1 = logged(c, &[("customer", "十一月初")]).await;
    let nov30 = logged(c, &[("customer", "十一月底")]).await;
    let dec1 = logged(c, &[("customer", "十二月初")]).await;
    received(&d.app, d.t.alpha, oct31, "2026-10-31 23:59:59").await;
    received(&d.app, d.t.alpha, nov1, "2026-11-01 00:00:00").await;
    received(&d.app, d.t.alpha, nov30, "2026-11-30 23:59:59").await;
    received(&d.app, d.t.alpha, dec1, "2026-12-01 00:00:00").await;
    // Another tenant's complaint on the same day is never listed.
    let beta = logged(&d.beta, &[("customer", "别家")]).await;
    received(&d.app, d.t.beta, beta, "2026-11-15 12:00:00").await;

    let sorted = |mut v: Vec<i64>| {
        v.sort_unstable();
        v
    };
    let nov = "/complaints?received_from=2026-11-01&received_to=2026-11-30";
    assert_eq!(sorted(only(c, nov).await), sorted(vec![nov1, nov30]), "both ends included, nothing outside");
    assert_eq!(total(&get_ok(c, nov).await), 2);
    assert_eq!(only(c, "/complaints?received_from=2026-12-01").await, [dec1]);
    assert_eq!(only(c, "/complaints?received_to=2026-10-31").await, [oct31]);
    assert_eq!(only(c, "/complaints?received_from=2026-11-30&received_to=2026-11-30").await, [nov30]);
    assert_eq!(only(c, "/complaints?received_from=2026-11-01&received_to=2026-11-01").await, [nov1]);
    assert_eq!(only(&d.beta, nov).await, [beta], "beta sees its own only");
    // Combined with the other filters, and the form shows the dates to clear.
    assert_eq!(only(c, &format!("{nov}&clock=overdue")).await.len(), 2);
    let page = get_ok(c, nov).await;
    assert!(page.contains("name=\"received_from\" value=\"2026-11-01\""), "{page}");
    assert!(page.contains("name=\"received_to\" value=\"2026-11-30\""), "{page}");

    // The CSV honours the same filter.
    let csv = c.get(&format!("/complaints.csv?{}", &nov["/complaints?".len()..])).await;
    assert_eq!(csv.status, 200);
    for (id, inside) in [(nov1, true), (nov30, true), (oct31, false), (dec1, false)] {
        let no = d.app.strings(d.t.alpha, &format!("SELECT complaint_no FROM complaints WHERE id = {id}")).await;
        assert_eq!(csv.body.contains(&no[0]), inside, "complaint {id} in the CSV: {}", csv.body);
    }

    // Bad dates: a clear message, never a 500.
    refused(c, "/complaints?received_from=2026-13-01", "收到日期（起）").await;
    refused(c, "/complaints?received_to=30.11.2026", "收到日期（止）").await;
    refused(c, "/complaints?received_from=2026-12-01&received_to=2026-11-01", "晚于").await;
    refused(c, "/complaints.csv?received_from=yesterday", "收到日期（起）").await;
    // The scope rules stand: the warehouse has no complaints list.
    assert_eq!(d.warehouse.get(nov).await.status, 403);
}

#[tokio::test]
async fn complaints_by_clock_give_the_pure_functions_answer() {
    let d = desk().await;
    let c = &d.svc;
    let ok = logged(c, &[("received_at", &ago(1, 0))]).await;
    let soon = logged(c, &[("received_at", &ago(23, 0))]).await;
    let overdue = logged(c, &[("received_at", &ago(25, 0))]).await;
    let met = logged(c, &[("received_at", &ago(26, 0))]).await;
    let missed = logged(c, &[("received_at", &ago(30, 0))]).await;
    exec(
        &d.app,
        d.t.alpha,
        &format!("UPDATE complaints SET first_reply_at = received_at + interval '24 hours' WHERE id = {met}"),
    )
    .await;
    assert_eq!(step(c, missed, "reply", &[("message", "抱歉久等")]).await.status, 303);
    // beta's overdue complaint is never counted in alpha.
    logged(&d.beta, &[("received_at", &ago(40, 0))]).await;

    for (code, id) in [("ok", ok), ("due_soon", soon), ("overdue", overdue), ("met", met), ("missed", missed)] {
        let path = format!("/complaints?clock={code}");
        let body = get_ok(c, &path).await;
        assert_eq!(rows(&body), [(id, code.to_owned())], "{path}");
        assert_eq!(total(&body), 1, "{path}");
        assert_eq!(sla_of(c, id).await, code, "the record page (the pure clock) agrees");
        assert_eq!(only(c, &format!("/complaints?sla={code}&clock={code}")).await, [id], "the same name twice");
        let csv = c.get(&format!("/complaints.csv?clock={code}")).await;
        assert_eq!(csv.status, 200);
        assert_eq!(csv.body.lines().count(), 2, "header and one row: {}", csv.body);
    }
    // The reply exactly at the deadline is met (the pure function's boundary).
    assert_eq!(sla_of(c, met).await, "met");
    refused(c, "/complaints?clock=late", "响应时效").await;
    refused(c, "/complaints?clock=ok&sla=met", "不一致").await;
    assert_eq!(d.warehouse.get("/complaints?clock=overdue").await.status, 403);
}

// ---------- slow stock ----------

async fn post_movement(app: &TestApp, tenant: i64, p: i64, w: i64, kind: MovementKind, quantity: i64) -> i64 {
    let mut tx = db::begin_tenant(&app.db, tenant).await.unwrap();
    let m = NewMovement {
        product_id: p,
        warehouse_id: w,
        kind,
        quantity,
        reason: "测试",
        doc: DocType::Manual,
        doc_id: None,
        created_by: None,
    };
    let (id, _) = ledger::post(&mut tx, tenant, &m).await.unwrap();
    tx.commit().await.unwrap();
    id
}

/// Move movement `id` back to `age` before now.
async fn aged(app: &TestApp, tenant: i64, id: i64, age: &str) {
    exec(app, tenant, &format!("UPDATE stock_movements SET created_at = now() - interval '{age}' WHERE id = {id}"))
        .await;
}

/// The `data-sku@data-warehouse` of the stock list's rows.
fn stock_rows(body: &str) -> Vec<String> {
    let mut v: Vec<String> = body
        .split("<tr data-sku=\"")
        .skip(1)
        .map(|part| {
            let sku = &part[..part.find('"').unwrap()];
            let wh = part.split("data-warehouse=\"").nth(1).unwrap();
            format!("{sku}@{}", &wh[..wh.find('"').unwrap()])
        })
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn slow_stock_is_on_hand_without_a_shipment_for_90_days() {
    let app = spawn_app().await;
    let t = two_tenants(&app).await;
    let a = t.alpha;
    let (recent, w1) = crate::ledger::item(&app, a, "RECENT", "W1").await;
    let (old, _) = crate::ledger::item(&app, a, "OLD", "W1").await;
    let (never, _) = crate::ledger::item(&app, a, "NEVER", "W1").await;
    let (empty, _) = crate::ledger::item(&app, a, "EMPTY", "W1").await;
    let (split, _) = crate::ledger::item(&app, a, "SPLIT", "W1").await;
    let (adjusted, _) = crate::ledger::item(&app, a, "ADJUSTED", "W1").await;
    let (_, w2) = crate::ledger::item(&app, a, "OTHER", "W2").await;
    for p in [recent, old, never, empty, split, adjusted] {
        post_movement(&app, a, p, w1, MovementKind::Receipt, 10).await;
    }
    post_movement(&app, a, split, w2, MovementKind::Receipt, 10).await;
    // RECENT: shipped 89 days 23 hours ago — not slow; OLD: 90 days 1 hour ago — slow.
    let m = post_movement(&app, a, recent, w1, MovementKind::Shipment, -1).await;
    aged(&app, a, m, "89 days 23 hours").await;
    let m = post_movement(&app, a, old, w1, MovementKind::Shipment, -1).await;
    aged(&app, a, m, "90 days 1 hour").await;
    // EMPTY: nothing on hand (shipped out long ago) is not slow stock.
    let m = post_movement(&app, a, empty, w1, MovementKind::Shipment, -10).await;
    aged(&app, a, m, "200 days").await;
    // SPLIT: shipped from W1 today, never from W2: slow in W2 only.
    post_movement(&app, a, split, w1, MovementKind::Shipment, -1).await;
    // ADJUSTED: an adjustment is not a shipment.
    post_movement(&app, a, adjusted, w1, MovementKind::Adjustment, -1).await;
    // beta's slow stock is never listed in alpha.
    let (bp, bw) = crate::ledger::item(&app, t.beta, "BETA-SLOW", "W1").await;
    post_movement(&app, t.beta, bp, bw, MovementKind::Receipt, 5).await;

    let c = app.signed_in("alpha", "director").await;
    let want = ["ADJUSTED@W1", "NEVER@W1", "OLD@W1", "SPLIT@W2"];
    let body = get_ok(&c, "/inventory/stock?slow=1").await;
    assert_eq!(stock_rows(&body), want);
    assert_eq!(total(&body), 4);
    assert!(body.contains("name=\"slow\" value=\"1\" checked"), "the form shows the filter");
    assert!(body.contains("/inventory/stock.csv?slow=1"), "the export link keeps it");
    // Without the filter the others are listed too.
    let everything = stock_rows(&get_ok(&c, "/inventory/stock").await);
    assert!(everything.contains(&"RECENT@W1".to_owned()) && everything.contains(&"EMPTY@W1".to_owned()));
    assert!(everything.contains(&"SPLIT@W1".to_owned()), "{everything:?}");
    // With a warehouse and with searches (the exact-term path and the name search).
    assert_eq!(stock_rows(&get_ok(&c, &format!("/inventory/stock?slow=1&warehouse={w2}")).await), ["SPLIT@W2"]);
    assert_eq!(stock_rows(&get_ok(&c, "/inventory/stock?slow=1&q=OLD").await), ["OLD@W1"]);
    assert!(stock_rows(&get_ok(&c, "/inventory/stock?slow=1&q=RECENT").await).is_empty());
    assert_eq!(stock_rows(&get_ok(&c, "/inventory/stock?slow=1&q=SPLIT").await), ["SPLIT@W2"]);
    assert_eq!(stock_rows(&get_ok(&c, "/inventory/stock?slow=1&q=%E6%B5%8B%E8%AF%95").await), want, "by name");
    // The CSV honours it.
    let csv = c.get("/inventory/stock.csv?slow=1").await;
    assert_eq!(csv.status, 200);
    let mut lines: Vec<String> =
        csv.body.lines().skip(1).map(|l| l.split(',').take(3).collect::<Vec<_>>().join("|")).collect();
    lines.sort();
    assert_eq!(lines, ["ADJUSTED|测试商品|W1", "NEVER|测试商品|W1", "OLD|测试商品|W1", "SPLIT|测试商品|W2"]);
    // beta sees its own.
    let beta = app.signed_in("beta", "director").await;
    assert_eq!(stock_rows(&get_ok(&beta, "/inventory/stock?slow=1").await), ["BETA-SLOW@W1"]);
    refused(&c, "/inventory/stock?slow=yes", "slow").await;
    refused(&c, "/inventory/stock.csv?slow=2", "slow").await;
    // HR has no stock pages.
    assert_eq!(app.signed_in("alpha", "admin").await.get("/inventory/stock?slow=1").await.status, 403);
}

// ---------- campaign sums ----------

async fn metrics(app: &TestApp, tenant: i64, campaign: i64, day: &str, channel: &str, sales: i64, cost: i64) {
    exec(
        app,
        tenant,
        &format!(
            "INSERT INTO campaign_metrics (tenant_id, campaign_id, day, channel, exposure, clicks, conversions,
                                           participants, sales_fen, cost_fen)
             VALUES ({tenant}, {campaign}, '{day}', '{channel}', 100, 10, 1, 1, {sales}, {cost})"
        ),
    )
    .await;
}

#[tokio::test]
async fn campaign_sums_cover_every_matching_campaign_in_scope() {
    let app = spawn_app_on(day("2026-12-10")).await;
    let t = two_tenants(&app).await;
    app.user(t.alpha, "mkt", Dept::Marketing, Level::Specialist, false).await;
    app.user(t.alpha, "sales", Dept::Sales, Level::Specialist, false).await;
    let a = t.alpha;
    let ins = |status: &'static str, from: &'static str, to: &'static str, budget: i64, dept: &'static str| {
        let app = &app;
        async move { insert_campaign(app, a, status, day(from), day(to), budget, &["taobao", "douyin"], dept).await.0 }
    };
    let big = ins("approved", "2026-12-01", "2026-12-20", 1_000_000, "marketing").await;
    metrics(&app, a, big, "2026-12-01", "taobao", 1_260_000, 300_000).await;
    metrics(&app, a, big, "2026-12-02", "douyin", 50_050, 12_345).await;
    let ops = ins("approved", "2026-12-05", "2026-12-31", 250_050, "ops").await;
    metrics(&app, a, ops, "2026-12-05", "taobao", 99, 1).await;
    let ended = ins("approved", "2026-11-01", "2026-11-30", 7_000_000, "marketing").await;
    metrics(&app, a, ended, "2026-11-03", "taobao", 1_000_000, 500_000).await;
    ins("draft", "2026-12-01", "2026-12-20", 123, "marketing").await;
    // Enough running campaigns that the list has two pages: ¥1.00 each, no results.
    for _ in 0..51 {
        ins("approved", "2026-12-09", "2026-12-11", 100, "marketing").await;
    }
    // beta's running campaign is never summed in alpha.
    let b = insert_campaign(&app, t.beta, "approved", day("2026-12-01"), day("2026-12-20"), 9_900_000, &["jd"], "ops")
        .await
        .0;
    metrics(&app, t.beta, b, "2026-12-01", "jd", 7_777_777, 666_666).await;

    let director = app.signed_in("alpha", "director").await;
    for page in ["", "&page=2"] {
        let body = get_ok(&director, &format!("/campaigns?status=running{page}")).await;
        assert_eq!(total(&body), 53);
        // 1,260,000 + 50,050 + 99 fen; 300,000 + 12,345 + 1; 1,000,000 + 250,050 + 51 × 100.
        assert_eq!(list_sum(&body, "sales"), "13101.49", "the whole list, not the page ({page})");
        assert_eq!(list_sum(&body, "cost"), "3123.46");
        assert_eq!(list_sum(&body, "budget"), "12551.50");
    }
    // Every campaign (no filter): the ended one and the draft too.
    let all = get_ok(&director, "/campaigns").await;
    assert_eq!(list_sum(&all, "sales"), "23101.49");
    assert_eq!(list_sum(&all, "budget"), "82552.73");
    // Scope: marketing sees its department's campaigns only (not ops's).
    let mkt = app.signed_in("alpha", "mkt").await;
    let body = get_ok(&mkt, "/campaigns?status=running").await;
    assert_eq!((total(&body), list_sum(&body, "sales").as_str()), (52, "13100.50"));
    assert_eq!(list_sum(&body, "cost"), "3123.45");
    assert_eq!(list_sum(&body, "budget"), "10051.00");
    // An empty selection sums to zero.
    let none = get_ok(&director, "/campaigns?status=running&q=%E6%B2%A1%E6%9C%89").await;
    assert_eq!((list_sum(&none, "sales").as_str(), list_sum(&none, "budget").as_str()), ("0.00", "0.00"));
    // beta: its own only.
    let beta = get_ok(&app.signed_in("beta", "director").await, "/campaigns?status=running").await;
    assert_eq!((list_sum(&beta, "sales").as_str(), list_sum(&beta, "budget").as_str()), ("77777.77", "99000.00"));
    // The CSV honours the filter: the running ones only.
    let csv = director.get("/campaigns.csv?status=running").await;
    assert_eq!(csv.status, 200);
    assert_eq!(csv.body.lines().count(), 1 + 53);
    refused(&director, "/campaigns?status=live", "未知状态").await;
    assert_eq!(app.signed_in("alpha", "sales").await.get("/campaigns?status=running").await.status, 403);
}

// ---------- HR: absences, late arrivals, missing scores ----------

async fn employee(app: &TestApp, tenant: i64, no: &str, dept: &str, hired: &str) -> i64 {
    let mut tx = db::begin_tenant(&app.owner, tenant).await.unwrap();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO employees (tenant_id, employee_no, name, department, level, monthly_salary_fen, bonus_base_fen, hired_on)
         VALUES ($1, $2, '员工' || $2, $3, 'specialist', 800000, 100000, $4::date) RETURNING id",
    )
    .bind(tenant)
    .bind(no)
    .bind(dept)
    .bind(hired)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    // Every workday of November 2026 at 09:00–18:00 (from the hiring date).
    sqlx::query(
        "INSERT INTO attendance (tenant_id, employee_id, day, clock_in, clock_out, source)
         SELECT $1, $2, d::date, '09:00', '18:00', 'import'
         FROM generate_series(greatest(date '2026-11-01', $3::date), date '2026-11-30', interval '1 day') d
         WHERE extract(isodow FROM d) < 6",
    )
    .bind(tenant)
    .bind(id)
    .bind(hired)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

/// Set (or, with `None` for both, remove) the punches of `id` on `day`.
async fn punches(app: &TestApp, tenant: i64, id: i64, day: &str, clock_in: Option<&str>, clock_out: Option<&str>) {
    let q = |t: Option<&str>| t.map_or("NULL".to_owned(), |t| format!("'{t}'"));
    let sql = if clock_in.is_none() && clock_out.is_none() {
        format!("DELETE FROM attendance WHERE employee_id = {id} AND day = '{day}'")
    } else {
        format!(
            "UPDATE attendance SET clock_in = {}, clock_out = {} WHERE employee_id = {id} AND day = '{day}'",
            q(clock_in),
            q(clock_out)
        )
    };
    exec(app, tenant, &sql).await;
}

/// The `(employee_no, date)` of the findings list's rows.
fn findings(body: &str) -> Vec<(String, String)> {
    body.split("<tr data-employee=\"")
        .skip(1)
        .map(|part| {
            let no = &part[..part.find('"').unwrap()];
            let d = part.split("data-date=\"").nth(1).unwrap();
            (no.to_owned(), d[..d.find('"').unwrap()].to_owned())
        })
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
}

async fn counts(app: &TestApp, tenant: i64, scope: &Scope, month: NaiveDate, today: NaiveDate) -> (i64, i64, i64) {
    use yunying::hr::attendance::findings as f;
    let mut tx = db::begin_tenant(&app.db, tenant).await.unwrap();
    let absences = f::absences(&mut tx, tenant, scope, month, today).await.unwrap();
    let late = f::late(&mut tx, tenant, scope, month, today).await.unwrap();
    let missing = yunying::hr::performance::repo::scores_missing(&mut tx, tenant, scope, month).await.unwrap();
    tx.commit().await.unwrap();
    (absences, late, missing)
}

#[tokio::test]
async fn hr_lists_absences_late_arrivals_and_missing_scores_of_a_month() {
    let today = day("2026-12-10");
    let app = spawn_app_on(today).await;
    let t = two_tenants(&app).await;
    let a = t.alpha;
    app.user(a, "hr", Dept::Hr, Level::Specialist, false).await;
    app.user(a, "salesm", Dept::Sales, Level::Manager, false).await;
    app.user(a, "sales", Dept::Sales, Level::Specialist, false).await;
    let e1 = employee(&app, a, "E101", "ops", "2024-01-01").await;
    let e2 = employee(&app, a, "E102", "sales", "2024-01-01").await;
    let e3 = employee(&app, a, "E103", "sales", "2026-11-16").await;
    // E101: 11-02 minor late; 11-03 serious late and serious early (one late day);
    // 11-04 no clock-out (half-day absence); 11-05 no punches (full-day absence);
    // 11-06 minor early leave only (not lateness).
    punches(&app, a, e1, "2026-11-02", Some("09:05"), Some("18:00")).await;
    punches(&app, a, e1, "2026-11-03", Some("09:30"), Some("17:00")).await;
    punches(&app, a, e1, "2026-11-04", Some("09:00"), None).await;
    punches(&app, a, e1, "2026-11-05", None, None).await;
    punches(&app, a, e1, "2026-11-06", Some("09:00"), Some("17:50")).await;
    // E102: 11-10 absent, 11-11 a minute late.
    punches(&app, a, e2, "2026-11-10", None, None).await;
    punches(&app, a, e2, "2026-11-11", Some("09:01"), Some("18:00")).await;
    // E103 (hired 11-16): nothing wrong; the days before hiring are not absences.
    let _ = e3;
    // Scores: E101 only.
    exec(
        &app,
        a,
        &format!(
            "INSERT INTO performance_scores (tenant_id, employee_id, month, score_tenths, source)
             VALUES ({a}, {e1}, '2026-11-01', 850, 'import')"
        ),
    )
    .await;
    // beta: an employee with no punches and no score at all.
    employee(&app, t.beta, "B1", "ops", "2024-01-01").await;
    exec(&app, t.beta, "DELETE FROM attendance").await;

    let hr = app.signed_in("alpha", "hr").await;
    let body = get_ok(&hr, "/hr/attendance?month=2026-11&kind=absent").await;
    let absences = [("E101", "2026-11-04"), ("E101", "2026-11-05"), ("E102", "2026-11-10")];
    assert_eq!(findings(&body), pairs(&absences));
    assert_eq!(total(&body), 3);
    assert!(body.contains("旷工半天（缺下班卡）") && body.contains("旷工一天"), "{body}");
    assert!(body.contains("<option value=\"absent\" selected>"), "the form shows the filter: {body}");
    let body = get_ok(&hr, "/hr/attendance?month=2026-11&kind=late").await;
    let late = [("E101", "2026-11-02"), ("E101", "2026-11-03"), ("E102", "2026-11-11")];
    assert_eq!(findings(&body), pairs(&late));
    assert_eq!(total(&body), 3);
    assert!(body.contains("严重迟到30分钟"), "{body}");
    // A department filter, and the manager's scope (their department only).
    let body = get_ok(&hr, "/hr/attendance?month=2026-11&kind=late&department=sales").await;
    assert_eq!((findings(&body), total(&body)), (pairs(&[("E102", "2026-11-11")]), 1));
    let salesm = app.signed_in("alpha", "salesm").await;
    let body = get_ok(&salesm, "/hr/attendance?month=2026-11&kind=absent&department=ops").await;
    assert_eq!((findings(&body), total(&body)), (pairs(&[("E102", "2026-11-10")]), 1), "the scope wins");
    // The grid offers the filter.
    assert!(get_ok(&hr, "/hr/attendance?month=2026-11").await.contains("<option value=\"late\">"));

    // Missing scores: E102 and E103 (E101 is scored).
    let body = get_ok(&hr, "/hr/performance?month=2026-11&missing=1").await;
    assert_eq!(total(&body), 2);
    assert!(body.contains("data-employee=\"E102\"") && body.contains("data-employee=\"E103\""));
    assert!(!body.contains("data-employee=\"E101\""));

    // The dashboard's functions give the lists' figures, for the tenant and a department.
    let nov = day("2026-11-01");
    assert_eq!(counts(&app, a, &Scope::Tenant, nov, today).await, (3, 3, 2));
    assert_eq!(counts(&app, a, &Scope::Department(Dept::Sales), nov, today).await, (1, 1, 2));
    assert_eq!(counts(&app, a, &Scope::Department(Dept::Ops), nov, today).await, (2, 2, 0));
    assert_eq!(counts(&app, a, &Scope::Own { user_id: 1 }, nov, today).await, (0, 0, 0));
    // beta's own figures: 21 workdays of absence, one missing score; none of alpha's.
    assert_eq!(counts(&app, t.beta, &Scope::Tenant, nov, today).await, (21, 0, 1));
    use yunying::hr::attendance::findings::{absences_href, late_href};
    assert_eq!(absences_href(nov), "/hr/attendance?month=2026-11&kind=absent");
    assert_eq!(late_href(nov), "/hr/attendance?month=2026-11&kind=late");
    assert_eq!(yunying::hr::performance::repo::scores_missing_href(nov), "/hr/performance?month=2026-11&missing=1");
    for href in [absences_href(nov), late_href(nov)] {
        let n = total(&get_ok(&hr, &href).await);
        assert_eq!(n, 3, "{href}");
    }

    // Bad input: a clear 400.
    refused(&hr, "/hr/attendance?month=2026-11&kind=early", "kind").await;
    refused(&hr, "/hr/attendance?month=2026-13&kind=late", "月份").await;
    refused(&hr, "/hr/performance?month=2026-11&missing=yes", "missing").await;
    // Wrong roles: a sales specialist has no overview; a manager has no HR performance page.
    let sales = app.signed_in("alpha", "sales").await;
    assert_eq!(sales.get("/hr/attendance?month=2026-11&kind=absent").await.status, 403);
    assert_eq!(salesm.get("/hr/performance?month=2026-11&missing=1").await.status, 403);
}

#[tokio::test]
async fn a_month_in_progress_counts_only_the_days_gone_by() {
    // 2026-11-11: the 11th itself is not over; the days after it are not absences.
    let today = day("2026-11-11");
    let app = spawn_app_on(today).await;
    let t = two_tenants(&app).await;
    let a = t.alpha;
    app.user(a, "hr", Dept::Hr, Level::Specialist, false).await;
    let e = employee(&app, a, "E201", "ops", "2024-01-01").await;
    exec(&app, a, &format!("DELETE FROM attendance WHERE employee_id = {e} AND day >= '2026-11-09'")).await;
    let hr = app.signed_in("alpha", "hr").await;
    let body = get_ok(&hr, "/hr/attendance?month=2026-11&kind=absent").await;
    assert_eq!(findings(&body), pairs(&[("E201", "2026-11-09"), ("E201", "2026-11-10")]));
    assert_eq!(counts(&app, a, &Scope::Tenant, day("2026-11-01"), today).await.0, 2);
}
