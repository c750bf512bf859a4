//! Batch shipping lines (批量发货): `order_no,carrier,tracking_no`, pasted into the
//! form or uploaded as a file read like every import file (UTF-8 or GBK, CRLF,
//! physical line numbers); the header line (English or Chinese) may be left out.
//! `order_no` may be written `platform:order_no` (a platform's code or name) for
//! a number that exists on several platforms. Checked on their own here — every
//! error by line and field; the orders themselves are checked by `orders::batch`.

use std::collections::HashMap;

use super::{read_header_optional, Collector, ImportErrors};
use crate::orders::batch::ShipLine;
use crate::orders::codes::{Carrier, Platform};

pub const HEADER: &[&str] = &["order_no", "carrier", "tracking_no"];
pub const HEADER_ZH: &[&str] = &["订单编号", "承运商", "运单号"];

/// The most lines one batch ships.
pub const MAX_LINES: usize = 2_000;

/// `order_no` or `platform:order_no`.
fn order_ref(s: &str) -> Result<(Option<Platform>, String), String> {
    let (platform, number) = match s.split_once(':') {
        Some((p, rest)) => match Platform::parse_code_or_label(p.trim()) {
            Some(p) => (Some(p), rest),
            None => (None, s),
        },
        None => (None, s),
    };
    Ok((platform, super::orders::order_no(number)?))
}

fn carrier(s: &str) -> Result<Carrier, String> {
    Carrier::parse_code_or_label(s).ok_or_else(|| format!("“{s}”不是有效承运商（{}）", Carrier::codes()))
}

fn tracking_no(s: &str) -> Result<String, String> {
    crate::orders::flow::tracking_no(s).map(|()| s.to_owned()).map_err(str::to_owned)
}

/// Check the lines on their own: every cell, at most [`MAX_LINES`], no tracking
/// number twice with one carrier.
pub fn parse(file: &str, bytes: &[u8]) -> Result<Vec<ShipLine>, ImportErrors> {
    let rows = read_header_optional(file, bytes, &[HEADER, HEADER_ZH])?;
    let mut c = Collector::new();
    if rows.is_empty() {
        c.add(1, None, "没有发货行（每行：订单编号,承运商,运单号）");
    } else if rows.len() > MAX_LINES {
        c.add(rows[MAX_LINES].line, None, format!("一次最多发货 {MAX_LINES} 行，请分批提交"));
    }
    let mut seen: HashMap<(Carrier, String), u64> = HashMap::new();
    let mut lines = Vec::with_capacity(rows.len());
    for row in &rows {
        let order = c.cell(row, 0, "order_no", order_ref);
        let carrier = c.cell(row, 1, "carrier", carrier);
        let tracking = c.cell(row, 2, "tracking_no", tracking_no);
        let (Some((platform, order_no)), Some(carrier), Some(tracking_no)) = (order, carrier, tracking) else {
            continue;
        };
        if let Some(first) = seen.get(&(carrier, tracking_no.clone())) {
            c.add(
                row.line,
                Some("tracking_no"),
                format!("{} 运单号 {tracking_no} 与第 {first} 行重复", carrier.label()),
            );
            continue;
        }
        seen.insert((carrier, tracking_no.clone()), row.line);
        lines.push(ShipLine { line: row.line, platform, order_no, carrier, tracking_no });
    }
    c.finish(file, lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_with_or_without_a_header_and_platforms() {
        let got = parse("b.csv", "order_no,carrier,tracking_no\r\nTB-1,SF,SF1001\r\njd:9,顺丰,SF1002\r\n".as_bytes())
            .unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!((got[0].line, got[0].platform, got[0].order_no.as_str()), (2, None, "TB-1"));
        assert_eq!((got[1].platform, got[1].carrier), (Some(Platform::Jd), Carrier::Sf));
        let got = parse("b", "订单编号,承运商,运单号\n=\"TB-1\",ZTO,ZT-1\n".as_bytes()).unwrap();
        assert_eq!((got[0].line, got[0].order_no.as_str()), (2, "TB-1"));
        let got = parse("b", b"TB-1,SF,SF1001\nx:y,SF,SF1002").unwrap();
        assert_eq!((got[0].line, got[1].line), (1, 2), "no header: the first line is data");
        assert_eq!((got[1].platform, got[1].order_no.as_str()), (None, "x:y"), "not a platform: the whole number");
    }

    #[test]
    fn bad_cells_and_repeated_tracking_numbers_are_named_by_line() {
        let err = parse("b", b"TB-1,XX,SF1001\r\nTB-2,SF,1\r\n,SF,SF1003\r\nTB-4,SF,SF1004\r\nTB-5,SF,SF1004\r\n")
            .unwrap_err();
        let got: Vec<(u64, Option<&str>)> = err.errors.iter().map(|e| (e.line, e.field)).collect();
        assert_eq!(
            got,
            [(1, Some("carrier")), (2, Some("tracking_no")), (3, Some("order_no")), (5, Some("tracking_no"))]
        );
        assert!(err.errors[3].message.contains("与第 4 行重复"), "{}", err.errors[3].message);
        assert!(parse("b", b"order_no,carrier,tracking_no\n").is_err(), "no lines");
    }
}
