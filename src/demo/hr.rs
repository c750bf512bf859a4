//! Demo HR data: employees (one per demo login, plus generated staff), a
//! calendar, two months of realistic punches (the previous month and this one up
//! to yesterday), approved and pending leave, and last month's scores — written
//! through the same import code the CLI uses.

use chrono::{Datelike, Duration, NaiveDate, NaiveTime};

use crate::audit::Actor;
use crate::db::Tx;
use crate::imports::hr::{self, AttendanceRow, CalendarRow, EmployeeRow, ImportFailure, LeaveRow, ScoreRow};
use crate::people::{Dept, Level};
use crate::rules::{Fen, Score, YearMonth};

/// Someone who must exist as an employee (the demo logins).
pub struct Person {
    pub employee_no: String,
    pub name: String,
    pub dept: Dept,
    pub level: Level,
}

/// Today in Asia/Shanghai (demo data is relative to it).
pub fn today() -> NaiveDate {
    crate::tz::TimeZone::default().today()
}

/// Tracking starts on the first day of the previous month (the data's start).
pub fn tracking_since(today: NaiveDate) -> NaiveDate {
    YearMonth::of(today).and_then(YearMonth::previous).map(YearMonth::first_day).unwrap_or(today)
}

/// A small deterministic generator (demo data is the same on every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    /// 0..n
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn time(h: u32, m: u32) -> Option<NaiveTime> {
    NaiveTime::from_hms_opt(h, m, 0)
}

fn failure(e: ImportFailure) -> anyhow::Error {
    match e {
        ImportFailure::Invalid(errors) => anyhow::anyhow!("demo data is invalid: {errors}"),
        ImportFailure::Database(e) => e.into(),
    }
}

const SALARY_BY_LEVEL: [(Level, i64, i64); 3] = [
    (Level::Director, 3_000_000, 1_000_000),
    (Level::Manager, 1_500_000, 400_000),
    (Level::Specialist, 700_000, 150_000),
];

/// Write the HR demo data of one tenant inside `tx`.
pub async fn populate(
    tx: &mut Tx,
    tenant_id: i64,
    people: &[Person],
    employees: usize,
    seed: usize,
    today: NaiveDate,
) -> anyhow::Result<()> {
    let actor = Actor::cli();
    let mut rng = Lcg(0x5eed_0000 + seed as u64);
    let start = tracking_since(today);
    let hired_default = start - Duration::days(400);

    // Employees: the logins first, then generated staff across departments.
    let mut rows: Vec<EmployeeRow> = Vec::with_capacity(employees.max(people.len()));
    for p in people {
        rows.push(employee(&mut rng, rows.len() as u64 + 2, &p.employee_no, &p.name, p.dept, p.level, hired_default));
    }
    let mut i = 0usize;
    while rows.len() < employees {
        let dept = Dept::ALL[i % Dept::ALL.len()];
        let level = if i.is_multiple_of(25) { Level::Manager } else { Level::Specialist };
        let name = super::person_name(i * 13 + seed * 7 + 5);
        let hired =
            if i % 40 == 7 { start + Duration::days(20) } else { hired_default - Duration::days((i % 700) as i64) };
        rows.push(employee(&mut rng, rows.len() as u64 + 2, &format!("E{}", 20001 + i), &name, dept, level, hired));
        i += 1;
    }
    // One leaver, last month.
    if let Some(r) = rows.iter_mut().rev().find(|r| r.level == Level::Specialist) {
        r.left_on = Some(start + Duration::days(14));
    }
    hr::apply_employees(tx, tenant_id, &actor, "demo-employees.csv", &rows).await.map_err(failure)?;

    // Calendar: National Day week off, a make-up Saturday, New Year's Day.
    let year = start.year();
    let mut calendar = Vec::new();
    for d in 1..=7 {
        if let Some(date) = NaiveDate::from_ymd_opt(year, 10, d) {
            calendar.push(CalendarRow { line: 0, date, kind: "holiday" });
        }
    }
    for (m, d, kind) in [(10, 10, "workday"), (1, 1, "holiday")] {
        if let Some(date) = NaiveDate::from_ymd_opt(year, m, d) {
            calendar.push(CalendarRow { line: 0, date, kind });
        }
    }
    if let Some(date) = NaiveDate::from_ymd_opt(year + 1, 1, 1) {
        calendar.push(CalendarRow { line: 0, date, kind: "holiday" });
    }
    hr::apply_calendar(tx, tenant_id, &actor, "demo-calendar.csv", &calendar).await.map_err(failure)?;
    let is_workday = |d: NaiveDate| {
        calendar.iter().find(|c| c.date == d).map_or(d.weekday().num_days_from_monday() < 5, |c| c.kind == "workday")
    };

    // Punches and approved leave, previous month to yesterday.
    let mut punches = Vec::new();
    let mut leave = Vec::new();
    let mut day = start;
    while day < today {
        if is_workday(day) {
            for r in &rows {
                if day < r.hired_on || r.left_on.is_some_and(|l| day > l) {
                    continue;
                }
                let roll = rng.below(1000);
                let (cin, cout, portion) = match roll {
                    0..=819 => (time(8, 40 + rng.below(20) as u32), time(18, rng.below(40) as u32), None),
                    820..=899 => (time(9, 1 + rng.below(15) as u32), time(18, rng.below(30) as u32), None),
                    900..=919 => (time(9, 16 + rng.below(40) as u32), time(18, 5), None),
                    920..=944 => (time(8, 55), time(17, 45 + rng.below(14) as u32), None),
                    945..=959 => (time(8, 50), None, None),
                    960..=969 => (None, None, None),
                    970..=984 => (None, None, Some("full")),
                    985..=992 => (time(13, 0), time(18, 0), Some("am")),
                    _ => (time(8, 55), time(12, 1), Some("pm")),
                };
                if let Some(portion) = portion {
                    let kind = ["事假", "病假", "年假", "调休"][rng.below(4) as usize];
                    leave.push(LeaveRow {
                        line: 0,
                        employee_no: r.employee_no.clone(),
                        date: day,
                        portion,
                        kind: kind.into(),
                    });
                }
                if cin.is_some() || cout.is_some() {
                    punches.push(AttendanceRow {
                        line: 0,
                        employee_no: r.employee_no.clone(),
                        date: day,
                        clock_in: cin,
                        clock_out: cout,
                    });
                }
            }
        }
        day += Duration::days(1);
    }
    hr::apply_attendance(tx, tenant_id, &actor, "demo-attendance.csv", &punches).await.map_err(failure)?;
    hr::apply_leave(tx, tenant_id, &actor, "demo-leave.csv", &leave).await.map_err(failure)?;

    // Last month's scores: most people scored, a few missing, a few failing.
    if let Some(last) = YearMonth::of(start) {
        let mut scores: Vec<ScoreRow> = Vec::with_capacity(rows.len());
        for r in &rows {
            if rng.below(100) < 4 {
                continue; // not scored yet
            }
            let tenths = match rng.below(100) {
                0..=4 => 450 + rng.below(140),
                5..=54 => 600 + rng.below(200),
                55..=89 => 800 + rng.below(100),
                _ => 900 + rng.below(90),
            };
            if let Some(score) = Score::from_tenths(tenths as u16) {
                scores.push(ScoreRow { line: 0, employee_no: r.employee_no.clone(), score });
            }
        }
        hr::apply_scores(tx, tenant_id, &actor, "demo-scores.csv", last, &scores).await.map_err(failure)?;
    }

    // A few pending leave applications for the approval queues (upcoming days).
    let mut pending_day = today + Duration::days(3);
    for r in rows.iter().filter(|r| r.level == Level::Specialist).take(6) {
        while !is_workday(pending_day) {
            pending_day += Duration::days(1);
        }
        sqlx::query(
            "INSERT INTO leave_requests (tenant_id, employee_id, day, portion, kind, reason, status, source)
             SELECT $1, id, $3, 'full', '年假', '家中有事，申请年假一天', 'pending', 'web' FROM employees WHERE tenant_id = $1 AND employee_no = $2
             ON CONFLICT DO NOTHING",
        )
        .bind(tenant_id)
        .bind(&r.employee_no)
        .bind(pending_day)
        .execute(&mut **tx)
        .await?;
        pending_day += Duration::days(1);
    }
    Ok(())
}

fn employee(rng: &mut Lcg, line: u64, no: &str, name: &str, dept: Dept, level: Level, hired: NaiveDate) -> EmployeeRow {
    let (_, salary, bonus) =
        SALARY_BY_LEVEL.iter().copied().find(|(l, _, _)| *l == level).unwrap_or(SALARY_BY_LEVEL[2]);
    // Vary by up to +40 %, in whole hundreds of yuan.
    let salary = salary + (rng.below(40) as i64) * salary / 100 / 10_000 * 10_000;
    EmployeeRow {
        line,
        employee_no: no.to_owned(),
        name: name.to_owned(),
        dept,
        level,
        monthly_salary: Fen(salary),
        bonus_base: Fen(bonus),
        hired_on: hired,
        left_on: None,
        manager_employee_no: None,
    }
}
