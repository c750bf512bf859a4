//! Pools, roles, migrations and tenant transactions.
//!
//! Two roles: the *owner* runs migrations and owns every table; the *runtime* role
//! `yunying_app` is what the server's pool uses — not superuser, no BYPASSRLS, owns
//! nothing. Every request's tenant work runs in a transaction opened by
//! [`begin_tenant`], which sets `app.tenant_id` with `SET LOCAL` so the
//! setting dies with the transaction and never leaks through a pooled connection.

pub mod bulk;
pub mod embedded;
pub mod like;
pub mod numbers;
pub mod search;
pub mod watchdog;

use std::time::Duration;

use anyhow::Context;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Executor, PgPool, Postgres, QueryBuilder};

use crate::config::Settings;
use embedded::{Cluster, Tuning};

/// The runtime role's name (also used in the migrations' GRANTs).
pub const APP_ROLE: &str = "yunying_app";
/// The owner role of the embedded cluster.
pub const OWNER_ROLE: &str = "yunying_owner";
/// The database of the embedded cluster.
pub const DATABASE: &str = "yunying";

pub type Tx = sqlx::Transaction<'static, Postgres>;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The two pools, and the embedded cluster when we run one.
pub struct Database {
    /// Runtime role: what the web server and the business code use.
    pub app: PgPool,
    /// Owner role: migrations, and creating tenants.
    pub owner: PgPool,
    cluster: Option<Cluster>,
}

impl Database {
    /// Open the database of `settings`: `DATABASE_URL` when set, otherwise the
    /// embedded cluster (initialised and started as needed).
    pub async fn open(settings: &Settings) -> anyhow::Result<Self> {
        let sizing = Sizing::of(settings);
        match &settings.database_url {
            Some(url) => Self::open_external(url, settings.database_app_url.as_deref(), sizing).await,
            None => {
                let mut cluster = Cluster::new(&settings.data_dir, Tuning::Durable)?;
                tokio::task::block_in_place(|| cluster.ensure_running())?;
                match Self::open_embedded(cluster, DATABASE, sizing).await {
                    Ok(db) => Ok(db),
                    Err((mut cluster, err)) => {
                        let _ = tokio::task::block_in_place(|| cluster.stop_if_started_here());
                        Err(err)
                    }
                }
            }
        }
    }

    async fn open_external(url: &str, app_url: Option<&str>, sizing: Sizing) -> anyhow::Result<Self> {
        let owner_opts: PgConnectOptions = url.parse().context("DATABASE_URL is not a PostgreSQL URL")?;
        let owner = pool(owner_opts.clone(), 4, false).await.context("cannot connect to DATABASE_URL")?;
        ensure_app_role(&owner).await?;
        let app = match app_url {
            Some(app_url) => {
                let opts: PgConnectOptions = app_url.parse().context("DATABASE_APP_URL is not a PostgreSQL URL")?;
                sizing.pool(opts, false).await.context("cannot connect to DATABASE_APP_URL")?
            }
            // One login for both: every runtime connection drops to the app role.
            None => sizing.pool(owner_opts, true).await?,
        };
        Ok(Self { app, owner, cluster: None })
    }

    /// Open `database` on a running embedded cluster, creating roles and the
    /// database when missing. On failure the cluster is handed back to be stopped.
    pub async fn open_embedded(
        cluster: Cluster,
        database: &str,
        sizing: Sizing,
    ) -> Result<Self, (Cluster, anyhow::Error)> {
        let result = async {
            bootstrap_embedded(&cluster, database).await?;
            let owner = pool(cluster.connect_options(OWNER_ROLE, database), 4, false).await?;
            let app = sizing.pool(cluster.connect_options(APP_ROLE, database), false).await?;
            anyhow::Ok((owner, app))
        }
        .await;
        match result {
            Ok((owner, app)) => Ok(Self { app, owner, cluster: Some(cluster) }),
            Err(err) => Err((cluster, err)),
        }
    }

    pub async fn migrate(&self) -> anyhow::Result<()> {
        MIGRATOR.run(&self.owner).await.context("database migration failed")?;
        // A bulk load cut short (db::bulk) left keys or indexes to put back.
        let done = bulk::put_back(&self.owner).await.context("cannot put back the keys and indexes of a bulk load")?;
        for e in &done.invalid {
            tracing::warn!(error = %e, "a foreign key put back after a bulk load is broken by rows written meanwhile");
        }
        Ok(())
    }

    /// The serving process owns the embedded cluster even when an earlier, killed
    /// server left it running (see `cli::serve_lock`): stop it at exit.
    pub fn adopt_embedded_cluster(&mut self) {
        if let Some(cluster) = self.cluster.as_mut() {
            if !cluster.started_here() {
                tracing::info!("adopting the embedded PostgreSQL left running by an earlier server");
                cluster.adopt();
            }
        }
    }

    /// The embedded cluster, when there is one (for its watchdog and backups).
    pub fn embedded(&self) -> Option<&Cluster> {
        self.cluster.as_ref()
    }

    /// Close the pools and stop the embedded cluster if this process started it.
    pub async fn close(mut self) -> anyhow::Result<()> {
        self.app.close().await;
        self.owner.close().await;
        if let Some(mut cluster) = self.cluster.take() {
            tokio::task::block_in_place(|| cluster.stop_if_started_here())?;
        }
        Ok(())
    }
}

/// The runtime pool's size and how long a caller waits for one of its connections
/// (`YUNYING_DB_POOL_SIZE`, `YUNYING_DB_ACQUIRE_TIMEOUT_MS`): past the wait a
/// request gets its 503 page, so the queue is bounded in time, and a PostgreSQL
/// that is down answers within it too (sqlx retries a refused connection until then).
#[derive(Clone, Copy, Debug)]
pub struct Sizing {
    pub max: u32,
    pub acquire_timeout: Duration,
}

impl Sizing {
    pub fn of(settings: &Settings) -> Self {
        Self { max: settings.db_pool_size, acquire_timeout: settings.db_acquire_timeout }
    }

    pub fn options(self) -> PgPoolOptions {
        PgPoolOptions::new()
            .max_connections(self.max)
            .min_connections(0)
            .acquire_timeout(self.acquire_timeout)
            .idle_timeout(Duration::from_secs(300))
    }

    async fn pool(self, opts: PgConnectOptions, set_app_role: bool) -> anyhow::Result<PgPool> {
        connect(self.options(), opts, set_app_role).await
    }
}

/// An owner or bootstrap pool: small, and patient (migrations, commands).
async fn pool(opts: PgConnectOptions, max: u32, set_app_role: bool) -> anyhow::Result<PgPool> {
    let sizing = Sizing { max, acquire_timeout: Duration::from_secs(10) };
    connect(sizing.options(), opts, set_app_role).await
}

async fn connect(mut options: PgPoolOptions, opts: PgConnectOptions, set_app_role: bool) -> anyhow::Result<PgPool> {
    if set_app_role {
        options = options.after_connect(|conn, _meta| {
            Box::pin(async move {
                conn.execute("SET ROLE yunying_app").await?;
                Ok(())
            })
        });
    }
    Ok(options.connect_with(opts).await?)
}

/// Create the two roles and the database on the embedded cluster (as superuser).
pub async fn bootstrap_embedded(cluster: &Cluster, database: &str) -> anyhow::Result<()> {
    let su = pool(cluster.connect_options(embedded::SUPERUSER, "postgres"), 1, false)
        .await
        .context("cannot connect to the embedded PostgreSQL")?;
    su.execute(
        "DO $$ BEGIN
           IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'yunying_owner') THEN
             CREATE ROLE yunying_owner LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
           END IF;
           IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'yunying_app') THEN
             CREATE ROLE yunying_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT;
           END IF;
         END $$",
    )
    .await?;
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)")
        .bind(database)
        .fetch_one(&su)
        .await?;
    if !exists {
        su.execute(format!("CREATE DATABASE \"{}\" OWNER yunying_owner", database.replace('"', "")).as_str()).await?;
    }
    su.close().await;
    Ok(())
}

/// On an external database, create the runtime role when missing (the owner
/// needs CREATEROLE for that, or an administrator creates it beforehand).
async fn ensure_app_role(owner: &PgPool) -> anyhow::Result<()> {
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = 'yunying_app')")
        .fetch_one(owner)
        .await?;
    if !exists {
        owner.execute("CREATE ROLE yunying_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT").await.context(
            "the runtime role yunying_app does not exist and the DATABASE_URL user may not create it: \
                 run `CREATE ROLE yunying_app LOGIN NOSUPERUSER NOBYPASSRLS` and grant it to that user",
        )?;
        owner.execute("GRANT yunying_app TO CURRENT_USER").await?;
    }
    Ok(())
}

/// Begin a transaction bound to `tenant_id`: row-level security shows and accepts
/// only that tenant's rows until commit or rollback.
///
/// One round trip: `BEGIN` and the setting go as one simple query (the tenant id
/// is an integer formatted by the server, never text from a request).
pub async fn begin_tenant(pool: &PgPool, tenant_id: i64) -> Result<Tx, sqlx::Error> {
    // SET LOCAL, not set_config(…, true): the same on one PostgreSQL, and on Citus
    // (citus.propagate_set_commands = 'local', deploy/citus.sql) it reaches the workers.
    pool.begin_with(format!("BEGIN; SET LOCAL app.tenant_id = '{tenant_id}'")).await
}

/// Enable or disable row `id` of the tenant table `table` (one with `is_active` and
/// `updated_at`: users, partners, warehouses). `table` is a name the program
/// wrote, never text from a request.
pub async fn set_active(
    tx: &mut Tx,
    table: &'static str,
    tenant_id: i64,
    id: i64,
    active: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query(&format!("UPDATE {table} SET is_active = $3, updated_at = now() WHERE tenant_id = $1 AND id = $2"))
        .bind(tenant_id)
        .bind(id)
        .bind(active)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The capped count of a list: `SELECT count(*) FROM (SELECT 1 … LIMIT cap)`, where
/// `from` pushes the list's own FROM and WHERE (the same as its page query's), so a
/// list never counts more than `cap` rows (see `web::pagination::COUNT_AHEAD`).
pub fn capped_count<'a>(cap: i64, from: impl FnOnce(&mut QueryBuilder<'a, Postgres>)) -> QueryBuilder<'a, Postgres> {
    let mut qb = QueryBuilder::new("SELECT count(*) FROM (SELECT 1");
    from(&mut qb);
    qb.push(" LIMIT ").push_bind(cap).push(") capped");
    qb
}

/// Bind an open transaction to `tenant_id` (transaction-local).
pub async fn set_tenant(tx: &mut Tx, tenant_id: i64) -> Result<(), sqlx::Error> {
    (&mut **tx).execute(format!("SET LOCAL app.tenant_id = '{tenant_id}'").as_str()).await?;
    Ok(())
}

/// Fold the current tenant's loose daily-rollup rows into one row per key and day
/// (migration 0035, `app.compact_rollups`): before a page sums the rollups. Only
/// an optimisation — every reader sums all rows of a key and day.
pub async fn compact_rollups(tx: &mut Tx) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT app.compact_rollups()").execute(&mut **tx).await?;
    Ok(())
}
