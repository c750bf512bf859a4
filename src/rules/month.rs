//! Evaluating one employee's month: counts, deductions, bonus, flags and the
//! explanation of every event (RULES.md §3–§6).
//!
//! # The history an evaluation needs
//!
//! [`required_history_range`] gives the exact date range whose punches and
//! leave must be in the [`History`]:
//!
//! * **end**: the last day of the month;
//! * **start**: the earlier of 1 January of the month's year (year-to-date
//!   absence tally) and the date reached by walking back from the month's first
//!   day over [`Policy::consecutive_absence_flag_over_days`] evaluated workdays
//!   (the consecutive-absence run; with the seed policy that is the 3 evaluated
//!   workdays before the month, which may lie in the previous year for January);
//! * then moved forward to `max(tracking_since, hired_on)` when later, since
//!   nothing before is ever evaluated.
//!
//! A date missing from the history means "no punches, no leave", which is an
//! absence; so [`evaluate_month`] refuses a history that does not declare
//! coverage of the whole range ([`EvaluationError::HistoryIncomplete`]), rather
//! than inventing absences. A caller that prefers a simple rule may load
//! `min(1 January, month start − 60 days) ..= month end`, which suffices unless
//! the calendar holds very long holiday stretches; the coverage check catches
//! the rest.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::RangeInclusive;

use chrono::{NaiveDate, NaiveTime};

use super::calendar::{Calendar, DayStatus, YearMonth};
use super::classify::{classify_day, hhmm, DayFacts, DayOutcome, Leave, Occurrence};
use super::employee::Employee;
use super::flags::{join_flags, Flag};
use super::grade::{Coefficient, Grade, Score};
use super::money::{Decimal2, Fen};
use super::policy::{Penalty, Policy};

/// Punches and approved leave of one employee by date, together with the date
/// range the caller vouches for (every date in it without an entry really had
/// no punches and no leave).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct History {
    from: NaiveDate,
    to: NaiveDate,
    days: BTreeMap<NaiveDate, DayFacts>,
}

impl History {
    /// An empty history vouching for `covers` (usually
    /// [`required_history_range`]).
    pub fn new(covers: RangeInclusive<NaiveDate>) -> History {
        let (from, to) = covers.into_inner();
        History { from, to, days: BTreeMap::new() }
    }

    /// The covered date range.
    pub fn covers(&self) -> RangeInclusive<NaiveDate> {
        self.from..=self.to
    }

    /// Whether every date of `range` is covered (an empty range always is).
    pub fn covers_range(&self, range: &RangeInclusive<NaiveDate>) -> bool {
        range.is_empty() || (self.from <= *range.start() && *range.end() <= self.to)
    }

    /// Sets the punches of `date` (keeping its leave).
    pub fn set_punches(&mut self, date: NaiveDate, clock_in: Option<NaiveTime>, clock_out: Option<NaiveTime>) {
        let day = self.days.entry(date).or_default();
        day.clock_in = clock_in;
        day.clock_out = clock_out;
    }

    /// Adds approved leave on `date`, combined with leave already recorded
    /// there (AM + PM is a full day, see [`Leave::combine`]).
    pub fn add_leave(&mut self, date: NaiveDate, leave: Leave) {
        let day = self.days.entry(date).or_default();
        day.leave = day.leave.combine(leave);
    }

    /// Replaces all facts of `date`.
    pub fn set(&mut self, date: NaiveDate, facts: DayFacts) {
        self.days.insert(date, facts);
    }

    /// The facts of `date` (no punches and no leave when nothing is recorded).
    pub fn facts(&self, date: NaiveDate) -> DayFacts {
        self.days.get(&date).copied().unwrap_or_default()
    }
}

/// Everything [`evaluate_month`] needs besides the policy.
#[derive(Debug, Clone, Copy)]
pub struct MonthInput<'a> {
    /// The evaluated month.
    pub month: YearMonth,
    /// The tenant calendar.
    pub calendar: &'a Calendar,
    /// The tenant's tracking start (go-live) date.
    pub tracking_since: NaiveDate,
    /// The employee.
    pub employee: &'a Employee,
    /// Punches and leave covering [`required_history_range`].
    pub history: &'a History,
    /// This month's score, if any.
    pub score: Option<Score>,
    /// The previous month's grade, if it was scored (for 连续两月不合格).
    pub previous_month_grade: Option<Grade>,
}

/// Why a month could not be evaluated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvaluationError {
    /// The policy has problems (see [`Policy::validate`]).
    InvalidPolicy(Vec<String>),
    /// Salary or bonus base is negative.
    NegativeAmount(&'static str),
    /// The history does not cover the needed range.
    HistoryIncomplete {
        /// The range [`required_history_range`] asks for.
        needed: RangeInclusive<NaiveDate>,
        /// The range the history covers.
        covered: RangeInclusive<NaiveDate>,
    },
    /// A needed date has a clock-out not later than its clock-in.
    InvalidPunches {
        /// The date.
        date: NaiveDate,
        /// The recorded clock-in.
        clock_in: NaiveTime,
        /// The recorded clock-out.
        clock_out: NaiveTime,
    },
    /// An amount does not fit (absurd inputs).
    Overflow,
}

impl fmt::Display for EvaluationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidPolicy(problems) => {
                write!(f, "invalid policy: {}", problems.join("; "))
            }
            Self::NegativeAmount(field) => write!(f, "{field} must not be negative"),
            Self::HistoryIncomplete { needed, covered } => write!(
                f,
                "attendance history covers {} to {} but {} to {} is needed",
                covered.start(),
                covered.end(),
                needed.start(),
                needed.end()
            ),
            Self::InvalidPunches { date, clock_in, clock_out } => write!(
                f,
                "{date}: clock-out {} is not later than clock-in {}",
                hhmm(Some(*clock_out)),
                hhmm(Some(*clock_in))
            ),
            Self::Overflow => f.write_str("amount out of range"),
        }
    }
}

impl std::error::Error for EvaluationError {}

/// The date range whose facts [`evaluate_month`] reads; see the module docs.
/// The range is empty (start after end) when nothing needs to be read, e.g. for
/// an employee hired after the month.
pub fn required_history_range(
    policy: &Policy,
    month: YearMonth,
    calendar: &Calendar,
    tracking_since: NaiveDate,
    employee: &Employee,
) -> RangeInclusive<NaiveDate> {
    // Nothing before this is ever evaluated.
    let floor = tracking_since.max(employee.hired_on);
    let mut lookback_start = month.first_day();
    let mut missing = policy.consecutive_absence_flag_over_days;
    while missing > 0 {
        let Some(previous) = lookback_start.pred_opt() else {
            break;
        };
        if previous < floor {
            break;
        }
        lookback_start = previous;
        if calendar.day_status(previous, tracking_since, employee) == DayStatus::Evaluated {
            missing -= 1;
        }
    }
    let start = month.first_day_of_year().min(lookback_start).max(floor);
    start..=month.last_day()
}

/// The month's counts of events (the CSV count columns).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// 轻微迟到早退次数: all minor occurrences.
    pub minor: u32,
    /// 计罚轻微次数: minor occurrences beyond the free ones.
    pub minor_penalised: u32,
    /// 严重迟到早退次数.
    pub serious: u32,
    /// 旷工半天次数.
    pub half_day_absences: u32,
    /// 旷工全天次数.
    pub full_day_absences: u32,
}

/// Which rule an event was charged under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Charge {
    /// A minor occurrence among the free ones.
    FreeMinor,
    /// A minor occurrence beyond the free ones.
    PenalisedMinor,
    /// A serious occurrence.
    Serious,
    /// A half-day absence.
    HalfDayAbsence,
    /// A full-day absence.
    FullDayAbsence,
}

/// One date of the month with its facts and outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayRecord {
    /// The date.
    pub date: NaiveDate,
    /// Its punches and leave.
    pub facts: DayFacts,
    /// Its classification.
    pub outcome: DayOutcome,
}

/// The explanation of one event of the month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// The date.
    pub date: NaiveDate,
    /// Recorded clock-in.
    pub clock_in: Option<NaiveTime>,
    /// Recorded clock-out.
    pub clock_out: Option<NaiveTime>,
    /// Approved leave that day.
    pub leave: Leave,
    /// What happened.
    pub occurrence: Occurrence,
    /// Which rule it was charged under.
    pub charge: Charge,
    /// The rule, in Chinese, with this policy's numbers, e.g.
    /// `迟到或早退15分钟以内，当月第4次起每次扣当月绩效奖金的5%`.
    pub clause_zh: String,
    /// Day-wages this event adds to the wage deduction.
    pub wage_days: Decimal2,
    /// Percent this event adds to the bonus deduction (before the cap).
    pub bonus_percent: Decimal2,
    /// `salary × wage_days ÷ divisor`, rounded, when `wage_days > 0`. Indicative
    /// only: the wage deduction is rounded once for the month's total, so these
    /// may differ from it by a fen or so in sum.
    pub wage_amount: Option<Fen>,
    /// `bonus after coefficient × bonus_percent ÷ 100`, rounded, when
    /// `bonus_percent > 0` and the month's percentages stay within the cap (when
    /// the cap applies no single event owns a definite share).
    pub bonus_amount: Option<Fen>,
}

impl Explanation {
    /// The clock-in as `HH:MM`, `—` when missing.
    pub fn clock_in_hhmm(&self) -> String {
        hhmm(self.clock_in)
    }

    /// The clock-out as `HH:MM`, `—` when missing.
    pub fn clock_out_hhmm(&self) -> String {
        hhmm(self.clock_out)
    }

    /// One Chinese line for pages and slips, e.g.
    /// `2026-11-09 上班10:00 下班18:00：严重迟到60分钟（迟到或早退超过15分钟，按旷工半天处理，扣当天工资及当月绩效奖金的10%）；本次计工资扣款1天日工资（321.84元），奖金扣减10%`.
    pub fn line_zh(&self) -> String {
        let mut line = format!("{} ", self.date);
        if self.leave != Leave::None {
            line.push_str(self.leave.label_zh());
            line.push('，');
        }
        line.push_str(&format!(
            "上班{} 下班{}：{}（{}）",
            self.clock_in_hhmm(),
            self.clock_out_hhmm(),
            self.occurrence.label_zh(),
            self.clause_zh
        ));
        let mut parts = Vec::new();
        if self.wage_days.is_positive() {
            let mut part = format!("工资扣款{}天日工资", self.wage_days);
            if let Some(amount) = self.wage_amount {
                part.push_str(&format!("（{amount}元）"));
            }
            parts.push(part);
        }
        if self.bonus_percent.is_positive() {
            let mut part = format!("奖金扣减{}%", self.bonus_percent);
            match self.bonus_amount {
                Some(amount) => part.push_str(&format!("（{amount}元）")),
                None => part.push_str("（当月合计已达上限）"),
            }
            parts.push(part);
        }
        if parts.is_empty() {
            line.push_str("；本次不扣款");
        } else {
            line.push_str("；本次计");
            line.push_str(&parts.join("，"));
        }
        line
    }
}

/// The CSV header of the payroll-adjustment export (CONTRACT.md).
pub const PAYROLL_CSV_HEADER: [&str; 21] = [
    "工号",
    "姓名",
    "部门",
    "职级",
    "月份",
    "月薪",
    "绩效奖金基数",
    "绩效得分",
    "绩效等级",
    "奖金系数",
    "系数后奖金",
    "轻微迟到早退次数",
    "计罚轻微次数",
    "严重迟到早退次数",
    "旷工半天次数",
    "旷工全天次数",
    "工资扣款",
    "奖金扣款",
    "应发绩效奖金",
    "合计调整",
    "提示",
];

/// The result of one employee's month: every value of the payroll CSV row from
/// `月份` on, plus the explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthResult {
    /// 月份.
    pub month: YearMonth,
    /// 月薪.
    pub monthly_salary: Fen,
    /// 绩效奖金基数.
    pub bonus_base: Fen,
    /// 绩效得分 (`None`: not scored).
    pub score: Option<Score>,
    /// 绩效等级.
    pub grade: Option<Grade>,
    /// 奖金系数.
    pub coefficient: Option<Coefficient>,
    /// 系数后奖金: `round(bonus base × coefficient)`, 0 when not scored.
    pub bonus_after_coefficient: Fen,
    /// The count columns.
    pub counts: Counts,
    /// Total day-wages charged.
    pub wage_days: Decimal2,
    /// Sum of the bonus percentages, before the cap.
    pub bonus_percent: Decimal2,
    /// The bonus percentage applied: `min(cap, bonus_percent)`.
    pub bonus_percent_applied: Decimal2,
    /// 工资扣款: `round(salary × wage_days ÷ divisor)`.
    pub wage_deduction: Fen,
    /// 奖金扣款: `round(bonus after coefficient × applied% ÷ 100)`.
    pub bonus_deduction: Fen,
    /// 应发绩效奖金: bonus after coefficient − bonus deduction (never negative).
    pub bonus_payable: Fen,
    /// 合计调整: bonus payable − wage deduction (may be negative).
    pub net_adjustment: Fen,
    /// Year-to-date absence tally (1 January to month end), in half days.
    pub absence_tally_half_days: u64,
    /// 提示, in the fixed order of RULES.md §5.
    pub flags: Vec<Flag>,
    /// Every event of the month in chronological order (by date, lateness
    /// before early leave within a day), including the free minor ones.
    pub explanations: Vec<Explanation>,
    /// Every date of the month with its outcome.
    pub days: Vec<DayRecord>,
}

impl MonthResult {
    /// The flags' labels joined with `;` (the `提示` cell).
    pub fn flags_joined(&self) -> String {
        join_flags(&self.flags)
    }

    /// The cells `月份` through `提示` (the last 17 columns of
    /// [`PAYROLL_CSV_HEADER`]), formatted as CONTRACT.md prescribes: money in
    /// yuan with two decimals, score and coefficient with one decimal, empty
    /// score/grade/coefficient when not scored, counts as integers.
    pub fn payroll_cells(&self) -> [String; 17] {
        let opt = |v: Option<String>| v.unwrap_or_default();
        [
            self.month.to_string(),
            self.monthly_salary.to_string(),
            self.bonus_base.to_string(),
            opt(self.score.map(|s| s.to_string())),
            opt(self.grade.map(|g| g.label_zh().to_owned())),
            opt(self.coefficient.map(|c| c.to_string())),
            self.bonus_after_coefficient.to_string(),
            self.counts.minor.to_string(),
            self.counts.minor_penalised.to_string(),
            self.counts.serious.to_string(),
            self.counts.half_day_absences.to_string(),
            self.counts.full_day_absences.to_string(),
            self.wage_deduction.to_string(),
            self.bonus_deduction.to_string(),
            self.bonus_payable.to_string(),
            self.net_adjustment.to_string(),
            self.flags_joined(),
        ]
    }
}

/// Evaluates one employee's month. See the module docs for the history it
/// needs. Refuses an invalid policy, negative pay, an incomplete history and
/// invalid punches on any needed date (also before the month: the import layer
/// never stores them, so one would be a data fault worth stopping for).
///
/// Settled details:
///
/// * The free minor occurrences are the first ones in chronological order (by
///   date; lateness before early leave within a day).
/// * Each occurrence is charged on its own: a day with a serious lateness and a
///   serious early leave is two serious occurrences (2 × 1 day-wage + 2 × 10%)
///   and weighs 2 × 0.5 day in the absence tally.
/// * 连续旷工: only full-day absences extend a run. Any other evaluated workday
///   ends it — attended, late, half-day absence, or leave (leave is not 旷工).
///   Weekends, holidays and days outside the employee's evaluated period are
///   skipped; they neither extend nor end a run.
/// * 累计旷工 counts evaluated workdays from 1 January of the month's year to the
///   month's end (or `left_on`).
/// * 连续两月不合格 needs both this month's grade and `previous_month_grade`
///   to be 不合格; an unscored previous month never raises it.
/// * 扣款超过月薪20% compares the rounded wage deduction with the salary,
///   strictly (exactly 20% is not flagged).
/// * Bonus base and salary are taken as they are for the whole month (no
///   proration for mid-month hires or leavers, as in RULES.md §7 E004).
pub fn evaluate_month(policy: &Policy, input: &MonthInput<'_>) -> Result<MonthResult, EvaluationError> {
    let problems = policy.validate();
    if !problems.is_empty() {
        return Err(EvaluationError::InvalidPolicy(problems));
    }
    let MonthInput { month, calendar, tracking_since, employee, history, score, previous_month_grade } = *input;
    if employee.monthly_salary.is_negative() {
        return Err(EvaluationError::NegativeAmount("monthly salary"));
    }
    if employee.bonus_base.is_negative() {
        return Err(EvaluationError::NegativeAmount("bonus base"));
    }
    let needed = required_history_range(policy, month, calendar, tracking_since, employee);
    if !history.covers_range(&needed) {
        return Err(EvaluationError::HistoryIncomplete { needed, covered: history.covers() });
    }

    // One chronological pass from the start of the needed range (or the month,
    // whichever is earlier) to the month's end.
    let year_start = month.first_day_of_year();
    let first = (*needed.start()).min(month.first_day());
    let mut run: u32 = 0;
    let mut longest_run_in_month: u32 = 0;
    let mut tally: u64 = 0;
    let mut days = Vec::new();
    for date in first.iter_days().take_while(|d| *d <= month.last_day()) {
        let facts = history.facts(date);
        let status = calendar.day_status(date, tracking_since, employee);
        let outcome = classify_day(policy, status, &facts);
        if let DayOutcome::InvalidPunches { clock_in, clock_out } = outcome {
            return Err(EvaluationError::InvalidPunches { date, clock_in, clock_out });
        }
        if outcome.is_evaluated() {
            // Weekends and holidays are skipped: they neither count nor break.
            run = if outcome == DayOutcome::AbsentFullDay { run.saturating_add(1) } else { 0 };
            if date >= month.first_day() {
                longest_run_in_month = longest_run_in_month.max(run);
            }
        }
        if date >= year_start {
            tally = tally.saturating_add(tally_weight(policy, &outcome));
        }
        if date >= month.first_day() {
            days.push(DayRecord { date, facts, outcome });
        }
    }

    // The month's events, charged in chronological order.
    let mut counts = Counts::default();
    let mut charged = Vec::new();
    for record in &days {
        for occurrence in record.outcome.occurrences() {
            let charge = match occurrence {
                Occurrence::MinorLate(_) | Occurrence::MinorEarly(_) => {
                    counts.minor += 1;
                    if counts.minor > policy.free_minor_occurrences {
                        counts.minor_penalised += 1;
                        Charge::PenalisedMinor
                    } else {
                        Charge::FreeMinor
                    }
                }
                Occurrence::SeriousLate(_) | Occurrence::SeriousEarly(_) => {
                    counts.serious += 1;
                    Charge::Serious
                }
                Occurrence::AbsentHalfDay(_) => {
                    counts.half_day_absences += 1;
                    Charge::HalfDayAbsence
                }
                Occurrence::AbsentFullDay => {
                    counts.full_day_absences += 1;
                    Charge::FullDayAbsence
                }
            };
            charged.push((record, occurrence, charge));
        }
    }
    let mut wage_days = Decimal2::ZERO;
    let mut bonus_percent = Decimal2::ZERO;
    for (_, _, charge) in &charged {
        let penalty = penalty_of(policy, *charge);
        wage_days = wage_days.checked_add(penalty.wage_days).ok_or(EvaluationError::Overflow)?;
        bonus_percent = bonus_percent.checked_add(penalty.bonus_percent).ok_or(EvaluationError::Overflow)?;
    }

    // Money, each line rounded once (RULES.md §6).
    let salary = employee.monthly_salary;
    let divisor = i128::from(policy.day_wage_divisor.hundredths());
    let wage_deduction =
        salary.mul_ratio(i128::from(wage_days.hundredths()), divisor).ok_or(EvaluationError::Overflow)?;
    let grade = score.map(|s| policy.grade(s));
    let coefficient = grade.map(|g| policy.coefficient(g));
    let bonus_after_coefficient = match coefficient {
        Some(c) => employee.bonus_base.mul_ratio(i128::from(c.tenths()), 10).ok_or(EvaluationError::Overflow)?,
        None => Fen::ZERO,
    };
    let bonus_percent_applied = bonus_percent.min(policy.bonus_deduction_cap_percent);
    let bonus_deduction = bonus_after_coefficient
        .mul_ratio(i128::from(bonus_percent_applied.hundredths()), i128::from(Decimal2::HUNDRED.hundredths()))
        .ok_or(EvaluationError::Overflow)?;
    let bonus_payable = bonus_after_coefficient.checked_sub(bonus_deduction).ok_or(EvaluationError::Overflow)?;
    let net_adjustment = bonus_payable.checked_sub(wage_deduction).ok_or(EvaluationError::Overflow)?;

    // Flags, in the fixed order.
    let mut flags = Vec::new();
    if longest_run_in_month > policy.consecutive_absence_flag_over_days {
        flags.push(Flag::ConsecutiveAbsence);
    }
    if tally > u64::from(policy.absence_tally.flag_over_half_days) {
        flags.push(Flag::CumulativeAbsence);
    }
    if grade == Some(Grade::Fail) && previous_month_grade == Some(Grade::Fail) {
        flags.push(Flag::TwoMonthsFailed);
    }
    if score.is_none() {
        flags.push(Flag::Unscored);
    }
    let deduction_share = i128::from(wage_deduction.fen()) * i128::from(Decimal2::HUNDRED.hundredths());
    let warning_share = i128::from(salary.fen()) * i128::from(policy.wage_deduction_warning_percent.hundredths());
    if deduction_share > warning_share {
        flags.push(Flag::WageDeductionOverThreshold);
    }

    let capped = bonus_percent > policy.bonus_deduction_cap_percent;
    let explanations = charged
        .into_iter()
        .map(|(record, occurrence, charge)| {
            let penalty = penalty_of(policy, charge);
            let wage_amount = penalty
                .wage_days
                .is_positive()
                .then(|| salary.mul_ratio(i128::from(penalty.wage_days.hundredths()), divisor))
                .flatten();
            let bonus_amount = (penalty.bonus_percent.is_positive() && !capped)
                .then(|| {
                    bonus_after_coefficient.mul_ratio(
                        i128::from(penalty.bonus_percent.hundredths()),
                        i128::from(Decimal2::HUNDRED.hundredths()),
                    )
                })
                .flatten();
            Explanation {
                date: record.date,
                clock_in: record.facts.clock_in,
                clock_out: record.facts.clock_out,
                leave: record.facts.leave,
                occurrence,
                charge,
                clause_zh: clause_zh(policy, charge),
                wage_days: penalty.wage_days,
                bonus_percent: penalty.bonus_percent,
                wage_amount,
                bonus_amount,
            }
        })
        .collect();

    Ok(MonthResult {
        month,
        monthly_salary: salary,
        bonus_base: employee.bonus_base,
        score,
        grade,
        coefficient,
        bonus_after_coefficient,
        counts,
        wage_days,
        bonus_percent,
        bonus_percent_applied,
        wage_deduction,
        bonus_deduction,
        bonus_payable,
        net_adjustment,
        absence_tally_half_days: tally,
        flags,
        explanations,
        days,
    })
}

/// The penalty of a charge under `policy`.
fn penalty_of(policy: &Policy, charge: Charge) -> Penalty {
    match charge {
        Charge::FreeMinor => Penalty::NONE,
        Charge::PenalisedMinor => policy.penalties.minor_beyond_free,
        Charge::Serious => policy.serious_penalty(),
        Charge::HalfDayAbsence => policy.penalties.half_day_absence,
        Charge::FullDayAbsence => policy.penalties.full_day_absence,
    }
}

/// The absence-tally weight of one day, in half days.
fn tally_weight(policy: &Policy, outcome: &DayOutcome) -> u64 {
    let weights = &policy.absence_tally;
    outcome
        .occurrences()
        .into_iter()
        .map(|occurrence| match occurrence {
            Occurrence::AbsentFullDay => u64::from(weights.full_day_half_days),
            Occurrence::AbsentHalfDay(_) => u64::from(weights.half_day_half_days),
            Occurrence::SeriousLate(_) | Occurrence::SeriousEarly(_) => u64::from(weights.serious_half_days),
            Occurrence::MinorLate(_) | Occurrence::MinorEarly(_) => 0,
        })
        .sum()
}

/// The clause of a charge, in Chinese, with the policy's numbers.
fn clause_zh(policy: &Policy, charge: Charge) -> String {
    let minutes = policy.minor_max_minutes;
    let free = policy.free_minor_occurrences;
    match charge {
        Charge::FreeMinor => {
            format!("迟到或早退{minutes}分钟以内，当月累计{free}次以内不处罚")
        }
        Charge::PenalisedMinor => format!(
            "迟到或早退{minutes}分钟以内，当月第{}次起每次{}",
            u64::from(free) + 1,
            penalty_zh(policy.penalties.minor_beyond_free)
        ),
        Charge::Serious => {
            format!("迟到或早退超过{minutes}分钟，按旷工半天处理，{}", penalty_zh(policy.serious_penalty()))
        }
        Charge::HalfDayAbsence => {
            format!("旷工半天，{}", penalty_zh(policy.penalties.half_day_absence))
        }
        Charge::FullDayAbsence => {
            format!("旷工一天，{}", penalty_zh(policy.penalties.full_day_absence))
        }
    }
}

/// `扣当天工资的2倍及当月绩效奖金的20%` and its variants.
fn penalty_zh(penalty: Penalty) -> String {
    let wage = if penalty.wage_days == Decimal2::from_hundredths(100) {
        "扣当天工资".to_owned()
    } else {
        format!("扣当天工资的{}倍", penalty.wage_days)
    };
    match (penalty.wage_days.is_positive(), penalty.bonus_percent.is_positive()) {
        (false, false) => "不扣款".to_owned(),
        (true, false) => wage,
        (false, true) => format!("扣当月绩效奖金的{}%", penalty.bonus_percent),
        (true, true) => format!("{wage}及当月绩效奖金的{}%", penalty.bonus_percent),
    }
}
