//! Recording a refund: bounded by what was paid (the order's refunds never add up
//! to more than it was paid, a line's never to more than its share), waiting for a
//! manager when the order's refunds reach the tenant's threshold — counted over
//! every refund of the order, so splitting does not dodge it — unless a manager or
//! director records it. The manager's decision is `flow::RefundReview`.

use axum::extract::Path;
use axum::response::Response;
use axum::Form;
use serde::Deserialize;
use serde_json::json;

use super::codes::{RefundMethod, RefundStatus};
use super::flow::{self, CaseEvent};
use super::goods::lock;
use super::handlers::{amount, finish, line_share, refuse};
use super::repo::{self, NewRefund};
use super::views::Typed;
use crate::error::{AppError, AppResult};
use crate::orders::repo as orders;
use crate::people::Action;
use crate::rules::Fen;
use crate::web::forms::non_empty;
use crate::web::{Ctx, FieldErrors, RequestMeta};

#[derive(Debug, Default, Deserialize)]
pub struct RefundForm {
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub method: String,
    #[serde(default)]
    pub reference: String,
}

/// Whether a refund bringing the order's refunds to `total_fen` waits for a manager.
pub fn waits(total_fen: i64, threshold_fen: i64, recorder_may_approve: bool) -> bool {
    total_fen >= threshold_fen && !recorder_may_approve
}

/// `POST /after-sales/{id}/refund`: `amount` (yuan), `method` (optional, default
/// 原路退回), `reference`.
pub async fn refund(cx: Ctx, meta: RequestMeta, Path(id): Path<i64>, Form(f): Form<RefundForm>) -> AppResult<Response> {
    let mut tx = cx.begin().await?;
    let case = lock(&cx, &mut tx, id, Action::AfterSalesOperate).await?;
    if case.kind == super::codes::CaseKind::Return && case.status == flow::CaseStatus::Approved {
        return Err(AppError::Conflict(format!(
            "售后单 {} 的退货尚未收回（已收 {}/{} 件），收货后才能退款",
            case.case_no, case.received_qty, case.quantity
        )));
    }
    flow::next(&case, CaseEvent::Refund { waits: false }, "退款")?;
    let tid = cx.user.tenant_id;
    // The order's row locked: two refunds of one order are checked one after the other.
    let order = orders::find(&mut tx, tid, &crate::orders::flow::scope(&cx.user), case.order_id, true)
        .await?
        .ok_or(AppError::NotFound)?;
    let lines = orders::lines(&mut tx, tid, order.id).await?;
    let share = line_share(&order, &lines, case.line_no);
    let (order_so_far, line_so_far) = repo::refunds_so_far(&mut tx, tid, order.id, case.line_no).await?;
    let typed = Typed {
        amount: f.amount.trim().to_owned(),
        method: f.method.trim().to_owned(),
        reference: f.reference.trim().to_owned(),
        ..Typed::default()
    };
    let mut errors = FieldErrors::default();
    let fen = match amount(&typed.amount) {
        Ok(fen) if order_so_far + fen > order.paid_fen => {
            errors.add(
                "amount",
                format!(
                    "订单 {} 实付 ¥{}，已退款（含待审批）¥{}，本次最多可退 ¥{}",
                    order.order_no,
                    Fen(order.paid_fen),
                    Fen(order_so_far),
                    Fen((order.paid_fen - order_so_far).max(0))
                ),
            );
            0
        }
        Ok(fen) if line_so_far + fen > share => {
            errors.add(
                "amount",
                format!(
                    "{} 的实付份额 ¥{}，已退款 ¥{}，本次最多可退 ¥{}",
                    case.sku,
                    Fen(share),
                    Fen(line_so_far),
                    Fen((share - line_so_far).max(0))
                ),
            );
            0
        }
        Ok(fen) => fen,
        Err(e) => {
            errors.add("amount", e);
            0
        }
    };
    let method = match non_empty(&typed.method) {
        None => Some(RefundMethod::Original),
        Some(m) => RefundMethod::parse(m),
    };
    if method.is_none() {
        errors.add("method", format!("退款方式应为 {}", RefundMethod::codes()));
    }
    if typed.reference.chars().count() > 100 {
        errors.add("reference", "退款凭证号最多 100 个字符");
    }
    let (Some(method), true) = (method, errors.is_empty()) else {
        return refuse(cx, tx, case, errors, typed).await;
    };
    let threshold = cx.user.settings.refund_manager_threshold_fen;
    let waits = waits(order_so_far + fen, threshold, cx.can(Action::RefundApprove));
    let status = flow::next(&case, CaseEvent::Refund { waits }, "退款")?;
    let refund_status = if waits { RefundStatus::Pending } else { RefundStatus::Done };
    let new = NewRefund {
        case_id: case.id,
        order_id: order.id,
        line_no: case.line_no,
        amount_fen: fen,
        method,
        reference: &typed.reference,
        status: refund_status,
        recorded_by: cx.user.user_id,
    };
    let refund_id = repo::insert_refund(&mut tx, tid, &new).await?;
    if !waits {
        repo::refunded(&mut tx, tid, case.id, fen).await?;
        orders::refunded(&mut tx, tid, order.id, fen).await?;
    }
    repo::set_status(&mut tx, tid, case.id, status).await?;
    let note = format!(
        "¥{}，{}{}",
        Fen(fen),
        method.label(),
        if typed.reference.is_empty() { String::new() } else { format!("（{}）", typed.reference) }
    );
    let (kind, message) = if waits {
        (
            "refund_pending",
            format!(
                "退款 ¥{} 已登记：订单累计退款 ¥{} 达到 ¥{}，待经理审批",
                Fen(fen),
                Fen(order_so_far + fen),
                Fen(threshold)
            ),
        )
    } else {
        ("refund", format!("已退款 ¥{}", Fen(fen)))
    };
    let after = json!({"refund": refund_id, "amount_fen": fen, "method": method.code(), "reference": typed.reference,
                       "refund_status": refund_status.code(), "status": status.code(), "order_refunds_fen": order_so_far + fen});
    finish(&cx, &meta, tx, &case, (kind, "after_sale.refund"), &note, after, message).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_threshold_counts_the_whole_order_and_managers_pass_it() {
        assert!(!super::waits(99_999, 100_000, false));
        assert!(super::waits(100_000, 100_000, false), "at the threshold");
        assert!(super::waits(120_000, 100_000, false));
        assert!(!super::waits(120_000, 100_000, true), "a manager records it at once");
    }
}
