//! The reading side of the last pass over an order file: the new orders built from
//! their rows and handed on in chunks, each order as soon as its last row has been
//! read (the rows of one order need not be adjacent). It runs on a blocking thread
//! while the writing side (`write.rs`) inserts the chunk before.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::mpsc::Sender;

use super::cells::{disagreement, key_of, line_of, order_of};
use super::scan::Order;
use super::{OrderIn, HEADERS};
use crate::imports::reader::{Encoding, Records, Source};
use crate::imports::{Collector, ImportErrors, Row};
use crate::orders::codes::{Platform, Source as OrderSource};
use crate::orders::repo::{NewLine, NewOrder};
use crate::tz::TimeZone;

/// Orders handed on at a time (one call of `orders::repo::insert`).
pub(super) const CHUNK: usize = 1_000;

/// What the file of a first pass says when it changed since (the passes disagree).
const CHANGED: &str = "文件在导入过程中被修改，请重新导入";

/// What the last pass builds from: the first pass's orders and the plan's answers.
pub(super) struct Build {
    pub orders: HashMap<(Platform, Box<str>), Order>,
    pub products: Arc<HashMap<String, i64>>,
    pub tz: TimeZone,
    pub created_by: Option<i64>,
    /// The campaigns the orders may carry, by number (`plan` has checked them).
    pub campaigns: Arc<HashMap<String, i64>>,
}

/// An order whose first row has been read and its last not yet.
struct Open {
    first: Row,
    /// Its rows read so far.
    rows: u32,
    /// `None` for an order the tenant has.
    order: Option<NewOrder>,
}

impl Build {
    /// Read the file and send its new orders to `out` in chunks of [`CHUNK`]. The
    /// rows are checked again: a file that changed since the first pass is refused.
    /// Stops early, without an error, when `out` is closed (the writing side failed).
    pub fn read<S: Source + ?Sized>(
        &self,
        file: &str,
        src: &S,
        encoding: Encoding,
        out: &Sender<Vec<NewOrder>>,
    ) -> Result<(), ImportErrors> {
        let mut records = Records::open(file, src, encoding, HEADERS, true)?;
        let mut c = Collector::new();
        let mut open: HashMap<(Platform, Box<str>), Open> = HashMap::new();
        let mut ready = Vec::with_capacity(CHUNK);
        let mut row = Row::default();
        while records.next(&mut row, &mut c)? {
            let Some((platform, number)) = key_of(&mut c, &row) else { continue };
            let key = (platform, number.into_boxed_str());
            let Some(o) = self.orders.get(&key) else {
                c.add(row.line, None, CHANGED);
                continue;
            };
            let line = line_of(&mut c, &row);
            let mut order = if row.line == o.first_line {
                let first = order_of(&mut c, &row, platform, key.1.to_string());
                if first.campaign_no.as_ref().is_some_and(|no| !self.campaigns.contains_key(no)) {
                    c.add(row.line, None, CHANGED);
                }
                Open { first: Row::default(), rows: 0, order: (!o.existing()).then(|| self.new_order(first)) }
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
                match self.products.get(&l.sku) {
                    Some(&product_id) => new.lines.push(NewLine {
                        product_id,
                        quantity: l.quantity,
                        unit_price_fen: l.unit_price.fen(),
                        contract_line_id: None,
                    }),
                    None => c.add(row.line, None, CHANGED),
                }
            }
            order.rows += 1;
            if order.rows < o.lines {
                if row.line == o.first_line {
                    order.first = row.clone();
                }
                open.insert(key, order);
            } else if let Some(new) = order.order.filter(|_| c.errors.is_empty()) {
                ready.push(new);
                if ready.len() >= CHUNK && out.blocking_send(std::mem::take(&mut ready)).is_err() {
                    return Ok(());
                }
            }
        }
        if let Some(line) = open.values().map(|o| o.first.line).min() {
            c.add(line, None, CHANGED);
        }
        c.finish(file, ())?;
        if !ready.is_empty() {
            // A closed `out` has its own error to tell.
            let _ = out.blocking_send(ready);
        }
        Ok(())
    }

    /// The order of a file's first row (its lines to come), to insert.
    fn new_order(&self, o: OrderIn) -> NewOrder {
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
            ordered_at: self.tz.to_utc(o.ordered_at),
            paid_at: o.paid_at.map(|t| self.tz.to_utc(t)),
            rep_id: None,
            rep_department: None,
            created_by: self.created_by,
            campaign_id: o.campaign_no.as_ref().and_then(|no| self.campaigns.get(no).copied()),
            lines: Vec::new(),
        }
    }
}

/// The one error of a file that changed between the passes.
pub(super) fn changed(file: &str, line: u64) -> ImportErrors {
    let mut c = Collector::new();
    c.add(line, None, CHANGED);
    ImportErrors { file: file.to_owned(), errors: c.errors }
}
