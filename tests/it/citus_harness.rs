//! The harness's Citus mode: `YUNYING_TEST_CITUS=<socket dir>:<coordinator port>:<template>`
//! (deploy/citus/test.sh sets it) runs every test against a real Citus cluster
//! instead of the embedded PostgreSQL. The template database was migrated and
//! distributed (deploy/citus.sql) once; each test clones it under one new name on
//! every node (coordinator and workers): the Citus metadata, cloned with it, names
//! the same nodes and shards, so the clone is a distributed database of its own.

use std::path::PathBuf;
use std::sync::OnceLock;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Executor, PgPool};
use yunying::db::OWNER_ROLE;

pub struct Citus {
    pub socket_dir: PathBuf,
    /// The coordinator's port first, then the workers'.
    pub ports: Vec<u16>,
    pub template: String,
}

/// The cluster named by `YUNYING_TEST_CITUS`, if set.
pub fn cluster() -> Option<&'static Citus> {
    static CITUS: OnceLock<Option<Citus>> = OnceLock::new();
    CITUS
        .get_or_init(|| {
            let spec = std::env::var("YUNYING_TEST_CITUS").ok().filter(|s| !s.is_empty())?;
            Some(std::thread::spawn(move || init(&spec)).join().expect("Citus test cluster initialisation panicked"))
        })
        .as_ref()
}

/// Whether the tests run on Citus.
pub fn enabled() -> bool {
    cluster().is_some()
}

fn init(spec: &str) -> Citus {
    let mut parts = spec.rsplitn(3, ':');
    let template = parts.next().expect("template").to_string();
    let port: u16 =
        parts.next().and_then(|p| p.parse().ok()).expect("YUNYING_TEST_CITUS: <socket dir>:<port>:<template>");
    let socket_dir = PathBuf::from(parts.next().expect("socket dir"));
    let mut citus = Citus { socket_dir, ports: vec![port], template };
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    rt.block_on(async {
        // An earlier run left the template closed (below).
        let su = citus.superuser(0, "postgres").await;
        su.execute(format!("ALTER DATABASE \"{}\" ALLOW_CONNECTIONS true", citus.template).as_str())
            .await
            .expect("open the template");
        su.close().await;
        let su = citus.superuser(0, &citus.template).await;
        let workers: Vec<i32> =
            sqlx::query_scalar("SELECT nodeport FROM pg_dist_node WHERE groupid <> 0 ORDER BY nodeport")
                .fetch_all(&su)
                .await
                .expect("the template is a Citus coordinator's database with workers");
        su.close().await;
        citus.ports.extend(workers.into_iter().map(|p| p as u16));
        for node in 0..citus.ports.len() {
            let su = citus.superuser(node, "postgres").await;
            // A template may have no connections while it is cloned: none are allowed
            // (Citus's maintenance daemon keeps one otherwise), and the old ones go.
            let t = &citus.template;
            su.execute(format!("ALTER DATABASE \"{t}\" ALLOW_CONNECTIONS false").as_str())
                .await
                .expect("lock template");
            su.execute(
                format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{t}'").as_str(),
            )
            .await
            .expect("end the template's connections");
            // Leftovers of earlier runs.
            crate::helpers::drop_databases(&su, "SELECT datname FROM pg_database WHERE datname LIKE 'yy\\_t\\_%'")
                .await;
            su.close().await;
        }
    });
    citus
}

impl Citus {
    pub fn connect_options(&self, node: usize, user: &str, database: &str) -> PgConnectOptions {
        PgConnectOptions::new()
            .socket(&self.socket_dir)
            .port(self.ports[node])
            .username(user)
            .database(database)
            .application_name("yunying")
    }

    async fn superuser(&self, node: usize, database: &str) -> PgPool {
        PgPoolOptions::new()
            .max_connections(1)
            .connect_with(self.connect_options(node, "postgres", database))
            .await
            .expect("superuser connects to a Citus node")
    }

    /// The template cloned as `name` on every node.
    pub async fn clone_template(&self, name: &str) {
        for node in 0..self.ports.len() {
            let su = self.superuser(node, "postgres").await;
            let sql = format!("CREATE DATABASE \"{name}\" TEMPLATE \"{}\" OWNER {OWNER_ROLE}", self.template);
            // Two clones of one template at the same instant may collide; retry.
            let mut tries = 0;
            while let Err(e) = su.execute(sql.as_str()).await {
                tries += 1;
                assert!(tries < 50, "clone the template on node {node}: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            // A clone does not inherit the template's `ALTER DATABASE … SET`s
            // (deploy/citus.sql's citus.propagate_set_commands among them).
            let settings: Vec<String> = sqlx::query_scalar(
                "SELECT unnest(s.setconfig) FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase
                 WHERE d.datname = $1 AND s.setrole = 0",
            )
            .bind(&self.template)
            .fetch_all(&su)
            .await
            .expect("the template's settings");
            for setting in settings {
                let (key, value) = setting.split_once('=').expect("name=value");
                let value = value.replace('\'', "''");
                su.execute(format!("ALTER DATABASE \"{name}\" SET {key} = '{value}'").as_str())
                    .await
                    .expect("a template setting on the clone");
            }
            su.close().await;
        }
    }
}

/// Drops a test's database on every node when its [`TestApp`](super::TestApp) goes
/// (a field of it), so that a run keeps only the databases of the running tests: each
/// clone holds every shard of a worker (~100 tables), and hundreds of them filled the
/// disk. The drop runs on a thread of its own (the test's runtime may be ending);
/// what a process leaves at its exit, the next run's [`init`] drops.
pub struct Reap(pub String);

impl Drop for Reap {
    fn drop(&mut self) {
        if let Some(citus) = cluster() {
            citus.reap(std::mem::take(&mut self.0));
        }
    }
}

impl Citus {
    fn reap(&'static self, name: String) {
        static REAPER: OnceLock<std::sync::Mutex<std::sync::mpsc::Sender<String>>> = OnceLock::new();
        let tx = REAPER.get_or_init(|| {
            let (tx, rx) = std::sync::mpsc::channel::<String>();
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
                while let Ok(name) = rx.recv() {
                    rt.block_on(self.drop_everywhere(&name));
                }
            });
            std::sync::Mutex::new(tx)
        });
        let _ = tx.lock().expect("reaper").send(name);
    }

    /// `DROP DATABASE … WITH (FORCE)` on the coordinator (its backends hold the
    /// connections to the workers), then on each worker.
    async fn drop_everywhere(&self, name: &str) {
        for node in 0..self.ports.len() {
            let su = self.superuser(node, "postgres").await;
            if let Err(e) = su.execute(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").as_str()).await {
                eprintln!("citus harness: drop {name} on node {node}: {e}");
            }
            su.close().await;
        }
    }
}
