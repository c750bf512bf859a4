//! The home page's queues and counts: every count a role sees equals the records
//! it stands for, in its own tenant only.

use std::collections::BTreeMap;

use crate::helpers::{ok, spawn_app, Client, TestApp};

/// The `(queue key, count)` lines of a home page.
fn queues(html: &str) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for part in html.split("data-queue=\"").skip(1) {
        let key = &part[..part.find('"').expect("closing quote")];
        let rest = &part[part.find("data-count=\"").expect("a count beside the key") + 12..];
        let count = rest[..rest.find('"').expect("closing quote")].parse().expect("a number");
        assert!(out.insert(key.to_owned(), count).is_none(), "{key} shown twice");
    }
    out
}

/// What each queue counts, for the user `me` of department `dept` (the definition
/// the home page must agree with).
fn oracle(key: &str, me: i64, dept: &str) -> String {
    match key {
        "eliminations.pending" => {
            format!("SELECT count(*) FROM product_eliminations WHERE status = 'pending' AND proposed_by <> {me}")
        }
        "eliminations.mine" => {
            format!("SELECT count(*) FROM product_eliminations WHERE status = 'pending' AND proposed_by = {me}")
        }
        "replenishments.pending" => {
            format!("SELECT count(*) FROM replenishment_requests WHERE status = 'pending' AND requested_by <> {me}")
        }
        "replenishments.director_pending" => format!(
            "SELECT count(*) FROM replenishment_requests WHERE status = 'director_pending' AND requested_by <> {me}"
        ),
        "replenishments.mine" => format!(
            "SELECT count(*) FROM replenishment_requests
             WHERE status IN ('pending', 'director_pending', 'approved') AND requested_by = {me}"
        ),
        "low_stock.items" => {
            "SELECT count(*) FROM stock_levels WHERE reorder_point > 0 AND on_hand - reserved <= reorder_point".into()
        }
        "purchase_orders.open" => "SELECT count(*) FROM purchase_orders WHERE status IN ('open', 'partial')".into(),
        "stocktakes.submitted" => "SELECT count(*) FROM stocktakes WHERE status = 'submitted'".into(),
        "stocktakes.counting" => {
            format!("SELECT count(*) FROM stocktakes WHERE status = 'counting' AND department = '{dept}'")
        }
        "contracts.submitted" => format!(
            "SELECT count(*) FROM contracts WHERE status = 'submitted' AND department = '{dept}' AND drafted_by <> {me}"
        ),
        "contracts.director_pending" => "SELECT count(*) FROM contracts WHERE status = 'director_pending'".into(),
        "contracts.mine" => {
            format!("SELECT count(*) FROM contracts WHERE drafted_by = {me} AND status IN ('draft', 'rejected')")
        }
        "orders.pending_review" | "orders.approved" | "orders.allocated" | "orders.partially_shipped" => {
            format!("SELECT count(*) FROM orders WHERE status = '{}'", key.trim_start_matches("orders."))
        }
        "complaints.overdue" => {
            "SELECT count(*) FROM complaints WHERE first_reply_at IS NULL AND due_at < now()".into()
        }
        "complaints.due_soon" => "SELECT count(*) FROM complaints
             WHERE first_reply_at IS NULL AND due_at >= now() AND soon_at <= now()"
            .into(),
        "complaints.major" => format!(
            "SELECT count(*) FROM complaints WHERE assignee_id = {me} AND severity = 'major' AND status <> 'closed'"
        ),
        "complaints.mine" => format!("SELECT count(*) FROM complaints WHERE assignee_id = {me} AND status <> 'closed'"),
        k if k.starts_with("orders.hold.") => format!(
            "SELECT count(*) FROM order_holds WHERE released_at IS NULL AND kind = '{}'",
            k.trim_start_matches("orders.hold.")
        ),
        "after_sales.requested" => {
            format!("SELECT count(*) FROM after_sales WHERE status = 'requested' AND raised_by <> {me}")
        }
        "after_sales.refund_pending" => format!(
            "SELECT count(*) FROM after_sales a WHERE status = 'refund_pending' AND raised_by <> {me}
               AND NOT EXISTS (SELECT 1 FROM refunds r WHERE r.case_id = a.id AND r.status = 'pending' AND r.recorded_by = {me})"
        ),
        "after_sales.to_receive" => {
            "SELECT count(*) FROM after_sales WHERE status = 'approved' AND kind IN ('return', 'exchange', 'repair')".into()
        }
        "after_sales.mine" => format!(
            "SELECT count(*) FROM after_sales WHERE raised_by = {me} AND status NOT IN ('rejected', 'closed')"
        ),
        "campaigns.submitted" => format!(
            "SELECT count(*) FROM campaigns WHERE status = 'submitted' AND department = '{dept}' AND drafted_by <> {me}"
        ),
        "campaigns.director_pending" => {
            format!("SELECT count(*) FROM campaigns WHERE status = 'director_pending' AND drafted_by <> {me}")
        }
        "campaigns.ack" => format!(
            "SELECT count(*) FROM campaigns c WHERE approved_at IS NOT NULL AND status NOT IN ('cancelled', 'summarized')
               AND ends_on >= current_date AND manager_by IS DISTINCT FROM {me} AND director_by IS DISTINCT FROM {me}
               AND NOT EXISTS (SELECT 1 FROM campaign_acks k WHERE k.campaign_id = c.id AND k.user_id = {me})"
        ),
        "campaigns.summary_due" => format!(
            "SELECT count(*) FROM campaigns WHERE status = 'approved' AND ends_on < current_date
               AND (drafted_by = {me} OR (department = '{dept}'
                    AND EXISTS (SELECT 1 FROM users WHERE id = {me} AND level = 'manager')))"
        ),
        "campaigns.review" => format!(
            "SELECT count(*) FROM campaigns WHERE status = 'summarized' AND reviewed_at IS NULL AND department = '{dept}'"
        ),
        "campaigns.mine" => {
            format!("SELECT count(*) FROM campaigns WHERE drafted_by = {me} AND status IN ('draft', 'rejected')")
        }
        // The department's active sales specialists whose last month (in the demo's
        // time zone) ended below 30 % of target: paid orders by payment time less the
        // refunds done in the month, cancelled orders left out.
        "targets.below" => format!(
            "WITH m AS (SELECT (date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai') - interval '1 month')::date AS first),
                  a AS (
                    SELECT t.rep_id, t.target_fen,
                      (SELECT coalesce(sum(o.paid_fen), 0) FROM orders o
                        WHERE o.rep_id = t.rep_id AND o.status <> 'cancelled' AND o.paid_at IS NOT NULL
                          AND date_trunc('month', o.paid_at AT TIME ZONE 'Asia/Shanghai')::date = m.first)
                    - (SELECT coalesce(sum(r.amount_fen), 0) FROM refunds r JOIN orders o ON o.id = r.order_id
                        WHERE o.rep_id = t.rep_id AND o.status <> 'cancelled' AND r.status = 'done'
                          AND date_trunc('month', coalesce(r.decided_at, r.recorded_at) AT TIME ZONE 'Asia/Shanghai')::date
                              = m.first) AS attained
                    FROM sales_targets t CROSS JOIN m
                    JOIN users u ON u.id = t.rep_id
                    WHERE t.month = m.first AND u.department = '{dept}' AND u.level = 'specialist' AND u.is_active)
             SELECT count(*) FROM a WHERE attained * 100 < target_fen * 30"
        ),
        other => panic!("no definition for the queue {other}"),
    }
}

async fn signed_in_demo_user(app: &TestApp, username: &str) -> Client {
    let c = app.client();
    let res = c.login("demo", username, yunying::demo::DEMO_PASSWORD).await;
    assert_eq!(res.status, 303, "login of {username}: {}", res.body);
    c
}

#[tokio::test]
async fn every_count_on_the_home_page_is_the_records_it_stands_for() {
    let app = spawn_app().await;
    ok(&app.cli(&["demo"], None), "demo");
    let demo: i64 =
        sqlx::query_scalar("SELECT id FROM tenants WHERE code = 'demo'").fetch_one(&app.owner).await.unwrap();
    // The other demo tenant has records of every kind too, so a count that leaked
    // across tenants would not match.
    let demo2: i64 =
        sqlx::query_scalar("SELECT id FROM tenants WHERE code = 'demo2'").fetch_one(&app.owner).await.unwrap();
    for table in ["replenishment_requests", "stocktakes", "contracts", "purchase_orders", "product_eliminations"] {
        let n = app.scalar_i64(demo2, &format!("SELECT count(*) FROM {table}")).await;
        assert!(n > 0, "demo2 has {table}");
    }

    // Which queues each role sees on the demo data (every queue there is non-empty).
    let expected: &[(&str, &[&str])] = &[
        (
            "ops.director",
            &[
                "after_sales.refund_pending",
                "campaigns.director_pending",
                "contracts.director_pending",
                "low_stock.items",
                "replenishments.director_pending",
                "stocktakes.submitted",
            ],
        ),
        (
            "ops.manager",
            &[
                "after_sales.refund_pending",
                "after_sales.requested",
                "after_sales.to_receive",
                "complaints.due_soon",
                "complaints.overdue",
                "contracts.submitted",
                "eliminations.pending",
                "low_stock.items",
                "orders.approved",
                "orders.hold.address",
                "orders.hold.manual",
                "orders.hold.stock",
                "orders.hold.unpaid",
                "orders.pending_review",
                "purchase_orders.open",
                "replenishments.pending",
                "stocktakes.submitted",
            ],
        ),
        (
            "ops.specialist",
            &[
                "after_sales.mine",
                "after_sales.requested",
                "after_sales.to_receive",
                "contracts.mine",
                "eliminations.mine",
                "low_stock.items",
                "orders.approved",
                "orders.hold.address",
                "orders.hold.manual",
                "orders.hold.stock",
                "orders.hold.unpaid",
                "orders.pending_review",
                "purchase_orders.open",
                "replenishments.mine",
            ],
        ),
        (
            "warehouse.specialist",
            &[
                "after_sales.to_receive",
                "low_stock.items",
                "orders.allocated",
                "purchase_orders.open",
                "replenishments.mine",
                "stocktakes.counting",
            ],
        ),
        (
            "sales.director",
            &[
                "after_sales.refund_pending",
                "campaigns.director_pending",
                "contracts.director_pending",
                "low_stock.items",
                "replenishments.director_pending",
                "stocktakes.submitted",
            ],
        ),
        ("marketing.manager", &["campaigns.submitted", "campaigns.summary_due"]),
        ("marketing.specialist", &["campaigns.mine", "campaigns.summary_due"]),
        (
            "warehouse.manager",
            &[
                "after_sales.to_receive",
                "campaigns.ack",
                "low_stock.items",
                "orders.allocated",
                "purchase_orders.open",
                "stocktakes.counting",
            ],
        ),
        ("sales.manager", &["contracts.submitted", "targets.below"]),
        ("sales.specialist", &["contracts.mine"]),
        (
            "service.manager",
            &[
                "after_sales.refund_pending",
                "after_sales.requested",
                "after_sales.to_receive",
                "campaigns.ack",
                "complaints.due_soon",
                "complaints.major",
                "complaints.mine",
                "complaints.overdue",
                "orders.approved",
                "orders.hold.address",
                "orders.hold.manual",
                "orders.hold.stock",
                "orders.hold.unpaid",
                "orders.pending_review",
            ],
        ),
        (
            "service.specialist",
            &[
                "after_sales.mine",
                "after_sales.requested",
                "after_sales.to_receive",
                "complaints.mine",
                "orders.approved",
                "orders.hold.address",
                "orders.hold.manual",
                "orders.hold.stock",
                "orders.hold.unpaid",
                "orders.pending_review",
            ],
        ),
        ("hr.specialist", &[]),
    ];
    for (username, keys) in expected {
        let mut tx = yunying::db::begin_tenant(&app.db, demo).await.unwrap();
        let (me, dept): (i64, String) =
            sqlx::query_as("SELECT id, department FROM users WHERE tenant_id = $1 AND username = $2")
                .bind(demo)
                .bind(username)
                .fetch_one(&mut *tx)
                .await
                .unwrap();
        tx.commit().await.unwrap();
        let page = signed_in_demo_user(&app, username).await.get("/").await;
        assert_eq!(page.status, 200);
        let shown = queues(&page.body);
        let shown_keys: Vec<&str> = shown.keys().map(String::as_str).collect();
        assert_eq!(shown_keys, *keys, "the queues on {username}'s home page");
        for (key, count) in &shown {
            let want = app.scalar_i64(demo, &oracle(key, me, &dept)).await;
            assert_eq!(*count, want, "{key} on {username}'s home page");
            assert!(*count > 0, "{key}: only non-empty queues are listed");
        }
    }

    // The tenant administrator sees the users of the tenant: active and deactivated.
    let admin = app.signed_in_demo().await;
    let page = admin.get("/").await;
    let active = app.scalar_i64(demo, "SELECT count(*) FROM users WHERE is_active").await;
    let inactive = app.scalar_i64(demo, "SELECT count(*) FROM users WHERE NOT is_active").await;
    assert!(
        page.body
            .contains(&format!("data-stat=\"users.active\">{active}</span><span class=\"stat-label\">在用账号</span>"))
            && page.body.contains(&format!(
                "data-stat=\"users.inactive\">{inactive}</span><span class=\"stat-label\">已停用账号</span>"
            )),
        "{}",
        page.body
    );
}
