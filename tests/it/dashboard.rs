//! Dashboards (issue 13): the daily rollups always equal a recount of their source
//! rows, the figures' periods end at local midnight, and each role sees its own
//! figures.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use yunying::db;

use crate::helpers::{spawn_app, spawn_app_on, TestApp};

/// The rollups recounted from the source rows, by the definitions of
/// docs/decisions.md "Dashboards" written out again here (not the migration's
/// functions): rows whose sums are all zero left out, in key order, as text.
const SALES_RECOUNT: &str = "
WITH o AS (SELECT * FROM orders WHERE status <> 'cancelled'),
parts AS (
    SELECT o.*, (paid_at AT TIME ZONE 'Asia/Shanghai')::date AS d, 1 AS po, paid_fen AS pf, 0 AS rn, 0 AS rf, 0 AS so, 0 AS st
    FROM o WHERE paid_at IS NOT NULL
    UNION ALL
    SELECT o.*, (shipped_at AT TIME ZONE 'Asia/Shanghai')::date, 0, 0, 0, 0, 1,
           (approved_at IS NOT NULL AND shipped_at - approved_at <= interval '48 hours')::int
    FROM o WHERE shipped_at IS NOT NULL
    UNION ALL
    SELECT o.*, (coalesce(r.decided_at, r.recorded_at) AT TIME ZONE 'Asia/Shanghai')::date, 0, 0, 1, r.amount_fen, 0, 0
    FROM o JOIN refunds r ON r.tenant_id = o.tenant_id AND r.order_id = o.id AND r.status = 'done'),
keyed AS (
    SELECT 'all' AS dim, '-' AS key, * FROM parts
    UNION ALL SELECT 'platform', platform, * FROM parts
    UNION ALL SELECT 'rep', rep_id::text, * FROM parts WHERE rep_id IS NOT NULL
    UNION ALL SELECT 'dept', rep_department, * FROM parts WHERE coalesce(rep_department, '') <> ''
    UNION ALL SELECT 'warehouse', warehouse_id::text, * FROM parts WHERE warehouse_id IS NOT NULL)
SELECT format('%s/%s/%s: %s %s %s %s %s %s', dim, key, d, sum(po), sum(pf), sum(rn), sum(rf), sum(so), sum(st))
FROM keyed GROUP BY dim, key, d
HAVING sum(po) <> 0 OR sum(pf) <> 0 OR sum(rn) <> 0 OR sum(rf) <> 0 OR sum(so) <> 0 OR sum(st) <> 0
ORDER BY dim, key, d";

const SALES_KEPT: &str = "
SELECT format('%s/%s/%s: %s %s %s %s %s %s', dim, key, day, sum(paid_orders), sum(paid_fen), sum(refunds),
              sum(refund_fen), sum(shipped_orders), sum(shipped_on_time))
FROM sales_days GROUP BY dim, key, day
HAVING sum(paid_orders) <> 0 OR sum(paid_fen) <> 0 OR sum(refunds) <> 0 OR sum(refund_fen) <> 0
    OR sum(shipped_orders) <> 0 OR sum(shipped_on_time) <> 0
ORDER BY dim, key, day";

const CAMPAIGN_RECOUNT: &str = "
SELECT format('%s/%s: %s %s %s %s', o.campaign_id, (o.ordered_at AT TIME ZONE 'Asia/Shanghai')::date, count(*),
              sum(o.paid_fen), coalesce(sum(r.n), 0), coalesce(sum(r.fen), 0))
FROM orders o
LEFT JOIN LATERAL (SELECT count(*) AS n, sum(amount_fen) AS fen FROM refunds x
                   WHERE x.tenant_id = o.tenant_id AND x.order_id = o.id AND x.status = 'done') r ON true
WHERE o.campaign_id IS NOT NULL AND o.paid_at IS NOT NULL AND o.status <> 'cancelled'
GROUP BY o.campaign_id, (o.ordered_at AT TIME ZONE 'Asia/Shanghai')::date ORDER BY 1";

const CAMPAIGN_KEPT: &str = "
SELECT format('%s/%s: %s %s %s %s', campaign_id, day, sum(orders), sum(paid_fen), sum(refunds), sum(refund_fen))
FROM campaign_days GROUP BY campaign_id, day
HAVING sum(orders) <> 0 OR sum(paid_fen) <> 0 OR sum(refunds) <> 0 OR sum(refund_fen) <> 0 ORDER BY 1";

const STOCK_RECOUNT: &str = "
WITH m AS (SELECT warehouse_id, (created_at AT TIME ZONE 'Asia/Shanghai')::date AS day, sum(quantity * unit_cost_fen) AS v,
                  coalesce(sum(-quantity * unit_cost_fen) FILTER (WHERE kind = 'shipment'), 0) AS c,
                  coalesce(sum(-quantity) FILTER (WHERE kind = 'shipment'), 0) AS u
           FROM stock_movements GROUP BY 1, 2)
SELECT format('%s/%s: %s %s %s', warehouse_id, day, v, c, u) FROM m WHERE v <> 0 OR c <> 0 OR u <> 0 ORDER BY 1";

const STOCK_KEPT: &str = "
SELECT format('%s/%s: %s %s %s', warehouse_id, day, sum(value_change_fen), sum(shipped_cost_fen), sum(shipped_units))
FROM stock_days GROUP BY warehouse_id, day
HAVING sum(value_change_fen) <> 0 OR sum(shipped_cost_fen) <> 0 OR sum(shipped_units) <> 0 ORDER BY 1";

/// The order desk's counts now (migration 0038), recounted from the orders and holds
/// by the lists' definitions.
pub const DESK_RECOUNT: &str = "
SELECT format('%s: %s', b, n) FROM (
    SELECT CASE WHEN status = 'pending_review' THEN 'pending_review'
                WHEN status IN ('approved', 'allocated', 'partially_shipped') THEN 'to_ship' END AS b, count(*) AS n
    FROM orders GROUP BY 1
    UNION ALL SELECT 'held', count(DISTINCT order_id) FROM order_holds WHERE released_at IS NULL
    UNION ALL SELECT 'hold:' || kind, count(*) FROM order_holds WHERE released_at IS NULL GROUP BY kind) x
WHERE b IS NOT NULL AND n <> 0 ORDER BY 1";

pub const DESK_KEPT: &str =
    "SELECT format('%s: %s', bucket, sum(n)) FROM order_desk_counts GROUP BY bucket HAVING sum(n) <> 0 ORDER BY 1";

/// The top products' days (migration 0039), recounted from the lines as the report
/// counted them before the rollup.
const PRODUCT_RECOUNT: &str = "
SELECT format('%s/%s: %s %s %s', l.product_id, (o.paid_at AT TIME ZONE 'Asia/Shanghai')::date, sum(l.quantity),
              sum(l.quantity * l.unit_price_fen), count(DISTINCT o.id))
FROM orders o JOIN order_lines l ON l.tenant_id = o.tenant_id AND l.order_id = o.id
WHERE o.paid_at IS NOT NULL AND o.status <> 'cancelled'
GROUP BY l.product_id, (o.paid_at AT TIME ZONE 'Asia/Shanghai')::date ORDER BY 1";

const PRODUCT_KEPT: &str = "
SELECT format('%s/%s: %s %s %s', product_id, day, sum(quantity), sum(amount_fen), sum(orders))
FROM product_days GROUP BY product_id, day
HAVING sum(quantity) <> 0 OR sum(amount_fen) <> 0 OR sum(orders) <> 0 ORDER BY 1";

/// The kept rollups of `tenant` equal the recount, and equal what
/// `app.rebuild_rollups` computes (run and rolled back).
async fn assert_rollups_exact(app: &TestApp, tenant: i64, what: &str) {
    for (kept, recount, name) in [
        (SALES_KEPT, SALES_RECOUNT, "sales_days"),
        (CAMPAIGN_KEPT, CAMPAIGN_RECOUNT, "campaign_days"),
        (STOCK_KEPT, STOCK_RECOUNT, "stock_days"),
        (DESK_KEPT, DESK_RECOUNT, "order_desk_counts"),
        (PRODUCT_KEPT, PRODUCT_RECOUNT, "product_days"),
    ] {
        let k = app.strings(tenant, kept).await;
        let r = app.strings(tenant, recount).await;
        assert!(!r.is_empty(), "{name}: the recount has rows ({what})");
        if k != r {
            let only_kept: Vec<&String> = k.iter().filter(|x| !r.contains(x)).take(5).collect();
            let only_recount: Vec<&String> = r.iter().filter(|x| !k.contains(x)).take(5).collect();
            panic!(
                "{name} differs from its recount after {what}: kept only {only_kept:?}; recount only {only_recount:?}"
            );
        }
        let mut tx = db::begin_tenant(&app.owner, tenant).await.unwrap();
        sqlx::query("SELECT app.rebuild_rollups($1)").bind(tenant).execute(&mut *tx).await.unwrap();
        let rebuilt: Vec<String> = sqlx::query_scalar(kept).fetch_all(&mut *tx).await.unwrap();
        tx.rollback().await.unwrap();
        assert_eq!(rebuilt, k, "{name}: rebuilt = kept ({what})");
    }
}

/// One random change to `tenant`'s orders, refunds or stock, as one statement
/// (some touch many rows at once).
fn random_change(rng: &mut StdRng) -> String {
    let pick = "(SELECT id FROM orders ORDER BY id OFFSET floor(random() * (SELECT count(*) FROM orders)) LIMIT 1)";
    let hours = rng.gen_range(-2000..2000);
    let any = rng.gen_range(0..7);
    match rng.gen_range(0..21) {
        0 => format!("UPDATE orders SET status = 'cancelled' WHERE id = {pick}"),
        1 => "UPDATE orders SET status = 'approved' WHERE id = (SELECT id FROM orders WHERE status = 'cancelled' LIMIT 1)"
            .into(),
        // Paid times around local midnights (16:00 UTC) and anywhere.
        2 => format!(
            "UPDATE orders SET paid_at = date_trunc('day', now()) - interval '{hours} hours' + interval '16 hours'
                                         - interval '{} seconds'
             WHERE id = {pick}",
            rng.gen_range(0..2)
        ),
        3 => format!("UPDATE orders SET paid_at = NULL WHERE id = {pick}"),
        4 => format!("UPDATE orders SET paid_fen = {} WHERE id % 7 = {any}", rng.gen_range(0..100_000)),
        5 => format!(
            "UPDATE orders SET approved_at = coalesce(approved_at, ordered_at),
                               shipped_at = coalesce(approved_at, ordered_at) + interval '{} hours'
             WHERE id = {pick}",
            rng.gen_range(40..56)
        ),
        6 => format!(
            "UPDATE orders SET rep_id = (SELECT id FROM users WHERE department = 'sales' ORDER BY random() LIMIT 1),
                               rep_department = (ARRAY['sales', 'ops', NULL])[1 + floor(random() * 3)::int]
             WHERE id % 5 = {}",
            any % 5
        ),
        // One dimension alone (an allocation moves the warehouse only, a retag the campaign only…).
        7 => {
            let set = [
                "platform = (ARRAY['taobao', 'jd', 'pdd', 'offline'])[1 + floor(random() * 4)::int]",
                "warehouse_id = (SELECT id FROM warehouses ORDER BY random() LIMIT 1)",
                "campaign_id = (SELECT id FROM campaigns ORDER BY random() LIMIT 1)",
                "ordered_at = ordered_at - interval '1 day'",
                "approved_at = approved_at - interval '10 hours'",
                "rep_department = NULL",
            ][rng.gen_range(0..6)];
            format!("UPDATE orders SET {set} WHERE id = {pick} OR id % 13 = {any}")
        }
        8 => format!(
            "UPDATE refunds SET status = CASE WHEN status = 'done' THEN 'pending' ELSE 'done' END,
                                decided_at = now() - interval '{hours} hours'
             WHERE id = (SELECT id FROM refunds WHERE status <> 'rejected' ORDER BY random() LIMIT 1)"
        ),
        9 => format!(
            "UPDATE refunds SET amount_fen = amount_fen + 1 WHERE status = 'done' AND id % 3 = {}",
            any % 3
        ),
        10 => format!(
            "INSERT INTO orders (tenant_id, platform, order_no, source, goods_fen, paid_fen, ordered_at, paid_at, status,
                                 rep_id, rep_department, warehouse_id, campaign_id, approved_at, shipped_at)
             SELECT tenant_id, platform, order_no || '-R{n}', source, goods_fen, paid_fen, ordered_at,
                    paid_at - interval '{hours} minutes', status, rep_id, rep_department, warehouse_id, campaign_id,
                    approved_at, shipped_at
             FROM orders WHERE id % 11 = {any} AND order_no NOT LIKE '%-R%'",
            n = rng.gen_range(0..1_000_000)
        ),
        // The order desk: statuses, holds placed, released and deleted, many at once.
        12 => format!(
            "UPDATE orders SET status = (ARRAY['pending_review', 'approved', 'allocated', 'partially_shipped', 'shipped',
                                               'cancelled'])[1 + floor(random() * 6)::int]
             WHERE id = {pick} OR id % 17 = {any}"
        ),
        13 => format!(
            "INSERT INTO order_holds (tenant_id, order_id, kind, reason)
             SELECT tenant_id, id, (ARRAY['unpaid', 'address', 'stock', 'manual'])[1 + floor(random() * 4)::int], 'test'
             FROM orders WHERE id % 9 = {any} OR id = {pick}
             ON CONFLICT (tenant_id, order_id, kind) WHERE released_at IS NULL DO NOTHING"
        ),
        14 => format!(
            "UPDATE order_holds SET released_at = now(), release_note = 'test'
             WHERE released_at IS NULL AND (id % 4 = {} OR order_id = {pick})",
            any % 4
        ),
        15 => format!("DELETE FROM order_holds WHERE id % 11 = {any}"),
        // Order lines added to orders, changed and taken away (those added here:
        // line numbers from 1000, which nothing else refers to).
        16 => format!(
            "INSERT INTO order_lines (tenant_id, order_id, line_no, product_id, quantity, unit_price_fen)
             SELECT o.tenant_id, o.id,
                    1000 + coalesce((SELECT max(line_no) FROM order_lines x
                                     WHERE x.tenant_id = o.tenant_id AND x.order_id = o.id), 0),
                    (SELECT id FROM products ORDER BY random() LIMIT 1), {}, {}
             FROM orders o WHERE o.id % 19 = {any} OR o.id = {pick}",
            rng.gen_range(1..4),
            rng.gen_range(0..5_000)
        ),
        17 => format!("UPDATE order_lines SET quantity = quantity + 1 WHERE order_id % 7 = {any}"),
        18 => format!(
            "UPDATE order_lines SET unit_price_fen = unit_price_fen + 7,
                                    product_id = (SELECT id FROM products ORDER BY random() LIMIT 1)
             WHERE line_no >= 1000 AND order_id % 3 = {}",
            any % 3
        ),
        19 => format!("DELETE FROM order_lines WHERE line_no >= 1000 AND order_id % 2 = {}", any % 2),
        _ => "INSERT INTO stock_movements (tenant_id, product_id, warehouse_id, kind, quantity, reason, doc_type)
              SELECT s.tenant_id, s.product_id, s.warehouse_id, 'receipt', 3, 'rollup test', 'manual'
              FROM stock_levels s ORDER BY random() LIMIT 4"
            .into(),
    }
}

#[tokio::test]
async fn the_rollups_equal_a_recount_after_any_sequence_of_changes() {
    let app = spawn_app().await;
    crate::helpers::ok(&app.cli(&["demo", "--employees", "8", "--products", "40", "--orders", "300"], None), "demo");
    let demo: i64 =
        sqlx::query_scalar("SELECT id FROM tenants WHERE code = 'demo'").fetch_one(&app.owner).await.unwrap();
    let demo2: i64 =
        sqlx::query_scalar("SELECT id FROM tenants WHERE code = 'demo2'").fetch_one(&app.owner).await.unwrap();
    assert_rollups_exact(&app, demo, "the demo").await;
    for seed in 0..4u64 {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut tx = db::begin_tenant(&app.owner, demo).await.unwrap();
        let mut done = Vec::new();
        for _ in 0..30 {
            let sql = random_change(&mut rng);
            sqlx::query(&sql).execute(&mut *tx).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
            done.push(sql);
        }
        tx.commit().await.unwrap();
        assert_rollups_exact(&app, demo, &format!("seed {seed}")).await;
        if seed % 2 == 1 {
            // Folding the loose rows changes no sum.
            let loose = app.scalar_i64(demo, "SELECT count(*) FROM sales_days WHERE NOT compacted").await;
            assert!(loose > 0, "the changes added loose rows");
            let mut tx = db::begin_tenant(&app.db, demo).await.unwrap();
            db::compact_rollups(&mut tx).await.unwrap();
            tx.commit().await.unwrap();
            assert_eq!(app.scalar_i64(demo, "SELECT count(*) FROM sales_days WHERE NOT compacted").await, 0);
            assert_rollups_exact(&app, demo, &format!("seed {seed}, compacted")).await;
        }
    }
    // A rolled-back change leaves the rollups as they were.
    let before = app.strings(demo, SALES_KEPT).await;
    let mut tx = db::begin_tenant(&app.owner, demo).await.unwrap();
    sqlx::query("UPDATE orders SET status = 'cancelled'").execute(&mut *tx).await.unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(app.strings(demo, SALES_KEPT).await, before);
    // The other tenant's rollups were never touched by the first one's changes.
    assert_rollups_exact(&app, demo2, "the other tenant's changes").await;
}

/// An order of `tenant` paid at `paid_at` (a timestamptz literal) for `fen`.
async fn paid_order(app: &TestApp, tenant: i64, no: &str, paid_at: &str, fen: i64) {
    let mut tx = db::begin_tenant(&app.owner, tenant).await.unwrap();
    sqlx::query(
        "INSERT INTO orders (tenant_id, platform, order_no, source, goods_fen, paid_fen, ordered_at, paid_at)
         VALUES ($1, 'taobao', $2, 'import', $3, $3, $4::timestamptz, $4::timestamptz)",
    )
    .bind(tenant)
    .bind(no)
    .bind(fen)
    .bind(paid_at)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// `data-value` of the card `kpi` on `body`.
pub fn card(body: &str, kpi: &str) -> Option<String> {
    let at = body.find(&format!("data-kpi=\"{kpi}\""))?;
    let rest = &body[at..];
    let v = rest.find("data-value=\"")? + "data-value=\"".len();
    Some(rest[v..v + rest[v..].find('"')?].to_owned())
}

#[tokio::test]
async fn a_months_figures_end_at_local_midnight_in_shanghai() {
    let app = spawn_app_on(chrono::NaiveDate::from_ymd_opt(2026, 12, 4).unwrap()).await;
    let t = crate::helpers::two_tenants(&app).await;
    // November in Shanghai: 2026-10-31 16:00 UTC to 2026-11-30 16:00 UTC.
    paid_order(&app, t.alpha, "IN-FIRST", "2026-11-01 00:00:00+08", 10_000).await;
    paid_order(&app, t.alpha, "IN-LAST", "2026-11-30 23:59:59+08", 20_000).await;
    paid_order(&app, t.alpha, "OUT-BEFORE", "2026-10-31 23:59:59+08", 40_000).await;
    paid_order(&app, t.alpha, "OUT-AFTER", "2026-12-01 00:00:00+08", 80_000).await;
    paid_order(&app, t.beta, "OTHER-TENANT", "2026-11-15 12:00:00+08", 160_000).await;
    let director = app.signed_in("alpha", "director").await;
    let page = director.get("/?period=2026-11").await;
    assert_eq!(page.status, 200);
    assert_eq!(card(&page.body, "sales.amount").as_deref(), Some("300.00"), "November's two orders only");
    assert_eq!(card(&page.body, "sales.orders").as_deref(), Some("2"));
    assert_eq!(card(&page.body, "sales.avg_order").as_deref(), Some("150.00"));
    let page = director.get("/?period=this_month").await;
    assert_eq!(card(&page.body, "sales.amount").as_deref(), Some("800.00"), "December so far");
    let page = director.get("/?period=2026-10").await;
    assert_eq!(card(&page.body, "sales.amount").as_deref(), Some("400.00"));
    // A month without any order: zero, and no average to divide.
    let page = director.get("/?period=2026-09").await;
    assert_eq!(card(&page.body, "sales.amount").as_deref(), Some("0.00"));
    assert_eq!(card(&page.body, "sales.avg_order").as_deref(), Some(""), "nothing to divide by");
    assert!(page.body.contains("暂无数据") || page.body.contains("<svg"), "the charts render without data");
    // The other tenant's director counts only theirs.
    let beta = app.signed_in("beta", "director").await;
    let page = beta.get("/?period=2026-11").await;
    assert_eq!(card(&page.body, "sales.amount").as_deref(), Some("1600.00"));
}

#[tokio::test]
async fn a_bad_period_says_so_and_shows_this_month() {
    let app = spawn_app_on(chrono::NaiveDate::from_ymd_opt(2026, 12, 4).unwrap()).await;
    let t = crate::helpers::two_tenants(&app).await;
    paid_order(&app, t.alpha, "DEC", "2026-12-02 10:00:00+08", 12_345).await;
    let director = app.signed_in("alpha", "director").await;
    for bad in ["2027-01", "yesterday", "2026-13", "%27%3B"] {
        let page = director.get(&format!("/?period={bad}")).await;
        assert_eq!(page.status, 200, "{bad}");
        assert!(page.body.contains("data-period-error"), "{bad}: the page says the period was not used");
        assert_eq!(card(&page.body, "sales.amount").as_deref(), Some("123.45"), "{bad}: this month instead");
    }
    let page = director.get("/?month=2026-12").await;
    assert!(!page.body.contains("data-period-error"));
    assert_eq!(card(&page.body, "sales.amount").as_deref(), Some("123.45"));
}

#[tokio::test]
async fn each_role_sees_its_own_areas_and_a_specialist_only_their_own_figure() {
    let app = spawn_app_on(chrono::NaiveDate::from_ymd_opt(2026, 12, 4).unwrap()).await;
    let t = crate::helpers::two_tenants(&app).await;
    use yunying::people::{Dept, Level};
    let rep = app.user(t.alpha, "rep", Dept::Sales, Level::Specialist, false).await;
    let other_rep = app.user(t.alpha, "rep2", Dept::Sales, Level::Specialist, false).await;
    app.user(t.alpha, "sales_manager", Dept::Sales, Level::Manager, false).await;
    app.user(t.alpha, "service_manager", Dept::Service, Level::Manager, false).await;
    app.user(t.alpha, "hr_specialist", Dept::Hr, Level::Specialist, false).await;
    paid_order(&app, t.alpha, "MINE", "2026-12-02 10:00:00+08", 10_000).await;
    paid_order(&app, t.alpha, "THEIRS", "2026-12-02 11:00:00+08", 20_000).await;
    paid_order(&app, t.alpha, "NOBODYS", "2026-12-02 12:00:00+08", 40_000).await;
    let mut tx = db::begin_tenant(&app.owner, t.alpha).await.unwrap();
    for (no, user) in [("MINE", rep), ("THEIRS", other_rep)] {
        sqlx::query("UPDATE orders SET rep_id = $1, rep_department = 'sales' WHERE order_no = $2")
            .bind(user)
            .bind(no)
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let page = app.signed_in("alpha", "rep").await.get("/").await;
    assert_eq!(card(&page.body, "sales.amount").as_deref(), Some("100.00"), "the rep's own order only");
    assert!(card(&page.body, "targets.attainment").is_some(), "the rep's own attainment");
    assert!(card(&page.body, "orders.pending_review").is_none());
    let page = app.signed_in("alpha", "sales_manager").await.get("/").await;
    assert_eq!(card(&page.body, "sales.amount").as_deref(), Some("300.00"), "the department's orders");
    let page = app.signed_in("alpha", "director").await.get("/").await;
    assert_eq!(card(&page.body, "sales.amount").as_deref(), Some("700.00"), "every order");
    assert!(card(&page.body, "people.absences").is_some() || card(&page.body, "inventory.low_stock").is_some());
    let page = app.signed_in("alpha", "service_manager").await.get("/").await;
    assert!(card(&page.body, "complaints.overdue").is_some() && card(&page.body, "refunds.amount").is_some());
    assert!(card(&page.body, "sales.amount").is_none(), "service sees after-sales and complaints, not sales");
    let page = app.signed_in("alpha", "hr_specialist").await.get("/").await;
    assert!(!page.body.contains("data-kpi="), "an HR specialist has no figures");
    let page = app.signed_in("alpha", "specialist").await.get("/").await;
    assert!(!page.body.contains("data-kpi="), "an ops specialist has no figures");
}
