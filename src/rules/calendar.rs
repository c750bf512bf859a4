//! Workdays, calendar months and which days are evaluated for an employee
//! (RULES.md §1).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Months, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use super::employee::Employee;

/// A tenant calendar override for one date (the `kind` column of the calendar
/// import).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CalendarDayKind {
    /// Not a workday, even on Monday–Friday (法定节假日).
    Holiday,
    /// A make-up workday, even on Saturday/Sunday (调休上班).
    Workday,
}

/// The tenant calendar: Monday–Friday are workdays unless a date override says
/// otherwise.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Calendar {
    overrides: BTreeMap<NaiveDate, CalendarDayKind>,
}

impl Calendar {
    /// A calendar without overrides (plain Monday–Friday).
    pub fn new() -> Calendar {
        Calendar::default()
    }

    /// Sets the override of `date`, returning the previous one.
    pub fn insert(&mut self, date: NaiveDate, kind: CalendarDayKind) -> Option<CalendarDayKind> {
        self.overrides.insert(date, kind)
    }

    /// Builder form of [`Calendar::insert`].
    pub fn with(mut self, date: NaiveDate, kind: CalendarDayKind) -> Calendar {
        self.insert(date, kind);
        self
    }

    /// The override of `date`, if any.
    pub fn get(&self, date: NaiveDate) -> Option<CalendarDayKind> {
        self.overrides.get(&date).copied()
    }

    /// Whether `date` is a workday for the tenant: the override if there is
    /// one, otherwise Monday–Friday.
    pub fn is_workday(&self, date: NaiveDate) -> bool {
        match self.get(date) {
            Some(CalendarDayKind::Holiday) => false,
            Some(CalendarDayKind::Workday) => true,
            None => !matches!(date.weekday(), Weekday::Sat | Weekday::Sun),
        }
    }

    /// Whether `date` is evaluated for `employee`, and if not, why.
    ///
    /// A date is evaluated when it is a workday, on or after `tracking_since`
    /// (the tenant's go-live), on or after `hired_on` and on or before
    /// `left_on` (when set). When several reasons apply, the first of: not a
    /// workday, before tracking, before hire, after leaving.
    pub fn day_status(&self, date: NaiveDate, tracking_since: NaiveDate, employee: &Employee) -> DayStatus {
        if !self.is_workday(date) {
            DayStatus::NotWorkday
        } else if date < tracking_since {
            DayStatus::NotEvaluated(NotEvaluatedReason::BeforeTracking)
        } else if date < employee.hired_on {
            DayStatus::NotEvaluated(NotEvaluatedReason::BeforeHire)
        } else if employee.left_on.is_some_and(|left| date > left) {
            DayStatus::NotEvaluated(NotEvaluatedReason::AfterLeaving)
        } else {
            DayStatus::Evaluated
        }
    }
}

impl FromIterator<(NaiveDate, CalendarDayKind)> for Calendar {
    fn from_iter<I: IntoIterator<Item = (NaiveDate, CalendarDayKind)>>(iter: I) -> Self {
        Calendar { overrides: iter.into_iter().collect() }
    }
}

/// Whether a date is evaluated for one employee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DayStatus {
    /// A weekend day or a holiday: neither counts nor breaks an absence run.
    NotWorkday,
    /// A workday that is outside the evaluated period of this employee.
    NotEvaluated(NotEvaluatedReason),
    /// A workday that is evaluated.
    Evaluated,
}

/// Why a workday is not evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NotEvaluatedReason {
    /// Before the tenant's tracking start date (no data; never an absence).
    BeforeTracking,
    /// Before the employee's `hired_on`.
    BeforeHire,
    /// After the employee's `left_on`.
    AfterLeaving,
}

/// A calendar month, e.g. 2026-11. Always a valid month by construction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    first: NaiveDate,
    last: NaiveDate,
}

impl YearMonth {
    /// The month `month` (1–12) of `year`; `None` if invalid or outside
    /// chrono's date range.
    pub fn new(year: i32, month: u32) -> Option<YearMonth> {
        let first = NaiveDate::from_ymd_opt(year, month, 1)?;
        let last = first.checked_add_months(Months::new(1))?.pred_opt()?;
        Some(YearMonth { first, last })
    }

    /// The month containing `date`.
    pub fn of(date: NaiveDate) -> Option<YearMonth> {
        YearMonth::new(date.year(), date.month())
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.first.year()
    }

    /// The month, 1–12.
    pub fn month(self) -> u32 {
        self.first.month()
    }

    /// The first day of the month.
    pub fn first_day(self) -> NaiveDate {
        self.first
    }

    /// The last day of the month.
    pub fn last_day(self) -> NaiveDate {
        self.last
    }

    /// 1 January of the month's year.
    pub fn first_day_of_year(self) -> NaiveDate {
        self.first.with_month(1).unwrap_or(self.first)
    }

    /// The month before.
    pub fn previous(self) -> Option<YearMonth> {
        self.first.pred_opt().and_then(YearMonth::of)
    }

    /// The month after.
    pub fn next(self) -> Option<YearMonth> {
        self.last.succ_opt().and_then(YearMonth::of)
    }

    /// Every date of the month, in order.
    pub fn days(self) -> impl Iterator<Item = NaiveDate> {
        let last = self.last;
        self.first.iter_days().take_while(move |d| *d <= last)
    }
}

impl fmt::Display for YearMonth {
    /// `YYYY-MM`, as in the CSV `月份` column.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year(), self.month())
    }
}

/// A rejected `YYYY-MM` text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseYearMonthError(String);

impl fmt::Display for ParseYearMonthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: expected a month as YYYY-MM", self.0)
    }
}

impl std::error::Error for ParseYearMonthError {}

impl FromStr for YearMonth {
    type Err = ParseYearMonthError;

    /// Parses `YYYY-MM` (four-digit year, two-digit month).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseYearMonthError(s.to_owned());
        let (y, m) = s.split_once('-').ok_or_else(err)?;
        let digits = |t: &str, n: usize| t.len() == n && t.bytes().all(|b| b.is_ascii_digit());
        if !digits(y, 4) || !digits(m, 2) {
            return Err(err());
        }
        let year = y.parse().map_err(|_| err())?;
        let month = m.parse().map_err(|_| err())?;
        YearMonth::new(year, month).ok_or_else(err)
    }
}
