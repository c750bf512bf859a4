//! The order import (CONTRACT.md "Orders"): platform exports, one row per order
//! line, English or Chinese header. `parse` checks the file on its own — every
//! error by line and field, the rows of one order agreeing on its order-level
//! columns — and groups the lines into orders.

use std::collections::{HashMap, HashSet};
use std::fmt;

use chrono::NaiveDateTime;

pub use crate::input::date_time;

use super::ImportFailure;
use super::{read_any, Collector, ImportErrors, Row};
use crate::audit::{self, Actor, Entry};
use crate::catalog::handlers::valid_sku;
use crate::db::Tx;
use crate::orders::codes::{Platform, Source};
use crate::orders::repo::{self, Author, NewLine, NewOrder};
use crate::orders::ShipTo;
use crate::people::tenants::TenantSettings;
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
    pub lines: Vec<LineIn>,
}

impl OrderIn {
    /// Σ quantity × unit price (`None` on overflow, which `parse` reports).
    pub fn goods(&self) -> Option<Fen> {
        self.lines
            .iter()
            .try_fold(0i64, |sum, l| l.quantity.checked_mul(l.unit_price.fen()).and_then(|v| sum.checked_add(v)))
            .map(Fen)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineIn {
    pub line: u64,
    pub sku: String,
    pub quantity: i64,
    pub unit_price: Fen,
}

/// An order number as platforms export it: a leading tab (which keeps Excel from
/// showing it as a number) and Excel's text form `="…"` removed.
pub fn clean_order_no(s: &str) -> &str {
    let s = s.trim_start_matches('\t').trim();
    match s.strip_prefix("=\"").and_then(|r| r.strip_suffix('"')) {
        Some(inner) => inner.trim(),
        None => s,
    }
}

pub(super) fn order_no(s: &str) -> Result<String, String> {
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

fn platform(s: &str) -> Result<Platform, String> {
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

fn money(s: &str) -> Result<Fen, String> {
    if s.is_empty() {
        return Ok(Fen::ZERO);
    }
    match Fen::parse_non_negative_yuan(s) {
        Ok(f) if f.fen() <= 10_000_000_000 => Ok(f),
        _ => Err(format!("“{s}”不是有效金额（元，非负，最多两位小数，不超过 1 亿）")),
    }
}

/// The order-level cells of a row, for comparing the rows of one order.
fn order_cells(row: &Row) -> Vec<&str> {
    row.cells
        .iter()
        .enumerate()
        .filter(|(i, _)| !LINE_COLUMNS.contains(i))
        .map(|(i, c)| if i == 2 { clean_order_no(c) } else { c.as_str() })
        .collect()
}

/// Check the file and group its rows into orders, in the order of their first rows.
pub fn parse(file: &str, bytes: &[u8]) -> Result<Vec<OrderIn>, ImportErrors> {
    let rows = read_any(file, bytes, &[HEADER, HEADER_ZH])?;
    let mut c = Collector::new();
    let mut orders: Vec<OrderIn> = Vec::new();
    // (platform, order no) → (index in `orders`, the first row).
    let mut seen: HashMap<(Platform, String), (usize, usize)> = HashMap::new();
    for (ri, row) in rows.iter().enumerate() {
        let Some(platform) = c.cell(row, 0, "platform", platform) else { continue };
        let Some(number) = c.cell(row, 2, "order_no", order_no) else { continue };
        if let Some(&(oi, first)) = seen.get(&(platform, number.clone())) {
            // A later row of an order: only its line is new.
            let first_row = &rows[first];
            let (a, b) = (order_cells(first_row), order_cells(row));
            let order_columns = HEADER.iter().enumerate().filter(|(i, _)| !LINE_COLUMNS.contains(i));
            if let Some(((_, field), _)) = order_columns.zip(a.iter().zip(&b)).find(|(_, (x, y))| x != y) {
                c.add(
                    row.line,
                    Some(field),
                    format!("与第 {} 行同一订单的{}不一致", first_row.line, column_label(field)),
                );
            }
            if let Some(l) = line_of(&mut c, row) {
                orders[oi].lines.push(l);
            }
            continue;
        }
        seen.insert((platform, number.clone()), (orders.len(), ri));
        let mut order = order_of(&mut c, row, platform, number);
        if let Some(l) = line_of(&mut c, row) {
            order.lines.push(l);
        }
        orders.push(order);
    }
    for o in &orders {
        if o.goods().is_none() {
            c.add(o.line, Some("unit_price"), "订单金额超出范围");
        }
    }
    c.finish(file, orders)
}

/// The order of its first row, every cell checked (a bad cell leaves its default:
/// the file then fails, so such an order is never returned).
fn order_of(c: &mut Collector, row: &Row, platform: Platform, order_no: String) -> OrderIn {
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
        lines: Vec::new(),
    }
}

/// The line of a row, every cell checked.
fn line_of(c: &mut Collector, row: &Row) -> Option<LineIn> {
    let sku = c.cell(row, 12, "sku", sku);
    let quantity = c.cell(row, 13, "quantity", quantity);
    let unit_price = c.cell(row, 14, "unit_price", money);
    Some(LineIn { line: row.line, sku: sku?, quantity: quantity?, unit_price: unit_price? })
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

/// What importing a checked file would do: the orders the tenant does not have
/// yet, ready to insert, and how many it has already.
#[derive(Clone, Debug)]
pub struct Plan {
    pub new: Vec<NewOrder>,
    pub unchanged: u64,
}

impl Plan {
    pub fn summary(&self) -> OrdersSummary {
        OrdersSummary {
            new: self.new.len() as u64,
            lines: self.new.iter().map(|o| o.lines.len() as u64).sum(),
            unchanged: self.unchanged,
        }
    }
}

/// Check `orders` against the database (every SKU a product of the tenant, by
/// line and field) and say what importing them would do; writes nothing. An order
/// that exists is left unchanged, so importing the same file again creates nothing.
pub async fn plan(
    tx: &mut Tx,
    tenant_id: i64,
    actor: &Actor,
    file: &str,
    orders: &[OrderIn],
) -> Result<Plan, ImportFailure> {
    let settings: serde_json::Value =
        sqlx::query_scalar("SELECT settings FROM tenants WHERE id = $1").bind(tenant_id).fetch_one(&mut **tx).await?;
    let tz = TenantSettings::from_json(settings).time_zone;
    let skus: Vec<String> =
        orders.iter().flat_map(|o| o.lines.iter().map(|l| l.sku.clone())).collect::<HashSet<_>>().into_iter().collect();
    let products = repo::product_ids(tx, tenant_id, &skus).await?;
    let mut c = Collector::new();
    for l in orders.iter().flat_map(|o| &o.lines) {
        if !products.contains_key(&l.sku) {
            c.add(l.line, Some("sku"), format!("商品 {} 不存在", l.sku));
        }
    }
    c.finish(file, ())?;
    let keys: Vec<(Platform, String)> = orders.iter().map(|o| (o.platform, o.order_no.clone())).collect();
    let existing = repo::existing(tx, tenant_id, &keys).await?;
    let new: Vec<NewOrder> = orders
        .iter()
        .filter(|o| !existing.contains(&(o.platform, o.order_no.clone())))
        .map(|o| NewOrder {
            platform: o.platform,
            order_no: o.order_no.clone(),
            shop: o.shop.clone(),
            source: Source::Import,
            customer_id: None,
            contract_id: None,
            buyer: o.buyer.clone(),
            ship_to: o.ship_to.clone(),
            buyer_note: o.buyer_note.clone(),
            seller_note: o.seller_note.clone(),
            shipping_fen: o.shipping_fee.fen(),
            discount_fen: o.discount.fen(),
            paid_fen: o.paid_amount.fen(),
            ordered_at: tz.to_utc(o.ordered_at),
            paid_at: o.paid_at.map(|t| tz.to_utc(t)),
            rep_id: None,
            rep_department: None,
            created_by: actor.user_id,
            lines: o
                .lines
                .iter()
                .map(|l| NewLine {
                    product_id: products[&l.sku],
                    quantity: l.quantity,
                    unit_price_fen: l.unit_price.fen(),
                    contract_line_id: None,
                })
                .collect(),
        })
        .collect();
    Ok(Plan { unchanged: (orders.len() - new.len()) as u64, new })
}

/// [`plan`], then create the new orders — with their lines, the holds intake
/// places (`unpaid`, `address`) and the first timeline event — inside the
/// caller's transaction, audited.
pub async fn apply(
    tx: &mut Tx,
    tenant_id: i64,
    actor: &Actor,
    file: &str,
    orders: &[OrderIn],
) -> Result<OrdersSummary, ImportFailure> {
    let plan = plan(tx, tenant_id, actor, file, orders).await?;
    let author = Author { user_id: actor.user_id, name: &actor.name };
    repo::insert(tx, tenant_id, &plan.new, &author, &format!("导入（{file}）")).await?;
    super::analyze_after(tx, plan.new.len(), ANALYZE_AFTER_ORDERS, "SELECT app.analyze_order_tables()").await?;
    let summary = plan.summary();
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

/// The Chinese name of a column.
pub fn column_label(field: &str) -> &'static str {
    HEADER.iter().position(|h| *h == field).map_or("", |i| HEADER_ZH[i])
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
