//! The employee facts the rules need.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::calendar::YearMonth;
use super::money::Fen;

/// Pay and employment period of one employee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Employee {
    /// Monthly salary (月薪), `>= 0`.
    pub monthly_salary: Fen,
    /// Monthly performance-bonus base (绩效奖金基数) before the grade
    /// coefficient, `>= 0`.
    pub bonus_base: Fen,
    /// First day of employment (inclusive).
    pub hired_on: NaiveDate,
    /// Last day of employment (inclusive), if the employee has left.
    pub left_on: Option<NaiveDate>,
}

impl Employee {
    /// Whether the employee is employed at any time in `month` (the payroll CSV
    /// has one row for each such employee).
    pub fn is_employed_in(&self, month: YearMonth) -> bool {
        self.hired_on <= month.last_day() && self.left_on.is_none_or(|l| l >= month.first_day())
    }
}
