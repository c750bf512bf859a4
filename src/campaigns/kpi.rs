//! The figures of a campaign's daily results (CONTRACT.md "Campaigns"): their totals
//! and CTR = clicks ÷ exposure, CVR = conversions ÷ clicks, budget used = cost ÷
//! budget as percentages with two decimals (`3.45%`), ROI = sales ÷ cost as a ratio
//! with two decimals (`4.20`), each rounded once, half up, in exact integer
//! arithmetic (i128: no product of two i64 overflows it), `-` when the divisor is 0.
//!
//! Pure: no database, no web, no clock.

use crate::rules::money::round_half_up_div;

/// What a divisor of 0 (or a figure that cannot be computed) shows.
pub const NONE: &str = "-";

/// The sums of a campaign's rows (one day and channel each).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub exposure: i64,
    pub clicks: i64,
    pub conversions: i64,
    pub participants: i64,
    pub sales_fen: i64,
    pub cost_fen: i64,
}

impl Totals {
    /// `self + other`, saturating (sums of real exports never come near i64::MAX;
    /// a saturated figure is still shown rather than a panic).
    pub fn plus(self, o: Totals) -> Totals {
        Totals {
            exposure: self.exposure.saturating_add(o.exposure),
            clicks: self.clicks.saturating_add(o.clicks),
            conversions: self.conversions.saturating_add(o.conversions),
            participants: self.participants.saturating_add(o.participants),
            sales_fen: self.sales_fen.saturating_add(o.sales_fen),
            cost_fen: self.cost_fen.saturating_add(o.cost_fen),
        }
    }

    /// The four figures of the campaign page, formatted, for a budget of `budget_fen`.
    pub fn kpis(&self, budget_fen: i64) -> Kpis {
        Kpis {
            ctr: percent(self.clicks, self.exposure),
            cvr: percent(self.conversions, self.clicks),
            roi: ratio(self.sales_fen, self.cost_fen),
            budget_used: percent(self.cost_fen, budget_fen),
        }
    }

    /// The cost has gone past the budget (a budget of 0 is passed by any cost).
    pub fn over_budget(&self, budget_fen: i64) -> bool {
        self.cost_fen > budget_fen
    }
}

/// CTR, CVR, ROI and budget used as the page shows them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Kpis {
    pub ctr: String,
    pub cvr: String,
    pub roi: String,
    pub budget_used: String,
}

/// `num ÷ den` in hundredths (`scale` = 100 for a ratio, 10 000 for a percentage),
/// rounded half up; `None` when `den` is not positive or a figure is negative.
fn hundredths(num: i64, den: i64, scale: i128) -> Option<i128> {
    if den <= 0 || num < 0 {
        return None;
    }
    round_half_up_div(i128::from(num) * scale, i128::from(den))
}

fn two_decimals(h: i128) -> String {
    format!("{}.{:02}", h / 100, h % 100)
}

/// `num ÷ den` as a percentage with two decimals (`3.45%`), `-` when `den` is 0.
pub fn percent(num: i64, den: i64) -> String {
    hundredths(num, den, 10_000).map_or_else(|| NONE.to_owned(), |h| format!("{}%", two_decimals(h)))
}

/// `num ÷ den` as a ratio with two decimals (`4.20`), `-` when `den` is 0.
pub fn ratio(num: i64, den: i64) -> String {
    hundredths(num, den, 100).map_or_else(|| NONE.to_owned(), two_decimals)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_as_a_table_of_cases() {
        let cases: &[(i64, i64, &str)] = &[
            (0, 0, "-"),
            (5, 0, "-"),
            (0, 7, "0.00%"),
            (345, 10_000, "3.45%"),
            (1, 3, "33.33%"),
            (2, 3, "66.67%"),
            (1, 1, "100.00%"),
            (3, 2, "150.00%"),
            // Half up at the .005 boundary: 1 ÷ 8 = 12.5% exactly; 1 ÷ 16 = 6.25%;
            // 1 ÷ 32 = 3.125% → 3.13%; 1 ÷ 160 = 0.625% → 0.63%; 1 ÷ 400 = 0.25%.
            (1, 8, "12.50%"),
            (1, 32, "3.13%"),
            (1, 160, "0.63%"),
            (1, 400, "0.25%"),
            // Just below and above a half: 0.00499…% → 0.00%, 0.005% → 0.01%.
            (499, 10_000_000, "0.00%"),
            (5, 100_000, "0.01%"),
            (501, 10_000_000, "0.01%"),
            (1, 30_000, "0.00%"),
            (1, 20_000, "0.01%"),
            // Large numbers: no overflow in i128.
            (i64::MAX, i64::MAX, "100.00%"),
            (i64::MAX, 1, "922337203685477580700.00%"),
            (i64::MAX / 2, i64::MAX, "50.00%"),
            (-1, 10, "-"),
        ];
        for &(num, den, want) in cases {
            assert_eq!(percent(num, den), want, "{num} ÷ {den}");
        }
    }

    #[test]
    fn ratios_as_a_table_of_cases() {
        let cases: &[(i64, i64, &str)] = &[
            (0, 0, "-"),
            (100, 0, "-"),
            (0, 100, "0.00"),
            (420, 100, "4.20"),
            (1, 3, "0.33"),
            (2, 3, "0.67"),
            // 0.125 → 0.13 (half up, not to even); 0.115 → 0.12; 0.1149… → 0.11.
            (125, 1000, "0.13"),
            (115, 1000, "0.12"),
            (1149, 10_000, "0.11"),
            (1005, 1000, "1.01"),
            (1_234_567_890_123, 1, "1234567890123.00"),
            (i64::MAX, 3, "3074457345618258602.33"),
        ];
        for &(num, den, want) in cases {
            assert_eq!(ratio(num, den), want, "{num} ÷ {den}");
        }
    }

    #[test]
    fn the_four_figures_of_totals() {
        let t = Totals {
            exposure: 20_000,
            clicks: 690,
            conversions: 23,
            participants: 40,
            sales_fen: 1_260_000,
            cost_fen: 300_000,
        };
        let k = t.kpis(1_000_000);
        assert_eq!(k.ctr, "3.45%");
        assert_eq!(k.cvr, "3.33%");
        assert_eq!(k.roi, "4.20");
        assert_eq!(k.budget_used, "30.00%");
        assert!(!t.over_budget(1_000_000) && !t.over_budget(300_000) && t.over_budget(299_999));
        let none = Totals::default().kpis(0);
        assert_eq!(
            (none.ctr.as_str(), none.cvr.as_str(), none.roi.as_str(), none.budget_used.as_str()),
            ("-", "-", "-", "-")
        );
        assert!(!Totals::default().over_budget(0), "nothing spent of nothing");
        let big = Totals { sales_fen: i64::MAX, ..t }.plus(Totals { sales_fen: 1, ..Totals::default() });
        assert_eq!(big.sales_fen, i64::MAX, "saturates");
        assert_eq!(t.plus(t).clicks, 1380);
    }
}
