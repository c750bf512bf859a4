//! `yunying demo`: realistic demo tenants with a user for every level × department.

use std::fmt::Write as _;

use crate::audit::{self, Actor, Entry};
use crate::auth::password;
use crate::db::{self, Database};
use crate::people::repo::{self, NewUser};
use crate::people::{tenants, Dept, Level};

pub mod ctx;
pub mod hr;
pub mod supply;

/// The password of every demo user.
pub const DEMO_PASSWORD: &str = "demo1234";

const COMPANIES: &[&str] =
    &["云帆优选电商有限公司", "星河生活零售集团", "青禾百货连锁", "海澜数码商城", "悦己美妆旗舰店"];

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗",
    "高",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "秀英", "霞",
    "平", "刚", "桂英",
];

/// A generated, deterministic Chinese name.
pub fn person_name(i: usize) -> String {
    format!("{}{}", SURNAMES[i % SURNAMES.len()], GIVEN[(i * 7 + i / SURNAMES.len()) % GIVEN.len()])
}

pub struct DemoLogin {
    pub username: String,
    pub display_name: String,
    pub role: String,
}

pub struct DemoTenant {
    pub code: String,
    pub name: String,
    pub created: bool,
    pub logins: Vec<DemoLogin>,
}

pub struct DemoReport {
    pub tenants: Vec<DemoTenant>,
}

impl DemoReport {
    /// The text printed after the demo data is ready.
    pub fn render(&self, url: &str) -> String {
        let mut out = String::new();
        let _ =
            writeln!(out, "\n=== Yunying demo ===  open {url} and sign in with company code, username and password");
        let _ = writeln!(out, "every demo user's password: {DEMO_PASSWORD}");
        for t in &self.tenants {
            let state = if t.created { "created" } else { "already present" };
            let _ = writeln!(out, "\ncompany code: {}  ({}, {state})", t.code, t.name);
            for chunk in t.logins.chunks(3) {
                let line: Vec<String> =
                    chunk.iter().map(|l| format!("{:<22}", format!("{} {}", l.username, l.role))).collect();
                let _ = writeln!(out, "  {}", line.join("  ").trim_end());
            }
        }
        out.push('\n');
        out
    }
}

fn username(dept: Dept, level: Level) -> String {
    format!("{}.{}", dept.code(), level.code())
}

/// Sizes of the generated data.
#[derive(Clone, Copy, Debug)]
pub struct DemoSize {
    pub tenants: usize,
    /// Employees per tenant (at least one per demo login).
    pub employees: usize,
    /// Products per tenant (`--products`).
    pub products: usize,
    /// Orders per tenant (`--orders`).
    pub orders: usize,
}

impl Default for DemoSize {
    fn default() -> Self {
        Self { tenants: 2, employees: 60, products: 200, orders: 300 }
    }
}

/// Create `count` demo tenants (`demo`, `demo2`, …) unless they exist.
pub async fn run(db: &Database, count: usize) -> anyhow::Result<DemoReport> {
    run_sized(db, DemoSize { tenants: count, ..DemoSize::default() }).await
}

/// [`run`] with sizes.
pub async fn run_sized(db: &Database, size: DemoSize) -> anyhow::Result<DemoReport> {
    let count = size.tenants;
    if count == 0 || count > COMPANIES.len() * 20 {
        anyhow::bail!("--tenants must be between 1 and {}", COMPANIES.len() * 20);
    }
    let hash = password::hash(DEMO_PASSWORD.to_owned()).await?;
    let mut report = DemoReport { tenants: Vec::new() };
    for n in 0..count {
        let code = if n == 0 { "demo".to_owned() } else { format!("demo{}", n + 1) };
        let name = if n < COMPANIES.len() {
            COMPANIES[n].to_owned()
        } else {
            format!("{}（{}）", COMPANIES[n % COMPANIES.len()], n + 1)
        };
        report.tenants.push(create_tenant(db, &code, &name, &hash, n, size).await?);
    }
    vacuum_supply(db).await?;
    Ok(report)
}

/// Bulk stock data leaves a dead version of nearly every stock level behind (each
/// opening movement updates its level): clean them up, and refresh the statistics
/// and the visibility map (index-only scans), before anyone pages through them.
/// VACUUM cannot run in a transaction, and only the tables' owner may run it.
pub async fn vacuum_supply(db: &Database) -> anyhow::Result<()> {
    sqlx::query("VACUUM (ANALYZE) stock_levels, stock_movements, products").execute(&db.owner).await?;
    Ok(())
}

async fn create_tenant(
    db: &Database,
    code: &str,
    name: &str,
    hash: &str,
    n: usize,
    size: DemoSize,
) -> anyhow::Result<DemoTenant> {
    let mut logins =
        vec![DemoLogin { username: "admin".into(), display_name: "系统管理员".into(), role: "管理员".into() }];
    for &dept in Dept::ALL {
        for &level in Level::ALL {
            logins.push(DemoLogin {
                username: username(dept, level),
                display_name: String::new(),
                role: format!("{}{}", dept.label().trim_end_matches('部'), level.label()),
            });
        }
    }
    let existing = tenants::find_by_code(&db.app, code).await?;
    let tenant = match existing {
        Some(t) => return Ok(DemoTenant { code: t.code, name: t.name, created: false, logins }),
        None => tenants::create(&db.owner, code, name, hr::tracking_since(hr::today())).await?,
    };
    let mut tx = db::begin_tenant(&db.app, tenant.id).await?;
    let mut i = n * 37;
    for (emp, login) in (1001..).zip(logins.iter_mut()) {
        let (dept, level, admin, display) = if login.username == "admin" {
            (Dept::Hr, Level::Manager, true, login.display_name.clone())
        } else {
            let (d, l) = login.username.split_once('.').unwrap_or_default();
            i += 1;
            (Dept::parse(d).unwrap_or(Dept::Ops), Level::parse(l).unwrap_or(Level::Specialist), false, person_name(i))
        };
        login.display_name = display.clone();
        let employee_no = format!("E{emp}");
        repo::insert(
            &mut tx,
            tenant.id,
            &NewUser {
                username: &login.username,
                display_name: &display,
                password_hash: hash,
                level,
                dept,
                employee_no: Some(&employee_no),
                is_tenant_admin: admin,
            },
        )
        .await?;
    }
    audit::record(
        &mut tx,
        tenant.id,
        &Actor::cli(),
        Entry {
            action: "demo.create", summary: format!("创建演示数据：{} 个用户", logins.len()), ..Entry::default()
        },
    )
    .await?;
    let people: Vec<hr::Person> = logins
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let (dept, level) = match l.username.split_once('.') {
                Some((d, lv)) => (Dept::parse(d).unwrap_or(Dept::Ops), Level::parse(lv).unwrap_or(Level::Specialist)),
                None => (Dept::Hr, Level::Manager),
            };
            hr::Person { employee_no: format!("E{}", 1001 + i), name: l.display_name.clone(), dept, level }
        })
        .collect();
    hr::populate(&mut tx, tenant.id, &people, size.employees, n, hr::today()).await?;
    let users: Vec<(String, i64, Dept, Level)> = sqlx::query_as::<_, (String, i64, String, String)>(
        "SELECT username, id, department, level FROM users WHERE tenant_id = $1",
    )
    .bind(tenant.id)
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .filter(|(u, ..)| u != "admin")
    .filter_map(|(u, id, d, l)| Some((u, id, Dept::parse(&d)?, Level::parse(&l)?)))
    .collect();
    let ctx = supply::Ctx {
        tenant_id: tenant.id,
        n,
        products: size.products,
        orders: size.orders,
        today: hr::today(),
        users,
    };
    // The orders in parts written at once, one transaction each (as many as the
    // machine has cores: PostgreSQL does the work).
    let parts = std::thread::available_parallelism().map_or(2, |n| n.get()).min(4);
    let plan = supply::populate(&mut tx, &ctx, parts).await?;
    tx.commit().await?;
    if let Some(plan) = plan {
        // Into empty order tables (a new deployment's first demo), their foreign
        // keys and secondary indexes come back after the load (db::bulk).
        let set_aside = db::bulk::set_aside(&db.owner, crate::orders::demo::TABLES).await?;
        let written = write_orders(db, &ctx, &plan).await;
        if set_aside {
            let done = db::bulk::put_back(&db.owner).await?;
            if let Some(e) = done.invalid.first() {
                anyhow::bail!("the demo's orders break a foreign key: {e}");
            }
        }
        written?;
        let mut tx = db::begin_tenant(&db.app, tenant.id).await?;
        crate::orders::demo::from_contracts(&mut tx, &ctx, &plan).await?;
        crate::targets::demo::team(&mut tx, &ctx).await?;
        crate::after_sales::demo::seed(&mut tx, &ctx, chrono::Utc::now()).await?;
        crate::complaints::demo::populate(&mut tx, &ctx).await?;
        crate::campaigns::demo::seed(&mut tx, &ctx).await?;
        crate::targets::demo::seed(&mut tx, &ctx).await?;
        tx.commit().await?;
    }
    Ok(DemoTenant { code: tenant.code, name: tenant.name, created: true, logins })
}

/// The demo's orders in parts written at once, one transaction each.
async fn write_orders(db: &Database, ctx: &supply::Ctx, plan: &supply::OrderPlan) -> anyhow::Result<()> {
    let mut txs = Vec::new();
    for _ in 0..plan.parts() {
        txs.push(db::begin_tenant(&db.app, ctx.tenant_id).await?);
    }
    let writes = txs.iter_mut().enumerate().map(|(part, tx)| crate::orders::demo::write(tx, ctx, plan, part));
    futures_util::future::try_join_all(writes).await?;
    for tx in txs {
        tx.commit().await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_chinese_and_varied() {
        let names: std::collections::HashSet<String> = (0..21).map(person_name).collect();
        assert!(names.len() >= 18, "{names:?}");
        assert!(names.iter().all(|n| n.chars().count() >= 2));
    }
}
