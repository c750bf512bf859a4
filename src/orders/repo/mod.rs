//! All of the orders' SQL: the list and the record (here), the holds and state
//! changes of one order (`change`), intake in bulk (`intake`), what batch
//! shipping reads first (`batch`), the order form and contract orders (`entry`),
//! history in bulk for the demo (`history`).

mod batch;
mod change;
mod entry;
pub mod history;
mod intake;
mod print;
mod reservations;

pub use batch::*;
pub use change::*;
pub use entry::*;
pub use intake::*;
pub use print::*;
pub use reservations::*;

use chrono::{DateTime, Utc};
use sqlx::{Postgres, QueryBuilder};

use super::codes::{HoldKind, OrderStatus, Platform, Source};
use crate::db::search::{Kind, Search};
use crate::db::Tx;
use crate::people::Scope;

/// The list's filters (all optional).
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub status: Option<OrderStatus>,
    /// Waiting to ship: approved, allocated or partially shipped (`status=to_ship`).
    pub to_ship: bool,
    pub hold: Option<HoldKind>,
    /// Any active hold (`hold=any`), each order once.
    pub any_hold: bool,
    pub platform: Option<Platform>,
    pub warehouse_id: Option<i64>,
    /// Order number or phone (their start), the phone's last four digits, the
    /// receiver (anywhere in the name), or a tracking number (exactly).
    pub q: Option<String>,
    /// Sales day: paid (and not cancelled) at or after / before these instants
    /// (local midnights of the first day and of the day after the last).
    pub paid_from: Option<DateTime<Utc>>,
    pub paid_until: Option<DateTime<Utc>>,
    /// Shipped day: first shipped (and not cancelled) at or after / before these.
    pub shipped_from: Option<DateTime<Utc>>,
    pub shipped_until: Option<DateTime<Utc>>,
    /// Shipped (not cancelled) on time, or late.
    pub on_time: Option<OnTime>,
}

/// "Shipped on time": approved, and shipped at most `within_hours` after the approval.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OnTime {
    /// `true`: the orders shipped on time; `false`: those shipped late (or never approved).
    pub on_time: bool,
    /// The tenant's `ship_within_hours`.
    pub within_hours: i64,
}

impl Filter {
    /// The sales-day filter is on: the list shows the sum paid.
    pub fn by_paid_day(&self) -> bool {
        self.paid_from.is_some() || self.paid_until.is_some()
    }
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct OrderRow {
    pub id: i64,
    pub platform: Platform,
    pub order_no: String,
    pub shop: String,
    pub source: Source,
    pub customer_id: Option<i64>,
    pub customer_name: Option<String>,
    pub contract_id: Option<i64>,
    pub contract_no: Option<String>,
    pub buyer: String,
    pub receiver: String,
    pub phone: String,
    pub province: String,
    pub city: String,
    pub district: String,
    pub address: String,
    pub buyer_note: String,
    pub seller_note: String,
    pub goods_fen: i64,
    pub shipping_fen: i64,
    pub discount_fen: i64,
    pub paid_fen: i64,
    pub ordered_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    pub status: OrderStatus,
    pub warehouse_id: Option<i64>,
    pub warehouse_code: Option<String>,
    pub rep_id: Option<i64>,
    pub rep_name: Option<String>,
    pub rep_department: Option<String>,
    /// The active holds' kinds, comma-separated (`''` when none).
    pub holds: String,
    pub cancel_reason: String,
    /// After-sales cases raised on it, and what was refunded (written by after-sales).
    pub after_sale_count: i32,
    pub refunded_fen: i64,
    /// The campaign it came from (read by the record page only, `find`).
    #[sqlx(default)]
    pub campaign_id: Option<i64>,
    #[sqlx(default)]
    pub campaign_no: Option<String>,
}

const COLUMNS: &str = "o.id, o.platform, o.order_no, o.shop, o.source, o.customer_id, c.name AS customer_name,
    o.contract_id, k.contract_no, o.buyer, o.receiver, o.phone, o.province, o.city, o.district, o.address, o.buyer_note,
    o.seller_note, o.goods_fen, o.shipping_fen, o.discount_fen, o.paid_fen, o.ordered_at, o.paid_at, o.status,
    o.warehouse_id, w.code AS warehouse_code, o.rep_id, u.display_name AS rep_name, o.rep_department,
    coalesce((SELECT string_agg(h.kind, ',' ORDER BY h.kind) FROM order_holds h
              WHERE h.tenant_id = o.tenant_id AND h.order_id = o.id AND h.released_at IS NULL), '') AS holds,
    o.cancel_reason, o.after_sale_count, o.refunded_fen";
const JOINS: &str = " LEFT JOIN partners c ON c.tenant_id = o.tenant_id AND c.id = o.customer_id
    LEFT JOIN contracts k ON k.tenant_id = o.tenant_id AND k.id = o.contract_id
    LEFT JOIN warehouses w ON w.tenant_id = o.tenant_id AND w.id = o.warehouse_id
    LEFT JOIN users u ON u.tenant_id = o.tenant_id AND u.id = o.rep_id";

/// ` FROM orders o … WHERE …` of the list: tenant, scope, filters.
///
/// The hold filter is a join, not `o.id IN (…)`: at most one hold of a kind is active
/// per order (`order_holds_active_idx`), so it yields the same rows, and the planner
/// can walk `order_holds_kind_idx` in `order_id` order and stop at the page or the
/// count's cap, where the IN first made every active hold of the kind distinct
/// (bench/RESULTS.md, "Orders list and POSTs": the count of the hold page).
fn push_from(qb: &mut QueryBuilder<'_, Postgres>, tenant_id: i64, scope: &Scope, f: &Filter) {
    qb.push(" FROM orders o");
    if let Some(h) = f.hold {
        qb.push(" JOIN order_holds hk ON hk.tenant_id = o.tenant_id AND hk.order_id = o.id AND hk.kind = ")
            .push_bind(h)
            .push(" AND hk.released_at IS NULL AND hk.tenant_id = ")
            .push_bind(tenant_id);
    }
    qb.push(" WHERE o.tenant_id = ").push_bind(tenant_id);
    scope.push_filter(qb, "o.rep_id", "o.rep_department");
    if let Some(s) = f.status {
        qb.push(" AND o.status = ").push_bind(s);
    }
    if f.to_ship {
        qb.push(" AND o.status IN ('approved', 'allocated', 'partially_shipped')");
    }
    if f.any_hold {
        qb.push(
            " AND EXISTS (SELECT 1 FROM order_holds ha WHERE ha.tenant_id = o.tenant_id AND ha.order_id = o.id
                AND ha.released_at IS NULL)",
        );
    }
    // The sales day and the shipped day: plain ranges on the instants (local
    // midnights), which the paid_at indexes of 0033 answer for a rep or a department.
    if f.by_paid_day() {
        qb.push(" AND o.paid_at IS NOT NULL AND o.status <> 'cancelled'");
        if let Some(t) = f.paid_from {
            qb.push(" AND o.paid_at >= ").push_bind(t);
        }
        if let Some(t) = f.paid_until {
            qb.push(" AND o.paid_at < ").push_bind(t);
        }
    }
    if f.shipped_from.is_some() || f.shipped_until.is_some() || f.on_time.is_some() {
        qb.push(" AND o.shipped_at IS NOT NULL AND o.status <> 'cancelled'");
        if let Some(t) = f.shipped_from {
            qb.push(" AND o.shipped_at >= ").push_bind(t);
        }
        if let Some(t) = f.shipped_until {
            qb.push(" AND o.shipped_at < ").push_bind(t);
        }
    }
    if let Some(OnTime { on_time, within_hours }) = f.on_time {
        let hours = i32::try_from(within_hours.max(0)).unwrap_or(i32::MAX);
        qb.push(if on_time {
            " AND o.approved_at IS NOT NULL AND o.shipped_at <= o.approved_at + make_interval(hours => "
        } else {
            " AND (o.approved_at IS NULL OR o.shipped_at > o.approved_at + make_interval(hours => "
        })
        .push_bind(hours)
        .push(if on_time { ")" } else { "))" });
    }
    if let Some(p) = f.platform {
        qb.push(" AND o.platform = ").push_bind(p);
    }
    if let Some(w) = f.warehouse_id {
        qb.push(" AND o.warehouse_id = ").push_bind(w);
    }
    if let Some(q) = &f.q {
        push_search(qb, tenant_id, q);
    }
}

/// ` AND …`: the orders a search for `q` finds (`o` the orders row): the index
/// (order number or phone prefix, the phone's last four digits, the receiver, a
/// parcel's tracking number), and the recheck of a long query.
fn push_search(qb: &mut QueryBuilder<'_, Postgres>, tenant_id: i64, q: &str) {
    let search = Search::new(Kind::Order, q);
    qb.push(" AND o.id IN (SELECT t.id");
    search.push_from(qb, tenant_id);
    // The tracking number in parcels_tracking_idx's collation ("C"): a comparison in
    // another collation than an index's cannot use that index, and the only other
    // one with tracking_no, the (tenant, carrier, tracking_no) key, has no carrier
    // here, so the lookup read every parcel of the tenant (20 ms of each search at
    // 200,000 orders: bench/RESULTS.md, "Orders list and POSTs"). Equality is the
    // same in both collations.
    qb.push(" UNION SELECT p.order_id FROM parcels p WHERE p.tenant_id = ")
        .push_bind(tenant_id)
        .push(" AND p.tracking_no COLLATE \"C\" = ")
        .push_bind(q.to_owned())
        .push(")");
    if !search.exact() {
        // The recheck of a long query: the same case rule as the index (folded),
        // so "tb-window-1" finds TB-WINDOW-1 as "tb-win" does.
        let e = crate::db::like::escape(q);
        qb.push(" AND (o.order_no ILIKE ")
            .push_bind(format!("{e}%"))
            .push(" OR o.phone ILIKE ")
            .push_bind(format!("{e}%"))
            .push(" OR o.receiver ILIKE ")
            .push_bind(format!("%{e}%"))
            .push(" OR EXISTS (SELECT 1 FROM parcels p WHERE p.tenant_id = o.tenant_id AND p.order_id = o.id AND p.tracking_no = ")
            .push_bind(q.to_owned())
            .push("))");
    }
}

/// `SELECT o.id FROM orders o WHERE …`: the ids of the orders a search for `q` finds,
/// by the orders list's own rule (for other lists that search by their orders).
pub fn push_search_ids(qb: &mut QueryBuilder<'_, Postgres>, tenant_id: i64, q: &str) {
    qb.push("SELECT o.id FROM orders o WHERE o.tenant_id = ").push_bind(tenant_id);
    push_search(qb, tenant_id, q);
}

/// One page of orders, newest first, and the count capped at `cap`.
pub async fn list(
    tx: &mut Tx,
    tenant_id: i64,
    scope: &Scope,
    f: &Filter,
    limit: i64,
    offset: i64,
    cap: i64,
) -> Result<(Vec<OrderRow>, i64), sqlx::Error> {
    // The page's ids first (an index scan in id order), then their rows.
    let mut qb = QueryBuilder::new(format!("SELECT {COLUMNS} FROM (SELECT o.id"));
    push_from(&mut qb, tenant_id, scope, f);
    qb.push(" ORDER BY o.id DESC LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
    qb.push(") p JOIN orders o ON o.tenant_id = ").push_bind(tenant_id).push(" AND o.id = p.id");
    qb.push(JOINS).push(" ORDER BY o.id DESC");
    let rows = qb.build_query_as().fetch_all(&mut **tx).await?;
    let mut qb = crate::db::capped_count(cap, |qb| {
        push_from(qb, tenant_id, scope, f);
    });
    let total = qb.build_query_scalar().fetch_one(&mut **tx).await?;
    Ok((rows, total))
}

/// Σ `paid_fen` (fen) of every order the list shows (all of them, not one page).
pub async fn paid_sum(tx: &mut Tx, tenant_id: i64, scope: &Scope, f: &Filter) -> Result<i64, sqlx::Error> {
    let mut qb = QueryBuilder::new("SELECT coalesce(sum(o.paid_fen), 0)::int8");
    push_from(&mut qb, tenant_id, scope, f);
    qb.build_query_scalar().fetch_one(&mut **tx).await
}

/// The order within `scope` (`lock`: its row locked for a change).
pub async fn find(
    tx: &mut Tx,
    tenant_id: i64,
    scope: &Scope,
    id: i64,
    lock: bool,
) -> Result<Option<OrderRow>, sqlx::Error> {
    let mut qb = QueryBuilder::new(format!(
        "SELECT {COLUMNS}, o.campaign_id, (SELECT cp.campaign_no FROM campaigns cp
                WHERE cp.tenant_id = o.tenant_id AND cp.id = o.campaign_id) AS campaign_no
         FROM orders o{JOINS} WHERE o.tenant_id = "
    ));
    qb.push_bind(tenant_id).push(" AND o.id = ").push_bind(id);
    scope.push_filter(&mut qb, "o.rep_id", "o.rep_department");
    if lock {
        qb.push(" FOR UPDATE OF o");
    }
    qb.build_query_as().fetch_optional(&mut **tx).await
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct LineRow {
    pub line_no: i32,
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    pub spec: String,
    pub unit: String,
    pub quantity: i64,
    pub unit_price_fen: i64,
    pub reserved_qty: i64,
    pub shipped_qty: i64,
    pub returned_qty: i64,
    /// Lost in transit and sent again (not in `shipped_qty`).
    pub lost_qty: i64,
}

pub async fn lines(tx: &mut Tx, tenant_id: i64, order_id: i64) -> Result<Vec<LineRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT l.line_no, l.product_id, p.sku, p.name, p.spec, p.unit, l.quantity, l.unit_price_fen, l.reserved_qty,
                l.shipped_qty, l.returned_qty, l.lost_qty
         FROM order_lines l JOIN products p ON p.tenant_id = l.tenant_id AND p.id = l.product_id
         WHERE l.tenant_id = $1 AND l.order_id = $2 ORDER BY l.line_no",
    )
    .bind(tenant_id)
    .bind(order_id)
    .fetch_all(&mut **tx)
    .await
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct HoldRow {
    pub id: i64,
    pub kind: HoldKind,
    pub reason: String,
    pub placed_by_name: Option<String>,
    pub placed_at: DateTime<Utc>,
    pub released_by_name: Option<String>,
    pub released_at: Option<DateTime<Utc>>,
    pub release_note: String,
}

/// Every hold of the order, active ones first.
pub async fn holds(tx: &mut Tx, tenant_id: i64, order_id: i64) -> Result<Vec<HoldRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT h.id, h.kind, h.reason, pu.display_name AS placed_by_name, h.placed_at, ru.display_name AS released_by_name,
                h.released_at, h.release_note
         FROM order_holds h
         LEFT JOIN users pu ON pu.tenant_id = h.tenant_id AND pu.id = h.placed_by
         LEFT JOIN users ru ON ru.tenant_id = h.tenant_id AND ru.id = h.released_by
         WHERE h.tenant_id = $1 AND h.order_id = $2 ORDER BY (h.released_at IS NULL) DESC, h.id",
    )
    .bind(tenant_id)
    .bind(order_id)
    .fetch_all(&mut **tx)
    .await
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct EventRow {
    pub kind: String,
    pub actor_name: String,
    pub note: String,
    pub at: DateTime<Utc>,
}

/// The timeline, oldest first.
pub async fn events(tx: &mut Tx, tenant_id: i64, order_id: i64) -> Result<Vec<EventRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT kind, actor_name, note, at FROM order_events WHERE tenant_id = $1 AND order_id = $2 ORDER BY id",
    )
    .bind(tenant_id)
    .bind(order_id)
    .fetch_all(&mut **tx)
    .await
}

/// The tenant's warehouses for a select: (id, code, name).
pub async fn warehouse_choices(tx: &mut Tx, tenant_id: i64) -> Result<Vec<(i64, String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, code, name FROM warehouses WHERE tenant_id = $1 ORDER BY code LIMIT 500")
        .bind(tenant_id)
        .fetch_all(&mut **tx)
        .await
}

/// The home page's order counts (each capped at `cap`) and the oldest order's time,
/// for the work queues: orders by state, and orders held by each kind.
pub async fn queue_counts(
    tx: &mut Tx,
    tenant_id: i64,
    cap: i64,
) -> Result<Vec<(String, i64, Option<DateTime<Utc>>)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT q.code, (SELECT count(*) FROM (SELECT 1 FROM orders o WHERE o.tenant_id = $1 AND o.status = q.code LIMIT $2) c),
                (SELECT o.ordered_at FROM orders o WHERE o.tenant_id = $1 AND o.status = q.code ORDER BY o.id LIMIT 1)
         FROM unnest(ARRAY['pending_review', 'approved', 'allocated', 'partially_shipped']) AS q(code)
         UNION ALL
         SELECT 'hold:' || k.kind,
                (SELECT count(*) FROM (SELECT 1 FROM order_holds h WHERE h.tenant_id = $1 AND h.kind = k.kind
                                       AND h.released_at IS NULL LIMIT $2) c),
                (SELECT min(h.placed_at) FROM (SELECT placed_at FROM order_holds h WHERE h.tenant_id = $1
                                       AND h.kind = k.kind AND h.released_at IS NULL LIMIT $2) h)
         FROM unnest(ARRAY['unpaid', 'address', 'stock', 'manual']) AS k(kind)",
    )
    .bind(tenant_id)
    .bind(cap)
    .fetch_all(&mut **tx)
    .await
}
