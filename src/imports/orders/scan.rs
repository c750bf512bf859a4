//! The first pass over an order file: every row checked on its own (every error by
//! line and field, the rows of one order agreeing on its order-level columns),
//! keeping per order only what the later steps need — not the rows.

use std::collections::hash_map::{Entry as Slot, RandomState};
use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher;

use super::cells::{disagreement, key_of, line_of, order_of, OrderCells};
use super::{LineIn, OrderIn, HEADERS};
use crate::imports::reader::{self, Encoding, Records, Source};
use crate::imports::{Collector, ImportErrors, Row};
use crate::orders::codes::{HoldKind, Platform};
use crate::orders::repo::intake_hold_kinds;

/// An order of the file, as the first pass leaves it: 40 bytes (with its key 64,
/// and the number's own bytes).
#[derive(Clone, Debug)]
pub(super) struct Order {
    pub first_line: u64,
    /// Of its first row's order-level cells (the hasher is the pass's own).
    hash: u64,
    /// Σ quantity × unit price; negative once it has overflowed.
    goods: i64,
    /// Its rows.
    pub lines: u32,
    /// Its place in `samples` (`NO_SAMPLE`: none).
    sample: u32,
    /// `UNPAID`, `ADDRESS` (the holds intake will place), `EXISTING`.
    flags: u8,
}

const NO_SAMPLE: u32 = u32::MAX;
const UNPAID: u8 = 1;
const ADDRESS: u8 = 2;
const EXISTING: u8 = 4;

impl Order {
    /// Intake will hold it as unpaid.
    pub fn unpaid(&self) -> bool {
        self.flags & UNPAID != 0
    }

    /// Intake will hold it for its address.
    pub fn address(&self) -> bool {
        self.flags & ADDRESS != 0
    }

    /// The tenant has it already (known once `plan` has asked).
    pub fn existing(&self) -> bool {
        self.flags & EXISTING != 0
    }

    pub fn set_existing(&mut self) {
        self.flags |= EXISTING;
    }
}

/// What the first pass found in a valid file.
#[derive(Debug)]
pub struct Scanned {
    pub(super) encoding: Encoding,
    /// Every order, by (platform, order number).
    pub(super) orders: HashMap<(Platform, Box<str>), Order>,
    /// Every SKU of a line.
    pub(super) skus: HashSet<String>,
    /// Every campaign number of an order (the optional last column).
    pub(super) campaigns: HashSet<String>,
    /// The first orders of the file (as many as asked for), in the order of their
    /// first rows, each with all its lines.
    pub samples: Vec<OrderIn>,
}

impl Scanned {
    /// The file has no order.
    pub fn is_empty(&self) -> bool {
        self.orders.is_empty()
    }

    /// The order is not the tenant's yet (as `plan` found).
    pub fn is_new(&self, platform: Platform, order_no: &str) -> bool {
        self.orders.get(&(platform, order_no.into())).is_some_and(|o| !o.existing())
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
    let mut records = Records::open(file, src, encoding, HEADERS, true)?;
    let mut c = Collector::new();
    let hasher = RandomState::new();
    let mut s = Scanned {
        encoding,
        orders: HashMap::new(),
        skus: HashSet::new(),
        campaigns: HashSet::new(),
        samples: Vec::new(),
    };
    let mut disagreements = Vec::new();
    let mut row = Row::default();
    while records.next(&mut row, &mut c)? {
        let Some((platform, number)) = key_of(&mut c, &row) else { continue };
        let hash = hasher.hash_one(OrderCells(&row));
        let order = match s.orders.entry((platform, number.into_boxed_str())) {
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
                let first = order_of(&mut c, &row, platform, v.key().1.to_string());
                if let Some(no) = first.campaign_no.as_ref().filter(|no| !s.campaigns.contains(*no)) {
                    s.campaigns.insert(no.clone());
                }
                let sample = if s.samples.len() < samples { s.samples.len() as u32 } else { NO_SAMPLE };
                let flags = intake_hold_kinds(first.paid_at.is_some(), &first.ship_to).fold(0, |f, k| {
                    f | match k {
                        HoldKind::Unpaid => UNPAID,
                        HoldKind::Address => ADDRESS,
                        _ => 0,
                    }
                });
                let order = v.insert(Order { first_line: row.line, hash, goods: 0, lines: 0, sample, flags });
                if sample != NO_SAMPLE {
                    s.samples.push(first);
                }
                order
            }
        };
        order.lines = order.lines.saturating_add(1);
        if let Some(l) = line_of(&mut c, &row) {
            add_line(order, &mut s.samples, &mut s.skus, l);
        }
    }
    for o in s.orders.values() {
        if o.goods < 0 {
            c.add(o.first_line, Some("unit_price"), "订单金额超出范围");
        }
    }
    if !disagreements.is_empty() {
        name_disagreements(file, src, encoding, &mut c, &disagreements)?;
    }
    c.finish(file, s)
}

fn add_line(order: &mut Order, samples: &mut [OrderIn], skus: &mut HashSet<String>, l: LineIn) {
    if order.goods >= 0 {
        order.goods = l.amount().and_then(|v| order.goods.checked_add(v)).unwrap_or(-1);
    }
    if !skus.contains(&l.sku) {
        skus.insert(l.sku.clone());
    }
    if let Some(sample) = samples.get_mut(order.sample as usize) {
        sample.lines.push(l);
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
    let mut records = Records::open(file, src, encoding, HEADERS, true)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_stays_small() {
        assert_eq!(std::mem::size_of::<Order>(), 40);
        assert_eq!(std::mem::size_of::<(Platform, Box<str>)>(), 24);
    }
}
