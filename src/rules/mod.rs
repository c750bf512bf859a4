//! Pure attendance, performance and payroll-adjustment rules (RULES.md).
//!
//! No database, no web, no clock: every date and time is a parameter, money is
//! integer fen ([`Fen`]) and scores are integer tenths ([`Score`]); there is no
//! floating point. Nothing here panics on any input: invalid inputs are
//! unrepresentable or reported as values.
//!
//! * [`money`] — [`Fen`], [`Decimal2`], exact rounding.
//! * [`grade`] — [`Score`], [`Grade`], [`Coefficient`], [`GradeScale`].
//! * [`policy`] — [`Policy`], every number of RULES.md with the seed defaults.
//! * [`calendar`] — [`Calendar`] (workdays), [`YearMonth`], which days count.
//! * [`employee`] — [`Employee`].
//! * [`classify`] — one day → [`DayOutcome`] (RULES.md §2).
//! * [`month`] — one employee's month → [`MonthResult`] (RULES.md §3–§6).
//! * [`flags`] — [`Flag`] (RULES.md §5).
//!
//! Typical use, per employee and month:
//!
//! 1. `let range = required_history_range(&policy, month, &calendar, tracking_since, &employee);`
//! 2. load punches and leave for `range` into `History::new(range)`;
//! 3. `evaluate_month(&policy, &MonthInput { .. })`.

// These travel with the module when it moves into the main crate.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]
#![deny(clippy::float_arithmetic)]
// The clock functions of clippy.toml: rules never read the time.
#![deny(clippy::disallowed_methods)]

pub mod calendar;
pub mod classify;
pub mod employee;
pub mod flags;
pub mod grade;
pub mod money;
pub mod month;
pub mod policy;

#[cfg(test)]
mod tests;

pub use self::calendar::{Calendar, CalendarDayKind, DayStatus, NotEvaluatedReason, ParseYearMonthError, YearMonth};
pub use self::classify::{
    classify_day, classify_workday, DayFacts, DayOutcome, Deviation, HalfDayAbsenceReason, Leave, Occurrence, Severity,
};
pub use self::employee::Employee;
pub use self::flags::{join_flags, Flag};
pub use self::grade::{Coefficient, Grade, GradeScale, Score};
pub use self::money::{round_half_up_div, Decimal2, Fen, ParseError, ParseErrorKind};
pub use self::month::{
    evaluate_month, required_history_range, Charge, Counts, DayRecord, EvaluationError, Explanation, History,
    MonthInput, MonthResult, PAYROLL_CSV_HEADER,
};
pub use self::policy::{AbsenceTally, Penalties, Penalty, Policy, Schedule};
