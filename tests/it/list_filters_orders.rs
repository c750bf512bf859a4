//! The orders and after-sales lists' filters for the dashboard's cards (issue 13):
//! sales day, shipped day and on time, waiting to ship, any hold, refund day — on
//! hand-made data with the days' ends at local midnight (Asia/Shanghai), the sums
//! over every matching row of the user's scope, never another tenant's, and a bad
//! date said on the page (never a 500).

use chrono::{DateTime, Utc};
use yunying::db;
use yunying::orders::repo::NewLine;
use yunying::people::{Dept, Level};

use crate::helpers::{Page, TestApp};
use crate::orders::{insert_order, new_order, shop, Shop};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// Run `sql` as the owner in `tenant`'s transaction.
async fn exec(app: &TestApp, tenant: i64, sql: &str) {
    let mut tx = db::begin_tenant(&app.owner, tenant).await.unwrap();
    sqlx::query(sql).execute(&mut *tx).await.expect(sql);
    tx.commit().await.unwrap();
}

/// An order `no` of one cup in `tenant`, paid `fen` at `paid_at` (RFC 3339; `None`:
/// unpaid), of the sales rep `rep` when given: its id.
async fn order(s: &Shop, tenant: i64, no: &str, fen: i64, paid_at: Option<&str>, rep: Option<i64>) -> i64 {
    let product = if tenant == s.t.alpha {
        s.cup
    } else {
        s.app.scalar_i64(tenant, "SELECT id FROM products ORDER BY id LIMIT 1").await
    };
    let lines = vec![NewLine { product_id: product, quantity: 1, unit_price_fen: fen, contract_line_id: None }];
    let mut o = new_order(no, fen, lines);
    o.paid_at = paid_at.map(at);
    o.ordered_at = o.paid_at.unwrap_or_else(Utc::now) - chrono::Duration::hours(1);
    o.rep_id = rep;
    o.rep_department = rep.map(|_| "sales".to_owned());
    insert_order(&s.app, tenant, o).await
}

/// The list's count (the pager's `data-total`).
fn total(p: &Page) -> i64 {
    let marker = "data-total=\"";
    let start = p.body.find(marker).unwrap_or_else(|| panic!("a pager in {}", p.body)) + marker.len();
    p.body[start..start + p.body[start..].find('"').unwrap()].parse().unwrap()
}

/// The `data-value` of the `data-list-sum="name"` line, if the page has one.
fn sum(p: &Page, name: &str) -> Option<String> {
    let marker = format!("data-list-sum=\"{name}\" data-value=\"");
    let start = p.body.find(&marker)? + marker.len();
    Some(p.body[start..start + p.body[start..].find('"').unwrap()].to_owned())
}

/// The order numbers (or case numbers) among `nos` that the page lists.
fn listed<'a>(p: &Page, nos: &[&'a str]) -> Vec<&'a str> {
    nos.iter().copied().filter(|no| p.body.contains(&format!(">{no}<"))).collect()
}

/// A 200 page with `count` rows.
fn page(p: Page, count: i64) -> Page {
    assert_eq!(p.status, 200, "{}", p.body);
    assert_eq!(total(&p), count, "{}", p.body);
    p
}

/// The data lines of a CSV (BOM and header dropped).
fn csv_lines(p: &Page) -> Vec<String> {
    assert_eq!(p.status, 200, "{}", p.body);
    p.body.trim_start_matches('\u{feff}').split("\r\n").skip(1).filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

const NOVEMBER_PAID: &str = "/orders?paid_from=2026-11-01&paid_to=2026-11-30";

#[tokio::test]
async fn the_sales_day_is_the_local_date_of_payment_both_ends_included_and_the_sum_covers_every_page() {
    let s = shop().await;
    let (alpha, beta) = (s.t.alpha, s.t.beta);
    let rep = s.app.scalar_i64(alpha, "SELECT id FROM users WHERE username = 'rep'").await;
    crate::ledger::item(&s.app, beta, "CUP-B", "WB1").await;
    // In: the first instant of 11-01 and the last second of 11-30 (local), a rep's order.
    order(&s, alpha, "P-1", 10_000, Some("2026-11-01T00:00:00+08:00"), None).await;
    order(&s, alpha, "P-3", 30_000, Some("2026-11-30T23:59:59+08:00"), None).await;
    order(&s, alpha, "P-7", 1_234, Some("2026-11-10T12:00:00+08:00"), Some(rep)).await;
    // Out: a second before, the next day's midnight, cancelled, unpaid, beta's.
    order(&s, alpha, "P-2", 20_000, Some("2026-10-31T23:59:59+08:00"), None).await;
    order(&s, alpha, "P-4", 40_000, Some("2026-12-01T00:00:00+08:00"), None).await;
    let cancelled = order(&s, alpha, "P-5", 50_000, Some("2026-11-15T12:00:00+08:00"), None).await;
    exec(
        &s.app,
        alpha,
        &format!("UPDATE orders SET status = 'cancelled', cancelled_at = now() WHERE id = {cancelled}"),
    )
    .await;
    order(&s, alpha, "P-6", 60_000, None, None).await;
    order(&s, beta, "P-8", 999_900, Some("2026-11-15T12:00:00+08:00"), None).await;
    let all = ["P-1", "P-2", "P-3", "P-4", "P-5", "P-6", "P-7", "P-8"];

    let p = page(s.ops.get(NOVEMBER_PAID).await, 3);
    assert_eq!(listed(&p, &all), ["P-1", "P-3", "P-7"]);
    assert_eq!(sum(&p, "paid").as_deref(), Some("412.34"), "100.00 + 300.00 + 12.34");
    assert!(p.body.contains("name=\"paid_from\" value=\"2026-11-01\""), "the form shows the dates");
    assert!(p.body.contains("type=\"date\" name=\"paid_to\" value=\"2026-11-30\""), "{}", p.body);
    // One day; one end only.
    let p = page(s.ops.get("/orders?paid_from=2026-11-30&paid_to=2026-11-30").await, 1);
    assert_eq!((listed(&p, &all), sum(&p, "paid").unwrap().as_str()), (vec!["P-3"], "300.00"));
    let p = page(s.ops.get("/orders?paid_from=2026-12-01").await, 1);
    assert_eq!((listed(&p, &all), sum(&p, "paid").unwrap().as_str()), (vec!["P-4"], "400.00"));
    let p = page(s.ops.get("/orders?paid_to=2026-10-31").await, 1);
    assert_eq!((listed(&p, &all), sum(&p, "paid").unwrap().as_str()), (vec!["P-2"], "200.00"));
    // Without the filter, no sum (and every order of alpha).
    let p = page(s.ops.get("/orders").await, 7);
    assert_eq!(sum(&p, "paid"), None);
    // Combined with another filter: the same rule.
    let p = page(s.ops.get(&format!("{NOVEMBER_PAID}&q=P-3")).await, 1);
    assert_eq!(sum(&p, "paid").as_deref(), Some("300.00"));

    // The rep: their own order only; beta: theirs only.
    let p = page(s.sales.get(NOVEMBER_PAID).await, 1);
    assert_eq!((listed(&p, &all), sum(&p, "paid").unwrap().as_str()), (vec!["P-7"], "12.34"));
    let p = page(s.beta.get(NOVEMBER_PAID).await, 1);
    assert_eq!((listed(&p, &all), sum(&p, "paid").unwrap().as_str()), (vec!["P-8"], "9999.00"));
    // HR may not see orders, filtered or not.
    assert_eq!(s.hr.get(NOVEMBER_PAID).await.status, 403);
    assert_eq!(s.hr.get(&NOVEMBER_PAID.replace("/orders", "/orders.csv")).await.status, 403);

    // The CSV honours the filter, and the export link carries it.
    let p = s.ops.get(NOVEMBER_PAID).await;
    assert!(p.body.contains("href=\"/orders.csv?paid_from=2026-11-01&#38;paid_to=2026-11-30\""), "{}", p.body);
    let csv = csv_lines(&s.ops.get("/orders.csv?paid_from=2026-11-01&paid_to=2026-11-30").await);
    let nos: Vec<&str> = csv.iter().map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(nos, ["P-7", "P-3", "P-1"], "newest first");

    // More than a page: the sum is over every matching order, not the 50 shown.
    let mut many = Vec::new();
    for i in 0..60 {
        let lines = vec![NewLine { product_id: s.cup, quantity: 1, unit_price_fen: 100, contract_line_id: None }];
        let mut o = new_order(&format!("M-{i:02}"), 100, lines);
        o.paid_at = Some(at("2026-11-20T10:00:00+08:00"));
        many.push(o);
    }
    let mut tx = db::begin_tenant(&s.app.db, alpha).await.unwrap();
    let author = yunying::orders::repo::Author { user_id: None, name: "测试" };
    yunying::orders::repo::insert(&mut tx, alpha, &many, &author, "测试").await.unwrap();
    tx.commit().await.unwrap();
    let p = page(s.ops.get(NOVEMBER_PAID).await, 63);
    assert_eq!(p.body.matches("<tr data-order=").count(), 50, "one page");
    assert_eq!(sum(&p, "paid").as_deref(), Some("472.34"), "412.34 + 60 × 1.00");
    let p = page(s.ops.get(&format!("{NOVEMBER_PAID}&page=2")).await, 63);
    assert_eq!(sum(&p, "paid").as_deref(), Some("472.34"), "the same on page 2");
}

/// Alpha order `no` (paid ¥1.00 on 10-01) shipped at `shipped`, approved at `approved`.
async fn shipped_order(s: &Shop, no: &str, approved: Option<&str>, shipped: &str, status: &str) -> i64 {
    let id = order(s, s.t.alpha, no, 100, Some("2026-10-01T10:00:00+08:00"), None).await;
    let approved = approved.map_or("NULL".to_owned(), |a| format!("'{a}'"));
    exec(
        &s.app,
        s.t.alpha,
        &format!(
            "UPDATE orders SET status = '{status}', approved_at = {approved}, shipped_at = '{shipped}' WHERE id = {id}"
        ),
    )
    .await;
    id
}

#[tokio::test]
async fn the_shipped_day_and_on_time_split_at_exactly_the_tenants_hours() {
    let s = shop().await;
    // 48 h to the second: on time, on the first instant of November.
    shipped_order(&s, "S-1", Some("2026-10-30T00:00:00+08:00"), "2026-11-01T00:00:00+08:00", "shipped").await;
    // 48 h and a second: late, on the last second of November.
    shipped_order(&s, "S-2", Some("2026-11-28T23:59:58+08:00"), "2026-11-30T23:59:59+08:00", "delivered").await;
    // Never approved (shipped all the same): late.
    shipped_order(&s, "S-6", None, "2026-11-20T10:00:00+08:00", "partially_shipped").await;
    // Out: December's first instant, October's last second, cancelled.
    shipped_order(&s, "S-3", Some("2026-11-30T10:00:00+08:00"), "2026-12-01T00:00:00+08:00", "shipped").await;
    shipped_order(&s, "S-4", Some("2026-10-30T10:00:00+08:00"), "2026-10-31T23:59:59+08:00", "shipped").await;
    shipped_order(&s, "S-5", Some("2026-11-14T10:00:00+08:00"), "2026-11-15T10:00:00+08:00", "cancelled").await;
    // Never shipped.
    order(&s, s.t.alpha, "S-7", 100, Some("2026-11-02T10:00:00+08:00"), None).await;
    let all = ["S-1", "S-2", "S-3", "S-4", "S-5", "S-6", "S-7"];
    let nov = "/orders?shipped_from=2026-11-01&shipped_to=2026-11-30";

    let p = page(s.ops.get(nov).await, 3);
    assert_eq!(listed(&p, &all), ["S-1", "S-2", "S-6"]);
    assert_eq!(sum(&p, "paid"), None, "a sum only for the sales day");
    let p = page(s.ops.get(&format!("{nov}&on_time=1")).await, 1);
    assert_eq!(listed(&p, &all), ["S-1"]);
    let p = page(s.ops.get(&format!("{nov}&on_time=0")).await, 2);
    assert_eq!(listed(&p, &all), ["S-2", "S-6"]);
    let p = page(s.ops.get("/orders?shipped_from=2026-12-01&shipped_to=2026-12-01").await, 1);
    assert_eq!(listed(&p, &all), ["S-3"]);
    // on_time alone: every shipped order not cancelled.
    let p = page(s.ops.get("/orders?on_time=0").await, 2);
    assert_eq!(listed(&p, &all), ["S-2", "S-6"]);
    let p = page(s.ops.get("/orders?on_time=1").await, 3);
    assert_eq!(listed(&p, &all), ["S-1", "S-3", "S-4"]);
    assert_eq!(s.ops.get("/orders?on_time=yes").await.status, 400);
    // The CSV: the same rows.
    let csv = csv_lines(&s.ops.get(&format!("{}&on_time=0", nov.replace("/orders", "/orders.csv"))).await);
    assert_eq!(csv.iter().map(|l| l.split(',').next().unwrap()).collect::<Vec<_>>(), ["S-6", "S-2"]);
    // The tenant's own hours: at 72 h the second one is on time too.
    exec(
        &s.app,
        s.t.alpha,
        &format!("UPDATE tenants SET settings = settings || '{{\"ship_within_hours\": 72}}' WHERE id = {}", s.t.alpha),
    )
    .await;
    let ops = s.app.signed_in("alpha", "specialist").await;
    let p = page(ops.get(&format!("{nov}&on_time=1")).await, 2);
    assert_eq!(listed(&p, &all), ["S-1", "S-2"]);
    assert!(p.body.contains("审核后 72 小时内发货"), "{}", p.body);
    // Another tenant sees none of them.
    let p = page(s.beta.get(nov).await, 0);
    assert!(listed(&p, &all).is_empty());
}

#[tokio::test]
async fn waiting_to_ship_is_three_states_and_any_hold_counts_an_order_once() {
    let s = shop().await;
    let mut ids = Vec::new();
    for (no, status) in [
        ("W-1", "approved"),
        ("W-2", "allocated"),
        ("W-3", "partially_shipped"),
        ("W-4", "pending_review"),
        ("W-5", "shipped"),
        ("W-6", "exception"),
        ("W-7", "cancelled"),
        ("W-8", "delivered"),
    ] {
        let id = order(&s, s.t.alpha, no, 100, Some("2026-11-02T10:00:00+08:00"), None).await;
        exec(&s.app, s.t.alpha, &format!("UPDATE orders SET status = '{status}' WHERE id = {id}")).await;
        ids.push(id);
    }
    crate::ledger::item(&s.app, s.t.beta, "CUP-B", "WB1").await;
    let beta = order(&s, s.t.beta, "W-9", 100, None, None).await;
    exec(&s.app, s.t.beta, &format!("UPDATE orders SET status = 'approved' WHERE id = {beta}")).await;
    let all = ["W-1", "W-2", "W-3", "W-4", "W-5", "W-6", "W-7", "W-8", "W-9"];
    let p = page(s.ops.get("/orders?status=to_ship").await, 3);
    assert_eq!(listed(&p, &all), ["W-1", "W-2", "W-3"]);
    assert!(p.body.contains("<option value=\"to_ship\" selected>"), "{}", p.body);
    let p = page(s.ops.get("/orders?status=approved").await, 1);
    assert_eq!(listed(&p, &all), ["W-1"], "the single states stay");
    let csv = csv_lines(&s.ops.get("/orders.csv?status=to_ship").await);
    assert_eq!(csv.len(), 3);
    // W-9 is beta's (and unpaid: held) — alpha never sees it.
    let p = page(s.beta.get("/orders?status=to_ship").await, 1);
    assert_eq!(listed(&p, &all), ["W-9"]);

    // Holds: W-1 two active holds, W-2 one, W-3 one released, W-4 none.
    let hold = |id: i64, kind: &str, released: bool| {
        let released = if released { "now()" } else { "NULL" };
        format!(
            "INSERT INTO order_holds (tenant_id, order_id, kind, reason, released_at, release_note)
             VALUES ({}, {id}, '{kind}', '测试', {released}, '{}')",
            s.t.alpha,
            if released == "NULL" { "" } else { "已解除" }
        )
    };
    for (id, kind, released) in
        [(ids[0], "manual", false), (ids[0], "address", false), (ids[1], "stock", false), (ids[2], "manual", true)]
    {
        exec(&s.app, s.t.alpha, &hold(id, kind, released)).await;
    }
    let p = page(s.ops.get("/orders?hold=any").await, 2);
    assert_eq!(listed(&p, &all), ["W-1", "W-2"]);
    assert_eq!(p.body.matches("<tr data-order=").count(), 2, "W-1 once");
    let p = page(s.ops.get("/orders?hold=any&status=to_ship").await, 2);
    assert_eq!(listed(&p, &all), ["W-1", "W-2"]);
    let p = page(s.ops.get("/orders?hold=manual").await, 1);
    assert_eq!(listed(&p, &all), ["W-1"], "the single kinds stay");
    let csv = csv_lines(&s.ops.get("/orders.csv?hold=any").await);
    assert_eq!(csv.len(), 2);
    let p = page(s.beta.get("/orders?hold=any").await, 1);
    assert_eq!(listed(&p, &all), ["W-9"], "beta's own unpaid hold only");
}

/// A refund case `no` on `order`'s line 1 in `tenant`, raised by `by` (of the
/// order's rep, copied as the app does): its id.
async fn case(app: &TestApp, tenant: i64, no: &str, order: i64, by: i64) -> i64 {
    exec(
        app,
        tenant,
        &format!(
            "INSERT INTO after_sales (tenant_id, case_no, order_id, line_no, product_id, kind, quantity, asked_fen,
                                      category, reason, status, rep_id, rep_department, raised_by)
             SELECT o.tenant_id, '{no}', o.id, 1, l.product_id, 'refund', 1, 1, 'other', '测试', 'refunded',
                    o.rep_id, o.rep_department, {by}
             FROM orders o JOIN order_lines l ON l.tenant_id = o.tenant_id AND l.order_id = o.id AND l.line_no = 1
             WHERE o.id = {order}"
        ),
    )
    .await;
    app.scalar_i64(tenant, &format!("SELECT id FROM after_sales WHERE case_no = '{no}'")).await
}

/// A refund of `fen` on `case`: `status`, recorded at `recorded`, decided at `decided`.
async fn refund(app: &TestApp, tenant: i64, case: i64, fen: i64, status: &str, recorded: &str, decided: Option<&str>) {
    let decided = decided.map_or("NULL".to_owned(), |d| format!("'{d}'"));
    exec(
        app,
        tenant,
        &format!(
            "INSERT INTO refunds (tenant_id, case_id, order_id, line_no, amount_fen, method, status, recorded_by,
                                  recorded_at, decided_at)
             SELECT tenant_id, id, order_id, line_no, {fen}, 'original', '{status}', raised_by, '{recorded}', {decided}
             FROM after_sales WHERE id = {case}"
        ),
    )
    .await;
}

const NOVEMBER_REFUNDED: &str = "/after-sales?refunded_from=2026-11-01&refunded_to=2026-11-30";

#[tokio::test]
async fn the_refund_day_is_the_local_date_it_was_paid_back_and_only_done_refunds_count() {
    let s = shop().await;
    let (alpha, beta) = (s.t.alpha, s.t.beta);
    s.app.user(alpha, "svc", Dept::Service, Level::Specialist, false).await;
    let svc = s.app.signed_in("alpha", "svc").await;
    let rep = s.app.scalar_i64(alpha, "SELECT id FROM users WHERE username = 'rep'").await;
    let by = s.t.alpha_specialist;
    let paid = Some("2026-10-01T10:00:00+08:00");
    let o = order(&s, alpha, "O-1", 500_000, paid, None).await;
    let rep_order = order(&s, alpha, "O-2", 500_000, paid, Some(rep)).await;
    let cancelled = order(&s, alpha, "O-3", 500_000, paid, None).await;
    crate::ledger::item(&s.app, beta, "CUP-B", "WB1").await;
    let beta_order = order(&s, beta, "O-4", 500_000, paid, None).await;
    // In: recorded on 11-01 at midnight; recorded in October, paid back (decided) on
    // 11-30 at 23:59:59; the rep's; a rejected one then a done one (the case once).
    let a = case(&s.app, alpha, "AS-000001", o, by).await;
    refund(&s.app, alpha, a, 10_000, "done", "2026-11-01T00:00:00+08:00", None).await;
    let b = case(&s.app, alpha, "AS-000002", o, by).await;
    refund(&s.app, alpha, b, 20_000, "done", "2026-10-25T10:00:00+08:00", Some("2026-11-30T23:59:59+08:00")).await;
    let h = case(&s.app, alpha, "AS-000008", rep_order, by).await;
    refund(&s.app, alpha, h, 1_234, "done", "2026-11-05T10:00:00+08:00", None).await;
    let i = case(&s.app, alpha, "AS-000009", o, by).await;
    refund(&s.app, alpha, i, 10_000, "rejected", "2026-11-02T10:00:00+08:00", Some("2026-11-02T12:00:00+08:00")).await;
    refund(&s.app, alpha, i, 5_000, "done", "2026-11-03T10:00:00+08:00", None).await;
    // Out: recorded in November but paid back on 12-01 at midnight; recorded on 10-31
    // at 23:59:59; pending; rejected; the order cancelled; beta's.
    let c = case(&s.app, alpha, "AS-000003", o, by).await;
    refund(&s.app, alpha, c, 40_000, "done", "2026-11-20T10:00:00+08:00", Some("2026-12-01T00:00:00+08:00")).await;
    let d = case(&s.app, alpha, "AS-000004", o, by).await;
    refund(&s.app, alpha, d, 80_000, "done", "2026-10-31T23:59:59+08:00", None).await;
    let e = case(&s.app, alpha, "AS-000005", o, by).await;
    refund(&s.app, alpha, e, 160_000, "pending", "2026-11-10T10:00:00+08:00", None).await;
    let f = case(&s.app, alpha, "AS-000006", o, by).await;
    refund(&s.app, alpha, f, 1_000, "rejected", "2026-11-10T10:00:00+08:00", Some("2026-11-11T10:00:00+08:00")).await;
    let g = case(&s.app, alpha, "AS-000007", cancelled, by).await;
    refund(&s.app, alpha, g, 2_000, "done", "2026-11-15T10:00:00+08:00", None).await;
    exec(&s.app, alpha, &format!("UPDATE orders SET status = 'cancelled' WHERE id = {cancelled}")).await;
    let beta_by = s.t.beta_specialist;
    let x = case(&s.app, beta, "AS-000010", beta_order, beta_by).await;
    refund(&s.app, beta, x, 300_000, "done", "2026-11-15T10:00:00+08:00", None).await;
    let all: Vec<String> = (1..=10).map(|n| format!("AS-{n:06}")).collect();
    let all: Vec<&str> = all.iter().map(String::as_str).collect();

    let p = page(svc.get(NOVEMBER_REFUNDED).await, 4);
    assert_eq!(listed(&p, &all), ["AS-000001", "AS-000002", "AS-000008", "AS-000009"]);
    assert_eq!(sum(&p, "refunded").as_deref(), Some("362.34"), "100.00 + 200.00 + 12.34 + 50.00");
    assert!(p.body.contains("type=\"date\" name=\"refunded_from\" value=\"2026-11-01\""), "{}", p.body);
    let p = page(svc.get("/after-sales?refunded_from=2026-12-01").await, 1);
    assert_eq!((listed(&p, &all), sum(&p, "refunded").unwrap().as_str()), (vec!["AS-000003"], "400.00"));
    let p = page(svc.get("/after-sales?refunded_to=2026-10-31").await, 1);
    assert_eq!((listed(&p, &all), sum(&p, "refunded").unwrap().as_str()), (vec!["AS-000004"], "800.00"));
    let p = page(svc.get("/after-sales").await, 9);
    assert_eq!(sum(&p, "refunded"), None);
    // With another filter: the sum follows the cases shown.
    let p = page(svc.get(&format!("{NOVEMBER_REFUNDED}&q=AS-000002")).await, 1);
    assert_eq!(sum(&p, "refunded").as_deref(), Some("200.00"));
    // The rep: their order's case only; beta: theirs; HR: none of it.
    let p = page(s.sales.get(NOVEMBER_REFUNDED).await, 1);
    assert_eq!((listed(&p, &all), sum(&p, "refunded").unwrap().as_str()), (vec!["AS-000008"], "12.34"));
    let p = page(s.beta.get(NOVEMBER_REFUNDED).await, 1);
    assert_eq!((listed(&p, &all), sum(&p, "refunded").unwrap().as_str()), (vec!["AS-000010"], "3000.00"));
    assert_eq!(s.hr.get(NOVEMBER_REFUNDED).await.status, 403);
    // The CSV: the same cases.
    let csv = csv_lines(&svc.get(&NOVEMBER_REFUNDED.replace("/after-sales", "/after-sales.csv")).await);
    let nos: Vec<&str> = csv.iter().map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(nos, ["AS-000009", "AS-000008", "AS-000002", "AS-000001"]);
}

#[tokio::test]
async fn a_bad_date_is_named_on_the_list_which_still_renders_and_the_csv_refuses_it() {
    let s = shop().await;
    order(&s, s.t.alpha, "D-1", 10_000, Some("2026-11-10T12:00:00+08:00"), None).await;
    order(&s, s.t.alpha, "D-2", 20_000, Some("2026-12-10T12:00:00+08:00"), None).await;
    // The bad end is left out; the good one applies; the form keeps what was typed.
    let p = s.ops.get("/orders?paid_from=2026-13-01&paid_to=2026-11-30").await;
    assert_eq!(p.status, 400, "{}", p.body);
    assert!(p.body.contains("付款日期（起）：“2026-13-01”不是有效日期（YYYY-MM-DD），此条件未生效"), "{}", p.body);
    assert!(p.body.contains("<table") && p.body.contains(">D-1<") && !p.body.contains(">D-2<"), "{}", p.body);
    assert_eq!(total(&p), 1);
    assert_eq!(sum(&p, "paid").as_deref(), Some("100.00"));
    assert!(p.body.contains("name=\"paid_from\" value=\"2026-13-01\""), "{}", p.body);
    assert!(p.body.contains("href=\"/orders.csv?paid_to=2026-11-30\""), "the links without it: {}", p.body);
    for bad in ["shipped_to=2026-02-30", "shipped_from=yesterday", "paid_to=1899-12-31", "paid_from=2026-1-1"] {
        let p = s.ops.get(&format!("/orders?{bad}")).await;
        assert_eq!(p.status, 400, "{bad}: {}", p.body);
        assert!(p.body.contains("此条件未生效") && p.body.contains(">D-1<") && p.body.contains(">D-2<"), "{bad}");
        assert_eq!(s.ops.get(&format!("/orders.csv?{bad}")).await.status, 400, "{bad}");
    }
    let p = s.ops.get("/orders.csv?paid_from=2026-13-01").await;
    assert!(p.body.contains("不是有效日期"), "{}", p.body);
    // After-sales alike, its raised-on dates too.
    s.app.user(s.t.alpha, "svc", Dept::Service, Level::Specialist, false).await;
    let svc = s.app.signed_in("alpha", "svc").await;
    for bad in ["refunded_from=2026-13-01", "refunded_to=x", "from=2026-13-01", "to=2026-02-29"] {
        let p = svc.get(&format!("/after-sales?{bad}")).await;
        assert_eq!(p.status, 400, "{bad}: {}", p.body);
        assert!(p.body.contains("不是有效日期") && p.body.contains("此条件未生效"), "{bad}: {}", p.body);
        assert!(p.body.contains("data-total=\"0\""), "{bad}: the list renders");
        assert_eq!(svc.get(&format!("/after-sales.csv?{bad}")).await.status, 400, "{bad}");
    }
    let p = svc.get("/after-sales?refunded_from=2026-13-01&refunded_to=2026-11-30").await;
    assert_eq!(sum(&p, "refunded").as_deref(), Some("0.00"), "the good end applies");
}
