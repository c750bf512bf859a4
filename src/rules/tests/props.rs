//! Property tests.

use proptest::prelude::*;
use proptest::sample::Index;

use super::super::{round_half_up_div, Decimal2, Fen, Leave, Score};
use super::{d, t, DayFacts, Scenario};

/// What happens on one workday of November 2026 in a generated month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Day {
    Punctual,
    Late(u32),
    Early(u32),
    LateAndEarly(u32, u32),
    MissingIn,
    MissingOut,
    NoPunches,
    Leave(Leave),
    HalfLeaveNoPunches(Leave),
}

fn day() -> impl Strategy<Value = Day> {
    prop_oneof![
        4 => Just(Day::Punctual),
        2 => (1u32..=120).prop_map(Day::Late),
        2 => (1u32..=120).prop_map(Day::Early),
        1 => (1u32..=60, 1u32..=60).prop_map(|(a, b)| Day::LateAndEarly(a, b)),
        1 => Just(Day::MissingIn),
        1 => Just(Day::MissingOut),
        1 => Just(Day::NoPunches),
        1 => prop_oneof![Just(Leave::Full), Just(Leave::Am), Just(Leave::Pm)].prop_map(Day::Leave),
        1 => prop_oneof![Just(Leave::Am), Just(Leave::Pm)].prop_map(Day::HalfLeaveNoPunches),
    ]
}

fn facts(day: Day) -> DayFacts {
    let at = |minutes: u32| t(minutes / 60, minutes % 60);
    let (nine, six) = (9 * 60, 18 * 60);
    match day {
        Day::Punctual => DayFacts::punched(at(nine), at(six)),
        Day::Late(m) => DayFacts::punched(at(nine + m), at(six)),
        Day::Early(m) => DayFacts::punched(at(nine), at(six - m)),
        Day::LateAndEarly(a, b) => DayFacts::punched(at(nine + a), at(six - b)),
        Day::MissingIn => DayFacts { clock_out: Some(at(six)), ..DayFacts::default() },
        Day::MissingOut => DayFacts { clock_in: Some(at(nine)), ..DayFacts::default() },
        Day::NoPunches => DayFacts::default(),
        Day::Leave(leave) => match leave {
            Leave::Am => DayFacts::punched(at(13 * 60), at(six)).with_leave(leave),
            Leave::Pm => DayFacts::punched(at(nine), at(12 * 60)).with_leave(leave),
            Leave::Full | Leave::None => DayFacts::default().with_leave(leave),
        },
        Day::HalfLeaveNoPunches(leave) => DayFacts::default().with_leave(leave),
    }
}

/// The 21 workdays of November 2026.
fn november_workdays() -> Vec<chrono::NaiveDate> {
    [2, 3, 4, 5, 6, 9, 10, 11, 12, 13, 16, 17, 18, 19, 20, 23, 24, 25, 26, 27, 30].map(|day| d(2026, 11, day)).into()
}

#[derive(Debug, Clone)]
struct Case {
    salary: i64,
    bonus_base: i64,
    score: Option<u16>,
    divisor: i64,
    serious_as_half_day: bool,
    days: Vec<Day>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        0i64..=10_000_000,
        0i64..=5_000_000,
        proptest::option::of(0u16..=1000),
        prop_oneof![Just(2175i64), Just(2600), 2000i64..=3100],
        any::<bool>(),
        proptest::collection::vec(day(), 21),
    )
        .prop_map(|(salary, bonus_base, score, divisor, serious_as_half_day, days)| Case {
            salary,
            bonus_base,
            score,
            divisor,
            serious_as_half_day,
            days,
        })
}

fn scenario(case: &Case) -> Scenario {
    let mut s = Scenario::november("0", "0");
    s.employee.monthly_salary = Fen(case.salary);
    s.employee.bonus_base = Fen(case.bonus_base);
    s.score = case.score.and_then(Score::from_tenths);
    s.policy.day_wage_divisor = Decimal2::from_hundredths(case.divisor);
    s.policy.serious_penalised_as_half_day_absence = case.serious_as_half_day;
    november_workdays().into_iter().zip(&case.days).fold(s, |s, (date, day)| s.facts(date, facts(*day)))
}

proptest! {
    #[test]
    fn amounts_stay_within_bounds(case in case()) {
        let r = scenario(&case).evaluate();
        prop_assert!(r.wage_deduction >= Fen::ZERO);
        prop_assert!(r.bonus_deduction >= Fen::ZERO);
        prop_assert!(r.bonus_payable >= Fen::ZERO);
        prop_assert!(r.bonus_payable <= r.bonus_after_coefficient);
        prop_assert_eq!(
            r.net_adjustment.fen(),
            r.bonus_payable.fen() - r.wage_deduction.fen()
        );
        if r.score.is_none() {
            prop_assert_eq!(r.bonus_after_coefficient, Fen::ZERO);
        }
    }

    #[test]
    fn an_added_absence_never_raises_the_net(case in case(), pick in any::<Index>()) {
        let punctual: Vec<usize> = case
            .days
            .iter()
            .enumerate()
            .filter(|(_, day)| **day == Day::Punctual)
            .map(|(i, _)| i)
            .collect();
        prop_assume!(!punctual.is_empty());
        let before = scenario(&case).evaluate();
        let mut worse = case.clone();
        worse.days[punctual[pick.index(punctual.len())]] = Day::NoPunches;
        let after = scenario(&worse).evaluate();
        prop_assert!(after.net_adjustment <= before.net_adjustment);
        prop_assert!(after.wage_deduction >= before.wage_deduction);
        prop_assert!(after.bonus_payable <= before.bonus_payable);
        prop_assert_eq!(after.counts.full_day_absences, before.counts.full_day_absences + 1);
    }

    #[test]
    fn fen_display_parse_round_trip(fen in any::<i64>()) {
        let text = Fen(fen).to_string();
        prop_assert_eq!(Fen::parse_yuan(&text), Ok(Fen(fen)));
    }

    #[test]
    fn fen_parse_display_round_trip(text in "[1-9][0-9]{0,12}\\.[0-9]{2}|0\\.[0-9]{2}") {
        let fen = Fen::parse_non_negative_yuan(&text);
        prop_assert_eq!(fen.map(|f| f.to_string()), Ok(text));
    }

    #[test]
    fn score_display_parse_round_trip(tenths in 0u16..=1000) {
        let score = Score::from_tenths(tenths);
        prop_assert!(score.is_some());
        let text = score.map(|s| s.to_string()).unwrap_or_default();
        prop_assert_eq!(Score::parse(&text), Ok(Score::from_tenths(tenths).unwrap_or(Score::MIN)));
    }

    #[test]
    fn rounding_is_nearest_with_ties_up(
        numerator in 0i128..=1_000_000_000_000,
        denominator in 1i128..=1_000_000,
    ) {
        let rounded = round_half_up_div(numerator, denominator);
        prop_assert!(rounded.is_some());
        let r = rounded.unwrap_or_default();
        // |numerator/denominator − r| ≤ 1/2, and a tie goes up.
        let diff = numerator - r * denominator;
        prop_assert!(2 * diff < denominator && -2 * diff <= denominator);
        prop_assert_eq!(round_half_up_div(-numerator, denominator), Some(-r));
    }
}

#[test]
fn generated_days_produce_the_intended_facts() {
    assert_eq!(facts(Day::Late(75)), DayFacts::punched(t(10, 15), t(18, 0)));
    assert_eq!(facts(Day::Early(61)), DayFacts::punched(t(9, 0), t(16, 59)));
}
