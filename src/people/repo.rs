//! Users: SQL functions taking a tenant transaction.

use chrono::{DateTime, Utc};
use sqlx::{Postgres, QueryBuilder};

use super::{Dept, Level};
use crate::db::Tx;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub level: String,
    pub department: String,
    pub is_tenant_admin: bool,
    pub is_active: bool,
    pub employee_no: Option<String>,
    pub last_login_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl UserRow {
    pub fn level_label(&self) -> &'static str {
        Level::parse(&self.level).map_or("?", Level::label)
    }

    pub fn dept_label(&self) -> &'static str {
        Dept::parse(&self.department).map_or("?", Dept::label)
    }
}

const USER_COLUMNS: &str =
    "id, username, display_name, level, department, is_tenant_admin, is_active, employee_no, last_login_at, created_at";

/// A new user (validated by the caller).
pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub level: Level,
    pub dept: Dept,
    pub employee_no: Option<&'a str>,
    pub is_tenant_admin: bool,
}

pub async fn insert(tx: &mut Tx, tenant_id: i64, u: &NewUser<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO users (tenant_id, username, display_name, password_hash, level, department, employee_no, is_tenant_admin)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(tenant_id)
    .bind(u.username)
    .bind(u.display_name)
    .bind(u.password_hash)
    .bind(u.level.code())
    .bind(u.dept.code())
    .bind(u.employee_no)
    .bind(u.is_tenant_admin)
    .fetch_one(&mut **tx)
    .await
}

pub async fn find(tx: &mut Tx, tenant_id: i64, id: i64) -> Result<Option<UserRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE tenant_id = $1 AND id = $2"))
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
}

/// Filters of the users list.
#[derive(Clone, Debug, Default)]
pub struct UserFilter {
    pub dept: Option<Dept>,
    pub level: Option<Level>,
    pub active: Option<bool>,
    pub q: Option<String>,
}

fn push_user_filter(qb: &mut QueryBuilder<'_, Postgres>, tenant_id: i64, f: &UserFilter) {
    qb.push(" WHERE tenant_id = ").push_bind(tenant_id);
    if let Some(d) = f.dept {
        qb.push(" AND department = ").push_bind(d.code());
    }
    if let Some(l) = f.level {
        qb.push(" AND level = ").push_bind(l.code());
    }
    if let Some(a) = f.active {
        qb.push(" AND is_active = ").push_bind(a);
    }
    if let Some(q) = &f.q {
        let pattern = crate::db::like::contains(q);
        qb.push(" AND (username ILIKE ")
            .push_bind(pattern.clone())
            .push(" OR display_name ILIKE ")
            .push_bind(pattern.clone())
            .push(" OR employee_no ILIKE ")
            .push_bind(pattern)
            .push(")");
    }
}

/// One page of users, ordered by department, level and username, plus the
/// total count capped at `cap`.
pub async fn list(
    tx: &mut Tx,
    tenant_id: i64,
    f: &UserFilter,
    limit: i64,
    offset: i64,
    cap: i64,
) -> Result<(Vec<UserRow>, i64), sqlx::Error> {
    let mut qb = QueryBuilder::new(format!("SELECT {USER_COLUMNS} FROM users"));
    push_user_filter(&mut qb, tenant_id, f);
    qb.push(
        " ORDER BY array_position(ARRAY['ops','marketing','sales','service','warehouse','hr','finance'], department),
          array_position(ARRAY['director','manager','specialist'], level), username LIMIT ",
    )
    .push_bind(limit)
    .push(" OFFSET ")
    .push_bind(offset);
    let rows = qb.build_query_as().fetch_all(&mut **tx).await?;
    let mut qb = crate::db::capped_count(cap, |qb| {
        qb.push(" FROM users");
        push_user_filter(qb, tenant_id, f);
    });
    let total: i64 = qb.build_query_scalar().fetch_one(&mut **tx).await?;
    Ok((rows, total))
}

/// Number of users per department and level (departments page).
pub async fn counts_by_department(tx: &mut Tx, tenant_id: i64) -> Result<Vec<(String, String, i64, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT d.code, d.name,
                count(u.id) FILTER (WHERE u.is_active) AS active,
                count(u.id) FILTER (WHERE NOT u.is_active) AS inactive
         FROM departments d
         LEFT JOIN users u ON u.tenant_id = d.tenant_id AND u.department = d.code
         WHERE d.tenant_id = $1
         GROUP BY d.code, d.name, d.sort_order ORDER BY d.sort_order",
    )
    .bind(tenant_id)
    .fetch_all(&mut **tx)
    .await
}

pub async fn set_password(tx: &mut Tx, tenant_id: i64, id: i64, hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET password_hash = $3, updated_at = now() WHERE tenant_id = $1 AND id = $2")
        .bind(tenant_id)
        .bind(id)
        .bind(hash)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn password_hash(tx: &mut Tx, tenant_id: i64, id: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT password_hash FROM users WHERE tenant_id = $1 AND id = $2")
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
}

/// Lock a user row for a change (`SELECT … FOR UPDATE`).
pub async fn lock(tx: &mut Tx, tenant_id: i64, id: i64) -> Result<Option<UserRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE tenant_id = $1 AND id = $2 FOR UPDATE"))
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
}

/// A user's profile as the tenant admin edits it (validated by the caller).
pub struct Profile<'a> {
    pub display_name: &'a str,
    pub dept: Dept,
    pub level: Level,
    pub employee_no: Option<&'a str>,
    pub is_tenant_admin: bool,
}

/// Store user `id`'s profile (an employee number another user has is a unique
/// violation of `users_tenant_id_employee_no_key`).
pub async fn update_profile(tx: &mut Tx, tenant_id: i64, id: i64, p: &Profile<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE users SET display_name = $3, department = $4, level = $5, employee_no = $6, is_tenant_admin = $7, updated_at = now()
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(p.display_name)
    .bind(p.dept.code())
    .bind(p.level.code())
    .bind(p.employee_no)
    .bind(p.is_tenant_admin)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Enable or disable user `id`'s account.
pub async fn set_active(tx: &mut Tx, tenant_id: i64, id: i64, active: bool) -> Result<(), sqlx::Error> {
    crate::db::set_active(tx, "users", tenant_id, id, active).await
}

/// Set the display name a user chose for themselves.
pub async fn set_display_name(tx: &mut Tx, tenant_id: i64, id: i64, name: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET display_name = $3, updated_at = now() WHERE tenant_id = $1 AND id = $2")
        .bind(tenant_id)
        .bind(id)
        .bind(name)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// What a login checks of a user.
#[derive(sqlx::FromRow)]
pub struct LoginUser {
    pub id: i64,
    pub display_name: String,
    pub password_hash: String,
    pub is_active: bool,
}

/// The user `username` of the tenant, for a login.
pub async fn login_user(tx: &mut Tx, tenant_id: i64, username: &str) -> Result<Option<LoginUser>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, display_name, password_hash, is_active FROM users WHERE tenant_id = $1 AND username = $2",
    )
    .bind(tenant_id)
    .bind(username)
    .fetch_optional(&mut **tx)
    .await
}

/// Note a successful login of user `id`.
pub async fn touch_login(tx: &mut Tx, tenant_id: i64, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET last_login_at = now() WHERE tenant_id = $1 AND id = $2")
        .bind(tenant_id)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// How many users of the tenant are active, and how many are not.
pub async fn active_counts(tx: &mut Tx, tenant_id: i64) -> Result<(i64, i64), sqlx::Error> {
    sqlx::query_as(
        "SELECT count(*) FILTER (WHERE is_active), count(*) FILTER (WHERE NOT is_active) FROM users WHERE tenant_id = $1",
    )
    .bind(tenant_id)
    .fetch_one(&mut **tx)
    .await
}
