//! A tenant's time zone, parsed once (when its settings are read) instead of at
//! every use; unknown names fall back to Asia/Shanghai. The clock itself is read
//! by callers and passed in, so what decides by the date can be tested with any date.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A parsed IANA time zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeZone(pub chrono_tz::Tz);

impl Default for TimeZone {
    fn default() -> Self {
        TimeZone(chrono_tz::Asia::Shanghai)
    }
}

impl TimeZone {
    /// `name` as a time zone, or the default (Asia/Shanghai) when it is not one.
    pub fn parse_or_default(name: &str) -> Self {
        name.parse().map(TimeZone).unwrap_or_default()
    }

    pub fn name(self) -> &'static str {
        self.0.name()
    }

    /// The local date of `now` here.
    pub fn date_of(self, now: DateTime<Utc>) -> NaiveDate {
        now.with_timezone(&self.0).date_naive()
    }

    /// Today here (reads the clock: for request handlers, which pass the date on).
    pub fn today(self) -> NaiveDate {
        self.date_of(Utc::now())
    }

    /// A local time here as an instant (the earlier one when the clock was set back;
    /// a time skipped when it was set forward counts as the moment after the gap).
    pub fn to_utc(self, local: chrono::NaiveDateTime) -> DateTime<Utc> {
        use chrono::TimeZone as _;
        let mut t = local;
        loop {
            if let Some(at) = self.0.from_local_datetime(&t).earliest() {
                return at.with_timezone(&Utc);
            }
            t += chrono::Duration::minutes(15);
        }
    }

    /// `at` as shown on pages: `YYYY-MM-DD HH:MM` local time.
    pub fn format(self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.0).format("%Y-%m-%d %H:%M").to_string()
    }
}

impl std::fmt::Display for TimeZone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for TimeZone {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for TimeZone {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(TimeZone::parse_or_default(&String::deserialize(d)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    #[test]
    fn parsed_once_with_a_default() {
        assert_eq!(TimeZone::parse_or_default("Asia/Urumqi").name(), "Asia/Urumqi");
        assert_eq!(TimeZone::parse_or_default("Mars/Olympus"), TimeZone::default());
        let tz: TimeZone = serde_json::from_str("\"Europe/Berlin\"").unwrap();
        assert_eq!(serde_json::to_string(&tz).unwrap(), "\"Europe/Berlin\"");
        let late = Utc.with_ymd_and_hms(2026, 11, 30, 17, 30, 0).unwrap();
        assert_eq!(TimeZone::default().date_of(late), NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
        assert_eq!(TimeZone::default().format(late), "2026-12-01 01:30");
    }

    #[test]
    fn local_times_to_instants() {
        let local = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        let utc = |y, mo, d, h, mi| Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap();
        assert_eq!(TimeZone::default().to_utc(local("2026-12-01 01:30")), utc(2026, 11, 30, 17, 30));
        let berlin = TimeZone::parse_or_default("Europe/Berlin");
        // 02:30 on 2026-03-29 does not exist in Berlin (02:00 → 03:00): the moment after.
        assert_eq!(berlin.to_utc(local("2026-03-29 02:30")), utc(2026, 3, 29, 1, 0));
        // 02:30 on 2026-10-25 happens twice: the first.
        assert_eq!(berlin.to_utc(local("2026-10-25 02:30")), utc(2026, 10, 25, 0, 30));
    }
}
