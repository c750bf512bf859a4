//! The leave approval queue (the decisions themselves: `flow.rs`).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::flow::LeaveStatus;
use super::repo::{self, Approver, LeaveRow};
use super::{age, dept_choices, parse_dept_filter, parse_month_filter, status_choices};
use crate::error::{AppError, AppResult};
use crate::people::{Action, Level};
use crate::web::forms::non_empty;
use crate::web::forms::Choice;
use crate::web::pagination::query_string;
use crate::web::{Chrome, Ctx, Pager};

#[derive(Clone, Debug, Default, Deserialize)]
pub struct QueueQuery {
    /// `pending` (the default when empty), `approved`, `rejected` or `all`.
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub month: String,
    #[serde(default)]
    pub department: String,
    #[serde(default)]
    pub level: String,
    pub page: Option<i64>,
}

#[derive(Template, WebTemplate)]
#[template(path = "hr/leave/approvals.html")]
pub struct QueuePage {
    pub chrome: Chrome,
    pub q: QueueQuery,
    pub rows: Vec<LeaveRow>,
    pub pager: Pager,
    pub statuses: Vec<Choice>,
    pub depts: Vec<Choice>,
    pub levels: Vec<Choice>,
    pub is_director: bool,
    pub rule: &'static str,
    pub now: DateTime<Utc>,
}

impl QueuePage {
    pub fn age(&self, r: &LeaveRow) -> String {
        age(r.created_at, self.now)
    }
}

pub async fn queue(mut ctx: Ctx, Query(mut q): Query<QueueQuery>) -> AppResult<QueuePage> {
    ctx.require(Action::LeaveApprove)?;
    let approver = Approver::of(&ctx.user).ok_or(AppError::Forbidden)?;
    if q.status.trim().is_empty() {
        q.status = "pending".into();
    }
    let status = match q.status.trim() {
        "all" => None,
        s => Some(LeaveStatus::parse(s).ok_or_else(|| AppError::BadRequest(format!("未知状态：{s}")))?),
    };
    let month = parse_month_filter(&q.month)?;
    let is_director = ctx.user.level == Level::Director;
    // Managers see only their department anyway: the department filter is for directors.
    let dept = if is_director { parse_dept_filter(&q.department)? } else { None };
    let level = match non_empty(&q.level).filter(|_| is_director) {
        None => None,
        Some(l) => Some(Level::parse(l).ok_or_else(|| AppError::BadRequest(format!("未知职级：{l}")))?),
    };
    let filter = repo::Filter { approver: Some(approver), status, month, dept, level, ..repo::Filter::default() };
    let order = if status == Some(LeaveStatus::Pending) { repo::Order::OldestFirst } else { repo::Order::DayDesc };
    let pager = Pager::new(
        "/leave/approvals",
        q.page,
        query_string(&[("status", &q.status), ("month", &q.month), ("department", &q.department), ("level", &q.level)]),
    );
    let mut tx = ctx.begin().await?;
    let (rows, total) =
        repo::list(&mut tx, ctx.user.tenant_id, &filter, order, pager.per_page, pager.offset(), pager.count_limit())
            .await?;
    tx.commit().await?;
    Ok(QueuePage {
        chrome: ctx.chrome("请假审批", "/leave/approvals"),
        q,
        rows,
        pager: pager.with_total(total),
        statuses: status_choices(),
        depts: dept_choices(),
        levels: Choice::levels(),
        is_director,
        rule: if is_director {
            "总监可审批本公司除本人以外所有员工的请假（主要是各部门经理和其他总监的请假）。"
        } else {
            "经理审批本部门专员的请假；经理本人的请假由总监审批。"
        },
        now: Utc::now(),
    })
}
