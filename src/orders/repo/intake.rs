//! Intake (imports, the demo, the order form, contracts) — the orders, their lines,
//! the holds placed at intake and the timeline's first event.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use crate::db::Tx;
use crate::orders::codes::{HoldKind, OrderStatus, Platform, Source};
use crate::orders::ShipTo;

/// Rows per bulk statement.
const CHUNK: usize = 5_000;

/// An order to insert, with its lines.
#[derive(Clone, Debug)]
pub struct NewOrder {
    pub platform: Platform,
    pub order_no: String,
    pub shop: String,
    pub source: Source,
    pub customer_id: Option<i64>,
    pub contract_id: Option<i64>,
    pub buyer: String,
    pub ship_to: ShipTo,
    pub buyer_note: String,
    pub seller_note: String,
    pub shipping_fen: i64,
    pub discount_fen: i64,
    pub paid_fen: i64,
    pub ordered_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    pub rep_id: Option<i64>,
    pub rep_department: Option<String>,
    pub created_by: Option<i64>,
    /// The campaign it came from (`campaigns_for_orders` says which may be given).
    pub campaign_id: Option<i64>,
    pub lines: Vec<NewLine>,
}

#[derive(Clone, Debug)]
pub struct NewLine {
    pub product_id: i64,
    pub quantity: i64,
    pub unit_price_fen: i64,
    pub contract_line_id: Option<i64>,
}

impl NewOrder {
    pub fn goods_fen(&self) -> i64 {
        self.lines.iter().map(|l| l.quantity * l.unit_price_fen).sum()
    }

    /// The holds intake places ([`intake_hold_kinds`]), each with its reason.
    pub fn intake_holds(&self) -> Vec<(HoldKind, String)> {
        intake_hold_kinds(self.paid_at.is_some(), &self.ship_to)
            .map(|kind| {
                let reason = if kind == HoldKind::Unpaid {
                    match self.source {
                        Source::Import => "导入时未付款".to_owned(),
                        Source::Manual => "录入时未付款".to_owned(),
                        Source::Contract => "合同订单，待付款".to_owned(),
                    }
                } else {
                    format!("缺少{}", self.ship_to.missing().join("、"))
                };
                (kind, reason)
            })
            .collect()
    }
}

/// The holds intake places on an order: `unpaid` when it is not `paid`, `address`
/// when the receiver, phone or address is missing.
pub fn intake_hold_kinds(paid: bool, ship_to: &ShipTo) -> impl Iterator<Item = HoldKind> {
    let unpaid = (!paid).then_some(HoldKind::Unpaid);
    let address = (!ship_to.missing().is_empty()).then_some(HoldKind::Address);
    unpaid.into_iter().chain(address)
}

/// Who wrote something, for the timeline.
#[derive(Clone, Debug)]
pub struct Author<'a> {
    pub user_id: Option<i64>,
    pub name: &'a str,
}

/// Of these (platform, order no) pairs, those the tenant has already.
pub async fn existing(
    tx: &mut Tx,
    tenant_id: i64,
    keys: &[(Platform, String)],
) -> Result<HashSet<(Platform, String)>, sqlx::Error> {
    let mut found = HashSet::new();
    for chunk in keys.chunks(CHUNK) {
        let rows: Vec<(Platform, String)> = sqlx::query_as(
            "SELECT o.platform, o.order_no FROM UNNEST($2::text[], $3::text[]) AS k(platform, order_no)
             JOIN orders o ON o.tenant_id = $1 AND o.platform = k.platform AND o.order_no = k.order_no",
        )
        .bind(tenant_id)
        .bind(chunk.iter().map(|k| k.0.code()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|k| k.1.clone()).collect::<Vec<_>>())
        .fetch_all(&mut **tx)
        .await?;
        found.extend(rows);
    }
    Ok(found)
}

/// The ids of the products with these SKUs.
pub async fn product_ids(tx: &mut Tx, tenant_id: i64, skus: &[String]) -> Result<HashMap<String, i64>, sqlx::Error> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT sku, id FROM products WHERE tenant_id = $1 AND sku = ANY($2)")
            .bind(tenant_id)
            .bind(skus)
            .fetch_all(&mut **tx)
            .await?;
    Ok(rows.into_iter().collect())
}

/// The campaigns of these numbers (`HD-000001`…): number → (id, status), the
/// status `approved` too for one whose raised budget waits for approval (it keeps
/// running at the budget approved before).
pub async fn campaigns_for_orders(
    tx: &mut Tx,
    tenant_id: i64,
    numbers: &[String],
) -> Result<HashMap<String, (i64, String)>, sqlx::Error> {
    let rows: Vec<(String, i64, String)> = sqlx::query_as(
        "SELECT campaign_no, id,
                    CASE WHEN status IN ('submitted', 'director_pending') AND approved_at IS NOT NULL
                         THEN 'approved' ELSE status END
             FROM campaigns WHERE tenant_id = $1 AND campaign_no = ANY($2)",
    )
    .bind(tenant_id)
    .bind(numbers)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(|(no, id, status)| (no, (id, status))).collect())
}

/// Why an order may not carry campaign `no` of stored status `status` (`None`:
/// no such campaign), or `None` when it may: only an approved campaign (running
/// or ended by its dates) brings orders; a summarized one is read-only.
pub fn campaign_refusal(no: &str, status: Option<&str>) -> Option<String> {
    match status {
        Some("approved") => None,
        None => Some(format!("活动 {no} 不存在")),
        Some("summarized") => Some(format!("活动 {no} 已复盘，不能再关联订单")),
        Some(_) => Some(format!("活动 {no} 尚未批准，不能关联订单")),
    }
}

/// Insert `orders` (new ones: the caller has left out those that exist) with their
/// lines, intake holds and intake event. Returns their ids, in order.
pub async fn insert(
    tx: &mut Tx,
    tenant_id: i64,
    orders: &[NewOrder],
    author: &Author<'_>,
    intake_note: &str,
) -> Result<Vec<i64>, sqlx::Error> {
    insert_in_state(tx, tenant_id, orders, &[], author, intake_note).await
}

/// Where an order inserted as history stands (`history`): its state, warehouse,
/// cancel reason and the times of its steps so far.
#[derive(Clone, Copy, Debug)]
pub struct Final<'a> {
    pub status: OrderStatus,
    pub warehouse_id: Option<i64>,
    pub cancel_reason: &'a str,
    pub approved_at: Option<DateTime<Utc>>,
    pub shipped_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
}

/// [`insert`], each order written once in its final state: `states` is empty
/// (every order waits for review, its intake now) or has one entry per order. An
/// order inserted as allocated has every line reserved in full, one shipped,
/// delivered or in exception every line shipped in full (its reservations,
/// parcels and movements are the caller's); its intake event is at its order time.
pub async fn insert_in_state(
    tx: &mut Tx,
    tenant_id: i64,
    orders: &[NewOrder],
    states: &[Final<'_>],
    author: &Author<'_>,
    intake_note: &str,
) -> Result<Vec<i64>, sqlx::Error> {
    assert!(states.is_empty() || states.len() == orders.len(), "one state per order");
    let mut ids = Vec::with_capacity(orders.len());
    for (k, chunk) in orders.chunks(CHUNK).enumerate() {
        let state = |i: usize| states.get(k * CHUNK + i);
        let text = |f: fn(&NewOrder) -> &str| chunk.iter().map(|o| f(o).to_owned()).collect::<Vec<String>>();
        let money = |f: fn(&NewOrder) -> i64| chunk.iter().map(f).collect::<Vec<i64>>();
        let opt = |f: fn(&NewOrder) -> Option<i64>| chunk.iter().map(f).collect::<Vec<Option<i64>>>();
        let returned: Vec<(i64, Platform, String)> = sqlx::query_as(
            "INSERT INTO orders (tenant_id, platform, order_no, shop, source, customer_id, contract_id, buyer, receiver,
                                 phone, province, city, district, address, buyer_note, seller_note, goods_fen,
                                 shipping_fen, discount_fen, paid_fen, ordered_at, paid_at, rep_id, rep_department,
                                 created_by, status, warehouse_id, cancel_reason, updated_at, approved_at, shipped_at,
                                 delivered_at, cancelled_at, campaign_id)
             SELECT $1, platform, order_no, shop, source, customer_id, contract_id, buyer, receiver, phone, province,
                    city, district, address, buyer_note, seller_note, goods_fen, shipping_fen, discount_fen, paid_fen,
                    ordered_at, paid_at, rep_id, rep_department, created_by, s, w, r,
                    coalesce(greatest(a, sh, d, c), now()), a, sh, d, c, campaign_id
             FROM UNNEST($2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[],
                         $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[],
                         $14::text[], $15::text[], $16::text[], $17::bigint[], $18::bigint[],
                         $19::bigint[], $20::bigint[], $21::timestamptz[], $22::timestamptz[],
                         $23::bigint[], $24::text[], $25::bigint[], $26::text[], $27::bigint[], $28::text[],
                         $29::timestamptz[], $30::timestamptz[], $31::timestamptz[], $32::timestamptz[],
                         $33::bigint[])
                  AS x(platform, order_no, shop, source, customer_id, contract_id, buyer, receiver, phone, province,
                       city, district, address, buyer_note, seller_note, goods_fen, shipping_fen, discount_fen,
                       paid_fen, ordered_at, paid_at, rep_id, rep_department, created_by, s, w, r, a, sh, d, c,
                       campaign_id)
             RETURNING id, platform, order_no",
        )
        .bind(tenant_id)
        .bind(chunk.iter().map(|o| o.platform.code()).collect::<Vec<_>>())
        .bind(text(|o| &o.order_no))
        .bind(text(|o| &o.shop))
        .bind(chunk.iter().map(|o| o.source.code()).collect::<Vec<_>>())
        .bind(opt(|o| o.customer_id))
        .bind(opt(|o| o.contract_id))
        .bind(text(|o| &o.buyer))
        .bind(text(|o| &o.ship_to.receiver))
        .bind(text(|o| &o.ship_to.phone))
        .bind(text(|o| &o.ship_to.province))
        .bind(text(|o| &o.ship_to.city))
        .bind(text(|o| &o.ship_to.district))
        .bind(text(|o| &o.ship_to.address))
        .bind(text(|o| &o.buyer_note))
        .bind(text(|o| &o.seller_note))
        .bind(money(NewOrder::goods_fen))
        .bind(money(|o| o.shipping_fen))
        .bind(money(|o| o.discount_fen))
        .bind(money(|o| o.paid_fen))
        .bind(chunk.iter().map(|o| o.ordered_at).collect::<Vec<_>>())
        .bind(chunk.iter().map(|o| o.paid_at).collect::<Vec<_>>())
        .bind(opt(|o| o.rep_id))
        .bind(chunk.iter().map(|o| o.rep_department.clone()).collect::<Vec<_>>())
        .bind(opt(|o| o.created_by))
        .bind((0..chunk.len()).map(|i| state(i).map_or(OrderStatus::PendingReview, |s| s.status).code()).collect::<Vec<_>>())
        .bind((0..chunk.len()).map(|i| state(i).and_then(|s| s.warehouse_id)).collect::<Vec<_>>())
        .bind((0..chunk.len()).map(|i| state(i).map_or("", |s| s.cancel_reason)).collect::<Vec<_>>())
        .bind((0..chunk.len()).map(|i| state(i).and_then(|s| s.approved_at)).collect::<Vec<_>>())
        .bind((0..chunk.len()).map(|i| state(i).and_then(|s| s.shipped_at)).collect::<Vec<_>>())
        .bind((0..chunk.len()).map(|i| state(i).and_then(|s| s.delivered_at)).collect::<Vec<_>>())
        .bind((0..chunk.len()).map(|i| state(i).and_then(|s| s.cancelled_at)).collect::<Vec<_>>())
        .bind(opt(|o| o.campaign_id))
        .fetch_all(&mut **tx)
        .await?;
        let by_key: HashMap<(Platform, String), i64> = returned.into_iter().map(|(id, p, n)| ((p, n), id)).collect();
        ids.extend(chunk.iter().map(|o| by_key[&(o.platform, o.order_no.clone())]));
    }
    let pairs: Vec<(i64, &NewOrder)> = ids.iter().copied().zip(orders).collect();
    let statuses: Vec<OrderStatus> =
        (0..orders.len()).map(|i| states.get(i).map_or(OrderStatus::PendingReview, |s| s.status)).collect();
    insert_lines(tx, tenant_id, &pairs, &statuses).await?;
    let holds: Vec<(i64, HoldKind, String)> =
        pairs.iter().flat_map(|(id, o)| o.intake_holds().into_iter().map(move |(k, r)| (*id, k, r))).collect();
    insert_holds(tx, tenant_id, &holds, author.user_id).await?;
    let events: Vec<(i64, &str, Option<DateTime<Utc>>)> =
        pairs.iter().map(|(id, o)| (*id, intake_note, (!states.is_empty()).then_some(o.ordered_at))).collect();
    insert_events_at(tx, tenant_id, "intake", &events, author).await?;
    Ok(ids)
}

/// The lines of these orders; `statuses[i]` is where the i-th order stands.
async fn insert_lines(
    tx: &mut Tx,
    tenant_id: i64,
    orders: &[(i64, &NewOrder)],
    statuses: &[OrderStatus],
) -> Result<(), sqlx::Error> {
    let lines: Vec<(i64, i32, &NewLine, OrderStatus)> = orders
        .iter()
        .enumerate()
        .flat_map(|(k, (id, o))| o.lines.iter().enumerate().map(move |(i, l)| (*id, i as i32 + 1, l, statuses[k])))
        .collect();
    for chunk in lines.chunks(CHUNK) {
        sqlx::query(
            "INSERT INTO order_lines (tenant_id, order_id, line_no, product_id, quantity, unit_price_fen, contract_line_id,
                                      reserved_qty, shipped_qty)
             SELECT $1, * FROM UNNEST($2::bigint[], $3::int[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[],
                                      $8::bigint[], $9::bigint[])",
        )
        .bind(tenant_id)
        .bind(chunk.iter().map(|l| l.0).collect::<Vec<_>>())
        .bind(chunk.iter().map(|l| l.1).collect::<Vec<_>>())
        .bind(chunk.iter().map(|l| l.2.product_id).collect::<Vec<_>>())
        .bind(chunk.iter().map(|l| l.2.quantity).collect::<Vec<_>>())
        .bind(chunk.iter().map(|l| l.2.unit_price_fen).collect::<Vec<_>>())
        .bind(chunk.iter().map(|l| l.2.contract_line_id).collect::<Vec<_>>())
        .bind(chunk.iter().map(|l| if l.3 == OrderStatus::Allocated { l.2.quantity } else { 0 }).collect::<Vec<_>>())
        .bind(chunk.iter().map(|l| if shipped_in_full(l.3) { l.2.quantity } else { 0 }).collect::<Vec<_>>())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Whether an order inserted in this state has left in full.
fn shipped_in_full(s: OrderStatus) -> bool {
    matches!(s, OrderStatus::Shipped | OrderStatus::Delivered | OrderStatus::Exception)
}

/// Place holds (order id, kind, reason).
pub async fn insert_holds(
    tx: &mut Tx,
    tenant_id: i64,
    holds: &[(i64, HoldKind, String)],
    placed_by: Option<i64>,
) -> Result<(), sqlx::Error> {
    for chunk in holds.chunks(CHUNK) {
        sqlx::query(
            "INSERT INTO order_holds (tenant_id, order_id, kind, reason, placed_by)
             SELECT $1, o, k, r, $5 FROM UNNEST($2::bigint[], $3::text[], $4::text[]) AS x(o, k, r)",
        )
        .bind(tenant_id)
        .bind(chunk.iter().map(|h| h.0).collect::<Vec<_>>())
        .bind(chunk.iter().map(|h| h.1.code()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|h| h.2.clone()).collect::<Vec<_>>())
        .bind(placed_by)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Timeline events of one kind (order id, note), now.
pub async fn insert_events(
    tx: &mut Tx,
    tenant_id: i64,
    kind: &str,
    events: &[(i64, &str)],
    author: &Author<'_>,
) -> Result<(), sqlx::Error> {
    let now: Vec<(i64, &str, Option<DateTime<Utc>>)> = events.iter().map(|&(id, note)| (id, note, None)).collect();
    insert_events_at(tx, tenant_id, kind, &now, author).await
}

/// Timeline events of one kind (order id, note, when — now when `None`).
pub async fn insert_events_at(
    tx: &mut Tx,
    tenant_id: i64,
    kind: &str,
    events: &[(i64, &str, Option<DateTime<Utc>>)],
    author: &Author<'_>,
) -> Result<(), sqlx::Error> {
    for chunk in events.chunks(CHUNK * 4) {
        sqlx::query(
            "INSERT INTO order_events (tenant_id, order_id, kind, actor_id, actor_name, note, at)
             SELECT $1, o, $2, $3, $4, n, coalesce(t, now())
             FROM UNNEST($5::bigint[], $6::text[], $7::timestamptz[]) AS x(o, n, t)",
        )
        .bind(tenant_id)
        .bind(kind)
        .bind(author.user_id)
        .bind(author.name)
        .bind(chunk.iter().map(|e| e.0).collect::<Vec<_>>())
        .bind(chunk.iter().map(|e| e.1).collect::<Vec<_>>())
        .bind(chunk.iter().map(|e| e.2).collect::<Vec<_>>())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
