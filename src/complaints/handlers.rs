//! The complaints list, its CSV, the record page, and logging a complaint. The
//! steps that follow (reply, note, resolve, close, reopen) are in `steps`.

use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use chrono::{DateTime, Utc};
use serde_json::json;

use super::clock::{self, Sla, Times};
use super::codes::{Category, Channel, EventKind, Severity};
use super::flow::Status;
use super::input::{choice, received_at, text};
use super::repo::{self, ComplaintRow, Filter, NewComplaint};
use super::scope;
use super::views::{EventView, ListPage, ListQuery, ListRow, NewForm, NewPage, ShowPage, StepForm};
use crate::audit::{self, Entry};
use crate::db::{numbers, Tx};
use crate::error::{AppError, AppResult};
use crate::people::Action;
use crate::tz::TimeZone;
use crate::web::forms::non_empty;
use crate::web::pagination::query_string;
use crate::web::{Ctx, FieldErrors, Flash, Pager, RequestMeta};

/// `clock` is `sla` by another name: the query with the two merged into `sla`
/// (400 when they disagree).
fn merged(mut q: ListQuery) -> AppResult<ListQuery> {
    let clock = std::mem::take(&mut q.clock);
    match (non_empty(&q.sla), non_empty(&clock)) {
        (_, None) => {}
        (None, Some(c)) => q.sla = c.to_owned(),
        (Some(s), Some(c)) if s == c => {}
        (Some(s), Some(c)) => {
            return Err(AppError::BadRequest(format!("clock“{c}”与响应时效“{s}”不一致（两者只需填一个）")));
        }
    }
    Ok(q)
}

/// An optional instant: where a range starts, or ends (exclusive).
type Bound = Option<DateTime<Utc>>;

/// The instants from the local midnight starting `from` to the one ending `to`
/// (both days included), from the `received_from`/`received_to` parameters (400
/// naming a bad one).
fn received_range(tz: TimeZone, from: &str, to: &str) -> AppResult<(Bound, Bound)> {
    let day = |raw: &str, what: &str| -> AppResult<Option<chrono::NaiveDate>> {
        non_empty(raw)
            .map(|s| crate::input::parse_date(s).map_err(|e| AppError::BadRequest(format!("{what}：{e}"))))
            .transpose()
    };
    let (from, to) = (day(from, "收到日期（起）")?, day(to, "收到日期（止）")?);
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            return Err(AppError::BadRequest(format!("收到日期（起）{f} 晚于收到日期（止）{t}")));
        }
    }
    let midnight = |d: chrono::NaiveDate| tz.to_utc(d.and_time(chrono::NaiveTime::MIN));
    Ok((from.map(midnight), to.and_then(|t| t.succ_opt()).map(midnight)))
}

/// The list's filter from its query string at `now` (400 naming a bad value).
fn filter_of(cx: &Ctx, q: &ListQuery, now: DateTime<Utc>) -> AppResult<Filter> {
    fn code<T>(raw: &str, parse: fn(&str) -> Option<T>, what: &str) -> AppResult<Option<T>> {
        match non_empty(raw) {
            None => Ok(None),
            Some(s) => parse(s).map(Some).ok_or_else(|| AppError::BadRequest(format!("{what}“{s}”无效"))),
        }
    }
    let sla = match (code(&q.sla, Sla::parse, "响应时效")?, q.overdue.trim()) {
        (s, "" | "0") => s,
        (None | Some(Sla::Overdue), "1") => Some(Sla::Overdue),
        (Some(_), "1") => return Err(AppError::BadRequest("overdue=1 只能与响应时效「已超时」同时使用".into())),
        (_, other) => return Err(AppError::BadRequest(format!("overdue“{other}”无效（应为 1）"))),
    };
    let (received_since, received_before) =
        received_range(cx.user.settings.time_zone, &q.received_from, &q.received_to)?;
    Ok(Filter {
        status: code(&q.status, Status::parse, "状态")?,
        category: code(&q.category, Category::parse, "分类")?,
        channel: code(&q.channel, Channel::parse, "渠道")?,
        severity: code(&q.severity, Severity::parse, "严重程度")?,
        sla,
        received_since,
        received_before,
        assignee: (q.mine == "1").then_some(cx.user.user_id),
        q: non_empty(&q.q).map(str::to_owned),
        ..Filter::at(now)
    })
}

fn query_of(q: &ListQuery) -> String {
    query_string(&[
        ("q", &q.q),
        ("status", &q.status),
        ("category", &q.category),
        ("channel", &q.channel),
        ("severity", &q.severity),
        ("sla", &q.sla),
        ("overdue", &q.overdue),
        ("mine", &q.mine),
        ("received_from", &q.received_from),
        ("received_to", &q.received_to),
    ])
}

/// `GET /complaints`: closed ones last, then by deadline.
pub async fn list(mut cx: Ctx, Query(q): Query<ListQuery>) -> AppResult<ListPage> {
    cx.require(Action::ComplaintsView)?;
    let now = Utc::now();
    let q = merged(q)?;
    let filter = filter_of(&cx, &q, now)?;
    let pager = Pager::new("/complaints", q.page, query_of(&q));
    let mut tx = cx.begin().await?;
    let tid = cx.user.tenant_id;
    let (rows, total) =
        repo::list(&mut tx, tid, &scope(&cx.user), &filter, pager.per_page, pager.offset(), pager.count_limit())
            .await?;
    tx.commit().await?;
    let tz = cx.user.settings.time_zone;
    Ok(ListPage {
        chrome: cx.chrome("投诉", "/complaints"),
        rows: rows
            .into_iter()
            .map(|c| ListRow {
                sla: clock::sla(&c.times(), now),
                received_at: tz.format(c.received_at),
                due_at: tz.format(c.due_at),
                c,
            })
            .collect(),
        q,
        pager: pager.with_total(total),
        statuses: Status::ALL,
        categories: Category::ALL,
        channels: Channel::ALL,
        severities: Severity::ALL,
        slas: Sla::ALL,
        can_operate: cx.can(Action::AfterSalesOperate),
    })
}

/// The most complaints one CSV export holds.
const EXPORT_MAX_ROWS: i64 = 100_000;

/// `GET /complaints.csv`: the filtered list as CSV (UTF-8 with BOM, CRLF).
pub async fn export(cx: Ctx, Query(q): Query<ListQuery>) -> AppResult<Response> {
    cx.require(Action::ComplaintsView)?;
    let now = Utc::now();
    let q = merged(q)?;
    let filter = filter_of(&cx, &q, now)?;
    let mut tx = cx.begin().await?;
    let (rows, _) = repo::list(&mut tx, cx.user.tenant_id, &scope(&cx.user), &filter, EXPORT_MAX_ROWS, 0, 1).await?;
    tx.commit().await?;
    let tz = cx.user.settings.time_zone;
    let header = [
        "complaint_no",
        "received_at",
        "due_at",
        "first_reply_at",
        "sla",
        "status",
        "severity",
        "channel",
        "category",
        "customer",
        "phone",
        "order_no",
        "content",
        "demand",
        "assignee",
        "result",
        "cause",
        "improvement",
        "satisfaction",
    ];
    let body = crate::web::csv::build(
        &header,
        rows.iter().map(|c| {
            vec![
                c.complaint_no.clone(),
                tz.format(c.received_at),
                tz.format(c.due_at),
                local(tz, c.first_reply_at),
                clock::sla(&c.times(), now).code().to_owned(),
                c.status.code().to_owned(),
                c.severity.code().to_owned(),
                c.channel.code().to_owned(),
                c.category.code().to_owned(),
                c.customer.clone(),
                c.phone.clone(),
                c.order_no.clone().unwrap_or_default(),
                c.content.clone(),
                c.demand.clone(),
                c.assignee_name.clone().unwrap_or_default(),
                c.result.clone(),
                c.cause.clone(),
                c.improvement.clone(),
                c.satisfaction.map(|s| s.to_string()).unwrap_or_default(),
            ]
        }),
    )?;
    Ok(crate::web::csv::download(&format!("complaints-{}.csv", cx.user.tenant_code), body))
}

fn local(tz: TimeZone, at: Option<DateTime<Utc>>) -> String {
    at.map(|t| tz.format(t)).unwrap_or_default()
}

/// The record page of `c` (with a form's errors and what was typed).
pub(super) async fn page(
    cx: &mut Ctx,
    tx: &mut Tx,
    c: ComplaintRow,
    errors: FieldErrors,
    typed: StepForm,
) -> AppResult<ShowPage> {
    let tz = cx.user.settings.time_zone;
    let events = repo::events(tx, cx.user.tenant_id, c.id).await?;
    let order_link = match c.order_id {
        Some(id) if cx.can(Action::OrdersView) => {
            crate::orders::repo::find(tx, cx.user.tenant_id, &crate::orders::flow::scope(&cx.user), id, false)
                .await?
                .is_some()
        }
        _ => false,
    };
    Ok(ShowPage {
        chrome: cx.chrome(format!("投诉 {}", c.complaint_no), "/complaints"),
        sla: clock::sla(&c.times(), Utc::now()),
        received_at: tz.format(c.received_at),
        due_at: tz.format(c.due_at),
        first_reply_at: local(tz, c.first_reply_at),
        resolved_at: local(tz, c.resolved_at),
        closed_at: local(tz, c.closed_at),
        events: events.into_iter().map(|e| EventView { at: tz.format(e.at), event: e }).collect(),
        can_operate: cx.can(Action::AfterSalesOperate),
        order_link,
        errors,
        typed,
        c,
    })
}

/// `GET /complaints/{id}`.
pub async fn show(mut cx: Ctx, Path(id): Path<i64>) -> AppResult<ShowPage> {
    cx.require(Action::ComplaintsView)?;
    let mut tx = cx.begin().await?;
    let c = repo::find(&mut tx, cx.user.tenant_id, &scope(&cx.user), id, false).await?.ok_or(AppError::NotFound)?;
    let page = page(&mut cx, &mut tx, c, FieldErrors::default(), StepForm::default()).await?;
    tx.commit().await?;
    Ok(page)
}

fn new_page(cx: &mut Ctx, form: NewForm, errors: FieldErrors) -> NewPage {
    let tz = cx.user.settings.time_zone;
    NewPage {
        chrome: cx.chrome("登记投诉", "/complaints"),
        channels: Channel::ALL,
        categories: Category::ALL,
        severities: Severity::ALL,
        hours: cx.user.settings.complaint_response_hours.clamp(1, clock::MAX_HOURS),
        now_local: Utc::now().with_timezone(&tz.0).format("%Y-%m-%dT%H:%M").to_string(),
        form,
        errors,
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct NewQuery {
    /// An order id: the form starts with that order, its receiver and phone.
    #[serde(default)]
    pub order: String,
}

/// `GET /complaints/new` (`?order=ID`: of that order; 404 when it is not one).
pub async fn new_form(mut cx: Ctx, Query(q): Query<NewQuery>) -> AppResult<NewPage> {
    cx.require(Action::AfterSalesOperate)?;
    let mut form = NewForm::default();
    if let Some(raw) = non_empty(&q.order) {
        let id = raw.parse::<i64>().map_err(|_| AppError::NotFound)?;
        let mut tx = cx.begin().await?;
        let scope = crate::orders::flow::scope(&cx.user);
        let order = crate::orders::repo::find(&mut tx, cx.user.tenant_id, &scope, id, false).await?;
        tx.commit().await?;
        let order = order.ok_or(AppError::NotFound)?;
        form = NewForm { order: order.id.to_string(), customer: order.receiver, phone: order.phone, ..form };
    }
    Ok(new_page(&mut cx, form, FieldErrors::default()))
}

/// The order a complaint names (its id, or its number): `Ok(None)` when none is given.
async fn order_of(cx: &Ctx, tx: &mut Tx, raw: &str) -> AppResult<Result<Option<repo::OrderRef>, String>> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(Ok(None));
    }
    let found = repo::orders_named(tx, cx.user.tenant_id, s.parse::<i64>().ok(), s).await?;
    let by_id = found.iter().find(|o| Some(o.0) == s.parse::<i64>().ok()).cloned();
    Ok(match (by_id, found.len()) {
        (Some(o), _) => Ok(Some(o)),
        (None, 0) => Err(format!("订单“{s}”不存在（填写订单号或订单 ID）")),
        (None, 1) => Ok(found.into_iter().next()),
        (None, _) => Err(format!("订单号“{s}”对应多个订单，请填写订单 ID")),
    })
}

/// `POST /complaints`: log a complaint (fields of CONTRACT.md; `severity` optional,
/// `normal` by default). A major one is assigned to the service manager at once,
/// any other to whoever logs it.
pub async fn create(mut cx: Ctx, meta: RequestMeta, Form(form): Form<NewForm>) -> AppResult<Response> {
    cx.require(Action::AfterSalesOperate)?;
    let now = Utc::now();
    let tz = cx.user.settings.time_zone;
    let mut tx = cx.begin().await?;
    let tid = cx.user.tenant_id;
    let mut errors = FieldErrors::default();
    let customer = text(&mut errors, "customer", &form.customer, "客户姓名", 50);
    let phone = text(&mut errors, "phone", &form.phone, "联系电话", 30);
    if !phone.is_empty() && !phone.chars().all(|c| c.is_ascii_digit() || "+- ".contains(c)) {
        errors.add("phone", format!("联系电话“{phone}”无效（数字、+、- 或空格）"));
    }
    let order = match order_of(&cx, &mut tx, &form.order).await? {
        Ok(o) => o,
        Err(e) => {
            errors.add("order", e);
            None
        }
    };
    let channel = choice(&mut errors, "channel", &form.channel, Channel::parse, "投诉渠道", Channel::codes);
    let category = choice(&mut errors, "category", &form.category, Category::parse, "投诉分类", Category::codes);
    let severity = match non_empty(&form.severity) {
        None => Some(Severity::Normal),
        Some(s) => choice(&mut errors, "severity", s, Severity::parse, "严重程度", Severity::codes),
    };
    let content = text(&mut errors, "content", &form.content, "投诉内容", 2000);
    let demand = text(&mut errors, "demand", &form.demand, "客户诉求", 1000);
    let received = received_at(&form.received_at, tz, now).map_err(|e| errors.add("received_at", e)).ok();
    let (Some(channel), Some(category), Some(severity), Some(received), true) =
        (channel, category, severity, received, errors.is_empty())
    else {
        tx.rollback().await?;
        let page = new_page(&mut cx, form, errors);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let times = Times::new(received, cx.user.settings.complaint_response_hours);
    let manager = match severity {
        Severity::Major => repo::service_manager(&mut tx, tid).await?,
        Severity::Normal => None,
    };
    let assignee = match (&manager, severity) {
        (Some((id, _)), _) => Some(*id),
        (None, Severity::Major) => None,
        (None, Severity::Normal) => Some(cx.user.user_id),
    };
    let no = numbers::format("TS", numbers::next(&mut tx, tid, "TS").await?);
    let new = NewComplaint {
        customer,
        phone,
        order: order.as_ref(),
        channel,
        category,
        severity,
        content,
        demand,
        times,
        assignee_id: assignee,
        created_by: cx.user.user_id,
    };
    let id = repo::insert(&mut tx, tid, &no, &new).await?;
    let actor = (cx.user.user_id, cx.user.display_name.as_str());
    let note = format!("{}｜{}｜{}：{content}；诉求：{demand}", channel.label(), category.label(), severity.label());
    repo::event(&mut tx, tid, id, EventKind::Log, actor, &note, now).await?;
    if severity == Severity::Major {
        let to = match &manager {
            Some((_, name)) => format!("重大投诉，指派给客服经理 {name}"),
            None => "重大投诉：本公司没有在岗的客服经理，待指派".to_owned(),
        };
        repo::event(&mut tx, tid, id, EventKind::Assign, actor, &to, now).await?;
    }
    let after = json!({"complaint_no": no, "customer": customer, "phone": phone, "order": order.as_ref().map(|o| o.0),
                       "channel": channel.code(), "category": category.code(), "severity": severity.code(),
                       "received_at": received, "due_at": times.due_at, "assignee": assignee});
    let summary = format!("投诉 {no}（{customer}）：{}，{}", category.label(), severity.label());
    audit::by_user(&mut tx, &cx.user, &meta, Entry::step("complaint.log", "complaint", id, summary, None, after))
        .await?;
    tx.commit().await?;
    Ok(Flash::success(format!("已登记投诉 {no}")).redirect(&format!("/complaints/{id}")))
}
