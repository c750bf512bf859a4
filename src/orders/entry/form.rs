//! The order form as it was typed — the order's fields and any number of line rows
//! (`sku_N`, `quantity_N`, `unit_price_N`, and `pick_N` when a search offered
//! products to choose from; N from 1) — and the checks that need no database.

use chrono::{DateTime, Utc};

use crate::orders::codes::{Platform, Source};
use crate::orders::repo::NewOrder;
use crate::orders::ShipTo;
use crate::rules::Fen;
use crate::tz::TimeZone;
use crate::web::FieldErrors;

/// Line rows of an empty form.
pub const FIRST_ROWS: usize = 3;
/// The most line rows one form has.
pub const MAX_ROWS: usize = 100;
pub const MAX_QUANTITY: i64 = 1_000_000;
/// A unit price, the shipping fee, the discount: at most 1 亿元.
pub const MAX_FEN: i64 = 10_000_000_000;

/// One line row as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Row {
    pub sku: String,
    pub quantity: String,
    pub unit_price: String,
    /// The SKU chosen among a search's matches (the radio buttons under the row).
    pub pick: String,
}

impl Row {
    pub fn is_blank(&self) -> bool {
        [&self.sku, &self.quantity, &self.unit_price, &self.pick].iter().all(|v| v.is_empty())
    }

    /// What the row orders: the product picked from a search, else what was typed.
    pub fn sku(&self) -> &str {
        if self.pick.is_empty() {
            &self.sku
        } else {
            &self.pick
        }
    }
}

/// The whole form as typed (trimmed).
#[derive(Clone, Debug, Default)]
pub struct Typed {
    pub platform: String,
    pub shop: String,
    /// A customer's partner code (optional).
    pub customer: String,
    /// The campaign the order came from, `HD-000001`… (optional).
    pub campaign: String,
    pub buyer: String,
    pub ship_to: ShipTo,
    pub buyer_note: String,
    pub seller_note: String,
    pub shipping_fee: String,
    pub discount: String,
    /// The 已付款 checkbox: paid now, unless `paid_at` says when.
    pub paid: bool,
    pub paid_at: String,
    pub rows: Vec<Row>,
    /// The 添加一行 button was pressed: the form again with one more row.
    pub add_line: bool,
}

impl Typed {
    pub fn blank() -> Self {
        Typed { platform: Platform::Offline.code().into(), rows: vec![Row::default(); FIRST_ROWS], ..Typed::default() }
    }

    /// The form's fields (any others, such as the CSRF token, ignored); `Err` (a
    /// 400) for a row number that is not 1 to [`MAX_ROWS`].
    pub fn from_fields(fields: Vec<(String, String)>) -> Result<Self, String> {
        let mut t = Typed::default();
        for (name, value) in fields {
            let slot = match name.as_str() {
                "platform" => &mut t.platform,
                "shop" => &mut t.shop,
                "customer" => &mut t.customer,
                "campaign" => &mut t.campaign,
                "buyer" => &mut t.buyer,
                "receiver" => &mut t.ship_to.receiver,
                "phone" => &mut t.ship_to.phone,
                "province" => &mut t.ship_to.province,
                "city" => &mut t.ship_to.city,
                "district" => &mut t.ship_to.district,
                "address" => &mut t.ship_to.address,
                "buyer_note" => &mut t.buyer_note,
                "seller_note" => &mut t.seller_note,
                "shipping_fee" => &mut t.shipping_fee,
                "discount" => &mut t.discount,
                "paid_at" => &mut t.paid_at,
                "paid" => {
                    t.paid = !value.trim().is_empty();
                    continue;
                }
                "add_line" => {
                    t.add_line = true;
                    continue;
                }
                other => {
                    let Some((field, n)) = other.rsplit_once('_') else { continue };
                    if !matches!(field, "sku" | "quantity" | "unit_price" | "pick") {
                        continue;
                    }
                    let Some(n) = n.parse::<usize>().ok().filter(|n| (1..=MAX_ROWS).contains(n)) else {
                        return Err(format!("商品行“{other}”无效（行号 1 到 {MAX_ROWS}）"));
                    };
                    if t.rows.len() < n {
                        t.rows.resize(n, Row::default());
                    }
                    let row = &mut t.rows[n - 1];
                    match field {
                        "sku" => &mut row.sku,
                        "quantity" => &mut row.quantity,
                        "unit_price" => &mut row.unit_price,
                        _ => &mut row.pick,
                    }
                }
            };
            value.trim().clone_into(slot);
        }
        Ok(t)
    }

    /// One more empty row (none past [`MAX_ROWS`]); whether there was room.
    pub fn add_row(&mut self) -> bool {
        let room = self.rows.len() < MAX_ROWS;
        if room {
            self.rows.push(Row::default());
        }
        room
    }
}

/// Yuan with at most two decimals, 0 to 1 亿 (empty: `empty`).
fn yuan(value: &str, empty: Option<i64>) -> Result<Option<i64>, String> {
    if value.is_empty() {
        return Ok(empty);
    }
    match Fen::parse_non_negative_yuan(value) {
        Ok(f) if f.fen() <= MAX_FEN => Ok(Some(f.fen())),
        _ => Err(format!("“{value}”不是有效金额（元，不为负，最多两位小数，不超过 1 亿）")),
    }
}

fn fee(value: &str, field: &'static str, errors: &mut FieldErrors) -> i64 {
    yuan(value, Some(0))
        .unwrap_or_else(|e| {
            errors.add(field, e);
            None
        })
        .unwrap_or(0)
}

/// A unit price: `None` when left empty (the product's price).
pub fn unit_price(value: &str) -> Result<Option<i64>, String> {
    yuan(value, None)
}

pub fn quantity(value: &str) -> Result<i64, String> {
    match value.parse::<i64>() {
        Ok(q) if (1..=MAX_QUANTITY).contains(&q) => Ok(q),
        _ if value.is_empty() => Err("请填写数量".into()),
        _ => Err(format!("“{value}”不是有效数量（1 到 {MAX_QUANTITY} 的整数）")),
    }
}

/// The order of the form's order-level fields (a `manual` one, ordered `now`, no
/// number, customer, lines or amount yet): what is wrong goes into `errors` (the
/// value left as typed or zero). The 已付款 box means paid `now`; a typed payment
/// time (the tenant's local time) may not be later.
pub fn header(t: &Typed, tz: TimeZone, now: DateTime<Utc>, errors: &mut FieldErrors) -> NewOrder {
    // Offline unless another platform is chosen.
    let platform = match t.platform.as_str() {
        "" => Platform::Offline,
        code => Platform::parse(code).unwrap_or_else(|| {
            errors.add("platform", "请选择平台");
            Platform::Offline
        }),
    };
    if !t.ship_to.phone.chars().all(|c| c.is_ascii_digit() || "+-() ".contains(c)) {
        errors.add("phone", "手机只能含数字和 + - ( ) 空格");
    }
    let paid_at = if t.paid_at.is_empty() {
        t.paid.then_some(now)
    } else {
        match crate::input::date_time(&t.paid_at).map(|local| tz.to_utc(local)) {
            Ok(at) if at > now => {
                errors.add("paid_at", "付款时间不能晚于现在");
                None
            }
            Ok(at) => Some(at),
            Err(e) => {
                errors.add("paid_at", e);
                None
            }
        }
    };
    let to = &t.ship_to;
    for (value, max, field, label) in [
        (&to.receiver, 50, "receiver", "收货人"),
        (&to.phone, 30, "phone", "手机"),
        (&to.province, 20, "province", "省"),
        (&to.city, 30, "city", "市"),
        (&to.district, 30, "district", "区"),
        (&to.address, 200, "address", "详细地址"),
        (&t.shop, 100, "shop", "店铺"),
        (&t.buyer, 100, "buyer", "买家"),
        (&t.buyer_note, 500, "buyer_note", "买家留言"),
        (&t.seller_note, 500, "seller_note", "卖家备注"),
    ] {
        if value.chars().count() > max {
            errors.add(field, format!("{label}最多 {max} 个字符"));
        }
    }
    NewOrder {
        platform,
        order_no: String::new(),
        shop: t.shop.clone(),
        source: Source::Manual,
        customer_id: None,
        contract_id: None,
        buyer: t.buyer.clone(),
        ship_to: t.ship_to.clone(),
        buyer_note: t.buyer_note.clone(),
        seller_note: t.seller_note.clone(),
        shipping_fen: fee(&t.shipping_fee, "shipping_fee", errors),
        discount_fen: fee(&t.discount, "discount", errors),
        paid_fen: 0,
        ordered_at: now,
        paid_at,
        rep_id: None,
        rep_department: None,
        created_by: None,
        campaign_id: None,
        lines: Vec::new(),
    }
}

/// Goods (Σ quantity × unit price) and the amount to pay (goods + shipping −
/// discount), in fen; `Err` naming what is wrong (an overflow, a discount above
/// goods and shipping).
pub fn totals(lines: &[(i64, i64)], shipping_fen: i64, discount_fen: i64) -> Result<(i64, i64), &'static str> {
    let goods = lines
        .iter()
        .try_fold(0i64, |sum, (q, p)| q.checked_mul(*p).and_then(|v| sum.checked_add(v)))
        .ok_or("订单金额超出范围")?;
    let due = goods.checked_add(shipping_fen).ok_or("订单金额超出范围")? - discount_fen;
    if due < 0 {
        return Err("优惠不能超过商品金额与运费之和");
    }
    Ok((goods, due))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn rows_come_from_numbered_fields_in_any_order() {
        let t = Typed::from_fields(fields(&[
            ("csrf_token", "x"),
            ("quantity_3", " 2 "),
            ("sku_1", "CUP-1"),
            ("unit_price_3", "9.90"),
            ("pick_3", "PEN-1"),
            ("buyer_note", "快"),
            ("paid", "1"),
        ]))
        .unwrap();
        assert_eq!(t.rows.len(), 3);
        assert_eq!(t.rows[0].sku(), "CUP-1");
        assert!(t.rows[1].is_blank());
        assert_eq!((t.rows[2].quantity.as_str(), t.rows[2].sku()), ("2", "PEN-1"), "a pick wins over the typed text");
        assert_eq!(t.buyer_note, "快");
        assert!(t.paid && !t.add_line);
        for bad in ["sku_0", "sku_101", "sku_x", "quantity_"] {
            assert!(Typed::from_fields(fields(&[(bad, "1")])).is_err(), "{bad}");
        }
        let mut t = Typed::blank();
        assert_eq!((t.rows.len(), t.platform.as_str()), (FIRST_ROWS, "offline"));
        t.rows.resize(MAX_ROWS, Row::default());
        assert!(!t.add_row(), "no row past the last");
    }

    #[test]
    fn money_quantities_and_totals_in_fen() {
        assert_eq!(unit_price(""), Ok(None));
        assert_eq!(unit_price("19.9"), Ok(Some(1990)));
        assert!(unit_price("1.999").is_err());
        assert!(unit_price("-1").is_err());
        assert!(unit_price("100000000.01").is_err());
        assert_eq!(quantity("3"), Ok(3));
        for bad in ["0", "1.5", "-2", "x", "1000001"] {
            assert!(quantity(bad).unwrap_err().contains("不是有效数量"), "{bad}");
        }
        assert_eq!(quantity(""), Err("请填写数量".into()));
        assert_eq!(totals(&[(3, 800), (2, 400)], 1000, 500), Ok((3200, 3700)));
        assert_eq!(totals(&[(1, 100)], 0, 100), Ok((100, 0)), "free is allowed");
        assert!(totals(&[(1, 100)], 0, 101).is_err());
        assert!(totals(&[(i64::MAX, 2)], 0, 0).is_err());
    }

    #[test]
    fn the_header_checks_lengths_phone_and_payment_time() {
        let tz = TimeZone::default();
        let now = tz.to_utc(crate::input::date_time("2026-11-23 10:00").unwrap());
        let mut t = Typed::blank();
        t.paid = true;
        let mut errors = FieldErrors::default();
        let h = header(&t, tz, now, &mut errors);
        assert!(errors.is_empty());
        assert_eq!((h.platform, h.paid_at), (Platform::Offline, Some(now)));
        t.paid_at = "2026-11-23 10:01".into();
        t.ship_to.phone = "电话".into();
        t.ship_to.receiver = "王".repeat(51);
        t.discount = "1.234".into();
        t.platform = "amazon".into();
        let mut errors = FieldErrors::default();
        let h = header(&t, tz, now, &mut errors);
        for field in ["paid_at", "phone", "receiver", "discount", "platform"] {
            assert!(errors.has(field), "{field}: {errors:?}");
        }
        assert_eq!((h.paid_at, h.discount_fen), (None, 0));
        t.paid_at = "2026-11-22 09:00".into();
        let h = header(&t, tz, now, &mut FieldErrors::default());
        assert_eq!(h.paid_at, Some(now - chrono::Duration::hours(25)), "local time, earlier than now");
    }
}
