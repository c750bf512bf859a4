//! Run the real `yunying` binary as a child process, on a fresh temporary data
//! directory with the embedded PostgreSQL default (no `DATABASE_URL`).
//!
//! Everything here is blocking on purpose: it is also used from `Drop`, and the
//! tests that use it run on a multi-threaded runtime where a blocked worker for a
//! few seconds is harmless.
//!
//! Clean-up is the point of this module: [`Server`]'s `Drop` kills a server that
//! is still running and then stops any PostgreSQL left on its data directory, and
//! [`DataDir`]'s `Drop` does the latter again before deleting the directory, so a
//! failing test leaves no process behind.

use std::fmt;
use std::fs;
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream, ToSocketAddrs};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_yunying");
/// How long a server may take from spawn to `/readyz` answering 200 (first runs
/// include `initdb` and creating the demo tenants).
pub const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a server may take to exit after SIGTERM.
pub const STOP_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a CLI command may run (it may `initdb`, start and stop the cluster).
pub const CLI_TIMEOUT: Duration = Duration::from_secs(120);
/// The line `serve` prints once it listens; the URL follows it.
pub const RUNNING_AT: &str = "Yunying (运营台) is running at ";

const POLL: Duration = Duration::from_millis(50);

/// A port that was free a moment ago (bind to port 0, read it, let it go).
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("cannot bind 127.0.0.1:0 to find a free port");
    listener.local_addr().expect("a bound listener has a local address").port()
}

/// The output of one pipe of a child, read to the end by a background thread so
/// the pipe never fills up and the child never blocks on writing.
pub struct Capture {
    buf: Arc<Mutex<Vec<u8>>>,
    thread: Option<JoinHandle<()>>,
}

impl Capture {
    pub fn start(mut source: impl Read + Send + 'static) -> Self {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&buf);
        let thread = thread::spawn(move || {
            let mut chunk = [0u8; 8192];
            loop {
                match source.read(&mut chunk) {
                    Ok(0) => break,
                    Ok(n) => sink.lock().unwrap_or_else(|e| e.into_inner()).extend_from_slice(&chunk[..n]),
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(_) => break,
                }
            }
        });
        Self { buf, thread: Some(thread) }
    }

    /// Everything read so far (lossy UTF-8).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.buf.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
    }

    /// Wait (bounded) until the writer side is closed and everything is read.
    pub fn finish(&mut self, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while self.thread.as_ref().is_some_and(|t| !t.is_finished()) && Instant::now() < deadline {
            thread::sleep(POLL);
        }
        if self.thread.as_ref().is_some_and(|t| t.is_finished()) {
            if let Some(t) = self.thread.take() {
                let _ = t.join();
            }
        }
    }
}

/// Wait for `child` to exit, at most `timeout`; `None` when it is still running.
pub fn wait_timeout(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if Instant::now() < deadline => thread::sleep(POLL),
            Ok(None) => return None,
            Err(e) => panic!("cannot wait for child process {}: {e}", child.id()),
        }
    }
}

/// A fresh data directory under /tmp (reachable by the `postgres` user, which runs
/// the embedded cluster when the tests run as root). Dropping it stops any
/// PostgreSQL still running on it, then deletes it.
pub struct DataDir {
    path: PathBuf,
    // Dropped after `Drop::drop` has stopped PostgreSQL.
    _dir: tempfile::TempDir,
}

impl DataDir {
    pub fn new() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("yunying-it-")
            .tempdir_in("/tmp")
            .expect("cannot create a temporary data directory in /tmp");
        // tempfile creates it 0700; the postgres user must be able to enter it.
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755))
            .expect("cannot make the temporary data directory traversable (chmod 755)");
        // The binary canonicalises its data directory; so do we, so that paths
        // compare equal (e.g. in process command lines).
        let path = fs::canonicalize(dir.path()).expect("cannot canonicalise the temporary data directory");
        Self { path, _dir: dir }
    }

    /// The embedded cluster's data directory (`pg_ctl -D`).
    pub fn pgdata(&self) -> PathBuf {
        self.path.join("pg").join("data")
    }

    /// `postmaster.pid` of the embedded cluster: present while PostgreSQL runs.
    pub fn postmaster_pid_file(&self) -> PathBuf {
        self.pgdata().join("postmaster.pid")
    }

    /// The PID in `postmaster.pid`, when the file exists.
    pub fn postmaster_pid(&self) -> Option<u32> {
        fs::read_to_string(self.postmaster_pid_file()).ok()?.lines().next()?.trim().parse().ok()
    }

    /// A `yunying` command on this data directory with the embedded default: no
    /// `DATABASE_URL`, and nothing else from the caller's environment that would
    /// change where it listens or what it uses.
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.env_remove("DATABASE_URL")
            .env_remove("DATABASE_APP_URL")
            .env_remove("YUNYING_BIND")
            .env_remove("YUNYING_PUBLIC_URL")
            .env("YUNYING_DATA_DIR", &self.path)
            .env("RUST_LOG", "info")
            .current_dir(&self.path)
            .stdin(Stdio::null());
        cmd
    }
}

impl Default for DataDir {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for DataDir {
    fn drop(&mut self) {
        stop_postgres(&self.pgdata());
    }
}

/// The result of one CLI run.
pub struct CliOutput {
    pub args: Vec<String>,
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl fmt::Display for CliOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`yunying {}` exited with {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.args.join(" "),
            self.status,
            self.stdout,
            self.stderr
        )
    }
}

/// Run `yunying <args>` on `data` to completion (at most [`CLI_TIMEOUT`]), with
/// `stdin` as its standard input.
pub fn run_cli(data: &DataDir, args: &[&str], stdin: Option<&str>) -> CliOutput {
    let mut cmd = data.command();
    cmd.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
    if stdin.is_some() {
        cmd.stdin(Stdio::piped());
    }
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("cannot run {BIN} {args:?}: {e}"));
    let mut out = Capture::start(child.stdout.take().expect("stdout is piped"));
    let mut err = Capture::start(child.stderr.take().expect("stderr is piped"));
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        // The child may exit before reading (bad arguments): ignore EPIPE.
        let _ = pipe.write_all(input.as_bytes());
        drop(pipe);
    }
    let status = match wait_timeout(&mut child, CLI_TIMEOUT) {
        Some(status) => status,
        None => {
            let _ = child.kill();
            let _ = child.wait();
            out.finish(Duration::from_secs(5));
            err.finish(Duration::from_secs(5));
            panic!(
                "`yunying {}` did not finish within {CLI_TIMEOUT:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
                args.join(" "),
                out.text(),
                err.text()
            );
        }
    };
    out.finish(Duration::from_secs(10));
    err.finish(Duration::from_secs(10));
    CliOutput { args: args.iter().map(|a| a.to_string()).collect(), status, stdout: out.text(), stderr: err.text() }
}

/// A running `yunying serve` (the default command).
pub struct Server {
    /// `http://127.0.0.1:PORT`, as printed by the server.
    pub url: String,
    child: Child,
    data_dir: Arc<DataDir>,
    stdout: Capture,
    stderr: Capture,
    exited: Option<ExitStatus>,
}

impl Server {
    /// Start on a fresh, empty data directory.
    pub fn start() -> Self {
        Self::start_in(Arc::new(DataDir::new()))
    }

    /// Start on `data_dir` (possibly one a previous server used) and wait until
    /// `/readyz` answers 200. Panics, with the server's output, when it does not
    /// get there within [`STARTUP_TIMEOUT`].
    pub fn start_in(data_dir: Arc<DataDir>) -> Self {
        let mut cmd = data_dir.command();
        // Port 0: the kernel picks a free port and the server prints it.
        cmd.env("YUNYING_BIND", "127.0.0.1:0").stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap_or_else(|e| panic!("cannot start {BIN}: {e}"));
        let stdout = Capture::start(child.stdout.take().expect("stdout is piped"));
        let stderr = Capture::start(child.stderr.take().expect("stderr is piped"));
        // From here on, a panic drops `server`, which kills it and its PostgreSQL.
        let mut server = Server { url: String::new(), child, data_dir, stdout, stderr, exited: None };
        let started = Instant::now();
        let deadline = started + STARTUP_TIMEOUT;
        loop {
            if let Some(url) = running_url(&server.stdout()) {
                server.url = url;
                break;
            }
            server.check_alive_before(deadline, "printing its \"running at\" line");
            thread::sleep(POLL);
        }
        loop {
            let last = match http_get(&server.url, "/readyz") {
                Ok(resp) if resp.status == 200 => break,
                Ok(resp) => format!("HTTP {}: {}", resp.status, resp.body),
                Err(e) => e.to_string(),
            };
            server.check_alive_before(deadline, &format!("/readyz answering 200 (last answer: {last})"));
            thread::sleep(POLL);
        }
        eprintln!("[spawn] yunying ready at {} after {:?}", server.url, started.elapsed());
        server
    }

    fn check_alive_before(&mut self, deadline: Instant, waiting_for: &str) {
        if let Ok(Some(status)) = self.child.try_wait() {
            self.exited = Some(status);
            self.stdout.finish(Duration::from_secs(5));
            self.stderr.finish(Duration::from_secs(5));
            panic!("yunying exited with {status} before {waiting_for}\n{}", self.logs());
        }
        if Instant::now() >= deadline {
            panic!(
                "yunying was not ready within {STARTUP_TIMEOUT:?}: still waiting for {waiting_for}\n{}",
                self.logs()
            );
        }
    }

    pub fn data_dir(&self) -> &Arc<DataDir> {
        &self.data_dir
    }

    /// Standard output so far.
    pub fn stdout(&self) -> String {
        self.stdout.text()
    }

    /// Standard error (the log) so far.
    pub fn stderr(&self) -> String {
        self.stderr.text()
    }

    /// Both outputs, for failure messages.
    pub fn logs(&self) -> String {
        format!(
            "--- yunying stdout ---\n{}\n--- yunying stderr ---\n{}\n--- end of yunying output ---",
            self.stdout(),
            self.stderr()
        )
    }

    /// Kill the server with SIGKILL (no clean-up: its PostgreSQL is left running).
    pub fn kill_hard(&mut self) {
        kill(Pid::from_raw(self.child.id() as i32), Signal::SIGKILL).expect("cannot send SIGKILL to yunying");
        let status = wait_timeout(&mut self.child, STOP_TIMEOUT).expect("yunying exits after SIGKILL");
        self.exited = Some(status);
    }

    /// Send SIGTERM and wait (at most [`STOP_TIMEOUT`]) for the exit status.
    /// Panics when the server does not exit in time (`Drop` then kills it).
    pub fn terminate(&mut self) -> ExitStatus {
        if let Some(status) = self.exited {
            return status;
        }
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!("yunying had already exited with {status} before SIGTERM\n{}", self.logs());
        }
        let sent = Instant::now();
        kill(Pid::from_raw(self.child.id() as i32), Signal::SIGTERM).expect("cannot send SIGTERM to yunying");
        let status = match wait_timeout(&mut self.child, STOP_TIMEOUT) {
            Some(status) => status,
            None => panic!("yunying did not exit within {STOP_TIMEOUT:?} of SIGTERM\n{}", self.logs()),
        };
        eprintln!("[spawn] yunying at {} exited with {status} {:?} after SIGTERM", self.url, sent.elapsed());
        self.exited = Some(status);
        self.stdout.finish(Duration::from_secs(10));
        self.stderr.finish(Duration::from_secs(10));
        status
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.exited.is_none() {
            if let Ok(None) = self.child.try_wait() {
                let _ = self.child.kill(); // SIGKILL
            }
            let _ = self.child.wait();
        }
        // A killed server leaves its PostgreSQL running (it runs in its own process
        // group); a server stopped cleanly has already stopped it.
        stop_postgres(&self.data_dir.pgdata());
        if thread::panicking() {
            eprintln!("[spawn] output of the yunying server at {:?}:\n{}", self.url, self.logs());
        }
    }
}

/// The URL on the `... is running at http://ADDR  (Ctrl-C to stop)` line.
pub fn running_url(stdout: &str) -> Option<String> {
    stdout.lines().find_map(|line| {
        let rest = &line[line.find(RUNNING_AT)? + RUNNING_AT.len()..];
        let url = rest.split_whitespace().next()?;
        url.starts_with("http://").then(|| url.to_owned())
    })
}

/// A plain HTTP answer.
#[derive(Debug)]
pub struct HttpResponse {
    pub status: u16,
    pub body: String,
}

/// A minimal blocking `GET {base}{path}` (HTTP/1.1, `Connection: close`).
pub fn http_get(base: &str, path: &str) -> io::Result<HttpResponse> {
    let invalid = |msg: String| io::Error::new(io::ErrorKind::InvalidData, msg);
    let authority = base
        .strip_prefix("http://")
        .ok_or_else(|| invalid(format!("not an http:// URL: {base}")))?
        .trim_end_matches('/');
    let addr = authority.to_socket_addrs()?.next().ok_or_else(|| invalid(format!("no address for {authority}")))?;
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.set_write_timeout(Some(Duration::from_secs(10)))?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n")?;
    // Read until the response is complete by its own framing: some servers
    // (chromedriver) keep the connection open despite `Connection: close`.
    let mut raw = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let n = match stream.read(&mut chunk) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        raw.extend_from_slice(&chunk[..n]);
        if let Some(resp) = parse_response(&raw, n == 0)? {
            return Ok(resp);
        }
        if n == 0 {
            return Err(invalid(format!(
                "connection closed before a complete response: {:?}",
                String::from_utf8_lossy(&raw)
            )));
        }
    }
}

/// The response in `raw` when it is complete (`eof`: the peer closed).
fn parse_response(raw: &[u8], eof: bool) -> io::Result<Option<HttpResponse>> {
    let invalid = |msg: String| io::Error::new(io::ErrorKind::InvalidData, msg);
    let Some(split) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Ok(None);
    };
    let headers = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    let body = &raw[split + 4..];
    let status = headers
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| invalid(format!("bad status line in {headers:?}")))?;
    let header =
        |name: &str| headers.lines().find_map(|l| l.strip_prefix(name)?.strip_prefix(':').map(|v| v.trim().to_owned()));
    let body = if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        match dechunk(body) {
            Some(body) => body,
            None if eof => return Err(invalid("truncated chunked body".to_owned())),
            None => return Ok(None),
        }
    } else if let Some(len) = header("content-length") {
        let len: usize = len.parse().map_err(|_| invalid(format!("bad content-length {len:?}")))?;
        if body.len() < len {
            return if eof { Err(invalid("truncated body".to_owned())) } else { Ok(None) };
        }
        body[..len].to_vec()
    } else if eof {
        body.to_vec()
    } else {
        return Ok(None);
    };
    Ok(Some(HttpResponse { status, body: String::from_utf8_lossy(&body).into_owned() }))
}

fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let eol = data.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&data[..eol]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        data = &data[eol + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(data.get(..size)?);
        data = data.get(size + 2..)?;
    }
}

/// Processes (pid, command line) whose command line mentions `path` — for the
/// embedded cluster, the postmaster (`postgres -D <pgdata>`). Our own process is
/// never included.
pub fn processes_mentioning(path: &Path) -> Vec<(u32, String)> {
    let needle = path.to_string_lossy().into_owned();
    let me = std::process::id();
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        if pid == me {
            continue;
        }
        // Zombies and kernel threads have an empty command line.
        let Ok(raw) = fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let cmdline = String::from_utf8_lossy(&raw).replace('\0', " ").trim().to_owned();
        if cmdline.contains(&needle) {
            found.push((pid, cmdline));
        }
    }
    found
}

/// Wait (at most `timeout`) until no process mentions `path`; the leftovers otherwise.
pub fn wait_until_no_process_mentions(path: &Path, timeout: Duration) -> Result<(), Vec<(u32, String)>> {
    let deadline = Instant::now() + timeout;
    loop {
        let left = processes_mentioning(path);
        if left.is_empty() {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(left);
        }
        thread::sleep(POLL);
    }
}

/// `pg_ctl`: from `PATH` (following Debian's links to the versioned bindir), else
/// the newest `/usr/lib/postgresql/*/bin/pg_ctl`.
pub fn find_pg_ctl() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join("pg_ctl");
            if candidate.is_file() {
                return Some(fs::canonicalize(&candidate).unwrap_or(candidate));
            }
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            let pg_ctl = e.path().join("bin").join("pg_ctl");
            pg_ctl.is_file().then_some((version, pg_ctl))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, p)| p)
}

/// Stop any PostgreSQL running on `pgdata` (`pg_ctl stop -m immediate`, as the
/// `postgres` user when we are root); as a last resort SIGKILL the postmaster.
/// A no-op when no `postmaster.pid` exists. Never panics (it runs in `Drop`).
pub fn stop_postgres(pgdata: &Path) {
    let pid_file = pgdata.join("postmaster.pid");
    if !pid_file.exists() {
        return;
    }
    eprintln!("[spawn] stopping the PostgreSQL left running on {}", pgdata.display());
    match find_pg_ctl() {
        Some(pg_ctl) => {
            let mut cmd = Command::new(&pg_ctl);
            cmd.arg("-D")
                .arg(pgdata)
                .args(["-m", "immediate", "-w", "-t", "30", "stop"])
                .current_dir("/")
                .env("LC_ALL", "C")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            if nix::unistd::geteuid().is_root() {
                if let Ok(Some(user)) = nix::unistd::User::from_name("postgres") {
                    cmd.uid(user.uid.as_raw()).gid(user.gid.as_raw());
                }
            }
            match cmd.status() {
                Ok(status) if status.success() => {}
                Ok(status) => eprintln!("[spawn] {} stop exited with {status}", pg_ctl.display()),
                Err(e) => eprintln!("[spawn] cannot run {}: {e}", pg_ctl.display()),
            }
        }
        None => eprintln!("[spawn] pg_ctl not found"),
    }
    // Last resort: the postmaster named in the pid file, if it is that cluster's.
    for (pid, cmdline) in processes_mentioning(pgdata) {
        if cmdline.contains("postgres") {
            eprintln!("[spawn] killing leftover PostgreSQL process {pid}: {cmdline}");
            let _ = kill(Pid::from_raw(pid as i32), Signal::SIGKILL);
        }
    }
}
