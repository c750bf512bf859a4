//! How every change to an order is checked, in one place: permission (403) before
//! anything is read, the order locked within the user's scope (404), the state
//! (`OrderStatus::next`, 409) and the holds (409); the caller then writes the
//! change, its timeline event and its audit row in the same transaction.

use super::codes::{HoldKind, OrderEvent, OrderStatus};
use super::repo::{self, OrderRow};
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::people::scope::Area;
use crate::people::{Action, Dept, Level, Scope};
use crate::web::{Ctx, CurrentUser};

/// Whose orders a user sees: ops, service, warehouse and finance staff and directors
/// every order of the tenant (a shared queue); a sales rep those of their own
/// contracts and customers, a sales manager the department's.
pub fn scope(user: &CurrentUser) -> Scope {
    if user.level == Level::Director || user.dept != Dept::Sales {
        Scope::Tenant
    } else {
        Scope::for_role(&user.role(), Area::Business)
    }
}

/// Check `action`, then lock the order within scope.
pub async fn lock(cx: &Ctx, tx: &mut Tx, id: i64, action: Action) -> AppResult<OrderRow> {
    cx.require(action)?;
    repo::find(tx, cx.user.tenant_id, &scope(&cx.user), id, true).await?.ok_or(AppError::NotFound)
}

/// The state after `event`, or 409 naming the state it is in.
pub fn next(order: &OrderRow, event: OrderEvent, what: &str) -> AppResult<OrderStatus> {
    order.status.next(event).ok_or_else(|| {
        AppError::Conflict(format!("订单 {} 当前为「{}」，不能{what}", order.order_no, order.status.label()))
    })
}

/// The order's active holds.
pub fn active_holds(order: &OrderRow) -> Vec<HoldKind> {
    order.holds.split(',').filter_map(HoldKind::parse).collect()
}

/// The Chinese names of comma-separated hold codes (`unpaid,address` → `未付款、地址不完整`).
pub fn hold_labels(holds: &str) -> String {
    let names: Vec<&str> = holds.split(',').filter_map(HoldKind::parse).map(HoldKind::label).collect();
    names.join("、")
}

/// 409 while any hold is active (no approval, allocation or shipping then).
pub fn not_held(order: &OrderRow, what: &str) -> AppResult<()> {
    if active_holds(order).is_empty() {
        Ok(())
    } else {
        Err(AppError::Conflict(format!(
            "订单 {} 有挂起（{}），解除后才能{what}",
            order.order_no,
            hold_labels(&order.holds)
        )))
    }
}

/// A tracking number as carriers print it: 4–40 letters, digits or `-`.
pub fn tracking_no(raw: &str) -> Result<(), &'static str> {
    if (4..=40).contains(&raw.len()) && raw.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        Ok(())
    } else {
        Err("运单号为 4–40 位字母、数字或 -")
    }
}
