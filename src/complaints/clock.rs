//! The first-response clock of a complaint (CONTRACT.md: `ok`, `due_soon`,
//! `overdue`, `met`, `missed`), as pure functions of its times and of "now": no
//! database, no clock read here, so the same complaint gives the same answer for
//! the same `now`, and the tests below hold every boundary.
//!
//! * The deadline is `received_at` + N clock hours (the tenant's setting when the
//!   complaint is logged, kept on the complaint).
//! * Answered: `met` when the first reply came at or before the deadline, `missed`
//!   after it.
//! * Not answered: `overdue` once "now" is past the deadline; `due_soon` from the
//!   moment 80 % of the time is gone (that instant included) to the deadline
//!   (included); `ok` before.
//! * A reply before the complaint was received is refused ([`check_reply`]).

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]
#![deny(clippy::float_arithmetic)]
#![deny(clippy::disallowed_methods)]

use chrono::{DateTime, Duration, Utc};

crate::code_enum! {
    /// Where a complaint stands against its first-response deadline (`data-sla`).
    pub enum Sla {
        Ok => ("ok", "未超时"),
        DueSoon => ("due_soon", "即将超时"),
        Overdue => ("overdue", "已超时"),
        Met => ("met", "按时响应"),
        Missed => ("missed", "超时响应"),
    }
}

impl Sla {
    /// The tag class the pages give it.
    pub fn tag(self) -> &'static str {
        match self {
            Sla::Ok | Sla::Met => "tag-ok",
            Sla::DueSoon => "tag-warn",
            Sla::Overdue | Sla::Missed => "tag-bad",
        }
    }
}

/// The most hours a tenant's setting may give (30 days); at least 1.
pub const MAX_HOURS: i64 = 720;

/// The times that decide the clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Times {
    pub received_at: DateTime<Utc>,
    /// 80 % of the time gone ([`soon_at`]).
    pub soon_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub first_reply_at: Option<DateTime<Utc>>,
}

impl Times {
    /// The clock of a complaint received at `received_at` with `hours` to answer
    /// (clamped to 1..=[`MAX_HOURS`]), not answered yet.
    pub fn new(received_at: DateTime<Utc>, hours: i64) -> Self {
        let due_at = received_at + Duration::hours(hours.clamp(1, MAX_HOURS));
        Times { received_at, soon_at: soon_at(received_at, due_at), due_at, first_reply_at: None }
    }
}

/// The instant 80 % of the time from `received_at` to `due_at` is gone (whole
/// seconds, rounded down).
pub fn soon_at(received_at: DateTime<Utc>, due_at: DateTime<Utc>) -> DateTime<Utc> {
    let total = (due_at - received_at).num_seconds().max(0);
    received_at + Duration::seconds(total / 5 * 4 + total % 5 * 4 / 5)
}

/// The clock at `now`.
pub fn sla(t: &Times, now: DateTime<Utc>) -> Sla {
    match t.first_reply_at {
        Some(reply) if reply <= t.due_at => Sla::Met,
        Some(_) => Sla::Missed,
        None if now > t.due_at => Sla::Overdue,
        None if now >= t.soon_at => Sla::DueSoon,
        None => Sla::Ok,
    }
}

/// Why a reply at some instant cannot be recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplyError {
    /// Before the complaint was received.
    BeforeReceived,
}

/// A reply at `at` may be recorded (not before the complaint was received); the
/// first one sets the clock's reply time, a later one changes nothing.
pub fn check_reply(t: &Times, at: DateTime<Utc>) -> Result<Times, ReplyError> {
    if at < t.received_at {
        return Err(ReplyError::BeforeReceived);
    }
    Ok(Times { first_reply_at: Some(t.first_reply_at.unwrap_or(at)), ..*t })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    /// 2026-11-20 plus `day` days at `h:m` (UTC: the clock counts clock hours,
    /// the same in any time zone).
    fn at(day: i64, h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 20, h, m, 0).single().expect("valid") + Duration::days(day)
    }

    /// (what, the first reply, now, the clock then).
    type Case = (&'static str, Option<DateTime<Utc>>, DateTime<Utc>, Sla);

    #[test]
    fn the_clock_in_a_table_of_cases() {
        let received = at(0, 23, 30);
        // 24 h: the deadline is the next day at 23:30; 80 % is 19 h 12 min in (18:42).
        let t = Times::new(received, 24);
        assert_eq!(t.due_at, at(1, 23, 30));
        assert_eq!(t.soon_at, at(1, 18, 42));
        let s = Duration::seconds(1);
        #[rustfmt::skip]
        let cases: &[Case] = &[
            ("just received", None, received, Sla::Ok),
            ("a second before 80 %", None, at(1, 18, 42) - s, Sla::Ok),
            ("80 % exactly", None, at(1, 18, 42), Sla::DueSoon),
            ("after 80 %", None, at(1, 20, 0), Sla::DueSoon),
            ("the deadline exactly", None, at(1, 23, 30), Sla::DueSoon),
            ("a second past the deadline", None, at(1, 23, 30) + s, Sla::Overdue),
            ("days later", None, at(5, 0, 0), Sla::Overdue),
            ("replied the next day at 23:29", Some(at(1, 23, 29)), at(1, 23, 29), Sla::Met),
            ("replied at 23:29, looked at a week later", Some(at(1, 23, 29)), at(8, 0, 0), Sla::Met),
            ("replied at the deadline exactly", Some(at(1, 23, 30)), at(2, 0, 0), Sla::Met),
            ("replied the next day at 23:31", Some(at(1, 23, 31)), at(1, 23, 31), Sla::Missed),
            ("replied at once", Some(received), received, Sla::Met),
        ];
        for (what, reply, now, want) in cases {
            let t = Times { first_reply_at: *reply, ..t };
            assert_eq!(sla(&t, *now), *want, "{what}");
        }
    }

    #[test]
    fn eighty_percent_of_odd_durations_rounds_down_to_the_second() {
        let r = at(0, 0, 0);
        assert_eq!(soon_at(r, r + Duration::hours(1)), r + Duration::minutes(48));
        assert_eq!(soon_at(r, r + Duration::seconds(7)), r + Duration::seconds(5));
        assert_eq!(soon_at(r, r), r);
        assert_eq!(Times::new(r, 10).soon_at, r + Duration::hours(8));
    }

    #[test]
    fn the_hours_are_clamped() {
        let r = at(0, 8, 0);
        assert_eq!(Times::new(r, 0).due_at, r + Duration::hours(1));
        assert_eq!(Times::new(r, -5).due_at, r + Duration::hours(1));
        assert_eq!(Times::new(r, 100_000).due_at, r + Duration::hours(MAX_HOURS));
    }

    #[test]
    fn replies_before_the_complaint_are_refused_and_only_the_first_counts() {
        let t = Times::new(at(0, 23, 30), 24);
        assert_eq!(check_reply(&t, at(0, 23, 29)), Err(ReplyError::BeforeReceived));
        let first = check_reply(&t, at(0, 23, 30)).expect("at the received time");
        assert_eq!(first.first_reply_at, Some(at(0, 23, 30)));
        let second = check_reply(&first, at(3, 9, 0)).expect("a later reply");
        assert_eq!(second.first_reply_at, Some(at(0, 23, 30)), "the first reply stays");
        assert_eq!(sla(&second, at(3, 9, 0)), Sla::Met);
        let late = check_reply(&t, at(2, 0, 0)).expect("late");
        assert_eq!(sla(&late, at(2, 0, 0)), Sla::Missed);
    }
}
