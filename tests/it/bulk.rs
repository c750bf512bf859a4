//! Bulk loads (db::bulk): the order tables' foreign keys and secondary indexes set
//! aside while they are empty and filled, and put back exactly — by the load itself,
//! or by the next command when the load was cut short.

use sqlx::PgPool;
use yunying::db::{self, bulk};
use yunying::orders::demo::TABLES;

use crate::helpers::{spawn_app, two_tenants};
use crate::orders::{order, shop};

/// Every foreign key and index of the order tables, as the catalog defines them,
/// and whether each key is validated.
async fn schema(owner: &PgPool) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT format('%s %s %s %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid), c.convalidated)
         FROM pg_constraint c WHERE c.conrelid = ANY ($1::text[]::regclass[]) AND c.contype IN ('f', 'p', 'u')
         UNION ALL
         SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = ANY ($1::text[]::regclass[])
         UNION ALL
         SELECT format('trigger %s %s %s', g.tgrelid::regclass, g.tgname, g.tgenabled) FROM pg_trigger g
         WHERE g.tgrelid = ANY ($1::text[]::regclass[]) AND NOT g.tgisinternal
         ORDER BY 1",
    )
    .bind(TABLES)
    .fetch_all(owner)
    .await
    .unwrap()
}

/// Whether row-level security is still forced on every order table (and users).
async fn forced(owner: &PgPool) -> bool {
    sqlx::query_scalar(
        "SELECT bool_and(relforcerowsecurity) FROM pg_class WHERE oid = ANY (($1::text[] || '{users}')::regclass[])",
    )
    .bind(TABLES)
    .fetch_one(owner)
    .await
    .unwrap()
}

/// Order search terms that are not exactly those of the tenant's orders (missing
/// or extra), as the orders' triggers define them (migration 0021).
async fn wrong_order_terms(app: &crate::helpers::TestApp, tenant: i64) -> i64 {
    app.scalar_i64(
        tenant,
        "WITH want AS (SELECT n.tenant_id, 'order'::text AS kind, t AS term, n.order_no AS sort_key, n.id FROM orders n,
                        app.search_terms_of(ARRAY[n.order_no, n.phone, n.phone_tail], ARRAY[n.receiver]) AS t),
              have AS (SELECT tenant_id, kind, term::text, sort_key, id FROM search_terms WHERE kind = 'order')
         SELECT (SELECT count(*) FROM (SELECT * FROM want EXCEPT SELECT * FROM have) a)
              + (SELECT count(*) FROM (SELECT * FROM have EXCEPT SELECT * FROM want) b)",
    )
    .await
}

async fn recorded(owner: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM app.bulk_set_aside").fetch_one(owner).await.unwrap()
}

#[tokio::test]
async fn keys_and_indexes_set_aside_for_a_load_come_back_exactly() {
    let app = spawn_app().await;
    let before = schema(&app.owner).await;
    assert!(before.iter().any(|d| d.contains("order_events_tenant_id_order_id_fkey")), "{before:#?}");
    assert!(before.iter().any(|d| d.contains("orders_status_idx")), "{before:#?}");

    assert!(bulk::set_aside(&app.owner, TABLES).await.unwrap(), "the order tables are empty");
    let during = schema(&app.owner).await;
    assert!(!during.iter().any(|d| d.contains("FOREIGN KEY")), "no foreign key left: {during:#?}");
    assert!(!during.iter().any(|d| d.contains("orders_status_idx")), "secondary indexes dropped: {during:#?}");
    for trigger in ["orders_search_terms_inserted", "orders_search_terms"] {
        assert!(during.iter().any(|d| d == &format!("trigger orders {trigger} D")), "{trigger} off: {during:#?}");
    }
    for kept in ["orders_pkey", "orders_tenant_id_platform_order_no_key", "order_holds_active_idx"] {
        assert!(during.iter().any(|d| d.contains(kept)), "{kept} stays (a rule of the data): {during:#?}");
    }
    // Keys and indexes gone from the list; the two triggers still in it, disabled.
    assert_eq!(recorded(&app.owner).await as usize, before.len() - during.len() + 2);

    let done = bulk::put_back(&app.owner).await.unwrap();
    assert_eq!((done.restored, done.invalid.len()), (before.len() - during.len() + 2, 0), "and two triggers");
    assert_eq!(schema(&app.owner).await, before, "the same keys (validated) and indexes");
    assert!(forced(&app.owner).await, "row-level security forced again after the validation");
    assert_eq!(recorded(&app.owner).await, 0);
    assert_eq!(bulk::put_back(&app.owner).await.unwrap().restored, 0, "nothing more to put back");
}

#[tokio::test]
async fn a_load_cut_short_is_repaired_by_the_next_command() {
    let app = spawn_app().await;
    let before = schema(&app.owner).await;
    assert!(bulk::set_aside(&app.owner, TABLES).await.unwrap());
    assert_ne!(schema(&app.owner).await, before);
    // The process that set them aside died; any command runs the migrations first.
    let out = app.cli(&["migrate"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(schema(&app.owner).await, before);
    assert_eq!(recorded(&app.owner).await, 0);
}

#[tokio::test]
async fn tables_that_hold_rows_are_loaded_the_ordinary_way() {
    let app = spawn_app().await;
    let out = app.cli(&["demo", "--tenants", "1", "--employees", "10", "--products", "50", "--orders", "30"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let before = schema(&app.owner).await;
    assert!(before.iter().all(|d| !d.ends_with(" false")), "the demo's keys are validated: {before:#?}");
    let demo: i64 =
        sqlx::query_scalar("SELECT id FROM tenants WHERE code = 'demo'").fetch_one(&app.owner).await.unwrap();
    assert!(app.scalar_i64(demo, "SELECT count(*) FROM search_terms WHERE kind = 'order'").await > 60);
    assert_eq!(wrong_order_terms(&app, demo).await, 0, "the bulk load's terms are the triggers' terms");
    assert!(!bulk::set_aside(&app.owner, TABLES).await.unwrap(), "orders exist");
    assert_eq!(schema(&app.owner).await, before, "nothing dropped");
    assert_eq!(recorded(&app.owner).await, 0);
    // A second demo tenant goes the ordinary way and keeps every key.
    let out = app.cli(&["demo", "--tenants", "2", "--employees", "10", "--products", "50", "--orders", "30"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(schema(&app.owner).await, before);
    let demo2: i64 =
        sqlx::query_scalar("SELECT id FROM tenants WHERE code = 'demo2'").fetch_one(&app.owner).await.unwrap();
    assert_eq!(wrong_order_terms(&app, demo2).await, 0, "and the ordinary path's");
}

#[tokio::test]
async fn a_row_written_meanwhile_that_breaks_a_key_fails_the_put_back_and_the_key_still_checks() {
    let app = spawn_app().await;
    let t = two_tenants(&app).await;
    assert!(bulk::set_aside(&app.owner, TABLES).await.unwrap());
    let insert_event = |order_id: i64| {
        let pool = app.db.clone();
        async move {
            let mut tx = db::begin_tenant(&pool, t.alpha).await.unwrap();
            let done = sqlx::query(
                "INSERT INTO order_events (tenant_id, order_id, kind, actor_name) VALUES ($1, $2, 'note', 'x')",
            )
            .bind(t.alpha)
            .bind(order_id)
            .execute(&mut *tx)
            .await;
            match done {
                Ok(_) => tx.commit().await.map(|_| ()),
                Err(e) => Err(e),
            }
        }
    };
    insert_event(987_654).await.expect("no key checks it while set aside");
    let done = bulk::put_back(&app.owner).await.unwrap();
    assert!(done.restored > 0);
    assert_eq!(done.invalid.len(), 1, "{:?}", done.invalid);
    assert!(done.invalid[0].contains("order_events_tenant_id_order_id_fkey"), "{:?}", done.invalid);
    let key: bool = sqlx::query_scalar(
        "SELECT convalidated FROM pg_constraint WHERE conname = 'order_events_tenant_id_order_id_fkey'",
    )
    .fetch_one(&app.owner)
    .await
    .unwrap();
    assert!(!key, "back, NOT VALID");
    assert!(forced(&app.owner).await);
    let err = insert_event(987_655).await.expect_err("new rows are checked again");
    assert!(err.to_string().contains("order_events_tenant_id_order_id_fkey"), "{err}");
    assert_eq!(recorded(&app.owner).await, 0, "everything recorded was put back");
    // The next command still starts (the broken key is reported, not fatal).
    let out = app.cli(&["migrate"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[tokio::test]
async fn orders_written_meanwhile_are_searchable_after_the_put_back() {
    let s = shop().await;
    assert!(bulk::set_aside(&s.app.owner, TABLES).await.unwrap(), "no order yet");
    let id = order(&s, "TB-WINDOW-1", false).await;
    assert_eq!(
        s.app.scalar_i64(s.t.alpha, "SELECT count(*) FROM search_terms WHERE kind = 'order'").await,
        0,
        "the terms' triggers are off while set aside"
    );
    bulk::put_back(&s.app.owner).await.unwrap();
    assert_eq!(wrong_order_terms(&s.app, s.t.alpha).await, 0);
    let page = s.ops.get("/orders?q=tb-window-1").await;
    assert!(page.body.contains(&format!("data-order=\"{id}\"")), "found by its number: {}", page.body);
    // And the triggers index new orders again.
    let next = order(&s, "TB-AFTER-2", false).await;
    assert_eq!(wrong_order_terms(&s.app, s.t.alpha).await, 0);
    assert!(s.ops.get("/orders?q=tb-after-2").await.body.contains(&format!("data-order=\"{next}\"")));
}
