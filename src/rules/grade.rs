//! Performance scores, grades and bonus coefficients (RULES.md §4).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::money::{format_scaled, parse_scaled, ParseError, ParseErrorKind};

/// A monthly performance score, 0–100 with at most one decimal, stored in tenths
/// (`Score::from_tenths(895)` is 89.5). Always within range by construction.
///
/// Displays with exactly one decimal (`"85.0"`, `"89.5"`); serialises (serde) as
/// that string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Score(u16);

impl Score {
    /// The highest score, 100.0.
    pub const MAX: Score = Score(1000);
    /// The lowest score, 0.0.
    pub const MIN: Score = Score(0);

    /// From tenths of a point; `None` above 1000 (100.0).
    pub const fn from_tenths(tenths: u16) -> Option<Score> {
        if tenths <= Self::MAX.0 {
            Some(Score(tenths))
        } else {
            None
        }
    }

    /// The score in tenths of a point.
    pub const fn tenths(self) -> u16 {
        self.0
    }

    /// Parses `"85"`, `"89.5"`, `"92.0"`; rejects more than one decimal
    /// (`"89.55"`), values above 100 (`"101"`) and negatives (`"-1"`).
    pub fn parse(s: &str) -> Result<Score, ParseError> {
        if s.starts_with('-') {
            return Err(ParseError::new(s, ParseErrorKind::Negative));
        }
        let tenths = parse_scaled(s, 1)?;
        u16::try_from(tenths)
            .ok()
            .and_then(Score::from_tenths)
            .ok_or_else(|| ParseError::new(s, ParseErrorKind::OutOfRange))
    }
}

impl fmt::Display for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_scaled(i128::from(self.0), 1))
    }
}

impl FromStr for Score {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Score {
    type Error = ParseError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Score> for String {
    fn from(s: Score) -> String {
        s.to_string()
    }
}

/// A performance grade (绩效等级).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    /// 优秀
    Excellent,
    /// 良好
    Good,
    /// 合格
    Pass,
    /// 不合格
    Fail,
}

impl Grade {
    /// All grades, best first.
    pub const ALL: [Grade; 4] = [Grade::Excellent, Grade::Good, Grade::Pass, Grade::Fail];

    /// The Chinese label used on pages and in the payroll CSV.
    pub const fn label_zh(self) -> &'static str {
        match self {
            Grade::Excellent => "优秀",
            Grade::Good => "良好",
            Grade::Pass => "合格",
            Grade::Fail => "不合格",
        }
    }
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label_zh())
    }
}

/// A bonus coefficient (奖金系数) in tenths: `Coefficient::from_tenths(12)` is 1.2.
///
/// Displays with exactly one decimal (`"1.5"`, `"1.0"`, `"0.5"`); serialises
/// (serde) as that string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Coefficient(u16);

impl Coefficient {
    /// From tenths: 15 is 1.5.
    pub const fn from_tenths(tenths: u16) -> Coefficient {
        Coefficient(tenths)
    }

    /// The coefficient in tenths.
    pub const fn tenths(self) -> u16 {
        self.0
    }

    /// Parses `"1.5"`, `"1"`, `"0.5"` (non-negative, at most one decimal).
    pub fn parse(s: &str) -> Result<Coefficient, ParseError> {
        if s.starts_with('-') {
            return Err(ParseError::new(s, ParseErrorKind::Negative));
        }
        let tenths = parse_scaled(s, 1)?;
        u16::try_from(tenths).map(Coefficient).map_err(|_| ParseError::new(s, ParseErrorKind::OutOfRange))
    }
}

impl fmt::Display for Coefficient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_scaled(i128::from(self.0), 1))
    }
}

impl FromStr for Coefficient {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Coefficient {
    type Error = ParseError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Coefficient> for String {
    fn from(c: Coefficient) -> String {
        c.to_string()
    }
}

/// Score thresholds and bonus coefficients of the four grades (RULES.md §4).
///
/// A score `>= excellent_min` is 优秀, else `>= good_min` is 良好, else
/// `>= pass_min` is 合格, else 不合格.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradeScale {
    /// Lowest score graded 优秀 (seed: 90).
    pub excellent_min: Score,
    /// Lowest score graded 良好 (seed: 80).
    pub good_min: Score,
    /// Lowest score graded 合格 (seed: 60).
    pub pass_min: Score,
    /// Coefficient of 优秀 (seed: 1.5).
    pub excellent_coefficient: Coefficient,
    /// Coefficient of 良好 (seed: 1.2).
    pub good_coefficient: Coefficient,
    /// Coefficient of 合格 (seed: 1.0).
    pub pass_coefficient: Coefficient,
    /// Coefficient of 不合格 (seed: 0.5).
    pub fail_coefficient: Coefficient,
}

impl GradeScale {
    /// The seed values: 90 / 80 / 60 and 1.5 / 1.2 / 1.0 / 0.5.
    pub const fn seed_default() -> GradeScale {
        GradeScale {
            excellent_min: Score(900),
            good_min: Score(800),
            pass_min: Score(600),
            excellent_coefficient: Coefficient(15),
            good_coefficient: Coefficient(12),
            pass_coefficient: Coefficient(10),
            fail_coefficient: Coefficient(5),
        }
    }

    /// The grade of a score.
    pub fn grade(&self, score: Score) -> Grade {
        if score >= self.excellent_min {
            Grade::Excellent
        } else if score >= self.good_min {
            Grade::Good
        } else if score >= self.pass_min {
            Grade::Pass
        } else {
            Grade::Fail
        }
    }

    /// The bonus coefficient of a grade.
    pub fn coefficient(&self, grade: Grade) -> Coefficient {
        match grade {
            Grade::Excellent => self.excellent_coefficient,
            Grade::Good => self.good_coefficient,
            Grade::Pass => self.pass_coefficient,
            Grade::Fail => self.fail_coefficient,
        }
    }

    /// Human-readable problems of this scale (empty when it is usable).
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if !(self.pass_min < self.good_min && self.good_min < self.excellent_min) {
            problems.push(format!(
                "grade thresholds must increase: 合格 {} < 良好 {} < 优秀 {}",
                self.pass_min, self.good_min, self.excellent_min
            ));
        }
        if !(self.fail_coefficient <= self.pass_coefficient
            && self.pass_coefficient <= self.good_coefficient
            && self.good_coefficient <= self.excellent_coefficient)
        {
            problems.push(format!(
                "grade coefficients must not decrease with the grade: 不合格 {} ≤ 合格 {} ≤ 良好 {} ≤ 优秀 {}",
                self.fail_coefficient, self.pass_coefficient, self.good_coefficient, self.excellent_coefficient
            ));
        }
        problems
    }
}

impl Default for GradeScale {
    fn default() -> Self {
        Self::seed_default()
    }
}
