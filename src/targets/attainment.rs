//! The arithmetic of a target (pure: no database, no clock): attainment as a
//! percentage of the target, the progress bar's fill, and the 30 % flag of 002
//! ("完成计划不到30%"), decided on integers.
//!
//! * The percentage is shown to the hundredth, **rounded down** (toward −∞): a
//!   figure on the page never reaches a threshold the exact figure has not, so a rep
//!   flagged below 30 % never shows "30.00 %".
//! * The flag compares exactly: `attainment × 100 < target × 30`. 29.99 % is
//!   flagged, 30.00 % is not. Only a month that is over is flagged (today after its
//!   last day: the caller passes today), only against a target (> 0).

use chrono::NaiveDate;

use crate::rules::YearMonth;

/// The threshold of 002: below this share of the target, in percent.
pub const FLAG_BELOW_PERCENT: i64 = 30;

/// Attainment as hundredths of a percent of `target_fen`, rounded down: 2999 is
/// 29.99 %. `None` without a target (none, or not positive).
pub fn percent_hundredths(attainment_fen: i64, target_fen: Option<i64>) -> Option<i64> {
    let target = i128::from(target_fen.filter(|t| *t > 0)?);
    let scaled = i128::from(attainment_fen) * 10_000;
    i64::try_from(scaled.div_euclid(target)).ok()
}

/// [`percent_hundredths`] as the page shows it: `29.99%`, `—` without a target.
pub fn percent_label(attainment_fen: i64, target_fen: Option<i64>) -> String {
    match percent_hundredths(attainment_fen, target_fen) {
        None => "—".to_owned(),
        Some(h) => {
            let sign = if h < 0 { "-" } else { "" };
            let a = h.unsigned_abs();
            format!("{sign}{}.{:02}%", a / 100, a % 100)
        }
    }
}

/// The progress bar's value, whole percent from 0 to 100 (beyond the target it is full).
pub fn bar(attainment_fen: i64, target_fen: Option<i64>) -> i64 {
    percent_hundredths(attainment_fen, target_fen).map_or(0, |h| (h / 100).clamp(0, 100))
}

/// Whether `month` is over on `today` (its last day has passed).
pub fn month_over(month: YearMonth, today: NaiveDate) -> bool {
    today > month.last_day()
}

/// Whether attainment is below 30 % of the target, exactly (no rounding).
pub fn below_threshold(attainment_fen: i64, target_fen: Option<i64>) -> bool {
    match target_fen {
        Some(t) if t > 0 => i128::from(attainment_fen) * 100 < i128::from(t) * i128::from(FLAG_BELOW_PERCENT),
        _ => false,
    }
}

/// The flag of 002 for the manager: below 30 % of the target once the month is over.
pub fn flagged(month: YearMonth, today: NaiveDate, attainment_fen: i64, target_fen: Option<i64>) -> bool {
    month_over(month, today) && below_threshold(attainment_fen, target_fen)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ym(s: &str) -> YearMonth {
        s.parse().unwrap()
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn percentages_round_down_to_the_hundredth() {
        // target ¥10,000.00
        let t = Some(1_000_000);
        let cases = [
            (299_900, Some(2999), "29.99%"),
            (300_000, Some(3000), "30.00%"),
            (299_999, Some(2999), "29.99%"), // 29.99990 %: shown 29.99 %, and flagged
            (1_000_000, Some(10_000), "100.00%"),
            (1_234_567, Some(12_345), "123.45%"),
            (0, Some(0), "0.00%"),
            (-1, Some(-1), "-0.01%"), // refunds larger than the month's sales
            (-150_000, Some(-1500), "-15.00%"),
        ];
        for (attainment, want, label) in cases {
            assert_eq!(percent_hundredths(attainment, t), want, "{attainment}");
            assert_eq!(percent_label(attainment, t), label, "{attainment}");
        }
        assert_eq!(percent_hundredths(5, None), None);
        assert_eq!(percent_hundredths(5, Some(0)), None, "no division by zero");
        assert_eq!(percent_label(5, None), "—");
        assert_eq!(percent_hundredths(i64::MAX, Some(1)), None, "out of range is no figure, not a panic");
    }

    #[test]
    fn the_bar_is_clamped() {
        assert_eq!(bar(450, Some(1000)), 45);
        assert_eq!(bar(2500, Some(1000)), 100);
        assert_eq!(bar(-10, Some(1000)), 0);
        assert_eq!(bar(10, None), 0);
    }

    #[test]
    fn thirty_percent_flag_is_exact_and_only_after_the_month() {
        let nov = ym("2026-11");
        let t = Some(1_000_000);
        // 29.99 % flagged, 30.00 % not; a fen below 30 % is flagged.
        assert!(flagged(nov, d("2026-12-01"), 299_900, t));
        assert!(!flagged(nov, d("2026-12-01"), 300_000, t));
        assert!(flagged(nov, d("2026-12-01"), 299_999, t));
        assert!(!flagged(nov, d("2026-12-01"), 300_001, t));
        // Target 1 fen less than a round figure: 30 % of ¥3.33 is 99.9 fen: 100 fen is enough.
        assert!(!below_threshold(100, Some(333)));
        assert!(below_threshold(99, Some(333)));
        // Not before the month is over: on its last day it still runs.
        assert!(!flagged(nov, d("2026-11-30"), 0, t));
        assert!(flagged(nov, d("2026-12-01"), 0, t));
        assert!(flagged(nov, d("2027-03-01"), -5, t), "negative attainment is below");
        // No target, no flag.
        assert!(!flagged(nov, d("2026-12-01"), 0, None));
        assert!(!flagged(nov, d("2026-12-01"), 0, Some(0)));
        assert!(month_over(ym("2026-02"), d("2026-03-01")));
        assert!(!month_over(ym("2026-02"), d("2026-02-28")));
    }
}
