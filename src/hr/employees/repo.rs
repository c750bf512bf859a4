//! Employee records' SQL: the shared queries of the HR pages, with the people data
//! scope (HR and directors: the tenant; managers: their department; specialists:
//! themselves, through the employee number on their login), and the employee
//! pages' own list filter, lookups and locks.

use chrono::NaiveDate;
use sqlx::{Postgres, QueryBuilder};

use crate::db::search::{Kind, Search};
use crate::db::Tx;
use crate::people::scope::Area;
use crate::people::{Dept, Level, Scope};
use crate::rules::Fen;
use crate::web::CurrentUser;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct EmployeeRow {
    pub id: i64,
    pub employee_no: String,
    pub name: String,
    pub department: String,
    pub level: String,
    pub monthly_salary_fen: i64,
    pub bonus_base_fen: i64,
    pub hired_on: NaiveDate,
    pub left_on: Option<NaiveDate>,
    pub manager_employee_no: Option<String>,
    /// The login user linked by employee number, if any.
    pub user_id: Option<i64>,
}

impl EmployeeRow {
    pub fn dept(&self) -> Option<Dept> {
        Dept::parse(&self.department)
    }

    pub fn dept_label(&self) -> &'static str {
        self.dept().map_or("?", Dept::label)
    }

    pub fn level_label(&self) -> &'static str {
        Level::parse(&self.level).map_or("?", Level::label)
    }

    pub fn salary(&self) -> Fen {
        Fen(self.monthly_salary_fen)
    }

    pub fn bonus_base(&self) -> Fen {
        Fen(self.bonus_base_fen)
    }
}

/// Columns of [`EmployeeRow`] for a query over `employees e`.
pub const COLUMNS: &str = "e.id, e.employee_no, e.name, e.department, e.level, e.monthly_salary_fen, e.bonus_base_fen,
    e.hired_on, e.left_on, e.manager_employee_no,
    (SELECT u.id FROM users u WHERE u.tenant_id = e.tenant_id AND u.employee_no = e.employee_no) AS user_id";

/// The people-data scope of a user.
pub fn scope(user: &CurrentUser) -> Scope {
    Scope::for_role(&user.role(), Area::People)
}

/// Append the scope condition for `employees e` (own = the employee whose number
/// is on the user's login).
pub fn push_scope(qb: &mut QueryBuilder<'_, Postgres>, scope: &Scope) {
    scope.push_filter(
        qb,
        "(SELECT u.id FROM users u WHERE u.tenant_id = e.tenant_id AND u.employee_no = e.employee_no)",
        "e.department",
    );
}

/// One employee of the tenant by id, whatever the viewer's scope (the caller
/// decides what they may do with it).
pub async fn find(tx: &mut Tx, tenant_id: i64, id: i64) -> Result<Option<EmployeeRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM employees e WHERE e.tenant_id = $1 AND e.id = $2"))
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
}

/// One employee by id, within the user's scope (`None` → 404).
pub async fn find_in_scope(tx: &mut Tx, user: &CurrentUser, id: i64) -> Result<Option<EmployeeRow>, sqlx::Error> {
    let mut qb = QueryBuilder::new(format!("SELECT {COLUMNS} FROM employees e WHERE e.tenant_id = "));
    qb.push_bind(user.tenant_id).push(" AND e.id = ").push_bind(id);
    push_scope(&mut qb, &scope(user));
    qb.build_query_as().fetch_optional(&mut **tx).await
}

/// The employee record linked to the signed-in user, if any.
pub async fn of_user(tx: &mut Tx, user: &CurrentUser) -> Result<Option<EmployeeRow>, sqlx::Error> {
    let Some(no) = &user.employee_no else {
        return Ok(None);
    };
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM employees e WHERE e.tenant_id = $1 AND e.employee_no = $2"))
        .bind(user.tenant_id)
        .bind(no)
        .fetch_optional(&mut **tx)
        .await
}

pub(super) async fn employee_exists(tx: &mut Tx, tenant_id: i64, no: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM employees WHERE tenant_id = $1 AND employee_no = $2)")
        .bind(tenant_id)
        .bind(no)
        .fetch_one(&mut **tx)
        .await
}

/// Lock one employee of the tenant for a change, with its version (updated_at in
/// microseconds) for detecting concurrent edits.
pub(super) async fn lock(tx: &mut Tx, tenant_id: i64, id: i64) -> Result<Option<(EmployeeRow, i64)>, sqlx::Error> {
    let row: Option<Locked> = sqlx::query_as(&format!(
        "SELECT {COLUMNS}, floor(extract(epoch FROM e.updated_at) * 1000000)::bigint AS version
         FROM employees e WHERE e.tenant_id = $1 AND e.id = $2 FOR UPDATE"
    ))
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|l| (l.e, l.version)))
}

#[derive(sqlx::FromRow)]
pub(super) struct Locked {
    #[sqlx(flatten)]
    e: EmployeeRow,
    version: i64,
}

pub(super) async fn version_of(tx: &mut Tx, tenant_id: i64, id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT floor(extract(epoch FROM updated_at) * 1000000)::bigint FROM employees WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .fetch_one(&mut **tx)
    .await
}

pub(super) struct Filter {
    pub dept: Option<Dept>,
    pub level: Option<Level>,
    /// Some(true): employed today; Some(false): left.
    pub active: Option<bool>,
    pub q: Option<String>,
}

pub(super) fn push_filter(qb: &mut QueryBuilder<'_, sqlx::Postgres>, user: &CurrentUser, f: &Filter, today: NaiveDate) {
    qb.push(" WHERE e.tenant_id = ").push_bind(user.tenant_id);
    push_scope(qb, &scope(user));
    if let Some(d) = f.dept {
        qb.push(" AND e.department = ").push_bind(d.code());
    }
    if let Some(l) = f.level {
        qb.push(" AND e.level = ").push_bind(l.code());
    }
    match f.active {
        Some(true) => {
            qb.push(" AND (e.left_on IS NULL OR e.left_on >= ").push_bind(today).push(")");
        }
        Some(false) => {
            qb.push(" AND e.left_on < ").push_bind(today);
        }
        None => {}
    }
    if let Some(q) = &f.q {
        push_search(qb, user.tenant_id, q);
    }
}

/// ` AND` "the employee number or the name contains `q`" on employees `e`: the
/// search index (`db::search`) finds them; a query too long for the index to answer
/// exactly is rechecked with ILIKE.
pub fn push_search(qb: &mut QueryBuilder<'_, Postgres>, tenant_id: i64, q: &str) {
    let search = Search::new(Kind::Employee, q);
    if !search.exact() {
        let pattern = crate::db::like::contains(q);
        qb.push(" AND (e.name ILIKE ").push_bind(pattern.clone()).push(" OR e.employee_no ILIKE ").push_bind(pattern);
        qb.push(")");
    }
    search.push_id_filter(qb, tenant_id, "e.id");
}
