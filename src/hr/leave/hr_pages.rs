//! HR's view of leave: everyone's requests, and the approved-leave CSV upload.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use axum::response::Response;
use futures_util::FutureExt;
use serde::Deserialize;

use super::repo::{self, LeaveRow};
use super::{dept_choices, parse_dept_filter, parse_month_filter, parse_status, status_choices};
use crate::error::AppResult;
use crate::hr::upload::{self, ImportKind, ImportPage, Imported};
use crate::imports::hr as imports;
use crate::people::Action;
use crate::web::forms::non_empty;
use crate::web::forms::Choice;
use crate::web::pagination::query_string;
use crate::web::upload::Upload;
use crate::web::{Chrome, Ctx, Flash, Pager, RequestMeta};

#[derive(Clone, Debug, Default, Deserialize)]
pub struct AllQuery {
    #[serde(default)]
    pub department: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub month: String,
    #[serde(default)]
    pub q: String,
    pub page: Option<i64>,
}

#[derive(Template, WebTemplate)]
#[template(path = "hr/leave/all.html")]
pub struct AllPage {
    pub chrome: Chrome,
    pub q: AllQuery,
    pub rows: Vec<LeaveRow>,
    pub pager: Pager,
    pub statuses: Vec<Choice>,
    pub depts: Vec<Choice>,
}

pub async fn all(mut ctx: Ctx, Query(q): Query<AllQuery>) -> AppResult<AllPage> {
    ctx.require(Action::HrManage)?;
    let filter = repo::Filter {
        dept: parse_dept_filter(&q.department)?,
        status: parse_status(&q.status)?,
        month: parse_month_filter(&q.month)?,
        q: non_empty(&q.q).map(str::to_owned),
        ..repo::Filter::default()
    };
    let pager = Pager::new(
        "/leave/all",
        q.page,
        query_string(&[("department", &q.department), ("status", &q.status), ("month", &q.month), ("q", &q.q)]),
    );
    let mut tx = ctx.begin().await?;
    let (rows, total) = repo::list(
        &mut tx,
        ctx.user.tenant_id,
        &filter,
        repo::Order::DayDesc,
        pager.per_page,
        pager.offset(),
        pager.count_limit(),
    )
    .await?;
    tx.commit().await?;
    Ok(AllPage {
        chrome: ctx.chrome("全员请假", "/leave/all"),
        q,
        rows,
        pager: pager.with_total(total),
        statuses: status_choices(),
        depts: dept_choices(),
    })
}

// ---------- import ----------

pub async fn import_form(mut ctx: Ctx) -> AppResult<ImportPage> {
    ctx.require(Action::HrManage)?;
    Ok(ImportPage::new(&mut ctx, ImportKind::Leave))
}

pub async fn import(meta: RequestMeta, mut ctx: Ctx, upload: Upload) -> AppResult<Response> {
    ctx.require(Action::HrManage)?;
    let upload = upload.read().await?;
    let file = upload.into_file("leave.csv")?;
    let page = ImportPage::new(&mut ctx, ImportKind::Leave);
    let Some(file) = file else {
        return Ok(page.no_file());
    };
    let Imported { file: name, summary, .. } =
        match upload::import(&ctx, &meta, page, file, imports::parse_leave, |tx, t, a, f, r| {
            imports::apply_leave(tx, t, a, f, r).boxed()
        })
        .await?
        {
            Ok(done) => done,
            Err(page) => return Ok(page),
        };
    let msg = format!("已导入 {name}：新增 {} 条、更新 {} 条已批准请假。", summary.inserted, summary.updated);
    Ok(Flash::success(msg).redirect("/leave/all?status=approved"))
}
