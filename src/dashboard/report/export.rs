//! The monthly report's tables as CSV (`GET /reports/monthly.csv`): the same lines
//! the page shows, one file per table.

use axum::extract::Query;
use axum::response::Response;
use chrono::Utc;

use super::handlers::{campaign_lines, complaint_lines, figure_lines, month_of, period_of, product_lines, slow_window};
use super::repo;
use super::views::ReportQuery;
use crate::error::{AppError, AppResult};
use crate::people::Action;
use crate::web::Ctx;

/// `GET /reports/monthly.csv?month=YYYY-MM&table=figures|products|slow|campaigns|complaints`.
pub async fn export(cx: Ctx, Query(q): Query<ReportQuery>) -> AppResult<Response> {
    cx.require(Action::ReportsView)?;
    let m = month_of(&q.month, cx.user.today)?;
    let table = q.table.trim();
    if !["figures", "products", "slow", "campaigns", "complaints"].contains(&table) {
        return Err(AppError::BadRequest(format!(
            "表格“{table}”无效（应为 figures、products、slow、campaigns 或 complaints）"
        )));
    }
    let p = period_of(m, cx.user.today)?;
    let (user, now) = (&cx.user, Utc::now());
    let mut tx = cx.begin().await?;
    let month = m.to_string();
    let body = match table {
        "figures" => {
            crate::db::compact_rollups(&mut tx).await?;
            let (lines, _, _) = figure_lines(&mut tx, user, &p, now).await?;
            crate::web::csv::build(
                &[
                    "month",
                    "kpi",
                    "area",
                    "label",
                    "value",
                    "previous_month",
                    "previous_change",
                    "year_before",
                    "year_change",
                ],
                lines.iter().map(|l| {
                    vec![
                        month.clone(),
                        l.id.to_owned(),
                        l.area.to_owned(),
                        l.label.to_owned(),
                        l.current_plain.clone(),
                        l.previous_plain.clone(),
                        l.previous_change.clone(),
                        l.year_plain.clone(),
                        l.year_change.clone(),
                    ]
                }),
            )?
        }
        "products" => {
            let lines = product_lines(&mut tx, user, &p).await?;
            crate::web::csv::build(
                &["month", "rank", "sku", "name", "quantity", "orders", "amount"],
                lines.iter().map(|l| {
                    vec![
                        month.clone(),
                        l.rank.to_string(),
                        l.sku.clone(),
                        l.name.clone(),
                        l.quantity.to_string(),
                        l.orders.to_string(),
                        l.amount_plain.clone(),
                    ]
                }),
            )?
        }
        "slow" => {
            let (since, until, _) = slow_window(user, &p, now);
            // The CSV has every slow item, not only the page's first ones.
            let (rows, _) = repo::slow_moving(&mut tx, user.tenant_id, (since, until), i64::from(i32::MAX)).await?;
            let tz = &user.settings.time_zone;
            crate::web::csv::build(
                &["month", "sku", "name", "warehouse", "on_hand", "last_shipped"],
                rows.iter().map(|r| {
                    vec![
                        month.clone(),
                        r.sku.clone(),
                        r.name.clone(),
                        r.warehouse.clone(),
                        r.on_hand.to_string(),
                        r.last_shipped.map(|at| tz.date_of(at).to_string()).unwrap_or_default(),
                    ]
                }),
            )?
        }
        "campaigns" => {
            let lines = campaign_lines(&mut tx, user, &p).await?;
            crate::web::csv::build(
                &["month", "campaign_no", "theme", "department", "status", "dates", "sales", "cost", "roi"],
                lines.iter().map(|l| {
                    vec![
                        month.clone(),
                        l.campaign_no.clone(),
                        l.theme.clone(),
                        l.department.clone(),
                        l.status.clone(),
                        l.dates.clone(),
                        l.sales_plain.clone(),
                        l.cost_plain.clone(),
                        l.roi.clone(),
                    ]
                }),
            )?
        }
        _ => {
            let (lines, total) = complaint_lines(&mut tx, user, &p).await?;
            crate::web::csv::build(
                &["month", "category", "label", "received", "on_time", "late", "unanswered", "on_time_rate"],
                lines.iter().chain(total.iter()).map(|l| {
                    vec![
                        month.clone(),
                        l.code.clone(),
                        l.category.clone(),
                        l.received.to_string(),
                        l.on_time.to_string(),
                        l.late.to_string(),
                        l.unanswered.to_string(),
                        l.on_time_rate.clone(),
                    ]
                }),
            )?
        }
    };
    tx.commit().await?;
    Ok(crate::web::csv::download(&format!("monthly-report-{}-{month}-{table}.csv", cx.user.tenant_code), body))
}
