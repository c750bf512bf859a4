//! The stock-movement ledger at the database level (migration 0007 +
//! `inventory::ledger`): on hand moves only through movements, never below zero
//! or below what is reserved, and concurrent reservations of the last units let
//! exactly one through.

use crate::helpers::{spawn_app, two_tenants, TestApp};
use yunying::db;
use yunying::inventory::ledger::{self, DocType, LedgerError, MovementKind, NewMovement};

/// A warehouse and a product of `tenant`; returns (product id, warehouse id).
pub async fn item(app: &TestApp, tenant: i64, sku: &str, wh: &str) -> (i64, i64) {
    let mut tx = db::begin_tenant(&app.db, tenant).await.unwrap();
    let wh_id: i64 = sqlx::query_scalar(
        "INSERT INTO warehouses (tenant_id, code, name) VALUES ($1, $2, $2 || '仓')
         ON CONFLICT (tenant_id, code) DO UPDATE SET name = EXCLUDED.name RETURNING id",
    )
    .bind(tenant)
    .bind(wh)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    let product: i64 = sqlx::query_scalar(
        "INSERT INTO products (tenant_id, sku, name, price_fen, status) VALUES ($1, $2, '测试商品', 1000, 'listed') RETURNING id",
    )
    .bind(tenant)
    .bind(sku)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    (product, wh_id)
}

fn movement(product: i64, wh: i64, kind: MovementKind, quantity: i64) -> NewMovement<'static> {
    NewMovement {
        product_id: product,
        warehouse_id: wh,
        kind,
        quantity,
        reason: "测试",
        doc: DocType::Manual,
        doc_id: None,
        created_by: None,
    }
}

async fn level(app: &TestApp, tenant: i64, product: i64, wh: i64) -> (i64, i64) {
    let mut tx = db::begin_tenant(&app.db, tenant).await.unwrap();
    let row = sqlx::query_as(
        "SELECT on_hand, reserved FROM stock_levels WHERE tenant_id = $1 AND product_id = $2 AND warehouse_id = $3",
    )
    .bind(tenant)
    .bind(product)
    .bind(wh)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    row
}

#[tokio::test]
async fn movements_set_on_hand_and_record_the_balance() {
    let app = spawn_app().await;
    let t = two_tenants(&app).await;
    let (p, w) = item(&app, t.alpha, "SKU-1", "WH1").await;
    let mut tx = db::begin_tenant(&app.db, t.alpha).await.unwrap();
    let (_, b1) = ledger::post(&mut tx, t.alpha, &movement(p, w, MovementKind::Receipt, 10)).await.unwrap();
    let (_, b2) = ledger::post(&mut tx, t.alpha, &movement(p, w, MovementKind::Shipment, -3)).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!((b1, b2), (10, 7));
    assert_eq!(level(&app, t.alpha, p, w).await, (7, 0));

    // Below zero: refused, and nothing of the transaction is kept.
    let mut tx = db::begin_tenant(&app.db, t.alpha).await.unwrap();
    let err = ledger::post(&mut tx, t.alpha, &movement(p, w, MovementKind::Shipment, -8)).await.unwrap_err();
    assert!(matches!(err, LedgerError::Insufficient), "{err:?}");
    tx.rollback().await.unwrap();
    assert_eq!(level(&app, t.alpha, p, w).await, (7, 0));

    // A malformed movement never reaches the database.
    let mut tx = db::begin_tenant(&app.db, t.alpha).await.unwrap();
    let err = ledger::post(&mut tx, t.alpha, &movement(p, w, MovementKind::Receipt, -1)).await.unwrap_err();
    assert!(matches!(err, LedgerError::Invalid(_)), "{err:?}");
    tx.rollback().await.unwrap();
}

#[tokio::test]
async fn the_runtime_role_cannot_edit_on_hand_or_rewrite_movements() {
    let app = spawn_app().await;
    let t = two_tenants(&app).await;
    let (p, w) = item(&app, t.alpha, "SKU-1", "WH1").await;
    let mut tx = db::begin_tenant(&app.db, t.alpha).await.unwrap();
    ledger::post(&mut tx, t.alpha, &movement(p, w, MovementKind::Receipt, 5)).await.unwrap();
    tx.commit().await.unwrap();
    for sql in [
        "UPDATE stock_levels SET on_hand = 999",
        "UPDATE stock_movements SET quantity = 999",
        "DELETE FROM stock_movements",
        "DELETE FROM stock_levels",
        // A movement that comes with its balance would skip the trigger that applies it.
        "INSERT INTO stock_movements (tenant_id, product_id, warehouse_id, kind, quantity, reason, doc_type, balance_after)
         SELECT tenant_id, product_id, warehouse_id, 'receipt', 100, '绕过', 'manual', 105 FROM stock_levels",
    ] {
        let mut tx = db::begin_tenant(&app.db, t.alpha).await.unwrap();
        let err = sqlx::query(sql).execute(&mut *tx).await.unwrap_err();
        assert_eq!(err.as_database_error().and_then(|e| e.code()).as_deref(), Some("42501"), "{sql}: {err}");
        tx.rollback().await.unwrap();
    }
    assert_eq!(level(&app, t.alpha, p, w).await, (5, 0));
}

#[tokio::test]
async fn another_tenants_stock_is_invisible_and_cannot_be_moved() {
    let app = spawn_app().await;
    let t = two_tenants(&app).await;
    let (p, w) = item(&app, t.alpha, "SKU-1", "WH1").await;
    let mut tx = db::begin_tenant(&app.db, t.alpha).await.unwrap();
    ledger::post(&mut tx, t.alpha, &movement(p, w, MovementKind::Receipt, 5)).await.unwrap();
    tx.commit().await.unwrap();
    // Beta sees none of it, and cannot post against alpha's product (RLS + the
    // tenant-keyed foreign keys), whatever tenant id it writes.
    let mut tx = db::begin_tenant(&app.db, t.beta).await.unwrap();
    let seen: i64 = sqlx::query_scalar("SELECT count(*) FROM stock_movements").fetch_one(&mut *tx).await.unwrap();
    assert_eq!(seen, 0);
    for tenant in [t.beta, t.alpha] {
        let err = ledger::post(&mut tx, tenant, &movement(p, w, MovementKind::Receipt, 5)).await.unwrap_err();
        assert!(matches!(err, LedgerError::Database(_)), "{err:?}");
        tx.rollback().await.unwrap();
        tx = db::begin_tenant(&app.db, t.beta).await.unwrap();
    }
    tx.rollback().await.unwrap();
    assert_eq!(level(&app, t.alpha, p, w).await, (5, 0));
}

#[tokio::test]
async fn reservations_stay_within_on_hand_and_concurrent_ones_let_exactly_one_through() {
    let app = spawn_app().await;
    let t = two_tenants(&app).await;
    let (p, w) = item(&app, t.alpha, "SKU-1", "WH1").await;
    let mut tx = db::begin_tenant(&app.db, t.alpha).await.unwrap();
    ledger::post(&mut tx, t.alpha, &movement(p, w, MovementKind::Receipt, 10)).await.unwrap();
    ledger::reserve(&mut tx, t.alpha, p, w, 4).await.unwrap();
    // 6 available: shipping 7 would take on hand below what is reserved.
    let err = ledger::post(&mut tx, t.alpha, &movement(p, w, MovementKind::Shipment, -7)).await.unwrap_err();
    assert!(matches!(err, LedgerError::Insufficient), "{err:?}");
    tx.rollback().await.unwrap();

    let mut tx = db::begin_tenant(&app.db, t.alpha).await.unwrap();
    ledger::post(&mut tx, t.alpha, &movement(p, w, MovementKind::Receipt, 10)).await.unwrap();
    ledger::reserve(&mut tx, t.alpha, p, w, 4).await.unwrap();
    tx.commit().await.unwrap();
    // Eight reservations of the last 6 units race: one reservation of 6 each. The
    // test holds the level's row first, so all eight are under way and wait for it
    // before any of them may go on.
    let lock = app
        .hold_lock(
            t.alpha,
            &format!("SELECT 1 FROM stock_levels WHERE product_id = {p} AND warehouse_id = {w} FOR UPDATE"),
        )
        .await;
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let pool = app.db.clone();
        let tenant = t.alpha;
        tasks.push(tokio::spawn(async move {
            let mut tx = db::begin_tenant(&pool, tenant).await.unwrap();
            let r = ledger::reserve(&mut tx, tenant, p, w, 6).await;
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            tx.commit().await.unwrap();
            r.is_ok()
        }));
    }
    app.wait_for_blocked(&lock, 8).await;
    lock.release().await;
    let mut wins = 0;
    for task in tasks {
        wins += usize::from(task.await.unwrap());
    }
    assert_eq!(wins, 1, "exactly one reservation of the last units succeeds");
    assert_eq!(level(&app, t.alpha, p, w).await, (10, 10));
    // Releasing more than is reserved is refused.
    let mut tx = db::begin_tenant(&app.db, t.alpha).await.unwrap();
    assert!(matches!(ledger::release(&mut tx, t.alpha, p, w, 11).await, Err(LedgerError::Insufficient)));
    ledger::release(&mut tx, t.alpha, p, w, 10).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(level(&app, t.alpha, p, w).await, (10, 0));
}

#[tokio::test]
async fn transfers_move_stock_between_warehouses() {
    let app = spawn_app().await;
    let t = two_tenants(&app).await;
    let (p, a) = item(&app, t.alpha, "SKU-1", "WH1").await;
    let (_, b) = item(&app, t.alpha, "SKU-2", "WH2").await;
    let mut tx = db::begin_tenant(&app.db, t.alpha).await.unwrap();
    ledger::post(&mut tx, t.alpha, &movement(p, a, MovementKind::Receipt, 10)).await.unwrap();
    ledger::transfer(&mut tx, t.alpha, p, a, b, 4, "调往二号仓", None).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(level(&app, t.alpha, p, a).await, (6, 0));
    assert_eq!(level(&app, t.alpha, p, b).await, (4, 0));
    let mut tx = db::begin_tenant(&app.db, t.alpha).await.unwrap();
    assert!(matches!(
        ledger::transfer(&mut tx, t.alpha, p, a, b, 7, "超量", None).await,
        Err(LedgerError::Insufficient)
    ));
    tx.rollback().await.unwrap();
}

/// (kind, quantity, balance after) of a level's movements, in order.
async fn history(app: &TestApp, tenant: i64, product: i64, wh: i64) -> Vec<(String, i64, i64)> {
    let mut tx = db::begin_tenant(&app.db, tenant).await.unwrap();
    let rows = sqlx::query_as(
        "SELECT kind, quantity, balance_after FROM stock_movements
         WHERE tenant_id = $1 AND product_id = $2 AND warehouse_id = $3 ORDER BY id",
    )
    .bind(tenant)
    .bind(product)
    .bind(wh)
    .fetch_all(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    rows
}

#[tokio::test]
async fn movements_posted_in_bulk_leave_what_posting_them_one_by_one_leaves() {
    let app = spawn_app().await;
    let t = two_tenants(&app).await;
    let (p1, w) = item(&app, t.alpha, "ONE-1", "WH1").await;
    let (p2, _) = item(&app, t.alpha, "ONE-2", "WH1").await;
    let (q1, _) = item(&app, t.alpha, "MANY-1", "WH1").await;
    let (q2, _) = item(&app, t.alpha, "MANY-2", "WH1").await;
    // The same start (on hand 10, 4 reserved; the second product has no level yet)
    // and the same interleaved sequence, one by one and in bulk.
    let sequence = |a: i64, b: i64| {
        vec![
            movement(a, w, MovementKind::Shipment, -3),
            movement(b, w, MovementKind::Receipt, 7),
            movement(a, w, MovementKind::Receipt, 5),
            movement(b, w, MovementKind::Shipment, -2),
            movement(a, w, MovementKind::Shipment, -8),
            movement(b, w, MovementKind::Adjustment, -5),
        ]
    };
    let mut tx = db::begin_tenant(&app.db, t.alpha).await.unwrap();
    for p in [p1, q1] {
        ledger::post(&mut tx, t.alpha, &movement(p, w, MovementKind::Receipt, 10)).await.unwrap();
        ledger::reserve(&mut tx, t.alpha, p, w, 4).await.unwrap();
    }
    for m in sequence(p1, p2) {
        ledger::post(&mut tx, t.alpha, &m).await.unwrap();
    }
    ledger::post_many(&mut tx, t.alpha, &sequence(q1, q2)).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(level(&app, t.alpha, q1, w).await, level(&app, t.alpha, p1, w).await);
    assert_eq!(level(&app, t.alpha, q1, w).await, (4, 4));
    assert_eq!(level(&app, t.alpha, q2, w).await, level(&app, t.alpha, p2, w).await);
    assert_eq!(history(&app, t.alpha, q1, w).await, history(&app, t.alpha, p1, w).await);
    assert_eq!(history(&app, t.alpha, q2, w).await, history(&app, t.alpha, p2, w).await);
    assert_eq!(
        history(&app, t.alpha, q2, w).await,
        vec![("receipt".to_owned(), 7, 7), ("shipment".to_owned(), -2, 5), ("adjustment".to_owned(), -5, 0)]
    );

    // A sequence that ends above what is reserved but dips below it on the way is
    // refused as a whole, as posting it one by one would refuse its third movement.
    let dips = [
        movement(q1, w, MovementKind::Receipt, 1),
        movement(q2, w, MovementKind::Receipt, 1),
        movement(q1, w, MovementKind::Shipment, -2),
        movement(q1, w, MovementKind::Receipt, 5),
    ];
    let mut tx = db::begin_tenant(&app.db, t.alpha).await.unwrap();
    let err = ledger::post_many(&mut tx, t.alpha, &dips).await.unwrap_err();
    assert!(matches!(err, LedgerError::Insufficient), "{err:?}");
    tx.rollback().await.unwrap();
    // Below zero likewise.
    let mut tx = db::begin_tenant(&app.db, t.alpha).await.unwrap();
    let err = ledger::post_many(&mut tx, t.alpha, &[movement(q2, w, MovementKind::Shipment, -1)]).await.unwrap_err();
    assert!(matches!(err, LedgerError::Insufficient), "{err:?}");
    tx.rollback().await.unwrap();
    assert_eq!(level(&app, t.alpha, q1, w).await, (4, 4));
    assert_eq!(history(&app, t.alpha, q1, w).await.len(), 4);

    // Another tenant's stock cannot be posted from this tenant's transaction.
    let (b, bw) = item(&app, t.beta, "BETA-1", "WB1").await;
    let mut tx = db::begin_tenant(&app.db, t.alpha).await.unwrap();
    let err = ledger::post_many(&mut tx, t.beta, &[movement(b, bw, MovementKind::Receipt, 3)]).await;
    assert!(err.is_err(), "posted into another tenant");
    tx.rollback().await.unwrap();
    let mut tx = db::begin_tenant(&app.db, t.beta).await.unwrap();
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM stock_movements").fetch_one(&mut *tx).await.unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(n, 0);
}
