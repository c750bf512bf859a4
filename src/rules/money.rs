//! Exact money and fixed-point arithmetic.
//!
//! * [`Fen`] is an amount of money in integer fen (分, 1/100 yuan).
//! * [`Decimal2`] is a non-money quantity with two decimals (hundredths): the
//!   day-wage divisor (21.75), wage-days per event, bonus percentages.
//! * [`round_half_up_div`] divides exactly and rounds **once** to an integer.
//!
//! There is no floating point anywhere: every line of RULES.md §6 is an exact
//! rational number built from integers (with `i128` intermediates) and rounded a
//! single time at the end.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Why a decimal text (money, score, divisor, coefficient …) was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    input: String,
    kind: ParseErrorKind,
}

/// The category of a [`ParseError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseErrorKind {
    /// The text was empty.
    Empty,
    /// The text is not of the form `digits[.digits]` (optionally with a leading `-`).
    Malformed,
    /// More decimal places than allowed (the payload is the maximum).
    TooManyDecimals(u32),
    /// A negative value where only values `>= 0` are allowed.
    Negative,
    /// The value is outside the representable or allowed range.
    OutOfRange,
}

impl ParseError {
    pub(super) fn new(input: &str, kind: ParseErrorKind) -> Self {
        Self { input: input.to_owned(), kind }
    }

    /// The rejected text, as given.
    pub fn input(&self) -> &str {
        &self.input
    }

    /// Why it was rejected.
    pub fn kind(&self) -> ParseErrorKind {
        self.kind
    }
}

impl fmt::Display for ParseErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("empty value"),
            Self::Malformed => f.write_str("not a decimal number"),
            Self::TooManyDecimals(0) => f.write_str("decimals are not allowed"),
            Self::TooManyDecimals(1) => f.write_str("at most one decimal place is allowed"),
            Self::TooManyDecimals(n) => write!(f, "at most {n} decimal places are allowed"),
            Self::Negative => f.write_str("negative values are not allowed"),
            Self::OutOfRange => f.write_str("value out of range"),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {}", self.input, self.kind)
    }
}

impl std::error::Error for ParseError {}

/// Parses `-?digits(.digits)?` with at most `max_decimals` decimals into an
/// integer scaled by `10^max_decimals` (so `"8000.5"` with 2 decimals is `800050`).
///
/// The grammar is strict: no surrounding whitespace, no `+`, no thousands
/// separators, no exponent, at least one digit on each side of a decimal point
/// (`".5"` and `"5."` are rejected). `"-0"` is accepted as zero.
pub(super) fn parse_scaled(s: &str, max_decimals: u32) -> Result<i128, ParseError> {
    let err = |kind| ParseError::new(s, kind);
    if s.is_empty() {
        return Err(err(ParseErrorKind::Empty));
    }
    let (negative, unsigned) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (int_part, frac_part) = match unsigned.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (unsigned, None),
    };
    let all_digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(int_part) || frac_part.is_some_and(|f| !all_digits(f)) {
        return Err(err(ParseErrorKind::Malformed));
    }
    let frac = frac_part.unwrap_or("");
    if frac.len() > max_decimals as usize {
        return Err(err(ParseErrorKind::TooManyDecimals(max_decimals)));
    }
    let mut value: i128 = 0;
    let padding = max_decimals as usize - frac.len();
    let digits = int_part.bytes().chain(frac.bytes()).chain(std::iter::repeat_n(b'0', padding));
    for digit in digits {
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(i128::from(digit - b'0')))
            .ok_or_else(|| err(ParseErrorKind::OutOfRange))?;
    }
    Ok(if negative { -value } else { value })
}

/// Formats `value / 10^decimals` with exactly `decimals` decimals and a `-`
/// prefix for negative values (no thousands separator).
pub(super) fn format_scaled(value: i128, decimals: u32) -> String {
    let scale = 10u128.pow(decimals);
    let sign = if value < 0 { "-" } else { "" };
    let magnitude = value.unsigned_abs();
    if decimals == 0 {
        return format!("{sign}{magnitude}");
    }
    let width = decimals as usize;
    format!("{sign}{}.{:0width$}", magnitude / scale, magnitude % scale, width = width)
}

/// `numerator ÷ denominator`, exact, rounded once to an integer **half up**.
///
/// Ties round away from zero ("commercial" rounding, Java's `ROUND_HALF_UP`):
/// `2.5 → 3`, `-2.5 → -3`. Every amount the rules compute is non-negative, where
/// this is plain half-up; the symmetric definition merely keeps the function
/// total and sign-symmetric (`f(-x) = -f(x)`).
///
/// Returns `None` when `denominator <= 0` or on overflow.
pub fn round_half_up_div(numerator: i128, denominator: i128) -> Option<i128> {
    if denominator <= 0 {
        return None;
    }
    let magnitude = numerator.checked_abs()?;
    let quotient = magnitude / denominator;
    let remainder = magnitude % denominator;
    // remainder < denominator <= i128::MAX, so the doubling cannot overflow as u128.
    let rounded = if (remainder as u128) * 2 >= denominator as u128 { quotient.checked_add(1)? } else { quotient };
    Some(if numerator < 0 { -rounded } else { rounded })
}

/// An amount of money in integer fen (分). 100 fen = 1 yuan.
///
/// Displays as yuan with exactly two decimals and a `-` prefix for negative
/// amounts, no thousands separator: `Fen(275862)` is `"2758.62"`,
/// `Fen(-275862)` is `"-2758.62"`. Serialises (serde) as the integer fen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Fen(pub i64);

impl Fen {
    /// Zero yuan.
    pub const ZERO: Fen = Fen(0);

    /// The amount in fen.
    pub const fn fen(self) -> i64 {
        self.0
    }

    /// Whole yuan, e.g. `Fen::from_yuan(8000)` is 8000.00. `None` on overflow.
    pub fn from_yuan(yuan: i64) -> Option<Fen> {
        yuan.checked_mul(100).map(Fen)
    }

    /// Parses yuan with at most two decimals: `"8000"`, `"8000.5"`, `"8000.50"`,
    /// and also negative amounts (`"-12.30"`). The grammar is strict (see the
    /// module docs): callers trim cells before parsing.
    pub fn parse_yuan(s: &str) -> Result<Fen, ParseError> {
        let scaled = parse_scaled(s, 2)?;
        i64::try_from(scaled).map(Fen).map_err(|_| ParseError::new(s, ParseErrorKind::OutOfRange))
    }

    /// Like [`Fen::parse_yuan`], but rejects negative amounts (salaries, bonus
    /// bases, prices).
    pub fn parse_non_negative_yuan(s: &str) -> Result<Fen, ParseError> {
        if s.starts_with('-') {
            return Err(ParseError::new(s, ParseErrorKind::Negative));
        }
        Self::parse_yuan(s)
    }

    /// Yuan with exactly two decimals, `-` for negatives: `"-2758.62"`.
    pub fn to_yuan_string(self) -> String {
        format_scaled(i128::from(self.0), 2)
    }

    /// `self + other`, `None` on overflow.
    pub fn checked_add(self, other: Fen) -> Option<Fen> {
        self.0.checked_add(other.0).map(Fen)
    }

    /// `self - other`, `None` on overflow.
    pub fn checked_sub(self, other: Fen) -> Option<Fen> {
        self.0.checked_sub(other.0).map(Fen)
    }

    /// `self × numerator ÷ denominator`, computed exactly and rounded once, half
    /// up, to the fen (see [`round_half_up_div`]). `None` when the denominator is
    /// not positive or the result does not fit.
    ///
    /// Example: a wage deduction of 6 day-wages with the 21.75 divisor is
    /// `salary.mul_ratio(6 * 100, 2175)`.
    pub fn mul_ratio(self, numerator: i128, denominator: i128) -> Option<Fen> {
        let product = i128::from(self.0).checked_mul(numerator)?;
        let rounded = round_half_up_div(product, denominator)?;
        i64::try_from(rounded).ok().map(Fen)
    }

    /// True for amounts below zero.
    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }
}

impl fmt::Display for Fen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_yuan_string())
    }
}

impl FromStr for Fen {
    type Err = ParseError;

    /// Same as [`Fen::parse_yuan`] (negative amounts allowed).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse_yuan(s)
    }
}

/// A decimal quantity with two decimals, stored as integer hundredths:
/// `Decimal2::from_hundredths(2175)` is 21.75.
///
/// Used for policy numbers that are not money: the day-wage divisor, the
/// wage-days of an event, bonus percentages, the cap and the warning threshold.
/// Displays in its shortest exact form (`"21.75"`, `"26"`, `"0.5"`) and
/// serialises (serde) as that string, so a stored policy reads naturally.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Decimal2(i64);

impl Decimal2 {
    /// Zero.
    pub const ZERO: Decimal2 = Decimal2(0);
    /// One hundred (as in 100%).
    pub const HUNDRED: Decimal2 = Decimal2(10_000);

    /// From integer hundredths: `from_hundredths(2175)` is 21.75.
    pub const fn from_hundredths(hundredths: i64) -> Decimal2 {
        Decimal2(hundredths)
    }

    /// From a whole number: `from_int(3)` is 3.00. `None` on overflow.
    pub const fn from_int(value: i64) -> Option<Decimal2> {
        match value.checked_mul(100) {
            Some(h) => Some(Decimal2(h)),
            None => None,
        }
    }

    /// The value in hundredths.
    pub const fn hundredths(self) -> i64 {
        self.0
    }

    /// Parses `"21.75"`, `"26"`, `"0.5"`, `"-1"` (at most two decimals).
    pub fn parse(s: &str) -> Result<Decimal2, ParseError> {
        let scaled = parse_scaled(s, 2)?;
        i64::try_from(scaled).map(Decimal2).map_err(|_| ParseError::new(s, ParseErrorKind::OutOfRange))
    }

    /// `self + other`, `None` on overflow.
    pub fn checked_add(self, other: Decimal2) -> Option<Decimal2> {
        self.0.checked_add(other.0).map(Decimal2)
    }

    /// True for values above zero.
    pub const fn is_positive(self) -> bool {
        self.0 > 0
    }
}

impl fmt::Display for Decimal2 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let full = format_scaled(i128::from(self.0), 2);
        let trimmed = full.trim_end_matches('0').trim_end_matches('.');
        f.write_str(trimmed)
    }
}

impl FromStr for Decimal2 {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Decimal2 {
    type Error = ParseError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Decimal2> for String {
    fn from(d: Decimal2) -> String {
        d.to_string()
    }
}
