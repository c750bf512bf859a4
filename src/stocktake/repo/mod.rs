//! Stocktake data access and the state changes shared by the web handlers and the
//! demo: open (snapshot), submit, reject, cancel; the lines (counts, differences,
//! approval's adjustments) are in `lines`.

mod lines;

use chrono::{DateTime, Utc};
use sqlx::{Postgres, QueryBuilder};

use super::flow::StocktakeStatus;
use crate::db::Tx;
use crate::error::OnConstraint;
use crate::people::{Dept, Level};
use crate::web::CurrentUser;
pub use lines::{
    count_rows, lines, missing_reasons, needs_reason, post_adjustments, save_counts, stats, uncounted, ApproveError,
    CountRow, Line, LineQuery, Stats,
};

/// The partial unique index: one open count per warehouse.
pub const ONE_OPEN_INDEX: &str = "stocktakes_one_open_idx";

/// Data scope of stocktakes: directors and the ops manager (who approves them) see
/// every stocktake of the tenant; everyone else with inventory access sees those
/// opened in their own department (a count is the department's shared work, so
/// specialists see their department's counts, not only the ones they opened).
/// `None` = the whole tenant.
pub fn dept_scope(user: &CurrentUser) -> Option<Dept> {
    if user.level == Level::Director || (user.level == Level::Manager && user.dept == Dept::Ops) {
        None
    } else {
        Some(user.dept)
    }
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Header {
    pub id: i64,
    pub no: String,
    pub warehouse_id: i64,
    pub warehouse_code: String,
    pub warehouse_name: String,
    pub status: StocktakeStatus,
    pub sku_prefix: String,
    pub scope_note: String,
    pub line_count: i32,
    pub opened_by: i64,
    pub opened_by_name: String,
    pub department: String,
    pub submitted_by_name: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_comment: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl Header {
    pub fn status_label(&self) -> &'static str {
        self.status.label()
    }

    pub fn status_tag(&self) -> &'static str {
        self.status.tag()
    }

    pub fn dept_label(&self) -> &'static str {
        Dept::parse(&self.department).map_or("", |d| d.label())
    }

    pub fn is_open(&self) -> bool {
        self.status.is_open()
    }

    pub fn is_submitted(&self) -> bool {
        self.status == StocktakeStatus::Submitted
    }
}

const HEADER_SELECT: &str =
    "SELECT s.id, s.no, s.warehouse_id, w.code AS warehouse_code, w.name AS warehouse_name, s.status,
        s.sku_prefix, s.scope_note, s.line_count, s.opened_by, ou.display_name AS opened_by_name, s.department,
        su.display_name AS submitted_by_name, s.submitted_at, du.display_name AS decided_by_name, s.decided_at,
        s.decision_comment, s.created_at
    FROM stocktakes s
    JOIN warehouses w ON w.tenant_id = s.tenant_id AND w.id = s.warehouse_id
    JOIN users ou ON ou.tenant_id = s.tenant_id AND ou.id = s.opened_by
    LEFT JOIN users su ON su.tenant_id = s.tenant_id AND su.id = s.submitted_by
    LEFT JOIN users du ON du.tenant_id = s.tenant_id AND du.id = s.decided_by";

/// One stocktake within the user's scope (`None`: absent, other tenant or out of
/// scope — a 404). `lock` takes the row lock for a state change.
pub async fn find(tx: &mut Tx, user: &CurrentUser, id: i64, lock: bool) -> Result<Option<Header>, sqlx::Error> {
    let mut qb = QueryBuilder::<Postgres>::new(HEADER_SELECT);
    qb.push(" WHERE s.tenant_id = ").push_bind(user.tenant_id).push(" AND s.id = ").push_bind(id);
    if let Some(d) = dept_scope(user) {
        qb.push(" AND s.department = ").push_bind(d.code());
    }
    if lock {
        qb.push(" FOR UPDATE OF s");
    }
    qb.build_query_as().fetch_optional(&mut **tx).await
}

// ---------- list ----------

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ListRow {
    pub id: i64,
    pub no: String,
    pub warehouse_code: String,
    pub warehouse_name: String,
    pub status: StocktakeStatus,
    pub line_count: i32,
    pub counted: i64,
    pub opened_by_name: String,
    pub created_at: DateTime<Utc>,
}

impl ListRow {
    pub fn status_label(&self) -> &'static str {
        self.status.label()
    }

    pub fn status_tag(&self) -> &'static str {
        self.status.tag()
    }
}

pub struct ListFilter {
    pub status: Option<StocktakeStatus>,
    pub warehouse_id: Option<i64>,
}

fn push_list_where(qb: &mut QueryBuilder<'_, Postgres>, user: &CurrentUser, f: &ListFilter) {
    qb.push(" WHERE s.tenant_id = ").push_bind(user.tenant_id);
    if let Some(st) = f.status {
        qb.push(" AND s.status = ").push_bind(st);
    }
    if let Some(w) = f.warehouse_id {
        qb.push(" AND s.warehouse_id = ").push_bind(w);
    }
    if let Some(d) = dept_scope(user) {
        qb.push(" AND s.department = ").push_bind(d.code());
    }
}

pub async fn list(
    tx: &mut Tx,
    user: &CurrentUser,
    f: &ListFilter,
    limit: i64,
    offset: i64,
    cap: i64,
) -> Result<(Vec<ListRow>, i64), sqlx::Error> {
    let mut qb = QueryBuilder::<Postgres>::new(
        "SELECT s.id, s.no, w.code AS warehouse_code, w.name AS warehouse_name, s.status, s.line_count,
            (SELECT count(*) FROM stocktake_lines l WHERE l.tenant_id = s.tenant_id AND l.stocktake_id = s.id
               AND l.counted_quantity IS NOT NULL) AS counted,
            ou.display_name AS opened_by_name, s.created_at
         FROM stocktakes s
         JOIN warehouses w ON w.tenant_id = s.tenant_id AND w.id = s.warehouse_id
         JOIN users ou ON ou.tenant_id = s.tenant_id AND ou.id = s.opened_by",
    );
    push_list_where(&mut qb, user, f);
    qb.push(" ORDER BY s.id DESC LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
    let rows = qb.build_query_as().fetch_all(&mut **tx).await?;
    let mut qb = crate::db::capped_count(cap, |qb| {
        qb.push(" FROM stocktakes s");
        push_list_where(qb, user, f);
    });
    let total: i64 = qb.build_query_scalar().fetch_one(&mut **tx).await?;
    Ok((rows, total))
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Warehouse {
    pub id: i64,
    pub code: String,
    pub name: String,
}

pub async fn warehouses(tx: &mut Tx, tenant_id: i64, active_only: bool) -> Result<Vec<Warehouse>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, code, name FROM warehouses WHERE tenant_id = $1 AND (is_active OR NOT $2) ORDER BY code LIMIT 500",
    )
    .bind(tenant_id)
    .bind(active_only)
    .fetch_all(&mut **tx)
    .await
}

// ---------- open ----------

pub enum OpenError {
    /// The warehouse already has an open count: (id, no).
    AlreadyOpen(i64, String),
    /// Nothing to count (no stock level in the warehouse under the prefix).
    NoLines,
    Database(sqlx::Error),
}

impl From<sqlx::Error> for OpenError {
    fn from(e: sqlx::Error) -> Self {
        OpenError::Database(e)
    }
}

/// The open count of a warehouse, if any: (id, no).
pub async fn open_of_warehouse(
    tx: &mut Tx,
    tenant_id: i64,
    warehouse_id: i64,
) -> Result<Option<(i64, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, no FROM stocktakes WHERE tenant_id = $1 AND warehouse_id = $2 AND status IN ('counting', 'submitted')",
    )
    .bind(tenant_id)
    .bind(warehouse_id)
    .fetch_optional(&mut **tx)
    .await
}

pub struct NewStocktake<'a> {
    pub warehouse_id: i64,
    pub sku_prefix: &'a str,
    pub scope_note: &'a str,
    pub opened_by: i64,
    pub department: Dept,
    /// Demo only: snapshot at most this many products (by SKU).
    pub limit: Option<i64>,
}

/// Open a count: the header, then the book quantities of every product with a stock
/// level in the warehouse (under the SKU prefix) in one INSERT … SELECT. Returns
/// (id, no, lines). Run inside a transaction the caller commits; on an error the
/// caller rolls back.
pub async fn open(tx: &mut Tx, tenant_id: i64, n: &NewStocktake<'_>) -> Result<(i64, String, i64), OpenError> {
    if let Some(existing) = open_of_warehouse(tx, tenant_id, n.warehouse_id).await? {
        return Err(OpenError::AlreadyOpen(existing.0, existing.1));
    }
    // Per-tenant running numbers: serialise the opens of one tenant.
    sqlx::query("SELECT pg_advisory_xact_lock(7301, ($1 % 2147483647)::int)")
        .bind(tenant_id)
        .execute(&mut **tx)
        .await?;
    let inserted = sqlx::query_as::<_, (i64, String)>(
        "INSERT INTO stocktakes (tenant_id, seq, warehouse_id, sku_prefix, scope_note, opened_by, department)
         VALUES ($1, (SELECT coalesce(max(seq), 0) + 1 FROM stocktakes WHERE tenant_id = $1), $2, $3, $4, $5, $6)
         RETURNING id, no",
    )
    .bind(tenant_id)
    .bind(n.warehouse_id)
    .bind(n.sku_prefix)
    .bind(n.scope_note)
    .bind(n.opened_by)
    .bind(n.department.code())
    .fetch_one(&mut **tx)
    .await;
    let Ok((id, no)) = inserted.on_constraint(&[(ONE_OPEN_INDEX, ())])? else {
        return Err(OpenError::AlreadyOpen(0, String::new()));
    };
    let lines = sqlx::query(
        "INSERT INTO stocktake_lines (tenant_id, stocktake_id, product_id, book_quantity)
         SELECT sl.tenant_id, $2, sl.product_id, sl.on_hand
         FROM stock_levels sl JOIN products p ON p.tenant_id = sl.tenant_id AND p.id = sl.product_id
         WHERE sl.tenant_id = $1 AND sl.warehouse_id = $3 AND left(p.sku, length($4)) = $4
         ORDER BY p.sku
         LIMIT $5",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(n.warehouse_id)
    .bind(n.sku_prefix)
    .bind(n.limit)
    .execute(&mut **tx)
    .await?
    .rows_affected() as i64;
    if lines == 0 {
        return Err(OpenError::NoLines);
    }
    sqlx::query("UPDATE stocktakes SET line_count = $3 WHERE tenant_id = $1 AND id = $2")
        .bind(tenant_id)
        .bind(id)
        .bind(lines as i32)
        .execute(&mut **tx)
        .await?;
    event(tx, tenant_id, id, "open", n.opened_by, n.scope_note).await?;
    Ok((id, no, lines))
}

pub async fn event(
    tx: &mut Tx,
    tenant_id: i64,
    stocktake_id: i64,
    action: &str,
    actor: i64,
    comment: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO stocktake_events (tenant_id, stocktake_id, action, actor_id, comment) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(tenant_id)
    .bind(stocktake_id)
    .bind(action)
    .bind(actor)
    .bind(comment)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Event {
    pub action: String,
    pub actor_name: String,
    pub comment: String,
    pub at: DateTime<Utc>,
}

impl Event {
    pub fn label(&self) -> &'static str {
        match self.action.as_str() {
            "open" => "开始盘点",
            "submit" => "提交审批",
            "reject" => "驳回（退回重盘）",
            "approve" => "批准并调整库存",
            "cancel" => "取消盘点",
            _ => "其他",
        }
    }
}

pub async fn events(tx: &mut Tx, tenant_id: i64, id: i64) -> Result<Vec<Event>, sqlx::Error> {
    sqlx::query_as(
        "SELECT e.action, u.display_name AS actor_name, e.comment, e.at
         FROM stocktake_events e JOIN users u ON u.tenant_id = e.tenant_id AND u.id = e.actor_id
         WHERE e.tenant_id = $1 AND e.stocktake_id = $2 ORDER BY e.id",
    )
    .bind(tenant_id)
    .bind(id)
    .fetch_all(&mut **tx)
    .await
}

// ---------- lines ----------

pub async fn set_status(
    tx: &mut Tx,
    tenant_id: i64,
    id: i64,
    status: StocktakeStatus,
    actor: i64,
    comment: Option<&str>,
) -> Result<(), sqlx::Error> {
    let sql = match status {
        StocktakeStatus::Submitted => {
            "UPDATE stocktakes SET status = $3, submitted_by = $4, submitted_at = now(), updated_at = now(),
                 decision_comment = coalesce($5, decision_comment)
             WHERE tenant_id = $1 AND id = $2"
        }
        // Rejected: back to counting; the rejection stays in the events.
        StocktakeStatus::Counting => {
            "UPDATE stocktakes SET status = $3, submitted_by = NULL, submitted_at = NULL, decided_by = $4,
                 decided_at = now(), decision_comment = $5, updated_at = now()
             WHERE tenant_id = $1 AND id = $2"
        }
        StocktakeStatus::Approved | StocktakeStatus::Cancelled => {
            "UPDATE stocktakes SET status = $3, decided_by = $4, decided_at = now(), decision_comment = $5, updated_at = now()
             WHERE tenant_id = $1 AND id = $2"
        }
    };
    sqlx::query(sql).bind(tenant_id).bind(id).bind(status).bind(actor).bind(comment).execute(&mut **tx).await?;
    Ok(())
}

/// The home page's counts: submitted counts (how many, the oldest submission)
/// for an `approver`, and counts of `dept` still being counted (how many, the
/// oldest) for an `operator`.
pub async fn queue_counts(
    tx: &mut Tx,
    tenant_id: i64,
    approver: bool,
    operator: bool,
    dept: &str,
) -> Result<(i64, Option<DateTime<Utc>>, i64, Option<DateTime<Utc>>), sqlx::Error> {
    sqlx::query_as(
        "SELECT count(*) FILTER (WHERE status = 'submitted' AND $2),
                min(submitted_at) FILTER (WHERE status = 'submitted' AND $2),
                count(*) FILTER (WHERE status = 'counting' AND $3 AND department = $4),
                min(created_at) FILTER (WHERE status = 'counting' AND $3 AND department = $4)
         FROM stocktakes WHERE tenant_id = $1 AND status IN ('counting', 'submitted')",
    )
    .bind(tenant_id)
    .bind(approver)
    .bind(operator)
    .bind(dept)
    .fetch_one(&mut **tx)
    .await
}
