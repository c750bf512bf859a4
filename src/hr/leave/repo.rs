//! Leave requests: the queries of the leave pages, and who may decide a request.
//!
//! The approval rule (who approves whose leave):
//! * a manager approves the requests of the **specialists of their own department**;
//! * a director approves **everyone else's** requests in the tenant — managers',
//!   other directors' and, where a department has no manager at hand, specialists';
//! * nobody approves their own request (a director's leave goes to another director).
//!
//! A request is visible (GET /leave/{id}) to its applicant, to the users who may
//! approve it, and to HR. Anything else is a 404.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{Postgres, QueryBuilder};

use super::flow::LeaveStatus;
use crate::db::Tx;
use crate::people::{Action, Dept, Level};
use crate::rules::YearMonth;
use crate::web::CurrentUser;

/// The comment written when an employee withdraws their own pending request
/// (a withdrawal is stored as `rejected`, the schema has no other final state).
pub const WITHDRAWN_COMMENT: &str = "本人撤回";

/// Leave kinds offered by the form.
pub const KINDS: &[&str] = &["事假", "病假", "年假", "调休", "婚假", "产假", "丧假", "其他"];

/// (code, label) of the portions.
pub const PORTIONS: &[(&str, &str)] = &[("full", "全天"), ("am", "上午"), ("pm", "下午")];

pub fn portion_label(code: &str) -> &'static str {
    PORTIONS.iter().find(|(c, _)| *c == code).map_or("?", |(_, l)| l)
}

/// One leave request with its employee and the names of the people involved.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct LeaveRow {
    pub id: i64,
    pub employee_id: i64,
    pub employee_no: String,
    pub employee_name: String,
    pub department: String,
    pub level: String,
    pub day: NaiveDate,
    pub portion: String,
    pub kind: String,
    pub reason: String,
    pub status: super::flow::LeaveStatus,
    pub source: String,
    pub applied_by: Option<i64>,
    pub applied_by_name: Option<String>,
    pub decided_by: Option<i64>,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_comment: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl LeaveRow {
    pub fn portion_label(&self) -> &'static str {
        portion_label(&self.portion)
    }

    pub fn dept_label(&self) -> &'static str {
        Dept::parse(&self.department).map_or("?", Dept::label)
    }

    pub fn level_label(&self) -> &'static str {
        Level::parse(&self.level).map_or("?", Level::label)
    }

    pub fn is_pending(&self) -> bool {
        self.status == LeaveStatus::Pending
    }

    /// Rejected, or withdrawn (also stored as rejected).
    pub fn is_rejected(&self) -> bool {
        self.status == LeaveStatus::Rejected
    }

    /// Withdrawn by the applicant (stored as rejected with [`WITHDRAWN_COMMENT`]).
    pub fn is_withdrawn(&self) -> bool {
        self.status == LeaveStatus::Rejected
            && self.decision_comment.as_deref() == Some(WITHDRAWN_COMMENT)
            && self.decided_by.is_some()
            && self.decided_by == self.applied_by
    }

    pub fn status_label(&self) -> &'static str {
        if self.is_withdrawn() {
            return "已撤回";
        }
        self.status.label()
    }

    /// The tag class of the status.
    pub fn status_class(&self) -> &'static str {
        match self.status {
            LeaveStatus::Approved => "tag-ok",
            LeaveStatus::Pending => "tag-warn",
            _ if self.is_withdrawn() => "tag-off",
            LeaveStatus::Rejected => "tag-bad",
        }
    }

    pub fn source_label(&self) -> &'static str {
        if self.source == "import" {
            "人事导入"
        } else {
            "网页申请"
        }
    }

    pub fn comment(&self) -> &str {
        self.decision_comment.as_deref().unwrap_or_default()
    }

    /// The request belongs to the signed-in user (their employee record, or they applied).
    pub fn is_own(&self, user: &CurrentUser) -> bool {
        user.employee_no.as_deref() == Some(self.employee_no.as_str()) || self.applied_by == Some(user.user_id)
    }

    /// Whether `user` may approve or reject this request (whatever its status).
    pub fn approvable_by(&self, user: &CurrentUser) -> bool {
        if !user.can(Action::LeaveApprove) || self.is_own(user) {
            return false;
        }
        match user.level {
            Level::Director => true,
            Level::Manager => self.department == user.dept.code() && self.level == Level::Specialist.code(),
            Level::Specialist => false,
        }
    }

    /// Whether `user` may see this request's page.
    pub fn visible_to(&self, user: &CurrentUser) -> bool {
        self.is_own(user) || self.approvable_by(user) || user.can(Action::HrManage)
    }
}

const SELECT: &str = "SELECT lr.id, lr.employee_id, e.employee_no, e.name AS employee_name, e.department, e.level,
    lr.day, lr.portion, lr.kind, lr.reason, lr.status, lr.source, lr.applied_by, au.display_name AS applied_by_name,
    lr.decided_by, du.display_name AS decided_by_name, lr.decided_at, lr.decision_comment, lr.created_at
  FROM leave_requests lr
  JOIN employees e ON e.tenant_id = lr.tenant_id AND e.id = lr.employee_id
  LEFT JOIN users au ON au.tenant_id = lr.tenant_id AND au.id = lr.applied_by
  LEFT JOIN users du ON du.tenant_id = lr.tenant_id AND du.id = lr.decided_by";

/// The rows an approver may decide, as SQL (mirror of [`LeaveRow::approvable_by`]).
#[derive(Clone, Debug)]
pub struct Approver {
    /// `Some(dept)` for a manager: only that department's specialists.
    pub dept: Option<Dept>,
    pub user_id: i64,
    pub employee_no: Option<String>,
}

impl Approver {
    /// `None` for users who approve nothing.
    pub fn of(user: &CurrentUser) -> Option<Approver> {
        if !user.can(Action::LeaveApprove) {
            return None;
        }
        let dept = match user.level {
            Level::Director => None,
            Level::Manager => Some(user.dept),
            Level::Specialist => return None,
        };
        Some(Approver { dept, user_id: user.user_id, employee_no: user.employee_no.clone() })
    }
}

/// Sort order of a list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    /// Leave day, newest first.
    DayDesc,
    /// Oldest application first (the approval queue).
    OldestFirst,
}

#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub employee_id: Option<i64>,
    pub approver: Option<Approver>,
    pub dept: Option<Dept>,
    pub level: Option<Level>,
    pub status: Option<LeaveStatus>,
    pub month: Option<YearMonth>,
    /// Employee number or name (substring).
    pub q: Option<String>,
}

fn push_where(qb: &mut QueryBuilder<'_, Postgres>, tenant_id: i64, f: &Filter) {
    qb.push(" WHERE lr.tenant_id = ").push_bind(tenant_id);
    if let Some(id) = f.employee_id {
        qb.push(" AND lr.employee_id = ").push_bind(id);
    }
    if let Some(a) = &f.approver {
        if let Some(dept) = a.dept {
            qb.push(" AND e.department = ").push_bind(dept.code());
            qb.push(" AND e.level = ").push_bind(Level::Specialist.code());
        }
        qb.push(" AND lr.applied_by IS DISTINCT FROM ").push_bind(a.user_id);
        if let Some(no) = &a.employee_no {
            qb.push(" AND e.employee_no <> ").push_bind(no.clone());
        }
    }
    if let Some(dept) = f.dept {
        qb.push(" AND e.department = ").push_bind(dept.code());
    }
    if let Some(level) = f.level {
        qb.push(" AND e.level = ").push_bind(level.code());
    }
    if let Some(status) = f.status {
        qb.push(" AND lr.status = ").push_bind(status);
    }
    if let Some(m) = f.month {
        qb.push(" AND lr.day BETWEEN ").push_bind(m.first_day()).push(" AND ").push_bind(m.last_day());
    }
    if let Some(q) = &f.q {
        crate::hr::employees::repo::push_search(qb, tenant_id, q);
    }
}

/// One page of requests and the (capped) total.
pub async fn list(
    tx: &mut Tx,
    tenant_id: i64,
    f: &Filter,
    order: Order,
    limit: i64,
    offset: i64,
    cap: i64,
) -> Result<(Vec<LeaveRow>, i64), sqlx::Error> {
    let mut qb = QueryBuilder::new(SELECT);
    push_where(&mut qb, tenant_id, f);
    qb.push(match order {
        Order::DayDesc => " ORDER BY lr.day DESC, lr.id DESC",
        Order::OldestFirst => " ORDER BY lr.created_at, lr.id",
    });
    qb.push(" LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
    let rows = qb.build_query_as().fetch_all(&mut **tx).await?;
    let mut cq = crate::db::capped_count(cap, |qb| {
        qb.push(" FROM leave_requests lr JOIN employees e ON e.tenant_id = lr.tenant_id AND e.id = lr.employee_id");
        push_where(qb, tenant_id, f);
    });
    let total: i64 = cq.build_query_scalar().fetch_one(&mut **tx).await?;
    Ok((rows, total))
}

/// One request of the tenant (no scope: callers check [`LeaveRow::visible_to`]).
pub async fn find(tx: &mut Tx, tenant_id: i64, id: i64) -> Result<Option<LeaveRow>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT} WHERE lr.tenant_id = $1 AND lr.id = $2"))
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
}

/// One request, locked for a state change.
pub async fn lock(tx: &mut Tx, tenant_id: i64, id: i64) -> Result<Option<LeaveRow>, sqlx::Error> {
    sqlx::query_as(&format!("{SELECT} WHERE lr.tenant_id = $1 AND lr.id = $2 FOR UPDATE OF lr"))
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
}

/// A live (pending or approved) request of the employee that overlaps `day` and
/// `portion` (same portion, or a full day against a half day).
pub async fn live_overlap(
    tx: &mut Tx,
    tenant_id: i64,
    employee_id: i64,
    day: NaiveDate,
    portion: &str,
) -> Result<Option<LeaveRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{SELECT} WHERE lr.tenant_id = $1 AND lr.employee_id = $2 AND lr.day = $3 AND lr.status <> 'rejected'
           AND (lr.portion = $4 OR lr.portion = 'full' OR $4 = 'full')
         ORDER BY lr.id LIMIT 1"
    ))
    .bind(tenant_id)
    .bind(employee_id)
    .bind(day)
    .bind(portion)
    .fetch_optional(&mut **tx)
    .await
}

/// Whether `day` is a workday of the tenant calendar (Mon–Fri unless marked).
pub async fn is_workday(tx: &mut Tx, tenant_id: i64, day: NaiveDate) -> Result<bool, sqlx::Error> {
    use chrono::Datelike;
    let kind: Option<String> = sqlx::query_scalar("SELECT kind FROM calendar_days WHERE tenant_id = $1 AND day = $2")
        .bind(tenant_id)
        .bind(day)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(match kind.as_deref() {
        Some("holiday") => false,
        Some("workday") => true,
        _ => day.weekday().number_from_monday() <= 5,
    })
}

pub struct NewLeave<'a> {
    pub employee_id: i64,
    pub day: NaiveDate,
    pub portion: &'a str,
    pub kind: &'a str,
    pub reason: &'a str,
    pub applied_by: i64,
}

pub async fn insert(tx: &mut Tx, tenant_id: i64, new: &NewLeave<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO leave_requests (tenant_id, employee_id, day, portion, kind, reason, status, source, applied_by)
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', 'web', $7) RETURNING id",
    )
    .bind(tenant_id)
    .bind(new.employee_id)
    .bind(new.day)
    .bind(new.portion)
    .bind(new.kind)
    .bind(new.reason)
    .bind(new.applied_by)
    .fetch_one(&mut **tx)
    .await
}

/// Record a decision on a pending request (the caller holds the row lock).
pub async fn decide(
    tx: &mut Tx,
    tenant_id: i64,
    id: i64,
    status: LeaveStatus,
    decided_by: i64,
    comment: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE leave_requests SET status = $3, decided_by = $4, decided_at = now(), decision_comment = $5
         WHERE tenant_id = $1 AND id = $2 AND status = 'pending'",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(status)
    .bind(decided_by)
    .bind(comment)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
