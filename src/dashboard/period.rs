//! The period a dashboard shows (`?period=` in the query string), as local dates
//! of the tenant: this month, last month, the last 30 or 90 days, or a month. Pure:
//! today is a parameter.
//!
//! A period is the days `from ..= to` (inclusive both: the lists' date filters take
//! them as they are). The current month and the last 30/90 days end today, so
//! today's figures are in them; the previous period is the same number of days just
//! before (for a month: the month before, whatever its length).

use chrono::{Days, Months, NaiveDate};

use crate::rules::YearMonth;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    ThisMonth,
    LastMonth,
    Last30,
    Last90,
    Month(YearMonth),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Period {
    pub kind: Kind,
    pub from: NaiveDate,
    /// The last day, inclusive.
    pub to: NaiveDate,
}

/// The choices of the selector: (query value, label).
pub const CHOICES: &[(&str, &str)] =
    &[("this_month", "本月"), ("last_month", "上月"), ("30d", "近 30 天"), ("90d", "近 90 天")];

fn month_of(d: NaiveDate) -> YearMonth {
    YearMonth::of(d).expect("a date's month")
}

impl Period {
    /// The period `value` (`this_month`, `last_month`, `30d`, `90d`, or `YYYY-MM`)
    /// names on `today`; `None` when it names none (the caller says so). A month
    /// after today's is refused; today's month as `YYYY-MM` is this month.
    pub fn parse(value: Option<&str>, today: NaiveDate) -> Option<Period> {
        let kind = match value.map(str::trim).unwrap_or("") {
            "" | "this_month" => Kind::ThisMonth,
            "last_month" => Kind::LastMonth,
            "30d" => Kind::Last30,
            "90d" => Kind::Last90,
            m => {
                let ym: YearMonth = m.parse().ok()?;
                let this = month_of(today);
                if ym > this {
                    return None;
                }
                if ym == this {
                    Kind::ThisMonth
                } else {
                    Kind::Month(ym)
                }
            }
        };
        Some(Self::of(kind, today))
    }

    pub fn of(kind: Kind, today: NaiveDate) -> Period {
        let days_back = |n: u64| today.checked_sub_days(Days::new(n - 1)).unwrap_or(today);
        let (from, to) = match kind {
            Kind::ThisMonth => (month_of(today).first_day(), today),
            Kind::LastMonth => {
                let m = month_of(today).previous().expect("a month before");
                (m.first_day(), m.last_day())
            }
            Kind::Month(m) => (m.first_day(), m.last_day().min(today)),
            Kind::Last30 => (days_back(30), today),
            Kind::Last90 => (days_back(90), today),
        };
        Period { kind, from, to }
    }

    /// Days in the period.
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// Every day of the period in order.
    pub fn each_day(&self) -> impl Iterator<Item = NaiveDate> {
        self.from.iter_days().take_while({
            let to = self.to;
            move |d| *d <= to
        })
    }

    /// The period just before: the previous month for a month (all of it), the same
    /// number of days before otherwise.
    pub fn previous(&self) -> Period {
        match self.kind {
            Kind::ThisMonth | Kind::LastMonth | Kind::Month(_) => {
                let m = month_of(self.from).previous().expect("a month before");
                Period { kind: Kind::Month(m), from: m.first_day(), to: m.last_day() }
            }
            Kind::Last30 | Kind::Last90 => {
                let to = self.from.pred_opt().unwrap_or(self.from);
                let from = to.checked_sub_days(Days::new(self.days() as u64 - 1)).unwrap_or(to);
                Period { kind: self.kind, from, to }
            }
        }
    }

    /// The same month a year before (for month periods).
    pub fn year_before(&self) -> Option<Period> {
        match self.kind {
            Kind::Last30 | Kind::Last90 => None,
            _ => {
                let from = self.from.checked_sub_months(Months::new(12))?;
                let m = month_of(from);
                Some(Period { kind: Kind::Month(m), from: m.first_day(), to: m.last_day() })
            }
        }
    }

    /// The month the period is in (its last day's): sales targets are monthly.
    pub fn month(&self) -> YearMonth {
        month_of(self.to)
    }

    /// The query value that names this period again.
    pub fn query_value(&self) -> String {
        match self.kind {
            Kind::ThisMonth => "this_month".into(),
            Kind::LastMonth => "last_month".into(),
            Kind::Last30 => "30d".into(),
            Kind::Last90 => "90d".into(),
            Kind::Month(m) => m.to_string(),
        }
    }

    pub fn label(&self) -> String {
        match self.kind {
            Kind::ThisMonth => format!("本月（{} 至 {}）", self.from, self.to),
            Kind::LastMonth => format!("上月（{}）", self.month()),
            Kind::Last30 => format!("近 30 天（{} 至 {}）", self.from, self.to),
            Kind::Last90 => format!("近 90 天（{} 至 {}）", self.from, self.to),
            Kind::Month(m) => format!("{m}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn periods_and_their_previous_ones() {
        let today = d("2026-03-10");
        let cases = [
            (None, ("2026-03-01", "2026-03-10"), ("2026-02-01", "2026-02-28")),
            (Some("last_month"), ("2026-02-01", "2026-02-28"), ("2026-01-01", "2026-01-31")),
            (Some("30d"), ("2026-02-09", "2026-03-10"), ("2026-01-10", "2026-02-08")),
            (Some("90d"), ("2025-12-11", "2026-03-10"), ("2025-09-12", "2025-12-10")),
            (Some("2025-12"), ("2025-12-01", "2025-12-31"), ("2025-11-01", "2025-11-30")),
            (Some("2026-03"), ("2026-03-01", "2026-03-10"), ("2026-02-01", "2026-02-28")),
        ];
        for (q, (f, t), (pf, pt)) in cases {
            let p = Period::parse(q, today).unwrap();
            assert_eq!((p.from, p.to), (d(f), d(t)), "{q:?}");
            let prev = p.previous();
            assert_eq!((prev.from, prev.to), (d(pf), d(pt)), "{q:?} previous");
            assert_eq!(Period::parse(Some(&p.query_value()), today), Some(p), "{q:?} round trip");
        }
        assert_eq!(Period::parse(Some("30d"), today).unwrap().days(), 30);
        assert_eq!(Period::parse(Some("90d"), today).unwrap().each_day().count(), 90);
    }

    #[test]
    fn bad_and_future_months_name_no_period() {
        let today = d("2026-03-10");
        for q in ["2026-04", "2026-13", "week", "2026-3-1"] {
            assert_eq!(Period::parse(Some(q), today), None, "{q}");
        }
    }

    #[test]
    fn the_same_month_a_year_before() {
        let p = Period::parse(Some("2026-02"), d("2026-03-10")).unwrap();
        let y = p.year_before().unwrap();
        assert_eq!((y.from, y.to), (d("2025-02-01"), d("2025-02-28")));
        assert_eq!(Period::parse(Some("30d"), d("2026-03-10")).unwrap().year_before(), None);
    }
}
