//! A stocktake's lines: progress, the record page's lines (with book quantities
//! and differences for approvers), blind count entry, the reason rule, and the
//! adjustments an approval posts.

use crate::db::Tx;
use crate::inventory::ledger::{self, DocType, LedgerError, MovementKind, NewMovement};
use crate::web::CurrentUser;

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
        "WITH clock AS (SELECT now() AS at)
         UPDATE stocktake_lines l SET
            counted_quantity = coalesce(v.qty, l.counted_quantity),
            counted_by = CASE WHEN v.qty IS DISTINCT FROM l.counted_quantity AND v.qty IS NOT NULL THEN $3 ELSE l.counted_by END,
            counted_at = CASE WHEN v.qty IS DISTINCT FROM l.counted_quantity AND v.qty IS NOT NULL THEN (SELECT at FROM clock) ELSE l.counted_at END,
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
