//! On Citus (`YUNYING_TEST_CITUS`, deploy/citus/test.sh), the hot paths of one tenant
//! are router plans: one task, on one worker. The statements are the app's (orders
//! list and page, the ship POST's conditional update, a stock reservation, a home
//! count, the session lookup once its tenant is known), EXPLAINed in a tenant
//! transaction of the runtime role with the test tenant's ids. A no-op on one PostgreSQL.

use yunying::db;

use crate::helpers::{citus, spawn_app, two_tenants};

/// The number of tasks of a Citus plan (`Task Count: N`), None for a local plan.
fn task_count(plan: &str) -> Option<u32> {
    plan.lines().find_map(|l| l.trim().strip_prefix("Task Count: ")).map(|n| n.trim().parse().expect("task count"))
}

#[test]
fn task_counts_are_read_from_a_plan() {
    let plan = "Custom Scan (Citus Adaptive)\n   Task Count: 32\n   Tasks Shown: One of 32\n";
    assert_eq!(task_count(plan), Some(32));
    assert_eq!(task_count("Seq Scan on orders"), None);
}

#[tokio::test]
async fn hot_paths_are_single_shard_plans() {
    if !citus::enabled() {
        return;
    }
    let app = spawn_app().await;
    let t = two_tenants(&app).await;
    let a = t.alpha;
    let statements = [
        ("order list", format!("SELECT id, order_no, status FROM orders WHERE tenant_id = {a} ORDER BY id DESC LIMIT 50")),
        ("order page", format!("SELECT * FROM orders WHERE tenant_id = {a} AND id = 1")),
        ("order page lines", format!("SELECT * FROM order_lines WHERE tenant_id = {a} AND order_id = 1 ORDER BY line_no")),
        (
            "ship: the conditional update",
            format!(
                "WITH clock AS (SELECT now() AS at)
                 UPDATE orders SET shipped_at = coalesce(shipped_at, (SELECT at FROM clock)) WHERE tenant_id = {a} AND id = 1"
            ),
        ),
        (
            "ship: the order's reservations locked",
            format!(
                "SELECT id, line_no, warehouse_id, product_id, quantity FROM order_reservations
                 WHERE tenant_id = {a} AND order_id = 1 AND state = 'reserved' ORDER BY product_id, line_no, id FOR UPDATE"
            ),
        ),
        (
            "stock reservation",
            format!(
                "WITH r AS (INSERT INTO order_reservations (tenant_id, order_id, line_no, warehouse_id, product_id, quantity)
                            VALUES ({a}, 1, 1, 1, 1, 1))
                 UPDATE order_lines SET reserved_qty = reserved_qty + 1 WHERE tenant_id = {a} AND order_id = 1 AND line_no = 1"
            ),
        ),
        ("home count", format!("SELECT count(*) FROM orders WHERE tenant_id = {a} AND status = 'pending'")),
        (
            "session lookup, tenant known",
            format!(
                "SELECT s.id, u.username, t.code FROM sessions s
                 JOIN users u ON u.tenant_id = s.tenant_id AND u.id = s.user_id
                 JOIN tenants t ON t.id = s.tenant_id
                 WHERE s.tenant_id = {a} AND s.token_hash = '\\x00'::bytea"
            ),
        ),
    ];
    let mut problems = Vec::new();
    for (what, sql) in &statements {
        let mut tx = db::begin_tenant(&app.db, a).await.expect("tx");
        let rows: Vec<String> = sqlx::query_scalar(&format!("EXPLAIN {sql}")).fetch_all(&mut *tx).await.expect(what);
        tx.rollback().await.expect("rollback");
        let plan = rows.join("\n");
        if task_count(&plan) != Some(1) {
            problems.push(format!("{what}: {sql}\n{plan}"));
        }
    }
    assert!(problems.is_empty(), "not router plans:\n{}", problems.join("\n\n"));
}
