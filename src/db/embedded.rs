//! The embedded PostgreSQL default (CONTRACT.md, "Binary and environment").
//!
//! With no `DATABASE_URL`, Yunying runs a private cluster from the PostgreSQL server
//! binaries installed on the machine: `initdb` on first use into
//! `$YUNYING_DATA_DIR/pg/data`, listening on a Unix socket only (no TCP), reused on
//! later runs. PostgreSQL refuses to run as root, so when we are root the server
//! runs as the `postgres` system user and its directories are owned by it.
//!
//! No crate fits: the embedding crates on crates.io download PostgreSQL builds at
//! run time, which a machine without internet access (and our CI) cannot do. This
//! module only drives `initdb` and `pg_ctl`.
//!
//! Local connections use `trust` authentication; the socket directory and the socket
//! itself are mode 0700, so only the server's own user (and root) can connect.
//!
//! A cluster whose postmaster died (killed, OOM) is taken over by the next start
//! ([`Cluster::ensure_running`], and the serving process's watchdog,
//! `db::watchdog`): its orphaned backends are killed (they keep the old shared
//! memory attached, which stops a new postmaster) and a stale `postmaster.pid` —
//! one naming a process that is not this cluster's postmaster — is removed. Starts
//! and take-overs hold `pg/start.lock`, so a CLI command and the watchdog never
//! clean up after each other's fresh postmaster.

use std::ffi::OsStr;
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use anyhow::{anyhow, bail, Context};
use sqlx::postgres::PgConnectOptions;

/// The port number only names the socket file; nothing listens on TCP.
pub const PORT: u16 = 5432;
/// The bootstrap superuser created by `initdb`.
pub const SUPERUSER: &str = "postgres";

/// The one line printed when no server binaries can be found.
pub const NOT_FOUND: &str = "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found: install PostgreSQL \
     (Debian/Ubuntu: apt-get install postgresql) or set DATABASE_URL to an existing PostgreSQL";

/// Durability settings: durable for real use; `FastUnsafe` (no fsync) for test clusters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tuning {
    Durable,
    FastUnsafe,
}

#[derive(Clone, Debug)]
struct RunAs {
    uid: u32,
    gid: u32,
}

/// A private PostgreSQL cluster under one data directory.
#[derive(Clone, Debug)]
pub struct Cluster {
    bindir: PathBuf,
    root: PathBuf,
    pgdata: PathBuf,
    socket_dir: PathBuf,
    log_file: PathBuf,
    run_as: Option<RunAs>,
    tuning: Tuning,
    started_here: bool,
}

impl Cluster {
    /// Locate the binaries and lay out the directories under `data_dir/pg`
    /// (nothing is started yet).
    pub fn new(data_dir: &Path, tuning: Tuning) -> anyhow::Result<Self> {
        let bindir = find_bindir()?;
        fs::create_dir_all(data_dir)
            .with_context(|| format!("cannot create the data directory {}", data_dir.display()))?;
        let data_dir = fs::canonicalize(data_dir)?;
        let run_as = run_as()?;
        let root = data_dir.join("pg");
        let pgdata = root.join("data");
        let socket_dir = socket_dir_for(&root);
        let log_file = root.join("postgres.log");
        Ok(Self { bindir, root, pgdata, socket_dir, log_file, run_as, tuning, started_here: false })
    }

    pub fn socket_dir(&self) -> &Path {
        &self.socket_dir
    }

    pub fn pgdata(&self) -> &Path {
        &self.pgdata
    }

    pub fn bindir(&self) -> &Path {
        &self.bindir
    }

    /// Whether the server runs as another user (we are root).
    pub fn runs_as_other_user(&self) -> bool {
        self.run_as.is_some()
    }

    /// Whether this process started the server (and so must stop it).
    pub fn started_here(&self) -> bool {
        self.started_here
    }

    /// Take charge of a server this process did not start (one left running by a
    /// server process that was killed): it is stopped when this process ends.
    pub fn adopt(&mut self) {
        self.started_here = true;
    }

    /// Connection options for `user` on `database`, over the socket.
    pub fn connect_options(&self, user: &str, database: &str) -> PgConnectOptions {
        PgConnectOptions::new()
            .socket(&self.socket_dir)
            .port(PORT)
            .username(user)
            .database(database)
            .application_name("yunying")
    }

    /// Initialise the cluster on first use and start it unless it is already running.
    pub fn ensure_running(&mut self) -> anyhow::Result<()> {
        self.prepare_dirs()?;
        if !self.pgdata.join("PG_VERSION").is_file() {
            self.initdb()?;
        }
        self.write_config()?;
        let _lock = self.start_lock()?;
        if self.postmaster_alive() {
            tracing::info!(pgdata = %self.pgdata.display(), "embedded PostgreSQL already running; connecting to it");
            return Ok(());
        }
        self.take_over()?;
        self.start()?;
        self.started_here = true;
        Ok(())
    }

    /// Start the server again after its postmaster died (the watchdog): take the
    /// data directory over and start, never `initdb`. `Ok(false)` when a postmaster
    /// runs already (another command restarted it first).
    pub fn restart_after_crash(&self) -> anyhow::Result<bool> {
        let _lock = self.start_lock()?;
        if self.postmaster_alive() {
            return Ok(false);
        }
        self.take_over()?;
        self.start()?;
        Ok(true)
    }

    /// Whether the postmaster named in `postmaster.pid` runs, and is this cluster's
    /// (on Linux: its working directory is the data directory, so a pid reused by
    /// another process after a crash or a reboot does not count). Cheap: no
    /// subprocess, for the watchdog's frequent polls.
    pub fn postmaster_alive(&self) -> bool {
        read_pid(&self.pgdata).is_some_and(|pid| self.is_ours(pid))
    }

    /// A live `postgres` process working in this data directory (a zombie has neither).
    fn is_ours(&self, pid: i32) -> bool {
        if Path::new("/proc/self/cwd").exists() {
            let link = |what: &str| fs::read_link(format!("/proc/{pid}/{what}"));
            link("cwd").is_ok_and(|cwd| cwd == self.pgdata)
                && link("exe").is_ok_and(|exe| {
                    exe.file_name().and_then(OsStr::to_str).is_some_and(|name| name.starts_with("postgres"))
                })
        } else {
            nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None).is_ok()
        }
    }

    /// After a postmaster died: kill the processes it left (working directory in
    /// the data directory: backends still attached to its shared memory) and
    /// remove its lock files (`postmaster.pid`, the socket's), which name no live
    /// postmaster of ours.
    fn take_over(&self) -> anyhow::Result<()> {
        let orphans = self.orphans();
        if !orphans.is_empty() {
            tracing::warn!(?orphans, "killing PostgreSQL processes left by a postmaster that died");
            for pid in &orphans {
                let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(*pid), nix::sys::signal::Signal::SIGKILL);
            }
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            while !self.orphans().is_empty() {
                if std::time::Instant::now() > deadline {
                    bail!("PostgreSQL processes {:?} of {} do not exit", self.orphans(), self.pgdata.display());
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        }
        // The lock files: PostgreSQL itself takes one naming a live process (say, an
        // unreaped zombie of the dead postmaster, or a reused pid) for a running server.
        let socket_lock = self.socket_dir.join(format!(".s.PGSQL.{PORT}.lock"));
        for lock in [self.pgdata.join("postmaster.pid"), socket_lock] {
            if lock.exists() {
                tracing::warn!(file = %lock.display(), "removing the stale lock file of a postmaster that died");
                fs::remove_file(&lock).with_context(|| format!("cannot remove {}", lock.display()))?;
            }
        }
        Ok(())
    }

    /// Live `postgres` processes working in the data directory (Linux only).
    fn orphans(&self) -> Vec<i32> {
        let me = std::process::id() as i32;
        let Ok(entries) = fs::read_dir("/proc") else {
            return Vec::new();
        };
        entries
            .flatten()
            .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
            .filter(|pid| *pid != me && self.is_ours(*pid))
            .collect()
    }

    /// `pg_ctl start`, waiting until the server accepts connections.
    fn start(&self) -> anyhow::Result<()> {
        tracing::info!(pgdata = %self.pgdata.display(), "starting embedded PostgreSQL");
        let out = self.pg_ctl(&[
            OsStr::new("-D"),
            self.pgdata.as_os_str(),
            OsStr::new("-l"),
            self.log_file.as_os_str(),
            OsStr::new("-w"),
            OsStr::new("-t"),
            OsStr::new("60"),
            OsStr::new("-s"),
            OsStr::new("start"),
        ])?;
        if !out.status.success() {
            bail!(
                "embedded PostgreSQL did not start ({}); its log {} ends with:\n{}",
                String::from_utf8_lossy(&out.stderr).trim(),
                self.log_file.display(),
                tail(&self.log_file, 15)
            );
        }
        Ok(())
    }

    /// Held while starting or taking over the cluster (blocks until free).
    fn start_lock(&self) -> anyhow::Result<fs::File> {
        let path = self.root.join("start.lock");
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        file.lock().with_context(|| format!("cannot lock {}", path.display()))?;
        Ok(file)
    }

    /// A PostgreSQL client program of the same installation (`pg_dump`,
    /// `pg_restore`), run as this process's user, connecting to the cluster as the
    /// superuser over its socket; the database is left to the caller.
    pub fn client(&self, program: &str) -> Command {
        let mut cmd = Command::new(self.bindir.join(program));
        cmd.arg("--host")
            .arg(&self.socket_dir)
            .arg(format!("--port={PORT}"))
            .arg(format!("--username={SUPERUSER}"))
            .arg("--no-password")
            .stdin(Stdio::null())
            .env("LC_ALL", "C")
            .env_remove("PGHOST")
            .env_remove("PGPORT")
            .env_remove("PGUSER")
            .env_remove("PGDATABASE")
            .env_remove("PGPASSWORD");
        cmd
    }

    /// Stop the server if this process started it (fast shutdown: sessions are
    /// disconnected, the cluster shuts down cleanly).
    pub fn stop_if_started_here(&mut self) -> anyhow::Result<()> {
        if !self.started_here {
            return Ok(());
        }
        self.stop()?;
        self.started_here = false;
        Ok(())
    }

    /// Stop the server unconditionally (nothing to do when its postmaster is gone).
    pub fn stop(&self) -> anyhow::Result<()> {
        if !self.postmaster_alive() {
            tracing::warn!(pgdata = %self.pgdata.display(), "embedded PostgreSQL is not running; nothing to stop");
            return Ok(());
        }
        tracing::info!(pgdata = %self.pgdata.display(), "stopping embedded PostgreSQL");
        let out = self.pg_ctl(&[
            OsStr::new("-D"),
            self.pgdata.as_os_str(),
            OsStr::new("-m"),
            OsStr::new("fast"),
            OsStr::new("-w"),
            OsStr::new("-t"),
            OsStr::new("60"),
            OsStr::new("-s"),
            OsStr::new("stop"),
        ])?;
        if !out.status.success() {
            bail!("embedded PostgreSQL did not stop: {}", String::from_utf8_lossy(&out.stderr).trim());
        }
        Ok(())
    }

    fn prepare_dirs(&self) -> anyhow::Result<()> {
        for dir in [&self.root, &self.socket_dir] {
            fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
            if let Some(user) = &self.run_as {
                chown(dir, user)?;
            }
        }
        if let Some(user) = &self.run_as {
            check_reachable(&self.root, user)?;
        }
        Ok(())
    }

    fn initdb(&self) -> anyhow::Result<()> {
        tracing::info!(pgdata = %self.pgdata.display(), "initialising the embedded PostgreSQL cluster");
        let out = self
            .command("initdb")
            .arg("-D")
            .arg(&self.pgdata)
            .args(["-U", SUPERUSER, "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-instructions"])
            .output()
            .context("cannot run initdb")?;
        if !out.status.success() {
            bail!("initdb failed for {}: {}", self.pgdata.display(), String::from_utf8_lossy(&out.stderr).trim());
        }
        let conf = self.pgdata.join("postgresql.conf");
        let mut text = fs::read_to_string(&conf)?;
        text.push_str("\n# Yunying: settings that follow the data directory are rewritten at each start.\ninclude_if_exists = 'yunying.conf'\n");
        fs::write(&conf, text)?;
        Ok(())
    }

    fn write_config(&self) -> anyhow::Result<()> {
        let socket = self.socket_dir.display().to_string().replace('\'', "''");
        let mut conf = format!(
            "listen_addresses = ''\nport = {PORT}\nunix_socket_directories = '{socket}'\n\
             unix_socket_permissions = 0700\nmax_connections = 200\nshared_buffers = 256MB\nmax_wal_size = 4GB\n\
             logging_collector = off\nlog_min_messages = warning\n"
        );
        if self.tuning == Tuning::FastUnsafe {
            conf.push_str("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n");
        }
        let path = self.pgdata.join("yunying.conf");
        fs::write(&path, conf)?;
        if let Some(user) = &self.run_as {
            chown(&path, user)?;
        }
        Ok(())
    }

    fn pg_ctl(&self, args: &[&OsStr]) -> anyhow::Result<Output> {
        self.command("pg_ctl").args(args).output().context("cannot run pg_ctl")
    }

    /// A command for one of the server binaries, run as the cluster's user, in its
    /// own process group so a Ctrl-C at the terminal reaches us, not the server.
    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(self.bindir.join(program));
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .current_dir(&self.root)
            .process_group(0)
            .env("LC_ALL", "C");
        if let Some(user) = &self.run_as {
            cmd.uid(user.uid).gid(user.gid);
        }
        cmd
    }
}

/// Find the PostgreSQL server binaries: `PATH`, then `pg_config --bindir`, then the
/// newest `/usr/lib/postgresql/*/bin`.
pub fn find_bindir() -> anyhow::Result<PathBuf> {
    let complete = |dir: &Path| ["initdb", "pg_ctl", "postgres"].iter().all(|b| dir.join(b).is_file());
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let pg_ctl = dir.join("pg_ctl");
            if !pg_ctl.is_file() {
                continue;
            }
            // Debian links /usr/local/bin/pg_ctl and friends to the versioned bindir,
            // where initdb expects to find `postgres` beside itself.
            if let Some(real_dir) = fs::canonicalize(&pg_ctl).ok().and_then(|p| p.parent().map(Path::to_path_buf)) {
                if complete(&real_dir) {
                    return Ok(real_dir);
                }
            }
            if complete(&dir) {
                return Ok(dir);
            }
        }
    }
    if let Ok(out) = Command::new("pg_config").arg("--bindir").stderr(Stdio::null()).output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if out.status.success() && complete(&dir) {
            return Ok(dir);
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            complete(&bin).then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).ok_or_else(|| anyhow!(NOT_FOUND))
}

fn run_as() -> anyhow::Result<Option<RunAs>> {
    if !nix::unistd::geteuid().is_root() {
        return Ok(None);
    }
    let user = nix::unistd::User::from_name("postgres")
        .context("cannot look up the postgres system user")?
        .ok_or_else(|| {
            anyhow!(
                "running as root, but PostgreSQL refuses to run as root and there is no `postgres` system user \
                 to run it as: create one (apt-get install postgresql does) or run yunying as a normal user"
            )
        })?;
    Ok(Some(RunAs { uid: user.uid.as_raw(), gid: user.gid.as_raw() }))
}

fn chown(path: &Path, user: &RunAs) -> anyhow::Result<()> {
    std::os::unix::fs::chown(path, Some(user.uid), Some(user.gid))
        .with_context(|| format!("cannot give {} to the postgres user", path.display()))
}

/// The server user must be able to reach its directory through every ancestor.
fn check_reachable(dir: &Path, user: &RunAs) -> anyhow::Result<()> {
    for ancestor in dir.ancestors().skip(1) {
        let meta = fs::metadata(ancestor)?;
        let mode = meta.mode();
        let ok = mode & 0o001 != 0
            || (meta.uid() == user.uid && mode & 0o100 != 0)
            || (meta.gid() == user.gid && mode & 0o010 != 0);
        if !ok {
            bail!(
                "the postgres user cannot enter {} (mode {:o}); choose a YUNYING_DATA_DIR outside it, \
                 or run `chmod o+x {}`",
                ancestor.display(),
                mode & 0o777,
                ancestor.display()
            );
        }
    }
    Ok(())
}

/// Unix socket paths are limited to 107 bytes: use `pg/run` inside the data
/// directory when it fits, else a directory in /tmp named after the data directory.
fn socket_dir_for(root: &Path) -> PathBuf {
    let inside = root.join("run");
    // "/.s.PGSQL.5432" plus its lock file suffix ".lock" must fit too.
    if inside.as_os_str().len() + 20 <= 100 {
        return inside;
    }
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in root.as_os_str().as_encoded_bytes() {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    PathBuf::from(format!("/tmp/yunying-pg-{hash:016x}"))
}

/// The postmaster's pid, from the first line of `postmaster.pid`.
fn read_pid(pgdata: &Path) -> Option<i32> {
    fs::read_to_string(pgdata.join("postmaster.pid")).ok()?.lines().next()?.trim().parse().ok()
}

fn tail(path: &Path, lines: usize) -> String {
    let text = fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_data_dirs_get_a_short_socket_dir() {
        let short = socket_dir_for(Path::new("/srv/yunying/pg"));
        assert_eq!(short, PathBuf::from("/srv/yunying/pg/run"));
        let long_root = PathBuf::from(format!("/srv/{}/pg", "x".repeat(120)));
        let long = socket_dir_for(&long_root);
        assert!(long.to_string_lossy().starts_with("/tmp/yunying-pg-"), "{}", long.display());
        assert!(long.as_os_str().len() < 60);
        assert_eq!(long, socket_dir_for(&long_root), "the same data dir maps to the same socket dir");
    }
}
