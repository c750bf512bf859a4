//! Headless Chromium over WebDriver (fantoccini) with Debian's `chromedriver`,
//! shared by the browser tests.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use nix::sys::signal::{kill, killpg, Signal};
use nix::unistd::Pid;
use serde_json::json;

use crate::spawn::{self, Capture};

pub const CHROMIUM: &str = "/usr/bin/chromium";
const WAIT: Duration = Duration::from_secs(20);

/// chromedriver and Chromium, or `None` after printing why (locally) — under
/// `CI` their absence fails the test: `.ci/run` installs them.
pub fn available() -> Option<PathBuf> {
    match (find_chromedriver(), Path::new(CHROMIUM).is_file()) {
        (Some(driver), true) => Some(driver),
        _ => {
            if std::env::var_os("CI").is_some() {
                panic!(
                    "chromedriver or {CHROMIUM} is not installed: .ci/run must install chromium and chromium-driver \
                     (apt-get install chromium chromium-driver) so the browser tests can run"
                );
            }
            eprintln!(
                "SKIPPED: chromedriver not installed (apt-get install chromium chromium-driver to run this test)"
            );
            None
        }
    }
}

/// `chromedriver` on `PATH` (Debian installs it as /usr/bin/chromedriver).
pub fn find_chromedriver() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/bin")])
        .map(|dir| dir.join("chromedriver"))
        .find(|p| p.is_file())
}

/// A `chromedriver` child in its own process group, with a scratch directory for
/// the browser profiles. Dropping it kills the driver, every browser it started
/// and deletes the profiles.
pub struct ChromeDriver {
    url: String,
    child: Child,
    stdout: Capture,
    stderr: Capture,
    profiles: tempfile::TempDir,
    sessions: usize,
}

impl ChromeDriver {
    pub fn start(bin: &Path) -> Self {
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
    pub async fn session(&mut self) -> Browser {
        self.sessions += 1;
        let profile = self.profiles.path().join(format!("profile-{}", self.sessions));
        let caps = json!({
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
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
        });
        let serde_json::Value::Object(caps) = caps else { unreachable!("an object literal") };
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&self.url)
            .await
            .unwrap_or_else(|e| panic!("cannot create a Chromium session: {e}\n{}", self.logs()));
        Browser { client }
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

/// One browser session (its own profile and cookies).
pub struct Browser {
    pub client: Client,
}

impl Browser {
    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap_or_else(|e| panic!("cannot open {url}: {e}"));
    }

    pub async fn current_url(&self) -> String {
        self.client.current_url().await.map(|u| u.to_string()).unwrap_or_default()
    }

    pub async fn page_source(&self) -> String {
        self.client.source().await.unwrap_or_default()
    }

    pub async fn find_all(&self, css: &str) -> Vec<Element> {
        self.client.find_all(Locator::Css(css)).await.unwrap_or_else(|e| panic!("cannot look up {css:?}: {e}"))
    }

    /// The first element matching `css`, waiting for it to appear (at most 20 s).
    pub async fn wait_for(&self, css: &str) -> Element {
        match self.client.wait().at_most(WAIT).for_element(Locator::Css(css)).await {
            Ok(el) => el,
            Err(e) => panic!(
                "no element {css:?} within {WAIT:?} on {} ({e}):\n{}",
                self.current_url().await,
                self.page_source().await
            ),
        }
    }

    pub async fn text(&self, el: &Element) -> String {
        el.text().await.unwrap_or_else(|e| panic!("cannot read an element's text: {e}")).trim().to_owned()
    }

    pub async fn texts(&self, css: &str) -> Vec<String> {
        let mut out = Vec::new();
        for el in self.find_all(css).await {
            out.push(self.text(&el).await);
        }
        out
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let el = self.wait_for(css).await;
        el.send_keys(text).await.unwrap_or_else(|e| panic!("cannot type into {css:?}: {e}"));
    }

    /// Choose the option with `value` in the select matching `css`.
    pub async fn select(&self, css: &str, value: &str) {
        let el = self.wait_for(css).await;
        el.select_by_value(value).await.unwrap_or_else(|e| panic!("cannot select {value:?} in {css:?}: {e}"));
    }

    /// Click a link or a submit button and wait (at most 20 s) until the page it
    /// leads to has loaded. Every click in these tests navigates; waiting for the
    /// new document here means that no later lookup can find an element of the
    /// page being left (which then goes stale under the test's feet).
    pub async fn click(&self, el: Element) {
        self.client
            .execute("window.__yunyingLeaving = true;", vec![])
            .await
            .unwrap_or_else(|e| panic!("cannot mark the current page: {e}"));
        el.click().await.unwrap_or_else(|e| panic!("cannot click: {e}"));
        let deadline = Instant::now() + WAIT;
        loop {
            // Errors while the browser swaps documents are expected: ask again.
            let loaded = self
                .client
                .execute("return window.__yunyingLeaving === undefined && document.readyState === 'complete';", vec![])
                .await;
            if matches!(loaded, Ok(serde_json::Value::Bool(true))) {
                return;
            }
            if Instant::now() >= deadline {
                panic!(
                    "the click did not lead to a new page within {WAIT:?}; still on {}:\n{}",
                    self.current_url().await,
                    self.page_source().await
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Wait (at most 20 s) until the current URL is `base` + `path`.
    pub async fn wait_for_path(&self, base: &str, path: &str) {
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
    pub async fn sign_in(&self, base: &str, company: &str, username: &str, password: &str) -> (String, Vec<String>) {
        self.goto(&format!("{base}/login")).await;
        self.type_into("input[name=company]", company).await;
        self.type_into("input[name=username]", username).await;
        self.type_into("input[name=password]", password).await;
        let submit = self.wait_for("form[action='/login'] button[type=submit]").await;
        assert_eq!(self.text(&submit).await, "登录", "the login button's text");
        self.click(submit).await;
        self.wait_for_path(base, "/").await;
        let role = self.wait_for("[data-testid=user-role]").await;
        let role = self.text(&role).await;
        (role, self.texts("nav.sidenav a").await)
    }

    pub async fn close(self) {
        if let Err(e) = self.client.close().await {
            eprintln!("closing the browser session failed: {e}");
        }
    }
}
