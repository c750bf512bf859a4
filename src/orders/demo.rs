//! Demo orders: platform orders over the last 90 days in every state — fresh ones
//! waiting for review, some held (unpaid, address, stock, manual), older ones
//! allocated, shipped (some in two parcels), delivered, a few with an exception or
//! cancelled — moved there through the same stock functions as the pages, so the
//! ledger agrees with every order.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveTime, Utc};

use super::codes::{Carrier, ExceptionKind, HoldKind, OrderStatus, Platform, Source};
use super::repo::{self, Author, NewLine, NewOrder};
use super::stock;
use super::ShipTo;
use crate::db::Tx;
use crate::demo::ctx::Ctx;
use crate::people::{Dept, Level};
use crate::tz::TimeZone;

const SURNAMES: &[&str] = &["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙"];
const GIVEN: &[&str] = &["伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "杰", "娟", "涛", "明", "超"];
const PLACES: &[(&str, &str, &str, &str)] = &[
    ("浙江省", "杭州市", "西湖区", "文三路 90 号东部软件园"),
    ("上海市", "上海市", "浦东新区", "张江路 88 弄 3 号 502"),
    ("广东省", "广州市", "天河区", "体育西路 191 号中石化大厦"),
    ("北京市", "北京市", "朝阳区", "望京街 9 号望京 SOHO T2"),
    ("江苏省", "南京市", "鼓楼区", "中山北路 30 号"),
    ("四川省", "成都市", "武侯区", "天府大道北段 1700 号"),
    ("湖北省", "武汉市", "洪山区", "珞喻路 1037 号"),
];
const SHOPS: &[(Platform, &str)] = &[
    (Platform::Tmall, "天猫旗舰店"),
    (Platform::Taobao, "淘宝企业店"),
    (Platform::Jd, "京东自营专区"),
    (Platform::Pdd, "拼多多官方店"),
    (Platform::Douyin, "抖音小店"),
    (Platform::Taobao, "淘宝企业店"),
];

fn mix(i: u64) -> u64 {
    let mut z = i.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `ctx.orders` orders, the oldest first.
pub async fn seed(tx: &mut Tx, ctx: &Ctx) -> Result<(), sqlx::Error> {
    if ctx.orders == 0 {
        return Ok(());
    }
    let products: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT id, price_fen FROM products WHERE tenant_id = $1 AND status = 'listed' AND price_fen > 0 ORDER BY id LIMIT 60",
    )
    .bind(ctx.tenant_id)
    .fetch_all(&mut **tx)
    .await?;
    if products.is_empty() {
        return Ok(());
    }
    let tz = TimeZone::default();
    let now = Utc::now();
    let n = ctx.orders;
    let orders: Vec<NewOrder> = (0..n).map(|i| demo_order(ctx, &products, tz, i, n)).collect();
    let intake = Author { user_id: None, name: "平台接单" };
    let ids = repo::insert(tx, ctx.tenant_id, &orders, &intake, "平台订单导入").await?;
    let ops_id = ctx.user(Dept::Ops, Level::Specialist);
    let wh_id = ctx.user(Dept::Warehouse, Level::Specialist);
    let ops = Author { user_id: ops_id, name: "运营专员（ops.specialist）" };
    let wh = Author { user_id: wh_id, name: "仓储物流专员（warehouse.specialist）" };
    for (i, (&id, o)) in ids.iter().zip(&orders).enumerate() {
        let age_days = (now - o.ordered_at).num_days();
        let h = mix(i as u64 + 77 * ctx.n as u64);
        if !o.intake_holds().is_empty() || age_days < 1 && h.is_multiple_of(3) {
            continue; // held at intake, or too fresh: waiting for review
        }
        if h.is_multiple_of(41) {
            repo::place_hold(tx, ctx.tenant_id, id, HoldKind::Manual, "客户来电要求修改收货地址", ops_id).await?;
            repo::event(tx, ctx.tenant_id, id, "hold", &ops, "客户来电要求修改收货地址").await?;
            continue;
        }
        if h % 31 == 1 {
            repo::set_status(tx, ctx.tenant_id, id, OrderStatus::Cancelled, Some("客户申请取消")).await?;
            repo::event(tx, ctx.tenant_id, id, "cancel", &ops, "客户申请取消").await?;
            continue;
        }
        let Some(cover) = repo::coverage(tx, ctx.tenant_id, id).await?.into_iter().find(|c| c.covers_all) else {
            repo::place_hold(tx, ctx.tenant_id, id, HoldKind::Stock, "审核时没有一个仓库能满足整单", ops_id).await?;
            repo::event(tx, ctx.tenant_id, id, "hold", &ops, "缺货").await?;
            continue;
        };
        repo::set_status(tx, ctx.tenant_id, id, OrderStatus::Approved, None).await?;
        repo::event(tx, ctx.tenant_id, id, "approve", &ops, "").await?;
        if age_days < 1 {
            continue;
        }
        let lines = repo::lines(tx, ctx.tenant_id, id).await?;
        if stock::allocate(tx, ctx.tenant_id, id, cover.warehouse_id, &lines).await.is_err() {
            continue;
        }
        repo::set_status(tx, ctx.tenant_id, id, OrderStatus::Allocated, None).await?;
        repo::event(tx, ctx.tenant_id, id, "allocate", &ops, &format!("仓库 {}", cover.code)).await?;
        let Some(shipper) = wh_id else { continue };
        if age_days < 2 {
            continue;
        }
        let carrier = Carrier::ALL[(h % 10) as usize];
        let lines = repo::lines(tx, ctx.tenant_id, id).await?;
        // Every 13th order leaves in two parcels (its first line first).
        let parcels: Vec<BTreeMap<i32, i64>> = if h.is_multiple_of(13) && lines.len() > 1 {
            vec![
                lines.iter().take(1).map(|l| (l.line_no, l.reserved_qty)).collect(),
                lines.iter().skip(1).map(|l| (l.line_no, l.reserved_qty)).collect(),
            ]
        } else {
            vec![lines.iter().map(|l| (l.line_no, l.reserved_qty)).collect()]
        };
        let count = parcels.len();
        for (p, quantities) in parcels.into_iter().enumerate() {
            let tracking = format!("{}{}{:08}{p}", carrier.code(), 70 + ctx.n, id);
            let Some(parcel) =
                repo::insert_parcel(tx, ctx.tenant_id, id, cover.warehouse_id, carrier, &tracking, shipper).await?
            else {
                continue;
            };
            let reason = format!("订单 {} 发货（{} {tracking}）", o.order_no, carrier.label());
            if stock::ship(tx, ctx.tenant_id, id, parcel, &quantities, &reason, shipper).await.is_err() {
                break;
            }
            let status = if p + 1 < count { OrderStatus::PartiallyShipped } else { OrderStatus::Shipped };
            repo::set_status(tx, ctx.tenant_id, id, status, None).await?;
            repo::mark_shipped(tx, ctx.tenant_id, id).await?;
            repo::event(tx, ctx.tenant_id, id, "ship", &wh, &format!("{} {tracking}", carrier.label())).await?;
        }
        if h.is_multiple_of(29) {
            let kind = ExceptionKind::ALL[(h % 4) as usize];
            repo::parcel_exception(tx, ctx.tenant_id, id, kind, "已联系承运商核实，并已短信告知客户").await?;
            repo::set_status(tx, ctx.tenant_id, id, OrderStatus::Exception, None).await?;
            repo::event(tx, ctx.tenant_id, id, "exception", &ops, kind.label()).await?;
        } else if age_days >= 5 {
            repo::parcels_delivered(tx, ctx.tenant_id, id).await?;
            repo::set_status(tx, ctx.tenant_id, id, OrderStatus::Delivered, None).await?;
            repo::event(tx, ctx.tenant_id, id, "deliver", &wh, "").await?;
        }
    }
    Ok(())
}

fn demo_order(ctx: &Ctx, products: &[(i64, i64)], tz: TimeZone, i: usize, n: usize) -> NewOrder {
    let h = mix(i as u64 * 7919 + ctx.n as u64);
    // Spread over 90 days, the newest last.
    let days_ago = ((n - 1 - i) * 90 / n.max(1)) as i64;
    let minute = (h % (14 * 60)) as u32;
    let time = NaiveTime::from_hms_opt(8 + minute / 60, minute % 60, (h % 60) as u32).unwrap_or_default();
    let ordered_at = tz.to_utc((ctx.today - Duration::days(days_ago)).and_time(time));
    let (platform, shop) = SHOPS[(h % SHOPS.len() as u64) as usize];
    let (province, city, district, street) = PLACES[((h >> 8) % PLACES.len() as u64) as usize];
    let name = format!(
        "{}{}",
        SURNAMES[((h >> 16) % SURNAMES.len() as u64) as usize],
        GIVEN[((h >> 20) % GIVEN.len() as u64) as usize]
    );
    let lines: Vec<NewLine> = (0..1 + (h >> 24) % 3)
        .map(|k| {
            let (product_id, price) = products[((h >> (28 + k * 5)) as usize + k as usize * 7) % products.len()];
            NewLine {
                product_id,
                quantity: 1 + ((h >> (40 + k)) % 3) as i64,
                unit_price_fen: price,
                contract_line_id: None,
            }
        })
        .fold(Vec::new(), |mut acc: Vec<NewLine>, l| {
            if !acc.iter().any(|x| x.product_id == l.product_id) {
                acc.push(l);
            }
            acc
        });
    let goods: i64 = lines.iter().map(|l| l.quantity * l.unit_price_fen).sum();
    let shipping = if goods >= 9900 { 0 } else { 800 };
    let discount = if h.is_multiple_of(5) { goods / 20 } else { 0 };
    let unpaid = h.is_multiple_of(17);
    let incomplete = h.is_multiple_of(23);
    NewOrder {
        platform,
        order_no: format!("{}{:06}{:06}", platform.code().to_uppercase(), 260000 + ctx.n * 1000, i + 1),
        shop: shop.to_owned(),
        source: Source::Import,
        customer_id: None,
        contract_id: None,
        buyer: format!("{}***{}", &name.chars().next().map(String::from).unwrap_or_default(), h % 10),
        ship_to: ShipTo {
            receiver: name,
            phone: if incomplete {
                String::new()
            } else {
                format!("1{}{:01}****{:04}", 3 + h % 6, h % 10, (h >> 12) % 10_000)
            },
            province: province.into(),
            city: city.into(),
            district: district.into(),
            address: street.into(),
        },
        buyer_note: if h.is_multiple_of(7) { "请尽快发货，谢谢".into() } else { String::new() },
        seller_note: String::new(),
        shipping_fen: shipping,
        discount_fen: discount,
        paid_fen: if unpaid { 0 } else { goods + shipping - discount },
        ordered_at,
        paid_at: (!unpaid).then(|| ordered_at + Duration::minutes(2)),
        rep_id: None,
        rep_department: None,
        created_by: None,
        lines,
    }
}
