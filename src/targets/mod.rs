//! Sales targets (销售目标, issue 12 item 6; PRODUCT.md "Sales targets"): a month's
//! target per sales rep, set by the sales manager on a grid, and per department,
//! set by a director; attainment is the paid amount of the rep's orders in the
//! month less the refunds paid back in the month on the rep's orders (002
//! "下单金额减去退货金额"; the rule is in `docs/decisions.md` "Sales targets").
//!
//! Who sees what: a sales specialist their own figure, the sales manager the
//! department's reps (ranked, with last month beside), directors every department
//! and, by drilling in, any department's reps. Targets are set for this month and
//! the next (002 "每月30日前设定下月指标"); months that are over are read-only, and
//! their reps below 30 % of target are flagged for the manager (`attainment`).
//! Builds on orders and after-sales (it reads their tables in its own SQL);
//! nothing below imports it.

pub mod attainment;
pub mod demo;
mod handlers;
pub mod repo;
mod views;

use axum::routing::{get, post};
use axum::Router;
use chrono::NaiveDate;

use crate::app::state::AppState;
use crate::db::Tx;
use crate::people::{Action, Dept, Level};
use crate::queues::{QueueItem, QueueKind};
use crate::rules::YearMonth;
use crate::web::CurrentUser;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/targets", get(handlers::show).post(handlers::save_reps))
        .route("/targets.csv", get(handlers::export))
        .route("/targets/departments", post(handlers::save_departments))
}

/// The largest target: 1 万亿 yuan minus a fen (as a contract's amount).
pub const MAX_TARGET_FEN: i64 = 100_000_000_000_000 - 1;

/// What a user does on the targets page, from their role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A director: every department (and any department's reps, read-only).
    Director,
    /// A sales manager: the department's reps' grid.
    Manager(Dept),
    /// A sales specialist: their own figure.
    Rep(i64),
}

impl Role {
    /// `None` for a user without `TargetsView`.
    pub fn of(user: &CurrentUser) -> Option<Role> {
        if !user.can(Action::TargetsView) {
            return None;
        }
        Some(match user.level {
            Level::Director => Role::Director,
            Level::Manager => Role::Manager(user.dept),
            Level::Specialist => Role::Rep(user.user_id),
        })
    }
}

/// Whether targets of `month` may be set on `today`: this month and the next.
pub fn editable(month: YearMonth, today: NaiveDate) -> bool {
    YearMonth::of(today).is_some_and(|this| month == this || Some(month) == this.next())
}

/// The months a grid of `month` reads (it and the month before).
pub fn bounds(month: YearMonth) -> repo::Bounds {
    let prev = month.previous().unwrap_or(month);
    repo::Bounds { prev_month: prev.first_day(), month: month.first_day() }
}

/// What waits on the home page: for a sales manager, the department's reps who
/// ended last month below 30 % of their target (one grid query); nothing (and no
/// query) for anyone else.
pub async fn home_queues(tx: &mut Tx, user: &CurrentUser) -> Result<Vec<QueueItem>, sqlx::Error> {
    let (Some(Role::Manager(dept)), true) = (Role::of(user), user.can(Action::TargetsSet)) else {
        return Ok(Vec::new());
    };
    let Some(last) = YearMonth::of(user.today).and_then(YearMonth::previous) else {
        return Ok(Vec::new());
    };
    let b = bounds(last);
    let rows = repo::rep_grid(tx, user.tenant_id, repo::Reps::Department(dept.code()), &b).await?;
    let below = rows
        .iter()
        .filter(|r| attainment::flagged(last, user.today, r.paid_fen - r.refunded_fen, r.target_fen))
        .count() as i64;
    if below == 0 {
        return Ok(Vec::new());
    }
    Ok(vec![QueueItem {
        key: "targets.below",
        label: "上月未完成30%目标的销售".into(),
        count: below,
        oldest: None,
        href: format!("/targets?month={last}&below=1"),
        kind: QueueKind::Alert,
    }])
}
