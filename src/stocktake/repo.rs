//! Stocktake data access and the state changes shared by the web handlers and the
//! demo: open (snapshot), save counts, submit, approve (post the differences to the
//! ledger), reject, cancel.

use chrono::{DateTime, Utc};
use sqlx::{Postgres, QueryBuilder};

use super::flow::StocktakeStatus;
use crate::db::Tx;
use crate::error::OnConstraint;
use crate::inventory::ledger::{self, DocType, LedgerError, MovementKind, NewMovement};
use crate::people::{Dept, Level};
use crate::web::CurrentUser;

/// The partial unique index: one open count per warehouse.
pub const ONE_OPEN_INDEX: &str = "stocktakes_one_open_idx";

/// Status codes and their labels.
pub const STATUSES: [(&str, &str); 4] =
    [("counting", "盘点中"), ("submitted", "待审批"), ("approved", "已批准"), ("cancelled", "已取消")];

pub fn status_label(code: &str) -> &'static str {
    STATUSES.iter().find(|(c, _)| *c == code).map_or("未知", |(_, l)| l)
}

pub fn status_tag(code: &str) -> &'static str {
    match code {
        "counting" => "tag-warn",
        "submitted" => "tag-warn",
        "approved" => "tag-ok",
        _ => "tag-off",
    }
}

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

/// Whether a line's difference needs a written reason: |counted − book| more than
/// `units`, or more than `percent` % of the book quantity (both strict).
pub fn needs_reason(book: i64, counted: i64, units: i64, percent: i64) -> bool {
    let d = (counted - book).abs();
    d > units || d * 100 > percent * book
}

/// The same rule in SQL over `l` (stocktake_lines), with the threshold parameters
/// `$u` and `$p`.
fn needs_reason_sql(u: usize, p: usize) -> String {
    format!(
        "(l.counted_quantity IS NOT NULL AND (abs(l.counted_quantity - l.book_quantity) > ${u} \
         OR abs(l.counted_quantity - l.book_quantity) * 100 > ${p} * l.book_quantity))"
    )
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

pub struct ListFilter<'a> {
    pub status: Option<&'a str>,
    pub warehouse_id: Option<i64>,
}

fn push_list_where(qb: &mut QueryBuilder<'_, Postgres>, user: &CurrentUser, f: &ListFilter<'_>) {
    qb.push(" WHERE s.tenant_id = ").push_bind(user.tenant_id);
    if let Some(st) = f.status {
        qb.push(" AND s.status = ").push_bind(st.to_owned());
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
    f: &ListFilter<'_>,
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
    let mut qb = QueryBuilder::<Postgres>::new("SELECT count(*) FROM (SELECT 1 FROM stocktakes s");
    push_list_where(&mut qb, user, f);
    qb.push(" LIMIT ").push_bind(cap).push(") x");
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

/// Progress and difference figures of one stocktake.
#[derive(Clone, Debug, Default, sqlx::FromRow)]
pub struct Stats {
    pub counted: i64,
    pub differing: i64,
    pub missing_reasons: i64,
    pub net_difference: i64,
}

pub async fn stats(tx: &mut Tx, user: &CurrentUser, id: i64) -> Result<Stats, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT count(*) FILTER (WHERE l.counted_quantity IS NOT NULL) AS counted,
                count(*) FILTER (WHERE l.counted_quantity <> l.book_quantity) AS differing,
                count(*) FILTER (WHERE {} AND l.reason = '') AS missing_reasons,
                coalesce(sum(l.counted_quantity - l.book_quantity), 0)::bigint AS net_difference
         FROM stocktake_lines l WHERE l.tenant_id = $1 AND l.stocktake_id = $2",
        needs_reason_sql(3, 4)
    ))
    .bind(user.tenant_id)
    .bind(id)
    .bind(user.settings.stocktake_reason_units)
    .bind(user.settings.stocktake_reason_percent)
    .fetch_one(&mut **tx)
    .await
}

/// A line as the record page shows it. `book_quantity` is NULL unless the query
/// was asked for it (approvers, once submitted).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Line {
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    pub spec: String,
    pub unit: String,
    pub book_quantity: Option<i64>,
    pub counted_quantity: Option<i64>,
    pub reason: String,
    pub needs_reason: bool,
    pub counted_by_name: Option<String>,
}

impl Line {
    pub fn difference(&self) -> Option<i64> {
        Some(self.counted_quantity? - self.book_quantity?)
    }

    pub fn difference_text(&self) -> String {
        match self.difference() {
            Some(d) if d > 0 => format!("+{d}"),
            Some(d) => d.to_string(),
            None => String::new(),
        }
    }

    pub fn missing_reason(&self) -> bool {
        self.needs_reason && self.reason.trim().is_empty()
    }
}

/// The lines of stocktake `$1`/`$2` under a SKU prefix (`$sku`, '' = all), and
/// only those with a difference when `$diff`.
fn line_filter(sku: usize, diff: usize) -> String {
    format!(
        "l.tenant_id = $1 AND l.stocktake_id = $2 AND left(p.sku, length(${sku})) = ${sku}
         AND (NOT ${diff} OR l.counted_quantity IS DISTINCT FROM l.book_quantity)"
    )
}

pub struct LineQuery<'a> {
    /// Select the book quantities and the difference flags (approvers, submitted on).
    pub with_book: bool,
    /// SKU prefix filter ('' = all).
    pub sku: &'a str,
    /// Only lines with a difference (meaningful with `with_book`).
    pub differences_only: bool,
    pub limit: i64,
    pub offset: i64,
}

/// A page of lines, and the number of lines under the filter. With `with_book` the
/// lines with differences come first.
pub async fn lines(
    tx: &mut Tx,
    user: &CurrentUser,
    id: i64,
    q: &LineQuery<'_>,
) -> Result<(Vec<Line>, i64), sqlx::Error> {
    let filter = line_filter(5, 6);
    let order = if q.with_book { "(l.counted_quantity IS DISTINCT FROM l.book_quantity) DESC, p.sku" } else { "p.sku" };
    let rows = sqlx::query_as(&format!(
        "SELECT l.product_id, p.sku, p.name, p.spec, p.unit,
                CASE WHEN $7 THEN l.book_quantity END AS book_quantity,
                l.counted_quantity, l.reason, ($7 AND {nr}) AS needs_reason, cu.display_name AS counted_by_name
         FROM stocktake_lines l
         JOIN products p ON p.tenant_id = l.tenant_id AND p.id = l.product_id
         LEFT JOIN users cu ON cu.tenant_id = l.tenant_id AND cu.id = l.counted_by
         WHERE {filter}
         ORDER BY {order} LIMIT $8 OFFSET $9",
        nr = needs_reason_sql(3, 4)
    ))
    .bind(user.tenant_id)
    .bind(id)
    .bind(user.settings.stocktake_reason_units)
    .bind(user.settings.stocktake_reason_percent)
    .bind(q.sku)
    .bind(q.differences_only && q.with_book)
    .bind(q.with_book)
    .bind(q.limit)
    .bind(q.offset)
    .fetch_all(&mut **tx)
    .await?;
    let total: i64 = sqlx::query_scalar(&format!(
        "SELECT count(*) FROM stocktake_lines l JOIN products p ON p.tenant_id = l.tenant_id AND p.id = l.product_id
         WHERE {}",
        line_filter(3, 4)
    ))
    .bind(user.tenant_id)
    .bind(id)
    .bind(q.sku)
    .bind(q.differences_only && q.with_book)
    .fetch_one(&mut **tx)
    .await?;
    Ok((rows, total))
}

/// A line as counters see it: no book quantity at all (blind counting). The
/// "needs a reason" flag is only computed once the count is submitted.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CountRow {
    pub product_id: i64,
    pub sku: String,
    pub name: String,
    pub spec: String,
    pub unit: String,
    pub counted_quantity: Option<i64>,
    pub reason: String,
    pub needs_reason: bool,
    pub counted_by_name: Option<String>,
}

pub async fn count_rows(
    tx: &mut Tx,
    user: &CurrentUser,
    id: i64,
    submitted: bool,
    sku: &str,
    limit: i64,
    offset: i64,
) -> Result<(Vec<CountRow>, i64), sqlx::Error> {
    let rows = sqlx::query_as(&format!(
        "SELECT l.product_id, p.sku, p.name, p.spec, p.unit, l.counted_quantity, l.reason,
                ($6 AND {nr}) AS needs_reason, cu.display_name AS counted_by_name
         FROM stocktake_lines l
         JOIN products p ON p.tenant_id = l.tenant_id AND p.id = l.product_id
         LEFT JOIN users cu ON cu.tenant_id = l.tenant_id AND cu.id = l.counted_by
         WHERE l.tenant_id = $1 AND l.stocktake_id = $2 AND left(p.sku, length($5)) = $5
         ORDER BY p.sku LIMIT $7 OFFSET $8",
        nr = needs_reason_sql(3, 4)
    ))
    .bind(user.tenant_id)
    .bind(id)
    .bind(user.settings.stocktake_reason_units)
    .bind(user.settings.stocktake_reason_percent)
    .bind(sku)
    .bind(submitted)
    .bind(limit)
    .bind(offset)
    .fetch_all(&mut **tx)
    .await?;
    let total: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM stocktake_lines l JOIN products p ON p.tenant_id = l.tenant_id AND p.id = l.product_id
         WHERE l.tenant_id = $1 AND l.stocktake_id = $2 AND left(p.sku, length($3)) = $3",
    )
    .bind(user.tenant_id)
    .bind(id)
    .bind(sku)
    .fetch_one(&mut **tx)
    .await?;
    Ok((rows, total))
}

/// Save counts and reasons: (product id, counted quantity or None to leave it,
/// reason). Lines not on this stocktake are ignored. Returns the lines updated.
pub async fn save_counts(
    tx: &mut Tx,
    tenant_id: i64,
    id: i64,
    user_id: i64,
    entries: &[(i64, Option<i64>, String)],
) -> Result<u64, sqlx::Error> {
    let pids: Vec<i64> = entries.iter().map(|e| e.0).collect();
    let qtys: Vec<Option<i64>> = entries.iter().map(|e| e.1).collect();
    let reasons: Vec<String> = entries.iter().map(|e| e.2.clone()).collect();
    let done = sqlx::query(
        "UPDATE stocktake_lines l SET
            counted_quantity = coalesce(v.qty, l.counted_quantity),
            counted_by = CASE WHEN v.qty IS DISTINCT FROM l.counted_quantity AND v.qty IS NOT NULL THEN $3 ELSE l.counted_by END,
            counted_at = CASE WHEN v.qty IS DISTINCT FROM l.counted_quantity AND v.qty IS NOT NULL THEN now() ELSE l.counted_at END,
            reason = v.reason
         FROM unnest($4::bigint[], $5::bigint[], $6::text[]) AS v(pid, qty, reason)
         WHERE l.tenant_id = $1 AND l.stocktake_id = $2 AND l.product_id = v.pid
           AND (v.qty IS DISTINCT FROM l.counted_quantity AND v.qty IS NOT NULL OR v.reason IS DISTINCT FROM l.reason)",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(user_id)
    .bind(&pids)
    .bind(&qtys)
    .bind(&reasons)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}

pub async fn uncounted(tx: &mut Tx, tenant_id: i64, id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT count(*) FROM stocktake_lines WHERE tenant_id = $1 AND stocktake_id = $2 AND counted_quantity IS NULL",
    )
    .bind(tenant_id)
    .bind(id)
    .fetch_one(&mut **tx)
    .await
}

/// SKUs of lines that need a reason and have none (at most `limit`), and how many
/// there are.
pub async fn missing_reasons(
    tx: &mut Tx,
    tenant_id: i64,
    id: i64,
    units: i64,
    percent: i64,
    limit: i64,
) -> Result<(Vec<String>, i64), sqlx::Error> {
    let nr = needs_reason_sql(3, 4);
    let skus = sqlx::query_scalar(&format!(
        "SELECT p.sku FROM stocktake_lines l JOIN products p ON p.tenant_id = l.tenant_id AND p.id = l.product_id
         WHERE l.tenant_id = $1 AND l.stocktake_id = $2 AND {nr} AND btrim(l.reason) = '' ORDER BY p.sku LIMIT $5"
    ))
    .bind(tenant_id)
    .bind(id)
    .bind(units)
    .bind(percent)
    .bind(limit)
    .fetch_all(&mut **tx)
    .await?;
    let n = sqlx::query_scalar(&format!(
        "SELECT count(*) FROM stocktake_lines l
         WHERE l.tenant_id = $1 AND l.stocktake_id = $2 AND {nr} AND btrim(l.reason) = ''"
    ))
    .bind(tenant_id)
    .bind(id)
    .bind(units)
    .bind(percent)
    .fetch_one(&mut **tx)
    .await?;
    Ok((skus, n))
}

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

pub enum ApproveError {
    /// An adjustment would take on hand below zero (or below what is reserved):
    /// the SKU and the adjustment.
    Negative(String, i64),
    Database(sqlx::Error),
}

impl From<sqlx::Error> for ApproveError {
    fn from(e: sqlx::Error) -> Self {
        ApproveError::Database(e)
    }
}

/// Post one adjustment movement per differing line: counted − book (the difference
/// found by the count, applied to the current on hand). Returns (lines adjusted,
/// net quantity). The caller rolls back on an error.
pub async fn post_adjustments(
    tx: &mut Tx,
    tenant_id: i64,
    id: i64,
    no: &str,
    warehouse_id: i64,
    actor: i64,
) -> Result<(i64, i64), ApproveError> {
    let diffs: Vec<(i64, String, i64, String)> = sqlx::query_as(
        "SELECT l.product_id, p.sku, l.counted_quantity - l.book_quantity, l.reason
         FROM stocktake_lines l JOIN products p ON p.tenant_id = l.tenant_id AND p.id = l.product_id
         WHERE l.tenant_id = $1 AND l.stocktake_id = $2 AND l.counted_quantity <> l.book_quantity
         ORDER BY p.sku",
    )
    .bind(tenant_id)
    .bind(id)
    .fetch_all(&mut **tx)
    .await?;
    let mut net = 0;
    for (product_id, sku, diff, reason) in &diffs {
        let why = if reason.trim().is_empty() {
            format!("盘点 {no}：{}", if *diff > 0 { "盘盈" } else { "盘亏" })
        } else {
            format!("盘点 {no}：{}", reason.trim())
        };
        let posted = ledger::post(
            tx,
            tenant_id,
            &NewMovement {
                product_id: *product_id,
                warehouse_id,
                kind: MovementKind::Adjustment,
                quantity: *diff,
                reason: &why,
                doc: DocType::Stocktake,
                doc_id: Some(id),
                created_by: Some(actor),
            },
        )
        .await;
        match posted {
            Ok(_) => net += diff,
            Err(LedgerError::Insufficient) => return Err(ApproveError::Negative(sku.clone(), *diff)),
            Err(LedgerError::Invalid(m)) => return Err(ApproveError::Database(sqlx::Error::Protocol(m.into()))),
            Err(LedgerError::Database(e)) => return Err(ApproveError::Database(e)),
        }
    }
    Ok((diffs.len() as i64, net))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_threshold_is_strict() {
        // exactly 5 units (of a big book quantity) and exactly 2 %: no reason
        assert!(!needs_reason(1000, 1005, 5, 2));
        assert!(!needs_reason(250, 245, 5, 2));
        assert!(!needs_reason(100, 102, 5, 2));
        // 6 units, or more than 2 %
        assert!(needs_reason(1000, 994, 5, 2));
        assert!(needs_reason(100, 103, 5, 2));
        // any difference on a zero book quantity is more than 2 % of it
        assert!(needs_reason(0, 1, 5, 2));
        assert!(!needs_reason(0, 0, 5, 2));
    }
}
