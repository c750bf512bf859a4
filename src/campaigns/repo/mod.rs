//! The campaigns' SQL: the record (`fetch`, within the user's scope), the list and
//! its filters, products, versions, acknowledgements, the timeline, the workflow's
//! writes, the overlap warning and the home page's counts.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{Postgres, QueryBuilder};

use super::status::CampaignStatus;
use super::{push_scope, Kind};
use crate::db::Tx;
use crate::web::CurrentUser;

mod queues;
mod writes;

pub(in crate::campaigns) use queues::queue_counts;
pub(in crate::campaigns) use writes::*;

/// A campaign as its pages and steps read it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CampaignRow {
    pub id: i64,
    pub campaign_no: String,
    pub theme: String,
    pub kind: Kind,
    pub channels: Vec<String>,
    pub budget_fen: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub goal: String,
    pub target_sales_fen: Option<i64>,
    pub place: String,
    pub how_to_join: String,
    pub department: String,
    pub status: CampaignStatus,
    pub version: i32,
    pub approved_budget_fen: Option<i64>,
    pub drafted_by: i64,
    pub drafter_name: String,
    pub submitted_at: Option<DateTime<Utc>>,
    pub short_notice: bool,
    pub notice_days: Option<i32>,
    pub manager_by: Option<i64>,
    pub manager_at: Option<DateTime<Utc>>,
    pub manager_comment: String,
    pub director_by: Option<i64>,
    pub director_at: Option<DateTime<Utc>>,
    pub director_comment: String,
    pub approved_at: Option<DateTime<Utc>>,
    pub summary: String,
    pub lessons: String,
    pub suggestions: String,
    pub summarized_at: Option<DateTime<Utc>>,
    pub review_comment: String,
    pub reviewer_name: Option<String>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub cancel_reason: String,
    pub updated_at: DateTime<Utc>,
}

impl CampaignRow {
    /// Its state as shown (running and ended read against `today`).
    pub fn phase(&self, today: NaiveDate) -> super::Phase {
        super::Phase::of(self.status, self.starts_on, self.ends_on, today)
    }

    /// Approved at least once and not cancelled or summarized: it may run and take
    /// results (a raise waiting for approval keeps the budget approved before).
    pub fn live(&self) -> bool {
        self.approved_at.is_some() && !matches!(self.status, CampaignStatus::Cancelled | CampaignStatus::Summarized)
    }
}

const COLUMNS: &str = "c.id, c.campaign_no, c.theme, c.kind, c.channels, c.budget_fen, c.starts_on, c.ends_on,
    c.goal, c.target_sales_fen, c.place, c.how_to_join, c.department, c.status, c.version, c.approved_budget_fen,
    c.drafted_by, d.display_name AS drafter_name, c.submitted_at, c.short_notice, c.notice_days, c.manager_by,
    c.manager_at, c.manager_comment, c.director_by, c.director_at, c.director_comment, c.approved_at, c.summary,
    c.lessons, c.suggestions, c.summarized_at, c.review_comment, rv.display_name AS reviewer_name, c.reviewed_at,
    c.cancelled_at, c.cancel_reason, c.updated_at
    FROM campaigns c
    JOIN users d ON d.tenant_id = c.tenant_id AND d.id = c.drafted_by
    LEFT JOIN users rv ON rv.tenant_id = c.tenant_id AND rv.id = c.reviewed_by";

/// Campaign `id` within `user`'s scope (`None`: another tenant, out of scope or no
/// such campaign), locked `FOR UPDATE OF c` when `lock`.
pub async fn fetch(tx: &mut Tx, user: &CurrentUser, id: i64, lock: bool) -> Result<Option<CampaignRow>, sqlx::Error> {
    let mut qb = QueryBuilder::<Postgres>::new("SELECT ");
    qb.push(COLUMNS).push(" WHERE c.tenant_id = ").push_bind(user.tenant_id).push(" AND c.id = ").push_bind(id);
    push_scope(&mut qb, user);
    if lock {
        qb.push(" FOR UPDATE OF c");
    }
    qb.build_query_as().fetch_optional(&mut **tx).await
}

/// The list's filter (codes already checked).
#[derive(Default)]
pub(super) struct Filter {
    pub phase: Option<&'static str>,
    pub kind: Option<Kind>,
    pub channel: Option<&'static str>,
    /// Campaigns whose dates overlap [from, to].
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub q: Option<String>,
    pub mine: bool,
    /// Approved campaigns the user (a told manager) has not acknowledged.
    pub ack_due: bool,
    /// Summaries of the user's department not yet reviewed.
    pub review_due: bool,
    /// Ended campaigns waiting for the user's summary (their own; a manager's
    /// department's).
    pub summary_due: bool,
}

fn push_filter(qb: &mut QueryBuilder<'_, Postgres>, user: &CurrentUser, f: &Filter) {
    qb.push(" WHERE c.tenant_id = ").push_bind(user.tenant_id);
    push_scope(qb, user);
    let today = user.today;
    match f.phase {
        None => {}
        Some("running") => {
            qb.push(" AND c.status = 'approved' AND c.starts_on <= ")
                .push_bind(today)
                .push(" AND c.ends_on >= ")
                .push_bind(today);
        }
        Some("ended") => {
            qb.push(" AND c.status = 'approved' AND c.ends_on < ").push_bind(today);
        }
        Some("approved") => {
            qb.push(" AND c.status = 'approved' AND c.starts_on > ").push_bind(today);
        }
        Some(code) => {
            qb.push(" AND c.status = ").push_bind(code);
        }
    }
    if let Some(k) = f.kind {
        qb.push(" AND c.kind = ").push_bind(k);
    }
    if let Some(ch) = f.channel {
        qb.push(" AND ").push_bind(ch).push(" = ANY (c.channels)");
    }
    if let Some(from) = f.from {
        qb.push(" AND c.ends_on >= ").push_bind(from);
    }
    if let Some(to) = f.to {
        qb.push(" AND c.starts_on <= ").push_bind(to);
    }
    if let Some(term) = &f.q {
        let pat = crate::db::like::contains(term);
        qb.push(" AND (c.theme ILIKE ")
            .push_bind(pat.clone())
            .push(" OR c.campaign_no ILIKE ")
            .push_bind(pat)
            .push(")");
    }
    if f.mine {
        qb.push(" AND c.drafted_by = ").push_bind(user.user_id);
    }
    if f.ack_due {
        push_ack_due(qb, user);
    }
    if f.summary_due {
        qb.push(" AND ");
        push_summary_due(qb, user);
    }
    if f.review_due {
        qb.push(" AND c.status = 'summarized' AND c.reviewed_at IS NULL AND c.department = ")
            .push_bind(user.dept.code());
    }
}

/// ` AND` the approved campaigns, not over, that `user` has neither acknowledged nor decided.
pub(super) fn push_ack_due(qb: &mut QueryBuilder<'_, Postgres>, user: &CurrentUser) {
    qb.push(" AND c.approved_at IS NOT NULL AND c.status NOT IN ('cancelled', 'summarized') AND c.ends_on >= ")
        .push_bind(user.today)
        .push(" AND c.manager_by IS DISTINCT FROM ")
        .push_bind(user.user_id)
        .push(" AND c.director_by IS DISTINCT FROM ")
        .push_bind(user.user_id)
        .push(" AND NOT EXISTS (SELECT 1 FROM campaign_acks k WHERE k.tenant_id = c.tenant_id AND k.campaign_id = c.id AND k.user_id = ")
        .push_bind(user.user_id)
        .push(")");
}

/// Whether `user` is the manager of a drafting department (approves, reviews).
fn manages(user: &CurrentUser) -> bool {
    user.level == crate::people::Level::Manager
        && super::drafting_dept(user).is_some()
        && user.can(crate::people::Action::CampaignsApprove)
}

/// Ended approved campaigns waiting for a summary: the drafter's own, and for a
/// manager their department's.
pub(super) fn push_summary_due(qb: &mut QueryBuilder<'_, Postgres>, user: &CurrentUser) {
    let drafts = super::drafting_dept(user).is_some() && user.can(crate::people::Action::CampaignsOperate);
    let dept = if manages(user) { user.dept.code() } else { "" };
    qb.push("(c.status = 'approved' AND c.ends_on < ").push_bind(user.today).push(" AND (c.drafted_by = ");
    qb.push_bind(if drafts { user.user_id } else { 0 }).push(" OR c.department = ").push_bind(dept).push("))");
}

/// One row of the list.
#[derive(Debug, sqlx::FromRow)]
pub struct ListRow {
    pub id: i64,
    pub campaign_no: String,
    pub theme: String,
    pub kind: Kind,
    pub channels: Vec<String>,
    pub budget_fen: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub department: String,
    pub status: CampaignStatus,
    pub short_notice: bool,
    pub drafter_name: String,
    pub cost_fen: i64,
    pub sales_fen: i64,
}

/// One page of the campaigns `user` sees, by start date (newest first), and the
/// count up to `count_limit`.
pub(super) async fn list(
    tx: &mut Tx,
    user: &CurrentUser,
    f: &Filter,
    limit: i64,
    offset: i64,
    count_limit: i64,
) -> Result<(Vec<ListRow>, i64), sqlx::Error> {
    let mut qb = QueryBuilder::<Postgres>::new(
        "SELECT c.id, c.campaign_no, c.theme, c.kind, c.channels, c.budget_fen, c.starts_on, c.ends_on, c.department,
                c.status, c.short_notice, d.display_name AS drafter_name,
                coalesce(m.cost_fen, 0)::bigint AS cost_fen, coalesce(m.sales_fen, 0)::bigint AS sales_fen
         FROM campaigns c
         JOIN users d ON d.tenant_id = c.tenant_id AND d.id = c.drafted_by
         LEFT JOIN LATERAL (SELECT sum(x.cost_fen) AS cost_fen, sum(x.sales_fen) AS sales_fen FROM campaign_metrics x
                            WHERE x.tenant_id = c.tenant_id AND x.campaign_id = c.id) m ON true",
    );
    push_filter(&mut qb, user, f);
    qb.push(" ORDER BY c.starts_on DESC, c.id DESC LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
    let rows: Vec<ListRow> = qb.build_query_as().fetch_all(&mut **tx).await?;
    let mut qb = crate::db::capped_count(count_limit, |qb| {
        qb.push(" FROM campaigns c");
        push_filter(qb, user, f);
    });
    let total: i64 = qb.build_query_scalar().fetch_one(&mut **tx).await?;
    Ok((rows, total))
}

/// Sums over every campaign the filter matches (not one page), in fen.
#[derive(Debug, Default, Clone, Copy, sqlx::FromRow)]
pub struct Totals {
    /// Σ `campaign_metrics.sales_fen`.
    pub sales_fen: i64,
    /// Σ `campaign_metrics.cost_fen`.
    pub cost_fen: i64,
    /// Σ `campaigns.budget_fen` (the current plan's budget, as the list shows).
    pub budget_fen: i64,
}

/// [`Totals`] of the campaigns `user` sees that `f` matches.
pub(super) async fn totals(tx: &mut Tx, user: &CurrentUser, f: &Filter) -> Result<Totals, sqlx::Error> {
    let mut qb = QueryBuilder::<Postgres>::new(
        "SELECT coalesce(sum(m.sales_fen), 0)::bigint AS sales_fen, coalesce(sum(m.cost_fen), 0)::bigint AS cost_fen,
                coalesce(sum(c.budget_fen), 0)::bigint AS budget_fen
         FROM campaigns c
         LEFT JOIN LATERAL (SELECT sum(x.cost_fen) AS cost_fen, sum(x.sales_fen) AS sales_fen FROM campaign_metrics x
                            WHERE x.tenant_id = c.tenant_id AND x.campaign_id = c.id) m ON true",
    );
    push_filter(&mut qb, user, f);
    qb.build_query_as().fetch_one(&mut **tx).await
}

/// The plan's fields as written by the draft and edit forms.
pub(super) struct Plan<'a> {
    pub theme: &'a str,
    pub kind: Kind,
    pub channels: Vec<String>,
    pub budget_fen: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub goal: &'a str,
    pub target_sales_fen: Option<i64>,
    pub place: &'a str,
    pub how_to_join: &'a str,
    pub product_ids: Vec<i64>,
}

pub(super) async fn insert(
    tx: &mut Tx,
    tenant_id: i64,
    department: &str,
    drafted_by: i64,
    p: &Plan<'_>,
) -> Result<(i64, String), sqlx::Error> {
    let n = crate::db::numbers::next(tx, tenant_id, "HD").await?;
    let no = crate::db::numbers::format("HD", n);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO campaigns (tenant_id, campaign_no, theme, kind, channels, budget_fen, starts_on, ends_on, goal,
                                target_sales_fen, place, how_to_join, department, drafted_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
    )
    .bind(tenant_id)
    .bind(&no)
    .bind(p.theme)
    .bind(p.kind)
    .bind(&p.channels)
    .bind(p.budget_fen)
    .bind(p.starts_on)
    .bind(p.ends_on)
    .bind(p.goal)
    .bind(p.target_sales_fen)
    .bind(p.place)
    .bind(p.how_to_join)
    .bind(department)
    .bind(drafted_by)
    .fetch_one(&mut **tx)
    .await?;
    set_products(tx, tenant_id, id, &p.product_ids).await?;
    Ok((id, no))
}

pub(super) async fn update(tx: &mut Tx, tenant_id: i64, id: i64, p: &Plan<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE campaigns SET theme = $3, kind = $4, channels = $5, budget_fen = $6, starts_on = $7, ends_on = $8,
                goal = $9, target_sales_fen = $10, place = $11, how_to_join = $12, updated_at = now()
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(p.theme)
    .bind(p.kind)
    .bind(&p.channels)
    .bind(p.budget_fen)
    .bind(p.starts_on)
    .bind(p.ends_on)
    .bind(p.goal)
    .bind(p.target_sales_fen)
    .bind(p.place)
    .bind(p.how_to_join)
    .execute(&mut **tx)
    .await?;
    set_products(tx, tenant_id, id, &p.product_ids).await
}

async fn set_products(tx: &mut Tx, tenant_id: i64, id: i64, product_ids: &[i64]) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM campaign_products WHERE tenant_id = $1 AND campaign_id = $2")
        .bind(tenant_id)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO campaign_products (tenant_id, campaign_id, product_id)
         SELECT $1, $2, p FROM unnest($3::bigint[]) p ON CONFLICT DO NOTHING",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(product_ids)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The products with these SKUs (id, sku, name, eliminated), in the tenant.
pub(super) async fn products_by_sku(
    tx: &mut Tx,
    tenant_id: i64,
    skus: &[String],
) -> Result<Vec<(i64, String, String, bool)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, sku, name, status = 'eliminated' FROM products WHERE tenant_id = $1 AND sku = ANY($2) ORDER BY sku",
    )
    .bind(tenant_id)
    .bind(skus)
    .fetch_all(&mut **tx)
    .await
}

/// A campaign's products (id, sku, name).
pub(super) async fn products(tx: &mut Tx, tenant_id: i64, id: i64) -> Result<Vec<(i64, String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT p.id, p.sku, p.name FROM campaign_products cp JOIN products p ON p.tenant_id = cp.tenant_id AND p.id = cp.product_id
         WHERE cp.tenant_id = $1 AND cp.campaign_id = $2 ORDER BY p.sku",
    )
    .bind(tenant_id)
    .bind(id)
    .fetch_all(&mut **tx)
    .await
}

/// Other live campaigns at the same time on one of `id`'s products: (their id,
/// number, theme, the SKUs shared), for the overlap warning.
pub(super) async fn overlaps(
    tx: &mut Tx,
    tenant_id: i64,
    c: &CampaignRow,
) -> Result<Vec<(i64, String, String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT o.id, o.campaign_no, o.theme, string_agg(p.sku, '、' ORDER BY p.sku)
         FROM campaign_products mine
         JOIN campaign_products theirs ON theirs.tenant_id = mine.tenant_id AND theirs.product_id = mine.product_id
              AND theirs.campaign_id <> mine.campaign_id
         JOIN campaigns o ON o.tenant_id = theirs.tenant_id AND o.id = theirs.campaign_id
         JOIN products p ON p.tenant_id = mine.tenant_id AND p.id = mine.product_id
         WHERE mine.tenant_id = $1 AND mine.campaign_id = $2 AND o.approved_at IS NOT NULL
           AND o.status NOT IN ('cancelled') AND o.starts_on <= $4 AND o.ends_on >= $3
         GROUP BY o.id, o.campaign_no, o.theme ORDER BY o.id",
    )
    .bind(tenant_id)
    .bind(c.id)
    .bind(c.starts_on)
    .bind(c.ends_on)
    .fetch_all(&mut **tx)
    .await
}

/// One step of the timeline.
pub(super) async fn event(
    tx: &mut Tx,
    user: &CurrentUser,
    campaign_id: i64,
    kind: &str,
    note: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO campaign_events (tenant_id, campaign_id, kind, actor_id, actor_name, note)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(user.tenant_id)
    .bind(campaign_id)
    .bind(kind)
    .bind(user.user_id)
    .bind(&user.display_name)
    .bind(note)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The timeline: (kind, who, note, when), oldest first.
pub(super) async fn timeline(
    tx: &mut Tx,
    tenant_id: i64,
    id: i64,
) -> Result<Vec<(String, String, String, DateTime<Utc>)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT kind, actor_name, note, at FROM campaign_events WHERE tenant_id = $1 AND campaign_id = $2 ORDER BY id",
    )
    .bind(tenant_id)
    .bind(id)
    .fetch_all(&mut **tx)
    .await
}
