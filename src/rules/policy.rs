//! The tenant policy: every number of RULES.md, with the seed defaults.
//!
//! A policy is versioned by the month it takes effect from (that bookkeeping
//! lives outside this module). One evaluation uses exactly one policy, the one of
//! the evaluated month, also for the earlier days it looks at (the absence run
//! and the year-to-date tally).

use chrono::{NaiveTime, Timelike};
use serde::{Deserialize, Serialize};

use super::classify::{Leave, Severity};
use super::grade::{Coefficient, Grade, GradeScale, Score};
use super::money::Decimal2;

/// The working day and its half-day windows (RULES.md §1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    /// Start of the shift (seed: 09:00); the window start without leave.
    pub shift_start: NaiveTime,
    /// End of the shift (seed: 18:00); the window end without leave.
    pub shift_end: NaiveTime,
    /// Morning half day start (seed: 09:00); the window start with PM leave.
    pub am_start: NaiveTime,
    /// Morning half day end (seed: 12:00); the window end with PM leave.
    pub am_end: NaiveTime,
    /// Afternoon half day start (seed: 13:00); the window start with AM leave.
    pub pm_start: NaiveTime,
    /// Afternoon half day end (seed: 18:00); the window end with AM leave.
    pub pm_end: NaiveTime,
}

impl Schedule {
    /// 09:00–18:00, AM 09:00–12:00, PM 13:00–18:00.
    pub fn seed_default() -> Schedule {
        Schedule {
            shift_start: hm(9, 0),
            shift_end: hm(18, 0),
            am_start: hm(9, 0),
            am_end: hm(12, 0),
            pm_start: hm(13, 0),
            pm_end: hm(18, 0),
        }
    }

    /// The expected presence window for the given approved leave, or `None`
    /// for full-day leave (nothing is expected).
    pub fn window(&self, leave: Leave) -> Option<(NaiveTime, NaiveTime)> {
        match leave {
            Leave::None => Some((self.shift_start, self.shift_end)),
            Leave::Am => Some((self.pm_start, self.pm_end)),
            Leave::Pm => Some((self.am_start, self.am_end)),
            Leave::Full => None,
        }
    }

    fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let named = [
            ("shift start", self.shift_start),
            ("shift end", self.shift_end),
            ("AM start", self.am_start),
            ("AM end", self.am_end),
            ("PM start", self.pm_start),
            ("PM end", self.pm_end),
        ];
        for (name, time) in named {
            if time.second() != 0 || time.nanosecond() != 0 {
                problems.push(format!("{name} {time} must be a whole minute"));
            }
        }
        let ordered = self.shift_start <= self.am_start
            && self.am_start < self.am_end
            && self.am_end <= self.pm_start
            && self.pm_start < self.pm_end
            && self.pm_end <= self.shift_end;
        if !ordered {
            problems.push(format!(
                "schedule out of order: expected shift start {} ≤ AM {}–{} ≤ PM {}–{} ≤ shift end {}",
                self.shift_start, self.am_start, self.am_end, self.pm_start, self.pm_end, self.shift_end
            ));
        }
        problems
    }
}

/// Wage-days and bonus percentage charged for one event (RULES.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Penalty {
    /// Multiples of the day wage deducted from the salary.
    pub wage_days: Decimal2,
    /// Percent of the bonus after coefficient deducted.
    pub bonus_percent: Decimal2,
}

impl Penalty {
    /// A penalty from whole wage-days and whole percent.
    pub const fn whole(wage_days: u16, bonus_percent: u16) -> Penalty {
        Penalty {
            wage_days: Decimal2::from_hundredths(wage_days as i64 * 100),
            bonus_percent: Decimal2::from_hundredths(bonus_percent as i64 * 100),
        }
    }

    /// No deduction at all.
    pub const NONE: Penalty = Penalty::whole(0, 0);
}

/// The per-event penalty table (RULES.md §3). The first
/// [`Policy::free_minor_occurrences`] minor occurrences are free and not listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Penalties {
    /// Each minor occurrence beyond the free ones (seed: 0 days, 5%).
    pub minor_beyond_free: Penalty,
    /// Each serious occurrence (seed: 1 day, 10%).
    pub serious: Penalty,
    /// Each half-day absence (seed: 2 days, 20%).
    pub half_day_absence: Penalty,
    /// Each full-day absence (seed: 3 days, 50%).
    pub full_day_absence: Penalty,
}

impl Penalties {
    /// The seed table.
    pub const fn seed_default() -> Penalties {
        Penalties {
            minor_beyond_free: Penalty::whole(0, 5),
            serious: Penalty::whole(1, 10),
            half_day_absence: Penalty::whole(2, 20),
            full_day_absence: Penalty::whole(3, 50),
        }
    }
}

/// How absences add up toward the 累计旷工 flag (RULES.md §5), in half days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbsenceTally {
    /// Flag when the year-to-date tally is more than this many half days
    /// (seed: 10, i.e. more than 5 days).
    pub flag_over_half_days: u32,
    /// Weight of a full-day absence (seed: 2 half days = 1 day).
    pub full_day_half_days: u32,
    /// Weight of a half-day absence (seed: 1 half day = 0.5 day).
    pub half_day_half_days: u32,
    /// Weight of each serious late/early occurrence (seed: 1 half day = 0.5 day).
    pub serious_half_days: u32,
}

impl AbsenceTally {
    /// The seed weights and threshold.
    pub const fn seed_default() -> AbsenceTally {
        AbsenceTally { flag_over_half_days: 10, full_day_half_days: 2, half_day_half_days: 1, serious_half_days: 1 }
    }
}

/// Every number of RULES.md. [`Policy::seed_default`] gives the values a fresh
/// tenant starts with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// Shift and half-day windows.
    pub schedule: Schedule,
    /// A lateness or early leave of 1 to this many minutes (inclusive) is minor;
    /// more is serious (seed: 15).
    pub minor_max_minutes: u32,
    /// Minor occurrences per month that carry no penalty (seed: 3).
    pub free_minor_occurrences: u32,
    /// `day wage = monthly salary ÷ divisor` (seed: 21.75; a tenant may use 26).
    pub day_wage_divisor: Decimal2,
    /// Penalty per event.
    pub penalties: Penalties,
    /// The summed bonus percentages are capped at this (seed: 100).
    pub bonus_deduction_cap_percent: Decimal2,
    /// When `true`, a serious occurrence is penalised like a half-day absence
    /// (`penalties.half_day_absence`) instead of `penalties.serious`
    /// (seed: `false`). It is still counted as a serious occurrence.
    pub serious_penalised_as_half_day_absence: bool,
    /// Grade thresholds and coefficients.
    pub grades: GradeScale,
    /// Flag 连续旷工 when more than this many full-day absences are consecutive
    /// (seed: 3).
    pub consecutive_absence_flag_over_days: u32,
    /// The year-to-date absence tally.
    pub absence_tally: AbsenceTally,
    /// Flag 扣款超过月薪 when the wage deduction is more than this percent of
    /// the monthly salary (seed: 20).
    pub wage_deduction_warning_percent: Decimal2,
}

impl Policy {
    /// Exactly the seed values of RULES.md.
    pub fn seed_default() -> Policy {
        Policy {
            schedule: Schedule::seed_default(),
            minor_max_minutes: 15,
            free_minor_occurrences: 3,
            day_wage_divisor: Decimal2::from_hundredths(2175),
            penalties: Penalties::seed_default(),
            bonus_deduction_cap_percent: Decimal2::HUNDRED,
            serious_penalised_as_half_day_absence: false,
            grades: GradeScale::seed_default(),
            consecutive_absence_flag_over_days: 3,
            absence_tally: AbsenceTally::seed_default(),
            wage_deduction_warning_percent: Decimal2::from_hundredths(2_000),
        }
    }

    /// Minor or serious, for a positive lateness / early leave in minutes.
    pub fn severity(&self, minutes: u32) -> Severity {
        if minutes <= self.minor_max_minutes {
            Severity::Minor
        } else {
            Severity::Serious
        }
    }

    /// The penalty actually applied to a serious occurrence (honours
    /// [`Policy::serious_penalised_as_half_day_absence`]).
    pub fn serious_penalty(&self) -> Penalty {
        if self.serious_penalised_as_half_day_absence {
            self.penalties.half_day_absence
        } else {
            self.penalties.serious
        }
    }

    /// The grade of a score.
    pub fn grade(&self, score: Score) -> Grade {
        self.grades.grade(score)
    }

    /// The coefficient of a grade.
    pub fn coefficient(&self, grade: Grade) -> Coefficient {
        self.grades.coefficient(grade)
    }

    /// Human-readable problems that make this policy unusable; empty when it is
    /// valid. [`evaluate_month`](super::month::evaluate_month) refuses a policy
    /// with problems.
    pub fn validate(&self) -> Vec<String> {
        let mut problems = self.schedule.problems();
        if !self.day_wage_divisor.is_positive() {
            problems.push(format!("day-wage divisor must be greater than 0 (is {})", self.day_wage_divisor));
        }
        let penalties = [
            ("minor beyond free", self.penalties.minor_beyond_free),
            ("serious", self.penalties.serious),
            ("half-day absence", self.penalties.half_day_absence),
            ("full-day absence", self.penalties.full_day_absence),
        ];
        for (name, penalty) in penalties {
            if penalty.wage_days < Decimal2::ZERO {
                problems.push(format!("{name}: wage-days must not be negative (is {})", penalty.wage_days));
            }
            if penalty.bonus_percent < Decimal2::ZERO {
                problems.push(format!("{name}: bonus percent must not be negative (is {})", penalty.bonus_percent));
            }
        }
        let hundred = Decimal2::HUNDRED;
        if self.bonus_deduction_cap_percent < Decimal2::ZERO || self.bonus_deduction_cap_percent > hundred {
            problems.push(format!(
                "bonus deduction cap must be between 0 and 100 percent (is {})",
                self.bonus_deduction_cap_percent
            ));
        }
        if self.wage_deduction_warning_percent < Decimal2::ZERO || self.wage_deduction_warning_percent > hundred {
            problems.push(format!(
                "wage-deduction warning threshold must be between 0 and 100 percent (is {})",
                self.wage_deduction_warning_percent
            ));
        }
        problems.extend(self.grades.problems());
        problems
    }
}

impl Default for Policy {
    fn default() -> Self {
        Self::seed_default()
    }
}

/// A whole-minute time of day. Only called with constant, valid arguments; the
/// fallback is unreachable but keeps the function total without panicking.
fn hm(hour: u32, minute: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or(NaiveTime::MIN)
}
