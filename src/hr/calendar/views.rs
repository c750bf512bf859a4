//! The calendar pages (askama), their forms and the month grids.

use askama::Template;
use askama_web::WebTemplate;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use super::repo::DayRow;
use super::{is_weekend, kind_of, MAX_YEAR, MIN_YEAR};
use crate::rules::Calendar;
use crate::web::{Chrome, FieldErrors};

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

pub(super) fn month_grids(year: i32, days: &[DayRow]) -> Vec<MonthGrid> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imports::parse_date;

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
}
