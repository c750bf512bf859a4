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

/// 职级.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Director,
    Manager,
    Specialist,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Director, Level::Manager, Level::Specialist];

    pub fn code(self) -> &'static str {
        match self {
            Level::Director => "director",
            Level::Manager => "manager",
            Level::Specialist => "specialist",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Level::Director => "总监",
            Level::Manager => "经理",
            Level::Specialist => "专员",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.code() == code)
    }
}

/// 部门.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dept {
    Ops,
    Marketing,
    Sales,
    Service,
    Warehouse,
    Hr,
    Finance,
}

impl Dept {
    pub const ALL: [Dept; 7] =
        [Dept::Ops, Dept::Marketing, Dept::Sales, Dept::Service, Dept::Warehouse, Dept::Hr, Dept::Finance];

    pub fn code(self) -> &'static str {
        match self {
            Dept::Ops => "ops",
            Dept::Marketing => "marketing",
            Dept::Sales => "sales",
            Dept::Service => "service",
            Dept::Warehouse => "warehouse",
            Dept::Hr => "hr",
            Dept::Finance => "finance",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Dept::Ops => "运营部",
            Dept::Marketing => "市场部",
            Dept::Sales => "销售部",
            Dept::Service => "客服部",
            Dept::Warehouse => "仓储物流部",
            Dept::Hr => "人事部",
            Dept::Finance => "财务部",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.code() == code)
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
        for l in Level::ALL {
            assert_eq!(Level::parse(l.code()), Some(l));
        }
        for d in Dept::ALL {
            assert_eq!(Dept::parse(d.code()), Some(d));
        }
        assert_eq!(Level::parse("boss"), None);
        assert_eq!(Dept::parse("OPS"), None);
    }
}
