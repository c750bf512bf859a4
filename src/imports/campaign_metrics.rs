//! The campaign metrics file (CONTRACT.md "Import files", `campaign metrics`):
//! `campaign_no,date,channel,exposure,clicks,conversions,participants,sales,cost`,
//! one row per campaign, day and channel, read by the one reader (UTF-8 or GBK,
//! BOM, CRLF, physical line numbers). `yunying import campaign-metrics` and the web
//! upload (`upload::campaign_metrics`) both run [`parse`], then [`check`] against
//! the database, then [`apply`]: all or nothing, every error naming its line.
//!
//! - A row's campaign must exist and take results (stored status `approved`; a
//!   `summarized` one is read-only), its day be from the campaign's start to the
//!   earlier of its end and today (the tenant's), its channel one of the
//!   campaign's (its code or Chinese name); counts are integers ≥ 0, money yuan
//!   with at most two decimals. One (campaign, day, channel) twice in a file is an
//!   error naming both lines. More clicks than exposure, or more conversions than
//!   clicks, is imported as it is and counted in the summary (platform exports
//!   disagree with themselves; see docs/decisions.md).
//! - Rows are upserted by campaign, day and channel; a row whose figures are
//!   already stored is left alone, so importing the same file twice changes no
//!   figure the second time. Every import, a repeated one too, writes one audit
//!   row with its counts (new, updated, unchanged); each campaign whose figures
//!   changed gets one `metrics` event on its timeline.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use chrono::NaiveDate;
use serde_json::json;

use super::{Collector, ImportErrors, ImportFailure, Row};
use crate::audit::Actor;
use crate::campaigns::metrics::repo::{self, NewMetrics, Written};
use crate::campaigns::metrics::{self, may_enter, oddities, CampaignRef, Channel, Totals, FILE_HEADER};
use crate::db::Tx;
use crate::people::tenants::TenantSettings;
use crate::web::CurrentUser;

/// One row of the file, checked on its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetricsIn {
    pub line: u64,
    pub campaign_no: String,
    pub day: NaiveDate,
    pub channel: Channel,
    pub values: Totals,
}

fn campaign_no(s: &str) -> Result<String, String> {
    let digits = s.strip_prefix("HD-").unwrap_or_default();
    if s.is_empty() {
        Err("不能为空".into())
    } else if digits.len() >= 6 && digits.len() <= 18 && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s.to_owned())
    } else {
        Err(format!("“{s}”不是有效活动编号（如 HD-000001）"))
    }
}

/// Read and check `bytes` as a metrics file named `file`: every row, or every
/// error by line and field.
pub fn parse(file: &str, bytes: &[u8]) -> Result<Vec<MetricsIn>, ImportErrors> {
    let rows = super::read(file, bytes, FILE_HEADER)?;
    let mut c = Collector::new();
    let mut out = Vec::with_capacity(rows.len());
    let mut seen: HashMap<(String, NaiveDate, Channel), u64> = HashMap::new();
    for row in &rows {
        if let Some(m) = row_of(&mut c, row) {
            match seen.get(&(m.campaign_no.clone(), m.day, m.channel)) {
                Some(first) => c.add(
                    row.line,
                    None,
                    format!(
                        "与第 {first} 行重复（同一活动 {}、日期 {} 和渠道「{}」只能有一行）",
                        m.campaign_no,
                        m.day,
                        m.channel.label()
                    ),
                ),
                None => {
                    seen.insert((m.campaign_no.clone(), m.day, m.channel), row.line);
                    out.push(m);
                }
            }
        }
    }
    if rows.is_empty() {
        c.add(1, None, "文件只有表头，没有数据行");
    }
    c.finish(file, out)
}

fn row_of(c: &mut Collector, row: &Row) -> Option<MetricsIn> {
    let no = c.cell(row, 0, "campaign_no", campaign_no);
    let day = c.cell(row, 1, "date", crate::input::parse_date);
    let channel = c.cell(row, 2, "channel", metrics::channel);
    let mut n = |i: usize| c.cell(row, i, FILE_HEADER[i], metrics::count);
    let (exposure, clicks, conversions, participants) = (n(3), n(4), n(5), n(6));
    let sales = c.cell(row, 7, "sales", metrics::money);
    let cost = c.cell(row, 8, "cost", metrics::money);
    Some(MetricsIn {
        line: row.line,
        campaign_no: no?,
        day: day?,
        channel: channel?,
        values: Totals {
            exposure: exposure?,
            clicks: clicks?,
            conversions: conversions?,
            participants: participants?,
            sales_fen: sales?,
            cost_fen: cost?,
        },
    })
}

/// What importing a checked file does (or would do).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MetricsSummary {
    pub inserted: u64,
    pub updated: u64,
    /// Rows whose figures were stored already: left alone.
    pub unchanged: u64,
    /// Campaigns the file has rows of.
    pub campaigns: u64,
    /// Rows with more clicks than exposure or more conversions than clicks.
    pub odd: u64,
}

impl fmt::Display for MetricsSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} new, {} updated, {} unchanged rows of {} campaign{}",
            self.inserted,
            self.updated,
            self.unchanged,
            self.campaigns,
            if self.campaigns == 1 { "" } else { "s" }
        )?;
        if self.odd > 0 {
            write!(f, "; {} rows with more clicks than exposure or conversions than clicks", self.odd)?;
        }
        Ok(())
    }
}

/// The rows of a file checked against the database, ready to write.
#[derive(Clone, Debug)]
pub struct Checked {
    pub rows: Vec<NewMetrics>,
    /// The campaigns of the rows (locked `FOR SHARE` until the transaction ends).
    pub campaigns: Vec<CampaignRef>,
    /// What writing them would do, as the database stands now.
    pub plan: MetricsSummary,
}

/// The tenant's today (its time zone): the last day metrics may be for.
pub async fn tenant_today(tx: &mut Tx, tenant_id: i64) -> Result<NaiveDate, sqlx::Error> {
    let settings: serde_json::Value =
        sqlx::query_scalar("SELECT settings FROM tenants WHERE id = $1").bind(tenant_id).fetch_one(&mut **tx).await?;
    Ok(TenantSettings::from_json(settings).time_zone.today())
}

/// Check parsed `rows` of `file` against the tenant's campaigns on `today`, as
/// `user` (the web upload: only campaigns they may enter results of) or the
/// command line (`None`: any campaign of the tenant). Writes nothing.
pub async fn check(
    tx: &mut Tx,
    tenant_id: i64,
    file: &str,
    rows: &[MetricsIn],
    today: NaiveDate,
    user: Option<&CurrentUser>,
) -> Result<Checked, ImportFailure> {
    let mut numbers: Vec<String> = rows.iter().map(|r| r.campaign_no.clone()).collect();
    numbers.sort();
    numbers.dedup();
    let found = repo::by_numbers(tx, tenant_id, &numbers).await?;
    let by_no: HashMap<&str, &CampaignRef> = found.iter().map(|c| (c.campaign_no.as_str(), c)).collect();
    let mut c = Collector::new();
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let campaign = by_no.get(r.campaign_no.as_str()).filter(|c| user.is_none_or(|u| may_enter(u, &c.department)));
        let Some(campaign) = campaign else {
            let why = match user {
                Some(_) => format!("活动 {} 不存在，或您无权录入它的数据", r.campaign_no),
                None => format!("活动 {} 不存在", r.campaign_no),
            };
            c.add(r.line, Some("campaign_no"), why);
            continue;
        };
        if let Err(why) = campaign.open() {
            c.add(r.line, Some("campaign_no"), why.message(&campaign.campaign_no));
            continue;
        }
        if let Err(e) = campaign.check_day(r.day, today) {
            c.add(r.line, Some("date"), e);
        }
        if let Err(e) = campaign.check_channel(r.channel) {
            c.add(r.line, Some("channel"), e);
        }
        out.push(NewMetrics { campaign_id: campaign.id, day: r.day, channel: r.channel.code(), values: r.values });
    }
    let out = c.finish(file, out)?;
    let keys: Vec<(i64, NaiveDate, &str)> = out.iter().map(|r| (r.campaign_id, r.day, r.channel)).collect();
    let stored = repo::stored(tx, tenant_id, &keys).await?;
    let mut plan = MetricsSummary { campaigns: by_no.len() as u64, ..MetricsSummary::default() };
    for (r, s) in out.iter().zip(&stored) {
        match s {
            None => plan.inserted += 1,
            Some(s) if *s == r.values => plan.unchanged += 1,
            Some(_) => plan.updated += 1,
        }
        plan.odd += u64::from(!oddities(&r.values).is_empty());
    }
    Ok(Checked { rows: out, campaigns: found, plan })
}

/// [`check`], then upsert the rows in the caller's transaction: a `metrics`
/// event for each campaign whose figures changed, and one audit row for the
/// import (`import.campaign_metrics`, with its counts), even when nothing changed.
pub async fn apply(
    tx: &mut Tx,
    tenant_id: i64,
    actor: &Actor,
    file: &str,
    rows: &[MetricsIn],
    today: NaiveDate,
    user: Option<&CurrentUser>,
) -> Result<MetricsSummary, ImportFailure> {
    let checked = check(tx, tenant_id, file, rows, today, user).await?;
    let written = repo::upsert(tx, tenant_id, &checked.rows, actor.user_id).await?;
    let mut summary = MetricsSummary { campaigns: checked.plan.campaigns, odd: checked.plan.odd, ..Default::default() };
    let mut changed: BTreeMap<i64, (u64, u64)> = BTreeMap::new();
    for (r, w) in checked.rows.iter().zip(&written) {
        let slot = changed.entry(r.campaign_id).or_default();
        match w {
            Written::Inserted => {
                summary.inserted += 1;
                slot.0 += 1;
            }
            Written::Updated => {
                summary.updated += 1;
                slot.1 += 1;
            }
            Written::Unchanged => summary.unchanged += 1,
        }
    }
    for (campaign_id, (inserted, updated)) in changed.into_iter().filter(|(_, (i, u))| i + u > 0) {
        let note = format!("导入每日数据（{file}）：新增 {inserted} 行，更新 {updated} 行");
        repo::event(tx, tenant_id, campaign_id, (actor.user_id, &actor.name), &note).await?;
    }
    let counts = super::Summary { inserted: summary.inserted, updated: summary.updated };
    let numbers: Vec<&str> = checked.campaigns.iter().map(|c| c.campaign_no.as_str()).collect();
    let extra = json!({"unchanged": summary.unchanged, "campaigns": numbers, "odd": summary.odd});
    super::record(tx, tenant_id, actor, ("import.campaign_metrics", "活动每日数据"), file, counts, extra).await?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: &str = "campaign_no,date,channel,exposure,clicks,conversions,participants,sales,cost";

    #[test]
    fn rows_are_checked_by_line_and_field() {
        let text = format!(
            "{H}\r\nHD-000001,2026-12-01,taobao,1000,50,5,8,1234.50,300\r\nHD-000001,2026-12-01,抖音,10,20,30,0,0,0.5\r\n"
        );
        let rows = parse("m.csv", text.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].line, rows[0].channel, rows[0].values.sales_fen), (2, Channel::Taobao, 123_450));
        assert_eq!((rows[1].line, rows[1].channel, rows[1].values.cost_fen), (3, Channel::Douyin, 50));
        let bad = format!(
            "{H}\nHD-1,2026-02-30,tmall,-1,1.5,x,,1.234,-2\nHD-000001,2026-12-01,taobao,1,1,1,1,1,1\n\
             HD-000001,2026-12-01,淘宝,2,2,2,2,2,2\n"
        );
        let err = parse("m.csv", bad.as_bytes()).unwrap_err();
        let got: Vec<(u64, Option<&str>)> = err.errors.iter().map(|e| (e.line, e.field)).collect();
        assert_eq!(
            got,
            [
                (2, Some("campaign_no")),
                (2, Some("date")),
                (2, Some("channel")),
                (2, Some("exposure")),
                (2, Some("clicks")),
                (2, Some("conversions")),
                (2, Some("participants")),
                (2, Some("sales")),
                (2, Some("cost")),
                (4, None),
            ]
        );
        assert!(err.errors[9].message.contains("与第 3 行重复"), "{}", err.errors[9].message);
        assert!(parse("m.csv", format!("{H}\n").as_bytes()).unwrap_err().errors[0].message.contains("只有表头"));
    }

    #[test]
    fn gbk_and_crlf_keep_their_line_numbers() {
        let text =
            format!("{H}\r\nHD-000001,2026-12-01,淘宝,1,1,1,1,1,1\r\n\r\nHD-000001,2026-12-02,京东东,1,1,1,1,1,1\r\n");
        let (gbk, _, unmappable) = encoding_rs::GBK.encode(&text);
        assert!(!unmappable && std::str::from_utf8(&gbk).is_err());
        let err = parse("m.csv", &gbk).unwrap_err();
        assert_eq!((err.errors[0].line, err.errors[0].field), (4, Some("channel")), "{err}");
        assert!(err.errors[0].message.contains("京东东"), "decoded: {err}");
    }

    #[test]
    fn summaries_say_what_was_done() {
        let s = MetricsSummary { inserted: 3, updated: 1, unchanged: 2, campaigns: 1, odd: 0 };
        assert_eq!(s.to_string(), "3 new, 1 updated, 2 unchanged rows of 1 campaign");
        assert!(MetricsSummary { odd: 1, ..s }.to_string().contains("1 rows with more clicks"));
    }
}
