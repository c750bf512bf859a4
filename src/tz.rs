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
}
