//! All the SQL of the daily results: the campaign as they need it (in the user's
//! scope, or by number for an import), the upsert by campaign, day and channel,
//! the timeline event, the rows of the page and the CSV, and the reconciliation
//! with the orders tagged with the campaign.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::{CampaignRef, Totals, Visibility};
use crate::db::Tx;
use crate::web::CurrentUser;

const CAMPAIGN_COLUMNS: &str =
    "id, campaign_no, department, status, approved_at IS NOT NULL, budget_fen, starts_on, ends_on, channels";

type CampaignRow = (i64, String, String, String, bool, i64, NaiveDate, NaiveDate, Vec<String>);

fn campaign_of(r: CampaignRow) -> CampaignRef {
    let (id, campaign_no, department, status, ever_approved, budget_fen, starts_on, ends_on, channels) = r;
    CampaignRef { id, campaign_no, department, status, ever_approved, budget_fen, starts_on, ends_on, channels }
}

/// Campaign `id` if `user` sees it (`Visibility`), `None` otherwise (a 404);
/// `lock`: its row locked against a concurrent change of state (`FOR SHARE`:
/// results entered while it is summarized wait for that, then see it).
pub async fn fetch(tx: &mut Tx, user: &CurrentUser, id: i64, lock: bool) -> Result<Option<CampaignRef>, sqlx::Error> {
    let v = Visibility::of(user);
    if v.none() {
        return Ok(None);
    }
    let sql = format!(
        "SELECT {CAMPAIGN_COLUMNS} FROM campaigns
         WHERE tenant_id = $1 AND id = $2
           AND ($3 OR department = $4 OR ($5 AND approved_at IS NOT NULL)){}",
        if lock { " FOR SHARE" } else { "" }
    );
    let row: Option<CampaignRow> = sqlx::query_as(&sql)
        .bind(user.tenant_id)
        .bind(id)
        .bind(v.all)
        .bind(v.department.unwrap_or(""))
        .bind(v.approved)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.map(campaign_of))
}

/// The campaigns of `numbers` (an import's), each row locked `FOR SHARE` (in id
/// order), whatever the scope: the import checks who may write to which.
pub async fn by_numbers(tx: &mut Tx, tenant_id: i64, numbers: &[String]) -> Result<Vec<CampaignRef>, sqlx::Error> {
    let sql = format!(
        "SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE tenant_id = $1 AND campaign_no = ANY($2) ORDER BY id FOR SHARE"
    );
    let rows: Vec<CampaignRow> = sqlx::query_as(&sql).bind(tenant_id).bind(numbers).fetch_all(&mut **tx).await?;
    Ok(rows.into_iter().map(campaign_of).collect())
}

/// One day and channel of a campaign, to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewMetrics {
    pub campaign_id: i64,
    pub day: NaiveDate,
    pub channel: &'static str,
    pub values: Totals,
}

/// What an upsert did to one row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Written {
    Inserted,
    Updated,
    /// The same figures were there: nothing written.
    Unchanged,
}

/// Upsert `rows` by (campaign, day, channel) as `user_id`: a row whose figures
/// are already those is left as it is (its `updated_at` too). For each row, in
/// order, what happened. The rows must not repeat a (campaign, day, channel).
pub async fn upsert(
    tx: &mut Tx,
    tenant_id: i64,
    rows: &[NewMetrics],
    user_id: Option<i64>,
) -> Result<Vec<Written>, sqlx::Error> {
    let mut out = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(5_000) {
        let col = |f: fn(&Totals) -> i64| chunk.iter().map(|r| f(&r.values)).collect::<Vec<i64>>();
        let returned: Vec<(i64, NaiveDate, String, bool)> = sqlx::query_as(
            "INSERT INTO campaign_metrics AS m (tenant_id, campaign_id, day, channel, exposure, clicks, conversions,
                                               participants, sales_fen, cost_fen, updated_by)
             SELECT $1, c, d, ch, e, k, v, p, s, o, $11
             FROM UNNEST($2::bigint[], $3::date[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[],
                         $8::bigint[], $9::bigint[], $10::bigint[]) AS x(c, d, ch, e, k, v, p, s, o)
             ON CONFLICT (tenant_id, campaign_id, day, channel) DO UPDATE
                SET exposure = EXCLUDED.exposure, clicks = EXCLUDED.clicks, conversions = EXCLUDED.conversions,
                    participants = EXCLUDED.participants, sales_fen = EXCLUDED.sales_fen,
                    cost_fen = EXCLUDED.cost_fen, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
                WHERE (m.exposure, m.clicks, m.conversions, m.participants, m.sales_fen, m.cost_fen)
                      IS DISTINCT FROM (EXCLUDED.exposure, EXCLUDED.clicks, EXCLUDED.conversions,
                                        EXCLUDED.participants, EXCLUDED.sales_fen, EXCLUDED.cost_fen)
             RETURNING m.campaign_id, m.day, m.channel, m.xmax = 0",
        )
        .bind(tenant_id)
        .bind(chunk.iter().map(|r| r.campaign_id).collect::<Vec<_>>())
        .bind(chunk.iter().map(|r| r.day).collect::<Vec<_>>())
        .bind(chunk.iter().map(|r| r.channel).collect::<Vec<_>>())
        .bind(col(|t| t.exposure))
        .bind(col(|t| t.clicks))
        .bind(col(|t| t.conversions))
        .bind(col(|t| t.participants))
        .bind(col(|t| t.sales_fen))
        .bind(col(|t| t.cost_fen))
        .bind(user_id)
        .fetch_all(&mut **tx)
        .await?;
        // A row left unchanged returns nothing; the others come in no promised order.
        let fate: HashMap<(i64, NaiveDate, String), bool> =
            returned.into_iter().map(|(c, d, ch, inserted)| ((c, d, ch), inserted)).collect();
        out.extend(chunk.iter().map(|r| match fate.get(&(r.campaign_id, r.day, r.channel.to_owned())) {
            Some(true) => Written::Inserted,
            Some(false) => Written::Updated,
            None => Written::Unchanged,
        }));
    }
    Ok(out)
}

/// The figures stored for these (campaign, day, channel), in the order asked
/// (`None`: no row yet).
pub async fn stored(
    tx: &mut Tx,
    tenant_id: i64,
    keys: &[(i64, NaiveDate, &str)],
) -> Result<Vec<Option<Totals>>, sqlx::Error> {
    let rows: Vec<(i64, i64, i64, i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT x.n, m.exposure, m.clicks, m.conversions, m.participants, m.sales_fen, m.cost_fen
         FROM UNNEST($2::bigint[], $3::date[], $4::text[]) WITH ORDINALITY AS x(c, d, ch, n)
         JOIN campaign_metrics m ON m.tenant_id = $1 AND m.campaign_id = x.c AND m.day = x.d AND m.channel = x.ch",
    )
    .bind(tenant_id)
    .bind(keys.iter().map(|k| k.0).collect::<Vec<_>>())
    .bind(keys.iter().map(|k| k.1).collect::<Vec<_>>())
    .bind(keys.iter().map(|k| k.2).collect::<Vec<_>>())
    .fetch_all(&mut **tx)
    .await?;
    let mut out = vec![None; keys.len()];
    for (n, exposure, clicks, conversions, participants, sales_fen, cost_fen) in rows {
        if let Some(slot) = usize::try_from(n - 1).ok().and_then(|i| out.get_mut(i)) {
            *slot = Some(Totals { exposure, clicks, conversions, participants, sales_fen, cost_fen });
        }
    }
    Ok(out)
}

/// A `metrics` event on the campaign's timeline.
pub async fn event(
    tx: &mut Tx,
    tenant_id: i64,
    campaign_id: i64,
    actor: (Option<i64>, &str),
    note: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO campaign_events (tenant_id, campaign_id, kind, actor_id, actor_name, note)
         VALUES ($1, $2, 'metrics', $3, $4, $5)",
    )
    .bind(tenant_id)
    .bind(campaign_id)
    .bind(actor.0)
    .bind(actor.1)
    .bind(note.chars().take(4000).collect::<String>())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One stored row: a day and channel with its figures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetricsRow {
    pub day: NaiveDate,
    pub channel: String,
    pub values: Totals,
}

/// A day, a channel and its six figures, as read.
type StoredRow = (NaiveDate, String, i64, i64, i64, i64, i64, i64);

/// Every row of the campaign, by day then channel.
pub async fn rows(tx: &mut Tx, tenant_id: i64, campaign_id: i64) -> Result<Vec<MetricsRow>, sqlx::Error> {
    let rows: Vec<StoredRow> = sqlx::query_as(
        "SELECT day, channel, exposure, clicks, conversions, participants, sales_fen, cost_fen
         FROM campaign_metrics WHERE tenant_id = $1 AND campaign_id = $2 ORDER BY day, channel",
    )
    .bind(tenant_id)
    .bind(campaign_id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(day, channel, exposure, clicks, conversions, participants, sales_fen, cost_fen)| MetricsRow {
            day,
            channel,
            values: Totals { exposure, clicks, conversions, participants, sales_fen, cost_fen },
        })
        .collect())
}

/// The real orders of a campaign over its dates, as the reconciliation counts them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OrderFigures {
    /// Paid orders tagged with the campaign, ordered in its dates, not cancelled.
    pub orders: i64,
    pub paid_fen: i64,
    /// Their refunds paid back (`done`), whenever they were.
    pub refunds: i64,
    pub refunded_fen: i64,
}

/// The orders tagged with `campaign_id` placed on the local days `from ..= to`
/// that are paid and not cancelled, and their done refunds: the campaign's rows of
/// the daily rollup (migration 0035, `campaign_days`: bucketed by the day each
/// order was placed, kept in the transaction of every order and refund change).
pub async fn order_figures(
    tx: &mut Tx,
    tenant_id: i64,
    campaign_id: i64,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<OrderFigures, sqlx::Error> {
    let (orders, paid_fen, refunds, refunded_fen): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT coalesce(sum(orders), 0)::bigint, coalesce(sum(paid_fen), 0)::bigint,
                coalesce(sum(refunds), 0)::bigint, coalesce(sum(refund_fen), 0)::bigint
         FROM campaign_days WHERE tenant_id = $1 AND campaign_id = $2 AND day BETWEEN $3 AND $4",
    )
    .bind(tenant_id)
    .bind(campaign_id)
    .bind(from)
    .bind(to)
    .fetch_one(&mut **tx)
    .await?;
    Ok(OrderFigures { orders, paid_fen, refunds, refunded_fen })
}
