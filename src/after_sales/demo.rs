//! The demo's after-sales cases: one for every ten orders, over the shipped ones, in every state
//! and of every kind, written in bulk (arrays, one statement per table) so that the
//! million-order demo's hundred thousand cases take seconds — and exactly what the
//! web's steps would have left: goods restocked through the ledger (a `return`
//! movement whose document is the case), exchanges shipped out again (a parcel and
//! a `shipment` movement), refunds within the line's paid share, the orders'
//! after-sales counts, refunds and returned quantities, each case's timeline, and
//! the `AS` counter past the last number.

use chrono::{DateTime, Duration, Utc};

use super::codes::{CaseKind, Category};
use super::flow::CaseStatus;
use crate::db::{numbers, Tx};
use crate::demo::ctx::Ctx;
use crate::inventory::ledger::{self, DocType, MovementKind, NewMovement};
use crate::people::{Dept, Level};

/// A shipped order line a case is raised on.
#[derive(sqlx::FromRow)]
struct Candidate {
    order_id: i64,
    line_no: i32,
    product_id: i64,
    warehouse_id: i64,
    rep_id: Option<i64>,
    rep_department: Option<String>,
    shipped_at: DateTime<Utc>,
    /// What one unit of the line was paid (its share of the order, per unit).
    unit_paid_fen: i64,
}

/// The kind and state of the `n`th case (16 in turn: every state of every kind).
fn pattern(n: usize) -> (CaseKind, CaseStatus) {
    use CaseKind as K;
    use CaseStatus as S;
    match n % 16 {
        0 => (K::Refund, S::Requested),
        1 => (K::Refund, S::Approved),
        2 => (K::Refund, S::Rejected),
        3 => (K::Refund, S::Refunded),
        4 => (K::Refund, S::Closed),
        5 => (K::Return, S::Requested),
        6 => (K::Return, S::Approved),
        7 => (K::Return, S::Received),
        8 => (K::Return, S::RefundPending),
        9 => (K::Return, S::Refunded),
        10 => (K::Return, S::Closed),
        11 => (K::Exchange, S::Approved),
        12 => (K::Exchange, S::Reshipped),
        13 => (K::Exchange, S::Closed),
        14 => (K::Repair, S::Received),
        _ if n % 32 == 31 => (K::Repair, S::Closed),
        _ => (K::Repair, S::Repaired),
    }
}

const REASONS: [(Category, &str); 6] = [
    (Category::Quality, "收到后发现有裂纹，影响使用"),
    (Category::WrongItem, "颜色与下单的不一致"),
    (Category::Missing, "少发一件配件"),
    (Category::Damaged, "快递外箱破损，商品压坏"),
    (Category::NoReason, "七天无理由，不想要了"),
    (Category::Other, "买重复了"),
];

/// One case as the demo writes it, with the times of its steps.
struct Case {
    no: String,
    c: Candidate,
    kind: CaseKind,
    status: CaseStatus,
    category: Category,
    reason: &'static str,
    asked_fen: i64,
    raised_at: DateTime<Utc>,
    /// The n-th step after the raise (6 hours apart), never later than now.
    step: [DateTime<Utc>; 4],
    /// Restocked (else scrapped) when the goods came back.
    restock: bool,
}

impl Case {
    fn decided(&self) -> bool {
        self.status != CaseStatus::Requested
    }
    fn received(&self) -> bool {
        self.kind.takes_goods_back() && !matches!(self.status, CaseStatus::Requested | CaseStatus::Approved)
    }
    fn refund(&self) -> Option<&'static str> {
        match (self.kind.refunds(), self.status) {
            (true, CaseStatus::RefundPending) => Some("pending"),
            (true, CaseStatus::Refunded | CaseStatus::Closed) => Some("done"),
            _ => None,
        }
    }
    fn sent_out(&self) -> bool {
        !self.kind.refunds() && matches!(self.status, CaseStatus::Reshipped | CaseStatus::Repaired | CaseStatus::Closed)
    }
    fn tracking(&self) -> String {
        format!("SF{}", self.no.replace('-', ""))
    }
}

/// The cases of the demo tenant `ctx` (none when the service desk or the orders are missing).
pub async fn seed(tx: &mut Tx, ctx: &Ctx, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let tid = ctx.tenant_id;
    let (Some(clerk), Some(ops_clerk), Some(manager), Some(keeper)) = (
        ctx.user(Dept::Service, Level::Specialist),
        ctx.user(Dept::Ops, Level::Specialist),
        ctx.user(Dept::Service, Level::Manager),
        ctx.user(Dept::Warehouse, Level::Specialist),
    ) else {
        return Ok(0);
    };
    let shipped: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM orders WHERE tenant_id = $1 AND status IN ('shipped', 'delivered') AND paid_fen > 0",
    )
    .bind(tid)
    .fetch_one(&mut **tx)
    .await?;
    // One case for every ten orders of the tenant (the million-order demo's hundred
    // thousand), over the shipped ones; all of them when there are few.
    let orders: i64 =
        sqlx::query_scalar("SELECT count(*) FROM orders WHERE tenant_id = $1").bind(tid).fetch_one(&mut **tx).await?;
    let every = (shipped / (orders / 10).max(1)).max(1);
    let candidates: Vec<Candidate> = sqlx::query_as(
        "SELECT o.id AS order_id, l.line_no, l.product_id, o.warehouse_id, o.rep_id, o.rep_department, o.shipped_at,
                (o.paid_fen * l.unit_price_fen
                 / greatest((SELECT sum(x.quantity * x.unit_price_fen) FROM order_lines x
                             WHERE x.tenant_id = o.tenant_id AND x.order_id = o.id), 1))::bigint AS unit_paid_fen
         FROM (SELECT o.*, row_number() OVER (ORDER BY o.id) AS rn FROM orders o
               WHERE o.tenant_id = $1 AND o.status IN ('shipped', 'delivered') AND o.paid_fen > 0
                 AND o.warehouse_id IS NOT NULL AND o.shipped_at IS NOT NULL) o
         JOIN order_lines l ON l.tenant_id = o.tenant_id AND l.order_id = o.id AND l.line_no = 1
         WHERE o.rn % $2 = 0 AND l.shipped_qty >= 1
         ORDER BY o.id LIMIT $3",
    )
    .bind(tid)
    .bind(if shipped >= every * 16 { every } else { 1 })
    .bind(orders / 10 + 16)
    .fetch_all(&mut **tx)
    .await?;
    let cases: Vec<Case> = candidates
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let (kind, status) = pattern(i);
            let (category, reason) = REASONS[(i / 16 + i) % REASONS.len()];
            let late = (c.shipped_at + Duration::days(1 + (i % 5) as i64)).min(now - Duration::hours(30));
            let raised_at = late.max(c.shipped_at + Duration::hours(1)).min(now);
            let step = [1, 2, 3, 4].map(|k| (raised_at + Duration::hours(6 * k)).min(now));
            let asked_fen = if kind.refunds() { c.unit_paid_fen.max(0) } else { 0 };
            Case {
                no: numbers::format("AS", i as i64 + 1),
                c,
                kind,
                status,
                category,
                reason,
                asked_fen,
                raised_at,
                step,
                restock: i % 3 != 1 || kind == CaseKind::Exchange,
            }
        })
        // A refund of nothing is no refund (an order paid a few fen over many lines).
        .filter(|c| !c.kind.refunds() || c.asked_fen > 0)
        .collect();
    if cases.is_empty() {
        return Ok(0);
    }
    // Renumbered after the filter, so the numbers run without gaps.
    let cases: Vec<Case> =
        cases.into_iter().enumerate().map(|(i, c)| Case { no: numbers::format("AS", i as i64 + 1), ..c }).collect();
    let ids = insert_cases(tx, tid, &cases, (clerk, ops_clerk, manager)).await?;
    post_goods(tx, tid, &cases, &ids, keeper).await?;
    insert_refunds(tx, tid, &cases, &ids, clerk).await?;
    send_out(tx, tid, &cases, &ids, clerk).await?;
    let totals = super::repo::demo_line_totals(tx, tid).await?;
    crate::orders::repo::after_sales_totals(tx, tid, &totals).await?;
    numbers::taken_up_to(tx, tid, "AS", cases.len() as i64).await?;
    Ok(cases.len())
}

async fn insert_cases(
    tx: &mut Tx,
    tid: i64,
    cases: &[Case],
    (clerk, ops_clerk, manager): (i64, i64, i64),
) -> Result<Vec<i64>, sqlx::Error> {
    let col = |f: &dyn Fn(&Case) -> i64| cases.iter().map(f).collect::<Vec<i64>>();
    let text = |f: &dyn Fn(&Case) -> String| cases.iter().map(f).collect::<Vec<String>>();
    let at = |f: &dyn Fn(&Case) -> Option<DateTime<Utc>>| cases.iter().map(f).collect::<Vec<_>>();
    let raisers: Vec<i64> = (0..cases.len()).map(|i| if i % 32 >= 16 { ops_clerk } else { clerk }).collect();
    let received = col(&|c| if c.received() { 1 } else { 0 });
    let refunded = col(&|c| if c.refund() == Some("done") { c.asked_fen } else { 0 });
    super::repo::demo_cases(
        tx,
        tid,
        super::repo::DemoCases {
            case_no: text(&|c| c.no.clone()),
            order_id: col(&|c| c.c.order_id),
            line_no: cases.iter().map(|c| c.c.line_no).collect(),
            product_id: col(&|c| c.c.product_id),
            kind: text(&|c| c.kind.code().to_owned()),
            received_qty: received,
            asked_fen: col(&|c| c.asked_fen),
            refunded_fen: refunded,
            category: text(&|c| c.category.code().to_owned()),
            reason: text(&|c| c.reason.to_owned()),
            status: text(&|c| c.status.code().to_owned()),
            rep_id: cases.iter().map(|c| c.c.rep_id).collect(),
            rep_department: cases.iter().map(|c| c.c.rep_department.clone()).collect(),
            raised_by: raisers,
            raised_at: cases.iter().map(|c| c.raised_at).collect(),
            decided_by: cases.iter().map(|c| c.decided().then_some(manager)).collect(),
            decided_at: at(&|c| c.decided().then_some(c.step[0])),
            comment: text(&|c| {
                if c.status == CaseStatus::Rejected {
                    "超过售后期限，且商品已使用".into()
                } else {
                    String::new()
                }
            }),
            closed_at: at(&|c| (c.status == CaseStatus::Closed).then_some(c.step[3])),
            decider: manager,
        },
    )
    .await
}

/// Goods back (restock: a `return` movement; scrap, repair: none) and the exchanges'
/// replacements out of the same warehouse, then the receipts.
async fn post_goods(tx: &mut Tx, tid: i64, cases: &[Case], ids: &[i64], keeper: i64) -> anyhow::Result<()> {
    let back = "售后退回入库（演示）";
    let out = "售后换货发出（演示）";
    let mut moves = Vec::new();
    for (c, &id) in cases.iter().zip(ids) {
        let restock = c.received() && c.restock && c.kind != CaseKind::Repair;
        let m = |kind, quantity, reason| NewMovement {
            product_id: c.c.product_id,
            warehouse_id: c.c.warehouse_id,
            kind,
            quantity,
            reason,
            doc: DocType::AfterSale,
            doc_id: Some(id),
            created_by: Some(keeper),
        };
        if restock {
            moves.push(m(MovementKind::Return, 1, back));
        }
        if restock && c.kind == CaseKind::Exchange && c.sent_out() {
            moves.push(m(MovementKind::Shipment, -1, out));
        }
    }
    ledger::post_many(tx, tid, &moves).await?;
    let received: Vec<(&Case, i64)> = cases.iter().zip(ids.iter().copied()).filter(|(c, _)| c.received()).collect();
    let disposition: Vec<String> = received
        .iter()
        .map(|(c, _)| match (c.kind, c.restock) {
            (CaseKind::Repair, _) => "repair",
            (_, true) => "restock",
            _ => "scrap",
        })
        .map(str::to_owned)
        .collect();
    super::repo::demo_receipts(
        tx,
        tid,
        &received.iter().map(|r| r.1).collect::<Vec<_>>(),
        &disposition,
        &received.iter().map(|(c, _)| c.c.warehouse_id).collect::<Vec<_>>(),
        &received.iter().map(|(c, _)| c.step[1]).collect::<Vec<_>>(),
        keeper,
    )
    .await?;
    Ok(())
}

async fn insert_refunds(tx: &mut Tx, tid: i64, cases: &[Case], ids: &[i64], clerk: i64) -> Result<(), sqlx::Error> {
    let paid: Vec<(&Case, i64, &str)> =
        cases.iter().zip(ids.iter().copied()).filter_map(|(c, id)| c.refund().map(|s| (c, id, s))).collect();
    super::repo::demo_refunds(
        tx,
        tid,
        &paid.iter().map(|p| p.1).collect::<Vec<_>>(),
        &paid.iter().map(|p| p.0.c.order_id).collect::<Vec<_>>(),
        &paid.iter().map(|p| p.0.c.line_no).collect::<Vec<_>>(),
        &paid.iter().map(|p| p.0.asked_fen).collect::<Vec<_>>(),
        &paid.iter().map(|p| p.2.to_owned()).collect::<Vec<_>>(),
        &paid.iter().map(|p| p.0.step[2]).collect::<Vec<_>>(),
        clerk,
    )
    .await
}

async fn send_out(tx: &mut Tx, tid: i64, cases: &[Case], ids: &[i64], clerk: i64) -> Result<(), sqlx::Error> {
    let sent: Vec<(&Case, i64)> = cases.iter().zip(ids.iter().copied()).filter(|(c, _)| c.sent_out()).collect();
    super::repo::demo_parcels(
        tx,
        tid,
        &sent.iter().map(|s| s.1).collect::<Vec<_>>(),
        &sent.iter().map(|s| s.0.c.order_id).collect::<Vec<_>>(),
        &sent.iter().map(|s| s.0.c.warehouse_id).collect::<Vec<_>>(),
        &sent.iter().map(|s| s.0.tracking()).collect::<Vec<_>>(),
        &sent.iter().map(|s| s.0.step[2]).collect::<Vec<_>>(),
        clerk,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixteen_cases_in_a_row_cover_every_state_of_every_kind() {
        let seen: std::collections::BTreeSet<_> = (0..32).map(|i| pattern(i).1.code()).collect();
        assert_eq!(seen.len(), CaseStatus::ALL.len(), "{seen:?}");
        for i in 0..64 {
            let (kind, status) = pattern(i);
            // Every demo state is reachable for its kind.
            let reachable = match status {
                CaseStatus::Received | CaseStatus::Reshipped | CaseStatus::Repaired => kind.takes_goods_back(),
                CaseStatus::RefundPending | CaseStatus::Refunded => kind.refunds(),
                _ => true,
            };
            assert!(reachable, "{kind:?} {status:?}");
        }
    }
}
