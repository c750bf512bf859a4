//! LIKE/ILIKE patterns from what a user typed: the one escape of `%`, `_` and `\`
//! (PostgreSQL's default escape character), so a search for `50%` finds "50%".

/// `s` with the LIKE pattern characters escaped, to put inside a pattern.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `%s%`: rows containing `s` as typed.
pub fn contains(s: &str) -> String {
    format!("%{}%", escape(s))
}

#[cfg(test)]
mod tests {
    #[test]
    fn pattern_characters_are_escaped() {
        assert_eq!(super::escape("a%b_c\\d"), "a\\%b\\_c\\\\d");
        assert_eq!(super::contains("a%b_c"), "%a\\%b\\_c%");
        assert_eq!(super::contains("张三"), "%张三%");
    }
}
