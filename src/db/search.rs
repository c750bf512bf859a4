//! Name search under row-level security: the `search_terms` index (migration 0015,
//! docs/search.md).
//!
//! A list that searches "contains q" (or "starts with q") asks this module for the
//! matching rows' ids (and sort keys), found by one range of the index's primary key
//! instead of a LIKE over every row (LIKE is not leakproof, so under forced RLS no
//! index can serve it). For a query of at most [`EXACT_CHARS`] characters the index
//! answers exactly what the list's LIKE / ILIKE would; for a longer one it gives a
//! superset and the list rechecks with its LIKE ([`Search::exact`]).

use sqlx::{Postgres, QueryBuilder};

/// A query this long or shorter is answered exactly by the index (the terms keep 16
/// characters of each suffix, and lower() at most doubles a string).
pub const EXACT_CHARS: usize = 8;

/// Which list's rows: the `kind` column, and what the trigger indexes for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// SKU prefix or name substring; sort key the SKU.
    Product,
    /// Code or name substring; sort key the code.
    Partner,
    /// Employee number or name substring; sort key the employee number.
    Employee,
    /// Order number or phone prefix, the phone's last four digits, receiver
    /// substring; sort key the order number.
    Order,
    /// Complaint number, phone, the phone's last four digits and order number by
    /// prefix, customer substring (migration 0029); sort key the complaint number.
    Complaint,
    /// Stock levels (migration 0024): their product's SKU prefix or name substring,
    /// under the kind `stock:<warehouse id>`; sort key the warehouse id (as text), id
    /// the product id. `None`: the levels of every warehouse of the tenant (one range
    /// per warehouse).
    Stock(Option<i64>),
}

impl Kind {
    /// The `kind` column; for stock levels its prefix (the warehouse id follows).
    pub fn code(self) -> &'static str {
        match self {
            Self::Product => "product",
            Self::Partner => "partner",
            Self::Employee => "employee",
            Self::Order => "order",
            Self::Complaint => "complaint",
            Self::Stock(_) => "stock:",
        }
    }
}

/// One search of one list.
#[derive(Clone, Copy, Debug)]
pub struct Search<'a> {
    pub kind: Kind,
    pub q: &'a str,
}

impl<'a> Search<'a> {
    pub fn new(kind: Kind, q: &'a str) -> Self {
        Self { kind, q }
    }

    /// The index alone decides (no LIKE recheck needed): short enough, and without
    /// the two characters the fold merges (U+10FFFE, U+10FFFF).
    pub fn exact(&self) -> bool {
        self.q.chars().count() <= EXACT_CHARS && !self.q.chars().any(|c| matches!(c, '\u{10FFFE}' | '\u{10FFFF}'))
    }

    /// `FROM search_terms t WHERE …`: the index rows of the matching records, one or
    /// more per record (columns `t.id`, `t.sort_key`).
    pub fn push_from(&self, qb: &mut QueryBuilder<'_, Postgres>, tenant_id: i64) {
        qb.push(" FROM search_terms t WHERE t.tenant_id = ").push_bind(tenant_id);
        match self.kind {
            Kind::Stock(Some(warehouse_id)) => {
                qb.push(" AND t.kind = 'stock:' || ").push_bind(warehouse_id);
            }
            Kind::Stock(None) => {
                qb.push(" AND t.kind = ANY (ARRAY(SELECT 'stock:' || w.id FROM warehouses w WHERE w.tenant_id = ")
                    .push_bind(tenant_id)
                    .push("))");
            }
            kind => {
                qb.push(" AND t.kind = ").push_bind(kind.code());
            }
        }
        qb.push(" AND t.term >= app.search_prefix(")
            .push_bind(self.q.to_owned())
            .push(") AND t.term < app.search_prefix(")
            .push_bind(self.q.to_owned())
            .push(") || chr(1114111)");
    }

    /// ` AND {id} IN (…)`: the record `id` (a column such as `p.id`) matches.
    pub fn push_id_filter(&self, qb: &mut QueryBuilder<'_, Postgres>, tenant_id: i64, id: &str) {
        qb.push(format!(" AND {id} IN (SELECT t.id"));
        self.push_from(qb, tenant_id);
        qb.push(")");
    }
}

/// A row of a list query that also carries the list's capped count (the page and
/// the count computed in one statement).
#[derive(sqlx::FromRow)]
pub struct Counted<T> {
    #[sqlx(flatten)]
    pub row: T,
    pub total: i64,
}

impl<T> Counted<T> {
    /// The page's rows and the count they carry; `None` for an empty page past the
    /// first, whose count the caller must ask alone (no row carried it).
    pub fn page(found: Vec<Self>, offset: i64) -> Option<(Vec<T>, i64)> {
        match found.first().map(|r| r.total) {
            Some(total) => Some((found.into_iter().map(|r| r.row).collect(), total)),
            None if offset == 0 => Some((Vec::new(), 0)),
            None => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_queries_are_exact() {
        assert!(Search::new(Kind::Product, "订书机").exact());
        assert!(Search::new(Kind::Product, "12345678").exact());
        assert!(!Search::new(Kind::Product, "123456789").exact(), "longer than the index's terms can promise");
        assert!(!Search::new(Kind::Product, "a\u{10FFFF}").exact(), "the fold merges it with U+10FFFE");
    }

    #[test]
    fn the_range_binds_the_query_as_typed() {
        let mut qb = QueryBuilder::<Postgres>::new("SELECT t.id");
        Search::new(Kind::Partner, "50%").push_from(&mut qb, 7);
        let sql = qb.sql();
        assert!(sql.contains("t.kind = $2"), "{sql}");
        assert!(
            sql.contains("t.term >= app.search_prefix($3) AND t.term < app.search_prefix($4) || chr(1114111)"),
            "{sql}"
        );
        let mut qb = QueryBuilder::<Postgres>::new("SELECT t.id");
        Search::new(Kind::Stock(Some(2)), "晨光").push_from(&mut qb, 7);
        assert!(qb.sql().contains("t.kind = 'stock:' || $2 AND t.term >= app.search_prefix($3)"), "{}", qb.sql());
        let mut qb = QueryBuilder::<Postgres>::new("SELECT t.id");
        Search::new(Kind::Stock(None), "晨光").push_from(&mut qb, 7);
        assert!(
            qb.sql().contains("t.kind = ANY (ARRAY(SELECT 'stock:' || w.id FROM warehouses w WHERE w.tenant_id = $2))"),
            "{}",
            qb.sql()
        );
    }
}
