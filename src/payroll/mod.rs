//! The monthly payroll adjustments: facts from the database, evaluated by the pure
//! `rules` module, written as the CSV of CONTRACT.md.
//!
//! Rows are streamed: one query returns each employee with the punches, leave and
//! scores the rules need (aggregated per employee), ordered by employee number;
//! each row is evaluated and written as it arrives, so memory does not grow with
//! the number of employees.

pub mod csv_out;
mod repo;

pub use repo::{facts, policy};

use std::ops::RangeInclusive;

use chrono::{Datelike, Duration, NaiveDate, NaiveTime};
use futures_util::TryStreamExt;

use crate::db::Tx;
use crate::people::{Dept, Level};
use crate::rules::{
    evaluate_month, Calendar, CalendarDayKind, Employee, EvaluationError, Fen, Grade, History, Leave, MonthInput,
    MonthResult, Policy, Score, YearMonth,
};

/// Everything about a tenant's month that does not depend on the employee.
pub struct MonthContext {
    pub month: YearMonth,
    pub policy: Policy,
    pub previous_policy: Policy,
    pub calendar: Calendar,
    pub tracking_since: NaiveDate,
    /// The dates loaded for every employee (a superset of what the rules need).
    pub range: RangeInclusive<NaiveDate>,
    /// Evaluate days up to this date only (web views of a month in progress:
    /// days that have not happened yet are not absences). `None` for the CSV,
    /// which is a function of the stored data alone.
    pub through: Option<NaiveDate>,
}

impl MonthContext {
    /// Stop evaluating after yesterday when the month is still in progress.
    pub fn as_of(mut self, today: NaiveDate) -> Self {
        let yesterday = today - Duration::days(1);
        if yesterday < self.month.last_day() {
            self.through = Some(yesterday);
        }
        self
    }
}

impl MonthContext {
    /// A month viewed before its first day has been evaluated: nothing to show yet.
    pub fn not_started(&self) -> bool {
        self.through.is_some_and(|t| t < self.month.first_day())
    }
}

/// Errors computing a month.
#[derive(Debug, thiserror::Error)]
pub enum PayrollError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("employee {employee_no}: {source:?}")]
    Rules { employee_no: String, source: EvaluationError },
    #[error("stored data is inconsistent: {0}")]
    Data(String),
    #[error("writing the output failed: {0}")]
    Output(#[from] std::io::Error),
}

/// The dates whose facts are loaded for `month`: from 1 January (cumulative
/// tally) or 60 days before the month (a consecutive-absence run reaching back),
/// whichever is earlier, but not before tracking started; to the month's end.
pub fn history_range(month: YearMonth, tracking_since: NaiveDate) -> RangeInclusive<NaiveDate> {
    let from = month.first_day_of_year().min(month.first_day() - Duration::days(60)).max(tracking_since);
    from.min(month.last_day())..=month.last_day()
}

pub async fn load_context(tx: &mut Tx, tenant_id: i64, month: YearMonth) -> Result<MonthContext, PayrollError> {
    let tracking_since = crate::people::tenants::tracking_since(tx, tenant_id).await?;
    let range = history_range(month, tracking_since);
    let days = repo::calendar_days(tx, tenant_id, *range.start() - Duration::days(31), *range.end()).await?;
    let mut calendar = Calendar::new();
    for (day, kind) in days {
        calendar.insert(day, if kind == "holiday" { CalendarDayKind::Holiday } else { CalendarDayKind::Workday });
    }
    let policy = policy::in_force(tx, tenant_id, month).await?;
    let previous_policy = match month.previous() {
        Some(prev) => policy::in_force(tx, tenant_id, prev).await?,
        None => policy.clone(),
    };
    Ok(MonthContext { month, policy, previous_policy, calendar, tracking_since, range, through: None })
}

/// One employee's evaluated month.
pub struct EmployeeMonth {
    pub employee_id: i64,
    pub employee_no: String,
    pub name: String,
    pub dept: Dept,
    pub level: Level,
    pub result: MonthResult,
}

/// One employee's stored facts for a month (a row of the streaming query).
#[derive(sqlx::FromRow)]
pub struct FactsRow {
    id: i64,
    employee_no: String,
    name: String,
    department: String,
    level: String,
    monthly_salary_fen: i64,
    bonus_base_fen: i64,
    hired_on: NaiveDate,
    left_on: Option<NaiveDate>,
    score: Option<i16>,
    previous_score: Option<i16>,
    days: Option<Vec<NaiveDate>>,
    ins: Option<Vec<Option<NaiveTime>>>,
    outs: Option<Vec<Option<NaiveTime>>>,
    leave_days: Option<Vec<NaiveDate>>,
    leave_portions: Option<Vec<String>>,
}

/// Which employees a computation covers.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    pub dept: Option<Dept>,
    pub employee_id: Option<i64>,
}

/// Evaluate every selected employee, handing each to `sink` as it is computed.
pub async fn for_each<F>(
    tx: &mut Tx,
    tenant_id: i64,
    ctx: &MonthContext,
    selection: &Selection,
    mut sink: F,
) -> Result<u64, PayrollError>
where
    F: FnMut(EmployeeMonth) -> Result<(), PayrollError>,
{
    if ctx.not_started() {
        return Ok(0);
    }
    let mut rows = facts(tx, tenant_id, ctx, selection);
    let mut n = 0;
    while let Some(row) = rows.try_next().await? {
        sink(evaluate(ctx, row)?)?;
        n += 1;
    }
    Ok(n)
}

/// Evaluate one employee's facts with the rules.
pub fn evaluate(ctx: &MonthContext, row: FactsRow) -> Result<EmployeeMonth, PayrollError> {
    let data = |what: &str| PayrollError::Data(format!("employee {}: {what}", row.employee_no));
    let dept = Dept::parse(&row.department).ok_or_else(|| data("unknown department"))?;
    let level = Level::parse(&row.level).ok_or_else(|| data("unknown level"))?;
    let mut history = History::new(ctx.range.clone());
    let days = row.days.unwrap_or_default();
    let ins = row.ins.unwrap_or_default();
    let outs = row.outs.unwrap_or_default();
    for ((day, cin), cout) in days.iter().zip(ins.iter()).zip(outs.iter()) {
        history.set_punches(*day, *cin, *cout);
    }
    let leave_days = row.leave_days.unwrap_or_default();
    let leave_portions = row.leave_portions.unwrap_or_default();
    for (day, portion) in leave_days.iter().zip(leave_portions.iter()) {
        let leave = match portion.as_str() {
            "full" => Leave::Full,
            "am" => Leave::Am,
            "pm" => Leave::Pm,
            _ => return Err(data("unknown leave portion")),
        };
        history.add_leave(*day, leave);
    }
    let score = match row.score {
        None => None,
        Some(t) => Some(u16::try_from(t).ok().and_then(Score::from_tenths).ok_or_else(|| data("score out of range"))?),
    };
    let previous_month_grade: Option<Grade> = row
        .previous_score
        .and_then(|t| u16::try_from(t).ok())
        .and_then(Score::from_tenths)
        .map(|s| ctx.previous_policy.grade(s));
    // A month in progress: days after `through` are treated like days after leaving
    // (not evaluated), so the future is never an absence.
    let left_on = match ctx.through {
        Some(t) if t >= row.hired_on => Some(row.left_on.map_or(t, |l| l.min(t))),
        _ => row.left_on,
    };
    let employee = Employee {
        monthly_salary: Fen(row.monthly_salary_fen),
        bonus_base: Fen(row.bonus_base_fen),
        hired_on: row.hired_on,
        left_on,
    };
    let input = MonthInput {
        month: ctx.month,
        calendar: &ctx.calendar,
        tracking_since: ctx.tracking_since,
        employee: &employee,
        history: &history,
        score,
        previous_month_grade,
    };
    let result = evaluate_month(&ctx.policy, &input)
        .map_err(|source| PayrollError::Rules { employee_no: row.employee_no.clone(), source })?;
    Ok(EmployeeMonth { employee_id: row.id, employee_no: row.employee_no, name: row.name, dept, level, result })
}

/// One employee's month as of `today` in the tenant's time zone (web views: "my
/// deductions", attendance): in a month still in progress, days from today on are
/// not evaluated.
pub async fn one(
    tx: &mut Tx,
    tenant_id: i64,
    month: YearMonth,
    employee_id: i64,
    today: NaiveDate,
) -> Result<Option<EmployeeMonth>, PayrollError> {
    let ctx = load_context(tx, tenant_id, month).await?.as_of(today);
    let mut found = None;
    let selection = Selection { dept: None, employee_id: Some(employee_id) };
    for_each(tx, tenant_id, &ctx, &selection, |m| {
        found = Some(m);
        Ok(())
    })
    .await?;
    Ok(found)
}

/// Parse `YYYY-MM`, from 2000-01 to 2100-12 (the dates' range; anything else is
/// a typing mistake, answered with a message rather than an empty page).
pub fn parse_month(s: &str) -> Option<YearMonth> {
    let (y, m) = s.split_once('-')?;
    if y.len() != 4 || m.len() != 2 || !y.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let month = YearMonth::new(y.parse().ok()?, m.parse().ok()?)?;
    (2000..=crate::input::MAX_YEAR).contains(&month.first_day().year()).then_some(month)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_range_reaches_back_for_runs_and_to_january() {
        let nov = parse_month("2026-11").unwrap();
        let since = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
        assert_eq!(history_range(nov, since), since..=NaiveDate::from_ymd_opt(2026, 11, 30).unwrap());
        let jan = parse_month("2027-01").unwrap();
        let r = history_range(jan, NaiveDate::from_ymd_opt(2020, 1, 1).unwrap());
        assert_eq!(*r.start(), NaiveDate::from_ymd_opt(2026, 11, 2).unwrap());
        let early = NaiveDate::from_ymd_opt(2026, 12, 15).unwrap();
        assert_eq!(*history_range(nov, early).start(), NaiveDate::from_ymd_opt(2026, 11, 30).unwrap());
    }

    #[test]
    fn months() {
        assert!(parse_month("2026-11").is_some());
        assert!(parse_month("2100-12").is_some());
        for bad in ["2026-13", "2026-1", "26-11", "2026/11", "", "1999-12", "2101-01", "9999-12", "+202-11"] {
            assert!(parse_month(bad).is_none(), "{bad}");
        }
    }
}
