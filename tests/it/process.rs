//! The real binary as an operator runs it: `yunying` with no arguments and no
//! `DATABASE_URL` (embedded PostgreSQL), stopped with SIGTERM; and the CLI on the
//! same cluster with and without a running server.

use std::sync::Arc;
use std::time::Duration;

use crate::spawn::{self, DataDir, Server};

/// How long PostgreSQL may linger after the process that stopped it has exited
/// (`pg_ctl stop -w` returns once the pid file is gone; the postmaster exits right after).
const LINGER: Duration = Duration::from_secs(10);

fn assert_no_postgres_left(data: &DataDir, context: &str) {
    if let Err(left) = spawn::wait_until_no_process_mentions(&data.pgdata(), LINGER) {
        panic!(
            "{context}: PostgreSQL processes of {} are still running after {LINGER:?}: {left:#?}",
            data.pgdata().display()
        );
    }
    assert!(
        !data.postmaster_pid_file().exists(),
        "{context}: {} still exists, so the cluster was not shut down cleanly",
        data.postmaster_pid_file().display()
    );
}

fn assert_ready_and_healthy(server: &Server) {
    let ready = spawn::http_get(&server.url, "/readyz")
        .unwrap_or_else(|e| panic!("GET /readyz failed: {e}\n{}", server.logs()));
    assert_eq!((ready.status, ready.body.trim()), (200, "ready"), "GET /readyz\n{}", server.logs());
    let health = spawn::http_get(&server.url, "/healthz")
        .unwrap_or_else(|e| panic!("GET /healthz failed: {e}\n{}", server.logs()));
    assert_eq!((health.status, health.body.trim()), (200, "ok"), "GET /healthz\n{}", server.logs());
}

fn assert_clean_exit(server: &mut Server) {
    let status = server.terminate();
    assert!(status.success(), "yunying should exit 0 after SIGTERM, got {status}\n{}", server.logs());
}

/// Sign in over HTTP like the login form does; the signed-in home page's HTML.
async fn sign_in(base: &str, company: &str, username: &str, password: &str) -> String {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("cannot build an HTTP client");
    let form = client
        .get(format!("{base}/login"))
        .send()
        .await
        .expect("GET /login failed")
        .text()
        .await
        .expect("GET /login: no body");
    let marker = "name=\"csrf_token\" value=\"";
    let start =
        form.find(marker).unwrap_or_else(|| panic!("no csrf_token field on the login page:\n{form}")) + marker.len();
    let token = &form[start..start + form[start..].find('"').expect("csrf_token value is quoted")];
    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair("csrf_token", token)
        .append_pair("company", company)
        .append_pair("username", username)
        .append_pair("password", password)
        .finish();
    let resp = client
        .post(format!("{base}/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("POST /login failed");
    let status = resp.status();
    let landed = resp.url().path().to_owned();
    let html = resp.text().await.expect("no body after signing in");
    assert!(
        status.is_success() && landed == "/",
        "signing in as {company}/{username} should end on / (303 then 200), ended on {landed} with {status}:\n{html}"
    );
    html
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_default_starts_serves_and_stops_cleanly() {
    let mut server = Server::start();
    let data = Arc::clone(server.data_dir());
    let pgdata = data.pgdata();

    assert_ready_and_healthy(&server);

    // The cluster was created under the data directory and is running there.
    assert!(
        pgdata.join("PG_VERSION").is_file(),
        "no cluster was initialised in {}\n{}",
        pgdata.display(),
        server.logs()
    );
    assert!(data.postmaster_pid_file().is_file(), "no postmaster.pid while the server runs\n{}", server.logs());
    let running = spawn::processes_mentioning(&pgdata);
    assert!(
        running.iter().any(|(_, cmd)| cmd.contains("postgres")),
        "expected a `postgres -D {}` process while the server runs, found {running:?}\n{}",
        pgdata.display(),
        server.logs()
    );

    // First run on an empty database: the demo logins, then the address.
    let out = server.stdout();
    for needle in [
        "company code: demo  (",
        "company code: demo2  (",
        ", created)",
        "demo1234",
        "ops.director",
        "ops.specialist",
        "admin",
    ] {
        assert!(out.contains(needle), "stdout of the first run should contain {needle:?}\n{}", server.logs());
    }
    let running_line = format!("{}{}  (Ctrl-C to stop)", spawn::RUNNING_AT, server.url);
    assert!(
        out.lines().any(|l| l.trim_end() == running_line),
        "stdout should contain the line {running_line:?}\n{}",
        server.logs()
    );
    let demo_at = out.find("company code: demo  (").expect("checked above");
    let running_at = out.find(spawn::RUNNING_AT).expect("checked above");
    assert!(demo_at < running_at, "the demo logins should come before the running-at line\n{}", server.logs());

    assert_clean_exit(&mut server);
    assert_no_postgres_left(&data, "after SIGTERM to the server");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn second_run_reuses_the_cluster_without_a_new_demo() {
    let data = Arc::new(DataDir::new());

    let mut first = Server::start_in(Arc::clone(&data));
    assert!(first.stdout().contains(", created)"), "the first run should create the demo tenants\n{}", first.logs());
    let version = std::fs::read_to_string(data.pgdata().join("PG_VERSION")).expect("PG_VERSION after the first run");
    assert_clean_exit(&mut first);
    assert_no_postgres_left(&data, "after stopping the first server");
    drop(first);

    let mut second = Server::start_in(Arc::clone(&data));
    let out = second.stdout();
    assert!(
        !out.contains("created") && !out.contains("company code:"),
        "the second run must not create or report demo tenants again\n{}",
        second.logs()
    );
    assert!(
        out.contains(&format!("{}{}", spawn::RUNNING_AT, second.url)),
        "the second run should print where it is running\n{}",
        second.logs()
    );
    assert_eq!(
        std::fs::read_to_string(data.pgdata().join("PG_VERSION")).expect("PG_VERSION after the second run"),
        version,
        "the cluster should be reused, not re-initialised"
    );
    assert_ready_and_healthy(&second);
    // The demo data of the first run is still there.
    let home = sign_in(&second.url, "demo", "ops.director", "demo1234").await;
    assert!(
        home.contains("data-testid=\"user-role\">运营部 · 总监<"),
        "ops.director should be signed in on the second run:\n{home}\n{}",
        second.logs()
    );

    assert_clean_exit(&mut second);
    assert_no_postgres_left(&data, "after stopping the second server");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_shares_the_cluster_with_a_running_server_and_runs_it_alone_otherwise() {
    let mut server = Server::start();
    let data = Arc::clone(server.data_dir());
    let postmaster = data.postmaster_pid().expect("postmaster.pid while the server runs");

    // While the server runs, the CLI connects to the server's cluster...
    let out = spawn::run_cli(&data, &["tenant", "create", "--code", "acme", "--name", "Acme 公司"], None);
    assert!(out.status.success(), "{out}\n{}", server.logs());
    assert!(
        out.stdout.contains("created tenant acme (Acme 公司)"),
        "tenant create should report the new tenant\n{out}"
    );
    // ...and leaves it running: same postmaster, and the server is still ready.
    assert_eq!(
        data.postmaster_pid(),
        Some(postmaster),
        "the CLI must not stop or restart the server's PostgreSQL\n{out}\n{}",
        server.logs()
    );
    assert_ready_and_healthy(&server);

    assert_clean_exit(&mut server);
    drop(server);
    assert_no_postgres_left(&data, "after stopping the server");

    // Without a server, the CLI starts the cluster itself and stops it again.
    let out = spawn::run_cli(
        &data,
        &[
            "user",
            "create",
            "--tenant",
            "acme",
            "--username",
            "bob",
            "--name",
            "Bob",
            "--department",
            "ops",
            "--level",
            "manager",
            "--password-stdin",
        ],
        Some("secret-pass-1\n"),
    );
    assert!(out.status.success(), "{out}");
    assert!(out.stdout.contains("created user bob in acme"), "user create should report the new user\n{out}");
    assert_no_postgres_left(&data, "after `yunying user create` without a server");

    // Both commands really wrote to the cluster the server uses: bob can sign in to acme.
    let mut again = Server::start_in(Arc::clone(&data));
    let home = sign_in(&again.url, "acme", "bob", "secret-pass-1").await;
    assert!(
        home.contains("data-testid=\"user-name\">Bob<") && home.contains("data-testid=\"user-role\">运营部 · 经理<"),
        "bob (运营部 · 经理) should be signed in:\n{home}\n{}",
        again.logs()
    );
    assert_clean_exit(&mut again);
    assert_no_postgres_left(&data, "after stopping the server again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_user_create_rejects_an_unknown_department() {
    let data = DataDir::new();
    let out = spawn::run_cli(&data, &["tenant", "create", "--code", "acme", "--name", "Acme"], None);
    assert!(out.status.success(), "{out}");

    let out = spawn::run_cli(
        &data,
        &[
            "user",
            "create",
            "--tenant",
            "acme",
            "--username",
            "carol",
            "--name",
            "Carol",
            "--department",
            "nope",
            "--level",
            "manager",
            "--password-stdin",
        ],
        Some("secret-pass-1\n"),
    );
    assert!(!out.status.success(), "an unknown department must fail\n{out}");
    assert!(
        out.stderr.contains("--department") && out.stderr.contains("nope"),
        "the error on stderr should name --department and the bad value\n{out}"
    );
    assert!(!out.stdout.contains("created user"), "nothing may be created\n{out}");
    assert_no_postgres_left(&data, "after a failed `yunying user create`");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cluster_left_by_a_killed_server_is_adopted_and_stopped_by_the_next() {
    let data = Arc::new(DataDir::new());
    let mut first = Server::start_in(data.clone());
    first.kill_hard();
    // SIGKILL skips every clean-up: the cluster is still running.
    assert!(data.postmaster_pid_file().exists(), "the killed server's PostgreSQL is left running");
    assert!(!spawn::processes_mentioning(&data.pgdata()).is_empty());

    let mut second = Server::start_in(data.clone());
    // A second server on the same data directory is refused, clearly.
    let other = spawn::run_cli(&data, &["serve"], None);
    assert!(!other.status.success(), "a second server must not start: {}", other.stdout);
    assert!(other.stderr.contains("another yunying server is already running"), "{}", other.stderr);
    assert!(second.terminate().success(), "{}", second.logs());
    // The adopted cluster was stopped with the server.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !spawn::processes_mentioning(&data.pgdata()).is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(spawn::processes_mentioning(&data.pgdata()).is_empty(), "no PostgreSQL of that data dir is left");
    assert!(!data.postmaster_pid_file().exists());
}
