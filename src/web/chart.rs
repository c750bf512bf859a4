//! Charts as inline SVG, drawn on the server (no JavaScript): a line chart of one
//! or more series over days — a "previous period" series drawn dashed beside the
//! current one — and a bar chart. Axis ticks fall on round numbers (1, 2 or 5 ×
//! 10ⁿ), labels are Chinese text the browser renders (no font files), every point
//! and bar carries a `<title>` tooltip, and the drawing has a `viewBox` only, so it
//! scales to the width of a phone. Everything taken from data is escaped; the
//! markup this module returns is safe to put in a page with `|safe`.
//!
//! A chart is the picture; the page keeps a table of the same figures beside it
//! (screen readers, printing, copying).

use std::fmt::Write as _;

/// How values are written on the axis and in tooltips.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Money in fen, shown as yuan (`¥1,234.50` in tooltips, `1.2万` on the axis).
    Fen,
    /// Counts (`12,345`, `1.2万`).
    Count,
    /// Hundredths of a percent (`345` is `3.45%`).
    Basis,
}

/// One value of a series: its x label (a day, a month…) and its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Point {
    pub x: String,
    pub value: i64,
}

impl Point {
    pub fn new(x: impl Into<String>, value: i64) -> Self {
        Point { x: x.into(), value }
    }
}

/// A line: its label (the legend) and its points, placed by position — the n-th
/// point of every series above the n-th x label of the first — so a previous
/// period lines up with the current one whatever its own dates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Series {
    pub label: String,
    pub points: Vec<Point>,
    /// Drawn dashed (a previous period).
    pub dashed: bool,
}

impl Series {
    pub fn new(label: impl Into<String>, points: Vec<Point>) -> Self {
        Series { label: label.into(), points, dashed: false }
    }

    /// The same series as a previous period: drawn dashed.
    pub fn previous(mut self) -> Self {
        self.dashed = true;
        self
    }
}

/// The drawing's size in viewBox units (it scales to its container).
const W: i64 = 720;
const H: i64 = 300;
/// The plot area inside it: left (axis labels), right, top (legend), bottom (x labels).
const LEFT: i64 = 64;
const RIGHT: i64 = 16;
const TOP: i64 = 36;
const BOTTOM: i64 = 40;
/// At most this many x labels are written (every k-th otherwise).
const MAX_X_LABELS: usize = 8;
/// Colours of the series, in order (a dashed series takes its own from this list too).
const PALETTE: &[&str] = &["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2"];
const MUTED: &str = "#6b7280";
const GRID: &str = "#e5e7eb";

/// `s` for SVG text or an attribute value.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `n` with a comma every three digits.
fn grouped(n: u128) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `v` in `unit`, exactly (tooltips): `¥1,234.50`, `12,345`, `3.45%`.
pub fn format_exact(v: i64, unit: Unit) -> String {
    let sign = if v < 0 { "-" } else { "" };
    let m = u128::from(v.unsigned_abs());
    match unit {
        Unit::Fen => format!("{sign}¥{}.{:02}", grouped(m / 100), m % 100),
        Unit::Count => format!("{sign}{}", grouped(m)),
        Unit::Basis => format!("{sign}{}.{:02}%", m / 100, m % 100),
    }
}

/// `v` in `unit`, short (axis ticks): `5,000`, `1.2万`, `3亿`, `2.5%`. Ticks are
/// round numbers, so two decimals of 万 or 亿 are always enough.
pub fn format_short(v: i64, unit: Unit) -> String {
    let sign = if v < 0 { "-" } else { "" };
    let m = u128::from(v.unsigned_abs());
    // In hundredths of the shown unit (yuan, count, percent).
    let hundredths = match unit {
        Unit::Fen | Unit::Basis => m,
        Unit::Count => m * 100,
    };
    let trimmed = |h: u128, scale: u128| {
        let whole = h / scale;
        let frac = (h % scale) * 100 / scale;
        match frac {
            0 => grouped(whole),
            f if f % 10 == 0 => format!("{}.{}", grouped(whole), f / 10),
            f => format!("{}.{f:02}", grouped(whole)),
        }
    };
    let body = if hundredths >= 100 * 100_000_000 {
        format!("{}亿", trimmed(hundredths, 100 * 100_000_000))
    } else if hundredths >= 100 * 10_000 {
        format!("{}万", trimmed(hundredths, 100 * 10_000))
    } else {
        trimmed(hundredths, 100)
    };
    match unit {
        Unit::Fen => format!("{sign}¥{body}"),
        Unit::Count => format!("{sign}{body}"),
        Unit::Basis => format!("{sign}{body}%"),
    }
}

/// The smallest round step (1, 2 or 5 × 10ⁿ) that covers `span` in at most
/// `max_steps` steps (at least 1).
pub fn nice_step(span: i128, max_steps: i128) -> i128 {
    let raw = (span.max(1) + max_steps - 1) / max_steps.max(1);
    let mut power: i128 = 1;
    loop {
        for m in [1, 2, 5] {
            if m * power >= raw {
                return m * power;
            }
        }
        power *= 10;
    }
}

/// The ticks of an axis from `min` to `max` (0 always included): round numbers,
/// about five, the first ≤ min and the last ≥ max.
pub fn ticks(min: i64, max: i64) -> Vec<i64> {
    let (lo, hi) = (i128::from(min.min(0)), i128::from(max.max(0)));
    let step = nice_step(hi - lo, 5);
    let first = lo.div_euclid(step) * step;
    let mut out = Vec::new();
    let mut t = first;
    loop {
        out.push(i64::try_from(t).unwrap_or(if t < 0 { i64::MIN } else { i64::MAX }));
        if t >= hi && out.len() >= 2 {
            break;
        }
        t += step;
    }
    out
}

/// The plot's y coordinate of `v` on an axis from `lo` to `hi`.
fn y_of(v: i64, lo: i64, hi: i64) -> f64 {
    let span = (i128::from(hi) - i128::from(lo)).max(1) as f64;
    let frac = (i128::from(v) - i128::from(lo)) as f64 / span;
    (H - BOTTOM) as f64 - frac * (H - BOTTOM - TOP) as f64
}

/// The frame every chart shares: the `<svg>` opening with its title, the
/// horizontal grid with the tick labels. Returns the axis bounds.
fn frame(out: &mut String, title: &str, unit: Unit, min: i64, max: i64) -> (i64, i64) {
    let t = escape(title);
    let _ = write!(
        out,
        "<svg class=\"chart\" viewBox=\"0 0 {W} {H}\" width=\"100%\" preserveAspectRatio=\"xMidYMid meet\" \
         role=\"img\" aria-label=\"{t}\" xmlns=\"http://www.w3.org/2000/svg\" font-size=\"12\" \
         font-family=\"system-ui, sans-serif\"><title>{t}</title>"
    );
    let ticks = ticks(min, max);
    let (lo, hi) = (ticks[0], ticks[ticks.len() - 1]);
    for v in &ticks {
        let y = y_of(*v, lo, hi);
        let _ = write!(
            out,
            "<line x1=\"{LEFT}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"{GRID}\"/>\
             <text x=\"{}\" y=\"{y:.1}\" dy=\"0.35em\" text-anchor=\"end\" fill=\"{MUTED}\">{}</text>",
            W - RIGHT,
            LEFT - 6,
            escape(&format_short(*v, unit))
        );
    }
    (lo, hi)
}

/// The x position of slot `i` of `n` (points: centred in equal slots).
fn x_of(i: usize, n: usize) -> f64 {
    let width = (W - LEFT - RIGHT) as f64;
    LEFT as f64 + width * (i as f64 + 0.5) / n.max(1) as f64
}

/// The x labels under slots `0..n`, every k-th so that at most [`MAX_X_LABELS`]
/// (and the last) are written.
fn x_labels(out: &mut String, labels: &[&str]) {
    let n = labels.len();
    let every = n.div_ceil(MAX_X_LABELS).max(1);
    for (i, label) in labels.iter().enumerate() {
        // The last label too, unless it would crowd the one before it.
        let last = i + 1 == n && (n - 1) % every > every / 2;
        if i % every == 0 || last {
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\" fill=\"{MUTED}\">{}</text>",
                x_of(i, n),
                H - BOTTOM + 18,
                escape(label)
            );
        }
    }
}

/// The empty drawing: its title and a message in the middle.
fn empty(title: &str) -> String {
    let t = escape(title);
    format!(
        "<svg class=\"chart chart-empty\" viewBox=\"0 0 {W} 80\" width=\"100%\" role=\"img\" aria-label=\"{t}\" \
         xmlns=\"http://www.w3.org/2000/svg\" font-size=\"14\" font-family=\"system-ui, sans-serif\">\
         <title>{t}</title><text x=\"{}\" y=\"44\" text-anchor=\"middle\" fill=\"{MUTED}\">暂无数据</text></svg>",
        W / 2
    )
}

/// The legend: a swatch (dashed for a dashed series) and the label of each.
fn legend(out: &mut String, items: &[(&str, bool)]) {
    let mut x = LEFT;
    for (i, (label, dashed)) in items.iter().enumerate() {
        let colour = PALETTE[i % PALETTE.len()];
        let dash = if *dashed { " stroke-dasharray=\"6 4\"" } else { "" };
        let _ = write!(
            out,
            "<g class=\"legend\"><line x1=\"{x}\" x2=\"{}\" y1=\"14\" y2=\"14\" stroke=\"{colour}\" stroke-width=\"2.5\"{dash}/>\
             <text x=\"{}\" y=\"14\" dy=\"0.35em\" fill=\"#111827\">{}</text></g>",
            x + 22,
            x + 28,
            escape(label)
        );
        x += 40 + 13 * label.chars().count() as i64;
    }
}

/// A line chart of `series` in `unit`, titled `title`: the x labels are those of
/// the first series; every point is a dot with a tooltip (`series · x：value`).
/// No series or no points: the title and "暂无数据".
pub fn line_chart(title: &str, unit: Unit, series: &[Series]) -> String {
    let n = series.iter().map(|s| s.points.len()).max().unwrap_or(0);
    if n == 0 {
        return empty(title);
    }
    let values = series.iter().flat_map(|s| s.points.iter().map(|p| p.value));
    let (min, max) = values.fold((0i64, 0i64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let mut out = String::with_capacity(4096 + n * series.len() * 160);
    let (lo, hi) = frame(&mut out, title, unit, min, max);
    let first: Vec<&str> = series[0].points.iter().map(|p| p.x.as_str()).collect();
    x_labels(&mut out, &first);
    let items: Vec<(&str, bool)> = series.iter().map(|s| (s.label.as_str(), s.dashed)).collect();
    legend(&mut out, &items);
    for (i, s) in series.iter().enumerate() {
        let colour = PALETTE[i % PALETTE.len()];
        let dash = if s.dashed { " stroke-dasharray=\"6 4\"" } else { "" };
        let points: Vec<(f64, f64)> =
            s.points.iter().enumerate().map(|(k, p)| (x_of(k, n), y_of(p.value, lo, hi))).collect();
        let _ = write!(out, "<g class=\"series\" data-series=\"{}\">", escape(&s.label));
        if points.len() > 1 {
            out.push_str("<polyline fill=\"none\" stroke=\"");
            out.push_str(colour);
            let _ = write!(out, "\" stroke-width=\"2\"{dash} points=\"");
            for (x, y) in &points {
                let _ = write!(out, "{x:.1},{y:.1} ");
            }
            out.push_str("\"/>");
        }
        for ((x, y), p) in points.iter().zip(&s.points) {
            let _ = write!(
                out,
                "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3.5\" fill=\"{}\" stroke=\"{colour}\" stroke-width=\"1.5\">\
                 <title>{} · {}：{}</title></circle>",
                if s.dashed { "#ffffff" } else { colour },
                escape(&s.label),
                escape(&p.x),
                escape(&format_exact(p.value, unit))
            );
        }
        out.push_str("</g>");
    }
    out.push_str("</svg>");
    out
}

/// A bar chart of `bars` in `unit`, titled `title`: one bar per point with its x
/// label under it and a tooltip (`x：value`). No bars: the title and "暂无数据".
pub fn bar_chart(title: &str, unit: Unit, bars: &[Point]) -> String {
    let n = bars.len();
    if n == 0 {
        return empty(title);
    }
    let (min, max) = bars.iter().fold((0i64, 0i64), |(lo, hi), p| (lo.min(p.value), hi.max(p.value)));
    let mut out = String::with_capacity(2048 + n * 200);
    let (lo, hi) = frame(&mut out, title, unit, min, max);
    let labels: Vec<&str> = bars.iter().map(|p| p.x.as_str()).collect();
    x_labels(&mut out, &labels);
    let slot = (W - LEFT - RIGHT) as f64 / n as f64;
    let width = (slot * 0.7).max(1.0);
    let zero = y_of(0, lo, hi);
    out.push_str("<g class=\"bars\">");
    for (i, p) in bars.iter().enumerate() {
        let y = y_of(p.value, lo, hi);
        let (top, height) = if y <= zero { (y, zero - y) } else { (zero, y - zero) };
        let _ = write!(
            out,
            "<rect x=\"{:.1}\" y=\"{top:.1}\" width=\"{width:.1}\" height=\"{:.1}\" fill=\"{}\">\
             <title>{}：{}</title></rect>",
            x_of(i, n) - width / 2.0,
            height.max(0.5),
            PALETTE[0],
            escape(&p.x),
            escape(&format_exact(p.value, unit))
        );
    }
    out.push_str("</g></svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn days(values: &[i64]) -> Vec<Point> {
        values.iter().enumerate().map(|(i, v)| Point::new(format!("12-{:02}", i + 1), *v)).collect()
    }

    #[test]
    fn steps_and_ticks_are_round_numbers() {
        assert_eq!(nice_step(10, 5), 2);
        assert_eq!(nice_step(11, 5), 5);
        assert_eq!(nice_step(26, 5), 10);
        assert_eq!(nice_step(0, 5), 1);
        assert_eq!(nice_step(1_000_001, 5), 500_000);
        assert_eq!(ticks(0, 0), vec![0, 1]);
        assert_eq!(ticks(0, 9), vec![0, 2, 4, 6, 8, 10]);
        assert_eq!(ticks(0, 10), vec![0, 2, 4, 6, 8, 10]);
        assert_eq!(ticks(0, 123_456), vec![0, 50_000, 100_000, 150_000]);
        assert_eq!(ticks(-30, 70), vec![-40, -20, 0, 20, 40, 60, 80]);
        assert_eq!(ticks(-7, 0), vec![-8, -6, -4, -2, 0]);
        for (lo, hi) in [(0, 1), (0, 7), (0, 99_999), (0, i64::MAX), (-1_000_000, 0), (3, 5)] {
            let t = ticks(lo, hi);
            assert!(t.len() >= 2 && t.len() <= 7, "{lo}..{hi}: {t:?}");
            assert!(t[0] <= lo.min(0) && *t.last().unwrap() >= hi.max(0), "{lo}..{hi}: {t:?}");
            assert!(t.contains(&0), "{t:?}");
            let step = i128::from(t[1]) - i128::from(t[0]);
            let mut m = step;
            while m % 10 == 0 {
                m /= 10;
            }
            assert!([1, 2, 5].contains(&m), "{lo}..{hi}: step {step}");
        }
    }

    #[test]
    fn values_in_chinese_units() {
        assert_eq!(format_exact(123_450, Unit::Fen), "¥1,234.50");
        assert_eq!(format_exact(-5, Unit::Fen), "-¥0.05");
        assert_eq!(format_exact(12_345, Unit::Count), "12,345");
        assert_eq!(format_exact(345, Unit::Basis), "3.45%");
        assert_eq!(format_short(0, Unit::Fen), "¥0");
        assert_eq!(format_short(500_000, Unit::Fen), "¥5,000");
        assert_eq!(format_short(1_500_000, Unit::Fen), "¥1.5万");
        assert_eq!(format_short(12_500, Unit::Count), "1.25万");
        assert_eq!(format_short(20_000, Unit::Count), "2万");
        assert_eq!(format_short(300_000_000, Unit::Count), "3亿");
        assert_eq!(format_short(250, Unit::Basis), "2.5%");
        assert_eq!(format_short(i64::MIN, Unit::Count), "-92,233,720,368.54亿");
    }

    #[test]
    fn every_point_has_a_tooltip_and_the_previous_period_is_dashed() {
        let now = Series::new("销售额", days(&[120_000, 80_000, 0]));
        let before = Series::new("上期", days(&[100_000, 90_000])).previous();
        let svg = line_chart("每日销售额", Unit::Fen, &[now, before]);
        assert!(svg.starts_with("<svg class=\"chart\" viewBox=\"0 0 720 300\""), "{svg}");
        assert!(!svg.contains(" height=\""), "no fixed height: it scales");
        assert_eq!(svg.matches("<circle").count(), 5);
        assert_eq!(svg.matches("<title>").count(), 6, "the chart's and one per point");
        assert!(svg.contains("<title>销售额 · 12-01：¥1,200.00</title>"), "{svg}");
        assert!(svg.contains("<title>上期 · 12-02：¥900.00</title>"), "{svg}");
        assert_eq!(svg.matches("stroke-dasharray").count(), 2, "the dashed line and its legend");
        assert!(svg.contains(">12-01</text>") && svg.contains(">12-03</text>"));
        assert!(svg.contains(">¥1,500</text>") && svg.contains(">¥0</text>"), "tick labels: {svg}");
        assert!(svg.ends_with("</svg>"));
    }

    #[test]
    fn text_from_data_is_escaped() {
        let s = Series::new("<script>\"&'", vec![Point::new("</title><b>", 5)]);
        let svg = line_chart("a<b", Unit::Count, &[s]);
        assert!(!svg.contains("<script>") && !svg.contains("<b>") && !svg.contains("a<b"), "{svg}");
        assert!(svg.contains("&lt;script&gt;&quot;&amp;&#39;"), "{svg}");
        let bars = bar_chart("x\"y", Unit::Count, &[Point::new("<i>", 3)]);
        assert!(bars.contains("aria-label=\"x&quot;y\"") && bars.contains("<title>&lt;i&gt;：3</title>"), "{bars}");
    }

    #[test]
    fn empty_data_and_a_single_day() {
        for svg in [
            line_chart("每日", Unit::Fen, &[]),
            line_chart("每日", Unit::Fen, &[Series::new("a", vec![])]),
            bar_chart("每日", Unit::Fen, &[]),
        ] {
            assert!(svg.contains("暂无数据") && svg.contains("<title>每日</title>"), "{svg}");
            assert!(!svg.contains("<circle") && !svg.contains("<rect"), "{svg}");
        }
        let one = line_chart("一天", Unit::Count, &[Series::new("点击", days(&[7]))]);
        assert_eq!(one.matches("<circle").count(), 1);
        assert!(!one.contains("<polyline"), "one point is a dot, not a line");
        assert!(one.contains("cx=\"384.0\""), "centred: {one}");
        let zero = line_chart("零", Unit::Count, &[Series::new("点击", days(&[0, 0]))]);
        assert!(zero.contains("<polyline") && !zero.contains("NaN"), "{zero}");
    }

    #[test]
    fn bars_and_many_days() {
        let svg = bar_chart("渠道销售额", Unit::Fen, &[Point::new("淘宝", 10_000), Point::new("京东", 0)]);
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(svg.contains("<title>淘宝：¥100.00</title>"), "{svg}");
        let year: Vec<i64> = (0..365).collect();
        let svg = line_chart("一年", Unit::Count, &[Series::new("曝光", days(&year))]);
        assert_eq!(svg.matches("<circle").count(), 365);
        let labels = svg.matches("text-anchor=\"middle\"").count();
        assert!(labels <= MAX_X_LABELS + 1, "{labels} x labels");
    }
}
