//! After the first pass: the file against the database (every SKU a product of the
//! tenant, which orders exist), then the last pass over the file (`build.rs`), its
//! new orders written in chunks as they come — all in the caller's transaction.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use tokio::sync::mpsc;

use super::build::{changed, Build};
use super::scan::Scanned;
use super::{OrdersSummary, ANALYZE_AFTER_ORDERS, HEADERS};
use crate::audit::{self, Actor, Entry};
use crate::db::Tx;
use crate::imports::reader::{Encoding, Records, Source};
use crate::imports::{off_thread, Collector, ImportErrors, ImportFailure, Row};
use crate::orders::codes::Platform;
use crate::orders::repo::{self, Author, NewOrder};
use crate::people::tenants::TenantSettings;
use crate::tz::TimeZone;

/// Order numbers asked per call of `orders::repo::existing`.
const EXISTING_CHUNK: usize = 5_000;

/// What importing a checked file would do.
#[derive(Clone, Debug)]
pub struct Plan {
    products: Arc<HashMap<String, i64>>,
    /// The campaigns of the file's orders, by number.
    campaigns: Arc<HashMap<String, i64>>,
    tz: TimeZone,
    pub summary: OrdersSummary,
    /// New orders intake will hold as unpaid / as missing an address.
    pub unpaid: u64,
    pub address: u64,
}

/// Check a scanned file against the database — every SKU a product of the tenant,
/// by line and field — and say what importing it would do, noting in `scanned`
/// which orders the tenant has already; writes nothing. An order that exists is
/// left unchanged, so importing the same file again creates nothing.
pub async fn plan<S: Source + ?Sized + 'static>(
    tx: &mut Tx,
    tenant_id: i64,
    file: &str,
    src: &Arc<S>,
    scanned: &mut Scanned,
) -> Result<Plan, ImportFailure> {
    let settings: serde_json::Value =
        sqlx::query_scalar("SELECT settings FROM tenants WHERE id = $1").bind(tenant_id).fetch_one(&mut **tx).await?;
    let tz = TenantSettings::from_json(settings).time_zone;
    let skus: Vec<String> = scanned.skus.iter().cloned().collect();
    let products = repo::product_ids(tx, tenant_id, &skus).await?;
    let unknown: HashSet<String> = skus.into_iter().filter(|s| !products.contains_key(s)).collect();
    if !unknown.is_empty() {
        let (file, src, encoding) = (file.to_owned(), src.clone(), scanned.encoding);
        return Err(off_thread(move || unknown_skus(&file, &*src, encoding, &unknown)).await.into());
    }
    // The campaigns the orders carry (the optional last column): approved ones only.
    let numbers: Vec<String> = scanned.campaigns.iter().cloned().collect();
    let found = repo::campaigns_for_orders(tx, tenant_id, &numbers).await?;
    let refused: HashMap<String, String> = numbers
        .iter()
        .filter_map(|no| {
            repo::campaign_refusal(no, found.get(no).map(|(_, s)| s.as_str())).map(|why| (no.clone(), why))
        })
        .collect();
    if !refused.is_empty() {
        let (file, src, encoding) = (file.to_owned(), src.clone(), scanned.encoding);
        return Err(off_thread(move || refused_campaigns(&file, &*src, encoding, &refused)).await.into());
    }
    let campaigns: HashMap<String, i64> = found.into_iter().map(|(no, (id, _))| (no, id)).collect();
    // The numbers asked a chunk at a time, each chunk's answers noted before the next
    // is asked: no second copy of them all is ever made.
    for done in (0..scanned.orders.len()).step_by(EXISTING_CHUNK) {
        let chunk: Vec<(Platform, String)> =
            scanned.orders.keys().skip(done).take(EXISTING_CHUNK).map(|(p, n)| (*p, n.to_string())).collect();
        for (platform, number) in repo::existing(tx, tenant_id, &chunk).await? {
            if let Some(o) = scanned.orders.get_mut(&(platform, number.into_boxed_str())) {
                o.set_existing();
            }
        }
    }
    let (mut summary, mut unpaid, mut address) = (OrdersSummary::default(), 0, 0);
    for o in scanned.orders.values() {
        if o.existing() {
            summary.unchanged += 1;
        } else {
            summary.new += 1;
            summary.lines += u64::from(o.lines);
            unpaid += u64::from(o.unpaid());
            address += u64::from(o.address());
        }
    }
    Ok(Plan { products: Arc::new(products), campaigns: Arc::new(campaigns), tz, summary, unpaid, address })
}

/// The rows whose SKU is in `unknown`, read again: each an error naming its line.
fn unknown_skus<S: Source + ?Sized>(
    file: &str,
    src: &S,
    encoding: Encoding,
    unknown: &HashSet<String>,
) -> ImportErrors {
    let mut c = Collector::new();
    let found = Records::open(file, src, encoding, HEADERS, true).and_then(|mut records| {
        let (mut row, mut ignored) = (Row::default(), Collector::new());
        while records.next(&mut row, &mut ignored)? {
            let sku = &row.cells[12];
            if unknown.contains(sku) {
                c.add(row.line, Some("sku"), format!("商品 {sku} 不存在"));
            }
        }
        Ok(())
    });
    match found {
        Err(e) => e,
        Ok(()) if c.errors.is_empty() => changed(file, 1),
        Ok(()) => ImportErrors { file: file.to_owned(), errors: c.errors },
    }
}

/// The rows whose campaign is in `refused` (number → why), read again: each an
/// error naming its line and the campaign column.
fn refused_campaigns<S: Source + ?Sized>(
    file: &str,
    src: &S,
    encoding: Encoding,
    refused: &HashMap<String, String>,
) -> ImportErrors {
    let mut c = Collector::new();
    let found = Records::open(file, src, encoding, HEADERS, true).and_then(|mut records| {
        let (mut row, mut ignored) = (Row::default(), Collector::new());
        while records.next(&mut row, &mut ignored)? {
            if let Some(why) = row.cells.get(super::CAMPAIGN_COLUMN).and_then(|no| refused.get(no)) {
                c.add(row.line, Some("campaign_no"), why.clone());
            }
        }
        Ok(())
    });
    match found {
        Err(e) => e,
        Ok(()) if c.errors.is_empty() => changed(file, 1),
        Ok(()) => ImportErrors { file: file.to_owned(), errors: c.errors },
    }
}

/// [`plan`], then create the new orders — with their lines, the holds intake
/// places (`unpaid`, `address`) and the first timeline event — inside the caller's
/// transaction, audited. The file is read once more, and each order written (in
/// chunks of `build::CHUNK`) once its last row has been read.
pub async fn import<S: Source + ?Sized + 'static>(
    tx: &mut Tx,
    tenant_id: i64,
    actor: &Actor,
    file: &str,
    src: &Arc<S>,
    scanned: &mut Scanned,
) -> Result<OrdersSummary, ImportFailure> {
    // The statements of a chunk are costed above `jit_above_cost`; compiling them
    // takes longer than running them.
    sqlx::query("SET LOCAL jit = off").execute(&mut **tx).await?;
    let plan = plan(tx, tenant_id, file, src, scanned).await?;
    let author = Author { user_id: actor.user_id, name: &actor.name };
    let written = write(tx, tenant_id, &author, file, src, scanned, &plan).await?;
    let summary = plan.summary;
    if written != summary.new {
        return Err(changed(file, 1).into());
    }
    crate::imports::analyze_after(tx, written as usize, ANALYZE_AFTER_ORDERS, "SELECT app.analyze_order_tables()")
        .await?;
    audit::record(
        tx,
        tenant_id,
        actor,
        Entry {
            action: "import.orders",
            entity_type: Some("import"),
            entity_id: None,
            summary: format!("导入订单（{file}）：新增 {} 单（{} 行），未变 {} 单", summary.new, summary.lines, summary.unchanged),
            before: None,
            after: Some(serde_json::json!({"file": file, "new": summary.new, "lines": summary.lines, "unchanged": summary.unchanged})),
        },
    )
    .await?;
    Ok(summary)
}

/// The last pass: the file read on a blocking thread (`build.rs`), its new orders
/// written here chunk by chunk as they come, the reading of the next chunk going
/// on meanwhile. The number of orders written.
async fn write<S: Source + ?Sized + 'static>(
    tx: &mut Tx,
    tenant_id: i64,
    author: &Author<'_>,
    file: &str,
    src: &Arc<S>,
    scanned: &mut Scanned,
    plan: &Plan,
) -> Result<u64, ImportFailure> {
    let (out, mut chunks) = mpsc::channel::<Vec<NewOrder>>(1);
    let build = Build {
        orders: std::mem::take(&mut scanned.orders),
        products: plan.products.clone(),
        tz: plan.tz,
        created_by: author.user_id,
        campaigns: plan.campaigns.clone(),
    };
    let (name, src, encoding) = (file.to_owned(), src.clone(), scanned.encoding);
    let reading = off_thread(move || {
        let read = build.read(&name, &*src, encoding, &out);
        (build, read)
    });
    let note = format!("导入（{file}）");
    let writing = async {
        let mut written = 0;
        while let Some(chunk) = chunks.recv().await {
            repo::insert(tx, tenant_id, &chunk, author, &note).await?;
            written += chunk.len() as u64;
        }
        Ok::<u64, sqlx::Error>(written)
    };
    let ((build, read), written) = tokio::join!(reading, writing);
    scanned.orders = build.orders;
    read?;
    Ok(written?)
}
