//! Sales targets on the web (issue 12 item 6): attainment against a hand-computed
//! set of orders (a refund crossing months, cancelled and unpaid orders, the time
//! zone's month boundary), the 30 % flag at 29.99 % and 30.00 % once the month is
//! over, the manager's grid saved all or nothing, copying last month, the
//! director's departments, the CSV — and every refusal (403, 404, 409, 422)
//! changing nothing.

use chrono::{DateTime, Utc};
use yunying::db;
use yunying::orders::repo::NewLine;
use yunying::people::{Dept, Level};

use crate::after_sales::{act, case_of, raise, shipped, Desk};
use crate::helpers::{spawn_app_on, two_tenants, Client, Page, TestApp};
use crate::ledger::item;
use crate::orders::{insert_order, new_order, stock_in, Shop};

/// Today for every request of these tests: November is over, December runs.
fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap()
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

struct T {
    d: Desk,
    /// alpha's sales manager, and two more sales reps (`rep` is the desk's)
    salesm: Client,
    rep: Client,
    rep2: i64,
    rep3: i64,
    /// beta's sales rep (id) and manager
    brep: i64,
    bsm: Client,
}

/// The order desk of the after-sales tests (shop + service), on [`today`], with a
/// sales department: manager `salesm`, reps `rep`, `rep2`, `rep3`; beta's `brep`, `bsm`.
async fn setup() -> T {
    let app = spawn_app_on(today()).await;
    let t = two_tenants(&app).await;
    app.user(t.alpha, "wh", Dept::Warehouse, Level::Specialist, false).await;
    let rep_id = app.user(t.alpha, "rep", Dept::Sales, Level::Specialist, false).await;
    app.user(t.alpha, "hrs", Dept::Hr, Level::Specialist, false).await;
    app.user(t.beta, "manager", Dept::Ops, Level::Manager, false).await;
    app.user(t.alpha, "svc", Dept::Service, Level::Specialist, false).await;
    app.user(t.alpha, "svcm", Dept::Service, Level::Manager, false).await;
    app.user(t.alpha, "salesm", Dept::Sales, Level::Manager, false).await;
    let rep2 = app.user(t.alpha, "rep2", Dept::Sales, Level::Specialist, false).await;
    let rep3 = app.user(t.alpha, "rep3", Dept::Sales, Level::Specialist, false).await;
    let brep = app.user(t.beta, "brep", Dept::Sales, Level::Specialist, false).await;
    app.user(t.beta, "bsm", Dept::Sales, Level::Manager, false).await;
    let (cup, wh1) = item(&app, t.alpha, "CUP-1", "WH1").await;
    let (pen, wh2) = item(&app, t.alpha, "PEN-1", "WH2").await;
    stock_in(&app, t.alpha, cup, wh1, 50).await;
    stock_in(&app, t.alpha, pen, wh1, 50).await;
    let s = Shop {
        ops: app.signed_in("alpha", "specialist").await,
        manager: app.signed_in("alpha", "manager").await,
        warehouse: app.signed_in("alpha", "wh").await,
        sales: app.signed_in("alpha", "rep").await,
        hr: app.signed_in("alpha", "hrs").await,
        beta: app.signed_in("beta", "manager").await,
        app,
        t,
        cup,
        pen,
        wh1,
        wh2,
    };
    let d = Desk {
        svc: s.app.signed_in("alpha", "svc").await,
        svc_manager: s.app.signed_in("alpha", "svcm").await,
        director: s.app.signed_in("alpha", "director").await,
        rep_id,
        s,
    };
    T {
        salesm: d.s.app.signed_in("alpha", "salesm").await,
        rep: d.s.app.signed_in("alpha", "rep").await,
        bsm: d.s.app.signed_in("beta", "bsm").await,
        rep2,
        rep3,
        brep,
        d,
    }
}

/// Run `sql` as the owner in `tenant`'s transaction.
async fn exec(app: &TestApp, tenant: i64, sql: &str) {
    let mut tx = db::begin_tenant(&app.owner, tenant).await.unwrap();
    sqlx::query(sql).execute(&mut *tx).await.expect(sql);
    tx.commit().await.unwrap();
}

/// An order of `rep` paid `fen` at `paid_at` (RFC 3339; `None`: unpaid) in alpha.
async fn paid(t: &T, no: &str, rep: i64, fen: i64, paid_at: Option<&str>) -> i64 {
    let s = &t.d.s;
    let lines = vec![NewLine { product_id: s.cup, quantity: 1, unit_price_fen: fen, contract_line_id: None }];
    let mut o = new_order(no, fen, lines);
    o.paid_at = paid_at.map(at);
    o.ordered_at = o.paid_at.unwrap_or_else(Utc::now) - chrono::Duration::hours(1);
    o.rep_id = Some(rep);
    o.rep_department = Some("sales".into());
    insert_order(&s.app, s.t.alpha, o).await
}

/// A target set before the month (as the manager would have, by SQL: the month is over).
async fn target(t: &T, month: &str, rep: i64, fen: i64) {
    let sql = format!(
        "INSERT INTO sales_targets (tenant_id, month, rep_id, target_fen, set_by)
         SELECT tenant_id, DATE '{month}-01', {rep}, {fen}, id FROM users WHERE username = 'salesm'"
    );
    exec(&t.d.s.app, t.d.s.t.alpha, &sql).await;
}

/// The text of the element marked `attr="key"` (e.g. `data-attained="12"`).
fn cell(body: &str, attr: &str, key: impl std::fmt::Display) -> String {
    let marker = format!("{attr}=\"{key}\">");
    let start = body.find(&marker).unwrap_or_else(|| panic!("{marker} in {body}")) + marker.len();
    body[start..start + body[start..].find('<').unwrap()].trim().to_owned()
}

/// The data lines of a CSV (BOM and header dropped), split at commas.
fn csv_rows(p: &Page) -> Vec<Vec<String>> {
    assert_eq!(p.status, 200, "{}", p.body);
    p.body.trim_start_matches('\u{feff}').lines().skip(1).map(|l| l.split(',').map(str::to_owned).collect()).collect()
}

/// The hand-computed set of the rep `rep` (Asia/Shanghai):
/// - October: ¥1,000.00 paid 10-20, and ¥1,400.00 (a shipped order) paid 10-25 → ¥2,400.00;
/// - November: ¥2,000.00 paid 11-10, ¥300.00 paid 11-30 23:30 (15:30 UTC), less the
///   October order's refund of ¥400.00 — recorded 10-30, approved 11-05: it counts
///   when it was paid back — → ¥1,900.00; a ¥5,000.00 order paid 11-12 and cancelled,
///   an unpaid one, and a rejected refund of ¥100.00 count for nothing;
/// - December: ¥700.00 paid 12-01 00:10 (11-30 16:10 UTC).
async fn hand_computed(t: &T) {
    let (s, rep) = (&t.d.s, t.d.rep_id);
    paid(t, "T-1", rep, 100_000, Some("2026-10-20T10:00:00+08:00")).await;
    let refunded = shipped(&t.d, "T-2", Some(rep)).await;
    exec(&s.app, s.t.alpha, &format!("UPDATE orders SET paid_at = '2026-10-25T10:00:00+08:00' WHERE id = {refunded}"))
        .await;
    let case = case_of(
        &raise(
            &s.ops,
            refunded,
            &[("kind", "refund"), ("sku", "CUP-1"), ("quantity", "1"), ("amount", "400"), ("reason", "少发配件")],
        )
        .await,
    );
    assert_eq!(act(&t.d.svc, case, "approve", &[]).await.status, 303);
    assert_eq!(act(&t.d.svc, case, "refund", &[("amount", "400")]).await.status, 303);
    exec(
        &s.app,
        s.t.alpha,
        &format!(
            "UPDATE refunds SET recorded_at = '2026-10-30T10:00:00+08:00', decided_at = '2026-11-05T10:00:00+08:00'
             WHERE case_id = {case}"
        ),
    )
    .await;
    exec(
        &s.app,
        s.t.alpha,
        &format!(
            "INSERT INTO refunds (tenant_id, case_id, order_id, line_no, amount_fen, method, status, recorded_by, recorded_at)
             SELECT tenant_id, case_id, order_id, line_no, 10000, 'original', 'rejected', recorded_by,
                    '2026-11-06T10:00:00+08:00' FROM refunds WHERE case_id = {case}"
        ),
    )
    .await;
    paid(t, "T-3", rep, 200_000, Some("2026-11-10T10:00:00+08:00")).await;
    paid(t, "T-4", rep, 30_000, Some("2026-11-30T23:30:00+08:00")).await;
    let cancelled = paid(t, "T-5", rep, 500_000, Some("2026-11-12T10:00:00+08:00")).await;
    exec(
        &s.app,
        s.t.alpha,
        &format!("UPDATE orders SET status = 'cancelled', cancelled_at = now() WHERE id = {cancelled}"),
    )
    .await;
    paid(t, "T-6", rep, 80_000, None).await;
    paid(t, "T-7", rep, 70_000, Some("2026-12-01T00:10:00+08:00")).await;
}

#[tokio::test]
async fn attainment_is_paid_orders_by_payment_month_less_refunds_in_the_month_they_were_paid_back() {
    let t = setup().await;
    hand_computed(&t).await;
    target(&t, "2026-11", t.d.rep_id, 190_000).await;
    let rep = t.d.rep_id;
    // The rep: December ¥700.00 (no target), and November beside it.
    let mine = t.rep.get("/targets").await;
    assert_eq!(mine.status, 200, "{}", mine.body);
    assert_eq!(cell(&mine.body, "data-attained", rep), "700.00");
    assert_eq!(cell(&mine.body, "data-percent", rep), "—");
    assert!(mine.body.contains("目标 1900.00，完成 1900.00（100.00%）"), "{}", mine.body);
    let nov = t.rep.get("/targets?month=2026-11").await;
    assert_eq!(cell(&nov.body, "data-attained", rep), "1900.00");
    assert_eq!(cell(&nov.body, "data-percent", rep), "100.00%");
    assert!(nov.body.contains("实付 2300.00 − 退款 400.00"), "{}", nov.body);
    let oct = t.rep.get("/targets?month=2026-10").await;
    assert_eq!(cell(&oct.body, "data-attained", rep), "2400.00", "the refund left October whole");
    // The manager's grid agrees, and so does the CSV.
    let grid = t.salesm.get("/targets?month=2026-11").await;
    assert_eq!(cell(&grid.body, "data-attained", rep), "1900.00");
    assert_eq!(cell(&grid.body, "data-attained", t.rep2), "0.00");
    let rows = csv_rows(&t.salesm.get("/targets.csv?month=2026-11").await);
    let line = rows.iter().find(|r| r[2] == "rep").expect("rep's line");
    assert_eq!(
        line[..],
        [
            "2026-11",
            "1",
            "rep",
            "测试rep",
            "1900.00",
            "2300.00",
            "400.00",
            "1900.00",
            "100.00%",
            "0",
            "",
            "2400.00",
            ""
        ]
    );
    assert_eq!(rows.len(), 3, "the department's three reps: {rows:?}");
    // The director: the sales department's orders, by the department they carry.
    let depts = t.d.director.get("/targets?month=2026-11").await;
    assert_eq!(depts.status, 200);
    assert_eq!(cell(&depts.body, "data-attained", "sales"), "1900.00");
    // Beta sees none of it.
    let beta = t.bsm.get("/targets?month=2026-11").await;
    assert_eq!(beta.status, 200);
    assert!(!beta.body.contains(&format!("data-line=\"{rep}\"")) && !beta.body.contains("1900.00"), "{}", beta.body);
}

#[tokio::test]
async fn reps_below_thirty_percent_are_flagged_once_the_month_is_over_29_99_yes_30_00_no() {
    let t = setup().await;
    // November: rep2 ¥2,999.00 of ¥10,000.00 (29.99 %), rep3 ¥3,000.00 (30.00 %).
    paid(&t, "F-1", t.rep2, 299_900, Some("2026-11-15T10:00:00+08:00")).await;
    paid(&t, "F-2", t.rep3, 300_000, Some("2026-11-15T10:00:00+08:00")).await;
    target(&t, "2026-11", t.rep2, 1_000_000).await;
    target(&t, "2026-11", t.rep3, 1_000_000).await;
    // December runs: nothing attained yet, not flagged.
    target(&t, "2026-12", t.rep2, 1_000_000).await;
    let nov = t.salesm.get("/targets?month=2026-11").await;
    assert_eq!(cell(&nov.body, "data-percent", t.rep2), "29.99%");
    assert_eq!(cell(&nov.body, "data-percent", t.rep3), "30.00%");
    assert!(nov.body.contains(&format!("<tr data-line=\"{}\" data-flag=\"1\">", t.rep2)), "{}", nov.body);
    assert!(nov.body.contains(&format!("<tr data-line=\"{}\">", t.rep3)), "30.00 % is not flagged");
    assert!(nov.body.contains("data-flagged=\"1\""));
    // Ranked by attainment %: rep3, rep2, then the rep without a target.
    let order: Vec<usize> = [t.rep3, t.rep2, t.d.rep_id]
        .iter()
        .map(|id| nov.body.find(&format!("<tr data-line=\"{id}\"")).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    // The filter shows the flagged one alone.
    let below = t.salesm.get("/targets?month=2026-11&below=1").await;
    assert!(below.body.contains(&format!("data-line=\"{}\"", t.rep2)));
    assert!(!below.body.contains(&format!("data-line=\"{}\"", t.rep3)));
    let dec = t.salesm.get("/targets").await;
    assert_eq!(cell(&dec.body, "data-percent", t.rep2), "0.00%");
    assert!(!dec.body.contains("data-flag=\"1\""), "the month is not over");
    // The manager's home page: one rep below 30 % last month, linking to the filter.
    let home = t.salesm.get("/").await.body;
    assert!(home.contains("data-queue=\"targets.below\""), "{home}");
    assert!(home.contains("href=\"/targets?month=2026-11&#38;below=1\""), "{home}");
    let count = home.split("data-queue=\"targets.below\"").nth(1).unwrap();
    assert!(count.contains("data-count=\"1\""), "{count}");
    // Not for the rep, nor the director.
    assert!(!t.rep.get("/").await.body.contains("targets.below"));
    assert!(!t.d.director.get("/").await.body.contains("targets.below"));
}

/// (count, audit rows) of `table` in alpha.
async fn counts(t: &T, table: &str) -> (i64, i64) {
    let app = &t.d.s.app;
    let alpha = t.d.s.t.alpha;
    (
        app.scalar_i64(alpha, &format!("SELECT count(*) FROM {table}")).await,
        app.scalar_i64(alpha, "SELECT count(*) FROM audit_log WHERE action LIKE 'targets.%'").await,
    )
}

async fn targets_of(t: &T, month: &str) -> Vec<String> {
    t.d.s
        .app
        .strings(
            t.d.s.t.alpha,
            &format!(
                "SELECT u.username || '=' || s.target_fen FROM sales_targets s JOIN users u ON u.id = s.rep_id
                 WHERE s.month = DATE '{month}-01' ORDER BY u.username"
            ),
        )
        .await
}

#[tokio::test]
async fn the_manager_saves_the_grid_all_or_nothing_audited_and_copies_last_month() {
    let t = setup().await;
    let (rep, rep2, rep3) = (t.d.rep_id.to_string(), t.rep2.to_string(), t.rep3.to_string());
    let (f1, f2, f3) = (format!("target_{rep}"), format!("target_{rep2}"), format!("target_{rep3}"));
    let grid = t.salesm.get("/targets").await;
    assert!(grid.body.contains(&format!("name=\"{f1}\"")), "editable this month: {}", grid.body);
    // One bad row: 422, every row as typed, the bad ones named, nothing written.
    let before = counts(&t, "sales_targets").await;
    let r = t
        .salesm
        .post_form("/targets", "/targets", &[("month", "2026-12"), (&f1, "50000"), (&f2, "12.345"), (&f3, "-5")])
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("有 2 行需要修改"), "{}", r.body);
    assert_eq!(cell(&r.body, "data-error", &rep2), "目标最多两位小数");
    assert_eq!(cell(&r.body, "data-error", &rep3), "目标不能为负数");
    assert!(r.body.contains(&format!("name=\"{f1}\" value=\"50000\"")), "what was typed is kept");
    assert!(r.body.contains(&format!("name=\"{f2}\" value=\"12.345\"")));
    assert_eq!(counts(&t, "sales_targets").await, before);
    // Good: saved, one audit row with before and after.
    let r = t
        .salesm
        .post_form("/targets", "/targets", &[("month", "2026-12"), (&f1, "50000"), (&f2, "12000.5"), (&f3, "")])
        .await;
    assert_eq!((r.status, r.location()), (303, Some("/targets?month=2026-12")), "{}", r.body);
    assert_eq!(targets_of(&t, "2026-12").await, ["rep=5000000", "rep2=1200050"]);
    assert_eq!(counts(&t, "sales_targets").await, (2, 1));
    let after =
        t.d.s.app.strings(t.d.s.t.alpha, "SELECT after::text FROM audit_log WHERE action = 'targets.set'").await;
    assert_eq!(after, [format!("{{\"{rep}\": 5000000, \"{rep2}\": 1200050}}")]);
    // Clearing one, changing nothing else: one more audit row; the same again: none.
    let clear = [("month", "2026-12"), (f1.as_str(), "50000"), (f2.as_str(), ""), (f3.as_str(), "")];
    assert_eq!(t.salesm.post_form("/targets", "/targets", &clear).await.status, 303);
    assert_eq!(targets_of(&t, "2026-12").await, ["rep=5000000"]);
    assert_eq!(t.salesm.post_form("/targets", "/targets", &clear).await.status, 303);
    assert_eq!(counts(&t, "sales_targets").await, (1, 2));
    // Next month may be set (002: before the 30th); November is over: 409.
    let jan = [("month", "2027-01"), (f1.as_str(), "60000")];
    assert_eq!(t.salesm.post_form("/targets", "/targets", &jan).await.status, 303);
    assert_eq!(targets_of(&t, "2027-01").await, ["rep=6000000"]);
    let before = counts(&t, "sales_targets").await;
    let nov = [("month", "2026-11"), (f1.as_str(), "1")];
    assert_eq!(t.salesm.post_form("/targets", "/targets", &nov).await.status, 409);
    assert_eq!(t.salesm.post_form("/targets", "/targets", &[("month", "2026-13"), (&f1, "1")]).await.status, 400);
    assert_eq!(counts(&t, "sales_targets").await, before);
    let past = t.salesm.get("/targets?month=2026-11").await;
    assert!(!past.body.contains("name=\"target_"), "a month that is over is read-only");
    // Copy last month: January's inputs start with December's targets, nothing saved.
    let copy = t.salesm.get("/targets?month=2027-01&copy=1").await;
    assert!(copy.body.contains("data-copied=\"1\""), "{}", copy.body);
    assert!(copy.body.contains(&format!("name=\"{f1}\" value=\"50000.00\"")), "{}", copy.body);
    assert!(copy.body.contains(&format!("name=\"{f2}\" value=\"\"")));
    assert_eq!(targets_of(&t, "2027-01").await, ["rep=6000000"], "copying saves nothing");
}

#[tokio::test]
async fn every_page_and_post_refuses_the_wrong_roles_and_other_tenants_changing_nothing() {
    let t = setup().await;
    let s = &t.d.s;
    target(&t, "2026-12", t.d.rep_id, 100_000).await;
    let f = format!("target_{}", t.d.rep_id);
    let before = counts(&t, "sales_targets").await;
    // Pages: 403 for those without TargetsView (ops, service, HR).
    for (who, c) in [("ops specialist", &s.ops), ("ops manager", &s.manager), ("hr", &s.hr), ("service", &t.d.svc)] {
        assert_eq!(c.get("/targets").await.status, 403, "{who}");
        assert_eq!(c.get("/targets.csv").await.status, 403, "{who}");
    }
    // POSTs: a rep, an ops manager, a director on the reps' grid; a manager on the departments'.
    let reps_form = [("month", "2026-12"), (f.as_str(), "99")];
    for (who, c) in [("rep", &t.rep), ("ops manager", &s.manager), ("director", &t.d.director), ("ops", &s.ops)] {
        assert_eq!(c.post_form("/", "/targets", &reps_form).await.status, 403, "{who}");
    }
    let dept_form = [("month", "2026-12"), ("dept_sales", "99")];
    for (who, c) in [("sales manager", &t.salesm), ("rep", &t.rep), ("ops manager", &s.manager)] {
        assert_eq!(c.post_form("/", "/targets/departments", &dept_form).await.status, 403, "{who}");
    }
    // Another tenant's rep, another department's user, an id that is no one: 404.
    let brep = format!("target_{}", t.brep);
    let ops = format!("target_{}", t.d.s.t.alpha_specialist);
    for bad in [brep.as_str(), ops.as_str(), "target_999999", "target_x"] {
        let r = t.salesm.post_form("/", "/targets", &[("month", "2026-12"), (f.as_str(), "99"), (bad, "5")]).await;
        assert_eq!(r.status, 404, "{bad}");
    }
    // Beta's manager on alpha's rep: 404; an unknown department: 404.
    assert_eq!(t.bsm.post_form("/", "/targets", &reps_form).await.status, 404);
    let r = t.d.director.post_form("/", "/targets/departments", &[("month", "2026-12"), ("dept_nope", "5")]).await;
    assert_eq!(r.status, 404);
    assert_eq!(counts(&t, "sales_targets").await, before, "nothing written");
    assert_eq!(s.app.scalar_i64(s.t.alpha, "SELECT count(*) FROM department_targets").await, 0);
    // Scope on the pages: a manager's own department only, a rep no department.
    assert_eq!(t.salesm.get("/targets?dept=ops").await.status, 404);
    assert_eq!(t.salesm.get("/targets?dept=sales").await.status, 200);
    assert_eq!(t.rep.get("/targets?dept=sales").await.status, 404);
    assert_eq!(t.rep.get("/targets?month=2026-1").await.status, 400);
    // The rep sees their own line only; beta's manager none of alpha's reps.
    let mine = t.rep.get("/targets").await.body;
    assert!(!mine.contains("测试rep2"), "{mine}");
    let beta = t.bsm.get("/targets").await.body;
    assert!(beta.contains("测试brep") && !beta.contains(&format!("data-line=\"{}\"", t.d.rep_id)), "{beta}");
}

#[tokio::test]
async fn the_director_sets_department_targets_and_drills_into_a_department() {
    let t = setup().await;
    let s = &t.d.s;
    paid(&t, "D-1", t.rep2, 500_000, Some("2026-12-02T10:00:00+08:00")).await;
    let page = t.d.director.get("/targets").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("name=\"dept_sales\""), "{}", page.body);
    assert_eq!(cell(&page.body, "data-attained", "sales"), "5000.00");
    // Bad input: 422, nothing written; good: saved and audited.
    let r =
        t.d.director.post_form("/targets", "/targets/departments", &[("month", "2026-12"), ("dept_sales", "0")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("目标须大于 0"), "{}", r.body);
    assert_eq!(s.app.scalar_i64(s.t.alpha, "SELECT count(*) FROM department_targets").await, 0);
    let r =
        t.d.director
            .post_form("/targets", "/targets/departments", &[("month", "2026-12"), ("dept_sales", "20000")])
            .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let set = "SELECT target_fen FROM department_targets WHERE department = 'sales' AND month = DATE '2026-12-01'";
    assert_eq!(s.app.scalar_i64(s.t.alpha, set).await, 2_000_000);
    let audit = "SELECT count(*) FROM audit_log WHERE action = 'targets.department_set'";
    assert_eq!(s.app.scalar_i64(s.t.alpha, audit).await, 1);
    let page = t.d.director.get("/targets").await;
    assert_eq!(cell(&page.body, "data-percent", "sales"), "25.00%");
    // The manager sees the department's target above the grid.
    let grid = t.salesm.get("/targets").await.body;
    assert!(grid.contains("部门目标（总监设定）：<strong>20000.00</strong>"), "{grid}");
    // The drill: the department's reps, read-only.
    let drill = t.d.director.get("/targets?dept=sales").await;
    assert_eq!(drill.status, 200);
    assert_eq!(cell(&drill.body, "data-attained", t.rep2), "5000.00");
    assert!(!drill.body.contains("name=\"target_"), "the director does not set reps' targets");
    assert_eq!(t.d.director.get("/targets?dept=nope").await.status, 404);
    let rows = csv_rows(&t.d.director.get("/targets.csv").await);
    assert_eq!(rows[0][2..5], ["sales", "销售部", "20000.00"]);
}
