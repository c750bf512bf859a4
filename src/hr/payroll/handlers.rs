//! The payroll table, the deductions pages and the CSV download.

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use futures_util::TryStreamExt;

use super::views::{explain, DeductionsPage, DeptTotals, Line, MonthQuery, TablePage, TableQuery, Totals};
use super::{month_param, FLAG_CODES};
use crate::audit::{self, Actor, Entry};
use crate::error::{AppError, AppResult};
use crate::hr::employees::repo as employees_repo;
use crate::payroll::{self, csv_out, EmployeeMonth, Selection};
use crate::people::{Action, Dept};
use crate::rules::YearMonth;
use crate::web::forms::Choice;
use crate::web::pagination::{query_string, PER_PAGE};
use crate::web::{Ctx, Pager, RequestMeta};

pub async fn table(mut ctx: Ctx, Query(q): Query<TableQuery>) -> AppResult<TablePage> {
    ctx.require(Action::PayrollExport)?;
    let month = month_param(&q.month, ctx.user.today)?;
    let dept = match q.department.trim() {
        "" => None,
        d => Some(Dept::parse(d).ok_or_else(|| AppError::BadRequest(format!("未知部门：{d}")))?),
    };
    let flag = match q.flag.trim() {
        "" => None,
        f => Some(
            FLAG_CODES
                .iter()
                .find(|(code, _)| *code == f)
                .map(|(_, flag)| *flag)
                .ok_or_else(|| AppError::BadRequest(format!("未知提示类型：{f}")))?,
        ),
    };
    let pager = Pager::new(
        "/hr/payroll",
        q.page,
        query_string(&[("month", &month.to_string()), ("department", &q.department), ("flag", &q.flag)]),
    );
    let (first, last) = (pager.offset(), pager.offset() + PER_PAGE);
    let mut tx = ctx.begin().await?;
    let month_ctx = payroll::load_context(&mut tx, ctx.user.tenant_id, month)
        .await
        .map_err(anyhow::Error::from)?
        .as_of(ctx.user.today);
    let mut totals = Totals::default();
    let mut by_dept: Vec<(Dept, Totals)> = Dept::ALL.iter().map(|d| (*d, Totals::default())).collect();
    let mut lines = Vec::new();
    let mut index = 0i64;
    let selection = Selection { dept, employee_id: None };
    payroll::for_each(&mut tx, ctx.user.tenant_id, &month_ctx, &selection, |m| {
        if let Some((_, t)) = by_dept.iter_mut().find(|(d, _)| *d == m.dept) {
            t.add(&m);
        }
        if flag.is_some_and(|f| !m.result.flags.contains(&f)) {
            return Ok(());
        }
        totals.add(&m);
        if index >= first && index < last {
            lines.push(Line {
                employee_id: m.employee_id,
                employee_no: m.employee_no.clone(),
                name: m.name.clone(),
                dept: m.dept.label(),
                level: m.level.label(),
                cells: m.result.payroll_cells().to_vec(),
                flagged: !m.result.flags.is_empty(),
            });
        }
        index += 1;
        Ok(())
    })
    .await
    .map_err(anyhow::Error::from)?;
    tx.commit().await?;
    Ok(TablePage {
        chrome: ctx.chrome(format!("{month} 工资调整"), "/hr/payroll"),
        month: month.to_string(),
        q,
        depts: Choice::departments(),
        flags: FLAG_CODES.iter().map(|(code, f)| Choice { code, label: f.label_zh() }).collect(),
        lines,
        totals,
        dept_totals: by_dept
            .into_iter()
            .filter(|(_, t)| t.employees > 0)
            .map(|(d, totals)| DeptTotals { dept: d.label(), code: d.code(), totals })
            .collect(),
        pager: pager.with_total(index),
        header: &crate::rules::PAYROLL_CSV_HEADER,
    })
}

// ---------- deductions of one employee ----------

/// Whose deductions a page shows.
struct Subject {
    name: String,
    employee_no: String,
    unlinked: bool,
}

fn page(ctx: &mut Ctx, month: YearMonth, base_path: String, m: Option<EmployeeMonth>, who: Subject) -> DeductionsPage {
    let (summary, flags, lines) = m.as_ref().map(explain).unwrap_or_default();
    let title = format!("{month} 扣款明细");
    DeductionsPage {
        chrome: ctx.chrome(title, if base_path == "/me/deductions" { "/me/deductions" } else { "/hr/payroll" }),
        month: month.to_string(),
        prev_month: month.previous().map(|m| m.to_string()).unwrap_or_default(),
        next_month: month.next().map(|m| m.to_string()).unwrap_or_default(),
        base_path,
        employee_no: who.employee_no,
        name: who.name,
        summary,
        flags,
        lines,
        unlinked: who.unlinked,
    }
}

pub async fn my_deductions(mut ctx: Ctx, Query(q): Query<MonthQuery>) -> AppResult<DeductionsPage> {
    ctx.require(Action::AttendanceOwn)?;
    let month = month_param(&q.month, ctx.user.today)?;
    let mut tx = ctx.begin().await?;
    let Some(emp) = employees_repo::of_user(&mut tx, &ctx.user).await? else {
        tx.commit().await?;
        let who = Subject { name: ctx.user.display_name.clone(), employee_no: String::new(), unlinked: true };
        return Ok(page(&mut ctx, month, "/me/deductions".into(), None, who));
    };
    let m =
        payroll::one(&mut tx, ctx.user.tenant_id, month, emp.id, ctx.user.today).await.map_err(anyhow::Error::from)?;
    tx.commit().await?;
    Ok(page(
        &mut ctx,
        month,
        "/me/deductions".into(),
        m,
        Subject { name: emp.name, employee_no: emp.employee_no, unlinked: false },
    ))
}

pub async fn employee_deductions(
    mut ctx: Ctx,
    Path(employee_id): Path<i64>,
    Query(q): Query<MonthQuery>,
) -> AppResult<DeductionsPage> {
    ctx.require(Action::AttendanceOwn)?;
    let month = month_param(&q.month, ctx.user.today)?;
    let mut tx = ctx.begin().await?;
    let emp = employees_repo::find_in_scope(&mut tx, &ctx.user, employee_id).await?.ok_or(AppError::NotFound)?;
    let m =
        payroll::one(&mut tx, ctx.user.tenant_id, month, emp.id, ctx.user.today).await.map_err(anyhow::Error::from)?;
    tx.commit().await?;
    let who = Subject { name: emp.name, employee_no: emp.employee_no, unlinked: false };
    Ok(page(&mut ctx, month, format!("/hr/deductions/{employee_id}"), m, who))
}

// ---------- the CSV download ----------

/// `GET /hr/payroll/YYYY-MM.csv`: the payroll-adjustment CSV, the same bytes as
/// `yunying payroll export`, streamed (HR and directors only).
/// Bytes per chunk sent to the client.
const CHUNK: usize = 32 * 1024;

pub async fn download(ctx: Ctx, meta: RequestMeta, Path(file): Path<String>) -> AppResult<Response> {
    ctx.require(Action::PayrollExport)?;
    let month = file.strip_suffix(".csv").and_then(payroll::parse_month).ok_or(AppError::NotFound)?;
    let mut audit_tx = ctx.begin().await?;
    audit::record(
        &mut audit_tx,
        ctx.user.tenant_id,
        &Actor::user(&ctx.user, &meta),
        Entry {
            action: "payroll.download",
            entity_type: Some("payroll"),
            entity_id: Some(month.to_string()),
            summary: format!("下载 {month} 工资调整表"),
            ..Entry::default()
        },
    )
    .await?;
    audit_tx.commit().await?;

    let mut tx = ctx.begin().await?;
    // Load the month's context before answering, so its errors get an error page.
    let month_ctx = payroll::load_context(&mut tx, ctx.user.tenant_id, month).await.map_err(anyhow::Error::from)?;
    let tenant_id = ctx.user.tenant_id;
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    tokio::spawn(async move {
        if sender.send(Ok(Bytes::from(csv_out::header()))).await.is_err() {
            return;
        }
        let mut buf = Vec::with_capacity(CHUNK + 1024);
        let failure = {
            let mut rows = payroll::facts(&mut tx, tenant_id, &month_ctx, &Selection::default());
            loop {
                match rows.try_next().await {
                    Ok(Some(row)) => match payroll::evaluate(&month_ctx, row) {
                        Ok(m) => csv_out::append_row(&mut buf, &m),
                        Err(e) => break Some(e.to_string()),
                    },
                    Ok(None) => break None,
                    Err(e) => break Some(e.to_string()),
                }
                if buf.len() >= CHUNK && sender.send(Ok(Bytes::from(std::mem::take(&mut buf)))).await.is_err() {
                    return; // the client went away
                }
            }
        };
        match failure {
            None => {
                let _ = sender.send(Ok(Bytes::from(buf))).await;
                let _ = tx.commit().await;
            }
            Some(err) => {
                tracing::error!(error = %err, "payroll download failed mid-stream");
                let _ = sender.send(Err(std::io::Error::other("payroll computation failed"))).await;
            }
        }
    });
    let stream = futures_util::stream::unfold(receiver, |mut rx| async move { rx.recv().await.map(|item| (item, rx)) });
    Ok((
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (CONTENT_DISPOSITION, format!("attachment; filename=\"payroll-{}-{month}.csv\"", ctx.user.tenant_code)),
            (CACHE_CONTROL, "no-store".to_owned()),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}
