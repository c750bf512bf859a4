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

/// The one predicate every tenant table's policy has, as `pg_get_expr` prints it for
/// the migrations' `tenant_id = (SELECT app.current_tenant())`.
const TENANT_PREDICATE: &str = "(tenant_id = ( SELECT app.current_tenant() AS current_tenant))";

/// Policies allowed besides the tenant policy: (table, policy, command, USING,
/// WITH CHECK), exactly as the catalog shows them. Sessions are read before the
/// tenant is known by the hash of their token (migration 0001), and only read.
const EXTRA_POLICIES: &[(&str, &str, &str, &str, Option<&str>)] = &[(
    "sessions",
    "session_by_token",
    "r",
    "(token_hash = ( SELECT app.current_session_token() AS current_session_token))",
    None,
)];

fn normalized(expr: &str) -> String {
    expr.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One row of `pg_policy`, readable.
#[derive(sqlx::FromRow)]
struct Policy {
    table_name: String,
    name: String,
    cmd: String,
    permissive: bool,
    public: bool,
    qual: Option<String>,
    with_check: Option<String>,
}

/// What is wrong with row-level security on the tables that have a `tenant_id`
/// column (outside the system schemas), one line per problem, each naming its
/// table (and policy): RLS enabled and forced; exactly one tenant policy, every policy
/// permissive, for all commands and every role, with USING and WITH CHECK exactly
/// [`TENANT_PREDICATE`]; no other policy but the [`EXTRA_POLICIES`].
async fn rls_problems(conn: &mut sqlx::PgConnection) -> Vec<String> {
    let tables: Vec<(String, bool, bool)> = sqlx::query_as(
        "SELECT c.oid::regclass::text, c.relrowsecurity, c.relforcerowsecurity
         FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
         WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
           AND n.nspname NOT LIKE 'pg\\_%'
         ORDER BY 1",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    let policies: Vec<Policy> = sqlx::query_as(
        "SELECT p.polrelid::regclass::text AS table_name, p.polname::text AS name, p.polcmd::text AS cmd,
                p.polpermissive AS permissive, p.polroles = '{0}'::oid[] AS public,
                pg_get_expr(p.polqual, p.polrelid) AS qual, pg_get_expr(p.polwithcheck, p.polrelid) AS with_check
         FROM pg_policy p ORDER BY 1, 2",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    let mut problems = Vec::new();
    for (table, enabled, forced) in &tables {
        if !enabled {
            problems.push(format!("{table}: RLS not enabled"));
        }
        if !forced {
            problems.push(format!("{table}: RLS not forced"));
        }
        let mut tenant_policies = 0;
        for Policy { name, cmd, permissive, public, qual, with_check, .. } in
            policies.iter().filter(|p| &p.table_name == table)
        {
            let qual = qual.as_deref().map(normalized);
            let check = with_check.as_deref().map(normalized);
            let extra = EXTRA_POLICIES.iter().find(|e| e.0 == table && e.1 == name);
            let expected = match extra {
                Some(&(_, _, cmd, using, with_check)) => (cmd, Some(using), with_check),
                None => ("*", Some(TENANT_PREDICATE), Some(TENANT_PREDICATE)),
            };
            let got = (cmd.as_str(), qual.as_deref(), check.as_deref());
            if !permissive || !public || got != expected {
                let what = if extra.is_some() { "the allowed extra policy" } else { "exactly the tenant predicate" };
                let kind = if *permissive { "permissive" } else { "restrictive" };
                let roles = if *public { "every role" } else { "some roles only" };
                problems.push(format!(
                    "{table}: policy {name} is not {what}: {kind}, {roles}, command {cmd}, USING {qual:?}, WITH CHECK {check:?}"
                ));
            } else if extra.is_none() {
                tenant_policies += 1;
            }
        }
        match tenant_policies {
            1 => {}
            0 => problems.push(format!("{table}: no tenant policy")),
            n => problems.push(format!("{table}: {n} tenant policies, one expected")),
        }
    }
    problems
}

#[tokio::test]
async fn every_table_with_tenant_id_has_forced_rls_and_exactly_the_tenant_policy() {
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
    // Exactly the tenant predicate, nothing looser beside it.
    let mut conn = app.owner.acquire().await.unwrap();
    let problems = rls_problems(&mut conn).await;
    assert!(problems.is_empty(), "row-level security problems: {problems:#?}");
    drop(conn);
    // The check can fail: scratch tables, each wrong in one way, created by the owner
    // in a transaction that is rolled back.
    let mut tx = app.owner.begin().await.unwrap();
    let tenant = "(SELECT app.current_tenant())";
    for sql in [
        "CREATE TABLE scratch_good (tenant_id bigint NOT NULL)".to_owned(),
        format!("CREATE POLICY tenant_isolation ON scratch_good USING (tenant_id = {tenant}) WITH CHECK (tenant_id = {tenant})"),
        "CREATE TABLE scratch_leaky (tenant_id bigint NOT NULL)".to_owned(),
        format!("CREATE POLICY tenant_isolation ON scratch_leaky USING (tenant_id = app.current_tenant() OR true) WITH CHECK (tenant_id = {tenant})"),
        "CREATE TABLE scratch_unforced (tenant_id bigint NOT NULL)".to_owned(),
        format!("CREATE POLICY tenant_isolation ON scratch_unforced USING (tenant_id = {tenant}) WITH CHECK (tenant_id = {tenant})"),
        "CREATE TABLE scratch_extra (tenant_id bigint NOT NULL)".to_owned(),
        format!("CREATE POLICY tenant_isolation ON scratch_extra USING (tenant_id = {tenant}) WITH CHECK (tenant_id = {tenant})"),
        "CREATE POLICY peek ON scratch_extra FOR SELECT USING (true)".to_owned(),
        "CREATE TABLE scratch_select_only (tenant_id bigint NOT NULL)".to_owned(),
        format!("CREATE POLICY tenant_isolation ON scratch_select_only FOR SELECT USING (tenant_id = {tenant})"),
        "CREATE TABLE scratch_restrictive (tenant_id bigint NOT NULL)".to_owned(),
        format!("CREATE POLICY tenant_isolation ON scratch_restrictive AS RESTRICTIVE USING (tenant_id = {tenant}) WITH CHECK (tenant_id = {tenant})"),
        "CREATE TABLE scratch_no_check (tenant_id bigint NOT NULL)".to_owned(),
        format!("CREATE POLICY tenant_isolation ON scratch_no_check USING (tenant_id = {tenant}) WITH CHECK (true)"),
        "CREATE TABLE scratch_none (tenant_id bigint NOT NULL)".to_owned(),
    ] {
        sqlx::query(&sql).execute(&mut *tx).await.unwrap();
    }
    for table in [
        "scratch_good",
        "scratch_leaky",
        "scratch_unforced",
        "scratch_extra",
        "scratch_select_only",
        "scratch_restrictive",
        "scratch_no_check",
        "scratch_none",
    ] {
        sqlx::query(&format!("ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")).execute(&mut *tx).await.unwrap();
        if table != "scratch_unforced" {
            sqlx::query(&format!("ALTER TABLE {table} FORCE ROW LEVEL SECURITY")).execute(&mut *tx).await.unwrap();
        }
    }
    let mut problems = rls_problems(&mut tx).await;
    tx.rollback().await.unwrap();
    let expected = [
        ("scratch_leaky: policy tenant_isolation is not exactly the tenant predicate", "OR true"),
        ("scratch_leaky: no tenant policy", ""),
        ("scratch_unforced: RLS not forced", ""),
        ("scratch_extra: policy peek is not exactly the tenant predicate", "command r"),
        ("scratch_select_only: policy tenant_isolation is not exactly the tenant predicate", "WITH CHECK None"),
        ("scratch_select_only: no tenant policy", ""),
        ("scratch_restrictive: policy tenant_isolation is not exactly the tenant predicate", "restrictive"),
        ("scratch_restrictive: no tenant policy", ""),
        ("scratch_no_check: policy tenant_isolation is not exactly the tenant predicate", "WITH CHECK Some(\"true\")"),
        ("scratch_no_check: no tenant policy", ""),
        ("scratch_none: no tenant policy", ""),
    ];
    for (start, fragment) in expected {
        let at = problems.iter().position(|p| p.starts_with(start) && p.contains(fragment));
        let at = at.unwrap_or_else(|| panic!("not reported: {start} … {fragment}; reported: {problems:#?}"));
        problems.remove(at);
    }
    assert!(problems.is_empty(), "reported beyond the scratch tables' faults: {problems:#?}");
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
