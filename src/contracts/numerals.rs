//! Amounts in Chinese capital numerals (大写金额) for printed contracts, and in
//! figures with thousands separators.

const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
const POSITIONS: [&str; 4] = ["仟", "佰", "拾", ""];
const SECTIONS: [&str; 4] = ["", "万", "亿", "万亿"];

/// `fen` (≥ 0, below 10^16 yuan) in capital numerals, e.g. 12345678 fen →
/// 壹拾贰万叁仟肆佰伍拾陆元柒角捌分. Whole yuan (and yuan with jiao only) end in 整;
/// a skipped place is one 零 (壹仟零伍元整, 壹亿零壹元整, 壹元零伍分).
/// Negative amounts are written with a leading 负.
pub fn capital_yuan(fen: i64) -> String {
    if fen < 0 {
        return format!("负{}", capital_yuan(fen.unsigned_abs().min(i64::MAX as u64) as i64));
    }
    let yuan = fen / 100;
    let jiao = (fen / 10 % 10) as usize;
    let fen_digit = (fen % 10) as usize;
    let mut out = String::new();
    if yuan > 0 {
        out.push_str(&integer(yuan));
        out.push('元');
    }
    if jiao > 0 {
        out.push(DIGITS[jiao]);
        out.push('角');
    } else if yuan > 0 && fen_digit > 0 {
        out.push('零');
    }
    if fen_digit > 0 {
        out.push(DIGITS[fen_digit]);
        out.push('分');
    } else if out.is_empty() {
        out.push_str("零元整");
    } else {
        out.push('整');
    }
    out
}

/// A positive integer in capital numerals (financial style: 壹拾 for 10).
fn integer(mut n: i64) -> String {
    let mut sections = Vec::new();
    while n > 0 {
        sections.push(n % 10_000);
        n /= 10_000;
    }
    let mut out = String::new();
    let mut zero_pending = false;
    for (i, &s) in sections.iter().enumerate().rev() {
        if s == 0 {
            zero_pending = !out.is_empty();
            continue;
        }
        if !out.is_empty() && (zero_pending || s < 1000) {
            out.push('零');
        }
        zero_pending = false;
        let digits = [s / 1000, s / 100 % 10, s / 10 % 10, s % 10];
        let mut inner_zero = false;
        let mut written = false;
        for (pos, &d) in digits.iter().enumerate() {
            if d == 0 {
                inner_zero = written;
                continue;
            }
            if inner_zero {
                out.push('零');
                inner_zero = false;
            }
            out.push(DIGITS[d as usize]);
            out.push_str(POSITIONS[pos]);
            written = true;
        }
        out.push_str(SECTIONS.get(i).copied().unwrap_or(""));
    }
    out
}

/// `fen` as yuan with thousands separators and two decimals: 123,456.78.
pub fn grouped_yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    let whole = (abs / 100).to_string();
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}.{:02}", abs % 100)
}

#[cfg(test)]
// Amounts in fen are grouped as yuan_fen.
#[allow(clippy::inconsistent_digit_grouping)]
mod tests {
    use super::*;

    #[test]
    fn the_example_of_the_issue() {
        assert_eq!(capital_yuan(12_345_678), "壹拾贰万叁仟肆佰伍拾陆元柒角捌分");
    }

    #[test]
    fn zeros_and_endings() {
        let cases = [
            (0, "零元整"),
            (5, "伍分"),
            (50, "伍角整"),
            (100, "壹元整"),
            (105, "壹元零伍分"),
            (150, "壹元伍角整"),
            (1000, "壹拾元整"),
            (1050, "壹拾元伍角整"),
            (100_500, "壹仟零伍元整"),
            (101_000, "壹仟零壹拾元整"),
            (1_000_000, "壹万元整"),
            (10_000_000, "壹拾万元整"),
            (10_000_000_00, "壹仟万元整"),
            (10_001_000_00, "壹仟万壹仟元整"),
            (10_000_100_00, "壹仟万零壹佰元整"),
            (1_000_100_00, "壹佰万零壹佰元整"),
            (10_010_000_00, "壹仟零壹万元整"),
            (100_000_001_00, "壹亿零壹元整"),
            (100_010_000_00, "壹亿零壹万元整"),
            (120_000_000_00, "壹亿贰仟万元整"),
            (1_000_000_000_000_00, "壹万亿元整"),
            (20_304_05, "贰万零叁佰零肆元零伍分"),
            (99_999_99, "玖万玖仟玖佰玖拾玖元玖角玖分"),
        ];
        for (fen, want) in cases {
            assert_eq!(capital_yuan(fen), want, "{fen} fen");
        }
        assert_eq!(capital_yuan(-100), "负壹元整");
    }

    #[test]
    fn figures_are_grouped() {
        assert_eq!(grouped_yuan(12_345_678), "123,456.78");
        assert_eq!(grouped_yuan(5), "0.05");
        assert_eq!(grouped_yuan(100_000_00), "100,000.00");
        assert_eq!(grouped_yuan(99_999), "999.99");
        assert_eq!(grouped_yuan(-123_456_700), "-1,234,567.00");
    }
}
