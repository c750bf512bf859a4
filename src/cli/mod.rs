//! The `yunying` command line (CONTRACT.md, "Commands").

use std::io::{BufRead, Write};
use std::process::ExitCode;

use anyhow::{bail, Context};
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};
use tracing_subscriber::EnvFilter;

pub mod backup;
pub mod import;

use crate::app;
use crate::audit::{self, Actor, Entry};
use crate::auth::password;
use crate::config::Settings;
use crate::db::{self, Database};
use crate::error::OnConstraint;
use crate::people::repo::{self, NewUser};
use crate::people::{tenants, Dept, Level};

#[derive(Debug, Parser)]
#[command(name = "yunying", version, about = "Yunying (运营台): operations back-office")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate, then serve (the default). The first run on an empty database also
    /// creates the demo tenants and prints their logins.
    Serve,
    /// Run the database migrations.
    Migrate,
    /// Manage tenants (companies).
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Import a CSV file (CONTRACT.md, "Import files"): all or nothing.
    #[command(subcommand)]
    Import(ImportCommand),
    /// The monthly payroll-adjustment CSV.
    #[command(subcommand)]
    Payroll(PayrollCommand),
    /// Create realistic demo data and print the logins.
    Demo(DemoArgs),
    /// Write a consistent backup of the database (pg_dump, custom format) to FILE.
    Backup {
        #[arg(long, value_name = "FILE")]
        out: std::path::PathBuf,
    },
    /// Restore a backup into a new, empty data directory (YUNYING_DATA_DIR).
    Restore { file: std::path::PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// employee_no,name,department,level,monthly_salary,bonus_base,hired_on,left_on,manager_employee_no
    Employees(ImportArgs),
    /// employee_no,date,clock_in,clock_out
    Attendance(ImportArgs),
    /// employee_no,date,portion,kind (approved leave)
    Leave(ImportArgs),
    /// employee_no,score (for --month)
    Scores {
        #[command(flatten)]
        args: ImportArgs,
        #[arg(long, value_name = "YYYY-MM")]
        month: String,
    },
    /// date,kind (holiday or workday)
    Calendar(ImportArgs),
    /// code,name,address
    Warehouses(ImportArgs),
    /// sku,name,spec,unit,price,status
    Products(ImportArgs),
    /// sku,warehouse,on_hand,safety_stock,reorder_point,max_level (opening balances)
    Stock(ImportArgs),
    /// code,kind,name,contact,phone (suppliers and customers)
    Partners(ImportArgs),
    /// platform order exports, one row per line (CONTRACT.md "Orders")
    Orders(ImportArgs),
    /// campaign_no,date,channel,exposure,clicks,conversions,participants,sales,cost (daily campaign results)
    CampaignMetrics(ImportArgs),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[arg(long)]
    pub tenant: String,
    pub file: std::path::PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum PayrollCommand {
    /// Write the payroll-adjustment CSV of a month (default: to standard output).
    Export {
        #[arg(long)]
        tenant: String,
        #[arg(long, value_name = "YYYY-MM")]
        month: String,
        #[arg(long, value_name = "FILE")]
        out: Option<std::path::PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Create a tenant with its seven departments.
    Create {
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        /// Go-live date of attendance tracking (default: today).
        #[arg(long, value_name = "YYYY-MM-DD")]
        tracking_since: Option<NaiveDate>,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; the password is read from standard input.
    Create {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        username: String,
        #[arg(long)]
        name: String,
        /// ops, marketing, sales, service, warehouse, hr or finance.
        #[arg(long)]
        department: String,
        /// director, manager or specialist.
        #[arg(long)]
        level: String,
        #[arg(long)]
        employee_no: Option<String>,
        /// Make the user a tenant administrator.
        #[arg(long)]
        admin: bool,
        /// Read the password from the first line of standard input (required).
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Number of demo tenants (demo, demo2, demo3, …).
    #[arg(long, default_value_t = 2)]
    pub tenants: usize,
    /// Employees per demo tenant (with two months of punches each).
    #[arg(long, default_value_t = 60)]
    pub employees: usize,
    /// Products per demo tenant, spread over five warehouses with stock.
    #[arg(long, default_value_t = 200)]
    pub products: usize,
    /// Orders per demo tenant over the last 90 days, in every state.
    #[arg(long, default_value_t = 300)]
    pub orders: usize,
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    // Check arguments and read the password before touching the database, so bad
    // input changes nothing (not even a first-run cluster).
    let password = match &cli.command {
        Some(Command::User(UserCommand::Create { password_stdin, department, level, name, .. })) => {
            Dept::parse(department).with_context(|| {
                format!(
                    "--department: {department:?} is not one of ops, marketing, sales, service, warehouse, hr, finance"
                )
            })?;
            Level::parse(level)
                .with_context(|| format!("--level: {level:?} is not one of director, manager, specialist"))?;
            if name.trim().is_empty() {
                bail!("--name must not be empty");
            }
            if !password_stdin {
                bail!("user create: pass --password-stdin and give the password on standard input");
            }
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line).context("cannot read the password from standard input")?;
            let pw = line.trim_end_matches(['\r', '\n']).to_owned();
            password::validate_new(&pw).map_err(|m| anyhow::anyhow!("password: {m}"))?;
            Some(pw)
        }
        Some(Command::Tenant(TenantCommand::Create { code, name, .. })) => {
            tenants::validate_code(code.trim()).map_err(|m| anyhow::anyhow!("--code: {m}"))?;
            if name.trim().is_empty() {
                bail!("--name must not be empty");
            }
            None
        }
        _ => None,
    };
    // Parse import files before touching the database, too.
    let parsed = match &cli.command {
        Some(Command::Import(cmd)) => Some(import::parse(cmd)?),
        Some(Command::Payroll(PayrollCommand::Export { month, .. })) => {
            crate::payroll::parse_month(month).with_context(|| format!("--month: {month:?} is not a month YYYY-MM"))?;
            None
        }
        _ => None,
    };
    match &cli.command {
        Some(Command::Backup { out }) => return backup::backup(&settings, out).await,
        Some(Command::Restore { file }) => return backup::restore(&settings, file).await,
        _ => {}
    }
    // One server per embedded data directory; holding the lock also means that a
    // cluster found running was left by a server that is gone, so this one owns it.
    let serving = matches!(cli.command, None | Some(Command::Serve));
    let serve_lock_file = if serving && settings.database_url.is_none() { Some(serve_lock(&settings)?) } else { None };
    let mut db = Database::open(&settings).await?;
    if serve_lock_file.is_some() {
        db.adopt_embedded_cluster();
    }
    let result = run_with(&settings, &db, cli.command.unwrap_or(Command::Serve), password, parsed).await;
    let closed = db.close().await;
    drop(serve_lock_file);
    result.and(closed)
}

async fn run_with(
    settings: &Settings,
    db: &Database,
    command: Command,
    password: Option<String>,
    parsed: Option<import::Parsed>,
) -> anyhow::Result<()> {
    db.migrate().await?;
    match command {
        Command::Serve => serve(settings, db).await,
        Command::Migrate => {
            println!("migrations applied");
            Ok(())
        }
        Command::Tenant(TenantCommand::Create { code, name, tracking_since }) => {
            let since = tracking_since.unwrap_or_else(|| chrono::Local::now().date_naive());
            let t = tenants::create(&db.owner, code.trim(), &name, since).await?;
            println!("created tenant {} ({}), id {}", t.code, t.name, t.id);
            Ok(())
        }
        Command::User(UserCommand::Create {
            tenant, username, name, department, level, employee_no, admin, ..
        }) => {
            let password = password.context("no password given")?;
            create_user(db, &tenant, &username, &name, &department, &level, employee_no.as_deref(), admin, &password)
                .await
        }
        Command::Import(cmd) => {
            let parsed = parsed.context("import file not parsed")?;
            import::apply(db, &cmd, parsed).await
        }
        Command::Payroll(PayrollCommand::Export { tenant, month, out }) => {
            import::payroll_export(db, &tenant, &month, out.as_deref()).await
        }
        Command::Backup { .. } | Command::Restore { .. } => unreachable!("handled before opening the database"),
        Command::Demo(args) => {
            let size = crate::demo::DemoSize {
                tenants: args.tenants,
                employees: args.employees,
                products: args.products,
                orders: args.orders,
            };
            let report = crate::demo::run_sized(db, size).await?;
            print!("{}", report.render(&format!("http://{}", settings.bind)));
            Ok(())
        }
    }
}

/// An exclusive lock on `$YUNYING_DATA_DIR/serve.lock`, held while serving.
fn serve_lock(settings: &Settings) -> anyhow::Result<std::fs::File> {
    std::fs::create_dir_all(&settings.data_dir)
        .with_context(|| format!("cannot create the data directory {}", settings.data_dir.display()))?;
    let path = settings.data_dir.join("serve.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => bail!(
            "another yunying server is already running on {} (YUNYING_DATA_DIR); stop it first or use another data directory",
            settings.data_dir.display()
        ),
        Err(std::fs::TryLockError::Error(e)) => Err(e).with_context(|| format!("cannot lock {}", path.display())),
    }
}

#[allow(clippy::too_many_arguments)]
async fn create_user(
    db: &Database,
    tenant: &str,
    username: &str,
    name: &str,
    department: &str,
    level: &str,
    employee_no: Option<&str>,
    admin: bool,
    password: &str,
) -> anyhow::Result<()> {
    let t = tenants::find_by_code(&db.app, tenant)
        .await?
        .with_context(|| format!("--tenant: no company with code {tenant:?}"))?;
    let dept = Dept::parse(department).with_context(|| {
        format!("--department: {department:?} is not one of ops, marketing, sales, service, warehouse, hr, finance")
    })?;
    let level = Level::parse(level)
        .with_context(|| format!("--level: {level:?} is not one of director, manager, specialist"))?;
    let username = username.trim().to_lowercase();
    let name = name.trim();
    if name.is_empty() {
        bail!("--name must not be empty");
    }
    let hash = password::hash(password.to_owned()).await?;
    let mut tx = db::begin_tenant(&db.app, t.id).await?;
    let new = NewUser {
        username: &username,
        display_name: name,
        password_hash: &hash,
        level,
        dept,
        employee_no,
        is_tenant_admin: admin,
    };
    let inserted = repo::insert(&mut tx, t.id, &new).await.on_constraint(&[
        ("users_tenant_id_username_key", "--username"),
        ("users_tenant_id_employee_no_key", "--employee-no"),
    ]);
    let id = match inserted {
        Ok(Ok(id)) => id,
        Ok(Err("--username")) => bail!("--username: {username:?} already exists in {tenant}"),
        Ok(Err(_)) => bail!("--employee-no: already linked to another user in {tenant}"),
        Err(sqlx::Error::Database(d)) if d.code().as_deref() == Some("23514") => {
            bail!("--username or --employee-no has characters that are not allowed: {d}")
        }
        Err(e) => return Err(e.into()),
    };
    audit::record(
        &mut tx,
        t.id,
        &Actor::cli(),
        Entry {
            action: "user.create",
            entity_type: Some("user"),
            entity_id: Some(id.to_string()),
            summary: format!("命令行创建用户 {name}（{username}，{}{}）", dept.label(), level.label()),
            ..Entry::default()
        },
    )
    .await?;
    tx.commit().await?;
    println!("created user {username} in {tenant}, id {id}");
    Ok(())
}

async fn serve(settings: &Settings, db: &Database) -> anyhow::Result<()> {
    let first_run = tenants::count(&db.app).await? == 0;
    let application = app::Application::build(db.app.clone(), std::sync::Arc::new(settings.clone()))
        .await
        .with_context(|| format!("cannot listen on {} (YUNYING_BIND)", settings.bind))?;
    let url = format!("http://{}", application.local_addr()?);
    if first_run {
        let report = crate::demo::run(db, 2).await?;
        print!("{}", report.render(&url));
    }
    // Warm the dummy hash so the first failed login is not faster than the rest.
    tokio::task::spawn_blocking(password::dummy_hash).await?;
    // The embedded cluster is restarted when its postmaster dies (db::watchdog).
    let watchdog = db.embedded().map(|cluster| db::watchdog::spawn(cluster.clone()));
    println!("Yunying (运营台) is running at {url}  (Ctrl-C to stop)");
    let _ = std::io::stdout().flush();
    tracing::info!(%url, "listening");
    let served = application.run_until(app::shutdown_signal()).await;
    if let Some(watchdog) = watchdog {
        watchdog.stop().await;
    }
    served?;
    tracing::info!("server stopped");
    Ok(())
}
