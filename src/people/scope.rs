//! Data scope (数据范围): which rows of a list or by-id fetch a user may see.
//!
//! Every list and by-id query pushes its scope into the SQL with
//! [`Scope::push_filter`]; a by-id fetch that returns no row is a 404.

use sqlx::{Postgres, QueryBuilder};

use super::{Dept, Level, Role};

/// What kind of data a query reads: HR sees all people data of the tenant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Area {
    People,
    Business,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Specialists: their own records.
    Own { user_id: i64 },
    /// Managers: their department's records.
    Department(Dept),
    /// Directors, HR (for people data) and tenant admins (for administration).
    Tenant,
}

impl Scope {
    pub fn for_role(role: &Role, area: Area) -> Self {
        if area == Area::People && role.dept == Dept::Hr {
            return Scope::Tenant;
        }
        match role.level {
            Level::Director => Scope::Tenant,
            Level::Manager => Scope::Department(role.dept),
            Level::Specialist => Scope::Own { user_id: role.user_id },
        }
    }

    /// Append ` AND <condition>` restricting rows to this scope, given the SQL
    /// expressions of the row's owning user id and its department code.
    pub fn push_filter(&self, qb: &mut QueryBuilder<'_, Postgres>, owner_user_col: &str, dept_col: &str) {
        match self {
            Scope::Own { user_id } => {
                qb.push(format_args!(" AND {owner_user_col} = ")).push_bind(*user_id);
            }
            Scope::Department(dept) => {
                qb.push(format_args!(" AND {dept_col} = ")).push_bind(dept.code());
            }
            Scope::Tenant => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(level: Level, dept: Dept) -> Role {
        Role { user_id: 7, level, dept, tenant_admin: false }
    }

    #[test]
    fn scope_by_level_and_hr() {
        assert_eq!(Scope::for_role(&role(Level::Specialist, Dept::Ops), Area::Business), Scope::Own { user_id: 7 });
        assert_eq!(Scope::for_role(&role(Level::Manager, Dept::Sales), Area::Business), Scope::Department(Dept::Sales));
        assert_eq!(Scope::for_role(&role(Level::Director, Dept::Ops), Area::Business), Scope::Tenant);
        assert_eq!(Scope::for_role(&role(Level::Specialist, Dept::Hr), Area::People), Scope::Tenant);
        assert_eq!(Scope::for_role(&role(Level::Specialist, Dept::Hr), Area::Business), Scope::Own { user_id: 7 });
    }

    #[test]
    fn filters_are_bound_parameters() {
        let mut qb = QueryBuilder::<Postgres>::new("SELECT 1 FROM t WHERE tenant_id = 1");
        Scope::Own { user_id: 7 }.push_filter(&mut qb, "t.user_id", "t.dept");
        assert_eq!(qb.sql(), "SELECT 1 FROM t WHERE tenant_id = 1 AND t.user_id = $1");
        let mut qb = QueryBuilder::<Postgres>::new("SELECT 1 FROM t WHERE true");
        Scope::Department(Dept::Hr).push_filter(&mut qb, "t.user_id", "t.dept");
        assert_eq!(qb.sql(), "SELECT 1 FROM t WHERE true AND t.dept = $1");
        let mut qb = QueryBuilder::<Postgres>::new("SELECT 1");
        Scope::Tenant.push_filter(&mut qb, "a", "b");
        assert_eq!(qb.sql(), "SELECT 1");
    }
}
