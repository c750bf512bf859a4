//! The employee pages' own SQL beside `repo.rs`'s shared lookups: the list page,
//! creating and editing a record, its linked login and manager, the leaving date.

use chrono::NaiveDate;
use sqlx::QueryBuilder;

use super::repo::{self, EmployeeRow, Filter, COLUMNS};
use super::views::{LinkedLogin, ListRow};
use crate::db::Tx;
use crate::web::CurrentUser;

/// One page of the list within `user`'s scope, by employee number, and the count
/// (up to `count_limit`).
pub(super) async fn list(
    tx: &mut Tx,
    user: &CurrentUser,
    filter: &Filter,
    today: NaiveDate,
    limit: i64,
    offset: i64,
    count_limit: i64,
) -> Result<(Vec<ListRow>, i64), sqlx::Error> {
    let mut qb = QueryBuilder::new(format!(
        "SELECT {COLUMNS},
                (SELECT u.username FROM users u WHERE u.tenant_id = e.tenant_id AND u.employee_no = e.employee_no) AS username
         FROM employees e"
    ));
    repo::push_filter(&mut qb, user, filter, today);
    qb.push(" ORDER BY e.employee_no LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
    let rows: Vec<ListRow> = qb.build_query_as().fetch_all(&mut **tx).await?;
    let mut qb = crate::db::capped_count(count_limit, |qb| {
        qb.push(" FROM employees e");
        repo::push_filter(qb, user, filter, today);
    });
    let total: i64 = qb.build_query_scalar().fetch_one(&mut **tx).await?;
    Ok((rows, total))
}

/// A new record's fields.
pub(super) struct NewEmployee<'a> {
    pub employee_no: &'a str,
    pub name: &'a str,
    pub department: &'a str,
    pub level: &'a str,
    pub monthly_salary_fen: i64,
    pub bonus_base_fen: i64,
    pub hired_on: NaiveDate,
    pub left_on: Option<NaiveDate>,
    pub manager_employee_no: Option<&'a str>,
}

/// Insert the record: its id (a taken number is the unique key's error).
pub(super) async fn insert(tx: &mut Tx, tenant_id: i64, e: &NewEmployee<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO employees (tenant_id, employee_no, name, department, level, monthly_salary_fen, bonus_base_fen,
                                hired_on, left_on, manager_employee_no)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(tenant_id)
    .bind(e.employee_no)
    .bind(e.name)
    .bind(e.department)
    .bind(e.level)
    .bind(e.monthly_salary_fen)
    .bind(e.bonus_base_fen)
    .bind(e.hired_on)
    .bind(e.left_on)
    .bind(e.manager_employee_no)
    .fetch_one(&mut **tx)
    .await
}

/// Save the editable fields of record `id` as they are in `after` (the number and
/// the leaving date are not changed here).
pub(super) async fn update(tx: &mut Tx, tenant_id: i64, id: i64, after: &EmployeeRow) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE employees SET name = $3, department = $4, level = $5, monthly_salary_fen = $6, bonus_base_fen = $7,
                hired_on = $8, manager_employee_no = $9, updated_at = now()
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(&after.name)
    .bind(&after.department)
    .bind(&after.level)
    .bind(after.monthly_salary_fen)
    .bind(after.bonus_base_fen)
    .bind(after.hired_on)
    .bind(&after.manager_employee_no)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The login linked to the employee number, active or not.
pub(super) async fn linked_login(
    tx: &mut Tx,
    tenant_id: i64,
    employee_no: &str,
) -> Result<Option<LinkedLogin>, sqlx::Error> {
    Ok(sqlx::query_as::<_, (i64, String, String, bool)>(
        "SELECT id, username, display_name, is_active FROM users WHERE tenant_id = $1 AND employee_no = $2",
    )
    .bind(tenant_id)
    .bind(employee_no)
    .fetch_optional(&mut **tx)
    .await?
    .map(|(id, username, display_name, is_active)| LinkedLogin { id, username, display_name, is_active }))
}

/// The username of the active login linked to the employee number.
pub(super) async fn active_login(
    tx: &mut Tx,
    tenant_id: i64,
    employee_no: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT username FROM users WHERE tenant_id = $1 AND employee_no = $2 AND is_active")
        .bind(tenant_id)
        .bind(employee_no)
        .fetch_optional(&mut **tx)
        .await
}

/// The record (id, name) of employee number `no`, when it is in `user`'s scope.
pub(super) async fn in_scope_by_no(
    tx: &mut Tx,
    user: &CurrentUser,
    no: &str,
) -> Result<Option<(i64, String)>, sqlx::Error> {
    let mut qb = QueryBuilder::new("SELECT e.id, e.name FROM employees e WHERE e.tenant_id = ");
    qb.push_bind(user.tenant_id).push(" AND e.employee_no = ").push_bind(no.to_owned());
    repo::push_scope(&mut qb, &repo::scope(user));
    qb.build_query_as().fetch_optional(&mut **tx).await
}

/// Set (or clear) record `id`'s leaving date.
pub(super) async fn set_left_on(
    tx: &mut Tx,
    tenant_id: i64,
    id: i64,
    left_on: Option<NaiveDate>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE employees SET left_on = $3, updated_at = now() WHERE tenant_id = $1 AND id = $2")
        .bind(tenant_id)
        .bind(id)
        .bind(left_on)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
