//! Tests of the rules module: the worked examples of RULES.md §7, boundaries and
//! properties.

mod boundaries;
mod examples;
mod parsing;
mod props;

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveTime};

use super::{
    evaluate_month, required_history_range, Calendar, CalendarDayKind, DayFacts, Employee, EvaluationError, Fen, Grade,
    History, Leave, MonthInput, MonthResult, Policy, Score, YearMonth,
};

pub(super) fn d(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("valid test date")
}

pub(super) fn t(hour: u32, minute: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, minute, 0).expect("valid test time")
}

pub(super) fn yuan(s: &str) -> Fen {
    Fen::parse_yuan(s).expect("valid test amount")
}

pub(super) fn score(s: &str) -> Score {
    Score::parse(s).expect("valid test score")
}

pub(super) fn ym(year: i32, month: u32) -> YearMonth {
    YearMonth::new(year, month).expect("valid test month")
}

/// One employee's month, with every evaluated workday punched 09:00/18:00
/// unless overridden — the setting of RULES.md §7.
#[derive(Debug, Clone)]
pub(super) struct Scenario {
    pub policy: Policy,
    pub month: YearMonth,
    pub calendar: Calendar,
    pub tracking_since: NaiveDate,
    pub employee: Employee,
    pub overrides: BTreeMap<NaiveDate, DayFacts>,
    pub score: Option<Score>,
    pub previous_month_grade: Option<Grade>,
}

impl Scenario {
    /// November 2026, tracking since 2026-10-01, hired long before.
    pub fn november(salary: &str, bonus_base: &str) -> Scenario {
        Scenario {
            policy: Policy::seed_default(),
            month: ym(2026, 11),
            calendar: Calendar::new(),
            tracking_since: d(2026, 10, 1),
            employee: Employee {
                monthly_salary: yuan(salary),
                bonus_base: yuan(bonus_base),
                hired_on: d(2020, 1, 1),
                left_on: None,
            },
            overrides: BTreeMap::new(),
            score: None,
            previous_month_grade: None,
        }
    }

    pub fn month(mut self, month: YearMonth) -> Self {
        self.month = month;
        self
    }

    pub fn tracking_since(mut self, date: NaiveDate) -> Self {
        self.tracking_since = date;
        self
    }

    pub fn score(mut self, s: &str) -> Self {
        self.score = Some(score(s));
        self
    }

    pub fn previous_grade(mut self, grade: Grade) -> Self {
        self.previous_month_grade = Some(grade);
        self
    }

    pub fn calendar(mut self, date: NaiveDate, kind: CalendarDayKind) -> Self {
        self.calendar.insert(date, kind);
        self
    }

    pub fn facts(mut self, date: NaiveDate, facts: DayFacts) -> Self {
        self.overrides.insert(date, facts);
        self
    }

    pub fn punch(self, date: NaiveDate, clock_in: Option<NaiveTime>, out: Option<NaiveTime>) -> Self {
        self.facts(date, DayFacts { clock_in, clock_out: out, leave: Leave::None })
    }

    /// In at `clock_in`, out at 18:00.
    pub fn late(self, date: NaiveDate, clock_in: NaiveTime) -> Self {
        self.punch(date, Some(clock_in), Some(t(18, 0)))
    }

    /// In at 09:00, out at `clock_out`.
    pub fn early(self, date: NaiveDate, clock_out: NaiveTime) -> Self {
        self.punch(date, Some(t(9, 0)), Some(clock_out))
    }

    /// No punches, no leave.
    pub fn absent(self, date: NaiveDate) -> Self {
        self.facts(date, DayFacts::default())
    }

    pub fn history(&self) -> History {
        let range =
            required_history_range(&self.policy, self.month, &self.calendar, self.tracking_since, &self.employee);
        let mut history = History::new(range.clone());
        for date in range.start().iter_days().take_while(|day| day <= range.end()) {
            let facts = match self.overrides.get(&date) {
                Some(facts) => *facts,
                None if self.calendar.is_workday(date) => DayFacts::punched(t(9, 0), t(18, 0)),
                None => DayFacts::default(),
            };
            history.set(date, facts);
        }
        history
    }

    pub fn try_evaluate(&self) -> Result<MonthResult, EvaluationError> {
        let history = self.history();
        evaluate_month(
            &self.policy,
            &MonthInput {
                month: self.month,
                calendar: &self.calendar,
                tracking_since: self.tracking_since,
                employee: &self.employee,
                history: &history,
                score: self.score,
                previous_month_grade: self.previous_month_grade,
            },
        )
    }

    pub fn evaluate(&self) -> MonthResult {
        self.try_evaluate().expect("evaluation succeeds")
    }
}

/// A full payroll CSV row as in CONTRACT.md (these rows need no quoting).
pub(super) fn csv_row(identity: [&str; 4], result: &MonthResult) -> String {
    identity.iter().map(|s| (*s).to_owned()).chain(result.payroll_cells()).collect::<Vec<_>>().join(",")
}
