//! A real browser against the real binary: headless Chromium driven over
//! WebDriver by a local `chromedriver`.
//!
//! The WebDriver client is a few lines of W3C WebDriver over `reqwest` rather than
//! `fantoccini`: with `default-features = false`, fantoccini 0.21 has no
//! constructor that works without naming a `hyper_util` connector type
//! (`ClientBuilder::new(connector)` needs a `hyper_util::client::legacy::connect::Connect`),
//! and `hyper-util` is not a dependency of this crate.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, killpg, Signal};
use nix::unistd::Pid;
use serde_json::{json, Value};

use crate::spawn::{self, Capture, Server};

const CHROMIUM: &str = "/usr/bin/chromium";
/// The W3C WebDriver key of an element reference.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
const WAIT: Duration = Duration::from_secs(20);

/// `chromedriver` on `PATH` (Debian installs it as /usr/bin/chromedriver).
fn find_chromedriver() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/bin")])
        .map(|dir| dir.join("chromedriver"))
        .find(|p| p.is_file())
}

/// A `chromedriver` child in its own process group, with a scratch directory for
/// the browser profiles. Dropping it kills the driver, every browser it started
/// and deletes the profiles.
struct ChromeDriver {
    url: String,
    child: Child,
    stdout: Capture,
    stderr: Capture,
    profiles: tempfile::TempDir,
    sessions: usize,
}

impl ChromeDriver {
    fn start(bin: &Path) -> Self {
        let mut failures = Vec::new();
        for _attempt in 0..3 {
            let profiles = tempfile::Builder::new()
                .prefix("yunying-it-chromium-")
                .tempdir()
                .expect("cannot create a temporary directory for browser profiles");
            // The port was free a moment ago; if someone took it since, chromedriver
            // exits at once and we try another.
            let port = spawn::free_port();
            let mut child = Command::new(bin)
                .arg(format!("--port={port}"))
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .process_group(0)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
            let stdout = Capture::start(child.stdout.take().expect("stdout is piped"));
            let stderr = Capture::start(child.stderr.take().expect("stderr is piped"));
            let mut driver =
                ChromeDriver { url: format!("http://127.0.0.1:{port}"), child, stdout, stderr, profiles, sessions: 0 };
            let deadline = Instant::now() + Duration::from_secs(30);
            loop {
                if let Ok(resp) = spawn::http_get(&driver.url, "/status") {
                    if resp.status == 200 && resp.body.replace(' ', "").contains("\"ready\":true") {
                        return driver;
                    }
                }
                if let Ok(Some(status)) = driver.child.try_wait() {
                    failures.push(format!("exited with {status} on port {port}\n{}", driver.logs()));
                    break;
                }
                if Instant::now() >= deadline {
                    panic!("chromedriver was not ready within 30 s\n{}", driver.logs());
                }
                thread::sleep(Duration::from_millis(50));
            }
        }
        panic!("chromedriver did not start:\n{}", failures.join("\n"));
    }

    fn logs(&self) -> String {
        format!(
            "--- chromedriver stdout ---\n{}\n--- chromedriver stderr ---\n{}",
            self.stdout.text(),
            self.stderr.text()
        )
    }

    /// A new browser (its own profile, so its own cookies).
    async fn session(&mut self) -> Browser {
        self.sessions += 1;
        let profile = self.profiles.path().join(format!("profile-{}", self.sessions));
        let caps = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "pageLoadStrategy": "normal",
                    "timeouts": { "pageLoad": 30_000, "script": 30_000, "implicit": 0 },
                    "goog:chromeOptions": {
                        "binary": CHROMIUM,
                        "args": [
                            "--headless=new",
                            "--no-sandbox",
                            "--disable-gpu",
                            "--disable-dev-shm-usage",
                            "--disable-quic",
                            "--no-first-run",
                            "--disable-background-networking",
                            "--disable-component-update",
                            "--disable-sync",
                            format!("--user-data-dir={}", profile.display()),
                        ],
                    },
                },
            },
        });
        let http =
            reqwest::Client::builder().timeout(Duration::from_secs(90)).build().expect("cannot build an HTTP client");
        let created = webdriver(&http, reqwest::Method::POST, &format!("{}/session", self.url), Some(caps))
            .await
            .unwrap_or_else(|e| panic!("cannot create a Chromium session: {e}\n{}", self.logs()));
        let id = created["sessionId"].as_str().unwrap_or_else(|| panic!("no sessionId in {created}")).to_owned();
        Browser { http, base: format!("{}/session/{id}", self.url) }
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let pgid = Pid::from_raw(self.child.id() as i32);
        let _ = killpg(pgid, Signal::SIGKILL);
        let _ = self.child.wait();
        // Browsers that left the process group still name their profile directory.
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let left = spawn::processes_mentioning(self.profiles.path());
            if left.is_empty() || Instant::now() >= deadline {
                break;
            }
            for (pid, _) in left {
                let _ = kill(Pid::from_raw(pid as i32), Signal::SIGKILL);
            }
            thread::sleep(Duration::from_millis(50));
        }
        if thread::panicking() {
            eprintln!("{}", self.logs());
        }
    }
}

/// One W3C WebDriver command; the `value` of the answer, or the error.
async fn webdriver(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    body: Option<Value>,
) -> Result<Value, String> {
    let mut req = http.request(method.clone(), url);
    if let Some(body) = body {
        req = req.header("content-type", "application/json").body(body.to_string());
    }
    let resp = req.send().await.map_err(|e| format!("{method} {url}: {e}"))?;
    let status = resp.status();
    let text = resp.text().await.map_err(|e| format!("{method} {url}: {e}"))?;
    let json: Value = serde_json::from_str(&text).map_err(|e| format!("{method} {url}: {e}: {text}"))?;
    let value = json.get("value").cloned().unwrap_or(Value::Null);
    if !status.is_success() || value.get("error").is_some() {
        return Err(format!("{method} {url}: HTTP {status}: {value}"));
    }
    Ok(value)
}

/// One browser session.
struct Browser {
    http: reqwest::Client,
    base: String,
}

impl Browser {
    async fn cmd(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Result<Value, String> {
        webdriver(&self.http, method, &format!("{}{path}", self.base), body).await
    }

    async fn goto(&self, url: &str) {
        self.cmd(reqwest::Method::POST, "/url", Some(json!({ "url": url })))
            .await
            .unwrap_or_else(|e| panic!("cannot open {url}: {e}"));
    }

    async fn current_url(&self) -> String {
        let v = self
            .cmd(reqwest::Method::GET, "/url", None)
            .await
            .unwrap_or_else(|e| panic!("cannot read the current URL: {e}"));
        v.as_str().unwrap_or_default().to_owned()
    }

    async fn page_source(&self) -> String {
        let v = self.cmd(reqwest::Method::GET, "/source", None).await.unwrap_or_default();
        v.as_str().unwrap_or_default().to_owned()
    }

    async fn find_all(&self, css: &str) -> Vec<String> {
        let v = self
            .cmd(reqwest::Method::POST, "/elements", Some(json!({ "using": "css selector", "value": css })))
            .await
            .unwrap_or_else(|e| panic!("cannot look up {css:?}: {e}"));
        v.as_array()
            .unwrap_or_else(|| panic!("find elements {css:?}: not a list: {v}"))
            .iter()
            .map(|e| e[ELEMENT_KEY].as_str().unwrap_or_else(|| panic!("not an element reference: {e}")).to_owned())
            .collect()
    }

    /// The first element matching `css`, waiting for it to appear (at most [`WAIT`]).
    async fn wait_for(&self, css: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(el) = self.find_all(css).await.into_iter().next() {
                return el;
            }
            if Instant::now() >= deadline {
                panic!(
                    "no element {css:?} within {WAIT:?} on {}:\n{}",
                    self.current_url().await,
                    self.page_source().await
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn text(&self, el: &str) -> String {
        let v = self
            .cmd(reqwest::Method::GET, &format!("/element/{el}/text"), None)
            .await
            .unwrap_or_else(|e| panic!("cannot read an element's text: {e}"));
        v.as_str().unwrap_or_default().trim().to_owned()
    }

    async fn texts(&self, css: &str) -> Vec<String> {
        let mut out = Vec::new();
        for el in self.find_all(css).await {
            out.push(self.text(&el).await);
        }
        out
    }

    async fn type_into(&self, css: &str, text: &str) {
        let el = self.wait_for(css).await;
        self.cmd(reqwest::Method::POST, &format!("/element/{el}/value"), Some(json!({ "text": text })))
            .await
            .unwrap_or_else(|e| panic!("cannot type into {css:?}: {e}"));
    }

    async fn click(&self, el: &str) {
        self.cmd(reqwest::Method::POST, &format!("/element/{el}/click"), Some(json!({})))
            .await
            .unwrap_or_else(|e| panic!("cannot click: {e}"));
    }

    /// Wait (at most [`WAIT`]) until the current URL's path is `path`.
    async fn wait_for_path(&self, base: &str, path: &str) {
        let want = format!("{base}{path}");
        let deadline = Instant::now() + WAIT;
        loop {
            let now = self.current_url().await;
            if now == want {
                return;
            }
            if Instant::now() >= deadline {
                panic!("expected to be on {want} within {WAIT:?}, still on {now}:\n{}", self.page_source().await);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Sign in through the login form; returns (user-role badge, nav link texts).
    async fn sign_in(&self, base: &str, company: &str, username: &str, password: &str) -> (String, Vec<String>) {
        self.goto(&format!("{base}/login")).await;
        self.type_into("input[name=company]", company).await;
        self.type_into("input[name=username]", username).await;
        self.type_into("input[name=password]", password).await;
        let submit = self.wait_for("form[action='/login'] button[type=submit]").await;
        assert_eq!(self.text(&submit).await, "登录", "the login button's text");
        self.click(&submit).await;
        self.wait_for_path(base, "/").await;
        let role = self.wait_for("[data-testid=user-role]").await;
        let role = self.text(&role).await;
        (role, self.texts("nav.sidenav a").await)
    }

    async fn close(self) {
        if let Err(e) = self.cmd(reqwest::Method::DELETE, "", None).await {
            eprintln!("closing the browser session failed: {e}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn director_and_specialist_see_different_navigation_in_chromium() {
    let (Some(chromedriver), true) = (find_chromedriver(), Path::new(CHROMIUM).is_file()) else {
        if std::env::var_os("CI").is_some() {
            panic!(
                "chromedriver or {CHROMIUM} is not installed: .ci/run must install chromium and chromium-driver \
                 (apt-get install chromium chromium-driver) so the browser test can run"
            );
        }
        eprintln!("SKIPPED: chromedriver not installed (apt-get install chromium chromium-driver to run this test)");
        return;
    };

    let mut server = Server::start();
    let base = server.url.clone();
    let mut driver = ChromeDriver::start(&chromedriver);

    let director = driver.session().await;
    let (director_role, director_nav) = director.sign_in(&base, "demo", "ops.director", "demo1234").await;
    assert_eq!(director_role, "运营部 · 总监", "ops.director's role badge");

    // A second browser: its own cookie jar, so both stay signed in side by side.
    let specialist = driver.session().await;
    let (specialist_role, specialist_nav) = specialist.sign_in(&base, "demo", "ops.specialist", "demo1234").await;
    assert_eq!(specialist_role, "运营部 · 专员", "ops.specialist's role badge");

    // The exact lists are checked in tests/it/pages.rs; here: what a browser shows.
    for (nav, who) in [(&director_nav, "director"), (&specialist_nav, "specialist")] {
        assert_eq!(nav.first().map(String::as_str), Some("首页"), "{who}: {nav:?}");
        assert_eq!(nav.last().map(String::as_str), Some("我的账户"), "{who}: {nav:?}");
    }
    assert!(director_nav.iter().any(|l| l == "工资调整"), "directors see payroll: {director_nav:?}");
    assert!(!specialist_nav.iter().any(|l| l == "工资调整" || l == "用户管理"), "{specialist_nav:?}");
    assert_ne!(director_nav, specialist_nav);
    assert!(
        director_nav.iter().any(|l| l == "审计日志") && !specialist_nav.iter().any(|l| l == "审计日志"),
        "only the director may see 审计日志: director {director_nav:?}, specialist {specialist_nav:?}"
    );
    assert_ne!(director_nav, specialist_nav);

    // The director's session was not replaced by the specialist's sign-in.
    director.goto(&format!("{base}/")).await;
    let role = director.wait_for("[data-testid=user-role]").await;
    assert_eq!(director.text(&role).await, "运营部 · 总监", "the first browser should still be the director");

    // The specialist may not manage users.
    specialist.goto(&format!("{base}/admin/users")).await;
    let h1 = specialist.wait_for("h1").await;
    assert_eq!(specialist.text(&h1).await, "没有权限", "the heading of /admin/users for a specialist");
    let code = specialist.texts(".error-code").await;
    assert_eq!(code, ["403"], "the status shown on the error page");

    // Sign out: back on the login form, and the session is gone.
    specialist.goto(&format!("{base}/")).await;
    let logout = specialist.wait_for("[data-testid=logout]").await;
    specialist.click(&logout).await;
    specialist.wait_for_path(&base, "/login").await;
    specialist.wait_for("input[name=company]").await;
    let submit = specialist.wait_for("form[action='/login'] button[type=submit]").await;
    assert_eq!(specialist.text(&submit).await, "登录");
    assert!(specialist.find_all("[data-testid=user-name]").await.is_empty(), "no signed-in header after logout");
    specialist.goto(&format!("{base}/")).await;
    specialist.wait_for_path(&base, "/login").await;

    director.close().await;
    specialist.close().await;
    drop(driver);

    let status = server.terminate();
    assert!(status.success(), "yunying should exit 0 after SIGTERM, got {status}\n{}", server.logs());
}
