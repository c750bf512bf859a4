//! The first pass over an order file: every row checked on its own (every error by
//! line and field, the rows of one order agreeing on its order-level columns),
//! keeping per order only what the later steps need — not the rows.

use std::collections::hash_map::{Entry as Slot, RandomState};
use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher;

use super::cells::{disagreement, key_of, line_of, order_of, OrderCells};
use super::{LineIn, OrderIn, HEADER, HEADER_ZH};
use crate::imports::reader::{self, Encoding, Records, Source};
use crate::imports::{Collector, ImportErrors, Row};
use crate::orders::codes::{HoldKind, Platform};
use crate::orders::repo::intake_hold_kinds;

/// An order of the file, as the first pass leaves it.
#[derive(Clone, Debug)]
pub(super) struct Order {
    pub first_line: u64,
    pub last_line: u64,
    /// Its rows.
    pub lines: u64,
    /// Intake will hold it: unpaid, address incomplete.
    pub unpaid: bool,
    pub address: bool,
    /// Of its first row's order-level cells (the hasher is the pass's own).
    hash: u64,
    /// Σ quantity × unit price; `None` once it overflows.
    goods: Option<i64>,
    /// Its place in `samples`.
    sample: Option<usize>,
}

/// What the first pass found in a valid file.
#[derive(Debug)]
pub struct Scanned {
    pub(super) encoding: Encoding,
    /// Every order, by (platform, order number).
    pub(super) orders: HashMap<(Platform, String), Order>,
    /// Every SKU of a line.
    pub(super) skus: HashSet<String>,
    /// The first orders of the file (as many as asked for), in the order of their
    /// first rows, each with all its lines.
    pub samples: Vec<OrderIn>,
}

impl Scanned {
    /// The file has no order.
    pub fn is_empty(&self) -> bool {
        self.orders.is_empty()
    }
}

/// A later row of an order whose cells hash unlike its first row's: the error
/// placed for it in the collector (at `error`), named by [`name_disagreements`].
struct Disagreement {
    line: u64,
    first_line: u64,
    error: usize,
}

/// Check the file `src` (an import file of orders named `file`), keeping the first
/// `samples` orders whole; every error by line and field, as the file's rows give
/// them. Reads the file twice (the encoding, then the rows); a third time only to
/// name the columns of rows that disagree with their order's first row.
pub fn scan(file: &str, src: &(impl Source + ?Sized), samples: usize) -> Result<Scanned, ImportErrors> {
    let encoding = reader::open_encoding(file, src)?;
    let mut records = Records::open(file, src, encoding, &[HEADER, HEADER_ZH], true)?;
    let mut c = Collector::new();
    let hasher = RandomState::new();
    let mut s = Scanned { encoding, orders: HashMap::new(), skus: HashSet::new(), samples: Vec::new() };
    let mut disagreements = Vec::new();
    let mut row = Row::default();
    while records.next(&mut row, &mut c)? {
        let Some(key) = key_of(&mut c, &row) else { continue };
        let hash = hasher.hash_one(OrderCells(&row));
        let order = match s.orders.entry(key) {
            Slot::Occupied(o) => {
                // A later row of an order: only its line is new.
                let order = o.into_mut();
                if order.hash != hash {
                    disagreements.push(Disagreement {
                        line: row.line,
                        first_line: order.first_line,
                        error: c.errors.len(),
                    });
                    c.add(row.line, None, String::new());
                }
                order
            }
            Slot::Vacant(v) => {
                let (platform, number) = v.key().clone();
                let first = order_of(&mut c, &row, platform, number);
                let sample = (s.samples.len() < samples).then_some(s.samples.len());
                let holds = || intake_hold_kinds(first.paid_at.is_some(), &first.ship_to);
                let order = v.insert(Order {
                    first_line: row.line,
                    last_line: row.line,
                    lines: 0,
                    unpaid: holds().any(|k| k == HoldKind::Unpaid),
                    address: holds().any(|k| k == HoldKind::Address),
                    hash,
                    goods: Some(0),
                    sample,
                });
                if sample.is_some() {
                    s.samples.push(first);
                }
                order
            }
        };
        order.last_line = row.line;
        order.lines += 1;
        if let Some(l) = line_of(&mut c, &row) {
            add_line(order, &mut s.samples, &mut s.skus, l);
        }
    }
    for o in s.orders.values() {
        if o.goods.is_none() {
            c.add(o.first_line, Some("unit_price"), "订单金额超出范围");
        }
    }
    if !disagreements.is_empty() {
        name_disagreements(file, src, encoding, &mut c, &disagreements)?;
    }
    c.finish(file, s)
}

fn add_line(order: &mut Order, samples: &mut [OrderIn], skus: &mut HashSet<String>, l: LineIn) {
    order.goods = order.goods.and_then(|g| l.amount().and_then(|v| g.checked_add(v)));
    if !skus.contains(&l.sku) {
        skus.insert(l.sku.clone());
    }
    if let Some(i) = order.sample {
        samples[i].lines.push(l);
    }
}

/// Read the file again for the rows of `disagreements` and their orders' first
/// rows, and put the first column each disagrees in into its error.
fn name_disagreements(
    file: &str,
    src: &(impl Source + ?Sized),
    encoding: Encoding,
    c: &mut Collector,
    disagreements: &[Disagreement],
) -> Result<(), ImportErrors> {
    let wanted: HashSet<u64> = disagreements.iter().map(|d| d.first_line).collect();
    let mut firsts: HashMap<u64, Row> = HashMap::new();
    let mut records = Records::open(file, src, encoding, &[HEADER, HEADER_ZH], true)?;
    let (mut row, mut ignored) = (Row::default(), Collector::new());
    let mut next = disagreements.iter().peekable();
    while next.peek().is_some() && records.next(&mut row, &mut ignored)? {
        if wanted.contains(&row.line) {
            firsts.insert(row.line, row.clone());
        }
        while let Some(d) = next.next_if(|d| d.line == row.line) {
            let found = firsts.get(&d.first_line).and_then(|first| disagreement(first, &row));
            let e = &mut c.errors[d.error];
            (e.field, e.message) = found.map_or_else(
                || (None, format!("与第 {} 行同一订单的订单信息不一致", d.first_line)),
                |(field, message)| (Some(field), message),
            );
        }
    }
    Ok(())
}
