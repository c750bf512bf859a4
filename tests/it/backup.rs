//! `yunying backup` and `yunying restore` (issue 14 part 5): a demo database
//! backed up while the server serves, restored into a fresh data directory, has
//! every table's rows (and every sequence) as they were, and the restored app
//! serves a login; a data directory that is not empty is refused.

use std::sync::Arc;

use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;
use yunying::db::embedded::{Cluster, Tuning};

use crate::helpers::Client;
use crate::spawn::{self, DataDir, Server};

/// The superuser of a data directory's running embedded cluster (sees every
/// tenant's rows: row-level security does not apply to it).
pub async fn superuser(data: &DataDir) -> PgPool {
    let root = data.pgdata().parent().and_then(|p| p.parent()).expect("pgdata is DATA/pg/data").to_path_buf();
    let cluster = Cluster::new(&root, Tuning::Durable).expect("cluster layout");
    PgPoolOptions::new()
        .max_connections(1)
        .connect_with(cluster.connect_options("postgres", yunying::db::DATABASE))
        .await
        .expect("the superuser connects to the embedded cluster")
}

/// Every table (but `except`) with its row count and the md5 of its rows in order.
pub async fn digests(pool: &PgPool, except: &[&str]) -> Vec<(String, i64, String)> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables
         WHERE schemaname NOT IN ('pg_catalog', 'information_schema') AND NOT tablename = ANY ($1) ORDER BY 1",
    )
    .bind(except)
    .fetch_all(pool)
    .await
    .expect("list the tables");
    let mut out = Vec::new();
    for table in tables {
        let (rows, md5): (i64, String) = sqlx::query_as(&format!(
            "SELECT count(*), coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '') FROM {table} t"
        ))
        .fetch_one(pool)
        .await
        .unwrap_or_else(|e| panic!("digest of {table}: {e}"));
        out.push((table, rows, md5));
    }
    out
}

/// Every sequence with its last value (after a crash PostgreSQL moves them ahead:
/// it logs 32 values at a time).
pub async fn sequences(pool: &PgPool) -> Vec<(String, i64)> {
    sqlx::query_as(
        "SELECT format('%I.%I', schemaname, sequencename), coalesce(last_value, 0) FROM pg_sequences ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .expect("sequences")
}

/// Every sequence of `after` at or past its value in `before`: no id is given twice.
pub fn assert_not_behind(before: &[(String, i64)], after: &[(String, i64)]) {
    assert_eq!(before.len(), after.len(), "the same sequences");
    for ((name, b), (name2, a)) in before.iter().zip(after) {
        assert!(name == name2 && a >= b, "{name}: {b} before, {name2}: {a} after");
    }
}

/// A browser-like client (own cookie jar, redirects not followed) for `base`.
pub fn browser(base: &str) -> Client {
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .expect("client");
    Client { http, base: base.to_owned() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_demo_database_round_trips_through_backup_and_restore_and_serves_a_login() {
    let source = Arc::new(DataDir::new());
    let out = spawn::run_cli(
        &source,
        &["demo", "--tenants", "2", "--employees", "8", "--products", "20", "--orders", "40"],
        None,
    );
    assert!(out.status.success(), "{out}");

    // Backed up while the server serves (pg_dump reads one snapshot).
    let mut server = Server::start_in(source.clone());
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("yunying.dump");
    let file_arg = file.display().to_string();
    let out = spawn::run_cli(&source, &["backup", "--out", &file_arg], None);
    assert!(out.status.success(), "{out}\n{}", server.logs());
    assert!(out.stdout.contains("backup written to"), "{out}");
    assert!(std::fs::metadata(&file).expect("the backup file").len() > 10_000);
    let su = superuser(&source).await;
    let before = digests(&su, &[]).await;
    let sequences_before = sequences(&su).await;
    su.close().await;
    assert!(server.terminate().success(), "{}", server.logs());

    let filled = |table: &str| before.iter().any(|(t, rows, _)| t == table && *rows > 0);
    assert!(
        ["public.orders", "public.users", "public.employees", "public.audit_log", "public._sqlx_migrations"]
            .iter()
            .all(|t| filled(t)),
        "the demo filled its tables: {before:?}"
    );

    // Not into a data directory in use: refused, clearly, and nothing changes.
    let out = spawn::run_cli(&source, &["restore", &file_arg], None);
    assert!(!out.status.success(), "restore into a non-empty data directory must fail\n{out}");
    assert!(out.stderr.contains("is not empty") && out.stderr.contains("YUNYING_DATA_DIR"), "{out}");
    // Not a file that is no backup.
    let bogus = dir.path().join("not-a-backup");
    std::fs::write(&bogus, "hello").expect("write");
    let target = Arc::new(DataDir::new());
    let out = spawn::run_cli(&target, &["restore", &bogus.display().to_string()], None);
    assert!(!out.status.success() && out.stderr.contains("is not a backup"), "{out}");
    assert_eq!(std::fs::read_dir(target.pgdata().parent().unwrap().parent().unwrap()).unwrap().count(), 0);

    // Into a fresh data directory: every table as it was.
    let out = spawn::run_cli(&target, &["restore", &file_arg], None);
    assert!(out.status.success(), "{out}");
    assert!(out.stdout.contains("restored"), "{out}");
    let mut restored = Server::start_in(target.clone());
    assert!(!restored.stdout().contains("company code:"), "no new demo on a restored database\n{}", restored.logs());
    let su = superuser(&target).await;
    let after = digests(&su, &[]).await;
    assert_eq!(after, before, "every table as backed up");
    assert_eq!(sequences(&su).await, sequences_before, "every sequence as backed up");
    su.close().await;

    let c = browser(&restored.url);
    let res = c.login("demo", "admin", yunying::demo::DEMO_PASSWORD).await;
    assert_eq!(res.status, 303, "the restored app signs the demo admin in: {}", res.body);
    let home = c.get("/").await;
    assert_eq!(home.status, 200, "{}", home.body);
    assert!(restored.terminate().success(), "{}", restored.logs());
}
