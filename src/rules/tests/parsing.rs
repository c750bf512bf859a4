//! Parsing and formatting of money, scores, coefficients, decimals and months.

use super::super::{Coefficient, Decimal2, Fen, Flag, ParseErrorKind, Score, YearMonth};

#[test]
fn fen_parses_yuan_with_up_to_two_decimals() {
    assert_eq!(Fen::parse_yuan("8000"), Ok(Fen(800_000)));
    assert_eq!(Fen::parse_yuan("8000.5"), Ok(Fen(800_050)));
    assert_eq!(Fen::parse_yuan("8000.50"), Ok(Fen(800_050)));
    assert_eq!(Fen::parse_yuan("0.01"), Ok(Fen(1)));
    assert_eq!(Fen::parse_yuan("-12.3"), Ok(Fen(-1230)));
    assert_eq!("2758.62".parse::<Fen>(), Ok(Fen(275_862)));
}

#[test]
fn fen_rejects_garbage() {
    let kind = |s: &str| Fen::parse_yuan(s).map_err(|e| e.kind());
    assert_eq!(kind("8000.505"), Err(ParseErrorKind::TooManyDecimals(2)));
    assert_eq!(kind(""), Err(ParseErrorKind::Empty));
    for garbage in ["abc", "8,000", " 8000", "8000 ", "+5", ".5", "5.", "1e3", "--1", "8000.5a", "¥8000", "-"] {
        assert_eq!(kind(garbage), Err(ParseErrorKind::Malformed), "{garbage:?}");
    }
    assert_eq!(kind("99999999999999999999"), Err(ParseErrorKind::OutOfRange));
    assert_eq!(Fen::parse_non_negative_yuan("-1").map_err(|e| e.kind()), Err(ParseErrorKind::Negative));
    assert_eq!(Fen::parse_non_negative_yuan("1"), Ok(Fen(100)));
    let err = Fen::parse_yuan("8000.505").expect_err("rejected");
    assert_eq!(err.to_string(), "\"8000.505\": at most 2 decimal places are allowed");
    assert_eq!(err.input(), "8000.505");
}

#[test]
fn fen_displays_two_decimals_and_minus() {
    assert_eq!(Fen(275_862).to_string(), "2758.62");
    assert_eq!(Fen(-275_862).to_string(), "-2758.62");
    assert_eq!(Fen(0).to_string(), "0.00");
    assert_eq!(Fen(5).to_string(), "0.05");
    assert_eq!(Fen(-5).to_string(), "-0.05");
    assert_eq!(Fen(100_000_000).to_yuan_string(), "1000000.00");
    assert_eq!(Fen(i64::MIN).to_string(), "-92233720368547758.08");
    assert_eq!(Fen::from_yuan(8000), Some(Fen(800_000)));
}

#[test]
fn fen_mul_ratio_rounds_once() {
    // 10000 × 6 ÷ 21.75 = 2758.6206… → 2758.62.
    assert_eq!(Fen(1_000_000).mul_ratio(600, 2175), Some(Fen(275_862)));
    assert_eq!(Fen(1).mul_ratio(1, 0), None);
    assert_eq!(Fen(i64::MAX).mul_ratio(2, 1), None);
}

#[test]
fn score_parsing_and_display() {
    assert_eq!(Score::parse("85").map(|s| s.tenths()), Ok(850));
    assert_eq!(Score::parse("89.5").map(|s| s.tenths()), Ok(895));
    assert_eq!(Score::parse("92.0").map(|s| s.tenths()), Ok(920));
    assert_eq!(Score::parse("100").map(|s| s.tenths()), Ok(1000));
    assert_eq!(Score::parse("0").map(|s| s.tenths()), Ok(0));
    let kind = |s: &str| Score::parse(s).map_err(|e| e.kind());
    assert_eq!(kind("89.55"), Err(ParseErrorKind::TooManyDecimals(1)));
    assert_eq!(kind("101"), Err(ParseErrorKind::OutOfRange));
    assert_eq!(kind("100.1"), Err(ParseErrorKind::OutOfRange));
    assert_eq!(kind("-1"), Err(ParseErrorKind::Negative));
    assert_eq!(kind("eighty"), Err(ParseErrorKind::Malformed));
    assert_eq!(Score::from_tenths(1001), None);
    let shown = |s: &str| Score::parse(s).map(|s| s.to_string());
    assert_eq!(shown("85"), Ok("85.0".into()));
    assert_eq!(shown("89.5"), Ok("89.5".into()));
    assert_eq!(shown("100"), Ok("100.0".into()));
    assert_eq!(shown("0"), Ok("0.0".into()));
}

#[test]
fn coefficient_display() {
    let shown: Vec<_> = [15, 12, 10, 5].map(Coefficient::from_tenths).map(|c| c.to_string()).into();
    assert_eq!(shown, ["1.5", "1.2", "1.0", "0.5"]);
    assert_eq!(Coefficient::parse("1.2"), Ok(Coefficient::from_tenths(12)));
    assert_eq!(Coefficient::parse("1"), Ok(Coefficient::from_tenths(10)));
    assert!(Coefficient::parse("-0.5").is_err());
    assert!(Coefficient::parse("1.25").is_err());
}

#[test]
fn decimal2_shortest_display_and_string_round_trip() {
    let d = Decimal2::from_hundredths;
    assert_eq!(d(2175).to_string(), "21.75");
    assert_eq!(d(2600).to_string(), "26");
    assert_eq!(d(50).to_string(), "0.5");
    assert_eq!(d(0).to_string(), "0");
    assert_eq!(d(-150).to_string(), "-1.5");
    assert_eq!(d(10_000).to_string(), "100");
    for value in [2175, 2600, 50, 0, -150, 10_000, 1] {
        let text: String = d(value).into();
        assert_eq!(Decimal2::try_from(text), Ok(d(value)));
    }
    assert_eq!(Decimal2::parse("26.00"), Ok(d(2600)));
    assert!(Decimal2::parse("21.755").is_err());
}

#[test]
fn score_and_coefficient_string_round_trip() {
    for tenths in [0, 5, 600, 895, 1000] {
        let s = Score::from_tenths(tenths).expect("in range");
        let text: String = s.into();
        assert_eq!(Score::try_from(text), Ok(s));
    }
    let c = Coefficient::from_tenths(12);
    let text: String = c.into();
    assert_eq!(Coefficient::try_from(text), Ok(c));
}

#[test]
fn year_month_parse_and_display() {
    let m: YearMonth = "2026-11".parse().expect("valid month");
    assert_eq!((m.year(), m.month()), (2026, 11));
    assert_eq!(m.to_string(), "2026-11");
    assert_eq!(m.last_day().to_string(), "2026-11-30");
    assert_eq!(m.previous().map(|p| p.to_string()), Some("2026-10".into()));
    assert_eq!(
        "2027-01".parse::<YearMonth>().ok().and_then(YearMonth::previous).map(|p| p.to_string()),
        Some("2026-12".into())
    );
    assert_eq!(m.next().map(|p| p.to_string()), Some("2026-12".into()));
    assert_eq!("2028-02".parse::<YearMonth>().map(|m| m.last_day().to_string()), Ok("2028-02-29".into()));
    for bad in ["2026-13", "2026-1", "26-11", "2026/11", "", "2026-00"] {
        assert!(bad.parse::<YearMonth>().is_err(), "{bad:?}");
    }
}

#[test]
fn flag_labels_in_fixed_order() {
    let labels: Vec<_> = Flag::ALL.iter().map(|f| f.label_zh()).collect();
    assert_eq!(labels.join(";"), "连续旷工超过3天;累计旷工超过5天;连续两月不合格;未评分;扣款超过月薪20%");
    let mut shuffled = vec![Flag::WageDeductionOverThreshold, Flag::ConsecutiveAbsence];
    shuffled.sort();
    assert_eq!(super::super::join_flags(&shuffled), "连续旷工超过3天;扣款超过月薪20%");
}
