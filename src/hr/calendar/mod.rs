//! The tenant calendar (日历): holidays (节假日) and make-up workdays (调休上班)
//! that override the Monday–Friday week (RULES.md §1).
//!
//! Everyone signed in may view it; HR adds, replaces and removes overrides one by
//! one or by uploading a calendar CSV. Every change is audited.

mod handlers;
mod repo;
mod views;

use axum::routing::get;
use axum::Router;
use chrono::{Datelike, NaiveDate, Weekday};

use crate::app::state::AppState;
use crate::rules::CalendarDayKind;
use handlers::{delete, delete_confirm, import, import_form, set_day, year_page};

const PATH: &str = "/hr/calendar";
const MIN_YEAR: i32 = 1970;
const MAX_YEAR: i32 = 2100;

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
