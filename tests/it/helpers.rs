//! Test harness: one private PostgreSQL cluster per test run (stopped by a watchdog
//! when the test process exits), a migrated template database, and for every test
//! a fresh database cloned from it, served by the real router on port 0.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use reqwest::header::{HeaderMap, HeaderValue, CONTENT_TYPE};
use reqwest::redirect::Policy;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Executor, PgPool};
use yunying::app;
use yunying::config::Settings;
use yunying::db::embedded::{Cluster, Tuning};
use yunying::db::{self, APP_ROLE, OWNER_ROLE};
use yunying::people::{tenants, Dept, Level};

#[path = "citus_harness.rs"]
pub mod citus;

pub const PASSWORD: &str = "correct-horse-1";
const TEMPLATE: &str = "yy_template";

struct TestCluster {
    cluster: Cluster,
}

fn cluster() -> &'static TestCluster {
    static CLUSTER: OnceLock<TestCluster> = OnceLock::new();
    CLUSTER.get_or_init(|| {
        // Initialising needs async work: do it on a runtime of its own in a thread,
        // since the calling test's runtime may be single-threaded.
        std::thread::spawn(init_cluster).join().expect("test cluster initialisation panicked")
    })
}

fn init_cluster() -> TestCluster {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("it-pg");
    // Every test process using the cluster holds a shared lock on this file for its
    // whole life; the last one's watchdog stops the cluster (a run started while an
    // earlier run's watchdog is stopping it waits for that, then starts it again).
    let lock_path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("it-pg.lock");
    let lock = std::fs::File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .expect("test cluster lock file");
    lock.lock_shared().expect("shared lock on the test cluster");
    std::mem::forget(lock);
    let mut cluster = Cluster::new(&dir, Tuning::FastUnsafe).expect("test cluster: PostgreSQL binaries");
    cluster.ensure_running().expect("test cluster must start");
    spawn_watchdog(&cluster, &lock_path);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    rt.block_on(async {
        let su = superuser_pool(&cluster).await;
        // Leftovers of earlier runs.
        drop_databases(
            &su,
            "SELECT datname FROM pg_database WHERE datname LIKE 'yy\\_t\\_%' OR datname = 'yy_template'",
        )
        .await;
        db::bootstrap_embedded(&cluster, TEMPLATE).await.expect("bootstrap template");
        let owner = PgPoolOptions::new()
            .max_connections(1)
            .connect_with(cluster.connect_options(OWNER_ROLE, TEMPLATE))
            .await
            .expect("owner connects to template");
        db::MIGRATOR.run(&owner).await.expect("migrations apply to the template");
        owner.close().await;
        su.close().await;
    });
    TestCluster { cluster }
}

/// Stop the cluster when this test process exits, however it exits, unless another
/// test process still uses it (holds its shared lock on `lock_path`).
fn spawn_watchdog(cluster: &Cluster, lock_path: &std::path::Path) {
    let pg_ctl = cluster.bindir().join("pg_ctl");
    let stop = format!(
        "{}'{}' -D '{}' -m immediate stop",
        if cluster.runs_as_other_user() { "runuser -u postgres -- " } else { "" },
        pg_ctl.display(),
        cluster.pgdata().display()
    );
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; flock -n -x '{lock}' {stop} >/dev/null 2>&1",
        pid = std::process::id(),
        lock = lock_path.display()
    );
    // Deliberately not waited for: it outlives this process to clean up after it.
    #[allow(clippy::zombie_processes)]
    let _watchdog = std::process::Command::new("sh")
        .arg("-c")
        .arg(script)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("watchdog starts");
}

/// Drop (with FORCE) every database whose name `list` selects: earlier runs' leftovers.
pub async fn drop_databases(su: &PgPool, list: &str) {
    let old: Vec<String> = sqlx::query_scalar(list).fetch_all(su).await.expect("list databases");
    for name in old {
        su.execute(format!("DROP DATABASE \"{name}\" WITH (FORCE)").as_str()).await.expect("drop old test database");
    }
}

async fn superuser_pool(cluster: &Cluster) -> PgPool {
    PgPoolOptions::new()
        .max_connections(1)
        .connect_with(cluster.connect_options("postgres", "postgres"))
        .await
        .expect("superuser connects")
}

fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| yunying::auth::password::hash_blocking(PASSWORD).expect("hash"))
}

/// A running application on a fresh database.
pub struct TestApp {
    pub base: String,
    /// The test database and the cluster's socket directory (for running the CLI).
    pub db_name: String,
    pub socket_dir: PathBuf,
    pub db_port: u16,
    /// Runtime role (what the server uses).
    pub db: PgPool,
    /// Owner role (for test setup that the app itself may not do).
    pub owner: PgPool,
    pub settings: Arc<Settings>,
    /// The server's session cache (off unless the settings turn it on).
    pub sessions: Arc<yunying::auth::session_cache::SessionCache>,
    /// The server's home-page summary cache (off unless the settings turn it on).
    pub home: Arc<yunying::home::cache::HomeCache>,
    /// On Citus, drops the test database on every node when the test is done.
    _reap: Option<citus::Reap>,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(Settings::for_tests()).await
}

/// An application whose requests decide by `today` instead of the clock.
pub async fn spawn_app_on(today: chrono::NaiveDate) -> TestApp {
    spawn_app_with(Settings { today: Some(today), ..Settings::for_tests() }).await
}

/// Connection options to a test database as a role.
type ConnectAs = Box<dyn Fn(&str) -> PgConnectOptions + Send + Sync>;

pub async fn spawn_app_with(settings: Settings) -> TestApp {
    let name = format!("yy_t_{}", uuid::Uuid::new_v4().simple());
    let (connect, socket_dir, db_port): (ConnectAs, PathBuf, u16) = if let Some(citus) = citus::cluster() {
        citus.clone_template(&name).await;
        let db = name.clone();
        (Box::new(move |role| citus.connect_options(0, role, &db)), citus.socket_dir.clone(), citus.ports[0])
    } else {
        let tc = cluster();
        let su = superuser_pool(&tc.cluster).await;
        su.execute(format!("CREATE DATABASE \"{name}\" TEMPLATE {TEMPLATE} OWNER {OWNER_ROLE}").as_str())
            .await
            .expect("clone the template database");
        su.close().await;
        let db = name.clone();
        let socket_dir = tc.cluster.socket_dir().to_path_buf();
        (Box::new(move |role| tc.cluster.connect_options(role, &db)), socket_dir, yunying::db::embedded::PORT)
    };
    let db = PgPoolOptions::new().max_connections(8).connect_with(connect(APP_ROLE)).await.expect("app role connects");
    let owner =
        PgPoolOptions::new().max_connections(2).connect_with(connect(OWNER_ROLE)).await.expect("owner role connects");
    // The tests run exactly what `yunying serve` runs, on a port of its own.
    let settings = Arc::new(Settings { bind: ([127, 0, 0, 1], 0).into(), ..settings });
    let application = app::Application::build(db.clone(), settings.clone()).await.expect("build the application");
    let sessions = application.state().sessions.clone();
    let home = application.state().home.clone();
    let addr = application.local_addr().expect("local addr");
    tokio::spawn(application.run_until(std::future::pending()));
    TestApp {
        base: format!("http://{addr}"),
        db_name: name.clone(),
        socket_dir,
        db_port,
        db,
        owner,
        settings,
        sessions,
        home,
        _reap: citus::enabled().then(|| citus::Reap(name.clone())),
    }
}

/// A tenant with its departments; returns its id.
impl TestApp {
    pub async fn tenant(&self, code: &str) -> i64 {
        let since = chrono::NaiveDate::from_ymd_opt(2026, 10, 1).expect("date");
        tenants::create(&self.owner, code, &format!("{code} 公司"), since).await.expect("create tenant").id
    }

    /// A user with password [`PASSWORD`]; returns its id.
    pub async fn user(&self, tenant_id: i64, username: &str, dept: Dept, level: Level, admin: bool) -> i64 {
        let mut tx = db::begin_tenant(&self.db, tenant_id).await.expect("tx");
        let id = yunying::people::repo::insert(
            &mut tx,
            tenant_id,
            &yunying::people::repo::NewUser {
                username,
                display_name: &format!("测试{username}"),
                password_hash: password_hash(),
                level,
                dept,
                employee_no: None,
                is_tenant_admin: admin,
            },
        )
        .await
        .expect("insert user");
        tx.commit().await.expect("commit");
        id
    }

    /// A fresh browser-like client: own cookie jar, redirects not followed.
    pub fn client(&self) -> Client {
        Client {
            http: reqwest::Client::builder().cookie_store(true).redirect(Policy::none()).build().expect("client"),
            base: self.base.clone(),
        }
    }

    /// A client signed in as `username` of `company`.
    pub async fn signed_in(&self, company: &str, username: &str) -> Client {
        let c = self.client();
        let res = c.login(company, username, PASSWORD).await;
        assert_eq!(res.status, 303, "login of {username}@{company} failed: {}", res.body);
        c
    }

    /// A client signed in as the demo tenant's admin (after `yunying demo`).
    pub async fn signed_in_demo(&self) -> Client {
        let c = self.client();
        let res = c.login("demo", "admin", yunying::demo::DEMO_PASSWORD).await;
        assert_eq!(res.status, 303, "demo admin login: {}", res.body);
        c
    }

    /// Run the `yunying` binary against this test database (as an external
    /// PostgreSQL: the owner runs migrations, the runtime role does the work).
    pub fn cli(&self, args: &[&str], stdin: Option<&str>) -> std::process::Output {
        use std::io::Write;
        let url = |role: &str| {
            format!("postgres://{role}@localhost:{}/{}?host={}", self.db_port, self.db_name, self.socket_dir.display())
        };
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_yunying"))
            .args(args)
            .env("DATABASE_URL", url(OWNER_ROLE))
            .env("DATABASE_APP_URL", url(APP_ROLE))
            .env("RUST_LOG", "warn")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run yunying");
        if let Some(input) = stdin {
            child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write stdin");
        }
        drop(child.stdin.take());
        child.wait_with_output().expect("yunying finishes")
    }

    /// The text column of a query's rows, read in a tenant transaction of the runtime role.
    pub async fn strings(&self, tenant_id: i64, sql: &str) -> Vec<String> {
        let mut tx = db::begin_tenant(&self.db, tenant_id).await.expect("tx");
        let v: Vec<String> = sqlx::query_scalar(sql).fetch_all(&mut *tx).await.expect(sql);
        tx.commit().await.expect("commit");
        v
    }

    /// Run a closure's query in a tenant transaction of the runtime role.
    pub async fn scalar_i64(&self, tenant_id: i64, sql: &str) -> i64 {
        let mut tx = db::begin_tenant(&self.db, tenant_id).await.expect("tx");
        let v: i64 = sqlx::query_scalar(sql).fetch_one(&mut *tx).await.expect(sql);
        tx.commit().await.expect("commit");
        v
    }
}

/// A response, read whole.
pub struct Page {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> Option<&str> {
        self.headers.get("location").and_then(|v| v.to_str().ok())
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers.get_all("set-cookie").iter().filter_map(|v| v.to_str().ok().map(str::to_owned)).collect()
    }

    pub fn csrf(&self) -> String {
        csrf_from(&self.body)
    }
}

/// The `csrf_token` value of the first form in `html`.
pub fn csrf_from(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).map(|i| i + marker.len()).expect("page has a csrf_token field");
    let end = html[start..].find('"').expect("closing quote") + start;
    html[start..end].to_owned()
}

#[derive(Clone)]
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
}

impl Client {
    async fn read(res: reqwest::Response) -> Page {
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let body = res.text().await.expect("body");
        Page { status, headers, body }
    }

    pub async fn get(&self, path: &str) -> Page {
        Self::read(self.http.get(format!("{}{path}", self.base)).send().await.expect("GET")).await
    }

    /// POST a form as given (no token added).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)], headers: &[(&'static str, &str)]) -> Page {
        let body = {
            let mut ser = form_urlencoded::Serializer::new(String::new());
            for (k, v) in fields {
                ser.append_pair(k, v);
            }
            ser.finish()
        };
        let mut req = self
            .http
            .post(format!("{}{path}", self.base))
            .header(CONTENT_TYPE, HeaderValue::from_static("application/x-www-form-urlencoded"))
            .body(body);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        Self::read(req.send().await.expect("POST")).await
    }

    /// POST a form with the CSRF token read from `form_page` (a GET of a page with a form).
    pub async fn post_form(&self, form_page: &str, path: &str, fields: &[(&str, &str)]) -> Page {
        let page = self.get(form_page).await;
        assert_eq!(page.status, 200, "GET {form_page} for its token: {}", page.body);
        let token = page.csrf();
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", &token)];
        all.extend_from_slice(fields);
        self.post_raw(path, &all, &[]).await
    }

    /// POST a multipart upload form: the CSRF token read from `form_page` (first,
    /// as the forms put it), the text `fields`, then `bytes` as the `file` field.
    pub async fn upload(
        &self,
        form_page: &str,
        path: &str,
        fields: &[(&str, &str)],
        file_name: &str,
        bytes: Vec<u8>,
    ) -> Page {
        let page = self.get(form_page).await;
        assert_eq!(page.status, 200, "GET {form_page} for its token: {}", page.body);
        let mut form = reqwest::multipart::Form::new().text("csrf_token", page.csrf());
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        form = form.part("file", reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_owned()));
        Self::read(self.http.post(format!("{}{path}", self.base)).multipart(form).send().await.expect("POST")).await
    }

    pub async fn login(&self, company: &str, username: &str, password: &str) -> Page {
        self.post_form("/login", "/login", &[("company", company), ("username", username), ("password", password)])
            .await
    }

    /// The session cookie's value, from a login response.
    pub fn session_cookie(page: &Page) -> Option<String> {
        page.set_cookies().into_iter().find_map(|c| {
            c.strip_prefix("yy_session=")
                .map(|rest| rest.split(';').next().unwrap_or_default().to_owned())
                .filter(|v| !v.is_empty())
        })
    }

    /// A client without cookie jar that sends exactly this session cookie.
    pub fn with_cookie(base: &str, session: &str) -> Client {
        let mut headers = HeaderMap::new();
        headers.insert("cookie", HeaderValue::from_str(&format!("yy_session={session}")).expect("cookie header"));
        Client {
            http: reqwest::Client::builder().redirect(Policy::none()).default_headers(headers).build().expect("client"),
            base: base.to_owned(),
        }
    }
}

/// A standard pair of tenants for isolation tests: `alpha` and `beta`, each with
/// an admin, an ops director, an ops manager and an ops specialist.
pub struct TwoTenants {
    pub alpha: i64,
    pub beta: i64,
    pub alpha_admin: i64,
    pub alpha_specialist: i64,
    pub beta_admin: i64,
    pub beta_specialist: i64,
}

pub async fn two_tenants(app: &TestApp) -> TwoTenants {
    let alpha = app.tenant("alpha").await;
    let beta = app.tenant("beta").await;
    let alpha_admin = app.user(alpha, "admin", Dept::Hr, Level::Manager, true).await;
    app.user(alpha, "director", Dept::Ops, Level::Director, false).await;
    app.user(alpha, "manager", Dept::Ops, Level::Manager, false).await;
    let alpha_specialist = app.user(alpha, "specialist", Dept::Ops, Level::Specialist, false).await;
    let beta_admin = app.user(beta, "admin", Dept::Hr, Level::Manager, true).await;
    app.user(beta, "director", Dept::Ops, Level::Director, false).await;
    let beta_specialist = app.user(beta, "specialist", Dept::Ops, Level::Specialist, false).await;
    TwoTenants { alpha, beta, alpha_admin, alpha_specialist, beta_admin, beta_specialist }
}

/// A file of the RULES.md §7 worked examples (tests/fixtures/rules_example).
pub fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules_example").join(name).display().to_string()
}

/// The stdout of a successful command; the test fails with both outputs otherwise.
pub fn ok(out: &std::process::Output, what: &str) -> String {
    assert!(
        out.status.success(),
        "{what} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Import the RULES.md §7 example files through the CLI into a new tenant `acme`.
pub async fn import_example(app: &TestApp) -> i64 {
    let acme = app.tenant("acme").await;
    for (kind, file, month) in [
        ("employees", "employees.csv", None),
        ("attendance", "attendance.csv", None),
        ("leave", "leave.csv", None),
        ("scores", "scores-2026-10.csv", Some("2026-10")),
        ("scores", "scores-2026-11.csv", Some("2026-11")),
    ] {
        let path = fixture(file);
        let mut args = vec!["import", kind, "--tenant", "acme"];
        if let Some(m) = month {
            args.extend(["--month", m]);
        }
        args.push(&path);
        let stdout = ok(&app.cli(&args, None), &format!("import {kind}"));
        assert!(stdout.contains("imported"), "{stdout}");
    }
    acme
}

/// A row lock taken by the test before concurrent requests start, so that they
/// really overlap: each blocks on the row until [`HeldLock::release`].
pub struct HeldLock {
    tx: sqlx::Transaction<'static, sqlx::Postgres>,
    pid: i32,
}

impl TestApp {
    /// Lock rows with `sql` (a `SELECT … FOR UPDATE` that must find a row) in a
    /// tenant transaction of the owner role, kept open until released. The owner's
    /// pool, so that the runtime pool the server and the test share keeps all its
    /// connections.
    pub async fn hold_lock(&self, tenant_id: i64, sql: &str) -> HeldLock {
        let mut tx = db::begin_tenant(&self.owner, tenant_id).await.expect("tx");
        let locked = sqlx::query(sql).fetch_all(&mut *tx).await.expect(sql);
        assert!(!locked.is_empty(), "nothing to lock: {sql}");
        let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()").fetch_one(&mut *tx).await.expect("pid");
        HeldLock { tx, pid }
    }

    /// Wait (at most 10 s, else fail) until `n` other backends of this test database
    /// wait for a lock, all of them behind `lock` (directly, or behind one another).
    pub async fn wait_for_blocked(&self, lock: &HeldLock, n: i64) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            // pg_locks and the pid and database of pg_stat_activity are visible to
            // every role (wait_event is not, for other roles' sessions).
            let last: (i64, i64) = sqlx::query_as(
                "WITH waiting AS (
                     SELECT DISTINCT l.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                     WHERE NOT l.granted AND a.datname = current_database() AND l.pid <> pg_backend_pid())
                 SELECT count(*),
                        count(*) FILTER (WHERE $1 = ANY (pg_blocking_pids(pid))
                                            OR pg_blocking_pids(pid) <@ ARRAY(SELECT pid FROM waiting))
                 FROM waiting",
            )
            .bind(lock.pid)
            .fetch_one(&self.owner)
            .await
            .expect("waiting backends");
            if last.0 >= n && last.1 == last.0 {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{n} backends should wait for the held lock within 10 s; waiting (behind it): {last:?}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }
}

impl HeldLock {
    /// Roll back: the blocked transactions go on, one after another.
    pub async fn release(self) {
        self.tx.rollback().await.expect("release the held lock");
    }
}

/// `requests` started while `lock` is held, the lock released once `n` of them wait
/// for it; their outputs.
pub async fn overlapping<T>(
    app: &TestApp,
    lock: HeldLock,
    n: i64,
    requests: impl std::future::Future<Output = T>,
) -> T {
    let release = async {
        app.wait_for_blocked(&lock, n).await;
        lock.release().await;
    };
    let (out, ()) = tokio::join!(requests, release);
    out
}

/// One record as it stands (the whole row, as JSON), its table's row count, the
/// tenant's audit-log count and what `extra` queries (each one text value) read:
/// taken before a request that must be refused and compared after it with
/// [`TestApp::assert_unchanged`].
#[derive(Debug, PartialEq, Eq)]
pub struct Snapshot {
    tenant_id: i64,
    table: String,
    id: i64,
    row: Option<String>,
    rows: i64,
    audit: i64,
    extra: Vec<(String, Option<String>)>,
}

impl TestApp {
    /// The record `id` of `table` in `tenant_id` (read by the owner, under the tenant).
    pub async fn snapshot(&self, tenant_id: i64, table: &str, id: i64) -> Snapshot {
        self.snapshot_with(tenant_id, table, id, &[]).await
    }

    /// [`snapshot`](Self::snapshot), and the text each of `extra` reads (e.g. a
    /// record's lines as JSON).
    pub async fn snapshot_with(&self, tenant_id: i64, table: &str, id: i64, extra: &[&str]) -> Snapshot {
        let mut tx = db::begin_tenant(&self.owner, tenant_id).await.expect("tx");
        let row: Option<String> = sqlx::query_scalar(&format!("SELECT to_jsonb(t)::text FROM {table} t WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await
            .expect("the record");
        let rows: i64 =
            sqlx::query_scalar(&format!("SELECT count(*) FROM {table}")).fetch_one(&mut *tx).await.expect("rows");
        let audit: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log").fetch_one(&mut *tx).await.expect("audit");
        let mut read = Vec::new();
        for sql in extra {
            let v: Option<String> = sqlx::query_scalar(sql).fetch_one(&mut *tx).await.expect(sql);
            read.push(((*sql).to_owned(), v));
        }
        tx.commit().await.expect("commit");
        assert!(row.is_some(), "{table} {id} exists in tenant {tenant_id}");
        Snapshot { tenant_id, table: table.to_owned(), id, row, rows, audit, extra: read }
    }

    /// The record, its table, the audit log and the extra reads are as in `before`
    /// (`what`: the refused request, for the message).
    pub async fn assert_unchanged(&self, before: &Snapshot, what: &str) {
        let extra: Vec<&str> = before.extra.iter().map(|(sql, _)| sql.as_str()).collect();
        let now = self.snapshot_with(before.tenant_id, &before.table, before.id, &extra).await;
        assert_eq!(&now, before, "a refused request changed something: {what}");
    }
}
