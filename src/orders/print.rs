//! The print pages of the warehouse: a picking slip per order, a batch picking
//! list for many orders (lines grouped by SKU with their totals and the orders
//! they go to), and the 100 × 150 mm shipping label of each parcel with its
//! tracking number as a Code 128 barcode. Each print is an event on the order's
//! timeline (who printed what, when), written as the page is served.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, RawQuery};
use serde::Deserialize;

use super::codes::OrderStatus;
use super::flow::{self, scope};
use super::handlers::{author, filter_of};
use super::repo::{self, Author, LineRow, OrderRow, ParcelRow, PickRow, Sender};
use super::views::ListQuery;
use super::ShipTo;
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::people::Action;
use crate::web::barcode::code128_svg;
use crate::web::{Chrome, Ctx};

/// The most orders one batch picking list covers.
pub const PICKING_MAX_ORDERS: usize = 500;

/// Printing is the warehouse's, and the order desk's (ops, service) too.
fn require_print(cx: &Ctx) -> AppResult<()> {
    if cx.can(Action::OrdersShip) || cx.can(Action::OrdersOperate) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

async fn order_of(cx: &Ctx, tx: &mut Tx, id: i64) -> AppResult<OrderRow> {
    repo::find(tx, cx.user.tenant_id, &scope(&cx.user), id, false).await?.ok_or(AppError::NotFound)
}

/// The print events of `orders`, one each, by the signed-in user.
async fn record(cx: &Ctx, tx: &mut Tx, kind: &str, events: &[(i64, &str)]) -> AppResult<()> {
    let name = author(cx);
    let who = Author { user_id: Some(cx.user.user_id), name: &name };
    repo::insert_events(tx, cx.user.tenant_id, kind, events, &who).await?;
    Ok(())
}

fn ship_to(o: &OrderRow) -> ShipTo {
    ShipTo {
        receiver: o.receiver.clone(),
        phone: o.phone.clone(),
        province: o.province.clone(),
        city: o.city.clone(),
        district: o.district.clone(),
        address: o.address.clone(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "orders/slip.html")]
pub struct SlipPage {
    pub chrome: Chrome,
    pub order: OrderRow,
    pub to: ShipTo,
    pub sender: Sender,
    pub lines: Vec<LineRow>,
    pub units: i64,
    pub barcode: Option<String>,
    pub printed_at: String,
}

/// `GET /orders/{id}/slip`: what to pick for the order, from its warehouse.
pub async fn slip(mut cx: Ctx, Path(id): Path<i64>) -> AppResult<SlipPage> {
    require_print(&cx)?;
    let mut tx = cx.begin().await?;
    let order = order_of(&cx, &mut tx, id).await?;
    let tid = cx.user.tenant_id;
    let lines = repo::lines(&mut tx, tid, id).await?;
    let units: i64 = lines.iter().map(|l| l.reserved_qty).sum();
    let (Some(warehouse), true) = (order.warehouse_id, units > 0) else {
        return Err(AppError::Conflict(format!(
            "订单 {} {}，没有待拣的商品：拣货单在配货之后打印",
            order.order_no,
            order.status.label()
        )));
    };
    let sender = repo::warehouse(&mut tx, tid, warehouse).await?.unwrap_or_default();
    record(&cx, &mut tx, "print_slip", &[(id, &format!("仓库 {}，{units} 件", sender.code))]).await?;
    tx.commit().await?;
    Ok(SlipPage {
        chrome: cx.chrome(format!("拣货单 {}", order.order_no), "/orders"),
        to: ship_to(&order),
        barcode: code128_svg(&order.order_no),
        printed_at: cx.user.settings.time_zone.format(chrono::Utc::now()),
        order,
        sender,
        lines: lines.into_iter().filter(|l| l.reserved_qty > 0).collect(),
        units,
    })
}

/// A parcel's label.
pub struct Label {
    pub parcel: ParcelRow,
    pub sender: Sender,
    pub barcode: Option<String>,
    pub shipped_on: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "orders/label.html")]
pub struct LabelPage {
    pub chrome: Chrome,
    pub order: OrderRow,
    pub to: ShipTo,
    pub company: String,
    pub labels: Vec<Label>,
}

#[derive(Debug, Default, Deserialize)]
pub struct LabelQuery {
    /// One parcel's label only (all of the order's parcels without it).
    pub parcel: Option<i64>,
}

/// `GET /orders/{id}/label` (`?parcel=`): the shipping label of each parcel, one
/// 100 × 150 mm page each.
pub async fn label(mut cx: Ctx, Path(id): Path<i64>, Query(q): Query<LabelQuery>) -> AppResult<LabelPage> {
    require_print(&cx)?;
    let mut tx = cx.begin().await?;
    let order = order_of(&cx, &mut tx, id).await?;
    let tid = cx.user.tenant_id;
    let parcels: Vec<ParcelRow> = repo::parcels(&mut tx, tid, id)
        .await?
        .into_iter()
        .filter(|p| q.parcel.is_none_or(|want| p.id == want))
        .collect();
    if parcels.is_empty() {
        return Err(match q.parcel {
            Some(_) => AppError::NotFound,
            None => AppError::Conflict(format!(
                "订单 {} 尚未发货，没有运单号：先在订单页登记承运商和运单号，再打印面单",
                order.order_no
            )),
        });
    }
    let tz = cx.user.settings.time_zone;
    let mut senders: BTreeMap<i64, Sender> = BTreeMap::new();
    let mut labels = Vec::with_capacity(parcels.len());
    for parcel in parcels {
        if let std::collections::btree_map::Entry::Vacant(e) = senders.entry(parcel.warehouse_id) {
            e.insert(repo::warehouse(&mut tx, tid, parcel.warehouse_id).await?.unwrap_or_default());
        }
        labels.push(Label {
            sender: senders[&parcel.warehouse_id].clone(),
            barcode: code128_svg(&parcel.tracking_no),
            shipped_on: tz.format(parcel.shipped_at),
            parcel,
        });
    }
    let notes: Vec<String> =
        labels.iter().map(|l| format!("{} {}", l.parcel.carrier.label(), l.parcel.tracking_no)).collect();
    let events: Vec<(i64, &str)> = notes.iter().map(|n| (id, n.as_str())).collect();
    record(&cx, &mut tx, "print_label", &events).await?;
    tx.commit().await?;
    Ok(LabelPage {
        chrome: cx.chrome(format!("面单 {}", order.order_no), "/orders"),
        to: ship_to(&order),
        company: cx.user.tenant_name.clone(),
        labels,
        order,
    })
}

/// One SKU of a warehouse on the batch picking list.
pub struct PickItem {
    pub sku: String,
    pub name: String,
    pub spec: String,
    pub unit: String,
    pub total: i64,
    /// (order id, order no, units) it goes to.
    pub orders: Vec<(i64, String, i64)>,
}

/// The picking of one warehouse.
pub struct PickGroup {
    pub warehouse: String,
    pub items: Vec<PickItem>,
    pub orders: usize,
    pub units: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "orders/picking.html")]
pub struct PickingPage {
    pub chrome: Chrome,
    pub groups: Vec<PickGroup>,
    /// Orders asked for and left out: (id, order no, why).
    pub skipped: Vec<(i64, String, String)>,
    pub printed_at: String,
}

/// Why an order is not picked now, if it is not.
fn not_pickable(row: &PickRow, units: i64) -> Option<String> {
    if !row.holds.is_empty() {
        Some(format!("挂起中（{}）", flow::hold_labels(&row.holds)))
    } else if !matches!(row.status, OrderStatus::Allocated | OrderStatus::PartiallyShipped) || units == 0 {
        Some(format!("{}，没有待拣的商品", row.status.label()))
    } else {
        None
    }
}

/// Group the lines of the pickable orders by warehouse and SKU; name the others.
pub fn group(rows: Vec<PickRow>) -> (Vec<PickGroup>, Vec<(i64, String, String)>) {
    let mut units: BTreeMap<i64, i64> = BTreeMap::new();
    for r in &rows {
        *units.entry(r.order_id).or_default() += r.reserved_qty;
    }
    let mut skipped: BTreeMap<i64, (String, String)> = BTreeMap::new();
    let mut groups: Vec<PickGroup> = Vec::new();
    let mut orders_of: Vec<std::collections::BTreeSet<i64>> = Vec::new();
    for r in rows {
        if let Some(why) = not_pickable(&r, units[&r.order_id]) {
            skipped.entry(r.order_id).or_insert((r.order_no, why));
            continue;
        }
        if r.reserved_qty == 0 {
            continue;
        }
        let warehouse = format!("{} {}", r.warehouse_code.unwrap_or_default(), r.warehouse_name.unwrap_or_default());
        if groups.last().is_none_or(|g| g.warehouse != warehouse) {
            groups.push(PickGroup { warehouse, items: Vec::new(), orders: 0, units: 0 });
            orders_of.push(Default::default());
        }
        let (g, seen) = (groups.last_mut().expect("pushed"), orders_of.last_mut().expect("pushed"));
        if g.items.last().is_none_or(|i| i.sku != r.sku) {
            g.items.push(PickItem {
                sku: r.sku,
                name: r.name,
                spec: r.spec,
                unit: r.unit,
                total: 0,
                orders: Vec::new(),
            });
        }
        let item = g.items.last_mut().expect("pushed");
        item.total += r.reserved_qty;
        item.orders.push((r.order_id, r.order_no, r.reserved_qty));
        g.units += r.reserved_qty;
        seen.insert(r.order_id);
        g.orders = seen.len();
    }
    (groups, skipped.into_iter().map(|(id, (no, why))| (id, no, why)).collect())
}

/// The orders a picking list is for: the `id`s of the query string (the list's
/// check boxes), or else every order the list's filter shows (at most
/// [`PICKING_MAX_ORDERS`]).
async fn picking_ids(cx: &Ctx, tx: &mut Tx, raw: &str) -> AppResult<Vec<i64>> {
    let mut ids = Vec::new();
    for (k, v) in form_urlencoded::parse(raw.as_bytes()) {
        if k == "id" {
            ids.push(v.trim().parse::<i64>().map_err(|_| AppError::BadRequest(format!("订单编号“{v}”无效")))?);
        }
    }
    if ids.len() > PICKING_MAX_ORDERS {
        return Err(AppError::BadRequest(format!("一次最多打印 {PICKING_MAX_ORDERS} 个订单的拣货单")));
    }
    if !ids.is_empty() {
        ids.sort_unstable();
        ids.dedup();
        return Ok(ids);
    }
    let q: ListQuery =
        serde_urlencoded::from_str(raw).map_err(|e| AppError::BadRequest(format!("查询条件无效：{e}")))?;
    let (filter, _) = filter_of(tx, &cx.user, &q).await?;
    let limit = PICKING_MAX_ORDERS as i64;
    let (rows, _) = repo::list(tx, cx.user.tenant_id, &scope(&cx.user), &filter, limit, 0, 1).await?;
    Ok(rows.into_iter().map(|o| o.id).collect())
}

/// `GET /orders/picking?id=…&id=…` (or the list's filter, e.g.
/// `?status=allocated&warehouse=WH1`): one picking list for many orders.
pub async fn picking(mut cx: Ctx, RawQuery(raw): RawQuery) -> AppResult<PickingPage> {
    require_print(&cx)?;
    let mut tx = cx.begin().await?;
    let ids = picking_ids(&cx, &mut tx, raw.as_deref().unwrap_or("")).await?;
    let rows = repo::picking_rows(&mut tx, cx.user.tenant_id, &scope(&cx.user), &ids).await?;
    if !ids.is_empty() && rows.is_empty() {
        // None of the orders asked for is this user's to see.
        return Err(AppError::NotFound);
    }
    let (groups, skipped) = group(rows);
    if groups.is_empty() {
        return Err(AppError::Conflict(if ids.is_empty() {
            "没有符合条件的订单".to_owned()
        } else {
            "所选订单都没有待拣的商品（未配货、已发完或挂起中）".to_owned()
        }));
    }
    let picked: std::collections::BTreeSet<i64> =
        groups.iter().flat_map(|g| g.items.iter().flat_map(|i| i.orders.iter().map(|o| o.0))).collect();
    let note = format!("批量拣货单（{} 单）", picked.len());
    let notes: Vec<(i64, String)> = picked.iter().map(|&id| (id, note.clone())).collect();
    let events: Vec<(i64, &str)> = notes.iter().map(|(id, n)| (*id, n.as_str())).collect();
    record(&cx, &mut tx, "print_picking", &events).await?;
    tx.commit().await?;
    Ok(PickingPage {
        chrome: cx.chrome("批量拣货单", "/orders"),
        printed_at: cx.user.settings.time_zone.format(chrono::Utc::now()),
        groups,
        skipped,
    })
}
