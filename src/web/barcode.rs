//! Code 128 barcodes as inline SVG, for shipping labels and picking slips. The
//! encoding and the drawing are `barcoders`'; what is ours is the choice of
//! character set, which `barcoders` asks its caller to make: set B for text, and
//! set C (two digits per symbol, half the width) for a trailing run of digits —
//! the usual shape of a tracking number such as `SF1234567890123`.

use barcoders::generators::svg::SVG;
use barcoders::sym::code128::Code128;

/// Set B, as `barcoders` spells it.
const SET_B: char = '\u{0181}';
/// Set C.
const SET_C: char = '\u{0106}';

/// The text `barcoders` encodes for `text`: set B, switching to set C for the
/// last even number (≥ 4) of its trailing digits.
fn with_sets(text: &str) -> String {
    let digits = text.bytes().rev().take_while(u8::is_ascii_digit).count();
    let in_c = if digits >= 4 { digits - digits % 2 } else { 0 };
    let (b, c) = text.split_at(text.len() - in_c);
    match (b.is_empty(), c.is_empty()) {
        (true, _) => format!("{SET_C}{c}"),
        (false, true) => format!("{SET_B}{b}"),
        (false, false) => format!("{SET_B}{b}{SET_C}{c}"),
    }
}

/// `text` as a Code 128 barcode: an `<svg>` element (no size of its own: the
/// page's CSS gives it one; bars stretch, `preserveAspectRatio="none"`), or
/// `None` when `text` is empty or not printable ASCII (Code 128 sets B and C).
/// The markup holds numbers only, so it is safe to put in a page unescaped.
pub fn code128_svg(text: &str) -> Option<String> {
    if text.is_empty() || !text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return None;
    }
    let code = Code128::new(with_sets(text)).ok()?;
    let svg = SVG::new(60).generate(code.encode()).ok()?;
    Some(svg.replacen("<svg ", "<svg class=\"barcode\" data-barcode=\"code128\" preserveAspectRatio=\"none\" ", 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Modules (narrowest bars) of the drawing: the viewBox's width.
    fn modules(svg: &str) -> usize {
        let view = svg.split("viewBox=\"0 0 ").nth(1).unwrap();
        view.split(' ').next().unwrap().parse().unwrap()
    }

    #[test]
    fn character_sets() {
        assert_eq!(with_sets("AB12"), "\u{0181}AB12");
        assert_eq!(with_sets("123456"), "\u{0106}123456");
        // 13 trailing digits: one stays in set B.
        assert_eq!(with_sets("SF1234567890123"), "\u{0181}SF1\u{0106}234567890123");
        assert_eq!(with_sets("A-123"), "\u{0181}A-123");
    }

    #[test]
    fn widths_follow_the_symbols() {
        // 11 modules per symbol (start, data, check), 13 for the stop.
        let width = |symbols: usize| symbols * 11 + 13;
        assert_eq!(modules(&code128_svg("AB12").unwrap()), width(1 + 4 + 1));
        assert_eq!(modules(&code128_svg("123456").unwrap()), width(1 + 3 + 1));
        // S, F, 1, switch to C, six pairs.
        assert_eq!(modules(&code128_svg("SF1234567890123").unwrap()), width(1 + 3 + 1 + 6 + 1));
    }

    #[test]
    fn only_printable_ascii() {
        assert_eq!(code128_svg(""), None);
        assert_eq!(code128_svg("顺丰123"), None);
        assert_eq!(code128_svg("a\tb"), None);
        let svg = code128_svg("YT1234").unwrap();
        assert!(svg.starts_with("<svg class=\"barcode\" data-barcode=\"code128\""), "{svg}");
        assert!(svg.contains("<rect"), "{svg}");
        assert_ne!(code128_svg("YT1234"), code128_svg("YT1235"));
    }
}
