//! Classifying one day of one employee (RULES.md §2).
//!
//! Classification is total: every combination of punches and leave yields a
//! [`DayOutcome`], including inconsistent punches
//! ([`DayOutcome::InvalidPunches`]), which the caller reports.
//!
//! The full decision table for an evaluated workday (times truncated to the
//! minute first):
//!
//! | leave | clock_in | clock_out | outcome |
//! |---|---|---|---|
//! | full | any | any | [`DayOutcome::FullDayLeave`] (punches are ignored) |
//! | none | – | – | [`DayOutcome::AbsentFullDay`] |
//! | AM / PM | – | – | [`DayOutcome::AbsentHalfDay`] (`NoPunchesWithHalfDayLeave`) |
//! | any but full | – | ✓ | [`DayOutcome::AbsentHalfDay`] (`MissingClockIn`) |
//! | any but full | ✓ | – | [`DayOutcome::AbsentHalfDay`] (`MissingClockOut`) |
//! | any but full | ✓ | ✓, not after in | [`DayOutcome::InvalidPunches`] |
//! | any but full | ✓ | ✓, after in | [`DayOutcome::Present`], lateness/early leave against the window |
//!
//! The window is the shift (09:00–18:00) without leave, the afternoon
//! (13:00–18:00) with AM leave and the morning (09:00–12:00) with PM leave.
//! A missing punch makes the day a half-day absence and nothing else: the one
//! punch that exists is not additionally judged for lateness or early leave.
//! With both punches present, the punches are judged literally against the
//! window, however far off they are (arriving at 09:00 and leaving at 09:30 is a
//! serious early leave of 510 minutes, as RULES.md's table prescribes).

use chrono::{NaiveTime, Timelike};
use serde::{Deserialize, Serialize};

use super::calendar::{DayStatus, NotEvaluatedReason};
use super::policy::Policy;

/// Approved leave (请假) on one date.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Leave {
    /// No approved leave.
    #[default]
    None,
    /// The whole day.
    Full,
    /// The morning: the expected window becomes the afternoon.
    Am,
    /// The afternoon: the expected window becomes the morning.
    Pm,
}

impl Leave {
    /// The leave resulting from two approved leaves on the same date: AM and PM
    /// together are a full day; full-day leave absorbs anything; `None` is
    /// neutral.
    pub fn combine(self, other: Leave) -> Leave {
        match (self, other) {
            (Leave::None, x) | (x, Leave::None) => x,
            (Leave::Full, _) | (_, Leave::Full) => Leave::Full,
            (Leave::Am, Leave::Am) => Leave::Am,
            (Leave::Pm, Leave::Pm) => Leave::Pm,
            (Leave::Am, Leave::Pm) | (Leave::Pm, Leave::Am) => Leave::Full,
        }
    }

    /// Short Chinese label (`""` for no leave).
    pub const fn label_zh(self) -> &'static str {
        match self {
            Leave::None => "",
            Leave::Full => "全天请假",
            Leave::Am => "上午请假",
            Leave::Pm => "下午请假",
        }
    }
}

/// The recorded facts of one employee on one date: punches (`None` is a
/// missing punch) and approved leave. The default is "no punches, no leave".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DayFacts {
    /// Clock-in time (local), if punched.
    pub clock_in: Option<NaiveTime>,
    /// Clock-out time (local), if punched.
    pub clock_out: Option<NaiveTime>,
    /// Approved leave.
    pub leave: Leave,
}

impl DayFacts {
    /// Both punches, no leave.
    pub fn punched(clock_in: NaiveTime, clock_out: NaiveTime) -> DayFacts {
        DayFacts { clock_in: Some(clock_in), clock_out: Some(clock_out), leave: Leave::None }
    }

    /// The same facts with `leave`.
    pub fn with_leave(self, leave: Leave) -> DayFacts {
        DayFacts { leave, ..self }
    }
}

/// Minor (1 to 15 minutes) or serious (more than 15 minutes) with the seed
/// policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// 轻微: within the threshold.
    Minor,
    /// 严重: beyond the threshold.
    Serious,
}

/// A positive lateness or early leave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Deviation {
    /// Whole minutes, `>= 1`.
    pub minutes: u32,
    /// Minor or serious.
    pub severity: Severity,
}

/// Why a day is a half-day absence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HalfDayAbsenceReason {
    /// Clock-out present, clock-in missing (缺卡).
    MissingClockIn,
    /// Clock-in present, clock-out missing (缺卡).
    MissingClockOut,
    /// Half-day leave and no punches for the other half.
    NoPunchesWithHalfDayLeave,
}

impl HalfDayAbsenceReason {
    /// Short Chinese label.
    pub const fn label_zh(self) -> &'static str {
        match self {
            HalfDayAbsenceReason::MissingClockIn => "缺上班卡",
            HalfDayAbsenceReason::MissingClockOut => "缺下班卡",
            HalfDayAbsenceReason::NoPunchesWithHalfDayLeave => "请半天假，另半天未打卡",
        }
    }
}

/// What one date was for one employee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DayOutcome {
    /// Weekend or holiday.
    NotWorkday,
    /// A workday outside the employee's evaluated period.
    NotEvaluated(NotEvaluatedReason),
    /// Approved full-day leave: nothing is evaluated.
    FullDayLeave,
    /// Both punches present. Normal when both deviations are `None`.
    Present {
        /// Lateness against the window start, when positive.
        late: Option<Deviation>,
        /// Early leave against the window end, when positive.
        early: Option<Deviation>,
    },
    /// 旷工半天.
    AbsentHalfDay(HalfDayAbsenceReason),
    /// 旷工一天.
    AbsentFullDay,
    /// Clock-out not later than clock-in (at minute precision). Overnight
    /// shifts are out of scope; the import layer rejects such rows, and a month
    /// evaluation refuses them.
    InvalidPunches {
        /// The recorded clock-in.
        clock_in: NaiveTime,
        /// The recorded clock-out.
        clock_out: NaiveTime,
    },
}

/// One event that counts toward the month's deductions or tallies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Occurrence {
    /// Late by the given minutes, minor.
    MinorLate(u32),
    /// Left early by the given minutes, minor.
    MinorEarly(u32),
    /// Late by the given minutes, serious.
    SeriousLate(u32),
    /// Left early by the given minutes, serious.
    SeriousEarly(u32),
    /// Half-day absence.
    AbsentHalfDay(HalfDayAbsenceReason),
    /// Full-day absence.
    AbsentFullDay,
}

impl Occurrence {
    /// Whether this is a minor lateness or early leave.
    pub const fn is_minor(self) -> bool {
        matches!(self, Occurrence::MinorLate(_) | Occurrence::MinorEarly(_))
    }

    /// Whether this is a serious lateness or early leave.
    pub const fn is_serious(self) -> bool {
        matches!(self, Occurrence::SeriousLate(_) | Occurrence::SeriousEarly(_))
    }

    /// Chinese description, e.g. `严重迟到60分钟`, `旷工半天（缺下班卡）`.
    pub fn label_zh(self) -> String {
        match self {
            Occurrence::MinorLate(m) => format!("轻微迟到{m}分钟"),
            Occurrence::MinorEarly(m) => format!("轻微早退{m}分钟"),
            Occurrence::SeriousLate(m) => format!("严重迟到{m}分钟"),
            Occurrence::SeriousEarly(m) => format!("严重早退{m}分钟"),
            Occurrence::AbsentHalfDay(reason) => format!("旷工半天（{}）", reason.label_zh()),
            Occurrence::AbsentFullDay => "旷工一天".to_owned(),
        }
    }
}

impl DayOutcome {
    /// The occurrences of this day in chronological order (lateness before
    /// early leave). Empty for normal days, leave, non-evaluated days and
    /// invalid punches.
    pub fn occurrences(&self) -> Vec<Occurrence> {
        match *self {
            DayOutcome::Present { late, early } => {
                let late = late.map(|d| match d.severity {
                    Severity::Minor => Occurrence::MinorLate(d.minutes),
                    Severity::Serious => Occurrence::SeriousLate(d.minutes),
                });
                let early = early.map(|d| match d.severity {
                    Severity::Minor => Occurrence::MinorEarly(d.minutes),
                    Severity::Serious => Occurrence::SeriousEarly(d.minutes),
                });
                late.into_iter().chain(early).collect()
            }
            DayOutcome::AbsentHalfDay(reason) => vec![Occurrence::AbsentHalfDay(reason)],
            DayOutcome::AbsentFullDay => vec![Occurrence::AbsentFullDay],
            DayOutcome::NotWorkday
            | DayOutcome::NotEvaluated(_)
            | DayOutcome::FullDayLeave
            | DayOutcome::InvalidPunches { .. } => Vec::new(),
        }
    }

    /// Whether the day was an evaluated workday (including leave and invalid
    /// punches).
    pub const fn is_evaluated(&self) -> bool {
        !matches!(self, DayOutcome::NotWorkday | DayOutcome::NotEvaluated(_))
    }

    /// Whether the day was worked as expected (both punches, within the window).
    pub const fn is_normal(&self) -> bool {
        matches!(self, DayOutcome::Present { late: None, early: None })
    }
}

/// Classifies a date given its [`DayStatus`] (see
/// [`Calendar::day_status`](super::calendar::Calendar::day_status)) and facts.
/// Facts of non-evaluated dates are ignored.
pub fn classify_day(policy: &Policy, status: DayStatus, facts: &DayFacts) -> DayOutcome {
    match status {
        DayStatus::NotWorkday => DayOutcome::NotWorkday,
        DayStatus::NotEvaluated(reason) => DayOutcome::NotEvaluated(reason),
        DayStatus::Evaluated => classify_workday(policy, facts),
    }
}

/// Classifies an evaluated workday (see the module docs for the table).
pub fn classify_workday(policy: &Policy, facts: &DayFacts) -> DayOutcome {
    let Some((window_start, window_end)) = policy.schedule.window(facts.leave) else {
        return DayOutcome::FullDayLeave;
    };
    match (facts.clock_in, facts.clock_out) {
        (None, None) if facts.leave == Leave::None => DayOutcome::AbsentFullDay,
        (None, None) => DayOutcome::AbsentHalfDay(HalfDayAbsenceReason::NoPunchesWithHalfDayLeave),
        (None, Some(_)) => DayOutcome::AbsentHalfDay(HalfDayAbsenceReason::MissingClockIn),
        (Some(_), None) => DayOutcome::AbsentHalfDay(HalfDayAbsenceReason::MissingClockOut),
        (Some(clock_in), Some(clock_out)) => {
            let arrived = minute_of_day(clock_in);
            let departed = minute_of_day(clock_out);
            if departed <= arrived {
                return DayOutcome::InvalidPunches { clock_in, clock_out };
            }
            let deviation =
                |minutes: u32| (minutes > 0).then(|| Deviation { minutes, severity: policy.severity(minutes) });
            DayOutcome::Present {
                late: deviation(arrived.saturating_sub(minute_of_day(window_start))),
                early: deviation(minute_of_day(window_end).saturating_sub(departed)),
            }
        }
    }
}

/// Minutes since midnight, seconds truncated (09:15:59 is 555 = 09:15).
pub fn minute_of_day(time: NaiveTime) -> u32 {
    time.hour() * 60 + time.minute()
}

/// `HH:MM` of a time (seconds truncated), or `—` for a missing punch.
pub fn hhmm(time: Option<NaiveTime>) -> String {
    match time {
        Some(t) => format!("{:02}:{:02}", t.hour(), t.minute()),
        None => "—".to_owned(),
    }
}
