//! Demo orders: platform orders over the last 90 days in every state — fresh ones
//! waiting for review, some held (unpaid, address, stock, manual), older ones
//! allocated, shipped (some in two parcels), delivered, a few with an exception or
//! cancelled — written in bulk (a million in minutes), the stock through the
//! ledger, so that it agrees with every order.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveTime, Utc};

use super::codes::{Carrier, ExceptionKind, HoldKind, OrderStatus, Platform, Source};
use super::repo::{self, history, Author, Final, NewLine, NewOrder};
use super::ShipTo;
use crate::db::Tx;
use crate::demo::ctx::Ctx;
use crate::inventory::ledger::{self, DocType, LedgerError, MovementKind, NewMovement};
use crate::people::{Dept, Level};
use crate::tz::TimeZone;

mod contracts;

use contracts::contracts_to_order;
pub use contracts::from_contracts;

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

/// The tables the demo's orders fill (and nothing else writes while a new
/// deployment's first demo runs): loaded in bulk when empty (`db::bulk`).
pub const TABLES: &[&str] =
    &["orders", "order_lines", "order_holds", "order_events", "order_reservations", "parcels", "parcel_lines"];

/// One order in this many was entered on the order form (source `manual`).
const MANUAL_EVERY: usize = 40;

/// What a stock-held demo order asks for of its first product.
const SHORT_QUANTITY: i64 = 100_000;

/// `parts` (at most `warehouses`, at least 1) is how many parts the orders are
/// written in: an order that takes stock does so from a warehouse of its own part
/// (`i % parts`), so that the parts are the same size.
fn fate_of(ctx: &Ctx, o: &NewOrder, i: usize, age_days: i64, warehouses: usize, parts: usize) -> Fate {
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
        // The warehouses of part p are p, p + parts, p + 2 parts, …
        let part = i % parts;
        let wh = part + parts * ((h >> 8) as usize % (warehouses - part).div_ceil(parts));
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

/// The demo's orders, made in memory and split into parts that share no stock
/// level (an allocated or shipped order goes with its warehouse, the others by
/// their position), so that each part can be written in a transaction of its own,
/// at the same time as the others, without waiting on another's level locks.
pub struct Plan {
    parts: Vec<Part>,
    warehouses: Vec<(i64, String)>,
    shipper: i64,
    /// How many orders come from contracts, after the rest ([`from_contracts`]).
    from_contracts: usize,
}

struct Part {
    orders: Vec<NewOrder>,
    fates: Vec<Fate>,
    /// Each order's position among all the demo's orders (varies its carrier).
    index: Vec<usize>,
}

impl Part {
    /// Reorder the part so that its hand-entered orders come first (they are
    /// written with their own intake author and note), the rest keeping their order.
    fn hand_entered_first(&mut self) {
        let mut perm: Vec<usize> = (0..self.orders.len()).collect();
        perm.sort_by_key(|&k| self.orders[k].source != Source::Manual);
        let mut orders: Vec<Option<NewOrder>> = std::mem::take(&mut self.orders).into_iter().map(Some).collect();
        self.orders = perm.iter().filter_map(|&k| orders[k].take()).collect();
        self.fates = perm.iter().map(|&k| self.fates[k]).collect();
        self.index = perm.iter().map(|&k| self.index[k]).collect();
    }
}

impl Plan {
    /// How many parts there are to [`write`].
    pub fn parts(&self) -> usize {
        self.parts.len()
    }
}

/// `ctx.orders` orders over the last 90 days, the oldest first, each with its
/// fate; what the allocated and shipped ones take is received first where it is
/// short, in `tx` (before any order exists, so no stock hold is looked at). `None`
/// when there is nothing to write. At most `parts` parts.
pub async fn plan(tx: &mut Tx, ctx: &Ctx, parts: usize) -> Result<Option<Plan>, sqlx::Error> {
    if ctx.orders == 0 {
        return Ok(None);
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
    let (Some(shipper), false) = (ctx.user(Dept::Warehouse, Level::Specialist), products.is_empty()) else {
        return Ok(None);
    };
    let tz = TimeZone::default();
    let now = Utc::now();
    let n = ctx.orders;
    // The newest platform orders give way to the orders of signed sales contracts
    // (`from_contracts`): `ctx.orders` in all.
    let from_contracts = contracts_to_order(tx, ctx).await?.len();
    let given_way: Vec<usize> =
        (0..n).rev().filter(|i| i % MANUAL_EVERY != MANUAL_EVERY - 1).take(from_contracts).collect();
    let count = parts.clamp(1, warehouses.len().max(1));
    let desk = ctx.user(Dept::Ops, Level::Specialist);
    let mut manual = 0i64;
    let mut split: Vec<Part> =
        (0..count).map(|_| Part { orders: Vec::new(), fates: Vec::new(), index: Vec::new() }).collect();
    for i in (0..n).filter(|i| !given_way.contains(i)) {
        let mut o = demo_order(ctx, &products, tz, i, n);
        if i % MANUAL_EVERY == MANUAL_EVERY - 1 {
            // Taken by phone at the order desk: numbered here, SO-000001… in order.
            manual += 1;
            o.platform = Platform::Offline;
            o.order_no = format!("SO-{manual:06}");
            o.shop = String::new();
            o.source = Source::Manual;
            o.seller_note = "电话订货".into();
            o.created_by = desk;
        }
        let fate = fate_of(ctx, &o, i, (now - o.ordered_at).num_days(), warehouses.len(), count);
        if fate == Fate::Stock {
            o.lines[0].quantity = SHORT_QUANTITY;
        }
        let part = match fate {
            Fate::Allocated { wh } | Fate::Shipped { wh, .. } => wh % count,
            _ => i % count,
        };
        split[part].orders.push(o);
        split[part].fates.push(fate);
        split[part].index.push(i);
    }
    for part in &mut split {
        part.hand_entered_first();
    }
    let plan = Plan { parts: split, warehouses, shipper, from_contracts: given_way.len() };
    repo::numbered_up_to(tx, tid, manual).await?;
    receive_shortfall(tx, tid, &plan).await?;
    Ok(Some(plan))
}

/// Part `part` of the plan, each order written once in its final state — every
/// step one statement over all the rows it concerns (`repo::history`), stock
/// through the ledger: open reservations raise the levels' reserved, and each
/// shipped line is a `shipment` movement of its order (`ledger::post_many`).
pub async fn write(tx: &mut Tx, ctx: &Ctx, plan: &Plan, part: usize) -> Result<(), sqlx::Error> {
    let Part { orders, fates, index } = &plan.parts[part];
    let (warehouses, shipper) = (&plan.warehouses, plan.shipper);
    let tid = ctx.tenant_id;
    let ops_id = ctx.user(Dept::Ops, Level::Specialist);
    let ops = Author { user_id: ops_id, name: "运营专员（ops.specialist）" };
    let wh = Author { user_id: Some(shipper), name: "仓储物流专员（warehouse.specialist）" };
    // The orders and their lines, in their final states.
    let times: Vec<Times> = orders.iter().map(Times::of).collect();
    let cancel_reason = "客户申请取消";
    let states: Vec<Final> = fates
        .iter()
        .zip(&times)
        .map(|(f, t)| {
            let (status, w) = match *f {
                Fate::Pending | Fate::Manual | Fate::Stock => (OrderStatus::PendingReview, None),
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
            let shipped = matches!(f, Fate::Shipped { .. });
            Final {
                status,
                warehouse_id: w.map(|w| warehouses[w].0),
                cancel_reason: if *f == Fate::Cancelled { cancel_reason } else { "" },
                approved_at: matches!(f, Fate::Approved | Fate::Allocated { .. } | Fate::Shipped { .. })
                    .then_some(t.reviewed),
                shipped_at: shipped.then_some(t.shipped),
                delivered_at: matches!(f, Fate::Shipped { end: End::Delivered, .. }).then_some(t.delivered),
                cancelled_at: (*f == Fate::Cancelled).then_some(t.reviewed),
            }
        })
        .collect();
    let intake = Author { user_id: None, name: "平台接单" };
    let desk = Author { user_id: ops_id, name: ops.name };
    let m = orders.iter().take_while(|o| o.source == Source::Manual).count();
    let mut ids = repo::insert_in_state(tx, tid, &orders[..m], &states[..m], &desk, "手工录入").await?;
    ids.extend(repo::insert_in_state(tx, tid, &orders[m..], &states[m..], &intake, "平台订单导入").await?);

    // Holds placed at review, and the timeline of each step.
    let manual = "客户来电要求修改收货地址";
    let stock_reason = "审核时没有一个仓库能满足整单";
    let holds: Vec<(i64, HoldKind, String)> = ids
        .iter()
        .zip(fates)
        .filter_map(|(&id, f)| match f {
            Fate::Manual => Some((id, HoldKind::Manual, manual.to_owned())),
            Fate::Stock => Some((id, HoldKind::Stock, stock_reason.to_owned())),
            _ => None,
        })
        .collect();
    repo::insert_holds(tx, tid, &holds, ops_id).await?;
    let events = |want: &dyn Fn(&Fate) -> Option<String>, at: fn(&Times) -> DateTime<Utc>| {
        ids.iter()
            .zip(fates)
            .zip(&times)
            .filter_map(|((&id, f), t)| want(f).map(|note| (id, note, Some(at(t)))))
            .collect::<Vec<_>>()
    };
    let hold_events = events(
        &|f| match f {
            Fate::Manual => Some(manual.to_owned()),
            Fate::Stock => Some(stock_reason.to_owned()),
            _ => None,
        },
        |t| t.reviewed,
    );
    post_events(tx, tid, "hold", &hold_events, &ops).await?;
    let cancelled = events(&|f| (*f == Fate::Cancelled).then(|| cancel_reason.to_owned()), |t| t.reviewed);
    post_events(tx, tid, "cancel", &cancelled, &ops).await?;
    let approved = events(
        &|f| matches!(f, Fate::Approved | Fate::Allocated { .. } | Fate::Shipped { .. }).then(String::new),
        |t| t.reviewed,
    );
    post_events(tx, tid, "approve", &approved, &ops).await?;
    let allocated = events(
        &|f| match *f {
            Fate::Allocated { wh } | Fate::Shipped { wh, .. } => Some(format!("仓库 {}", warehouses[wh].1)),
            _ => None,
        },
        |t| t.allocated,
    );
    post_events(tx, tid, "allocate", &allocated, &ops).await?;
    let delivered =
        events(&|f| matches!(f, Fate::Shipped { end: End::Delivered, .. }).then(String::new), |t| t.delivered);
    post_events(tx, tid, "deliver", &delivered, &wh).await?;
    let exceptions = events(
        &|f| match f {
            Fate::Shipped { end: End::Exception(kind), .. } => Some(kind.label().to_owned()),
            _ => None,
        },
        |t| t.delivered,
    );
    post_events(tx, tid, "exception", &exceptions, &ops).await?;

    // Reservations: open for the allocated, consumed for the shipped; the open ones
    // raise their levels' reserved.
    let mut reservations = Vec::new();
    let mut open: BTreeMap<(i64, i64), i64> = BTreeMap::new();
    for (((&id, o), f), t) in ids.iter().zip(orders).zip(fates).zip(&times) {
        let (wh, closed_at) = match *f {
            Fate::Allocated { wh } => (wh, None),
            Fate::Shipped { wh, .. } => (wh, Some(t.shipped)),
            _ => continue,
        };
        for (k, l) in o.lines.iter().enumerate() {
            let warehouse_id = warehouses[wh].0;
            if closed_at.is_none() {
                *open.entry((l.product_id, warehouse_id)).or_default() += l.quantity;
            }
            reservations.push(history::Reservation {
                order_id: id,
                line_no: k as i32 + 1,
                warehouse_id,
                product_id: l.product_id,
                quantity: l.quantity,
                closed_at,
            });
        }
    }
    history::insert_reservations(tx, tid, &reservations).await?;
    drop(reservations);
    for (&(product_id, warehouse_id), &q) in &open {
        ledger::reserve(tx, tid, product_id, warehouse_id, q).await.map_err(ledger_error)?;
    }

    // Parcels (a split order: line 1 in the first, the others in the second) and
    // their shipment movements.
    let exception_note = "已联系承运商核实，并已短信告知客户";
    let mut tracking: Vec<String> = Vec::new();
    let mut shaped: Vec<(usize, usize, Carrier, usize, usize, End)> = Vec::new();
    for (i, (&id, f)) in ids.iter().zip(fates).enumerate() {
        let Fate::Shipped { wh, parcels: count, end } = *f else { continue };
        let carrier = Carrier::ALL[(mix(index[i] as u64 + 77 * ctx.n as u64) % 10) as usize];
        for part in 0..count {
            tracking.push(format!("{}{}{:08}{part}", carrier.code(), 70 + ctx.n, id));
            shaped.push((i, wh, carrier, part, count, end));
        }
    }
    let parcels: Vec<history::Parcel> = shaped
        .iter()
        .zip(&tracking)
        .map(|(&(i, wh, carrier, part, count, end), tracking_no)| history::Parcel {
            order_id: ids[i],
            warehouse_id: warehouses[wh].0,
            carrier,
            tracking_no,
            lines: parcel_lines(&orders[i], part, count),
            shipped_at: times[i].shipped,
            delivered: end == End::Delivered,
            // The exception is the last parcel's.
            exception: match end {
                End::Exception(kind) if part + 1 == count => Some((kind, exception_note)),
                _ => None,
            },
        })
        .collect();
    history::insert_parcels(tx, tid, &parcels, shipper).await?;
    let reasons: Vec<String> = parcels
        .iter()
        .zip(&shaped)
        .map(|(p, s)| format!("订单 {} 发货（{} {}）", orders[s.0].order_no, p.carrier.label(), p.tracking_no))
        .collect();
    let mut moves: Vec<NewMovement> = Vec::new();
    for ((p, s), reason) in parcels.iter().zip(&shaped).zip(&reasons) {
        for &(line_no, q) in &p.lines {
            moves.push(NewMovement {
                product_id: orders[s.0].lines[line_no as usize - 1].product_id,
                warehouse_id: p.warehouse_id,
                kind: MovementKind::Shipment,
                quantity: -q,
                reason,
                doc: DocType::Order,
                doc_id: Some(p.order_id),
                created_by: Some(shipper),
            });
        }
    }
    ledger::post_many(tx, tid, &moves).await.map_err(ledger_error)?;
    let ship_events: Vec<(i64, String, Option<DateTime<Utc>>)> = parcels
        .iter()
        .map(|p| (p.order_id, format!("{} {}", p.carrier.label(), p.tracking_no), Some(p.shipped_at)))
        .collect();
    post_events(tx, tid, "ship", &ship_events, &wh).await?;
    Ok(())
}

/// The lines (line no, quantity) of part `part` of `count` parcels of an order.
fn parcel_lines(o: &NewOrder, part: usize, count: usize) -> Vec<(i32, i64)> {
    o.lines
        .iter()
        .enumerate()
        .filter(|(k, _)| count == 1 || (part == 0) == (*k == 0))
        .map(|(k, l)| (k as i32 + 1, l.quantity))
        .collect()
}

/// When a demo order went through each step.
struct Times {
    reviewed: DateTime<Utc>,
    allocated: DateTime<Utc>,
    shipped: DateTime<Utc>,
    delivered: DateTime<Utc>,
}

impl Times {
    fn of(o: &NewOrder) -> Self {
        let paid = o.paid_at.unwrap_or(o.ordered_at);
        Times {
            reviewed: paid + Duration::hours(2),
            allocated: paid + Duration::hours(3),
            shipped: paid + Duration::hours(20),
            delivered: paid + Duration::hours(68),
        }
    }
}

async fn post_events(
    tx: &mut Tx,
    tid: i64,
    kind: &str,
    events: &[(i64, String, Option<DateTime<Utc>>)],
    author: &Author<'_>,
) -> Result<(), sqlx::Error> {
    let refs: Vec<(i64, &str, Option<DateTime<Utc>>)> = events.iter().map(|(id, n, t)| (*id, n.as_str(), *t)).collect();
    repo::insert_events_at(tx, tid, kind, &refs, author).await
}

/// What the allocated and shipped orders take, received where a level has less
/// available — before the orders exist.
async fn receive_shortfall(tx: &mut Tx, tid: i64, plan: &Plan) -> Result<(), sqlx::Error> {
    let mut demand: BTreeMap<(i64, i64), i64> = BTreeMap::new();
    for part in &plan.parts {
        for (o, f) in part.orders.iter().zip(&part.fates) {
            if let Fate::Allocated { wh } | Fate::Shipped { wh, .. } = *f {
                for l in &o.lines {
                    *demand.entry((l.product_id, plan.warehouses[wh].0)).or_default() += l.quantity;
                }
            }
        }
    }
    let available: BTreeMap<(i64, i64), i64> =
        history::available(tx, tid).await?.into_iter().map(|(p, w, a)| ((p, w), a)).collect();
    let receipts: Vec<NewMovement> = demand
        .iter()
        .filter_map(|(&(product_id, warehouse_id), &need)| {
            let short = need - available.get(&(product_id, warehouse_id)).copied().unwrap_or(0);
            (short > 0).then_some(NewMovement {
                product_id,
                warehouse_id,
                kind: MovementKind::Receipt,
                quantity: short,
                reason: "演示：平台订单备货入库",
                doc: DocType::Manual,
                doc_id: None,
                created_by: Some(plan.shipper),
            })
        })
        .collect();
    ledger::post_many(tx, tid, &receipts).await.map_err(ledger_error)
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
        campaign_id: None,
        lines,
    }
}
