//! Demo orders: platform orders over the last 90 days in every state — fresh ones
//! waiting for review, some held (unpaid, address, stock, manual), older ones
//! allocated, shipped (some in two parcels), delivered, a few with an exception or
//! cancelled — written in bulk (a million in minutes), the stock through the
//! ledger, so that it agrees with every order.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveTime, Utc};

use super::codes::{Carrier, ExceptionKind, HoldKind, OrderStatus, Platform, Source};
use super::repo::{self, history, Author, NewLine, NewOrder};
use super::ShipTo;
use crate::db::Tx;
use crate::demo::ctx::Ctx;
use crate::inventory::ledger::{self, DocType, LedgerError, MovementKind, NewMovement};
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

/// Where a demo order ends up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fate {
    /// Held at intake, or too fresh: waiting for review.
    Pending,
    Manual,
    Cancelled,
    /// Held at review: its first line asks for more than any warehouse has.
    Stock,
    Approved,
    /// Reserved in warehouse `wh` (an index), not yet shipped.
    Allocated {
        wh: usize,
    },
    /// Shipped from `wh` in one or two parcels, then delivered, still on its way, or
    /// an exception.
    Shipped {
        wh: usize,
        parcels: usize,
        end: End,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum End {
    InTransit,
    Delivered,
    Exception(ExceptionKind),
}

/// A parcel of a shipped demo order (`index`: the order's position).
struct DemoParcel {
    index: usize,
    id: i64,
    wh: usize,
    carrier: Carrier,
    tracking: String,
    reason: String,
    part: usize,
    count: usize,
    end: End,
    at: chrono::DateTime<Utc>,
}

/// What a stock-held demo order asks for of its first product.
const SHORT_QUANTITY: i64 = 100_000;

fn fate_of(ctx: &Ctx, o: &NewOrder, i: usize, age_days: i64, warehouses: usize) -> Fate {
    let h = mix(i as u64 + 77 * ctx.n as u64);
    if !o.intake_holds().is_empty() || age_days < 1 && h.is_multiple_of(3) {
        Fate::Pending
    } else if h.is_multiple_of(41) {
        Fate::Manual
    } else if h % 31 == 1 {
        Fate::Cancelled
    } else if h % 37 == 5 {
        Fate::Stock
    } else if age_days < 1 || warehouses == 0 {
        Fate::Approved
    } else {
        let wh = (h >> 8) as usize % warehouses;
        if age_days < 2 {
            Fate::Allocated { wh }
        } else {
            let parcels = if h.is_multiple_of(13) && o.lines.len() > 1 { 2 } else { 1 };
            let end = if h.is_multiple_of(29) {
                End::Exception(ExceptionKind::ALL[(h % 4) as usize])
            } else if age_days >= 5 {
                End::Delivered
            } else {
                End::InTransit
            };
            Fate::Shipped { wh, parcels, end }
        }
    }
}

/// `ctx.orders` orders, the oldest first, each moved to its fate in bulk — every
/// step one statement over all the orders it concerns (`repo::history`), stock
/// through the ledger: the demand of the allocated and shipped orders is received
/// first where it is short, open reservations raise the levels' reserved, and each
/// shipped line is a `shipment` movement of its order.
pub async fn seed(tx: &mut Tx, ctx: &Ctx) -> Result<(), sqlx::Error> {
    if ctx.orders == 0 {
        return Ok(());
    }
    let tid = ctx.tenant_id;
    let products: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT id, price_fen FROM products WHERE tenant_id = $1 AND status = 'listed' AND price_fen > 0 ORDER BY id LIMIT 60",
    )
    .bind(tid)
    .fetch_all(&mut **tx)
    .await?;
    let warehouses: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, code FROM warehouses WHERE tenant_id = $1 AND is_active ORDER BY code")
            .bind(tid)
            .fetch_all(&mut **tx)
            .await?;
    if products.is_empty() {
        return Ok(());
    }
    let tz = TimeZone::default();
    let now = Utc::now();
    let n = ctx.orders;
    let mut orders: Vec<NewOrder> = Vec::with_capacity(n);
    let mut fates: Vec<Fate> = Vec::with_capacity(n);
    for i in 0..n {
        let mut o = demo_order(ctx, &products, tz, i, n);
        let fate = fate_of(ctx, &o, i, (now - o.ordered_at).num_days(), warehouses.len());
        if fate == Fate::Stock {
            o.lines[0].quantity = SHORT_QUANTITY;
        }
        orders.push(o);
        fates.push(fate);
    }
    let intake = Author { user_id: None, name: "平台接单" };
    let ids = repo::insert(tx, tid, &orders, &intake, "平台订单导入").await?;
    let ops_id = ctx.user(Dept::Ops, Level::Specialist);
    let ops = Author { user_id: ops_id, name: "运营专员（ops.specialist）" };
    let wh_id = ctx.user(Dept::Warehouse, Level::Specialist);
    let wh = Author { user_id: wh_id, name: "仓储物流专员（warehouse.specialist）" };
    let Some(shipper) = wh_id else { return Ok(()) };

    // Stock: what the allocated and shipped orders take, received where it is short.
    let mut demand: BTreeMap<(i64, usize), i64> = BTreeMap::new();
    let mut open: BTreeMap<(i64, usize), i64> = BTreeMap::new();
    for (o, f) in orders.iter().zip(&fates) {
        if let Fate::Allocated { wh } | Fate::Shipped { wh, .. } = *f {
            for l in &o.lines {
                *demand.entry((l.product_id, wh)).or_default() += l.quantity;
                if matches!(f, Fate::Allocated { .. }) {
                    *open.entry((l.product_id, wh)).or_default() += l.quantity;
                }
            }
        }
    }
    let available: BTreeMap<(i64, i64), i64> =
        history::available(tx, tid).await?.into_iter().map(|(p, w, a)| ((p, w), a)).collect();
    for (&(product_id, w), &need) in &demand {
        let warehouse_id = warehouses[w].0;
        let short = need - available.get(&(product_id, warehouse_id)).copied().unwrap_or(0);
        if short > 0 {
            let m = NewMovement {
                product_id,
                warehouse_id,
                kind: MovementKind::Receipt,
                quantity: short,
                reason: "演示：平台订单备货入库",
                doc: DocType::Manual,
                doc_id: None,
                created_by: shipper.into(),
            };
            ledger::post(tx, tid, &m).await.map_err(ledger_error)?;
        }
    }

    // Holds placed at review, and each order's state.
    let manual = "客户来电要求修改收货地址";
    let stock_reason = "审核时没有一个仓库能满足整单";
    let holds: Vec<(i64, HoldKind, String)> = ids
        .iter()
        .zip(&fates)
        .filter_map(|(&id, f)| match f {
            Fate::Manual => Some((id, HoldKind::Manual, manual.to_owned())),
            Fate::Stock => Some((id, HoldKind::Stock, stock_reason.to_owned())),
            _ => None,
        })
        .collect();
    repo::insert_holds(tx, tid, &holds, ops_id).await?;
    let hold_events: Vec<(i64, &str)> = holds.iter().map(|h| (h.0, h.2.as_str())).collect();
    repo::insert_events(tx, tid, "hold", &hold_events, &ops).await?;
    let mut states = Vec::new();
    for ((&id, o), f) in ids.iter().zip(&orders).zip(&fates) {
        let at = o.paid_at.unwrap_or(o.ordered_at) + Duration::hours(2);
        let (status, w) = match *f {
            Fate::Pending | Fate::Manual | Fate::Stock => continue,
            Fate::Cancelled => (OrderStatus::Cancelled, None),
            Fate::Approved => (OrderStatus::Approved, None),
            Fate::Allocated { wh } => (OrderStatus::Allocated, Some(wh)),
            Fate::Shipped { wh, end, .. } => (
                match end {
                    End::InTransit => OrderStatus::Shipped,
                    End::Delivered => OrderStatus::Delivered,
                    End::Exception(_) => OrderStatus::Exception,
                },
                Some(wh),
            ),
        };
        let cancel_reason = if status == OrderStatus::Cancelled { "客户申请取消" } else { "" };
        states.push(history::State {
            order_id: id,
            status,
            warehouse_id: w.map(|w| warehouses[w].0),
            cancel_reason,
            at,
        });
    }
    history::set_states(tx, tid, &states).await?;
    let of = |want: fn(&Fate) -> bool| -> Vec<i64> {
        ids.iter().zip(&fates).filter(|(_, f)| want(f)).map(|(&id, _)| id).collect()
    };
    let cancelled = of(|f| *f == Fate::Cancelled);
    let approved = of(|f| matches!(f, Fate::Approved | Fate::Allocated { .. } | Fate::Shipped { .. }));
    let allocated = of(|f| matches!(f, Fate::Allocated { .. }));
    let shipped = of(|f| matches!(f, Fate::Shipped { .. }));
    let events =
        |ids: &[i64], note: &'static str| -> Vec<(i64, &'static str)> { ids.iter().map(|&id| (id, note)).collect() };
    repo::insert_events(tx, tid, "cancel", &events(&cancelled, "客户申请取消"), &ops).await?;
    repo::insert_events(tx, tid, "approve", &events(&approved, ""), &ops).await?;

    // Reservations: open for the allocated, consumed for the shipped.
    history::reserve_lines(tx, tid, &allocated, false).await?;
    history::reserve_lines(tx, tid, &shipped, true).await?;
    for (&(product_id, w), &q) in &open {
        ledger::reserve(tx, tid, product_id, warehouses[w].0, q).await.map_err(ledger_error)?;
    }
    let allocate_notes: Vec<(i64, String)> = ids
        .iter()
        .zip(&fates)
        .filter_map(|(&id, f)| match *f {
            Fate::Allocated { wh } | Fate::Shipped { wh, .. } => Some((id, format!("仓库 {}", warehouses[wh].1))),
            _ => None,
        })
        .collect();
    let refs: Vec<(i64, &str)> = allocate_notes.iter().map(|(id, n)| (*id, n.as_str())).collect();
    repo::insert_events(tx, tid, "allocate", &refs, &ops).await?;

    // Parcels, their shipment movements, deliveries and exceptions.
    let exception_note = "已联系承运商核实，并已短信告知客户";
    let mut parcels: Vec<DemoParcel> = Vec::new();
    for (i, ((&id, o), f)) in ids.iter().zip(&orders).zip(&fates).enumerate() {
        let Fate::Shipped { wh, parcels: count, end } = *f else { continue };
        let h = mix(i as u64 + 77 * ctx.n as u64);
        let carrier = Carrier::ALL[(h % 10) as usize];
        let at = o.paid_at.unwrap_or(o.ordered_at) + Duration::hours(20);
        for part in 0..count {
            let tracking = format!("{}{}{:08}{part}", carrier.code(), 70 + ctx.n, id);
            let reason = format!("订单 {} 发货（{} {tracking}）", o.order_no, carrier.label());
            parcels.push(DemoParcel { index: i, id, wh, carrier, tracking, reason, part, count, end, at });
        }
    }
    let rows: Vec<history::Parcel> = parcels
        .iter()
        .map(|p| history::Parcel {
            order_id: p.id,
            warehouse_id: warehouses[p.wh].0,
            carrier: p.carrier,
            tracking_no: &p.tracking,
            split: p.count > 1,
            part: p.part as i32,
            shipped_at: p.at,
            delivered: p.end == End::Delivered,
            // The exception is the last parcel's.
            exception: match p.end {
                End::Exception(kind) if p.part + 1 == p.count => Some((kind, exception_note)),
                _ => None,
            },
        })
        .collect();
    history::insert_parcels(tx, tid, &rows, shipper).await?;
    let mut moves: Vec<NewMovement> = Vec::new();
    for p in &parcels {
        for (k, l) in orders[p.index].lines.iter().enumerate() {
            if p.count > 1 && (p.part == 0) != (k == 0) {
                continue;
            }
            moves.push(NewMovement {
                product_id: l.product_id,
                warehouse_id: warehouses[p.wh].0,
                kind: MovementKind::Shipment,
                quantity: -l.quantity,
                reason: &p.reason,
                doc: DocType::Order,
                doc_id: Some(p.id),
                created_by: Some(shipper),
            });
        }
    }
    // Level by level, so each level's row is updated in one run.
    moves.sort_by_key(|m| (m.product_id, m.warehouse_id));
    ledger::post_many(tx, tid, &moves).await.map_err(ledger_error)?;
    let ship_notes: Vec<(i64, String)> =
        parcels.iter().map(|p| (p.id, format!("{} {}", p.carrier.label(), p.tracking))).collect();
    let refs: Vec<(i64, &str)> = ship_notes.iter().map(|(id, n)| (*id, n.as_str())).collect();
    repo::insert_events(tx, tid, "ship", &refs, &wh).await?;
    let delivered: Vec<(i64, &str)> = ids
        .iter()
        .zip(&fates)
        .filter(|(_, f)| matches!(f, Fate::Shipped { end: End::Delivered, .. }))
        .map(|(&id, _)| (id, ""))
        .collect();
    repo::insert_events(tx, tid, "deliver", &delivered, &wh).await?;
    let exceptions: Vec<(i64, &str)> = ids
        .iter()
        .zip(&fates)
        .filter_map(|(&id, f)| match f {
            Fate::Shipped { end: End::Exception(kind), .. } => Some((id, kind.label())),
            _ => None,
        })
        .collect();
    repo::insert_events(tx, tid, "exception", &exceptions, &ops).await?;
    Ok(())
}

fn ledger_error(e: LedgerError) -> sqlx::Error {
    match e {
        LedgerError::Database(e) => e,
        other => sqlx::Error::Protocol(format!("demo orders: {other}")),
    }
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
