//! After the first pass: the file against the database (every SKU a product of the
//! tenant, which orders exist), then the last pass over the file, writing the new
//! orders in chunks as their last rows are read — all in the caller's transaction.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::cells::{disagreement, key_of, line_of, order_of};
use super::scan::Scanned;
use super::{OrderIn, OrdersSummary, ANALYZE_AFTER_ORDERS, HEADER, HEADER_ZH};
use crate::audit::{self, Actor, Entry};
use crate::db::Tx;
use crate::imports::reader::{Encoding, Records, Source};
use crate::imports::{off_thread, Collector, ImportErrors, ImportFailure, Row};
use crate::orders::codes::{Platform, Source as OrderSource};
use crate::orders::repo::{self, Author, NewLine, NewOrder};
use crate::people::tenants::TenantSettings;
use crate::tz::TimeZone;

/// Orders written per call of `orders::repo::insert`.
const CHUNK: usize = 2_000;

/// What the file of a first pass says when it changed since (the passes disagree).
const CHANGED: &str = "文件在导入过程中被修改，请重新导入";

/// What importing a checked file would do.
#[derive(Clone, Debug)]
pub struct Plan {
    products: HashMap<String, i64>,
    existing: HashSet<(Platform, String)>,
    tz: TimeZone,
    pub summary: OrdersSummary,
    /// New orders intake will hold as unpaid / as missing an address.
    pub unpaid: u64,
    pub address: u64,
}

impl Plan {
    /// The tenant has no order of this number yet.
    pub fn is_new(&self, platform: Platform, order_no: &str) -> bool {
        !self.existing.contains(&(platform, order_no.to_owned()))
    }
}

/// Check a scanned file against the database — every SKU a product of the tenant,
/// by line and field — and say what importing it would do; writes nothing. An
/// order that exists is left unchanged, so importing the same file again creates
/// nothing.
pub async fn plan<S: Source + ?Sized + 'static>(
    tx: &mut Tx,
    tenant_id: i64,
    file: &str,
    src: &Arc<S>,
    scanned: &Scanned,
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
    let keys: Vec<(Platform, String)> = scanned.orders.keys().cloned().collect();
    let existing = repo::existing(tx, tenant_id, &keys).await?;
    let (mut summary, mut unpaid, mut address) = (OrdersSummary::default(), 0, 0);
    for (key, o) in &scanned.orders {
        if existing.contains(key) {
            summary.unchanged += 1;
        } else {
            summary.new += 1;
            summary.lines += o.lines;
            unpaid += u64::from(o.unpaid);
            address += u64::from(o.address);
        }
    }
    Ok(Plan { products, existing, tz, summary, unpaid, address })
}

/// The rows whose SKU is in `unknown`, read again: each an error naming its line.
fn unknown_skus<S: Source + ?Sized>(
    file: &str,
    src: &S,
    encoding: Encoding,
    unknown: &HashSet<String>,
) -> ImportErrors {
    let mut c = Collector::new();
    let found = Records::open(file, src, encoding, &[HEADER, HEADER_ZH], true).and_then(|mut records| {
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

/// [`plan`], then create the new orders — with their lines, the holds intake
/// places (`unpaid`, `address`) and the first timeline event — inside the caller's
/// transaction, audited. The file is read once more, and each order written (in
/// chunks of [`CHUNK`]) once its last row has been read.
pub async fn import<S: Source + ?Sized + 'static>(
    tx: &mut Tx,
    tenant_id: i64,
    actor: &Actor,
    file: &str,
    src: &Arc<S>,
    scanned: &Scanned,
) -> Result<OrdersSummary, ImportFailure> {
    // The statements of a chunk are costed above `jit_above_cost`; compiling them
    // takes longer than running them.
    sqlx::query("SET LOCAL jit = off").execute(&mut **tx).await?;
    let plan = plan(tx, tenant_id, file, src, scanned).await?;
    let author = Author { user_id: actor.user_id, name: &actor.name };
    let mut writer =
        Writer { tenant_id, author, note: format!("导入（{file}）"), ready: Vec::with_capacity(CHUNK) };
    let written = write(tx, &mut writer, file, &**src, scanned, &plan, actor.user_id).await?;
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

/// New orders on their way to `orders::repo::insert`.
struct Writer<'a> {
    tenant_id: i64,
    author: Author<'a>,
    note: String,
    ready: Vec<NewOrder>,
}

impl Writer<'_> {
    async fn flush(&mut self, tx: &mut Tx) -> Result<(), sqlx::Error> {
        if !self.ready.is_empty() {
            repo::insert(tx, self.tenant_id, &self.ready, &self.author, &self.note).await?;
            self.ready.clear();
        }
        Ok(())
    }
}

/// An order whose first row has been read and its last not yet.
struct Open {
    first: Row,
    /// `None` for an order the tenant has.
    order: Option<NewOrder>,
}

/// The last pass: every new order built from its rows and written once its last
/// row is read. The rows are checked again (a file that changed since the first
/// pass is refused). The number of orders written.
async fn write<S: Source + ?Sized>(
    tx: &mut Tx,
    w: &mut Writer<'_>,
    file: &str,
    src: &S,
    scanned: &Scanned,
    plan: &Plan,
    created_by: Option<i64>,
) -> Result<u64, ImportFailure> {
    let mut records = Records::open(file, src, scanned.encoding, &[HEADER, HEADER_ZH], true)?;
    let mut c = Collector::new();
    let mut open: HashMap<(Platform, String), Open> = HashMap::new();
    let (mut row, mut written) = (Row::default(), 0);
    while records.next(&mut row, &mut c)? {
        let Some(key) = key_of(&mut c, &row) else { continue };
        let Some(o) = scanned.orders.get(&key) else {
            c.add(row.line, None, CHANGED);
            continue;
        };
        let line = line_of(&mut c, &row);
        let mut order = if row.line == o.first_line {
            let new = plan.is_new(key.0, &key.1);
            let first = order_of(&mut c, &row, key.0, key.1.clone());
            Open { first: Row::default(), order: new.then(|| new_order(first, plan.tz, created_by)) }
        } else {
            let Some(opened) = open.remove(&key) else {
                c.add(row.line, None, CHANGED);
                continue;
            };
            if let Some((field, message)) = disagreement(&opened.first, &row) {
                c.add(row.line, Some(field), message);
            }
            opened
        };
        if let (Some(l), Some(new)) = (line, order.order.as_mut()) {
            match plan.products.get(&l.sku) {
                Some(&product_id) => new.lines.push(NewLine {
                    product_id,
                    quantity: l.quantity,
                    unit_price_fen: l.unit_price.fen(),
                    contract_line_id: None,
                }),
                None => c.add(row.line, None, CHANGED),
            }
        }
        if row.line != o.last_line {
            if row.line == o.first_line {
                order.first = row.clone();
            }
            open.insert(key, order);
        } else if let Some(new) = order.order.filter(|_| c.errors.is_empty()) {
            w.ready.push(new);
            written += 1;
            if w.ready.len() >= CHUNK {
                w.flush(tx).await?;
            }
        }
    }
    if let Some(line) = open.values().map(|o| o.first.line).min() {
        c.add(line, None, CHANGED);
    }
    c.finish(file, ())?;
    w.flush(tx).await?;
    Ok(written)
}

fn changed(file: &str, line: u64) -> ImportErrors {
    let mut c = Collector::new();
    c.add(line, None, CHANGED);
    ImportErrors { file: file.to_owned(), errors: c.errors }
}

/// The order of a file's first row (its lines to come), to insert.
fn new_order(o: OrderIn, tz: TimeZone, created_by: Option<i64>) -> NewOrder {
    NewOrder {
        platform: o.platform,
        order_no: o.order_no,
        shop: o.shop,
        source: OrderSource::Import,
        customer_id: None,
        contract_id: None,
        buyer: o.buyer,
        ship_to: o.ship_to,
        buyer_note: o.buyer_note,
        seller_note: o.seller_note,
        shipping_fen: o.shipping_fee.fen(),
        discount_fen: o.discount.fen(),
        paid_fen: o.paid_amount.fen(),
        ordered_at: tz.to_utc(o.ordered_at),
        paid_at: o.paid_at.map(|t| tz.to_utc(t)),
        rep_id: None,
        rep_department: None,
        created_by,
        lines: Vec::new(),
    }
}
