//! Offset pagination over indexed orderings, with counts capped so a huge table
//! never costs a full count.

/// Rows per page.
pub const PER_PAGE: i64 = 50;
/// Counts look this many rows past the start of the current page and stop there
/// ("共 1050+ 条"): a list never pays for a full count of a huge table, only for
/// what it shows and the next twenty pages, so that "下一页" is always right.
pub const COUNT_AHEAD: i64 = 1_000;
/// The deepest page a query string may ask for.
pub const MAX_PAGE: i64 = 100_000;

/// The pager of a list page.
#[derive(Clone, Debug)]
pub struct Pager {
    pub page: i64,
    pub per_page: i64,
    /// Total rows, at most [`count_limit`](Self::count_limit).
    pub total: i64,
    /// `total` hit the cap.
    pub capped: bool,
    /// The list's filter query string (already URL-encoded, without `page`).
    pub query: String,
    pub path: String,
}

impl Pager {
    /// `page` as given in the query string (1-based; anything below 1 is 1).
    pub fn new(path: &str, page: Option<i64>, query: String) -> Self {
        Self {
            page: page.unwrap_or(1).clamp(1, MAX_PAGE),
            per_page: PER_PAGE,
            total: 0,
            capped: false,
            query,
            path: path.to_owned(),
        }
    }

    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.per_page
    }

    /// The LIMIT of this page's count query.
    pub fn count_limit(&self) -> i64 {
        self.offset() + COUNT_AHEAD
    }

    /// `total` as counted with [`count_limit`](Self::count_limit).
    pub fn with_total(mut self, total: i64) -> Self {
        let limit = self.count_limit();
        self.capped = total >= limit;
        self.total = total.min(limit);
        self
    }

    pub fn pages(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page).max(1)
    }

    /// A page number past the last page of a list that has rows (a typed or stale
    /// link): the page says so and links to the last page.
    pub fn past_end(&self) -> bool {
        self.total > 0 && self.page > self.pages()
    }

    pub fn has_prev(&self) -> bool {
        self.page > 1
    }

    pub fn has_next(&self) -> bool {
        self.page < self.pages()
    }

    pub fn href(&self, page: i64) -> String {
        if self.query.is_empty() {
            format!("{}?page={page}", self.path)
        } else {
            format!("{}?{}&page={page}", self.path, self.query)
        }
    }

    pub fn prev_href(&self) -> String {
        self.href(self.page - 1)
    }

    pub fn next_href(&self) -> String {
        self.href(self.page + 1)
    }

    pub fn first_row(&self) -> i64 {
        if self.total == 0 {
            0
        } else {
            self.offset() + 1
        }
    }
}

/// Build a query string from (name, value) pairs, skipping empty values.
pub fn query_string(pairs: &[(&str, &str)]) -> String {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        if !v.is_empty() {
            ser.append_pair(k, v);
        }
    }
    ser.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_links() {
        let p =
            Pager::new("/admin/users", Some(2), query_string(&[("department", "ops"), ("level", "")])).with_total(120);
        assert_eq!(p.offset(), 50);
        assert_eq!(p.pages(), 3);
        assert!(p.has_prev() && p.has_next());
        assert_eq!(p.next_href(), "/admin/users?department=ops&page=3");
        let empty = Pager::new("/x", None, String::new()).with_total(0);
        assert_eq!((empty.pages(), empty.first_row(), empty.has_next()), (1, 0, false));
        assert_eq!(Pager::new("/x", Some(-4), String::new()).page, 1);
        let capped = Pager::new("/x", None, String::new()).with_total(COUNT_AHEAD);
        assert!(capped.capped);
        assert_eq!((capped.total, capped.pages()), (COUNT_AHEAD, 20));
    }

    #[test]
    fn counts_look_ahead_of_deep_pages() {
        // Page 50 counts up to 2,450 + 1,000 rows: the next page is known to exist.
        let deep = Pager::new("/x", Some(50), String::new());
        assert_eq!(deep.count_limit(), 3_450);
        let deep = deep.with_total(3_450);
        assert!(deep.capped && deep.has_next());
        assert_eq!(deep.pages(), 69);
        // A short list is counted exactly.
        let short = Pager::new("/x", Some(3), String::new()).with_total(120);
        assert!(!short.capped && !short.has_next());
        assert_eq!(Pager::new("/x", Some(i64::MAX), String::new()).page, MAX_PAGE);
    }

    #[test]
    fn a_page_past_the_end_is_named_as_such() {
        let past = Pager::new("/x", Some(100_000), String::new()).with_total(200);
        assert!(past.past_end() && !past.capped);
        assert_eq!((past.pages(), past.href(past.pages())), (4, "/x?page=4".to_owned()));
        assert!(!Pager::new("/x", Some(4), String::new()).with_total(200).past_end());
        assert!(!Pager::new("/x", Some(2), String::new()).with_total(0).past_end(), "an empty list is just empty");
    }
}
