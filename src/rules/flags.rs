//! Flags for HR (RULES.md §5). Flags never change an amount.

use std::fmt;

use serde::{Deserialize, Serialize};

/// One flag of a month row. The declaration order is the fixed order of
/// RULES.md §5, so sorting a list of flags puts it in CSV order.
///
/// The labels are the fixed vocabulary of the payroll CSV contract. They quote
/// the seed thresholds (3 days, 5 days, 20%); a tenant that changes those
/// thresholds changes when a flag is raised, not its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// 连续旷工超过3天.
    ConsecutiveAbsence,
    /// 累计旷工超过5天.
    CumulativeAbsence,
    /// 连续两月不合格.
    TwoMonthsFailed,
    /// 未评分.
    Unscored,
    /// 扣款超过月薪20%.
    WageDeductionOverThreshold,
}

impl Flag {
    /// All flags in their fixed order.
    pub const ALL: [Flag; 5] = [
        Flag::ConsecutiveAbsence,
        Flag::CumulativeAbsence,
        Flag::TwoMonthsFailed,
        Flag::Unscored,
        Flag::WageDeductionOverThreshold,
    ];

    /// The Chinese label used on pages and in the payroll CSV.
    pub const fn label_zh(self) -> &'static str {
        match self {
            Flag::ConsecutiveAbsence => "连续旷工超过3天",
            Flag::CumulativeAbsence => "累计旷工超过5天",
            Flag::TwoMonthsFailed => "连续两月不合格",
            Flag::Unscored => "未评分",
            Flag::WageDeductionOverThreshold => "扣款超过月薪20%",
        }
    }
}

impl fmt::Display for Flag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label_zh())
    }
}

/// The labels of `flags` joined with `;` (the CSV `提示` cell), empty when
/// there are none.
pub fn join_flags(flags: &[Flag]) -> String {
    flags.iter().map(|f| f.label_zh()).collect::<Vec<_>>().join(";")
}
