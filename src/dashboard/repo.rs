//! The dashboards' SQL: the daily rollups (migration 0035) over a period, and the
//! few counts that are read live. Every statement is for one tenant and one scope.

use chrono::{DateTime, NaiveDate, Utc};

use crate::db::Tx;

/// Which rows of `sales_days` a user's order scope sums: the tenant ('all'), a
/// department's orders ('dept', the code) or a rep's ('rep', the user id).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SalesKey {
    pub dim: &'static str,
    pub key: String,
}

/// The sums of `sales_days` over some days.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct SalesTotals {
    pub paid_orders: i64,
    pub paid_fen: i64,
    pub refunds: i64,
    pub refund_fen: i64,
    pub shipped_orders: i64,
    pub shipped_on_time: i64,
}

const SUMS: &str =
    "coalesce(sum(paid_orders), 0)::bigint AS paid_orders, coalesce(sum(paid_fen), 0)::bigint AS paid_fen,
    coalesce(sum(refunds), 0)::bigint AS refunds, coalesce(sum(refund_fen), 0)::bigint AS refund_fen,
    coalesce(sum(shipped_orders), 0)::bigint AS shipped_orders,
    coalesce(sum(shipped_on_time), 0)::bigint AS shipped_on_time";

/// The sums over `from ..= to`.
pub async fn sales_totals(
    tx: &mut Tx,
    tenant_id: i64,
    k: &SalesKey,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<SalesTotals, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {SUMS} FROM sales_days WHERE tenant_id = $1 AND dim = $2 AND key = $3 AND day BETWEEN $4 AND $5"
    ))
    .bind(tenant_id)
    .bind(k.dim)
    .bind(&k.key)
    .bind(from)
    .bind(to)
    .fetch_one(&mut **tx)
    .await
}

/// One day's sums (days without any are not returned).
#[derive(Clone, Copy, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct SalesDay {
    pub day: NaiveDate,
    pub paid_orders: i64,
    pub paid_fen: i64,
    pub refund_fen: i64,
    pub shipped_orders: i64,
}

/// The days of `from ..= to` that have sums, in order.
pub async fn sales_series(
    tx: &mut Tx,
    tenant_id: i64,
    k: &SalesKey,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<Vec<SalesDay>, sqlx::Error> {
    sqlx::query_as(
        "SELECT day, sum(paid_orders)::bigint AS paid_orders, sum(paid_fen)::bigint AS paid_fen,
                sum(refund_fen)::bigint AS refund_fen, sum(shipped_orders)::bigint AS shipped_orders
         FROM sales_days
         WHERE tenant_id = $1 AND dim = $2 AND key = $3 AND day BETWEEN $4 AND $5 GROUP BY day ORDER BY day",
    )
    .bind(tenant_id)
    .bind(k.dim)
    .bind(&k.key)
    .bind(from)
    .bind(to)
    .fetch_all(&mut **tx)
    .await
}

/// The sums over `from ..= to` by key of dimension `dim` ('platform', 'dept',
/// 'warehouse', 'rep'), largest sales first; `reps_of`: only the reps of that
/// department (a sales manager's bars).
pub async fn sales_by(
    tx: &mut Tx,
    tenant_id: i64,
    dim: &str,
    reps_of: Option<&str>,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<Vec<(String, SalesTotals)>, sqlx::Error> {
    let rows: Vec<(String, i64, i64, i64, i64, i64, i64)> = sqlx::query_as(&format!(
        "SELECT key, {SUMS} FROM sales_days s
         WHERE tenant_id = $1 AND dim = $2 AND day BETWEEN $3 AND $4
           AND ($5::text IS NULL OR key IN (SELECT u.id::text FROM users u
                                            WHERE u.tenant_id = $1 AND u.department = $5))
         GROUP BY key ORDER BY 3 DESC, 1"
    ))
    .bind(tenant_id)
    .bind(dim)
    .bind(from)
    .bind(to)
    .bind(reps_of)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(key, paid_orders, paid_fen, refunds, refund_fen, shipped_orders, shipped_on_time)| {
            (key, SalesTotals { paid_orders, paid_fen, refunds, refund_fen, shipped_orders, shipped_on_time })
        })
        .collect())
}

/// The names the bars show for keys: users' display names, warehouses' names.
pub async fn names(
    tx: &mut Tx,
    tenant_id: i64,
    dim: &str,
    keys: &[String],
) -> Result<Vec<(String, String)>, sqlx::Error> {
    let ids: Vec<i64> = keys.iter().filter_map(|k| k.parse().ok()).collect();
    let sql = match dim {
        "rep" => "SELECT id::text, display_name FROM users WHERE tenant_id = $1 AND id = ANY ($2)",
        "warehouse" => "SELECT id::text, name FROM warehouses WHERE tenant_id = $1 AND id = ANY ($2)",
        _ => return Ok(Vec::new()),
    };
    sqlx::query_as(sql).bind(tenant_id).bind(ids).fetch_all(&mut **tx).await
}

/// The complaints received in `[from, to)` (instants) in scope, by where their
/// first-response clock stands at `now`: (met, missed, overdue) — the complaints
/// list's own `sla` rules — and those overdue now whenever received.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ComplaintClocks {
    pub met: i64,
    pub missed: i64,
    pub overdue_in_period: i64,
    pub overdue_now: i64,
}

pub async fn complaint_clocks(
    tx: &mut Tx,
    tenant_id: i64,
    scope: &crate::people::Scope,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    now: DateTime<Utc>,
) -> Result<ComplaintClocks, sqlx::Error> {
    let mut qb = sqlx::QueryBuilder::new("WITH c AS (SELECT c.received_at >= ");
    qb.push_bind(from).push(" AND c.received_at < ").push_bind(to);
    qb.push(" AS within, c.first_reply_at, c.due_at FROM complaints c WHERE c.tenant_id = ").push_bind(tenant_id);
    scope.push_filter(&mut qb, "c.rep_id", "c.rep_department");
    qb.push(" AND (c.first_reply_at IS NULL OR (c.received_at >= ").push_bind(from);
    qb.push(" AND c.received_at < ").push_bind(to).push(")))");
    qb.push(
        " SELECT count(*) FILTER (WHERE within AND first_reply_at <= due_at),
                 count(*) FILTER (WHERE within AND first_reply_at > due_at),
                 count(*) FILTER (WHERE within AND first_reply_at IS NULL AND due_at < ",
    );
    qb.push_bind(now).push("), count(*) FILTER (WHERE first_reply_at IS NULL AND due_at < ").push_bind(now);
    qb.push(") FROM c");
    let (met, missed, overdue_in_period, overdue_now): (i64, i64, i64, i64) =
        qb.build_query_as().fetch_one(&mut **tx).await?;
    Ok(ComplaintClocks { met, missed, overdue_in_period, overdue_now })
}

/// The stock book values: before `from` (the opening value) and per day of
/// `from ..= to` (value change, shipped cost).
pub async fn stock_days(
    tx: &mut Tx,
    tenant_id: i64,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<(i64, Vec<(NaiveDate, i64, i64)>), sqlx::Error> {
    let opening: i64 = sqlx::query_scalar(
        "SELECT coalesce(sum(value_change_fen), 0)::bigint FROM stock_days WHERE tenant_id = $1 AND day < $2",
    )
    .bind(tenant_id)
    .bind(from)
    .fetch_one(&mut **tx)
    .await?;
    let days = sqlx::query_as(
        "SELECT day, sum(value_change_fen)::bigint, sum(shipped_cost_fen)::bigint FROM stock_days
         WHERE tenant_id = $1 AND day BETWEEN $2 AND $3 GROUP BY day ORDER BY day",
    )
    .bind(tenant_id)
    .bind(from)
    .bind(to)
    .fetch_all(&mut **tx)
    .await?;
    Ok((opening, days))
}

/// The month's attainment (paid − refunded) against its target, as the sales
/// targets page shows it: a rep's own line; a department's summary line (the
/// director's target for it); for the tenant, the departments that have a target,
/// summed.
pub async fn month_attainment(
    tx: &mut Tx,
    tenant_id: i64,
    k: &SalesKey,
    (from, to): (NaiveDate, NaiveDate),
    month: NaiveDate,
) -> Result<(i64, Option<i64>), sqlx::Error> {
    let target_of = |sql: &'static str| sqlx::query_scalar::<_, i64>(sql).bind(tenant_id).bind(month);
    match k.dim {
        "rep" | "dept" => {
            let t = sales_totals(tx, tenant_id, k, (from, to)).await?;
            let sql = if k.dim == "rep" {
                "SELECT target_fen FROM sales_targets WHERE tenant_id = $1 AND month = $2 AND rep_id::text = $3"
            } else {
                "SELECT target_fen FROM department_targets WHERE tenant_id = $1 AND month = $2 AND department = $3"
            };
            let target = target_of(sql).bind(&k.key).fetch_optional(&mut **tx).await?;
            Ok((t.paid_fen - t.refund_fen, target))
        }
        _ => {
            let (attained, target): (i64, Option<i64>) = sqlx::query_as(
                "SELECT coalesce(sum(s.paid_fen - s.refund_fen), 0)::bigint,
                        (SELECT sum(target_fen)::bigint FROM department_targets WHERE tenant_id = $1 AND month = $2)
                 FROM sales_days s
                 WHERE s.tenant_id = $1 AND s.dim = 'dept' AND s.day BETWEEN $3 AND $4
                   AND s.key IN (SELECT department FROM department_targets WHERE tenant_id = $1 AND month = $2)",
            )
            .bind(tenant_id)
            .bind(month)
            .bind(from)
            .bind(to)
            .fetch_one(&mut **tx)
            .await?;
            Ok((attained, target))
        }
    }
}

/// The running campaigns `user` sees (approved, today within their dates: the
/// campaigns list's `state=running`) and their results over all their days:
/// (count, sales, cost, budget).
pub async fn running_campaigns(
    tx: &mut Tx,
    user: &crate::web::CurrentUser,
) -> Result<(i64, i64, i64, i64), sqlx::Error> {
    let mut qb = sqlx::QueryBuilder::new(
        "SELECT count(*), coalesce(sum(m.sales_fen), 0)::bigint, coalesce(sum(m.cost_fen), 0)::bigint,
                coalesce(sum(c.budget_fen), 0)::bigint
         FROM campaigns c
         LEFT JOIN LATERAL (SELECT sum(x.sales_fen) AS sales_fen, sum(x.cost_fen) AS cost_fen FROM campaign_metrics x
                            WHERE x.tenant_id = c.tenant_id AND x.campaign_id = c.id) m ON true
         WHERE c.tenant_id = ",
    );
    qb.push_bind(user.tenant_id);
    crate::campaigns::push_scope(&mut qb, user);
    qb.push(" AND c.status = 'approved' AND c.starts_on <= ").push_bind(user.today);
    qb.push(" AND c.ends_on >= ").push_bind(user.today);
    qb.build_query_as().fetch_one(&mut **tx).await
}

/// The order desk's counts now, in scope: waiting for review, waiting to ship
/// (approved, allocated, partly shipped), held (each order once) and held by kind —
/// each what the orders list shows for `status=pending_review`, `status=to_ship`,
/// `hold=any` and `hold=<kind>` (the card = list test holds them to it). The
/// tenant's are kept by triggers in `order_desk_counts` (migration 0038: a few rows,
/// whatever the backlog); a narrower scope counts its orders, in two statements
/// (index-only scans of `orders_status_idx` and `order_holds_kind_idx`).
#[derive(Clone, Debug, Default)]
pub struct OrderCounts {
    pub pending_review: i64,
    pub to_ship: i64,
    pub held: i64,
    pub held_by_kind: Vec<(String, i64)>,
}

pub async fn order_counts(
    tx: &mut Tx,
    tenant_id: i64,
    scope: &crate::people::Scope,
) -> Result<OrderCounts, sqlx::Error> {
    if *scope == crate::people::Scope::Tenant {
        return kept_order_counts(tx, tenant_id).await;
    }
    let mut qb = sqlx::QueryBuilder::new(
        "SELECT count(*) FILTER (WHERE o.status = 'pending_review'),
                count(*) FILTER (WHERE o.status <> 'pending_review')
         FROM orders o WHERE o.tenant_id = ",
    );
    qb.push_bind(tenant_id);
    qb.push(" AND o.status IN ('pending_review', 'approved', 'allocated', 'partially_shipped')");
    scope.push_filter(&mut qb, "o.rep_id", "o.rep_department");
    let (pending_review, to_ship): (i64, i64) = qb.build_query_as().fetch_one(&mut **tx).await?;
    // Active holds in scope: ` FROM order_holds h … WHERE …`.
    let holds = |select: &str| {
        let mut qb = sqlx::QueryBuilder::new(format!("SELECT {select} FROM order_holds h"));
        if *scope != crate::people::Scope::Tenant {
            qb.push(" JOIN orders o ON o.tenant_id = h.tenant_id AND o.id = h.order_id");
        }
        qb.push(" WHERE h.tenant_id = ").push_bind(tenant_id).push(" AND h.released_at IS NULL");
        scope.push_filter(&mut qb, "o.rep_id", "o.rep_department");
        qb
    };
    let held: i64 = holds("count(DISTINCT h.order_id)").build_query_scalar().fetch_one(&mut **tx).await?;
    let mut qb = holds("h.kind, count(*)");
    qb.push(" GROUP BY h.kind");
    let held_by_kind: Vec<(String, i64)> = qb.build_query_as().fetch_all(&mut **tx).await?;
    Ok(OrderCounts { pending_review, to_ship, held, held_by_kind })
}

/// The tenant's order desk counts from `order_desk_counts` (the sum of each bucket's
/// rows: the folded one and any loose ones the triggers added since).
async fn kept_order_counts(tx: &mut Tx, tenant_id: i64) -> Result<OrderCounts, sqlx::Error> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT bucket, sum(n)::bigint FROM order_desk_counts WHERE tenant_id = $1 GROUP BY bucket HAVING sum(n) <> 0",
    )
    .bind(tenant_id)
    .fetch_all(&mut **tx)
    .await?;
    let mut c = OrderCounts::default();
    for (bucket, n) in rows {
        match bucket.as_str() {
            "pending_review" => c.pending_review = n,
            "to_ship" => c.to_ship = n,
            "held" => c.held = n,
            b => {
                if let Some(kind) = b.strip_prefix("hold:") {
                    c.held_by_kind.push((kind.to_owned(), n));
                }
            }
        }
    }
    Ok(c)
}
