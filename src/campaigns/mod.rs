//! Campaigns (活动): plan, approval, telling the related departments, daily
//! results, reconciliation with real orders, and the review (复盘).
//!
//! Marketing and ops draft campaigns (specialists and managers); the drafting
//! department's manager approves, and a director too at or above the tenant's
//! budget threshold, through the one decision mechanism (`crate::decision`). A plan
//! submitted fewer than the tenant's preparation days before its start is flagged
//! 准备期不足. Raising the budget of an approved campaign sends it back for
//! approval (a new version; the budget approved before stays shown). Approved
//! campaigns are shown to the managers of ops, service and warehouse, who
//! acknowledge them (已知悉); `running` and `ended` follow the dates of approved
//! campaigns only. After the end the drafter writes the summary and the
//! department's manager reviews it; summarized campaigns are read-only.
//!
//! Who sees what: directors all; marketing and ops (any level) their department's;
//! the managers of ops, service and warehouse every campaign once approved. Out of
//! that scope (or another tenant) is 404; in scope but not allowed is 403; a
//! transition no longer possible is 409.

use axum::routing::{get, post};
use axum::Router;
use sqlx::{Postgres, QueryBuilder};

use crate::app::state::AppState;
use crate::db::Tx;
use crate::people::{Action, Dept, Level};
use crate::queues::{QueueItem, QueueKind};
use crate::web::CurrentUser;

pub mod demo;
pub mod flow;
mod handlers;
pub mod kpi;
pub mod metrics;
mod repo;
pub mod status;
mod steps;
mod views;

pub use repo::{fetch, CampaignRow};
pub use status::{CampaignStatus, Phase};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/campaigns", get(handlers::list).post(handlers::create))
        .route("/campaigns.csv", get(handlers::list_csv))
        .route("/campaigns/new", get(handlers::new_form))
        .route("/campaigns/{id}", get(handlers::show))
        .route("/campaigns/{id}/edit", get(handlers::edit_form).post(handlers::update))
        .route("/campaigns/{id}/submit", post(steps::submit))
        .route("/campaigns/{id}/approve", post(crate::decision::approve::<flow::Campaign>))
        .route("/campaigns/{id}/reject", post(crate::decision::reject::<flow::Campaign>))
        .route("/campaigns/{id}/budget", post(steps::raise))
        .route("/campaigns/{id}/ack", post(steps::ack))
        .route("/campaigns/{id}/summary", post(steps::summary))
        .route("/campaigns/{id}/review", post(steps::review))
        .route("/campaigns/{id}/cancel", post(steps::cancel))
        .merge(metrics::router())
}

/// Largest budget or target: 1 亿 yuan.
pub const MAX_FEN: i64 = 10_000_000_000;

crate::code_enum! {
    /// What kind of campaign (CONTRACT.md `kind`).
    pub enum Kind {
        Coupon => ("coupon", "优惠券"),
        Discount => ("discount", "满减"),
        FlashSale => ("flash_sale", "限时抢购"),
        Live => ("live", "直播"),
        Offline => ("offline", "线下活动"),
        Other => ("other", "其他"),
    }
}

crate::code_enum! {
    /// Where a campaign runs (CONTRACT.md `channels`; the metrics file's `channel`).
    pub enum Channel {
        Taobao => ("taobao", "淘宝"),
        Jd => ("jd", "京东"),
        Pdd => ("pdd", "拼多多"),
        Douyin => ("douyin", "抖音"),
        Xiaohongshu => ("xiaohongshu", "小红书"),
        Wechat => ("wechat", "微信"),
        Offline => ("offline", "线下"),
        Other => ("other", "其他"),
    }
}

/// The label of a channel code.
pub fn channel_label(code: &str) -> &'static str {
    Channel::parse(code).map_or("未知渠道", Channel::label)
}

/// The departments told of approved campaigns (002 联席会议): their managers
/// acknowledge them.
pub const TOLD: &[Dept] = &[Dept::Ops, Dept::Service, Dept::Warehouse];

/// The department `user` drafts campaigns for (marketing or ops), if any.
pub fn drafting_dept(user: &CurrentUser) -> Option<Dept> {
    matches!(user.dept, Dept::Marketing | Dept::Ops).then_some(user.dept)
}

/// Whether `user` is one of the managers told of approved campaigns.
pub fn told(user: &CurrentUser) -> bool {
    user.level == Level::Manager && TOLD.contains(&user.dept) && user.can(Action::CampaignsAck)
}

/// Append ` AND <condition>` restricting campaigns `c` to those `user` sees.
pub fn push_scope(qb: &mut QueryBuilder<'_, Postgres>, user: &CurrentUser) {
    if user.level == Level::Director {
        return;
    }
    let own = drafting_dept(user);
    match (own, told(user)) {
        (Some(d), true) => {
            qb.push(" AND (c.department = ").push_bind(d.code()).push(" OR c.approved_at IS NOT NULL)");
        }
        (Some(d), false) => {
            qb.push(" AND c.department = ").push_bind(d.code());
        }
        (None, true) => {
            qb.push(" AND c.approved_at IS NOT NULL");
        }
        (None, false) => {
            qb.push(" AND false");
        }
    }
}

/// Whether `user` decides (approves/rejects) campaigns of `department`: its
/// manager, or a director.
pub fn decides(user: &CurrentUser, department: &str) -> bool {
    user.can(Action::CampaignsApprove)
        && (user.level == Level::Director || (user.level == Level::Manager && user.dept.code() == department))
}

/// Whether `user` works on campaigns of `department` (drafts, results, summary):
/// its specialists and manager.
pub fn operates(user: &CurrentUser, department: &str) -> bool {
    user.can(Action::CampaignsOperate) && user.dept.code() == department
}

/// What waits for `user` in this module, for the home page: plans to approve
/// (managers of their department, directors those awaiting a director), approved
/// campaigns to acknowledge (the told managers), summaries due (drafters and
/// their managers, after the end), summaries to review (the department's manager),
/// and one's own drafts and rejected plans.
pub async fn home_queues(tx: &mut Tx, user: &CurrentUser) -> Result<Vec<QueueItem>, sqlx::Error> {
    let director = user.level == Level::Director && user.can(Action::CampaignsApprove);
    let manager = user.level == Level::Manager && drafting_dept(user).is_some() && user.can(Action::CampaignsApprove);
    let drafts = drafting_dept(user).is_some() && user.can(Action::CampaignsOperate);
    let told = told(user);
    if !director && !manager && !drafts && !told {
        return Ok(Vec::new());
    }
    let q = repo::queue_counts(tx, user, director, manager, told).await?;
    let mut out = Vec::new();
    let mut push = |key: &'static str,
                    (count, oldest): (i64, Option<chrono::DateTime<chrono::Utc>>),
                    label: String,
                    href: &str,
                    kind| {
        if count > 0 {
            out.push(QueueItem { key, label, count, oldest, href: href.into(), kind });
        }
    };
    let short = |n: i64| if n > 0 { format!("（{n} 项准备期不足）") } else { String::new() };
    push(
        "campaigns.submitted",
        q.submitted,
        format!("待审批活动方案{}", short(q.submitted_short)),
        "/campaigns?status=submitted",
        QueueKind::Approval,
    );
    push(
        "campaigns.director_pending",
        q.director,
        format!("待总监审批活动方案{}", short(q.director_short)),
        "/campaigns?status=director_pending",
        QueueKind::Approval,
    );
    push("campaigns.ack", q.ack, "待知悉的已批准活动".into(), "/campaigns?ack=due", QueueKind::Alert);
    push(
        "campaigns.summary_due",
        q.summary_due,
        "待复盘的已结束活动".into(),
        "/campaigns?summary=due",
        QueueKind::Mine,
    );
    push("campaigns.review", q.review, "待点评的活动复盘".into(), "/campaigns?review=due", QueueKind::Approval);
    push("campaigns.mine", q.mine, "我的活动草稿与被驳回方案".into(), "/campaigns?mine=1", QueueKind::Mine);
    Ok(out)
}
