//! The audit log page (directors and tenant admins).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Query;
use chrono::NaiveDate;
use serde::Deserialize;

use super::repo::{self, AuditFilter, AuditRow};
use crate::error::{AppError, AppResult};
use crate::people::{Action, Scope};
use crate::web::forms::non_empty;
use crate::web::pagination::query_string;
use crate::web::{local_time, Chrome, Ctx, Pager};

#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    pub page: Option<i64>,
}

pub struct AuditLine {
    pub row: AuditRow,
    pub at_local: String,
    pub action_label: &'static str,
    pub details: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "audit/list.html")]
pub struct AuditPage {
    pub chrome: Chrome,
    pub q: AuditQuery,
    pub actions: &'static [(&'static str, &'static str)],
    pub lines: Vec<AuditLine>,
    pub pager: Pager,
}

fn parse_date(field: &str, s: &str) -> AppResult<Option<NaiveDate>> {
    match non_empty(s) {
        None => Ok(None),
        Some(s) => crate::input::date(s).map(Some).map_err(|e| {
            AppError::BadRequest(match e {
                crate::input::DateError::Format => format!("{field} 日期格式应为 YYYY-MM-DD：{s}"),
                crate::input::DateError::Range => format!("{field} 日期{}：{s}", crate::input::DATE_RANGE),
            })
        }),
    }
}

fn details(row: &AuditRow) -> String {
    let mut parts = Vec::new();
    if let Some(b) = &row.before {
        parts.push(format!("之前：{b}"));
    }
    if let Some(a) = &row.after {
        parts.push(format!("之后：{a}"));
    }
    parts.join("  ")
}

pub async fn list(mut ctx: Ctx, Query(q): Query<AuditQuery>) -> AppResult<AuditPage> {
    ctx.require(Action::ViewAudit)?;
    let filter = AuditFilter {
        actor: non_empty(&q.actor).map(str::to_owned),
        action: non_empty(&q.action).map(str::to_owned),
        from: parse_date("开始", &q.from)?,
        to: parse_date("结束", &q.to)?,
        tz: ctx.user.settings.time_zone,
    };
    // Directors and tenant admins read the whole tenant's log.
    let scope = Scope::Tenant;
    let pager = Pager::new(
        "/audit",
        q.page,
        query_string(&[("actor", &q.actor), ("action", &q.action), ("from", &q.from), ("to", &q.to)]),
    );
    let mut tx = ctx.begin().await?;
    let (rows, total) =
        repo::list(&mut tx, ctx.user.tenant_id, &scope, &filter, pager.per_page, pager.offset(), pager.count_limit())
            .await?;
    tx.commit().await?;
    let tz = ctx.user.settings.time_zone;
    let lines = rows
        .into_iter()
        .map(|row| AuditLine {
            at_local: local_time(row.at, &tz),
            action_label: super::action_label(&row.action),
            details: details(&row),
            row,
        })
        .collect();
    Ok(AuditPage {
        chrome: ctx.chrome("审计日志", "/audit"),
        q,
        actions: super::ACTIONS,
        lines,
        pager: pager.with_total(total),
    })
}
