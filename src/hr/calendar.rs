//! The tenant calendar (日历): holidays (节假日) and make-up workdays (调休上班)
//! that override the Monday–Friday week (RULES.md §1).
//!
//! Everyone signed in may view it; HR adds, replaces and removes overrides one by
//! one or by uploading a calendar CSV. Every change is audited.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use chrono::{Datelike, NaiveDate, Weekday};
use serde::Deserialize;
use serde_json::json;

use super::employees::today;
use super::upload::{ImportKind, ImportPage};
use crate::app::state::AppState;
use crate::audit::{self, Actor, Entry};
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::imports::hr::{apply_calendar, parse_calendar, ImportFailure};
use crate::imports::{parse_date, ImportErrors};
use crate::people::Action;
use crate::rules::{Calendar, CalendarDayKind};
use crate::web::forms::non_empty;
use crate::web::upload::Upload;
use crate::web::{Chrome, Ctx, FieldErrors, Flash, RequestMeta};

const PATH: &str = "/hr/calendar";
const MIN_YEAR: i32 = 1970;
const MAX_YEAR: i32 = 2100;
const NOTE_MAX: usize = 100;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/hr/calendar", get(year_page).post(set_day))
        .route("/hr/calendar/import", get(import_form).post(import))
        .route("/hr/calendar/{date}/delete", get(delete_confirm).post(delete))
}

fn year_path(year: i32) -> String {
    format!("{PATH}?year={year}")
}

fn kind_of(code: &str) -> Option<CalendarDayKind> {
    match code {
        "holiday" => Some(CalendarDayKind::Holiday),
        "workday" => Some(CalendarDayKind::Workday),
        _ => None,
    }
}

/// Chinese label of a calendar kind code.
pub fn kind_label(code: &str) -> &'static str {
    match code {
        "holiday" => "节假日",
        "workday" => "调休上班",
        _ => "?",
    }
}

fn weekday_label(d: NaiveDate) -> &'static str {
    match d.weekday() {
        Weekday::Mon => "周一",
        Weekday::Tue => "周二",
        Weekday::Wed => "周三",
        Weekday::Thu => "周四",
        Weekday::Fri => "周五",
        Weekday::Sat => "周六",
        Weekday::Sun => "周日",
    }
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DayRow {
    pub day: NaiveDate,
    pub kind: String,
    pub note: String,
}

impl DayRow {
    pub fn kind_label(&self) -> &'static str {
        kind_label(&self.kind)
    }

    pub fn weekday(&self) -> &'static str {
        weekday_label(self.day)
    }

    pub fn tag(&self) -> &'static str {
        if self.kind == "holiday" {
            "tag-bad"
        } else {
            "tag-ok"
        }
    }
}

async fn overrides(tx: &mut Tx, tenant_id: i64, year: i32) -> Result<Vec<DayRow>, sqlx::Error> {
    let (from, to) = (NaiveDate::from_ymd_opt(year, 1, 1), NaiveDate::from_ymd_opt(year, 12, 31));
    sqlx::query_as(
        "SELECT day, kind, note FROM calendar_days WHERE tenant_id = $1 AND day BETWEEN $2 AND $3 ORDER BY day",
    )
    .bind(tenant_id)
    .bind(from)
    .bind(to)
    .fetch_all(&mut **tx)
    .await
}

async fn lock_day(tx: &mut Tx, tenant_id: i64, day: NaiveDate) -> Result<Option<DayRow>, sqlx::Error> {
    sqlx::query_as("SELECT day, kind, note FROM calendar_days WHERE tenant_id = $1 AND day = $2 FOR UPDATE")
        .bind(tenant_id)
        .bind(day)
        .fetch_optional(&mut **tx)
        .await
}

// ---------- the year page ----------

/// One day cell of a month grid (`day` 0 = blank).
pub struct Cell {
    pub day: u32,
    /// `tag-bad` (holiday), `tag-ok` (make-up workday) or empty.
    pub tag: &'static str,
    pub weekend: bool,
    pub title: String,
}

pub struct MonthGrid {
    pub month: u32,
    pub weeks: Vec<Vec<Cell>>,
    pub workdays: usize,
}

fn month_grids(year: i32, days: &[DayRow]) -> Vec<MonthGrid> {
    let calendar: Calendar = days.iter().filter_map(|d| kind_of(&d.kind).map(|k| (d.day, k))).collect();
    let mut grids = Vec::with_capacity(12);
    for month in 1..=12 {
        let Some(first) = NaiveDate::from_ymd_opt(year, month, 1) else { continue };
        let mut cells: Vec<Cell> = (0..first.weekday().num_days_from_monday())
            .map(|_| Cell { day: 0, tag: "", weekend: false, title: String::new() })
            .collect();
        let mut workdays = 0;
        for date in first.iter_days().take_while(|d| d.month() == month) {
            if calendar.is_workday(date) {
                workdays += 1;
            }
            let over = days.iter().find(|d| d.day == date);
            cells.push(Cell {
                day: date.day(),
                tag: over.map_or("", DayRow::tag),
                weekend: is_weekend(date),
                title: over
                    .map(|d| {
                        if d.note.is_empty() {
                            d.kind_label().to_owned()
                        } else {
                            format!("{}：{}", d.kind_label(), d.note)
                        }
                    })
                    .unwrap_or_default(),
            });
        }
        while !cells.len().is_multiple_of(7) {
            cells.push(Cell { day: 0, tag: "", weekend: false, title: String::new() });
        }
        let mut weeks = Vec::new();
        let mut it = cells.into_iter().peekable();
        while it.peek().is_some() {
            weeks.push(it.by_ref().take(7).collect());
        }
        grids.push(MonthGrid { month, weeks, workdays });
    }
    grids
}

#[derive(Debug, Default, Deserialize)]
pub struct YearQuery {
    #[serde(default)]
    pub year: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct SetForm {
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub note: String,
    /// The year page the form was on (to show it again).
    #[serde(default)]
    pub year: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "hr/calendar/year.html")]
pub struct YearPage {
    pub chrome: Chrome,
    pub year: i32,
    pub months: Vec<MonthGrid>,
    pub days: Vec<DayRow>,
    pub holidays: usize,
    pub makeups: usize,
    pub can_edit: bool,
    pub form: SetForm,
    pub errors: FieldErrors,
}

impl YearPage {
    pub fn has_prev(&self) -> bool {
        self.year > MIN_YEAR
    }

    pub fn has_next(&self) -> bool {
        self.year < MAX_YEAR
    }
}

fn parse_year(s: &str) -> Option<i32> {
    let s = s.trim();
    if s.len() != 4 {
        return None;
    }
    s.parse::<i32>().ok().filter(|y| (MIN_YEAR..=MAX_YEAR).contains(y))
}

async fn render_year(ctx: &mut Ctx, year: i32, form: SetForm, errors: FieldErrors) -> AppResult<YearPage> {
    let mut tx = ctx.begin().await?;
    let days = overrides(&mut tx, ctx.user.tenant_id, year).await?;
    tx.commit().await?;
    Ok(YearPage {
        chrome: ctx.chrome(format!("{year} 年日历"), PATH),
        year,
        months: month_grids(year, &days),
        holidays: days.iter().filter(|d| d.kind == "holiday").count(),
        makeups: days.iter().filter(|d| d.kind == "workday").count(),
        days,
        can_edit: ctx.can(Action::HrManage),
        form,
        errors,
    })
}

pub async fn year_page(mut ctx: Ctx, Query(q): Query<YearQuery>) -> AppResult<YearPage> {
    ctx.require(Action::AttendanceOwn)?;
    let year = match non_empty(&q.year) {
        None => today(&ctx.user).year(),
        Some(y) => parse_year(y)
            .ok_or_else(|| AppError::BadRequest(format!("年份应为 {MIN_YEAR}–{MAX_YEAR} 之间的四位数字")))?,
    };
    let form = SetForm { kind: "holiday".into(), year: year.to_string(), ..SetForm::default() };
    render_year(&mut ctx, year, form, FieldErrors::default()).await
}

pub async fn set_day(meta: RequestMeta, mut ctx: Ctx, Form(form): Form<SetForm>) -> AppResult<Response> {
    ctx.require(Action::HrManage)?;
    let mut errors = FieldErrors::default();
    let date = match non_empty(&form.date) {
        None => {
            errors.add("date", "请填写日期");
            None
        }
        Some(s) => match parse_date(s) {
            Ok(d) if (MIN_YEAR..=MAX_YEAR).contains(&d.year()) => Some(d),
            Ok(_) => {
                errors.add("date", format!("日期应在 {MIN_YEAR}–{MAX_YEAR} 年之间"));
                None
            }
            Err(_) => {
                errors.add("date", "日期应为 YYYY-MM-DD 格式");
                None
            }
        },
    };
    let kind = kind_of(form.kind.trim()).map(|_| form.kind.trim().to_owned());
    if kind.is_none() {
        errors.add("kind", "请选择类型：节假日或调休上班");
    }
    let note = form.note.trim().to_owned();
    if note.chars().count() > NOTE_MAX {
        errors.add("note", format!("备注最多 {NOTE_MAX} 个字符"));
    } else if note.chars().any(char::is_control) {
        errors.add("note", "备注不能包含控制字符");
    }
    let (Some(date), Some(kind), true) = (date, kind, errors.is_empty()) else {
        let year = parse_year(&form.year).unwrap_or_else(|| today(&ctx.user).year());
        let page = render_year(&mut ctx, year, form, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let mut tx = ctx.begin().await?;
    let before = lock_day(&mut tx, ctx.user.tenant_id, date).await?;
    if before.as_ref().is_some_and(|b| b.kind == kind && b.note == note) {
        tx.rollback().await?;
        return Ok(
            Flash::success(format!("{date} 已是{}，没有变化。", kind_label(&kind))).redirect(&year_path(date.year()))
        );
    }
    sqlx::query(
        "INSERT INTO calendar_days (tenant_id, day, kind, note) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant_id, day) DO UPDATE SET kind = EXCLUDED.kind, note = EXCLUDED.note, updated_at = now()",
    )
    .bind(ctx.user.tenant_id)
    .bind(date)
    .bind(&kind)
    .bind(&note)
    .execute(&mut *tx)
    .await?;
    let label = kind_label(&kind);
    audit::record(
        &mut tx,
        ctx.user.tenant_id,
        &Actor::user(&ctx.user, &meta),
        Entry {
            action: "calendar.set",
            entity_type: Some("calendar_day"),
            entity_id: Some(date.to_string()),
            summary: if note.is_empty() {
                format!("将 {date} 设为{label}")
            } else {
                format!("将 {date} 设为{label}（{note}）")
            },
            before: before.as_ref().map(|b| json!({"day": b.day, "kind": b.kind, "note": b.note})),
            after: Some(json!({"day": date, "kind": kind, "note": note})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Flash::success(format!("已将 {date} 设为{label}。")).redirect(&year_path(date.year())))
}

// ---------- delete ----------

#[derive(Template, WebTemplate)]
#[template(path = "hr/calendar/delete.html")]
pub struct DeletePage {
    pub chrome: Chrome,
    pub day: DayRow,
    /// Whether the date is a workday once the override is gone.
    pub workday_after: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct DeleteForm {
    /// The kind the confirmation page showed; a change in between is a 409.
    #[serde(default)]
    pub kind: String,
}

fn path_date(s: &str) -> AppResult<NaiveDate> {
    parse_date(s).map_err(|_| AppError::NotFound)
}

pub async fn delete_confirm(mut ctx: Ctx, Path(date): Path<String>) -> AppResult<DeletePage> {
    ctx.require(Action::HrManage)?;
    let date = path_date(&date)?;
    let mut tx = ctx.begin().await?;
    let day: Option<DayRow> =
        sqlx::query_as("SELECT day, kind, note FROM calendar_days WHERE tenant_id = $1 AND day = $2")
            .bind(ctx.user.tenant_id)
            .bind(date)
            .fetch_optional(&mut *tx)
            .await?;
    tx.commit().await?;
    let day = day.ok_or(AppError::NotFound)?;
    Ok(DeletePage { chrome: ctx.chrome("确认删除日历设置", PATH), workday_after: !is_weekend(day.day), day })
}

pub async fn delete(
    meta: RequestMeta,
    ctx: Ctx,
    Path(date): Path<String>,
    Form(form): Form<DeleteForm>,
) -> AppResult<Response> {
    ctx.require(Action::HrManage)?;
    let date = path_date(&date)?;
    let mut tx = ctx.begin().await?;
    let before = lock_day(&mut tx, ctx.user.tenant_id, date).await?.ok_or(AppError::NotFound)?;
    if non_empty(&form.kind).is_some_and(|k| k != before.kind) {
        return Err(AppError::Conflict(format!("{date} 的设置已被他人改为{}，请刷新后重试", before.kind_label())));
    }
    sqlx::query("DELETE FROM calendar_days WHERE tenant_id = $1 AND day = $2")
        .bind(ctx.user.tenant_id)
        .bind(date)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        ctx.user.tenant_id,
        &Actor::user(&ctx.user, &meta),
        Entry {
            action: "calendar.delete",
            entity_type: Some("calendar_day"),
            entity_id: Some(date.to_string()),
            summary: format!("删除 {date} 的日历设置（原为{}）", before.kind_label()),
            before: Some(json!({"day": before.day, "kind": before.kind, "note": before.note})),
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Flash::success(format!("已删除 {date} 的日历设置。")).redirect(&year_path(date.year())))
}

// ---------- CSV upload ----------

pub async fn import_form(mut ctx: Ctx) -> AppResult<ImportPage> {
    ctx.require(Action::HrManage)?;
    Ok(ImportPage::new(&mut ctx, ImportKind::Calendar))
}

pub async fn import(meta: RequestMeta, mut ctx: Ctx, upload: Upload) -> AppResult<Response> {
    ctx.require(Action::HrManage)?;
    let upload = upload.read().await?;
    let Some((file, bytes)) = upload.into_file("calendar.csv")? else {
        return Ok(ImportPage::new(&mut ctx, ImportKind::Calendar).no_file());
    };
    let invalid =
        |ctx: &mut Ctx, errors: ImportErrors| ImportPage::new(ctx, ImportKind::Calendar).invalid(&file, &errors.errors);
    let name = file.clone();
    let rows = match crate::imports::off_thread(move || parse_calendar(&name, &bytes)).await {
        Ok(rows) => rows,
        Err(errors) => return Ok(invalid(&mut ctx, errors)),
    };
    let mut tx = ctx.begin().await?;
    let summary = match apply_calendar(&mut tx, ctx.user.tenant_id, &Actor::user(&ctx.user, &meta), &file, &rows).await
    {
        Ok(s) => s,
        Err(ImportFailure::Invalid(errors)) => {
            tx.rollback().await?;
            return Ok(invalid(&mut ctx, errors));
        }
        Err(ImportFailure::Database(e)) => return Err(e.into()),
    };
    tx.commit().await?;
    let year = rows.first().map_or_else(|| today(&ctx.user).year(), |r| r.date.year());
    Ok(Flash::success(format!("已导入日历（{file}）：新增 {} 天，更新 {} 天。", summary.inserted, summary.updated))
        .redirect(&year_path(year)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str, kind: &str) -> DayRow {
        DayRow { day: parse_date(s).unwrap(), kind: kind.into(), note: String::new() }
    }

    #[test]
    fn month_grids_start_on_monday_and_count_workdays() {
        let grids = month_grids(2026, &[day("2026-10-01", "holiday"), day("2026-10-10", "workday")]);
        assert_eq!(grids.len(), 12);
        let oct = &grids[9];
        assert_eq!(oct.month, 10);
        // 2026-10-01 is a Thursday: three blanks first.
        assert_eq!(oct.weeks[0].iter().map(|c| c.day).collect::<Vec<_>>(), vec![0, 0, 0, 1, 2, 3, 4]);
        assert!(oct.weeks.iter().all(|w| w.len() == 7));
        assert_eq!(oct.weeks[0][3].tag, "tag-bad");
        assert_eq!(oct.weeks[1][5].tag, "tag-ok", "Saturday the 10th is a make-up workday");
        assert_eq!(oct.workdays, 22);
        assert_eq!(grids[1].workdays, 20, "February 2026 has 20 weekdays");
    }

    #[test]
    fn years_are_four_digits_in_range() {
        assert_eq!(parse_year("2026"), Some(2026));
        assert_eq!(parse_year(" 2026 "), Some(2026));
        assert_eq!(parse_year("26"), None);
        assert_eq!(parse_year("1800"), None);
        assert_eq!(parse_year("+202"), None);
    }
}
