//! Boundaries of every rule.

use chrono::NaiveTime;

use super::super::{
    classify_day, classify_workday, required_history_range, round_half_up_div, Calendar, CalendarDayKind, Charge,
    Coefficient, DayOutcome, DayStatus, Decimal2, Deviation, Employee, EvaluationError, Fen, Flag, Grade,
    HalfDayAbsenceReason, History, Leave, MonthInput, NotEvaluatedReason, Occurrence, Severity,
};
use super::{d, score, t, ym, DayFacts, Policy, Scenario};

fn seed() -> Policy {
    Policy::seed_default()
}

fn classify(facts: DayFacts) -> DayOutcome {
    classify_workday(&seed(), &facts)
}

fn minor(minutes: u32) -> Option<Deviation> {
    Some(Deviation { minutes, severity: Severity::Minor })
}

fn serious(minutes: u32) -> Option<Deviation> {
    Some(Deviation { minutes, severity: Severity::Serious })
}

// ---------------------------------------------------------------- classification

#[test]
fn fifteen_minutes_late_is_minor_sixteen_is_serious() {
    assert_eq!(classify(DayFacts::punched(t(9, 15), t(18, 0))), DayOutcome::Present { late: minor(15), early: None });
    assert_eq!(classify(DayFacts::punched(t(9, 16), t(18, 0))), DayOutcome::Present { late: serious(16), early: None });
    assert_eq!(classify(DayFacts::punched(t(9, 0), t(17, 45))), DayOutcome::Present { late: None, early: minor(15) });
    assert_eq!(classify(DayFacts::punched(t(9, 0), t(17, 44))), DayOutcome::Present { late: None, early: serious(16) });
}

#[test]
fn seconds_are_truncated() {
    let at = |h, m, s| NaiveTime::from_hms_opt(h, m, s).expect("valid time");
    assert_eq!(
        classify(DayFacts::punched(at(9, 15, 59), t(18, 0))),
        DayOutcome::Present { late: minor(15), early: None }
    );
    assert!(classify(DayFacts::punched(at(9, 0, 59), t(18, 0))).is_normal());
    // 17:59:59 is 17:59: one minute early.
    assert_eq!(
        classify(DayFacts::punched(t(9, 0), at(17, 59, 59))),
        DayOutcome::Present { late: None, early: minor(1) }
    );
}

#[test]
fn late_and_early_on_one_day_are_two_occurrences() {
    let outcome = classify(DayFacts::punched(t(9, 5), t(17, 30)));
    assert_eq!(outcome.occurrences(), vec![Occurrence::MinorLate(5), Occurrence::SeriousEarly(30)]);
}

#[test]
fn early_arrival_and_late_departure_are_normal() {
    assert!(classify(DayFacts::punched(t(8, 30), t(19, 0))).is_normal());
}

#[test]
fn punch_combinations() {
    let none = DayFacts::default();
    let only_in = DayFacts { clock_in: Some(t(9, 0)), ..none };
    let only_out = DayFacts { clock_out: Some(t(18, 0)), ..none };
    assert_eq!(classify(none), DayOutcome::AbsentFullDay);
    assert_eq!(
        classify(none.with_leave(Leave::Am)),
        DayOutcome::AbsentHalfDay(HalfDayAbsenceReason::NoPunchesWithHalfDayLeave)
    );
    assert_eq!(
        classify(none.with_leave(Leave::Pm)),
        DayOutcome::AbsentHalfDay(HalfDayAbsenceReason::NoPunchesWithHalfDayLeave)
    );
    assert_eq!(classify(only_in), DayOutcome::AbsentHalfDay(HalfDayAbsenceReason::MissingClockOut));
    assert_eq!(classify(only_out), DayOutcome::AbsentHalfDay(HalfDayAbsenceReason::MissingClockIn));
    // With half-day leave, a missing punch still leaves the other half unproven.
    assert_eq!(
        classify(only_in.with_leave(Leave::Pm)),
        DayOutcome::AbsentHalfDay(HalfDayAbsenceReason::MissingClockOut)
    );
    // Full-day leave: nothing is evaluated, punches are ignored.
    assert_eq!(classify(none.with_leave(Leave::Full)), DayOutcome::FullDayLeave);
    assert_eq!(classify(DayFacts::punched(t(10, 0), t(11, 0)).with_leave(Leave::Full)), DayOutcome::FullDayLeave);
}

#[test]
fn clock_out_not_after_clock_in_is_reported_not_panicked() {
    assert_eq!(
        classify(DayFacts::punched(t(18, 0), t(9, 0))),
        DayOutcome::InvalidPunches { clock_in: t(18, 0), clock_out: t(9, 0) }
    );
    // Equal at minute precision.
    let at = |s| NaiveTime::from_hms_opt(9, 0, s).expect("valid time");
    assert!(matches!(classify(DayFacts::punched(at(10), at(50))), DayOutcome::InvalidPunches { .. }));
    assert!(classify(DayFacts::punched(t(18, 0), t(9, 0))).occurrences().is_empty());
}

#[test]
fn am_leave_window_is_afternoon() {
    let am = |i, o| classify(DayFacts::punched(i, o).with_leave(Leave::Am));
    assert!(am(t(13, 0), t(18, 0)).is_normal());
    assert_eq!(am(t(13, 15), t(18, 0)), DayOutcome::Present { late: minor(15), early: None });
    assert_eq!(am(t(13, 16), t(18, 0)), DayOutcome::Present { late: serious(16), early: None });
    assert_eq!(am(t(13, 0), t(17, 50)), DayOutcome::Present { late: None, early: minor(10) });
    // Coming in at 09:10 anyway is not late for the afternoon window.
    assert!(am(t(9, 10), t(18, 0)).is_normal());
}

#[test]
fn pm_leave_window_is_morning() {
    let pm = |i, o| classify(DayFacts::punched(i, o).with_leave(Leave::Pm));
    assert!(pm(t(9, 0), t(12, 0)).is_normal());
    assert_eq!(pm(t(9, 0), t(11, 50)), DayOutcome::Present { late: None, early: minor(10) });
    assert_eq!(pm(t(9, 20), t(12, 0)), DayOutcome::Present { late: serious(20), early: None });
    // Without leave, leaving at 12:00 is a serious early leave of 360 minutes.
    assert_eq!(classify(DayFacts::punched(t(9, 0), t(12, 0))), DayOutcome::Present { late: None, early: serious(360) });
}

#[test]
fn leave_combines() {
    assert_eq!(Leave::Am.combine(Leave::Pm), Leave::Full);
    assert_eq!(Leave::None.combine(Leave::Am), Leave::Am);
    assert_eq!(Leave::Pm.combine(Leave::Pm), Leave::Pm);
    assert_eq!(Leave::Full.combine(Leave::None), Leave::Full);
    let mut history = History::new(d(2026, 11, 1)..=d(2026, 11, 30));
    history.add_leave(d(2026, 11, 2), Leave::Am);
    history.add_leave(d(2026, 11, 2), Leave::Pm);
    assert_eq!(history.facts(d(2026, 11, 2)).leave, Leave::Full);
}

// ---------------------------------------------------------------- calendar

#[test]
fn calendar_weekdays_holidays_and_make_up_days() {
    let calendar =
        Calendar::new().with(d(2026, 11, 7), CalendarDayKind::Workday).with(d(2026, 11, 11), CalendarDayKind::Holiday);
    assert!(calendar.is_workday(d(2026, 11, 6))); // Friday
    assert!(calendar.is_workday(d(2026, 11, 7))); // make-up Saturday
    assert!(!calendar.is_workday(d(2026, 11, 8))); // Sunday
    assert!(!calendar.is_workday(d(2026, 11, 11))); // holiday Wednesday
    assert!(!calendar.is_workday(d(2026, 11, 14))); // plain Saturday
}

#[test]
fn day_status_respects_tracking_hire_and_leaving() {
    let calendar = Calendar::new();
    let employee = Employee {
        monthly_salary: Fen::ZERO,
        bonus_base: Fen::ZERO,
        hired_on: d(2026, 11, 4),
        left_on: Some(d(2026, 11, 25)),
    };
    let status = |date| calendar.day_status(date, d(2026, 11, 3), &employee);
    assert_eq!(status(d(2026, 11, 2)), DayStatus::NotEvaluated(NotEvaluatedReason::BeforeTracking));
    assert_eq!(status(d(2026, 11, 3)), DayStatus::NotEvaluated(NotEvaluatedReason::BeforeHire));
    assert_eq!(status(d(2026, 11, 4)), DayStatus::Evaluated);
    assert_eq!(status(d(2026, 11, 25)), DayStatus::Evaluated);
    assert_eq!(status(d(2026, 11, 26)), DayStatus::NotEvaluated(NotEvaluatedReason::AfterLeaving));
    assert_eq!(status(d(2026, 11, 28)), DayStatus::NotWorkday);
    let outcome = classify_day(&seed(), status(d(2026, 11, 2)), &DayFacts::default());
    assert_eq!(outcome, DayOutcome::NotEvaluated(NotEvaluatedReason::BeforeTracking));
    assert!(outcome.occurrences().is_empty());
}

#[test]
fn make_up_saturday_is_counted() {
    let scenario = Scenario::november("6000", "1000")
        .score("80")
        .calendar(d(2026, 11, 7), CalendarDayKind::Workday)
        .absent(d(2026, 11, 7));
    let r = scenario.evaluate();
    assert_eq!(r.counts.full_day_absences, 1);
    // A plain Saturday without punches is nothing.
    let r = Scenario::november("6000", "1000").score("80").absent(d(2026, 11, 14)).evaluate();
    assert_eq!(r.counts.full_day_absences, 0);
}

#[test]
fn weekday_holiday_is_not_counted() {
    let r = Scenario::november("6000", "1000")
        .score("80")
        .calendar(d(2026, 11, 11), CalendarDayKind::Holiday)
        .absent(d(2026, 11, 11))
        .evaluate();
    assert_eq!(r.counts.full_day_absences, 0);
    assert_eq!(r.wage_deduction, Fen::ZERO);
}

#[test]
fn hired_mid_month_days_before_are_not_absences() {
    let mut s = Scenario::november("6000", "1000").score("80");
    s.employee.hired_on = d(2026, 11, 16);
    let s = (2..=13).fold(s, |s, day| s.absent(d(2026, 11, day)));
    let r = s.clone().evaluate();
    assert_eq!(r.counts.full_day_absences, 0);
    let r = s.absent(d(2026, 11, 16)).evaluate();
    assert_eq!(r.counts.full_day_absences, 1);
}

#[test]
fn left_mid_month_days_after_are_not_absences() {
    let mut s = Scenario::november("6000", "1000").score("80");
    s.employee.left_on = Some(d(2026, 11, 13));
    let s = (16..=30).fold(s, |s, day| s.absent(d(2026, 11, day)));
    let r = s.clone().evaluate();
    assert_eq!(r.counts.full_day_absences, 0);
    assert!(s.employee.is_employed_in(ym(2026, 11)));
    assert!(!s.employee.is_employed_in(ym(2026, 12)));
    let r = s.absent(d(2026, 11, 13)).evaluate();
    assert_eq!(r.counts.full_day_absences, 1);
}

#[test]
fn days_before_tracking_start_are_never_absences() {
    let s = Scenario::november("6000", "1000").score("80").tracking_since(d(2026, 11, 16));
    let s = (2..=13).fold(s, |s, day| s.absent(d(2026, 11, day)));
    let r = s.evaluate();
    assert_eq!(r.counts.full_day_absences, 0);
    assert_eq!(r.flags, Vec::<Flag>::new());
    assert_eq!(r.days[1].outcome, DayOutcome::NotEvaluated(NotEvaluatedReason::BeforeTracking));
}

// ---------------------------------------------------------------- minor occurrences

#[test]
fn third_minor_is_free_fourth_is_penalised() {
    let three =
        (2..=4).fold(Scenario::november("8000", "2000").score("85"), |s, day| s.late(d(2026, 11, day), t(9, 1)));
    let r = three.clone().evaluate();
    assert_eq!((r.counts.minor, r.counts.minor_penalised), (3, 0));
    assert_eq!(r.bonus_deduction, Fen::ZERO);
    let r = three.early(d(2026, 11, 5), t(17, 59)).evaluate();
    assert_eq!((r.counts.minor, r.counts.minor_penalised), (4, 1));
    assert_eq!(r.bonus_deduction.to_string(), "120.00");
    assert_eq!(r.wage_deduction, Fen::ZERO);
}

#[test]
fn free_minors_are_the_first_in_order_late_before_early() {
    // Nov 2: late and early; Nov 3: late and early. The free three are
    // Nov 2 late, Nov 2 early, Nov 3 late.
    let r = Scenario::november("8000", "2000")
        .score("85")
        .punch(d(2026, 11, 2), Some(t(9, 1)), Some(t(17, 59)))
        .punch(d(2026, 11, 3), Some(t(9, 2)), Some(t(17, 58)))
        .evaluate();
    let got: Vec<_> = r.explanations.iter().map(|e| (e.date, e.occurrence, e.charge)).collect();
    assert_eq!(
        got,
        vec![
            (d(2026, 11, 2), Occurrence::MinorLate(1), Charge::FreeMinor),
            (d(2026, 11, 2), Occurrence::MinorEarly(1), Charge::FreeMinor),
            (d(2026, 11, 3), Occurrence::MinorLate(2), Charge::FreeMinor),
            (d(2026, 11, 3), Occurrence::MinorEarly(2), Charge::PenalisedMinor),
        ]
    );
}

// ---------------------------------------------------------------- grades

#[test]
fn grade_boundaries() {
    let p = seed();
    let grade = |s: &str| p.grade(score(s));
    assert_eq!(grade("100"), Grade::Excellent);
    assert_eq!(grade("90"), Grade::Excellent);
    assert_eq!(grade("89.9"), Grade::Good);
    assert_eq!(grade("89.5"), Grade::Good);
    assert_eq!(grade("80"), Grade::Good);
    assert_eq!(grade("79.9"), Grade::Pass);
    assert_eq!(grade("60"), Grade::Pass);
    assert_eq!(grade("59.9"), Grade::Fail);
    assert_eq!(grade("0"), Grade::Fail);
    let labels: Vec<_> = Grade::ALL.iter().map(|g| g.label_zh()).collect();
    assert_eq!(labels, ["优秀", "良好", "合格", "不合格"]);
    let coefficients: Vec<_> = Grade::ALL.iter().map(|g| p.coefficient(*g).to_string()).collect();
    assert_eq!(coefficients, ["1.5", "1.2", "1.0", "0.5"]);
}

#[test]
fn unscored_month() {
    let r = Scenario::november("6000", "1000").absent(d(2026, 11, 2)).evaluate();
    let cells = r.payroll_cells();
    assert_eq!(&cells[3..7], ["", "", "", "0.00"]);
    assert_eq!(r.bonus_deduction, Fen::ZERO);
    assert_eq!(r.bonus_payable, Fen::ZERO);
    assert_eq!(r.wage_deduction.to_string(), "827.59");
    assert_eq!(r.net_adjustment.to_string(), "-827.59");
    assert_eq!(r.flags_joined(), "未评分");
}

#[test]
fn two_failed_months_need_both() {
    let s = Scenario::november("6000", "1000").score("59.9");
    assert_eq!(s.clone().evaluate().flags, Vec::<Flag>::new());
    assert_eq!(s.clone().previous_grade(Grade::Pass).evaluate().flags, Vec::<Flag>::new());
    assert_eq!(s.previous_grade(Grade::Fail).evaluate().flags, vec![Flag::TwoMonthsFailed]);
    let s = Scenario::november("6000", "1000").score("60").previous_grade(Grade::Fail);
    assert_eq!(s.evaluate().flags, Vec::<Flag>::new());
}

// ---------------------------------------------------------------- money

#[test]
fn bonus_percentages_are_capped_at_100() {
    let r = Scenario::november("6000", "1000")
        .score("90")
        .absent(d(2026, 11, 2))
        .absent(d(2026, 11, 4))
        .absent(d(2026, 11, 6))
        .evaluate();
    assert_eq!(r.bonus_percent.to_string(), "150");
    assert_eq!(r.bonus_percent_applied.to_string(), "100");
    assert_eq!(r.bonus_deduction.to_string(), "1500.00");
    assert_eq!(r.bonus_payable, Fen::ZERO);
    // Exactly 100% is not capped.
    let r = Scenario::november("6000", "1000").score("90").absent(d(2026, 11, 2)).absent(d(2026, 11, 4)).evaluate();
    assert_eq!(r.bonus_percent_applied.to_string(), "100");
    assert!(r.explanations.iter().all(|e| e.bonus_amount.is_some()));
}

#[test]
fn rounding_helper_is_half_up_once() {
    assert_eq!(round_half_up_div(5, 10), Some(1));
    assert_eq!(round_half_up_div(4999, 10_000), Some(0));
    assert_eq!(round_half_up_div(5000, 10_000), Some(1));
    assert_eq!(round_half_up_div(14_999, 10_000), Some(1));
    assert_eq!(round_half_up_div(15_000, 10_000), Some(2));
    assert_eq!(round_half_up_div(-5000, 10_000), Some(-1));
    assert_eq!(round_half_up_div(-4999, 10_000), Some(0));
    assert_eq!(round_half_up_div(1, 0), None);
    assert_eq!(round_half_up_div(1, -3), None);
}

#[test]
fn wage_deduction_exact_half_fen_rounds_up() {
    // 500019 fen ÷ 26 = 19231.5 fen exactly → 19232.
    let mut s = Scenario::november("5000.19", "1000").score("80").late(d(2026, 11, 2), t(9, 30));
    s.policy.day_wage_divisor = Decimal2::from_hundredths(2600);
    assert_eq!(s.evaluate().wage_deduction.to_string(), "192.32");
    // 500018 ÷ 26 = 19231.46… → 19231.
    let mut s = Scenario::november("5000.18", "1000").score("80").late(d(2026, 11, 2), t(9, 30));
    s.policy.day_wage_divisor = Decimal2::from_hundredths(2600);
    assert_eq!(s.evaluate().wage_deduction.to_string(), "192.31");
}

#[test]
fn wage_deduction_just_below_half_fen_rounds_down() {
    // 500125 fen × 100 ÷ 5001 = 10000.4999… fen → 10000 (a float might say .5).
    let mut s = Scenario::november("5001.25", "1000").score("80").late(d(2026, 11, 2), t(9, 30));
    s.policy.day_wage_divisor = Decimal2::from_hundredths(5001);
    assert_eq!(s.evaluate().wage_deduction.to_string(), "100.00");
    // 500126 × 100 ÷ 5001 = 10000.5199… → 10001.
    let mut s = Scenario::november("5001.26", "1000").score("80").late(d(2026, 11, 2), t(9, 30));
    s.policy.day_wage_divisor = Decimal2::from_hundredths(5001);
    assert_eq!(s.evaluate().wage_deduction.to_string(), "100.01");
}

#[test]
fn bonus_lines_round_half_up() {
    // 0.05 × 1.5 = 0.075 yuan → 0.08.
    let r = Scenario::november("6000", "0.05").score("95").evaluate();
    assert_eq!(r.bonus_after_coefficient.to_string(), "0.08");
    // 0.10 × 1.0 × 5% = 0.005 yuan → 0.01.
    let s = (2..=5).fold(Scenario::november("6000", "0.10").score("70"), |s, day| s.late(d(2026, 11, day), t(9, 1)));
    let r = s.evaluate();
    assert_eq!(r.bonus_deduction.to_string(), "0.01");
    assert_eq!(r.bonus_payable.to_string(), "0.09");
}

#[test]
fn wage_deduction_is_rounded_once_for_the_total() {
    // Three serious occurrences at 8000 ÷ 21.75: per event 367.816… → 367.82,
    // three times would be 1103.46; once for the total, 1103.448… → 1103.45.
    let r = Scenario::november("8000", "1000")
        .score("80")
        .late(d(2026, 11, 2), t(9, 30))
        .late(d(2026, 11, 3), t(9, 30))
        .late(d(2026, 11, 4), t(9, 30))
        .evaluate();
    assert_eq!(r.wage_deduction.to_string(), "1103.45");
    assert!(r.explanations.iter().all(|e| e.wage_amount.map(|f| f.to_string()) == Some("367.82".into())));
}

#[test]
fn divisor_26() {
    let mut s = Scenario::november("6525", "1000").score("92").late(d(2026, 11, 2), t(9, 20)).punch(
        d(2026, 11, 3),
        Some(t(9, 0)),
        None,
    );
    s.policy.day_wage_divisor = Decimal2::parse("26").expect("valid divisor");
    let r = s.evaluate();
    // 6525 × 3 ÷ 26 = 752.884…
    assert_eq!(r.wage_deduction.to_string(), "752.88");
    let mut s = Scenario::november("6500", "1000").score("92").absent(d(2026, 11, 2));
    s.policy.day_wage_divisor = Decimal2::parse("26.00").expect("valid divisor");
    assert_eq!(s.evaluate().wage_deduction.to_string(), "750.00");
}

#[test]
fn wage_warning_is_strictly_more_than_20_percent() {
    // Salary 1000 with a divisor of 15: 3 day-wages are 200.00, exactly 20%
    // (no flag); 4 day-wages are 266.67 (flag).
    let mut s = Scenario::november("1000", "100").score("80").absent(d(2026, 11, 2));
    s.policy.day_wage_divisor = Decimal2::parse("15").expect("valid divisor");
    let r = s.clone().evaluate();
    assert_eq!(r.wage_deduction.to_string(), "200.00");
    assert_eq!(r.flags, Vec::<Flag>::new());
    let r = s.late(d(2026, 11, 3), t(9, 30)).evaluate();
    assert_eq!(r.wage_deduction.to_string(), "266.67");
    assert_eq!(r.flags, vec![Flag::WageDeductionOverThreshold]);
}

// ---------------------------------------------------------------- consecutive absence

#[test]
fn run_reaches_back_into_previous_month_over_weekend() {
    // Oct 29 (Thu), Oct 30 (Fri), [weekend], Nov 2 (Mon), Nov 3 (Tue).
    let s = Scenario::november("7000", "1000")
        .score("80")
        .absent(d(2026, 10, 29))
        .absent(d(2026, 10, 30))
        .absent(d(2026, 11, 2));
    assert!(!s.evaluate().flags.contains(&Flag::ConsecutiveAbsence));
    let s = s.absent(d(2026, 11, 3));
    assert!(s.evaluate().flags.contains(&Flag::ConsecutiveAbsence));
}

#[test]
fn run_reaches_back_into_previous_year_over_holiday() {
    // Dec 30 (Wed), Dec 31 (Thu), Jan 1 2027 (Fri, holiday), [weekend],
    // Jan 4 (Mon), Jan 5 (Tue).
    let s = Scenario::november("7000", "1000")
        .month(ym(2027, 1))
        .score("80")
        .calendar(d(2027, 1, 1), CalendarDayKind::Holiday)
        .absent(d(2026, 12, 30))
        .absent(d(2026, 12, 31))
        .absent(d(2027, 1, 4))
        .absent(d(2027, 1, 5));
    let range = required_history_range(&s.policy, s.month, &s.calendar, s.tracking_since, &s.employee);
    assert_eq!(range, d(2026, 12, 29)..=d(2027, 1, 31));
    let r = s.evaluate();
    assert!(r.flags.contains(&Flag::ConsecutiveAbsence));
    // The year-to-date tally starts on 1 January: only Jan 4 and 5.
    assert_eq!(r.absence_tally_half_days, 4);
}

#[test]
fn run_of_three_is_not_flagged() {
    let r = Scenario::november("7000", "1000")
        .month(ym(2027, 1))
        .score("80")
        .calendar(d(2027, 1, 1), CalendarDayKind::Holiday)
        .absent(d(2026, 12, 31))
        .absent(d(2027, 1, 4))
        .absent(d(2027, 1, 5))
        .evaluate();
    assert!(!r.flags.contains(&Flag::ConsecutiveAbsence));
}

#[test]
fn leave_half_day_absence_or_attendance_breaks_the_run() {
    let base = Scenario::november("7000", "1000")
        .score("80")
        .absent(d(2026, 11, 2))
        .absent(d(2026, 11, 3))
        .absent(d(2026, 11, 5))
        .absent(d(2026, 11, 6));
    let breakers = [
        DayFacts::default().with_leave(Leave::Full),
        DayFacts::default().with_leave(Leave::Am),
        DayFacts::punched(t(9, 0), t(18, 0)),
        DayFacts::punched(t(11, 0), t(18, 0)),
    ];
    for facts in breakers {
        let r = base.clone().facts(d(2026, 11, 4), facts).evaluate();
        assert!(!r.flags.contains(&Flag::ConsecutiveAbsence), "{facts:?}");
    }
    let r = base.absent(d(2026, 11, 4)).evaluate();
    assert!(r.flags.contains(&Flag::ConsecutiveAbsence));
}

#[test]
fn run_does_not_reach_before_tracking_start() {
    // Tracking starts Nov 4: the (unrecorded) Nov 2 and 3 are not absences.
    let r = Scenario::november("7000", "1000")
        .score("80")
        .tracking_since(d(2026, 11, 4))
        .absent(d(2026, 11, 4))
        .absent(d(2026, 11, 5))
        .absent(d(2026, 11, 6))
        .evaluate();
    assert_eq!(r.counts.full_day_absences, 3);
    assert!(!r.flags.contains(&Flag::ConsecutiveAbsence));
}

// ---------------------------------------------------------------- cumulative tally

fn june_with_five_separate_absences() -> Scenario {
    Scenario::november("7000", "1000")
        .month(ym(2026, 6))
        .tracking_since(d(2026, 1, 1))
        .score("80")
        .absent(d(2026, 2, 2))
        .absent(d(2026, 3, 2))
        .absent(d(2026, 4, 6))
        .absent(d(2026, 5, 4))
        .absent(d(2026, 6, 1))
}

#[test]
fn cumulative_tally_of_exactly_five_days_is_not_flagged() {
    let r = june_with_five_separate_absences().evaluate();
    assert_eq!(r.absence_tally_half_days, 10);
    assert!(!r.flags.contains(&Flag::CumulativeAbsence));
}

#[test]
fn cumulative_tally_of_five_and_a_half_days_is_flagged() {
    let half_day = june_with_five_separate_absences().punch(d(2026, 6, 8), Some(t(9, 0)), None).evaluate();
    assert_eq!(half_day.absence_tally_half_days, 11);
    assert!(half_day.flags.contains(&Flag::CumulativeAbsence));
    assert!(!half_day.flags.contains(&Flag::ConsecutiveAbsence));
    let serious = june_with_five_separate_absences().late(d(2026, 6, 8), t(9, 16)).evaluate();
    assert_eq!(serious.absence_tally_half_days, 11);
    assert_eq!(serious.flags, vec![Flag::CumulativeAbsence]);
    // A minor lateness adds nothing.
    let minor = june_with_five_separate_absences().late(d(2026, 6, 8), t(9, 15)).evaluate();
    assert_eq!(minor.absence_tally_half_days, 10);
}

#[test]
fn history_range_reaches_january_first() {
    let s = june_with_five_separate_absences();
    let range = required_history_range(&s.policy, s.month, &s.calendar, s.tracking_since, &s.employee);
    assert_eq!(range, d(2026, 1, 1)..=d(2026, 6, 30));
    // Tracking since 2026-10-01: nothing before is needed.
    let s = Scenario::november("1", "1");
    let range = required_history_range(&s.policy, s.month, &s.calendar, s.tracking_since, &s.employee);
    assert_eq!(range, d(2026, 10, 1)..=d(2026, 11, 30));
}

#[test]
fn history_range_skips_holidays_when_looking_back() {
    // January 2027 with Dec 28–31 holidays: the three evaluated workdays before
    // the month are Dec 23, 24, 25.
    let s = Scenario::november("1", "1")
        .month(ym(2027, 1))
        .calendar(d(2026, 12, 28), CalendarDayKind::Holiday)
        .calendar(d(2026, 12, 29), CalendarDayKind::Holiday)
        .calendar(d(2026, 12, 30), CalendarDayKind::Holiday)
        .calendar(d(2026, 12, 31), CalendarDayKind::Holiday);
    let range = required_history_range(&s.policy, s.month, &s.calendar, s.tracking_since, &s.employee);
    assert_eq!(*range.start(), d(2026, 12, 23));
}

// ---------------------------------------------------------------- policy switch

#[test]
fn serious_as_half_day_absence_switch() {
    let mut s = Scenario::november("6525.00", "1000.00")
        .score("92")
        .late(d(2026, 11, 2), t(9, 20))
        .punch(d(2026, 11, 3), Some(t(9, 0)), None)
        .early(d(2026, 11, 4), t(17, 50))
        .early(d(2026, 11, 5), t(17, 45));
    s.policy.serious_penalised_as_half_day_absence = true;
    let r = s.evaluate();
    // Still counted as one serious occurrence and one half-day absence …
    assert_eq!(&r.payroll_cells()[7..12], ["2", "0", "1", "1", "0"]);
    // … but the serious one costs 2 day-wages and 20%: 4 days, 40%.
    assert_eq!(r.wage_deduction.to_string(), "1200.00");
    assert_eq!(r.bonus_deduction.to_string(), "600.00");
    assert_eq!(r.bonus_payable.to_string(), "900.00");
    assert_eq!(r.net_adjustment.to_string(), "-300.00");
    assert_eq!(r.explanations[0].clause_zh, "迟到或早退超过15分钟，按旷工半天处理，扣当天工资的2倍及当月绩效奖金的20%");
    // The tally weight is unchanged: 0.5 + 0.5.
    assert_eq!(r.absence_tally_half_days, 2);
}

// ---------------------------------------------------------------- policy and errors

#[test]
fn seed_policy_values() {
    let p = Policy::seed_default();
    assert!(p.validate().is_empty(), "{:?}", p.validate());
    assert_eq!(p, Policy::default());
    assert_eq!(p.schedule.window(Leave::None), Some((t(9, 0), t(18, 0))));
    assert_eq!(p.schedule.window(Leave::Am), Some((t(13, 0), t(18, 0))));
    assert_eq!(p.schedule.window(Leave::Pm), Some((t(9, 0), t(12, 0))));
    assert_eq!(p.schedule.window(Leave::Full), None);
    assert_eq!(p.minor_max_minutes, 15);
    assert_eq!(p.free_minor_occurrences, 3);
    assert_eq!(p.day_wage_divisor.to_string(), "21.75");
    let table = [
        p.penalties.minor_beyond_free,
        p.penalties.serious,
        p.penalties.half_day_absence,
        p.penalties.full_day_absence,
    ]
    .map(|x| (x.wage_days.to_string(), x.bonus_percent.to_string()));
    assert_eq!(table, [("0", "5"), ("1", "10"), ("2", "20"), ("3", "50")].map(|(a, b)| (a.into(), b.into())));
    assert_eq!(p.bonus_deduction_cap_percent.to_string(), "100");
    assert!(!p.serious_penalised_as_half_day_absence);
    assert_eq!(p.grades.excellent_min.tenths(), 900);
    assert_eq!(p.grades.good_min.tenths(), 800);
    assert_eq!(p.grades.pass_min.tenths(), 600);
    assert_eq!(p.grades.excellent_coefficient, Coefficient::from_tenths(15));
    assert_eq!(p.grades.fail_coefficient, Coefficient::from_tenths(5));
    assert_eq!(p.consecutive_absence_flag_over_days, 3);
    assert_eq!(p.absence_tally.flag_over_half_days, 10);
    assert_eq!(p.absence_tally.full_day_half_days, 2);
    assert_eq!(p.absence_tally.half_day_half_days, 1);
    assert_eq!(p.absence_tally.serious_half_days, 1);
    assert_eq!(p.wage_deduction_warning_percent.to_string(), "20");
}

#[test]
fn policy_validation_reports_problems() {
    let mut p = Policy::seed_default();
    p.day_wage_divisor = Decimal2::ZERO;
    p.grades.good_min = score("95");
    p.schedule.am_end = t(14, 0);
    p.bonus_deduction_cap_percent = Decimal2::parse("120").expect("valid");
    p.penalties.serious.bonus_percent = Decimal2::parse("-1").expect("valid");
    let problems = p.validate();
    assert_eq!(problems.len(), 5, "{problems:#?}");
    assert!(problems.iter().any(|m| m.contains("divisor")));
    assert!(problems.iter().any(|m| m.contains("thresholds")));
    assert!(problems.iter().any(|m| m.contains("schedule")));
    assert!(problems.iter().any(|m| m.contains("cap")));
    assert!(problems.iter().any(|m| m.contains("serious")));

    let mut s = Scenario::november("1000", "100");
    s.policy = p;
    assert!(matches!(s.try_evaluate(), Err(EvaluationError::InvalidPolicy(_))));
}

#[test]
fn incomplete_history_is_refused() {
    let s = Scenario::november("1000", "100").score("80");
    let history = History::new(d(2026, 11, 1)..=d(2026, 11, 30));
    let result = super::super::evaluate_month(
        &s.policy,
        &MonthInput {
            month: s.month,
            calendar: &s.calendar,
            tracking_since: s.tracking_since,
            employee: &s.employee,
            history: &history,
            score: s.score,
            previous_month_grade: None,
        },
    );
    assert_eq!(
        result,
        Err(EvaluationError::HistoryIncomplete {
            needed: d(2026, 10, 1)..=d(2026, 11, 30),
            covered: d(2026, 11, 1)..=d(2026, 11, 30),
        })
    );
}

#[test]
fn invalid_punches_are_refused() {
    let err = Scenario::november("1000", "100").punch(d(2026, 10, 7), Some(t(18, 0)), Some(t(9, 0))).try_evaluate();
    assert_eq!(
        err,
        Err(EvaluationError::InvalidPunches { date: d(2026, 10, 7), clock_in: t(18, 0), clock_out: t(9, 0) })
    );
    let message = err.err().map(|e| e.to_string()).unwrap_or_default();
    assert_eq!(message, "2026-10-07: clock-out 09:00 is not later than clock-in 18:00");
}

#[test]
fn negative_pay_is_refused() {
    let mut s = Scenario::november("1000", "100");
    s.employee.monthly_salary = Fen(-1);
    assert_eq!(s.try_evaluate(), Err(EvaluationError::NegativeAmount("monthly salary")));
}

#[test]
fn employee_hired_after_the_month_has_no_events() {
    let mut s = Scenario::november("1000", "100").score("80");
    s.employee.hired_on = d(2026, 12, 1);
    let range = required_history_range(&s.policy, s.month, &s.calendar, s.tracking_since, &s.employee);
    assert!(range.is_empty());
    let r = s.evaluate();
    assert_eq!(r.counts, Default::default());
    assert!(!s.employee.is_employed_in(s.month));
}

#[test]
fn serious_late_and_serious_early_on_one_day_are_charged_twice() {
    let r = Scenario::november("8700", "1000")
        .score("80")
        .punch(d(2026, 11, 2), Some(t(9, 30)), Some(t(17, 30)))
        .evaluate();
    assert_eq!(r.counts.serious, 2);
    assert_eq!(r.wage_days.to_string(), "2");
    // 8700 × 2 ÷ 21.75 = 800.00; 20% of 1200.00 = 240.00.
    assert_eq!(r.wage_deduction.to_string(), "800.00");
    assert_eq!(r.bonus_deduction.to_string(), "240.00");
    assert_eq!(r.absence_tally_half_days, 2);
}
