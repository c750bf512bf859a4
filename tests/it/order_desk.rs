//! The order desk's kept counts (migration 0038) under concurrent writers: two
//! transactions placing the first holds of one order at once count it held once,
//! and the director's cards read the kept counts.

use std::time::Duration;

use yunying::db;

use crate::dashboard::{DESK_KEPT, DESK_RECOUNT};
use crate::helpers::{spawn_app, TestApp};

#[tokio::test]
async fn two_first_holds_placed_at_once_count_the_order_held_once() {
    let app = spawn_app().await;
    crate::helpers::ok(&app.cli(&["demo", "--employees", "8", "--products", "20", "--orders", "60"], None), "demo");
    let demo: i64 =
        sqlx::query_scalar("SELECT id FROM tenants WHERE code = 'demo'").fetch_one(&app.owner).await.unwrap();
    assert_eq!(app.strings(demo, DESK_KEPT).await, app.strings(demo, DESK_RECOUNT).await, "the demo");
    let order = app
        .scalar_i64(
            demo,
            "SELECT id FROM orders o WHERE NOT EXISTS (SELECT 1 FROM order_holds h
                 WHERE h.tenant_id = o.tenant_id AND h.order_id = o.id AND h.released_at IS NULL)
             ORDER BY id LIMIT 1",
        )
        .await;
    let place = |kind: &'static str| {
        format!(
            "INSERT INTO order_holds (tenant_id, order_id, kind, reason) VALUES ({demo}, {order}, '{kind}', 'race')"
        )
    };
    // Neither writer locks the order first (the app does; the trigger must not rely on it).
    race(&app, demo, place("manual"), place("address")).await;
    let held =
        app.scalar_i64(demo, "SELECT coalesce(sum(n), 0)::bigint FROM order_desk_counts WHERE bucket = 'held'").await;
    let recount =
        app.scalar_i64(demo, "SELECT count(DISTINCT order_id) FROM order_holds WHERE released_at IS NULL").await;
    assert_eq!(held, recount, "the order with two holds is counted once");
    assert_eq!(app.strings(demo, DESK_KEPT).await, app.strings(demo, DESK_RECOUNT).await, "after the race");

    // Both released at once, each by its own transaction: the order leaves `held` once.
    let release = |kind: &'static str| {
        format!(
            "UPDATE order_holds SET released_at = now() WHERE order_id = {order} AND kind = '{kind}' AND released_at IS NULL"
        )
    };
    race(&app, demo, release("manual"), release("address")).await;
    assert_eq!(app.strings(demo, DESK_KEPT).await, app.strings(demo, DESK_RECOUNT).await, "after both releases");
}

/// `first` and `second` each in a transaction of its own, at once: the second
/// started while the first is open, and waiting for it (the trigger's lock on the
/// order) until it commits.
async fn race(app: &TestApp, tenant: i64, first: String, second: String) {
    let mut tx = db::begin_tenant(&app.owner, tenant).await.unwrap();
    sqlx::query(&first).execute(&mut *tx).await.unwrap();
    let owner = app.owner.clone();
    let other = tokio::spawn(async move {
        let mut tx = db::begin_tenant(&owner, tenant).await.unwrap();
        sqlx::query(&second).execute(&mut *tx).await.unwrap();
        tx.commit().await.unwrap();
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!other.is_finished(), "the second writer waits for the first one's lock on the order");
    tx.commit().await.unwrap();
    other.await.unwrap();
}
