//! Database-level guarantees: roles, row-level security on every tenant table,
//! transaction-local tenant setting, append-only audit log.

use sqlx::postgres::PgPoolOptions;
use sqlx::Row;

use crate::helpers::{spawn_app, two_tenants};
use yunying::db;

#[tokio::test]
async fn runtime_role_is_unprivileged_and_owns_nothing() {
    let app = spawn_app().await;
    let (user, superuser, bypass, createrole): (String, bool, bool, bool) = sqlx::query_as(
        "SELECT rolname::text, rolsuper, rolbypassrls, rolcreaterole FROM pg_roles WHERE rolname = current_user",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(user, "yunying_app");
    assert!(!superuser, "runtime role must not be superuser");
    assert!(!bypass, "runtime role must not have BYPASSRLS");
    assert!(!createrole);
    let owned: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user) AND n.nspname IN ('public', 'app')",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(owned, 0, "the runtime role owns no table");
}

#[tokio::test]
async fn every_table_with_tenant_id_has_forced_rls_and_a_policy() {
    let app = spawn_app().await;
    let rows = sqlx::query(
        "SELECT c.relname::text AS name, c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced,
                (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) AS policies,
                (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid
                   AND pg_get_expr(p.polqual, p.polrelid) LIKE '%current_tenant()%'
                   AND pg_get_expr(p.polwithcheck, p.polrelid) LIKE '%current_tenant()%') AS tenant_policies
         FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
         WHERE c.relkind IN ('r', 'p') AND n.nspname = 'public'
         ORDER BY 1",
    )
    .fetch_all(&app.owner)
    .await
    .unwrap();
    let names: Vec<String> = rows.iter().map(|r| r.get("name")).collect();
    for required in ["audit_log", "departments", "sessions", "users"] {
        assert!(names.iter().any(|n| n == required), "{required} is a tenant table: {names:?}");
    }
    for r in &rows {
        let name: String = r.get("name");
        assert!(r.get::<bool, _>("enabled"), "{name}: RLS not enabled");
        assert!(r.get::<bool, _>("forced"), "{name}: RLS not forced");
        assert!(r.get::<i64, _>("policies") > 0, "{name}: no policy");
        assert!(r.get::<i64, _>("tenant_policies") > 0, "{name}: no tenant policy with USING and WITH CHECK");
    }
    // tenant_id leads every primary key and unique constraint of those tables.
    let bad: Vec<String> = sqlx::query_scalar(
        "SELECT con.conname::text FROM pg_constraint con
         JOIN pg_class c ON c.oid = con.conrelid
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id'
         WHERE con.contype IN ('p', 'u', 'f') AND NOT (a.attnum = ANY (con.conkey))
           AND NOT (con.contype = 'f' AND con.confrelid = 'tenants'::regclass)",
    )
    .fetch_all(&app.owner)
    .await
    .unwrap();
    assert!(bad.is_empty(), "keys without tenant_id: {bad:?}");
    let bad_unique_indexes: Vec<String> = sqlx::query_scalar(
        "SELECT i.indexrelid::regclass::text FROM pg_index i
         JOIN pg_class c ON c.oid = i.indrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id'
         WHERE i.indisunique AND NOT (a.attnum = ANY (i.indkey::int2[]))",
    )
    .fetch_all(&app.owner)
    .await
    .unwrap();
    assert!(bad_unique_indexes.is_empty(), "unique indexes without tenant_id: {bad_unique_indexes:?}");
}

#[tokio::test]
async fn with_tenant_a_set_tenant_b_is_invisible_and_unwritable() {
    let app = spawn_app().await;
    let t = two_tenants(&app).await;
    let mut tx = db::begin_tenant(&app.db, t.alpha).await.unwrap();
    let tenants: Vec<i64> =
        sqlx::query_scalar("SELECT DISTINCT tenant_id FROM users").fetch_all(&mut *tx).await.unwrap();
    assert_eq!(tenants, vec![t.alpha]);
    // Even asking for B's rows by id and tenant finds nothing.
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE tenant_id = $1 AND id = $2")
        .bind(t.beta)
        .bind(t.beta_specialist)
        .fetch_optional(&mut *tx)
        .await
        .unwrap();
    assert_eq!(found, None);
    let updated = sqlx::query("UPDATE users SET display_name = 'x' WHERE tenant_id = $1")
        .bind(t.beta)
        .execute(&mut *tx)
        .await
        .unwrap()
        .rows_affected();
    assert_eq!(updated, 0);
    let err = sqlx::query("INSERT INTO audit_log (tenant_id, actor_name, action) VALUES ($1, 'intruder', 'x')")
        .bind(t.beta)
        .execute(&mut *tx)
        .await
        .expect_err("an insert with B's tenant_id is rejected");
    let code = err.as_database_error().and_then(|e| e.code()).map(|c| c.into_owned());
    assert_eq!(code.as_deref(), Some("42501"), "row-level security violation: {err}");
    tx.rollback().await.unwrap();
    // With no tenant set, nothing is visible at all.
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(&app.db).await.unwrap();
    assert_eq!(n, 0);
}

#[tokio::test]
async fn tenant_setting_does_not_outlive_its_transaction_on_a_pooled_connection() {
    let app = spawn_app().await;
    let t = two_tenants(&app).await;
    let opts = app.db.connect_options();
    let one = PgPoolOptions::new().max_connections(1).connect_with((*opts).clone()).await.unwrap();
    let pid_a: i32 = {
        let mut tx = db::begin_tenant(&one, t.alpha).await.unwrap();
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(&mut *tx).await.unwrap();
        assert!(n > 0);
        let pid = sqlx::query_scalar("SELECT pg_backend_pid()").fetch_one(&mut *tx).await.unwrap();
        tx.commit().await.unwrap();
        pid
    };
    let mut tx = one.begin().await.unwrap();
    let pid_b: i32 = sqlx::query_scalar("SELECT pg_backend_pid()").fetch_one(&mut *tx).await.unwrap();
    assert_eq!(pid_a, pid_b, "the same pooled connection");
    let setting: Option<String> = sqlx::query_scalar("SELECT nullif(current_setting('app.tenant_id', true), '')")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(setting, None);
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(&mut *tx).await.unwrap();
    assert_eq!(n, 0, "the next transaction sees no tenant's rows");
    tx.rollback().await.unwrap();
    // A rolled-back transaction does not leak it either.
    let tx = db::begin_tenant(&one, t.beta).await.unwrap();
    tx.rollback().await.unwrap();
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(&one).await.unwrap();
    assert_eq!(n, 0);
}

#[tokio::test]
async fn runtime_role_cannot_rewrite_the_audit_log() {
    let app = spawn_app().await;
    let t = two_tenants(&app).await;
    // Produce an audit row through the application.
    let _c = app.signed_in("alpha", "director").await;
    let mut tx = db::begin_tenant(&app.db, t.alpha).await.unwrap();
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log").fetch_one(&mut *tx).await.unwrap();
    assert!(n >= 1);
    let err = sqlx::query("UPDATE audit_log SET summary = 'rewritten'")
        .execute(&mut *tx)
        .await
        .expect_err("UPDATE is not granted");
    assert!(err.to_string().contains("permission denied"), "{err}");
    tx.rollback().await.unwrap();
    let mut tx = db::begin_tenant(&app.db, t.alpha).await.unwrap();
    let err = sqlx::query("DELETE FROM audit_log").execute(&mut *tx).await.expect_err("DELETE is not granted");
    assert!(err.to_string().contains("permission denied"), "{err}");
    tx.rollback().await.unwrap();
    let mut tx = db::begin_tenant(&app.db, t.alpha).await.unwrap();
    let after: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log").fetch_one(&mut *tx).await.unwrap();
    assert_eq!(after, n);
}

#[tokio::test]
async fn sessions_are_readable_before_the_tenant_only_by_their_token() {
    let app = spawn_app().await;
    let _t = two_tenants(&app).await;
    let _c = app.signed_in("alpha", "director").await;
    // Without the token hash, no session row is visible.
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions").fetch_one(&app.db).await.unwrap();
    assert_eq!(n, 0);
    let mut tx = app.db.begin().await.unwrap();
    sqlx::query("SELECT set_config('app.session_token', repeat('ab', 32), true)").execute(&mut *tx).await.unwrap();
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions").fetch_one(&mut *tx).await.unwrap();
    assert_eq!(n, 0, "a wrong token hash shows nothing");
    tx.rollback().await.unwrap();
}

#[tokio::test]
async fn the_session_lookup_function_leaves_no_setting_behind() {
    let app = spawn_app().await;
    let _t = two_tenants(&app).await;
    let login = app.client().login("alpha", "director", crate::helpers::PASSWORD).await;
    let token = crate::helpers::Client::session_cookie(&login).expect("cookie");
    let opts = app.db.connect_options();
    let one = PgPoolOptions::new().max_connections(1).connect_with((*opts).clone()).await.unwrap();
    let found: Option<String> = sqlx::query_scalar("SELECT username FROM app.session_lookup($1)")
        .bind(yunying::auth::session::token_hash(&token))
        .fetch_optional(&one)
        .await
        .unwrap();
    assert_eq!(found.as_deref(), Some("director"));
    let (tenant, session): (Option<String>, Option<String>) = sqlx::query_as(
        "SELECT nullif(current_setting('app.tenant_id', true), ''), nullif(current_setting('app.session_token', true), '')",
    )
    .fetch_one(&one)
    .await
    .unwrap();
    assert_eq!((tenant, session), (None, None), "both settings ended with the lookup's statement");
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(&one).await.unwrap();
    assert_eq!(n, 0);
    // A wrong token finds nothing.
    let none: Option<String> = sqlx::query_scalar("SELECT username FROM app.session_lookup($1)")
        .bind(yunying::auth::session::token_hash("x"))
        .fetch_optional(&one)
        .await
        .unwrap();
    assert_eq!(none, None);
}
