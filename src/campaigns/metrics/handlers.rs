//! The daily results' requests: their page, the entry form and the CSV.

use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::Deserialize;
use serde_json::json;

use super::repo::{self, NewMetrics, Written};
use super::views::{self, EntryForm, MetricsPage};
use super::{channel, count, may_enter, money, oddities, CampaignRef, Totals, FILE_HEADER};
use crate::audit::{self, Entry};
use crate::error::{AppError, AppResult};
use crate::people::Action;
use crate::web::pending::id_segment;
use crate::web::{csv, Ctx, Flash, RequestMeta};

/// `GET /campaigns/{id}/metrics`: the daily results of a campaign the user sees.
/// `?page=`: the page of the daily table.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    pub page: Option<i64>,
}

pub async fn page(mut cx: Ctx, Path(raw_id): Path<String>, Query(q): Query<PageQuery>) -> AppResult<Response> {
    let id = id_segment(&raw_id)?;
    let mut tx = cx.begin().await?;
    let c = repo::fetch(&mut tx, &cx.user, id, false).await?.ok_or(AppError::NotFound)?;
    let metrics = super::section(&mut tx, &cx.user, &c, q.page).await?;
    tx.commit().await?;
    let chrome = cx.chrome(format!("活动 {} · 每日数据", c.campaign_no), "/campaigns");
    Ok(MetricsPage { chrome, metrics }.into_response())
}

/// The entry form's fields (others, such as the CSRF token, ignored).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct EntryFields {
    pub day: String,
    pub channel: String,
    pub exposure: String,
    pub clicks: String,
    pub conversions: String,
    pub participants: String,
    pub sales: String,
    pub cost: String,
}

/// The form checked against the campaign on `today`: the row to write, or the
/// form as typed with its messages.
fn check(c: &CampaignRef, today: chrono::NaiveDate, f: &EntryFields) -> Result<NewMetrics, Box<EntryForm>> {
    let t = |s: &str| s.trim().to_owned();
    let mut form = EntryForm {
        day: t(&f.day),
        channel: t(&f.channel),
        exposure: t(&f.exposure),
        clicks: t(&f.clicks),
        conversions: t(&f.conversions),
        participants: t(&f.participants),
        sales: t(&f.sales),
        cost: t(&f.cost),
        ..EntryForm::blank(c, today)
    };
    let errors = &mut form.errors;
    let day = match crate::input::parse_date(&form.day) {
        Ok(day) => c.check_day(day, today).map(|()| day).map_err(|e| errors.add("day", e)).ok(),
        Err(_) if form.day.is_empty() => {
            errors.add("day", "请填写日期");
            None
        }
        Err(e) => {
            errors.add("day", e);
            None
        }
    };
    let ch = channel(&form.channel)
        .and_then(|ch| c.check_channel(ch).map(|()| ch))
        .map_err(|e| errors.add("channel", e))
        .ok();
    let mut n = |value: &str, field: &'static str| count(value).map_err(|e| errors.add(field, e)).unwrap_or(0);
    let (exposure, clicks) = (n(&form.exposure, "exposure"), n(&form.clicks, "clicks"));
    let (conversions, participants) = (n(&form.conversions, "conversions"), n(&form.participants, "participants"));
    let mut m = |value: &str, field: &'static str| money(value).map_err(|e| errors.add(field, e)).unwrap_or(0);
    let (sales_fen, cost_fen) = (m(&form.sales, "sales"), m(&form.cost, "cost"));
    match (day, ch) {
        (Some(day), Some(ch)) if form.errors.is_empty() => Ok(NewMetrics {
            campaign_id: c.id,
            day,
            channel: ch.code(),
            values: Totals { exposure, clicks, conversions, participants, sales_fen, cost_fen },
        }),
        _ => Err(Box::new(form)),
    }
}

fn values_json(t: &Totals) -> serde_json::Value {
    json!({"exposure": t.exposure, "clicks": t.clicks, "conversions": t.conversions, "participants": t.participants,
           "sales_fen": t.sales_fen, "cost_fen": t.cost_fen})
}

/// `POST /campaigns/{id}/metrics`: one day and channel upserted — with its
/// `metrics` event and audit row, in one transaction — then back to the campaign
/// (303). 403 for whoever may not enter results of the campaign's department,
/// 404 outside the scope, 409 when the campaign takes no results (summarized, not
/// approved, not started yet), 422 with the form as typed and nothing written for
/// bad input (a day outside the window among it).
pub async fn enter(
    mut cx: Ctx,
    meta: RequestMeta,
    Path(raw_id): Path<String>,
    Form(fields): Form<EntryFields>,
) -> AppResult<Response> {
    cx.require(Action::CampaignsOperate)?;
    let id = id_segment(&raw_id)?;
    let mut tx = cx.begin().await?;
    let c = repo::fetch(&mut tx, &cx.user, id, true).await?.ok_or(AppError::NotFound)?;
    if !may_enter(&cx.user, &c.department) {
        return Err(AppError::Forbidden);
    }
    c.open().map_err(|why| AppError::Conflict(why.message(&c.campaign_no)))?;
    if c.window(cx.user.today).is_none() {
        let why = format!("活动 {} 于 {} 开始，开始前不能录入数据", c.campaign_no, c.starts_on);
        return Err(AppError::Conflict(why));
    }
    let row = match check(&c, cx.user.today, &fields) {
        Ok(row) => row,
        Err(form) => {
            let metrics = views::build(&mut tx, &cx.user, &c, *form, None).await?;
            tx.rollback().await?;
            let chrome = cx.chrome(format!("活动 {} · 每日数据", c.campaign_no), "/campaigns");
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, MetricsPage { chrome, metrics }).into_response());
        }
    };
    let tid = cx.user.tenant_id;
    let before = repo::stored(&mut tx, tid, &[(c.id, row.day, row.channel)]).await?.pop().flatten();
    let written = repo::upsert(&mut tx, tid, std::slice::from_ref(&row), Some(cx.user.user_id)).await?;
    let label = super::channel_label(row.channel);
    let back = format!("/campaigns/{}", c.id);
    if written.first() == Some(&Written::Unchanged) {
        tx.commit().await?;
        return Ok(Flash::success(format!("{} {label} 的数据与已保存的相同，未作修改。", row.day)).redirect(&back));
    }
    let v = &row.values;
    let note = format!(
        "{} {label}：曝光 {}，点击 {}，转化 {}，参与 {}，销售额 {} 元，花费 {} 元",
        row.day,
        v.exposure,
        v.clicks,
        v.conversions,
        v.participants,
        crate::rules::Fen(v.sales_fen),
        crate::rules::Fen(v.cost_fen)
    );
    let author = format!("{}（{}）", cx.user.display_name, cx.user.username);
    repo::event(&mut tx, tid, c.id, (Some(cx.user.user_id), &author), &note).await?;
    let after = json!({"campaign_no": c.campaign_no, "day": row.day, "channel": row.channel, "values": values_json(v)});
    let before = before.map(
        |b| json!({"campaign_no": c.campaign_no, "day": row.day, "channel": row.channel, "values": values_json(&b)}),
    );
    let summary = format!("活动 {} 每日数据 {note}", c.campaign_no);
    audit::by_user(&mut tx, &cx.user, &meta, Entry::step("campaign.metrics", "campaign", c.id, summary, before, after))
        .await?;
    tx.commit().await?;
    let odd = oddities(v);
    let mut message = format!("已保存 {} {label} 的数据。", row.day);
    if !odd.is_empty() {
        message.push_str(&format!("注意：{}（已照常保存）。", odd.join("，")));
    }
    Ok(Flash::success(message).redirect(&back))
}

/// `GET /campaigns/{id}/metrics.csv`: the campaign's daily results, one row per
/// day and channel, in the import file's format (money in yuan), so an export
/// edited in a spreadsheet can be imported again.
pub async fn export(cx: Ctx, Path(raw_id): Path<String>) -> AppResult<Response> {
    let id = id_segment(&raw_id)?;
    let mut tx = cx.begin().await?;
    let c = repo::fetch(&mut tx, &cx.user, id, false).await?.ok_or(AppError::NotFound)?;
    let rows = repo::rows(&mut tx, cx.user.tenant_id, c.id).await?;
    tx.commit().await?;
    let body = csv::build(
        FILE_HEADER,
        rows.iter().map(|r| {
            let v = &r.values;
            [
                c.campaign_no.clone(),
                r.day.to_string(),
                r.channel.clone(),
                v.exposure.to_string(),
                v.clicks.to_string(),
                v.conversions.to_string(),
                v.participants.to_string(),
                crate::rules::Fen(v.sales_fen).to_string(),
                crate::rules::Fen(v.cost_fen).to_string(),
            ]
        }),
    )?;
    Ok(csv::download(&format!("{}-metrics.csv", c.campaign_no), body))
}
