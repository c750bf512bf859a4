//! HR's view of performance: everyone employed in a month with their score, grade
//! and coefficient, who is missing a score, and the month's scores CSV upload.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use futures_util::FutureExt;
use serde::Deserialize;

use super::repo::{self, Filter, Line, Who};
use super::{dept_choices, graded, month_link, month_param, parse_dept_filter};
use crate::error::{AppError, AppResult};
use crate::hr::upload::{self, ImportKind, ImportPage, Imported};
use crate::imports::hr as imports;
use crate::payroll;
use crate::people::Action;
use crate::web::forms::non_empty;
use crate::web::forms::Choice;
use crate::web::pagination::query_string;
use crate::web::upload::Upload;
use crate::web::{Chrome, Ctx, Flash, Pager, RequestMeta};

#[derive(Clone, Debug, Default, Deserialize)]
pub struct OverviewQuery {
    #[serde(default)]
    pub month: String,
    #[serde(default)]
    pub department: String,
    #[serde(default)]
    pub missing: String,
    #[serde(default)]
    pub q: String,
    pub page: Option<i64>,
}

#[derive(Template, WebTemplate)]
#[template(path = "hr/performance/overview.html")]
pub struct OverviewPage {
    pub chrome: Chrome,
    pub month: String,
    pub prev_month: String,
    pub next_month: String,
    pub q: OverviewQuery,
    pub lines: Vec<Line>,
    pub pager: Pager,
    pub employed: i64,
    pub missing_count: i64,
    pub depts: Vec<Choice>,
}

pub async fn overview(mut ctx: Ctx, Query(mut q): Query<OverviewQuery>) -> AppResult<OverviewPage> {
    ctx.require(Action::HrManage)?;
    let month = month_param(&ctx.user, &q.month)?;
    q.month = month.to_string();
    let base = Filter {
        who: Who::Everyone,
        dept: parse_dept_filter(&q.department)?,
        missing_only: false,
        q: non_empty(&q.q).map(str::to_owned),
    };
    let missing_only = match q.missing.trim() {
        "" | "0" => false,
        "1" => true,
        other => return Err(AppError::BadRequest(format!("missing“{other}”无效（应为 1：只看未评分）"))),
    };
    let filter = Filter { missing_only, ..base.clone() };
    let pager = Pager::new(
        "/hr/performance",
        q.page,
        query_string(&[("month", &q.month), ("department", &q.department), ("missing", &q.missing), ("q", &q.q)]),
    );
    let mut tx = ctx.begin().await?;
    // Exact counts (a tenant's employees, not its orders): `data-total` and the
    // cards are the dashboard's figures.
    let (rows, total) =
        repo::list(&mut tx, ctx.user.tenant_id, month, &filter, pager.per_page, pager.offset(), i64::MAX).await?;
    let employed = if filter.missing_only {
        repo::count(&mut tx, ctx.user.tenant_id, month, &base, i64::MAX).await?
    } else {
        total
    };
    let missing_count = if filter.missing_only {
        total
    } else {
        repo::count(&mut tx, ctx.user.tenant_id, month, &Filter { missing_only: true, ..base }, i64::MAX).await?
    };
    let lines = graded(&mut tx, ctx.user.tenant_id, month, rows).await?;
    tx.commit().await?;
    Ok(OverviewPage {
        chrome: ctx.chrome(format!("绩效汇总 {month}"), "/hr/performance"),
        month: month.to_string(),
        prev_month: month_link(month.previous()),
        next_month: month_link(month.next()),
        q,
        lines,
        pager: Pager { total, ..pager },
        employed,
        missing_count,
        depts: dept_choices(),
    })
}

// ---------- import ----------

#[derive(Clone, Debug, Default, Deserialize)]
pub struct ImportQuery {
    #[serde(default)]
    pub month: String,
}

pub async fn import_form(mut ctx: Ctx, Query(q): Query<ImportQuery>) -> AppResult<ImportPage> {
    ctx.require(Action::HrManage)?;
    let month = month_param(&ctx.user, &q.month)?;
    Ok(ImportPage::new(&mut ctx, ImportKind::Scores).for_month(month.to_string()))
}

pub async fn import(
    meta: RequestMeta,
    mut ctx: Ctx,
    Query(q): Query<ImportQuery>,
    upload: Upload,
) -> AppResult<Response> {
    ctx.require(Action::HrManage)?;
    let upload = upload.read().await?;
    // The form's month field wins over the query string's.
    let raw_month = upload.field("month").map_or_else(|| q.month.trim().to_owned(), str::to_owned);
    let file = upload.into_file("scores.csv")?;
    let mut page = ImportPage::new(&mut ctx, ImportKind::Scores).for_month(raw_month.clone());
    let month = payroll::parse_month(&raw_month);
    if month.is_none() {
        page.form_errors.add("month", "请填写月份，格式为 YYYY-MM");
    }
    if file.is_none() {
        page.add_no_file();
    }
    let (Some(month), Some((name, bytes))) = (month, file) else {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let Imported { file: name, summary, .. } =
        match upload::import(&ctx, &meta, page, (name, bytes), imports::parse_scores, |tx, t, a, f, r| {
            imports::apply_scores(tx, t, a, f, month, r).boxed()
        })
        .await?
        {
            Ok(done) => done,
            Err(page) => return Ok(page),
        };
    let msg = format!("已导入 {name} 的 {month} 绩效：新增 {} 条、更新 {} 条。", summary.inserted, summary.updated);
    Ok(Flash::success(msg).redirect(&format!("/hr/performance?month={month}")))
}
