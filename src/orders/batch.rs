//! Batch shipping (批量发货): the warehouse ships many orders at once from lines of
//! `order_no,carrier,tracking_no`. All or nothing: every line is checked — the
//! order exists in the tenant (a number used on several platforms must be written
//! `platform:order_no`), the tracking number is not used before with that carrier,
//! the order can ship everything allocated and has no active hold — and only when
//! every line passes does every order ship, each through exactly what
//! `POST /orders/{id}/ship` does (`shipping::send_parcel`), in one transaction.

use std::collections::{HashMap, HashSet};

use super::codes::{Carrier, OrderEvent, Platform};
use super::repo;
use super::shipping::{all_reserved, send_parcel, NOTHING_RESERVED};
use super::{flow, flow::scope};
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::people::Action;
use crate::web::{Ctx, RequestMeta};

/// One line of a batch, its cells checked (the file's or the form's reader did that).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShipLine {
    /// The physical line it is on.
    pub line: u64,
    /// Given as `platform:order_no`.
    pub platform: Option<Platform>,
    pub order_no: String,
    pub carrier: Carrier,
    pub tracking_no: String,
}

/// A line the batch refuses: its line, the column (`order_no`, `tracking_no`) and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub line: u64,
    pub field: &'static str,
    pub message: String,
}

impl Problem {
    fn new(line: u64, field: &'static str, message: impl Into<String>) -> Self {
        Self { line, field, message: message.into() }
    }
}

/// Check every line against the tenant's orders and parcels, then ship each
/// order's whole reservation, in `tx` (the caller commits on `Ok(Ok(n))`: `n`
/// orders shipped; on `Ok(Err(problems))` it rolls back: something may have
/// been written before a late refusal).
pub async fn ship(
    cx: &Ctx,
    meta: &RequestMeta,
    tx: &mut Tx,
    lines: &[ShipLine],
) -> AppResult<Result<usize, Vec<Problem>>> {
    cx.require(Action::OrdersShip)?;
    let tid = cx.user.tenant_id;
    let mut problems = Vec::new();
    let numbers: Vec<String> = lines.iter().map(|l| l.order_no.clone()).collect::<HashSet<_>>().into_iter().collect();
    let found = repo::orders_by_number(tx, tid, &numbers).await?;
    let pairs: Vec<(Carrier, String)> = lines.iter().map(|l| (l.carrier, l.tracking_no.clone())).collect();
    let used = repo::tracking_used(tx, tid, &pairs).await?;
    // Line by line: which order it is (line → order id).
    let mut ids: Vec<(i64, &ShipLine)> = Vec::new();
    let mut first_of: HashMap<i64, u64> = HashMap::new();
    for l in lines {
        if used.contains(&(l.carrier, l.tracking_no.clone())) {
            let what = format!("{} 运单号 {} 已被使用", l.carrier.label(), l.tracking_no);
            problems.push(Problem::new(l.line, "tracking_no", what));
        }
        let candidates: Vec<&(i64, Platform, String)> =
            found.iter().filter(|o| o.2 == l.order_no && l.platform.is_none_or(|p| p == o.1)).collect();
        let id = match candidates.as_slice() {
            [] => {
                problems.push(Problem::new(l.line, "order_no", format!("订单 {} 不存在", shown(l))));
                continue;
            }
            [one] => one.0,
            many => {
                let names: Vec<&str> = many.iter().map(|o| o.1.label()).collect();
                let example = format!("{}:{}", many[0].1.code(), l.order_no);
                let message = format!(
                    "订单号 {} 在多个平台都有（{}），请写成“平台:订单号”，如 {example}",
                    l.order_no,
                    names.join("、")
                );
                problems.push(Problem::new(l.line, "order_no", message));
                continue;
            }
        };
        if let Some(first) = first_of.get(&id) {
            problems.push(Problem::new(l.line, "order_no", format!("订单 {} 已在第 {first} 行", shown(l))));
            continue;
        }
        first_of.insert(id, l.line);
        ids.push((id, l));
    }
    // Lock the orders in id order (never two batches waiting on each other), then
    // check each one's state and holds as its own page would.
    ids.sort_by_key(|(id, _)| *id);
    let mut ready = Vec::with_capacity(ids.len());
    for (id, l) in ids {
        let Some(order) = repo::find(tx, tid, &scope(&cx.user), id, true).await? else {
            problems.push(Problem::new(l.line, "order_no", format!("订单 {} 不存在", shown(l))));
            continue;
        };
        let checked = flow::next(&order, OrderEvent::Ship { rest_allocated: false }, "发货")
            .and_then(|_| flow::not_held(&order, "发货"));
        if let Err(e) = checked {
            problems.push(Problem::new(l.line, "order_no", refusal(e)?));
            continue;
        }
        let wanted = all_reserved(&repo::lines(tx, tid, id).await?);
        if wanted.is_empty() {
            problems.push(Problem::new(l.line, "order_no", format!("订单 {}：{NOTHING_RESERVED}", order.order_no)));
            continue;
        }
        ready.push((order, wanted, l));
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| p.line);
        return Ok(Err(problems));
    }
    let order_ids: Vec<i64> = ready.iter().map(|(o, _, _)| o.id).collect();
    repo::lock_reserved_levels(tx, tid, &order_ids).await?;
    for (order, wanted, l) in &ready {
        if let Err(e) = send_parcel(cx, meta, tx, order, l.carrier, &l.tracking_no, wanted).await {
            return Ok(Err(vec![Problem::new(l.line, "tracking_no", refusal(e)?)]));
        }
    }
    Ok(Ok(ready.len()))
}

/// How a line names its order.
fn shown(l: &ShipLine) -> String {
    match l.platform {
        Some(p) => format!("{}:{}", p.code(), l.order_no),
        None => l.order_no.clone(),
    }
}

/// A 409's message for a line; any other error stays an error.
fn refusal(e: AppError) -> AppResult<String> {
    match e {
        AppError::Conflict(message) => Ok(message),
        e => Err(e),
    }
}
