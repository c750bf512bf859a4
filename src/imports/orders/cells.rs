//! The cells of an order file's row: each column's check (the messages every
//! import error names), an order and a line from a row, and how two rows of one
//! order are compared.

use std::hash::{Hash, Hasher};

use chrono::NaiveDateTime;

use super::{column_label, LineIn, OrderIn, CAMPAIGN_COLUMN, HEADER, HEADER_CAMPAIGN, LINE_COLUMNS, MAX_QUANTITY};
use crate::catalog::handlers::valid_sku;
use crate::imports::{Collector, Row};
pub use crate::input::date_time;
use crate::orders::codes::Platform;
use crate::orders::ShipTo;
use crate::rules::Fen;

/// An order number as platforms export it: a leading tab (which keeps Excel from
/// showing it as a number) and Excel's text form `="…"` removed.
pub fn clean_order_no(s: &str) -> &str {
    let s = s.trim_start_matches('\t').trim();
    match s.strip_prefix("=\"").and_then(|r| r.strip_suffix('"')) {
        Some(inner) => inner.trim(),
        None => s,
    }
}

pub fn order_no(s: &str) -> Result<String, String> {
    let v = clean_order_no(s);
    if v.is_empty() {
        Err("不能为空".into())
    } else if v.chars().count() > 64 {
        Err("最多 64 个字符".into())
    } else if v.chars().any(char::is_whitespace) {
        Err(format!("“{v}”不是有效订单编号（不能含空格）"))
    } else {
        Ok(v.to_owned())
    }
}

pub fn platform(s: &str) -> Result<Platform, String> {
    Platform::parse_code_or_label(s).ok_or_else(|| format!("“{s}”不是有效平台（{}）", Platform::codes()))
}

fn optional_date_time(s: &str) -> Result<Option<NaiveDateTime>, String> {
    if s.is_empty() {
        Ok(None)
    } else {
        date_time(s).map(Some)
    }
}

fn text(s: &str, max_chars: usize) -> Result<String, String> {
    if s.chars().count() > max_chars {
        Err(format!("最多 {max_chars} 个字符"))
    } else {
        Ok(s.to_owned())
    }
}

/// A phone number as platforms give it: digits, with `+`, `-`, spaces, and `*`
/// for masked digits (`138****0000`); empty is allowed (the order is held).
pub fn phone(s: &str) -> Result<String, String> {
    if s.chars().count() > 30 {
        return Err("最多 30 个字符".into());
    }
    if !s.chars().all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' ' | '*' | '(' | ')')) {
        return Err(format!("“{s}”不是有效电话（数字，可含 + - * 空格）"));
    }
    Ok(s.to_owned())
}

fn sku(s: &str) -> Result<String, String> {
    if valid_sku(s) {
        Ok(s.to_owned())
    } else if s.is_empty() {
        Err("不能为空".into())
    } else {
        Err(format!("“{s}”不是有效的商家编码 / SKU（1–40 位字母、数字、_ . -）"))
    }
}

fn quantity(s: &str) -> Result<i64, String> {
    match s.parse::<i64>() {
        Ok(v) if (1..=MAX_QUANTITY).contains(&v) => Ok(v),
        _ => Err(format!("“{s}”不是有效数量（1 到 {MAX_QUANTITY} 的整数）")),
    }
}

/// The campaign an order came from (`HD-000001`…), empty for none.
pub fn campaign_no(s: &str) -> Result<Option<String>, String> {
    let digits = s.strip_prefix("HD-").unwrap_or_default();
    if s.is_empty() {
        Ok(None)
    } else if (6..=18).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(Some(s.to_owned()))
    } else {
        Err(format!("“{s}”不是有效活动编号（如 HD-000001，可留空）"))
    }
}

pub fn money(s: &str) -> Result<Fen, String> {
    if s.is_empty() {
        return Ok(Fen::ZERO);
    }
    match Fen::parse_non_negative_yuan(s) {
        Ok(f) if f.fen() <= 10_000_000_000 => Ok(f),
        _ => Err(format!("“{s}”不是有效金额（元，非负，最多两位小数，不超过 1 亿）")),
    }
}

/// The order-level cells of a row with their columns, for comparing the rows of
/// one order (the order number as cleaned; the campaign too, when the file has it).
fn order_cells(row: &Row) -> impl Iterator<Item = (&'static str, &str)> {
    row.cells
        .iter()
        .enumerate()
        .filter(|(i, _)| !LINE_COLUMNS.contains(i))
        .map(|(i, c)| (HEADER_CAMPAIGN[i], if i == 2 { clean_order_no(c) } else { c.as_str() }))
}

/// The order-level cells of a row, hashed (two rows of one order hash alike).
pub struct OrderCells<'a>(pub &'a Row);

impl Hash for OrderCells<'_> {
    fn hash<H: Hasher>(&self, h: &mut H) {
        for (_, cell) in order_cells(self.0) {
            cell.hash(h);
        }
    }
}

/// The error of a later row of an order that disagrees with its first row
/// (`first`, on line `first_line`): the first column they differ in, with its message.
pub fn disagreement(first: &Row, row: &Row) -> Option<(&'static str, String)> {
    let (field, _) = order_cells(first).zip(order_cells(row)).find(|((_, a), (_, b))| a != b)?.0;
    Some((field, format!("与第 {} 行同一订单的{}不一致", first.line, column_label(field))))
}

/// The order of its first row, every cell checked (a bad cell leaves its default:
/// the file then fails, so such an order is never returned).
pub fn order_of(c: &mut Collector, row: &Row, platform: Platform, order_no: String) -> OrderIn {
    let shop = c.cell(row, 1, "shop", |s| text(s, 100)).unwrap_or_default();
    let ordered_at = c.cell(row, 3, "ordered_at", date_time).unwrap_or_default();
    let paid_at = c.cell(row, 4, "paid_at", optional_date_time).flatten();
    let mut cell = |i: usize, f: fn(&str) -> Result<String, String>| c.cell(row, i, HEADER[i], f).unwrap_or_default();
    let buyer = cell(5, |s| text(s, 100));
    let receiver = cell(6, |s| text(s, 50));
    let phone = cell(7, phone);
    let province = cell(8, |s| text(s, 20));
    let city = cell(9, |s| text(s, 30));
    let district = cell(10, |s| text(s, 30));
    let address = cell(11, |s| text(s, 200));
    let mut fee = |i: usize| c.cell(row, i, HEADER[i], money).unwrap_or(Fen::ZERO);
    let (shipping_fee, discount, paid_amount) = (fee(15), fee(16), fee(17));
    let buyer_note = c.cell(row, 18, "buyer_note", |s| text(s, 500)).unwrap_or_default();
    let seller_note = c.cell(row, 19, "seller_note", |s| text(s, 500)).unwrap_or_default();
    let campaign_no = match row.cells.len() > CAMPAIGN_COLUMN {
        true => c.cell(row, CAMPAIGN_COLUMN, "campaign_no", campaign_no).flatten(),
        false => None,
    };
    OrderIn {
        line: row.line,
        platform,
        shop,
        order_no,
        ordered_at,
        paid_at,
        buyer,
        ship_to: ShipTo { receiver, phone, province, city, district, address },
        shipping_fee,
        discount,
        paid_amount,
        buyer_note,
        seller_note,
        campaign_no,
        lines: Vec::new(),
    }
}

/// The line of a row, every cell checked.
pub fn line_of(c: &mut Collector, row: &Row) -> Option<LineIn> {
    let sku = c.cell(row, 12, "sku", sku);
    let quantity = c.cell(row, 13, "quantity", quantity);
    let unit_price = c.cell(row, 14, "unit_price", money);
    Some(LineIn { line: row.line, sku: sku?, quantity: quantity?, unit_price: unit_price? })
}

/// The platform and order number of a row, checked: the order it belongs to.
pub fn key_of(c: &mut Collector, row: &Row) -> Option<(Platform, String)> {
    let platform = c.cell(row, 0, "platform", platform)?;
    let number = c.cell(row, 2, "order_no", order_no)?;
    Some((platform, number))
}
