//! Orders (CONTRACT.md "Orders"): intake from platform exports, by hand and from
//! signed contracts; review and holds; allocation through the stock ledger;
//! printing; parcels; delivery and exceptions.

pub mod batch;
pub mod codes;
pub mod demo;
mod entry;
pub mod flow;
mod handlers;
mod print;
pub mod repo;
mod resend;
mod shipping;
pub mod stock;
mod views;

use axum::routing::{get, post};
use axum::Router;

use crate::app::state::AppState;
use crate::db::Tx;
use crate::people::Action;
use crate::queues::{QueueItem, QueueKind};
use crate::web::CurrentUser;
use codes::{HoldKind, OrderStatus};

/// The home page's order counts stop here ("1000+").
const HOME_CAP: i64 = 1_000;

/// The work queues of the order desk for the home page: ops and service staff
/// see what waits for review, the holds by kind and what waits for allocation;
/// the warehouse what waits to ship. One query; none for other roles.
pub async fn home_queues(tx: &mut Tx, user: &CurrentUser) -> Result<Vec<QueueItem>, sqlx::Error> {
    let (operates, ships) = (user.can(Action::OrdersOperate), user.can(Action::OrdersShip));
    if !operates && !ships {
        return Ok(Vec::new());
    }
    let mut items = Vec::new();
    for (code, count, oldest) in repo::queue_counts(tx, user.tenant_id, HOME_CAP).await? {
        let (key, label, href, mine) = if let Some(kind) = code.strip_prefix("hold:").and_then(HoldKind::parse) {
            let key = match kind {
                HoldKind::Unpaid => "orders.hold.unpaid",
                HoldKind::Address => "orders.hold.address",
                HoldKind::Stock => "orders.hold.stock",
                HoldKind::Manual => "orders.hold.manual",
            };
            (key, format!("挂起订单（{}）", kind.label()), format!("/orders?hold={}", kind.code()), operates)
        } else {
            match OrderStatus::parse(&code) {
                Some(OrderStatus::PendingReview) => {
                    ("orders.pending_review", "待审核订单".into(), "/orders?status=pending_review".into(), operates)
                }
                Some(OrderStatus::Approved) => {
                    ("orders.approved", "待配货订单".into(), "/orders?status=approved".into(), operates)
                }
                Some(OrderStatus::Allocated) => {
                    ("orders.allocated", "待发货订单".into(), "/orders?status=allocated".into(), ships)
                }
                Some(OrderStatus::PartiallyShipped) => (
                    "orders.partially_shipped",
                    "部分发货待续发".into(),
                    "/orders?status=partially_shipped".into(),
                    ships,
                ),
                _ => continue,
            }
        };
        if mine && count > 0 {
            items.push(QueueItem { key, label, count, oldest, href, kind: QueueKind::Approval });
        }
    }
    Ok(items)
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orders", get(handlers::list))
        .route("/orders.csv", get(handlers::export))
        .route("/orders/picking", get(print::picking))
        .route("/orders/new", get(entry::new_form).post(entry::create))
        .route("/orders/{id}", get(handlers::show))
        .route("/orders/{id}/slip", get(print::slip))
        .route("/orders/{id}/label", get(print::label))
        .route("/orders/{id}/holds", post(handlers::place_hold))
        .route("/orders/{id}/holds/{hold_id}/release", post(handlers::release_hold))
        .route("/orders/{id}/paid", post(handlers::paid))
        .route("/orders/{id}/approve", post(handlers::approve))
        .route("/orders/{id}/recheck-stock", post(handlers::recheck_stock))
        .route("/orders/{id}/cancel", post(handlers::cancel))
        .route("/orders/{id}/allocate", post(shipping::allocate))
        .route("/orders/{id}/ship", post(shipping::ship))
        .route("/orders/{id}/deliver", post(shipping::deliver))
        .route("/orders/{id}/exception", post(shipping::exception))
        .route("/orders/{id}/resend", post(resend::resend))
        // Orders sit above contracts: the contract's 生成订单 is served here.
        .route("/contracts/{id}/order", post(entry::from_contract))
}

/// Where an order goes: what the shipping label prints.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ShipTo {
    pub receiver: String,
    pub phone: String,
    pub province: String,
    pub city: String,
    pub district: String,
    pub address: String,
}

impl ShipTo {
    /// What is missing for a parcel to be sent (the `address` hold's reason).
    pub fn missing(&self) -> Vec<&'static str> {
        [("收货人", &self.receiver), ("手机", &self.phone), ("详细地址", &self.address)]
            .into_iter()
            .filter(|(_, v)| v.trim().is_empty())
            .map(|(label, _)| label)
            .collect()
    }
}
