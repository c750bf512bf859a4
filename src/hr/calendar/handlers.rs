//! The calendar pages: the year, setting and deleting a day, the CSV upload.

use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use chrono::{Datelike, NaiveDate};
use futures_util::FutureExt;
use serde_json::json;

use super::repo::{self};
use super::views::{month_grids, DeleteForm, DeletePage, SetForm, YearPage, YearQuery};
use super::{is_weekend, kind_label, kind_of, year_path, MAX_YEAR, MIN_YEAR, PATH};
use crate::audit::{self, Actor, Entry};
use crate::error::{AppError, AppResult};
use crate::hr::employees::today;
use crate::hr::upload::{self, ImportKind, ImportPage, Imported};
use crate::imports::hr::{apply_calendar, parse_calendar};
use crate::imports::parse_date;
use crate::people::Action;
use crate::web::forms::non_empty;
use crate::web::upload::Upload;
use crate::web::{Ctx, FieldErrors, Flash, RequestMeta};

const NOTE_MAX: usize = 100;

// ---------- the year page ----------

fn parse_year(s: &str) -> Option<i32> {
    let s = s.trim();
    if s.len() != 4 {
        return None;
    }
    s.parse::<i32>().ok().filter(|y| (MIN_YEAR..=MAX_YEAR).contains(y))
}

async fn render_year(ctx: &mut Ctx, year: i32, form: SetForm, errors: FieldErrors) -> AppResult<YearPage> {
    let mut tx = ctx.begin().await?;
    let days = repo::overrides(&mut tx, ctx.user.tenant_id, year).await?;
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
    let before = repo::lock_day(&mut tx, ctx.user.tenant_id, date).await?;
    if before.as_ref().is_some_and(|b| b.kind == kind && b.note == note) {
        tx.rollback().await?;
        return Ok(
            Flash::success(format!("{date} 已是{}，没有变化。", kind_label(&kind))).redirect(&year_path(date.year()))
        );
    }
    repo::set_day(&mut tx, ctx.user.tenant_id, date, &kind, &note).await?;
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

fn path_date(s: &str) -> AppResult<NaiveDate> {
    parse_date(s).map_err(|_| AppError::NotFound)
}

pub async fn delete_confirm(mut ctx: Ctx, Path(date): Path<String>) -> AppResult<DeletePage> {
    ctx.require(Action::HrManage)?;
    let date = path_date(&date)?;
    let mut tx = ctx.begin().await?;
    let day = repo::find_day(&mut tx, ctx.user.tenant_id, date).await?;
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
    let before = repo::lock_day(&mut tx, ctx.user.tenant_id, date).await?.ok_or(AppError::NotFound)?;
    if non_empty(&form.kind).is_some_and(|k| k != before.kind) {
        return Err(AppError::Conflict(format!("{date} 的设置已被他人改为{}，请刷新后重试", before.kind_label())));
    }
    repo::delete_day(&mut tx, ctx.user.tenant_id, date).await?;
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
    let page = ImportPage::new(&mut ctx, ImportKind::Calendar);
    let Some(file) = upload.into_file("calendar.csv")? else {
        return Ok(page.no_file());
    };
    let Imported { file, rows, summary } =
        match upload::import(&ctx, &meta, page, file, parse_calendar, |tx, t, a, f, r| {
            apply_calendar(tx, t, a, f, r).boxed()
        })
        .await?
        {
            Ok(done) => done,
            Err(page) => return Ok(page),
        };
    let year = rows.first().map_or_else(|| today(&ctx.user).year(), |r| r.date.year());
    Ok(Flash::success(format!("已导入日历（{file}）：新增 {} 天，更新 {} 天。", summary.inserted, summary.updated))
        .redirect(&year_path(year)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_are_four_digits_in_range() {
        assert_eq!(parse_year("2026"), Some(2026));
        assert_eq!(parse_year(" 2026 "), Some(2026));
        assert_eq!(parse_year("26"), None);
        assert_eq!(parse_year("1800"), None);
        assert_eq!(parse_year("+202"), None);
    }
}
