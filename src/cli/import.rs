//! The `import` and `payroll export` commands.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use futures_util::TryStreamExt;

use super::ImportCommand;
use crate::audit::Actor;
use crate::db::{self, Database};
use crate::imports::hr::{self, ImportFailure};
use crate::imports::{campaign_metrics, orders, partners, supply};
use crate::payroll::{self, csv_out, Selection};
use crate::people::tenants;

/// A parsed import file, ready to apply.
pub enum Parsed {
    Employees(Vec<hr::EmployeeRow>),
    Attendance(Vec<hr::AttendanceRow>),
    Leave(Vec<hr::LeaveRow>),
    Scores(crate::rules::YearMonth, Vec<hr::ScoreRow>),
    Calendar(Vec<hr::CalendarRow>),
    Warehouses(Vec<supply::WarehouseRow>),
    Products(Vec<supply::ProductRow>),
    Stock(Vec<supply::StockRow>),
    Partners(Vec<partners::PartnerRow>),
    /// The file (read again when applied) and its first pass.
    Orders(Arc<PathBuf>, orders::Scanned),
    CampaignMetrics(Vec<campaign_metrics::MetricsIn>),
}

fn read(path: &Path) -> anyhow::Result<(String, Vec<u8>)> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok((path.display().to_string(), bytes))
}

/// Read and check a file (no database needed): every error by line.
pub fn parse(cmd: &ImportCommand) -> anyhow::Result<Parsed> {
    Ok(match cmd {
        ImportCommand::Employees(a) => {
            let (name, bytes) = read(&a.file)?;
            Parsed::Employees(hr::parse_employees(&name, &bytes)?)
        }
        ImportCommand::Attendance(a) => {
            let (name, bytes) = read(&a.file)?;
            Parsed::Attendance(hr::parse_attendance(&name, &bytes)?)
        }
        ImportCommand::Leave(a) => {
            let (name, bytes) = read(&a.file)?;
            Parsed::Leave(hr::parse_leave(&name, &bytes)?)
        }
        ImportCommand::Scores { args, month } => {
            let m =
                payroll::parse_month(month).with_context(|| format!("--month: {month:?} is not a month YYYY-MM"))?;
            let (name, bytes) = read(&args.file)?;
            Parsed::Scores(m, hr::parse_scores(&name, &bytes)?)
        }
        ImportCommand::Calendar(a) => {
            let (name, bytes) = read(&a.file)?;
            Parsed::Calendar(hr::parse_calendar(&name, &bytes)?)
        }
        ImportCommand::Warehouses(a) => {
            let (name, bytes) = read(&a.file)?;
            Parsed::Warehouses(supply::parse_warehouses(&name, &bytes)?)
        }
        ImportCommand::Products(a) => {
            let (name, bytes) = read(&a.file)?;
            Parsed::Products(supply::parse_products(&name, &bytes)?)
        }
        ImportCommand::Stock(a) => {
            let (name, bytes) = read(&a.file)?;
            Parsed::Stock(supply::parse_stock(&name, &bytes)?)
        }
        ImportCommand::Partners(a) => {
            let (name, bytes) = read(&a.file)?;
            Parsed::Partners(partners::parse_partners(&name, &bytes)?)
        }
        ImportCommand::Orders(a) => {
            // Streamed: the file is read in passes, never whole.
            std::fs::File::open(&a.file).with_context(|| format!("cannot read {}", a.file.display()))?;
            let scanned = orders::scan(&a.file.display().to_string(), a.file.as_path(), 0)?;
            Parsed::Orders(Arc::new(a.file.clone()), scanned)
        }
        ImportCommand::CampaignMetrics(a) => {
            let (name, bytes) = read(&a.file)?;
            Parsed::CampaignMetrics(campaign_metrics::parse(&name, &bytes)?)
        }
    })
}

async fn tenant_id(db: &Database, code: &str) -> anyhow::Result<i64> {
    Ok(tenants::find_by_code(&db.app, code)
        .await?
        .with_context(|| format!("--tenant: no company with code {code:?}"))?
        .id)
}

/// What an import did, as the command prints it.
fn done(s: hr::Summary) -> String {
    s.to_string()
}

/// Apply a parsed file in one transaction.
pub async fn apply(db: &Database, cmd: &ImportCommand, mut parsed: Parsed) -> anyhow::Result<()> {
    let (tenant, file) = match cmd {
        ImportCommand::Employees(a)
        | ImportCommand::Attendance(a)
        | ImportCommand::Leave(a)
        | ImportCommand::Calendar(a)
        | ImportCommand::Warehouses(a)
        | ImportCommand::Products(a)
        | ImportCommand::Stock(a)
        | ImportCommand::Partners(a)
        | ImportCommand::Orders(a)
        | ImportCommand::CampaignMetrics(a) => (&a.tenant, a.file.display().to_string()),
        ImportCommand::Scores { args, .. } => (&args.tenant, args.file.display().to_string()),
    };
    let tid = tenant_id(db, tenant).await?;
    let actor = Actor::cli();
    let mut tx = db::begin_tenant(&db.app, tid).await?;
    let result = match &mut parsed {
        Parsed::Employees(rows) => hr::apply_employees(&mut tx, tid, &actor, &file, rows).await.map(done),
        Parsed::Attendance(rows) => hr::apply_attendance(&mut tx, tid, &actor, &file, rows).await.map(done),
        Parsed::Leave(rows) => hr::apply_leave(&mut tx, tid, &actor, &file, rows).await.map(done),
        Parsed::Scores(month, rows) => hr::apply_scores(&mut tx, tid, &actor, &file, *month, rows).await.map(done),
        Parsed::Calendar(rows) => hr::apply_calendar(&mut tx, tid, &actor, &file, rows).await.map(done),
        Parsed::Warehouses(rows) => supply::apply_warehouses(&mut tx, tid, &actor, &file, rows).await.map(done),
        Parsed::Products(rows) => supply::apply_products(&mut tx, tid, &actor, &file, rows).await.map(done),
        Parsed::Stock(rows) => supply::apply_stock(&mut tx, tid, &actor, &file, rows).await.map(done),
        Parsed::Partners(rows) => partners::apply_partners(&mut tx, tid, &actor, &file, rows).await.map(done),
        Parsed::Orders(path, scanned) => {
            orders::import(&mut tx, tid, &actor, &file, path, scanned).await.map(|s| s.to_string())
        }
        Parsed::CampaignMetrics(rows) => {
            // The last day results may be for: today in the tenant's time zone.
            let today = campaign_metrics::tenant_today(&mut tx, tid).await?;
            campaign_metrics::apply(&mut tx, tid, &actor, &file, rows, today, None).await.map(|s| s.to_string())
        }
    };
    match result {
        Ok(summary) => {
            tx.commit().await?;
            if matches!(parsed, Parsed::Stock(ref rows) if rows.len() >= 1_000) {
                crate::demo::vacuum_supply(db).await?;
            }
            println!("{file}: imported ({summary})");
            Ok(())
        }
        Err(ImportFailure::Invalid(errors)) => {
            tx.rollback().await?;
            Err(errors.into())
        }
        Err(ImportFailure::Database(e)) => Err(e.into()),
    }
}

/// `payroll export`: the CSV to `out` or standard output, streamed.
pub async fn payroll_export(db: &Database, tenant: &str, month: &str, out: Option<&Path>) -> anyhow::Result<()> {
    let m = payroll::parse_month(month).with_context(|| format!("--month: {month:?} is not a month YYYY-MM"))?;
    let tid = tenant_id(db, tenant).await?;
    let mut sink: Box<dyn Write> = match out {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("--out: cannot create {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let mut tx = db::begin_tenant(&db.app, tid).await?;
    let ctx = payroll::load_context(&mut tx, tid, m).await?;
    sink.write_all(&csv_out::header())?;
    let mut buf = Vec::with_capacity(64 * 1024);
    {
        let mut rows = payroll::facts(&mut tx, tid, &ctx, &Selection::default());
        while let Some(row) = rows.try_next().await? {
            let em = payroll::evaluate(&ctx, row)?;
            csv_out::append_row(&mut buf, &em);
            if buf.len() >= 60 * 1024 {
                sink.write_all(&buf)?;
                buf.clear();
            }
        }
    }
    sink.write_all(&buf)?;
    sink.flush()?;
    tx.commit().await?;
    Ok(())
}
