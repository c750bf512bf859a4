//! `yunying backup` and `yunying restore`: a consistent `pg_dump` (custom format)
//! of the embedded cluster's database — or of `DATABASE_URL` — and its restore
//! into a new, empty data directory (`initdb`, the roles, `pg_restore` in one
//! transaction, then the migrations of this version). The client programs are the
//! ones installed beside the server binaries the embedded default runs.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context};

use crate::config::Settings;
use crate::db::embedded::{self, Cluster, Tuning};
use crate::db::{self, Database, Sizing, DATABASE};

/// `backup --out FILE`: written beside FILE first and renamed when complete, so a
/// failed backup never leaves a truncated FILE.
pub async fn backup(settings: &Settings, out: &Path) -> anyhow::Result<()> {
    let name = out.file_name().and_then(|n| n.to_str()).context("--out: give a file name")?;
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        bail!("--out: the directory {} does not exist", dir.display());
    }
    let partial = dir.join(format!(".{name}.partial"));
    let db = Database::open(settings).await?;
    let result = dump(settings, &db, &partial);
    let closed = db.close().await;
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result?;
    closed?;
    std::fs::rename(&partial, out).with_context(|| format!("cannot move the backup to {}", out.display()))?;
    let bytes = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
    println!(
        "backup written to {} ({bytes} bytes); restore it with `yunying restore {}`",
        out.display(),
        out.display()
    );
    Ok(())
}

fn dump(settings: &Settings, db: &Database, file: &Path) -> anyhow::Result<()> {
    let mut cmd = match (db.embedded(), &settings.database_url) {
        (Some(cluster), _) => {
            let mut cmd = cluster.client("pg_dump");
            cmd.arg(format!("--dbname={DATABASE}"));
            cmd
        }
        (None, Some(url)) => {
            let mut cmd = Command::new(client_program("pg_dump"));
            cmd.arg("--dbname").arg(url).arg("--no-password");
            cmd
        }
        (None, None) => bail!("no database to back up"),
    };
    // Custom format: compressed, and pg_restore can restore it in one transaction.
    // pg_dump reads everything in one snapshot, so the file is consistent while the
    // server keeps serving.
    let out = cmd.arg("--format=custom").arg("--file").arg(file).output().context("cannot run pg_dump")?;
    if !out.status.success() {
        bail!(
            "pg_dump failed: {}{}",
            String::from_utf8_lossy(&out.stderr).trim(),
            if settings.database_url.is_some() {
                "\n(with DATABASE_URL, its user must read every tenant's rows: a superuser or a role with BYPASSRLS)"
            } else {
                ""
            }
        );
    }
    Ok(())
}

/// `restore FILE` into `YUNYING_DATA_DIR`, which must be missing or empty.
pub async fn restore(settings: &Settings, file: &Path) -> anyhow::Result<()> {
    if settings.database_url.is_some() {
        bail!(
            "restore: DATABASE_URL is set, but restore fills the embedded default's new, empty data directory \
             (YUNYING_DATA_DIR); for an external PostgreSQL run `pg_restore --single-transaction --dbname=URL {}`",
            file.display()
        );
    }
    // Check the file and the directory before creating anything.
    let list =
        Command::new(client_program("pg_restore")).arg("--list").arg(file).output().context("cannot run pg_restore")?;
    if !list.status.success() {
        bail!(
            "restore: {} is not a backup written by `yunying backup`: {}",
            file.display(),
            String::from_utf8_lossy(&list.stderr).trim()
        );
    }
    let data_dir = &settings.data_dir;
    if data_dir.exists() {
        let not_empty = std::fs::read_dir(data_dir)
            .with_context(|| format!("cannot read the data directory {}", data_dir.display()))?
            .next()
            .is_some();
        if not_empty {
            bail!(
                "restore: the data directory {} (YUNYING_DATA_DIR) is not empty; a backup is restored into a new, \
                 empty data directory only — set YUNYING_DATA_DIR to one (nothing was changed)",
                data_dir.display()
            );
        }
    }
    let incomplete = || {
        format!(
            "restore of {} failed: the data directory {} is incomplete — delete it before trying again",
            file.display(),
            data_dir.display()
        )
    };
    let mut cluster = Cluster::new(data_dir, Tuning::Durable)?;
    tokio::task::block_in_place(|| cluster.ensure_running()).with_context(incomplete)?;
    let loaded = async {
        db::bootstrap_embedded(&cluster, DATABASE).await?;
        let out = cluster
            .client("pg_restore")
            .arg(format!("--dbname={DATABASE}"))
            .args(["--single-transaction", "--exit-on-error"])
            .arg(file)
            .output()
            .context("cannot run pg_restore")?;
        if !out.status.success() {
            bail!("pg_restore failed: {}", String::from_utf8_lossy(&out.stderr).trim());
        }
        anyhow::Ok(())
    }
    .await;
    if let Err(err) = loaded {
        let _ = tokio::task::block_in_place(|| cluster.stop_if_started_here());
        return Err(err.context(incomplete()));
    }
    // A backup of an older version gets this version's migrations now.
    let db = match Database::open_embedded(cluster, DATABASE, Sizing::of(settings)).await {
        Ok(db) => db,
        Err((mut cluster, err)) => {
            let _ = tokio::task::block_in_place(|| cluster.stop_if_started_here());
            return Err(err.context(incomplete()));
        }
    };
    let migrated = db.migrate().await;
    let closed = db.close().await;
    migrated.with_context(incomplete)?;
    closed?;
    println!("restored {} into {}; start the server with `yunying serve`", file.display(), data_dir.display());
    Ok(())
}

/// A client program beside the server binaries, else from `PATH`.
fn client_program(name: &str) -> PathBuf {
    embedded::find_bindir().map(|dir| dir.join(name)).ok().filter(|p| p.is_file()).unwrap_or_else(|| name.into())
}
