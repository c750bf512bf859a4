//! The order import (CONTRACT.md "Orders"): platform exports, one row per order
//! line, English or Chinese header, streamed — the file is read in passes and never
//! held whole, whether it is a file on disk (the command line) or the bytes of an
//! upload (the web):
//!
//! 1. [`scan`] checks every row on its own — every error by line and field, the
//!    rows of one order agreeing on its order-level columns — keeping per order
//!    only its first and last line, a hash of its order-level cells and what the
//!    summary counts, and the set of SKUs (`scan.rs`);
//! 2. [`plan`] asks the database once which SKUs are products and once which
//!    orders exist (`write.rs`);
//! 3. [`import`] reads the file once more and writes the new orders in chunks, each
//!    as soon as its last row has been read (the rows of one order need not be
//!    adjacent), in the caller's one transaction, audited (`write.rs`).
//!
//! `cells.rs` holds each column's check. [`parse`] is the first pass keeping every
//! order whole (for tests and small files).

mod build;
mod cells;
mod scan;
mod write;

use std::fmt;

use chrono::NaiveDateTime;

#[cfg(test)]
use cells::money;
pub(super) use cells::order_no;
pub use cells::{clean_order_no, date_time, phone};
pub use scan::{scan, Scanned};
pub use write::{import, plan, Plan};

use super::ImportErrors;
use crate::orders::codes::Platform;
use crate::orders::ShipTo;
use crate::rules::Fen;

pub const HEADER: &[&str] = &[
    "platform",
    "shop",
    "order_no",
    "ordered_at",
    "paid_at",
    "buyer",
    "receiver",
    "phone",
    "province",
    "city",
    "district",
    "address",
    "sku",
    "quantity",
    "unit_price",
    "shipping_fee",
    "discount",
    "paid_amount",
    "buyer_note",
    "seller_note",
];

/// The same columns as platform exports name them.
pub const HEADER_ZH: &[&str] = &[
    "平台",
    "店铺",
    "订单编号",
    "下单时间",
    "付款时间",
    "买家",
    "收货人",
    "手机",
    "省",
    "市",
    "区",
    "详细地址",
    "商家编码",
    "数量",
    "单价",
    "运费",
    "优惠",
    "实付金额",
    "买家留言",
    "卖家备注",
];

/// The same with the optional last column `campaign_no` (the campaign the order
/// came from, `HD-000001`…; may be empty): an extension of CONTRACT.md's header
/// (docs/decisions.md), files without it stay valid.
pub const HEADER_CAMPAIGN: &[&str] = &[
    "platform",
    "shop",
    "order_no",
    "ordered_at",
    "paid_at",
    "buyer",
    "receiver",
    "phone",
    "province",
    "city",
    "district",
    "address",
    "sku",
    "quantity",
    "unit_price",
    "shipping_fee",
    "discount",
    "paid_amount",
    "buyer_note",
    "seller_note",
    "campaign_no",
];

/// The Chinese header with the optional campaign column.
pub const HEADER_ZH_CAMPAIGN: &[&str] = &[
    "平台",
    "店铺",
    "订单编号",
    "下单时间",
    "付款时间",
    "买家",
    "收货人",
    "手机",
    "省",
    "市",
    "区",
    "详细地址",
    "商家编码",
    "数量",
    "单价",
    "运费",
    "优惠",
    "实付金额",
    "买家留言",
    "卖家备注",
    "活动编号",
];

/// Every header an order file may have: errors name the columns as `HEADER` (or
/// `HEADER_CAMPAIGN`) does.
pub const HEADERS: &[&[&str]] = &[HEADER, HEADER_ZH, HEADER_CAMPAIGN, HEADER_ZH_CAMPAIGN];

/// The column of the campaign number, when the file has it.
const CAMPAIGN_COLUMN: usize = 20;

/// Columns of a line (the rest belong to the order and repeat on each of its rows).
const LINE_COLUMNS: [usize; 3] = [12, 13, 14];

/// Imports of at least this many new orders refresh the order tables' statistics.
const ANALYZE_AFTER_ORDERS: usize = 1000;

/// The largest quantity of one line.
pub const MAX_QUANTITY: i64 = 1_000_000;

/// One order of the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderIn {
    /// The line of its first row.
    pub line: u64,
    pub platform: Platform,
    pub shop: String,
    pub order_no: String,
    /// Local time of the tenant.
    pub ordered_at: NaiveDateTime,
    pub paid_at: Option<NaiveDateTime>,
    pub buyer: String,
    pub ship_to: ShipTo,
    pub shipping_fee: Fen,
    pub discount: Fen,
    pub paid_amount: Fen,
    pub buyer_note: String,
    pub seller_note: String,
    /// The campaign number of the optional last column (`None`: no column, or empty).
    pub campaign_no: Option<String>,
    pub lines: Vec<LineIn>,
}

impl OrderIn {
    /// Σ quantity × unit price (`None` on overflow, which `parse` reports).
    pub fn goods(&self) -> Option<Fen> {
        self.lines.iter().try_fold(0i64, |sum, l| l.amount().and_then(|v| sum.checked_add(v))).map(Fen)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineIn {
    pub line: u64,
    pub sku: String,
    pub quantity: i64,
    pub unit_price: Fen,
}

impl LineIn {
    /// Quantity × unit price, in fen (`None` on overflow).
    pub fn amount(&self) -> Option<i64> {
        self.quantity.checked_mul(self.unit_price.fen())
    }
}

/// What an order import did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OrdersSummary {
    /// Orders created (with their lines).
    pub new: u64,
    pub lines: u64,
    /// Orders the tenant had already: left exactly as they are.
    pub unchanged: u64,
}

impl fmt::Display for OrdersSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} new orders ({} lines), {} unchanged", self.new, self.lines, self.unchanged)
    }
}

/// Check the file and group its rows into orders, in the order of their first rows
/// (the first pass, every order kept whole).
pub fn parse(file: &str, bytes: &[u8]) -> Result<Vec<OrderIn>, ImportErrors> {
    scan(file, bytes, usize::MAX).map(|s| s.samples)
}

/// The Chinese name of a column.
pub fn column_label(field: &str) -> &'static str {
    HEADER_CAMPAIGN.iter().position(|h| *h == field).map_or("", |i| HEADER_ZH_CAMPAIGN[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: &str = "platform,shop,order_no,ordered_at,paid_at,buyer,receiver,phone,province,city,district,address,sku,quantity,unit_price,shipping_fee,discount,paid_amount,buyer_note,seller_note";

    fn file(rows: &[&str]) -> String {
        let mut s = String::from(H);
        for r in rows {
            s.push('\n');
            s.push_str(r);
        }
        s.push('\n');
        s
    }

    const A1: &str = "taobao,旗舰店,\"=\"\"2026112300001\"\"\",2026-11-23 10:05,2026-11-23 10:06:30,小王,王小明,138****0000,浙江省,杭州市,西湖区,文三路 1 号,SKU-1,2,19.90,0,5,34.80,尽快发货,";

    #[test]
    fn rows_of_one_order_become_its_lines() {
        let a2 = "taobao,旗舰店,\t2026112300001,2026-11-23 10:05,2026-11-23 10:06:30,小王,王小明,138****0000,浙江省,杭州市,西湖区,文三路 1 号,SKU-2,1,0,0,5,34.80,尽快发货,";
        let b = "jd,京东店,=\"2026112300001\",2026-11-23 11:00,,老李,,,,,,,SKU-1,1,19.9,10,0,0,,";
        let orders = parse("o.csv", file(&[A1, a2, b]).as_bytes()).unwrap();
        assert_eq!(orders.len(), 2, "the same number on two platforms is two orders");
        let a = &orders[0];
        assert_eq!((a.platform, a.order_no.as_str(), a.line), (Platform::Taobao, "2026112300001", 2));
        assert_eq!(
            a.lines.iter().map(|l| (l.line, l.sku.as_str(), l.quantity)).collect::<Vec<_>>(),
            [(2, "SKU-1", 2), (3, "SKU-2", 1)]
        );
        assert_eq!(a.goods(), Some(Fen(3980)));
        assert_eq!(a.paid_amount, Fen(3480));
        assert_eq!(a.discount, Fen(500));
        assert_eq!(a.ship_to.phone, "138****0000");
        assert!(a.paid_at.is_some() && a.ship_to.missing().is_empty());
        let b = &orders[1];
        assert_eq!(b.order_no, "2026112300001", "Excel's text form, bare");
        assert_eq!(b.paid_at, None, "not paid");
        assert_eq!(b.ship_to.missing(), ["收货人", "手机", "详细地址"]);
        assert_eq!(b.shipping_fee, Fen(1000));
    }

    #[test]
    fn order_numbers_lose_excels_text_form_and_tabs() {
        assert_eq!(clean_order_no("=\"123\""), "123");
        assert_eq!(clean_order_no("\t123"), "123");
        assert_eq!(clean_order_no("123"), "123");
        assert_eq!(clean_order_no("=\"\""), "");
    }

    #[test]
    fn the_chinese_header_is_the_same_file() {
        let text = file(&[A1]).replacen(H, &HEADER_ZH.join(","), 1);
        let orders = parse("o.csv", text.as_bytes()).unwrap();
        assert_eq!(orders[0].order_no, "2026112300001");
        let bad = parse("o.csv", b"a,b\n").unwrap_err();
        assert!(bad.errors[0].message.contains("` 或 `"), "{:?}", bad.errors[0].message);
    }

    #[test]
    fn disagreeing_rows_and_bad_cells_are_named_by_line_and_field() {
        let a2 = A1.replace("王小明", "王大明").replace("SKU-1,2", "SKU-2,1");
        let bad =
            A1.replace("2026112300001", "999").replace("SKU-1,2,19.90", "SKU 1,0,1.999").replace("10:05", "25:00");
        let err =
            parse("o.csv", file(&[A1, &a2, &bad, "amazon,x,1,2026-11-23 10:05,,,,,,,,,S,1,1,0,0,1,,"]).as_bytes())
                .unwrap_err();
        let got: Vec<(u64, Option<&str>)> = err.errors.iter().map(|e| (e.line, e.field)).collect();
        assert_eq!(
            got,
            [
                (3, Some("receiver")),
                (4, Some("ordered_at")),
                (4, Some("sku")),
                (4, Some("quantity")),
                (4, Some("unit_price")),
                (5, Some("platform")),
            ]
        );
        assert!(err.errors[0].message.contains("与第 2 行同一订单的收货人不一致"), "{}", err.errors[0].message);
    }

    #[test]
    fn times_amounts_and_phones() {
        assert!(date_time("2026-11-23 10:05").is_ok());
        assert!(date_time("2026-11-23 10:05:09").is_ok());
        assert!(date_time("2026-11-23T10:05").is_err());
        assert!(date_time("2026-02-30 10:05").is_err());
        assert!(date_time("0000-01-01 10:05").unwrap_err().contains("超出范围"));
        assert_eq!(money(""), Ok(Fen::ZERO));
        assert!(money("-1").is_err());
        assert!(phone("+86 138-0000-0000").is_ok());
        assert!(phone("电话").is_err());
    }
}
