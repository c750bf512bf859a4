//! The tenant directory and per-tenant settings.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;

use crate::error::OnConstraint;

use super::Dept;
use crate::db;

/// Tenant settings (PRODUCT.md, "Tenant settings and their defaults"), stored as
/// JSON on the tenant row; a missing key takes its default.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TenantSettings {
    /// A contract of at least this amount (fen) also needs a director.
    pub contract_director_threshold_fen: i64,
    /// A replenishment request of at least this value (fen) also needs a director.
    pub replenishment_director_threshold_fen: i64,
    /// A campaign of at least this budget (fen) also needs a director.
    pub campaign_director_threshold_fen: i64,
    /// A campaign plan submitted fewer than this many days before its start is
    /// flagged 准备期不足 (002: ready 15 days before).
    pub campaign_prep_days: i64,
    /// A stocktake difference above this many units needs a written reason…
    pub stocktake_reason_units: i64,
    /// …or above this percentage of the book quantity.
    pub stocktake_reason_percent: i64,
    /// A refund of at least this amount (fen) needs a manager.
    pub refund_manager_threshold_fen: i64,
    pub complaint_response_hours: i64,
    /// An order shipped within this many hours of its approval counts as shipped
    /// on time (the dashboard's 48 小时发货率).
    pub ship_within_hours: i64,
    pub time_zone: crate::tz::TimeZone,
    pub session_idle_minutes: i64,
    pub session_lifetime_days: i64,
}

impl Default for TenantSettings {
    fn default() -> Self {
        Self {
            contract_director_threshold_fen: 10_000_000,
            replenishment_director_threshold_fen: 5_000_000,
            campaign_director_threshold_fen: 5_000_000,
            campaign_prep_days: 15,
            stocktake_reason_units: 5,
            stocktake_reason_percent: 2,
            refund_manager_threshold_fen: 100_000,
            complaint_response_hours: 24,
            ship_within_hours: 48,
            time_zone: crate::tz::TimeZone::default(),
            session_idle_minutes: 8 * 60,
            session_lifetime_days: 7,
        }
    }
}

impl TenantSettings {
    pub fn from_json(value: serde_json::Value) -> Self {
        serde_json::from_value(value).unwrap_or_default()
    }
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Tenant {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub tracking_since: NaiveDate,
}

/// The settings of tenant `tenant_id`.
pub async fn settings(tx: &mut db::Tx, tenant_id: i64) -> Result<TenantSettings, sqlx::Error> {
    let json =
        sqlx::query_scalar("SELECT settings FROM tenants WHERE id = $1").bind(tenant_id).fetch_one(&mut **tx).await?;
    Ok(TenantSettings::from_json(json))
}

/// The day from which tenant `tenant_id` tracks attendance.
pub async fn tracking_since(tx: &mut db::Tx, tenant_id: i64) -> Result<NaiveDate, sqlx::Error> {
    sqlx::query_scalar("SELECT tracking_since FROM tenants WHERE id = $1").bind(tenant_id).fetch_one(&mut **tx).await
}

pub async fn find_by_code(pool: &PgPool, code: &str) -> Result<Option<Tenant>, sqlx::Error> {
    sqlx::query_as("SELECT id, code, name, tracking_since FROM tenants WHERE code = $1")
        .bind(code)
        .fetch_optional(pool)
        .await
}

pub async fn count(pool: &PgPool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT count(*) FROM tenants").fetch_one(pool).await
}

/// Validate a company code: 1–32 of a-z, 0-9, '-', '_', starting with a letter or digit.
pub fn validate_code(code: &str) -> Result<(), String> {
    let ok = !code.is_empty()
        && code.len() <= 32
        && code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        && code.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err(format!(
            "company code {code:?} is invalid: use 1–32 lowercase letters, digits, '-' or '_', starting with a letter or digit"
        ))
    }
}

/// Create a tenant and its seven departments (owner pool: the runtime role may not
/// create tenants). Fails with a clear message when the code is taken.
pub async fn create(owner: &PgPool, code: &str, name: &str, tracking_since: NaiveDate) -> anyhow::Result<Tenant> {
    validate_code(code).map_err(anyhow::Error::msg)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        anyhow::bail!("company name must be 1–100 characters");
    }
    let mut tx = owner.begin().await?;
    let tenant: Tenant = sqlx::query_as(
        "INSERT INTO tenants (code, name, tracking_since) VALUES ($1, $2, $3)
         RETURNING id, code, name, tracking_since",
    )
    .bind(code)
    .bind(name)
    .bind(tracking_since)
    .fetch_one(&mut *tx)
    .await
    .on_constraint(&[("tenants_code_key", ())])?
    .map_err(|()| anyhow::anyhow!("a company with code {code:?} already exists"))?;
    db::set_tenant(&mut tx, tenant.id).await?;
    for (i, dept) in Dept::ALL.iter().enumerate() {
        sqlx::query("INSERT INTO departments (tenant_id, code, name, sort_order) VALUES ($1, $2, $3, $4)")
            .bind(tenant.id)
            .bind(dept.code())
            .bind(dept.label())
            .bind(i as i32)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(tenant)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_defaults_and_partial_json() {
        let s = TenantSettings::from_json(serde_json::json!({"session_idle_minutes": 30}));
        assert_eq!(s.session_idle_minutes, 30);
        assert_eq!(s.contract_director_threshold_fen, 10_000_000);
        assert_eq!(TenantSettings::from_json(serde_json::json!(null)), TenantSettings::default());
    }

    #[test]
    fn company_codes() {
        assert!(validate_code("demo").is_ok());
        assert!(validate_code("demo-2_x").is_ok());
        assert!(validate_code("").is_err());
        assert!(validate_code("Demo").is_err());
        assert!(validate_code("-x").is_err());
        assert!(validate_code(&"a".repeat(33)).is_err());
    }
}
