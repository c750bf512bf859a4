//! People: levels, departments, the permission table, data scope, and the tenant
//! administration pages (users, departments).

pub mod admin;
pub mod permissions;
pub mod repo;
pub mod scope;
pub mod tenants;

use serde::{Deserialize, Serialize};

pub use permissions::{allowed, Action};
pub use scope::Scope;

crate::code_enum! {
    /// 职级.
    #[derive(PartialOrd, Ord, Serialize, Deserialize)]
    #[serde(rename_all = "lowercase")]
    pub enum Level {
        Director => ("director", "总监"),
        Manager => ("manager", "经理"),
        Specialist => ("specialist", "专员"),
    }
}

crate::code_enum! {
    /// 部门.
    #[derive(PartialOrd, Ord, Serialize, Deserialize)]
    #[serde(rename_all = "lowercase")]
    pub enum Dept {
        Ops => ("ops", "运营部"),
        Marketing => ("marketing", "市场部"),
        Sales => ("sales", "销售部"),
        Service => ("service", "客服部"),
        Warehouse => ("warehouse", "仓储物流部"),
        Hr => ("hr", "人事部"),
        Finance => ("finance", "财务部"),
    }
}

/// The role of a signed-in user: what permissions and data scope are decided on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Role {
    pub user_id: i64,
    pub level: Level,
    pub dept: Dept,
    pub tenant_admin: bool,
}

impl Role {
    pub fn can(&self, action: Action) -> bool {
        allowed(self, action)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for &l in Level::ALL {
            assert_eq!(Level::parse(l.code()), Some(l));
        }
        for &d in Dept::ALL {
            assert_eq!(Dept::parse(d.code()), Some(d));
        }
        assert_eq!(Level::parse("boss"), None);
        assert_eq!(Dept::parse("OPS"), None);
    }
}
