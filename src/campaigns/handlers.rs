//! The campaign pages' handlers: list (and its CSV), the plan form (draft, edit),
//! the record page. The steps are in `steps.rs`, the decision in `flow.rs`.

use axum::extract::{Path, Query, RawForm};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde_json::json;

use super::repo::{self, CampaignRow, Filter, Plan};
use super::status::{CampaignStatus, Phase};
use super::views::{
    channel_choices, channels_text, event_label, kind_choices, AckView, CampaignForm, EventView, FormPage, ListItem,
    ListPage, ListQuery, ListSum, ShowPage, Typed, VersionView,
};
use super::{decides, drafting_dept, fetch, operates, told, Channel, Kind, MAX_FEN};
use crate::audit::{self, Entry};
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::people::{Action, Dept, Level};
use crate::rules::Fen;
use crate::web::forms::{non_empty, Choice};
use crate::web::pagination::query_string;
use crate::web::{local_time, Ctx, CurrentUser, FieldErrors, Flash, Pager, RequestMeta};

// ---------- list ----------

fn filter_of(q: &ListQuery) -> AppResult<Filter> {
    let date = |v: &str, what: &str| -> AppResult<Option<NaiveDate>> {
        crate::input::optional_date(v).map_err(|_| AppError::BadRequest(format!("{what}格式应为 YYYY-MM-DD：{v}")))
    };
    Ok(Filter {
        phase: match non_empty(&q.status) {
            None => None,
            Some(v) => Some(
                Phase::CODES
                    .iter()
                    .find(|(c, _)| *c == v)
                    .map(|(c, _)| *c)
                    .ok_or_else(|| AppError::BadRequest(format!("未知状态：{v}")))?,
            ),
        },
        kind: match non_empty(&q.kind) {
            None => None,
            Some(v) => Some(Kind::parse(v).ok_or_else(|| AppError::BadRequest(format!("未知活动类型：{v}")))?),
        },
        channel: match non_empty(&q.channel) {
            None => None,
            Some(v) => Some(Channel::parse(v).ok_or_else(|| AppError::BadRequest(format!("未知渠道：{v}")))?.code()),
        },
        from: date(&q.from, "开始日期")?,
        to: date(&q.to, "结束日期")?,
        q: non_empty(&q.q).map(str::to_owned),
        mine: !q.mine.is_empty(),
        ack_due: q.ack == "due",
        review_due: q.review == "due",
        summary_due: q.summary == "due",
    })
}

fn list_query_string(q: &ListQuery) -> String {
    query_string(&[
        ("status", &q.status),
        ("kind", &q.kind),
        ("channel", &q.channel),
        ("from", &q.from),
        ("to", &q.to),
        ("q", &q.q),
        ("mine", &q.mine),
        ("ack", &q.ack),
        ("review", &q.review),
        ("summary", &q.summary),
    ])
}

pub async fn list(mut ctx: Ctx, Query(q): Query<ListQuery>) -> AppResult<ListPage> {
    ctx.require(Action::CampaignsView)?;
    let filter = filter_of(&q)?;
    let qs = list_query_string(&q);
    let pager = Pager::new("/campaigns", q.page, qs.clone());
    let mut tx = ctx.begin().await?;
    let (rows, total) =
        repo::list(&mut tx, &ctx.user, &filter, pager.per_page, pager.offset(), pager.count_limit()).await?;
    let totals = repo::totals(&mut tx, &ctx.user, &filter).await?;
    tx.commit().await?;
    let sum = |name, label, fen| ListSum { name, label, value: Fen(fen).to_yuan_string() };
    let sums = vec![
        sum("sales", "销售额合计（元）", totals.sales_fen),
        sum("cost", "已花费合计（元）", totals.cost_fen),
        sum("budget", "预算合计（元）", totals.budget_fen),
    ];
    let today = ctx.user.today;
    let scope_note = if ctx.user.level == Level::Director {
        "显示全公司的活动"
    } else if drafting_dept(&ctx.user).is_some() && told(&ctx.user) {
        "显示本部门的活动，以及已批准、需要知悉的全部活动"
    } else if drafting_dept(&ctx.user).is_some() {
        "显示本部门的活动"
    } else {
        "显示已批准、需要知悉的活动"
    };
    Ok(ListPage {
        chrome: ctx.chrome("活动", "/campaigns"),
        phases: Choice::from_pairs(Phase::CODES),
        kinds: kind_choices(),
        channels: channel_choices(),
        rows: rows.into_iter().map(|r| ListItem::of(r, today)).collect(),
        pager: pager.with_total(total),
        can_draft: ctx.can(Action::CampaignsOperate) && drafting_dept(&ctx.user).is_some(),
        csv_href: if qs.is_empty() { "/campaigns.csv".into() } else { format!("/campaigns.csv?{qs}") },
        scope_note,
        sums,
        q,
    })
}

/// The list as CSV: every campaign the filter shows (at most 10,000).
pub async fn list_csv(ctx: Ctx, Query(q): Query<ListQuery>) -> AppResult<Response> {
    ctx.require(Action::CampaignsView)?;
    let filter = filter_of(&q)?;
    let mut tx = ctx.begin().await?;
    let (rows, _) = repo::list(&mut tx, &ctx.user, &filter, 10_000, 0, 1).await?;
    tx.commit().await?;
    let today = ctx.user.today;
    let body = crate::web::csv::build(
        &[
            "活动编号",
            "主题",
            "类型",
            "渠道",
            "开始日期",
            "结束日期",
            "部门",
            "状态",
            "准备期不足",
            "预算（元）",
            "已花费（元）",
            "销售额（元）",
            "起草人",
        ],
        rows.into_iter().map(|r| {
            let (starts, ends) = (r.starts_on.to_string(), r.ends_on.to_string());
            let i = ListItem::of(r, today);
            vec![
                i.campaign_no,
                i.theme,
                i.kind.to_owned(),
                i.channels,
                starts,
                ends,
                i.department.to_owned(),
                i.phase.label().to_owned(),
                if i.short_notice { "是" } else { "" }.to_owned(),
                i.budget,
                i.cost,
                i.sales,
                i.drafter,
            ]
        }),
    )?;
    Ok(crate::web::csv::download(&format!("campaigns-{today}.csv"), body))
}

// ---------- the plan form ----------

/// Parse a yuan amount (≥ 0, at most two decimals, at most [`MAX_FEN`]).
pub fn parse_yuan(s: &str) -> Result<i64, String> {
    use crate::rules::ParseErrorKind as K;
    let fen = Fen::parse_non_negative_yuan(s)
        .map_err(|e| {
            match e.kind() {
                K::Empty => "请填写金额（元）",
                K::Malformed => "金额只能包含数字和小数点，如 50000 或 49999.99",
                K::TooManyDecimals(_) => "金额最多两位小数",
                K::Negative => "金额不能为负数",
                K::OutOfRange => "金额超出范围",
            }
            .to_owned()
        })?
        .fen();
    if fen > MAX_FEN {
        return Err(format!("金额不能超过 {} 元", Fen(MAX_FEN)));
    }
    Ok(fen)
}

fn date_field(errors: &mut FieldErrors, field: &'static str, v: &str, what: &str) -> Option<NaiveDate> {
    match crate::input::date(v) {
        Ok(d) => Some(d),
        Err(crate::input::DateError::Range) => {
            errors.add(field, crate::input::out_of_range(what));
            None
        }
        Err(crate::input::DateError::Format) => {
            errors.add(field, format!("请填写{what}（YYYY-MM-DD）"));
            None
        }
    }
}

fn text(errors: &mut FieldErrors, field: &'static str, v: &str, what: &str, max: usize, required: bool) {
    if required && v.is_empty() {
        errors.add(field, format!("请填写{what}"));
    } else if v.chars().count() > max {
        errors.add(field, format!("{what}最多 {max} 个字符"));
    }
}

/// The form checked: the plan, or the errors by field.
async fn validate<'a>(
    tx: &mut Tx,
    tenant_id: i64,
    f: &'a CampaignForm,
    errors: &mut FieldErrors,
) -> Result<Option<Plan<'a>>, sqlx::Error> {
    text(errors, "theme", &f.theme, "活动主题", 100, true);
    let kind = Kind::parse(&f.kind);
    if kind.is_none() {
        errors.add("kind", "请选择活动类型");
    }
    let mut channels = Vec::new();
    for c in f.channels.split([',', '，']).map(str::trim).filter(|c| !c.is_empty()) {
        match Channel::parse(c) {
            Some(ch) if !channels.contains(&ch.code().to_owned()) => channels.push(ch.code().to_owned()),
            Some(_) => {}
            None => errors.add(
                "channels",
                format!("未知渠道：{c}（可选 taobao、jd、pdd、douyin、xiaohongshu、wechat、offline、other）"),
            ),
        }
    }
    if channels.is_empty() && !errors.has("channels") {
        errors.add("channels", "请至少选择一个渠道");
    }
    let budget = parse_yuan(&f.budget).map_err(|e| errors.add("budget", e)).ok();
    let target = match f.target_sales.as_str() {
        "" => Some(None),
        v => parse_yuan(v).map(Some).map_err(|e| errors.add("target_sales", e)).ok(),
    };
    let starts = date_field(errors, "starts_on", &f.starts_on, "开始日期");
    let ends = date_field(errors, "ends_on", &f.ends_on, "结束日期");
    if let (Some(s), Some(e)) = (starts, ends) {
        if e < s {
            errors.add("ends_on", "结束日期不能早于开始日期");
        } else if (e - s).num_days() > 366 {
            errors.add("ends_on", "活动最长一年");
        }
    }
    text(errors, "goal", &f.goal, "活动目标", 1000, true);
    text(errors, "place", &f.place, "活动地点", 200, false);
    text(errors, "how_to_join", &f.how_to_join, "参与方式", 1000, false);
    if kind == Some(Kind::Offline) {
        if f.place.is_empty() {
            errors.add("place", "线下活动请填写活动地点");
        }
        if f.how_to_join.is_empty() {
            errors.add("how_to_join", "线下活动请填写参与方式");
        }
    }
    let mut skus: Vec<String> = Vec::new();
    for s in f.products.split([',', '，', ' ', '\n']).map(str::trim).filter(|s| !s.is_empty()) {
        if !skus.iter().any(|k| k == s) {
            skus.push(s.to_owned());
        }
    }
    let mut product_ids = Vec::new();
    if skus.len() > 200 {
        errors.add("products", "一个活动最多 200 个商品");
    } else if !skus.is_empty() {
        let found = repo::products_by_sku(tx, tenant_id, &skus).await?;
        let missing: Vec<&str> =
            skus.iter().filter(|s| !found.iter().any(|p| &p.1 == *s)).map(String::as_str).collect();
        let eliminated: Vec<String> = found.iter().filter(|p| p.3).map(|p| format!("{}（{}）", p.1, p.2)).collect();
        if !missing.is_empty() {
            errors.add("products", format!("没有这些 SKU 的商品：{}", missing.join("、")));
        } else if !eliminated.is_empty() {
            errors.add("products", format!("商品已汰换，不能参加活动：{}", eliminated.join("、")));
        }
        product_ids = found.into_iter().map(|p| p.0).collect();
    }
    Ok(match (kind, budget, target, starts, ends, errors.is_empty()) {
        (Some(kind), Some(budget_fen), Some(target_sales_fen), Some(starts_on), Some(ends_on), true) => Some(Plan {
            theme: &f.theme,
            kind,
            channels,
            budget_fen,
            starts_on,
            ends_on,
            goal: &f.goal,
            target_sales_fen,
            place: &f.place,
            how_to_join: &f.how_to_join,
            product_ids,
        }),
        _ => None,
    })
}

fn form_page(ctx: &mut Ctx, editing: Option<(i64, String)>, form: CampaignForm, errors: FieldErrors) -> FormPage {
    let title = match &editing {
        Some((_, no)) => format!("修改活动 {no}"),
        None => "新建活动方案".to_owned(),
    };
    FormPage {
        chrome: ctx.chrome(title, "/campaigns"),
        editing,
        form,
        errors,
        kinds: kind_choices(),
        channels: channel_choices(),
        prep_days: ctx.user.settings.campaign_prep_days,
    }
}

fn require_drafter(user: &CurrentUser) -> AppResult<Dept> {
    user.require(Action::CampaignsOperate)?;
    drafting_dept(user).ok_or(AppError::Forbidden)
}

pub async fn new_form(mut ctx: Ctx) -> AppResult<FormPage> {
    require_drafter(&ctx.user)?;
    Ok(form_page(&mut ctx, None, CampaignForm::default(), FieldErrors::default()))
}

fn plan_json(p: &Plan<'_>, skus: &str) -> serde_json::Value {
    json!({
        "theme": p.theme, "kind": p.kind.code(), "channels": p.channels, "budget_fen": p.budget_fen,
        "starts_on": p.starts_on, "ends_on": p.ends_on, "goal": p.goal, "target_sales_fen": p.target_sales_fen,
        "place": p.place, "how_to_join": p.how_to_join, "products": skus,
    })
}

pub async fn create(meta: RequestMeta, mut ctx: Ctx, RawForm(body): RawForm) -> AppResult<Response> {
    let dept = require_drafter(&ctx.user)?;
    let form = CampaignForm::parse(&body);
    let mut errors = FieldErrors::default();
    let mut tx = ctx.begin().await?;
    let Some(plan) = validate(&mut tx, ctx.user.tenant_id, &form, &mut errors).await? else {
        tx.rollback().await?;
        let page = form_page(&mut ctx, None, form, errors);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let (id, no) = repo::insert(&mut tx, ctx.user.tenant_id, dept.code(), ctx.user.user_id, &plan).await?;
    repo::event(&mut tx, &ctx.user, id, "draft", "").await?;
    let summary = format!(
        "起草活动 {no}《{}》，预算 {} 元，{} ~ {}",
        plan.theme,
        Fen(plan.budget_fen),
        plan.starts_on,
        plan.ends_on
    );
    let mut after = plan_json(&plan, &form.products);
    after["campaign_no"] = json!(no);
    after["status"] = json!("draft");
    let entry = Entry {
        action: "campaign.create",
        entity_type: Some("campaign"),
        entity_id: Some(id.to_string()),
        summary,
        before: None,
        after: Some(after),
    };
    audit::by_user(&mut tx, &ctx.user, &meta, entry).await?;
    tx.commit().await?;
    Ok(Flash::success(format!("已起草活动 {no}；核对无误后请提交审批。")).redirect(&format!("/campaigns/{id}")))
}

/// Lock (`lock`) the campaign for a change of its plan by its drafter: 404 out of
/// scope, 403 not the drafter, 409 not a draft or rejected.
async fn editable(tx: &mut Tx, user: &CurrentUser, id: i64, lock: bool) -> AppResult<CampaignRow> {
    require_drafter(user)?;
    let c = fetch(tx, user, id, lock).await?.ok_or(AppError::NotFound)?;
    if c.drafted_by != user.user_id {
        return Err(AppError::Forbidden);
    }
    if !c.status.editable() {
        return Err(AppError::Conflict(format!(
            "活动 {} 当前为“{}”，只有草稿或被驳回的方案可以修改（已批准的活动可调整预算）",
            c.campaign_no,
            c.phase(user.today).label()
        )));
    }
    Ok(c)
}

pub async fn edit_form(mut ctx: Ctx, Path(id): Path<i64>) -> AppResult<FormPage> {
    let mut tx = ctx.begin().await?;
    let c = editable(&mut tx, &ctx.user, id, false).await?;
    let skus: Vec<String> = repo::products(&mut tx, ctx.user.tenant_id, id).await?.into_iter().map(|p| p.1).collect();
    tx.commit().await?;
    let form = CampaignForm::of(&c, &skus);
    Ok(form_page(&mut ctx, Some((c.id, c.campaign_no)), form, FieldErrors::default()))
}

pub async fn update(
    meta: RequestMeta,
    mut ctx: Ctx,
    Path(id): Path<i64>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let mut tx = ctx.begin().await?;
    let c = editable(&mut tx, &ctx.user, id, true).await?;
    let form = CampaignForm::parse(&body);
    let mut errors = FieldErrors::default();
    let Some(plan) = validate(&mut tx, ctx.user.tenant_id, &form, &mut errors).await? else {
        tx.rollback().await?;
        let page = form_page(&mut ctx, Some((c.id, c.campaign_no)), form, errors);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let skus: Vec<String> = repo::products(&mut tx, ctx.user.tenant_id, id).await?.into_iter().map(|p| p.1).collect();
    let before = json!({
        "theme": c.theme, "kind": c.kind.code(), "channels": c.channels, "budget_fen": c.budget_fen,
        "starts_on": c.starts_on, "ends_on": c.ends_on, "goal": c.goal, "target_sales_fen": c.target_sales_fen,
        "place": c.place, "how_to_join": c.how_to_join, "products": skus.join(","),
    });
    repo::update(&mut tx, ctx.user.tenant_id, id, &plan).await?;
    repo::event(&mut tx, &ctx.user, id, "edit", "修改方案").await?;
    let entry = Entry {
        action: "campaign.update",
        entity_type: Some("campaign"),
        entity_id: Some(id.to_string()),
        summary: format!("修改活动 {}《{}》", c.campaign_no, plan.theme),
        before: Some(before),
        after: Some(plan_json(&plan, &form.products)),
    };
    audit::by_user(&mut tx, &ctx.user, &meta, entry).await?;
    tx.commit().await?;
    Ok(Flash::success("活动方案已保存。").redirect(&format!("/campaigns/{id}")))
}

// ---------- the record ----------

/// The record page of `c` (already fetched within the user's scope).
pub async fn show_page(
    tx: &mut Tx,
    ctx: &mut Ctx,
    c: CampaignRow,
    errors: FieldErrors,
    typed: Typed,
) -> Result<ShowPage, sqlx::Error> {
    let chrome = ctx.chrome(format!("活动 {}", c.campaign_no), "/campaigns");
    let user = &ctx.user;
    let tz = user.settings.time_zone;
    let today = user.today;
    let products = repo::products(tx, user.tenant_id, c.id).await?;
    let overlaps = repo::overlaps(tx, user.tenant_id, &c).await?;
    let versions = repo::versions(tx, user.tenant_id, c.id)
        .await?
        .into_iter()
        .map(|(version, budget_fen, by, at, approved_at)| VersionView {
            version,
            budget: Fen(budget_fen).to_string(),
            by,
            at: local_time(at, &tz),
            approved_at: approved_at.map(|a| local_time(a, &tz)),
        })
        .collect();
    let ack_rows = repo::acks(tx, user.tenant_id, c.id).await?;
    let acked = ack_rows.iter().any(|a| a.0 == user.user_id && a.3.is_some());
    let acks = ack_rows
        .into_iter()
        .map(|(_, name, dept, at)| AckView {
            name,
            department: Dept::parse(&dept).map_or("", |d| d.label()),
            at: at.map(|a| local_time(a, &tz)),
        })
        .collect();
    let timeline = repo::timeline(tx, user.tenant_id, c.id)
        .await?
        .into_iter()
        .map(|(kind, actor, note, at)| EventView { what: event_label(&kind), actor, note, at: local_time(at, &tz) })
        .collect();
    let metrics = super::metrics::section(tx, user, &metrics_ref(&c), None).await?;
    let against_target = c
        .target_sales_fen
        .map(|t| (super::kpi::percent(metrics.sales_fen, t), super::kpi::percent(metrics.net_fen, t)));
    let mine = c.drafted_by == user.user_id;
    let drafter = mine && user.can(Action::CampaignsOperate);
    let ended = today > c.ends_on;
    let dept_manager = user.level == Level::Manager && operates(user, &c.department);
    let threshold = user.settings.campaign_director_threshold_fen;
    let page = ShowPage {
        chrome,
        phase: c.phase(today),
        kind: c.kind.label(),
        department: Dept::parse(&c.department).map_or("", |d| d.label()),
        channels: channels_text(&c.channels),
        budget: Fen(c.budget_fen).to_string(),
        approved_budget: c
            .approved_budget_fen
            .filter(|b| c.status.pending() && *b != c.budget_fen)
            .map(|b| Fen(b).to_string()),
        target_sales: c.target_sales_fen.map(|t| Fen(t).to_string()),
        products,
        overlaps,
        versions,
        acks,
        timeline,
        prep_days: user.settings.campaign_prep_days,
        needs_director: c.budget_fen >= threshold,
        threshold: Fen(threshold).to_string(),
        can_edit: drafter && c.status.editable(),
        can_submit: drafter && c.status.editable(),
        can_decide: !mine
            && decides(user, &c.department)
            && match c.status {
                CampaignStatus::Submitted => true,
                CampaignStatus::DirectorPending => user.level == Level::Director,
                _ => false,
            },
        can_budget: drafter && c.status == CampaignStatus::Approved && !ended,
        can_ack: told(user) && c.live() && !ended && !acked,
        acked,
        can_summary: (drafter || dept_manager) && c.status == CampaignStatus::Approved && ended,
        can_review: user.level == Level::Manager
            && decides(user, &c.department)
            && c.status == CampaignStatus::Summarized
            && c.reviewed_at.is_none(),
        can_cancel: (drafter || dept_manager)
            && c.status.next(super::status::CampaignEvent::Cancel { ended }).is_some(),
        errors,
        typed,
        tz,
        metrics,
        against_target,
        c,
    };
    Ok(page)
}

/// What the daily results need of `c`.
fn metrics_ref(c: &CampaignRow) -> super::metrics::CampaignRef {
    super::metrics::CampaignRef {
        id: c.id,
        campaign_no: c.campaign_no.clone(),
        department: c.department.clone(),
        status: c.status.code().to_owned(),
        ever_approved: c.approved_at.is_some(),
        budget_fen: c.budget_fen,
        starts_on: c.starts_on,
        ends_on: c.ends_on,
        channels: c.channels.clone(),
    }
}

pub async fn show(mut ctx: Ctx, Path(id): Path<i64>) -> AppResult<ShowPage> {
    ctx.require(Action::CampaignsView)?;
    let mut tx = ctx.begin().await?;
    let c = fetch(&mut tx, &ctx.user, id, false).await?.ok_or(AppError::NotFound)?;
    let page = show_page(&mut tx, &mut ctx, c, FieldErrors::default(), Typed::default()).await?;
    tx.commit().await?;
    Ok(page)
}
