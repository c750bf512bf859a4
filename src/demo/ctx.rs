//! The one thing the features' demo seeders (`<feature>/demo.rs`) take from the
//! demo: a leaf, so that a feature never imports the demo that calls it.

use chrono::NaiveDate;

use crate::people::{Dept, Level};

/// What every module's `demo::seed` gets.
pub struct Ctx {
    pub tenant_id: i64,
    /// The tenant's index among the demo tenants (varies the data).
    pub n: usize,
    /// How many products to create (`--products`).
    pub products: usize,
    /// How many orders to create (`--orders`).
    pub orders: usize,
    pub today: NaiveDate,
    /// The demo users: (username, user id, department, level).
    pub users: Vec<(String, i64, Dept, Level)>,
}

impl Ctx {
    /// The id of the demo user `<dept>.<level>` (they always exist).
    pub fn user(&self, dept: Dept, level: Level) -> Option<i64> {
        self.users.iter().find(|(_, _, d, l)| *d == dept && *l == level).map(|(_, id, _, _)| *id)
    }
}
