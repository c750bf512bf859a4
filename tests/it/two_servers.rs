//! Two `yunying serve` processes on one database (issue 14, part 3): a logout, a
//! deactivation or a write made through server A is seen by server B on its next
//! request, although B caches sessions and home-page summaries for a minute — only
//! the invalidation PostgreSQL sends every server (LISTEN/NOTIFY) can explain it.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

use crate::helpers::{spawn_app, two_tenants, Client, TestApp, PASSWORD};
use crate::home_cache::{active_users, create_newbie};
use crate::spawn::{self, Capture};
use yunying::db::{APP_ROLE, OWNER_ROLE};
use yunying::people::{Dept, Level};

/// How long B may take to see a change made through A: the notification's trip
/// (milliseconds), with room for a busy machine; far below the caches' minute.
const DEADLINE: Duration = Duration::from_secs(3);

/// A `yunying serve` on the test database (as an external PostgreSQL, like
/// [`TestApp::cli`]), with both caches at their longest.
struct Server {
    url: String,
    child: Child,
    stdout: Capture,
    stderr: Capture,
    _data: tempfile::TempDir,
}

impl Server {
    fn start(app: &TestApp) -> Self {
        let url = |role: &str| format!("postgres://{role}@localhost/{}?host={}", app.db_name, app.socket_dir.display());
        let data = tempfile::Builder::new().prefix("yunying-2srv-").tempdir().expect("a data directory");
        let mut child = Command::new(spawn::BIN)
            .env("DATABASE_URL", url(OWNER_ROLE))
            .env("DATABASE_APP_URL", url(APP_ROLE))
            .env("YUNYING_DATA_DIR", data.path())
            .env("YUNYING_BIND", "127.0.0.1:0")
            .env_remove("YUNYING_PUBLIC_URL")
            .env("YUNYING_SESSION_CACHE_SECONDS", "60")
            .env("YUNYING_HOME_CACHE_SECONDS", "60")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start yunying serve");
        let stdout = Capture::start(child.stdout.take().expect("stdout"));
        let stderr = Capture::start(child.stderr.take().expect("stderr"));
        let mut server = Server { url: String::new(), child, stdout, stderr, _data: data };
        let deadline = Instant::now() + spawn::STARTUP_TIMEOUT;
        while server.url.is_empty() {
            match spawn::running_url(&server.stdout.text()) {
                Some(url) => server.url = url,
                None => {
                    let exited = server.child.try_wait().expect("wait").is_some();
                    assert!(!exited && Instant::now() < deadline, "yunying serve did not start\n{}", server.logs());
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        }
        server
    }

    fn logs(&self) -> String {
        format!("--- stdout ---\n{}\n--- stderr ---\n{}", self.stdout.text(), self.stderr.text())
    }

    /// SIGTERM, and the exit status must be a clean one.
    fn stop(mut self) {
        kill(Pid::from_raw(self.child.id() as i32), Signal::SIGTERM).expect("SIGTERM");
        let status = spawn::wait_timeout(&mut self.child, spawn::STOP_TIMEOUT).expect("exits after SIGTERM");
        assert!(status.success(), "yunying serve exited with {status}\n{}", self.logs());
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
            if std::thread::panicking() {
                eprintln!("[two_servers] server at {}:\n{}", self.url, self.logs());
            }
        }
    }
}

/// Wait until `n` invalidation listeners (`LISTEN`) of the runtime role are
/// connected to this database: both servers' caches are on.
async fn listeners_connected(app: &TestApp, n: i64) {
    let deadline = Instant::now() + spawn::STARTUP_TIMEOUT;
    loop {
        let connected: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
               AND usename = current_user AND state = 'idle' AND query ILIKE 'LISTEN%'",
        )
        .fetch_one(&app.db)
        .await
        .unwrap();
        if connected >= n {
            return;
        }
        assert!(Instant::now() < deadline, "{connected} of {n} cache listeners connected");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Poll (every 10 ms, at most [`DEADLINE`]) until `done` holds: `server` has seen
/// `what`; how long it took.
async fn within_deadline<F, Fut>(server: &str, what: &str, mut done: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while !done().await {
        assert!(start.elapsed() < DEADLINE, "server {server} did not see {what} within {DEADLINE:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    eprintln!("[two_servers] {server} saw {what} after {:?}", start.elapsed());
    start.elapsed()
}

/// Sign in on A; the session's token, and a client sending it to B.
async fn session_on_both(a: &Server, b: &Server, username: &str) -> (Client, Client) {
    let on_a = Client {
        http: reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        base: a.url.clone(),
    };
    let login = on_a.login("alpha", username, PASSWORD).await;
    assert_eq!(login.status, 303, "login of {username} on A: {}", login.body);
    let token = Client::session_cookie(&login).expect("a session cookie");
    let on_b = Client::with_cookie(&b.url, &token);
    // Read, then served from B's cache.
    for _ in 0..2 {
        assert_eq!(on_b.get("/").await.status, 200, "{username}'s session from A works on B");
    }
    (on_a, on_b)
}

/// Switch migration 0014's trigger on `users` off or on (a write that notifies no one).
async fn users_home_trigger(app: &TestApp, on: bool) {
    let verb = if on { "ENABLE" } else { "DISABLE" };
    sqlx::query(&format!("ALTER TABLE users {verb} TRIGGER home_notify")).execute(&app.owner).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_deactivation_and_writes_on_one_server_reach_the_other_at_once() {
    let app = spawn_app().await;
    let t = two_tenants(&app).await;
    let a = Server::start(&app);
    let b = Server::start(&app);
    listeners_connected(&app, 2).await;

    let (admin_a, admin_b) = session_on_both(&a, &b, "admin").await;
    let (director_a, director_b) = session_on_both(&a, &b, "director").await;
    let (_specialist_a, specialist_b) = session_on_both(&a, &b, "specialist").await;

    // B serves its home page from memory: a write that notifies no one is not seen
    // (retried: a notification of the logins above may still drop the first entry).
    users_home_trigger(&app, false).await;
    let mut cached = false;
    for i in 0..5 {
        let before = active_users(&admin_b).await;
        app.user(t.alpha, &format!("quiet{i}"), Dept::Sales, Level::Specialist, false).await;
        if active_users(&admin_b).await == before {
            cached = true;
            break;
        }
    }
    users_home_trigger(&app, true).await;
    assert!(cached, "server B caches the home page (else this test proves nothing)");

    // A write through A (a new user, on the admin's home page) shows on B.
    let truth = app.scalar_i64(t.alpha, "SELECT count(*) FROM users WHERE is_active").await;
    let p = create_newbie(&admin_a).await;
    assert_eq!(p.status, 303, "user created on A: {}", p.body);
    within_deadline("B", "A's new user on its home page", || async { active_users(&admin_b).await == truth + 1 }).await;

    // A deactivation on A's admin page: the session cached on B is refused.
    let path = format!("/admin/users/{}/deactivate", t.alpha_specialist);
    assert_eq!(admin_a.post_form(&path, &path, &[]).await.status, 303, "deactivated on A");
    within_deadline("B", "A's deactivation", || async { specialist_b.get("/").await.status == 303 }).await;

    // A logout on A: the session cached on B is refused.
    assert_eq!(director_a.post_form("/", "/logout", &[]).await.status, 303, "logged out on A");
    within_deadline("B", "the logout on A", || async { director_b.get("/").await.status == 303 }).await;

    // And the other way round: what B does reaches A.
    assert_eq!(active_users(&admin_a).await, truth, "A: the specialist is gone, the new user counted");
    let newbie = app.scalar_i64(t.alpha, "SELECT id FROM users WHERE username = 'newbie'").await;
    let path = format!("/admin/users/{newbie}/deactivate");
    assert_eq!(admin_b.post_form(&path, &path, &[]).await.status, 303, "deactivated on B");
    within_deadline("A", "B's deactivation", || async { active_users(&admin_a).await == truth - 1 }).await;

    a.stop();
    b.stop();
}
