//! Faults (issue 14 part 4), each proven on the real thing: (a) a CLI import
//! killed with SIGKILL halfway through a large file leaves nothing; (b) the
//! embedded PostgreSQL killed while the server serves: a 503 page within the pool
//! wait, `/readyz` 503 within its probe, and the server restarts its cluster by
//! itself, without restarting; (c) the server and its postmaster killed, an orphaned
//! backend and a stale `postmaster.pid` left: the next start takes the cluster over
//! with every committed row; (d) more requests than pool connections queue for the
//! pool wait, then get 503.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use sqlx::postgres::PgConnectOptions;
use yunying::config::Settings;
use yunying::db::{Sizing, APP_ROLE, OWNER_ROLE};

use crate::backup::{assert_not_behind, browser, digests, sequences, superuser};
use crate::catalog::audits;
use crate::helpers::{ok, spawn_app, two_tenants, Client, PASSWORD};
use crate::orders_import::{import_bytes, FILE, PRODUCTS};
use crate::spawn::{self, DataDir, Server};

/// The pool wait of a server started without settings (`YUNYING_DB_ACQUIRE_TIMEOUT_MS`).
const POOL_WAIT: Duration = Duration::from_millis(yunying::config::DB_ACQUIRE_TIMEOUT_MS);
/// Slack for a debug build on a busy machine.
const SLACK: Duration = Duration::from_millis(1500);

/// Live `postgres` processes working in `pgdata` (the postmaster and its children,
/// or the orphans of a dead postmaster).
fn cluster_processes(pgdata: &Path) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let link = |what: &str| std::fs::read_link(format!("/proc/{pid}/{what}")).ok();
            link("cwd").is_some_and(|c| c == pgdata)
                && link("exe").is_some_and(|e| e.to_string_lossy().contains("postgres"))
        })
        .collect()
}

fn sigkill(pid: u32) {
    kill(Pid::from_raw(pid as i32), Signal::SIGKILL).unwrap_or_else(|e| panic!("SIGKILL {pid}: {e}"));
}

/// Wait until `pid` is gone (or a zombie nobody reaps), at most 10 s.
fn wait_gone(pid: u32) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::fs::read_link(format!("/proc/{pid}/cwd")).is_ok() {
        assert!(Instant::now() < deadline, "process {pid} does not exit");
        std::thread::sleep(Duration::from_millis(20));
    }
}

async fn timed_get(c: &Client, path: &str) -> (u16, Duration, String, Option<String>) {
    let t0 = Instant::now();
    let res = c.http.get(format!("{}{path}", c.base)).send().await.expect("GET");
    let retry = res.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let status = res.status().as_u16();
    let body = res.text().await.unwrap_or_default();
    (status, t0.elapsed(), body, retry)
}

fn assert_unavailable_page(what: &str, page: &(u16, Duration, String, Option<String>)) {
    let (status, took, body, retry) = page;
    assert_eq!(*status, 503, "{what}: a 503 page, not {status}: {body}");
    assert!(body.contains("服务暂不可用") && body.contains("请稍后刷新重试"), "{what}: the Chinese 503 page: {body}");
    assert!(body.contains("请求编号"), "{what}: with the request id: {body}");
    assert!(retry.is_some(), "{what}: Retry-After on a 503");
    assert!(*took <= POOL_WAIT + SLACK, "{what}: answered in {took:?}, more than the pool wait {POOL_WAIT:?}");
}

/// (a) The orders of a 30,000-row file, killed once its transaction has written
/// hundreds of kilobytes of rows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_killed_halfway_through_a_large_file_leaves_nothing_of_it() {
    let app = spawn_app().await;
    let acme = app.tenant("acme").await;
    let dir = tempfile::tempdir().unwrap();
    let products = dir.path().join("p.csv");
    std::fs::write(&products, PRODUCTS).unwrap();
    ok(&app.cli(&["import", "products", "--tenant", "acme", &products.display().to_string()], None), "products");

    let header = FILE.lines().next().unwrap();
    let mut text = format!("{header}\r\n");
    for i in 0..30_000 {
        text.push_str(&format!(
            "taobao,旗舰店,BIG-{i},2026-11-{:02} 10:00,2026-11-{:02} 10:01,买家{i},收货人{i},13800000000,浙江省,杭州市,\
             西湖区,文三路 {i} 号,CUP-1,1,59.90,0,0,59.90,,\r\n",
            1 + i % 28,
            1 + i % 28
        ));
    }
    let file = dir.path().join("orders.csv");
    std::fs::write(&file, &text).unwrap();

    let url = |role: &str| format!("postgres://{role}@localhost/{}?host={}", app.db_name, app.socket_dir.display());
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_yunying"))
        .args(["import", "orders", "--tenant", "acme", &file.display().to_string()])
        .env("DATABASE_URL", url(OWNER_ROLE))
        .env("DATABASE_APP_URL", url(APP_ROLE))
        .env("RUST_LOG", "warn")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("run yunying import");
    // Uncommitted rows already take room in the tables' files: kill once they do.
    let deadline = Instant::now() + Duration::from_secs(120);
    let written = loop {
        let size: i64 = sqlx::query_scalar(
            "SELECT pg_relation_size('orders') + pg_relation_size('order_lines') + pg_relation_size('order_events')",
        )
        .fetch_one(&app.owner)
        .await
        .unwrap();
        if size >= 512 * 1024 {
            break size;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the import ended ({status}) before it could be killed halfway: make the file larger");
        }
        assert!(Instant::now() < deadline, "the import wrote nothing within 2 minutes");
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    sigkill(child.id());
    let status = child.wait().unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(9), "killed mid-transaction, after {written} bytes of rows, not finished");

    for table in ["orders", "order_lines", "order_events", "order_holds"] {
        assert_eq!(app.scalar_i64(acme, &format!("SELECT count(*) FROM {table}")).await, 0, "{table}: nothing");
    }
    assert_eq!(app.scalar_i64(acme, "SELECT count(*) FROM search_terms WHERE kind = 'order'").await, 0);
    assert_eq!(audits(&app, acme, "import.orders").await, 0, "no audit entry");
    // Nothing held either: the first orders of the file (surely written before the
    // kill) import as new ones at once, past the killed transaction's keys and locks.
    let first_two: String = text.lines().take(3).map(|l| format!("{l}\n")).collect();
    let t0 = Instant::now();
    let out = ok(&import_bytes(&app, "acme", first_two.as_bytes()), "import after the kill");
    assert!(out.contains("2 new orders (2 lines), 0 unchanged"), "{out}");
    assert!(t0.elapsed() < Duration::from_secs(20), "not blocked by the killed import");
    assert_eq!(app.scalar_i64(acme, "SELECT count(*) FROM orders").await, 2);
}

/// (d) Two pool connections, both held by requests waiting on a lock: the next
/// requests wait the pool's time, then get the 503 page; the held ones finish once
/// the lock goes, and the server serves on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_requests_than_pool_connections_queue_for_the_wait_then_get_503() {
    let app = spawn_app().await;
    two_tenants(&app).await;
    let wait = Duration::from_millis(700);
    let sizing = Sizing { max: 2, acquire_timeout: wait };
    let opts = PgConnectOptions::new().socket(&app.socket_dir).port(5432).username(APP_ROLE).database(&app.db_name);
    let pool = sizing.options().connect_with(opts).await.expect("small pool");
    let settings = Arc::new(Settings {
        bind: ([127, 0, 0, 1], 0).into(),
        db_pool_size: 2,
        db_acquire_timeout: wait,
        ..Settings::for_tests()
    });
    let application = yunying::app::Application::build(pool, settings).await.expect("build");
    let base = format!("http://{}", application.local_addr().unwrap());
    tokio::spawn(application.run_until(std::future::pending()));
    let c = browser(&base);
    let res = c.login("alpha", "admin", PASSWORD).await;
    assert_eq!(res.status, 303, "{}", res.body);

    // Every signed-in request reads `sessions` first: lock it.
    let mut lock = app.owner.begin().await.unwrap();
    sqlx::query("LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE").execute(&mut *lock).await.unwrap();
    let started = Instant::now();
    let requests: Vec<_> = (0..6)
        .map(|_| {
            let c = c.clone();
            tokio::spawn(async move { timed_get(&c, "/").await })
        })
        .collect();
    let ready = tokio::spawn({
        let c = c.clone();
        async move {
            tokio::time::sleep(Duration::from_millis(200)).await;
            timed_get(&c, "/readyz").await
        }
    });
    // Long enough for every queued request to have given up.
    tokio::time::sleep(wait * 3 + Duration::from_millis(500)).await;
    let held_for = started.elapsed();
    lock.rollback().await.unwrap();
    let mut answers = Vec::new();
    for r in requests {
        answers.push(r.await.unwrap());
    }
    let refused: Vec<_> = answers.iter().filter(|a| a.0 == 503).collect();
    let served: Vec<_> = answers.iter().filter(|a| a.0 == 200).collect();
    assert_eq!(
        refused.len() + served.len(),
        6,
        "only 200 or 503: {:?}",
        answers.iter().map(|a| a.0).collect::<Vec<_>>()
    );
    assert!(refused.len() >= 3, "the queued requests were refused: {} of 6", refused.len());
    assert!(!served.is_empty() && served.len() <= 2, "the two holding a connection finish: {}", served.len());
    for a in &refused {
        assert!(a.1 >= wait.mul_f32(0.9), "queued for the pool wait first: {:?}", a.1);
        assert!(a.1 <= wait + SLACK, "never waiting unbounded: {:?}", a.1);
        assert!(a.2.contains("服务暂不可用") && a.3.is_some(), "the 503 page: {}", a.2);
    }
    for a in &served {
        assert!(a.1 >= held_for.mul_f32(0.9), "the holders waited for the lock: {:?}", a.1);
    }
    let ready = ready.await.unwrap();
    assert_eq!(ready.0, 503, "/readyz says 503 while no connection is free: {}", ready.2);
    assert!(ready.1 <= Duration::from_secs(1) + SLACK, "/readyz within its probe: {:?}", ready.1);
    let after = timed_get(&c, "/").await;
    assert_eq!(after.0, 200, "serving again: {}", after.2);
    eprintln!(
        "[faults] pool of 2, wait {wait:?}: refused {} in {:?}..{:?}; /readyz 503 in {:?}",
        refused.len(),
        refused.iter().map(|a| a.1).min().unwrap(),
        refused.iter().map(|a| a.1).max().unwrap(),
        ready.1
    );
}

/// The embedded cluster of `data`: its postmaster's pid.
fn postmaster(data: &DataDir) -> u32 {
    data.postmaster_pid().expect("postmaster.pid while the server runs")
}

/// Hide the cluster's postgresql.conf so no start can succeed until it is back.
fn hide_config(data: &DataDir) -> (PathBuf, PathBuf) {
    let conf = data.pgdata().join("postgresql.conf");
    let hidden = data.pgdata().join("postgresql.conf.hidden");
    std::fs::rename(&conf, &hidden).expect("hide postgresql.conf");
    (conf, hidden)
}

/// (b) The postmaster killed with SIGKILL while the server serves.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_killed_while_serving_gives_503_fast_and_the_server_restarts_it() {
    let mut server = Server::start();
    let data = Arc::clone(server.data_dir());
    let c = browser(&server.url);
    let res = c.login("demo", "ops.director", yunying::demo::DEMO_PASSWORD).await;
    assert_eq!(res.status, 303, "{}", res.body);
    for path in ["/", "/orders", "/inventory/stock"] {
        let page = timed_get(&c, path).await;
        assert_eq!(page.0, 200, "{path}: {}", page.2);
    }
    let volatile = ["sessions", "login_attempts"];
    let su = superuser(&data).await;
    let before = digests(&su, &volatile).await;
    let sequences_before = sequences(&su).await;
    // As a server that has run a while would be (checkpoint_timeout): the crash
    // recovery replays minutes of writes, not the whole first-run demo.
    sqlx::query("CHECKPOINT").execute(&su).await.unwrap();
    su.close().await;

    // 1. Killed, and kept from starting for 3 s (its configuration out of the way):
    //    what a user and a load balancer see while PostgreSQL is down.
    let first = postmaster(&data);
    let (conf, hidden) = hide_config(&data);
    let killed = Instant::now();
    sigkill(first);
    let ready_503 = loop {
        let r = timed_get(&c, "/readyz").await;
        if r.0 == 503 {
            break killed.elapsed();
        }
        assert!(killed.elapsed() < Duration::from_secs(5), "/readyz still {} 5 s after the kill", r.0);
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(ready_503 <= Duration::from_secs(1) + SLACK, "/readyz 503 within its probe: {ready_503:?}");
    // (The home page may still come from the in-process caches; a list never does.)
    let orders = timed_get(&c, "/orders").await;
    assert_unavailable_page("the orders list while PostgreSQL is down", &orders);
    let stock = timed_get(&c, "/inventory/stock").await;
    assert_unavailable_page("the stock list while PostgreSQL is down", &stock);
    assert_eq!(timed_get(&c, "/healthz").await.0, 200, "the process itself is alive");
    tokio::time::sleep(Duration::from_secs(3).saturating_sub(killed.elapsed())).await;
    assert_unavailable_page("still down", &timed_get(&c, "/orders").await);

    // 2. Startable again: the server's watchdog starts it by itself.
    std::fs::rename(&hidden, &conf).expect("put postgresql.conf back");
    let back = Instant::now();
    loop {
        if timed_get(&c, "/readyz").await.0 == 200 {
            break;
        }
        assert!(
            back.elapsed() < Duration::from_secs(15),
            "not ready 15 s after PostgreSQL could start\n{}",
            server.logs()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let recovered = back.elapsed();
    let second = postmaster(&data);
    assert_ne!(second, first, "a new postmaster");
    let list = timed_get(&c, "/orders").await;
    assert_eq!(list.0, 200, "the same session serves again: {}", list.2);

    // 3. Killed under load, nothing in the way: every answer a page or the 503
    //    page within the pool wait, and serving again within a few seconds.
    let load_started = Instant::now();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let load: Vec<_> = (0..3)
        .map(|_| {
            let (c, stop) = (c.clone(), stop.clone());
            tokio::spawn(async move {
                let mut seen = Vec::new();
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let r = timed_get(&c, "/orders").await;
                    seen.push((load_started.elapsed(), r));
                }
                seen
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let killed = Instant::now();
    let killed_at = load_started.elapsed();
    sigkill(second);
    loop {
        if timed_get(&c, "/readyz").await.0 == 200 {
            break;
        }
        assert!(killed.elapsed() < Duration::from_secs(30), "not ready 30 s after the second kill\n{}", server.logs());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let ready_again = killed.elapsed();
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut answers = Vec::new();
    for l in load {
        answers.extend(l.await.unwrap());
    }
    for (_, a) in &answers {
        assert!(a.0 == 200 || a.0 == 503, "only pages or the 503 page, got {}: {}", a.0, a.2);
        if a.0 == 503 {
            assert_unavailable_page("a page under load while PostgreSQL restarts", a);
        }
        assert!(a.1 <= POOL_WAIT + SLACK, "no request waits past the pool wait: {:?}", a.1);
    }
    let first_ok_after = answers
        .iter()
        .filter(|(done, a)| *done > killed_at + a.1 && a.0 == 200)
        .map(|(done, _)| *done - killed_at)
        .min();
    assert!(first_ok_after.is_some(), "pages are served again under load");
    assert_ne!(postmaster(&data), second, "restarted again");
    assert_eq!(timed_get(&c, "/orders").await.0, 200);

    // The same process all along (one "running at" line), and every row intact.
    assert_eq!(server.stdout().matches(spawn::RUNNING_AT).count(), 1, "{}", server.logs());
    assert!(server.stderr().contains("restarting it"), "{}", server.logs());
    let su = superuser(&data).await;
    assert_eq!(digests(&su, &volatile).await, before, "every committed row is there");
    assert_not_behind(&sequences_before, &sequences(&su).await);
    su.close().await;
    eprintln!(
        "[faults] /readyz 503 {ready_503:?} after the kill; ready {recovered:?} after PostgreSQL could start; \
         under load: {} answers, {} were 503, first 200 {first_ok_after:?} and /readyz 200 {ready_again:?} after the kill; \
         {:?}",
        answers.len(),
        answers.iter().filter(|(_, a)| a.0 == 503).count(),
        server.stderr().lines().filter(|l| l.contains("PostgreSQL restarted")).map(|l| l.rsplit(' ').next().unwrap_or(l).to_owned()).collect::<Vec<_>>()
    );
    assert!(server.terminate().success(), "{}", server.logs());
}

/// (c) The server and its postmaster killed with SIGKILL, an orphaned backend
/// still running, and the pid in `postmaster.pid` taken by another live process.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_next_start_after_a_kill_takes_the_cluster_over_with_every_committed_row() {
    let data = Arc::new(DataDir::new());
    let mut first = Server::start_in(data.clone());
    let out = spawn::run_cli(&data, &["tenant", "create", "--code", "acme", "--name", "Acme 公司"], None);
    assert!(out.status.success(), "{out}");
    let su = superuser(&data).await;
    let before = digests(&su, &[]).await;
    let sequences_before = sequences(&su).await;
    su.close().await;

    // A backend busy in a loop that never checks for its postmaster: it outlives it
    // and keeps the old shared memory attached.
    let orphan_pool = superuser(&data).await;
    let spinning = tokio::spawn(async move {
        let _ = sqlx::query("DO $$ BEGIN LOOP END LOOP; END $$").execute(&orphan_pool).await;
    });
    let pgdata = data.pgdata();
    let postmaster_pid = postmaster(&data);
    let deadline = Instant::now() + Duration::from_secs(10);
    let orphan = loop {
        let su = superuser(&data).await;
        let pid: Option<i32> = sqlx::query_scalar(
            "SELECT pid FROM pg_stat_activity WHERE state = 'active' AND query LIKE 'DO $$ BEGIN LOOP%'",
        )
        .fetch_optional(&su)
        .await
        .unwrap();
        su.close().await;
        if let Some(pid) = pid {
            break pid as u32;
        }
        assert!(Instant::now() < deadline, "the spinning backend did not start");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };

    first.kill_hard();
    sigkill(postmaster_pid);
    wait_gone(postmaster_pid);
    // Its other children notice and exit; the spinning one does not.
    let deadline = Instant::now() + Duration::from_secs(10);
    while cluster_processes(&pgdata) != vec![orphan] {
        assert!(Instant::now() < deadline, "only the orphan should be left: {:?}", cluster_processes(&pgdata));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // A pid reused by another process (here: this test) after the crash.
    let pid_file = data.postmaster_pid_file();
    let text = std::fs::read_to_string(&pid_file).expect("the stale postmaster.pid is left");
    let rest: String = text.lines().skip(1).map(|l| format!("{l}\n")).collect();
    std::fs::write(&pid_file, format!("{}\n{rest}", std::process::id())).unwrap();

    let started = Instant::now();
    let mut second = Server::start_in(data.clone());
    let took = started.elapsed();
    assert!(!cluster_processes(&pgdata).contains(&orphan), "the orphan was killed");
    assert!(
        second.stderr().contains("killing PostgreSQL processes left by a postmaster that died"),
        "{}",
        second.logs()
    );
    let su = superuser(&data).await;
    assert_eq!(digests(&su, &[]).await, before, "every committed row is there");
    assert_not_behind(&sequences_before, &sequences(&su).await);
    su.close().await;
    let c = browser(&second.url);
    let res = c.login("demo", "admin", yunying::demo::DEMO_PASSWORD).await;
    assert_eq!(res.status, 303, "the demo admin signs in: {}", res.body);
    assert!(before.iter().any(|(t, rows, _)| t == "public.tenants" && *rows == 3), "acme was committed: {before:?}");
    let _ = spinning.await;
    eprintln!("[faults] the next start took the cluster over and was ready in {took:?}");
    assert!(second.terminate().success(), "{}", second.logs());
    assert!(
        spawn::wait_until_no_process_mentions(&pgdata, Duration::from_secs(10)).is_ok(),
        "the cluster is stopped with the server"
    );
}
