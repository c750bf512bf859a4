//! One day of one employee as the attendance pages show it: a mark (normal,
//! minor, serious, absences, leave, rest, not evaluated, future), its colour, its
//! grid symbol and the reasons behind it; and a month laid out as a calendar.

use chrono::{Datelike, NaiveDate, Weekday};

use crate::rules::classify::hhmm;
use crate::rules::{DayOutcome, DayRecord, Explanation, Leave, MonthResult, NotEvaluatedReason, Occurrence, Severity};

/// How a day is marked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    Normal,
    /// A minor lateness or early leave (the worst occurrence of the day).
    Minor,
    /// A serious lateness or early leave.
    Serious,
    HalfAbsent,
    FullAbsent,
    /// Full-day leave, or half-day leave on a day still to come.
    Leave,
    /// Weekend or holiday.
    Rest,
    /// Before tracking started, before hire or after leaving.
    NotEvaluated,
    /// A workday still to come (or today, not yet complete).
    Future,
    /// Clock-out not after clock-in (the import refuses these; shown, never hidden).
    Invalid,
}

impl Mark {
    pub fn code(self) -> &'static str {
        match self {
            Mark::Normal => "normal",
            Mark::Minor => "minor",
            Mark::Serious => "serious",
            Mark::HalfAbsent => "half-absent",
            Mark::FullAbsent => "full-absent",
            Mark::Leave => "leave",
            Mark::Rest => "rest",
            Mark::NotEvaluated => "not-evaluated",
            Mark::Future => "future",
            Mark::Invalid => "invalid",
        }
    }

    /// The compact symbol of the department grid.
    pub fn symbol(self) -> &'static str {
        match self {
            Mark::Normal => "✓",
            Mark::Minor => "迟",
            Mark::Serious => "严",
            Mark::HalfAbsent => "半",
            Mark::FullAbsent => "旷",
            Mark::Leave => "假",
            Mark::Rest | Mark::Future => "",
            Mark::NotEvaluated => "·",
            Mark::Invalid => "!",
        }
    }

    /// CSS classes of the mark's tag (colour).
    pub fn tag(self) -> &'static str {
        match self {
            Mark::Normal => "tag tag-ok",
            Mark::Minor => "tag tag-warn",
            Mark::Serious | Mark::HalfAbsent | Mark::FullAbsent | Mark::Invalid => "tag tag-bad",
            Mark::Leave => "badge",
            Mark::Rest | Mark::NotEvaluated | Mark::Future => "tag tag-off",
        }
    }

    /// Whether the day counts against the employee (shown in bold in the grid).
    pub fn is_problem(self) -> bool {
        matches!(self, Mark::Minor | Mark::Serious | Mark::HalfAbsent | Mark::FullAbsent | Mark::Invalid)
    }
}

/// One day as shown.
#[derive(Clone, Debug)]
pub struct DayView {
    pub date: NaiveDate,
    pub day: u32,
    pub mark: Mark,
    /// Short label, e.g. `严重迟到`, `旷工半天`, `周末`.
    pub label: String,
    /// `上班 09:20 · 下班 18:00`, empty when there is nothing to show.
    pub punches: String,
    /// Why: leave, each occurrence with its clause, or why the day is not evaluated.
    pub reasons: Vec<String>,
    pub is_today: bool,
    /// Whether the day is in the past or today (a correction makes sense).
    pub correctable: bool,
    /// A workday still to come (or today without its punches yet): not judged.
    pub pending: bool,
    /// The occurrences that count (none while pending).
    pub occurrences: Vec<Occurrence>,
}

impl DayView {
    /// The grid cell's tooltip.
    pub fn title(&self) -> String {
        let mut parts = vec![format!("{} {}", self.date, self.label)];
        if !self.punches.is_empty() {
            parts.push(self.punches.clone());
        }
        parts.extend(self.reasons.iter().cloned());
        parts.join("；")
    }
}

fn weekday_zh(w: Weekday) -> &'static str {
    match w {
        Weekday::Mon => "一",
        Weekday::Tue => "二",
        Weekday::Wed => "三",
        Weekday::Thu => "四",
        Weekday::Fri => "五",
        Weekday::Sat => "六",
        Weekday::Sun => "日",
    }
}

/// `周一` … `周日`.
pub fn weekday_label(date: NaiveDate) -> &'static str {
    weekday_zh(date.weekday())
}

fn worst(late: Option<Severity>, early: Option<Severity>) -> Mark {
    match (late, early) {
        (Some(Severity::Serious), _) | (_, Some(Severity::Serious)) => Mark::Serious,
        (Some(Severity::Minor), _) | (_, Some(Severity::Minor)) => Mark::Minor,
        (None, None) => Mark::Normal,
    }
}

/// Classify one day of an evaluated month for display.
pub fn view(record: &DayRecord, explanations: &[Explanation], today: NaiveDate) -> DayView {
    let date = record.date;
    let facts = record.facts;
    let has_punch = facts.clock_in.is_some() || facts.clock_out.is_some();
    let punches = if has_punch {
        format!("上班 {} · 下班 {}", hhmm(facts.clock_in), hhmm(facts.clock_out))
    } else {
        String::new()
    };
    let mut reasons: Vec<String> = Vec::new();
    if facts.leave != Leave::None && record.outcome.is_evaluated() {
        reasons.push(facts.leave.label_zh().to_owned());
    }
    // The rules judge every workday of the month; a day still to come has no
    // punches yet, and today's may be incomplete: those are not (yet) absences.
    let absent = matches!(record.outcome, DayOutcome::AbsentHalfDay(_) | DayOutcome::AbsentFullDay);
    let in_future = date > today && !has_punch;
    let unfinished_today = date == today && absent;
    let pending =
        record.outcome.is_evaluated() && record.outcome != DayOutcome::FullDayLeave && (in_future || unfinished_today);
    let (mark, label): (Mark, String) = match record.outcome {
        DayOutcome::NotWorkday => {
            let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
            (Mark::Rest, if weekend { "周末" } else { "节假日" }.to_owned())
        }
        DayOutcome::NotEvaluated(reason) => {
            let label = match reason {
                NotEvaluatedReason::BeforeTracking => "考勤启用前",
                NotEvaluatedReason::BeforeHire => "入职前",
                NotEvaluatedReason::AfterLeaving => "离职后",
            };
            reasons.push("不计考勤".to_owned());
            (Mark::NotEvaluated, label.to_owned())
        }
        DayOutcome::FullDayLeave => (Mark::Leave, "请假".to_owned()),
        _ if in_future || unfinished_today => {
            if facts.leave != Leave::None {
                (Mark::Leave, facts.leave.label_zh().to_owned())
            } else if unfinished_today {
                (Mark::Future, "今日（尚未结束）".to_owned())
            } else {
                (Mark::Future, "未到".to_owned())
            }
        }
        DayOutcome::Present { late, early } => {
            let mark = worst(late.map(|d| d.severity), early.map(|d| d.severity));
            let label = match mark {
                Mark::Normal => "正常".to_owned(),
                _ => record.outcome.occurrences().iter().map(|o| o.label_zh()).collect::<Vec<_>>().join("，"),
            };
            (mark, label)
        }
        DayOutcome::AbsentHalfDay(reason) => (Mark::HalfAbsent, format!("旷工半天（{}）", reason.label_zh())),
        DayOutcome::AbsentFullDay => (Mark::FullAbsent, "旷工一天（无打卡记录）".to_owned()),
        DayOutcome::InvalidPunches { .. } => (Mark::Invalid, "打卡时间异常".to_owned()),
    };
    if !pending {
        let events: Vec<&Explanation> = explanations.iter().filter(|e| e.date == date).collect();
        for e in &events {
            // The label already names a single event; with two, say which clause is whose.
            if events.len() == 1 {
                reasons.push(format!("依据：{}", e.clause_zh));
            } else {
                reasons.push(format!("{}：{}", e.occurrence.label_zh(), e.clause_zh));
            }
        }
    }
    if mark == Mark::Normal {
        reasons.push("按时上下班".to_owned());
    }
    DayView {
        date,
        day: date.day(),
        mark,
        label,
        punches,
        reasons,
        is_today: date == today,
        correctable: date <= today && record.outcome.is_evaluated(),
        pending,
        occurrences: if pending { Vec::new() } else { record.outcome.occurrences() },
    }
}

/// The month's events as counted so far (days still to come are left out).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub minor: u32,
    pub serious: u32,
    pub half_day: u32,
    pub full_day: u32,
}

pub fn tally(views: &[DayView]) -> Tally {
    let mut t = Tally::default();
    for o in views.iter().flat_map(|v| v.occurrences.iter()) {
        match o {
            Occurrence::MinorLate(_) | Occurrence::MinorEarly(_) => t.minor += 1,
            Occurrence::SeriousLate(_) | Occurrence::SeriousEarly(_) => t.serious += 1,
            Occurrence::AbsentHalfDay(_) => t.half_day += 1,
            Occurrence::AbsentFullDay => t.full_day += 1,
        }
    }
    t
}

/// The explanation lines of the days already judged.
pub fn lines(result: &MonthResult, views: &[DayView]) -> Vec<String> {
    result
        .explanations
        .iter()
        .filter(|e| views.iter().any(|v| v.date == e.date && !v.pending))
        .map(Explanation::line_zh)
        .collect()
}

/// Every day of an evaluated month.
pub fn month_views(result: &MonthResult, today: NaiveDate) -> Vec<DayView> {
    result.days.iter().map(|r| view(r, &result.explanations, today)).collect()
}

/// The days laid out in weeks of seven, Monday first (`None` pads the edges).
pub fn weeks(days: Vec<DayView>) -> Vec<Vec<Option<DayView>>> {
    let Some(first) = days.first() else {
        return Vec::new();
    };
    let lead = first.date.weekday().num_days_from_monday() as usize;
    let mut cells: Vec<Option<DayView>> = std::iter::repeat_n(None, lead).chain(days.into_iter().map(Some)).collect();
    while !cells.len().is_multiple_of(7) {
        cells.push(None);
    }
    cells.chunks(7).map(<[Option<DayView>]>::to_vec).collect()
}

/// The column heads of a calendar, Monday first.
pub const WEEK_HEAD: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{DayFacts, Deviation, HalfDayAbsenceReason};
    use chrono::NaiveTime;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, day).unwrap()
    }

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn marks_and_future() {
        let today = d(10);
        let serious = DayRecord {
            date: d(2),
            facts: DayFacts::punched(t(9, 20), t(18, 0)),
            outcome: DayOutcome::Present {
                late: Some(Deviation { minutes: 20, severity: Severity::Serious }),
                early: None,
            },
        };
        let v = view(&serious, &[], today);
        assert_eq!(v.mark, Mark::Serious);
        assert!(v.label.contains("严重迟到20分钟"));
        assert!(v.punches.contains("09:20"));
        let missing = DayRecord {
            date: d(3),
            facts: DayFacts { clock_in: Some(t(9, 0)), clock_out: None, leave: Leave::None },
            outcome: DayOutcome::AbsentHalfDay(HalfDayAbsenceReason::MissingClockOut),
        };
        assert_eq!(view(&missing, &[], today).mark, Mark::HalfAbsent);
        // The same outcome today is not yet an absence; later it is the future.
        let mut today_rec = missing;
        today_rec.date = today;
        assert_eq!(view(&today_rec, &[], today).mark, Mark::Future);
        let future = DayRecord { date: d(20), facts: DayFacts::default(), outcome: DayOutcome::AbsentFullDay };
        let v = view(&future, &[], today);
        assert_eq!((v.mark, v.correctable), (Mark::Future, false));
        let leave = DayRecord {
            date: d(20),
            facts: DayFacts::default().with_leave(Leave::Am),
            outcome: DayOutcome::AbsentHalfDay(HalfDayAbsenceReason::NoPunchesWithHalfDayLeave),
        };
        assert_eq!(view(&leave, &[], today).mark, Mark::Leave);
        let rest = DayRecord { date: d(7), facts: DayFacts::default(), outcome: DayOutcome::NotWorkday };
        let v = view(&rest, &[], today);
        assert_eq!((v.mark, v.label.as_str(), v.mark.symbol()), (Mark::Rest, "周末", ""));
    }

    #[test]
    fn weeks_start_on_monday() {
        // 2026-11-01 is a Sunday: six blanks first.
        let days: Vec<DayView> = (1..=30)
            .map(|n| {
                view(&DayRecord { date: d(n), facts: DayFacts::default(), outcome: DayOutcome::NotWorkday }, &[], d(1))
            })
            .collect();
        let w = weeks(days);
        assert_eq!(w.len(), 6);
        assert!(w[0][..6].iter().all(Option::is_none));
        assert_eq!(w[0][6].as_ref().map(|v| v.day), Some(1));
        assert_eq!(w[1][0].as_ref().map(|v| v.day), Some(2));
        assert!(w.iter().all(|week| week.len() == 7));
    }
}
