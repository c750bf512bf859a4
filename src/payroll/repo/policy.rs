//! Policy versions: the rules' numbers per tenant, by the month they take effect.

use chrono::NaiveDate;

use crate::db::Tx;
use crate::rules::{Policy, YearMonth};

/// The policy in force for `month`: the newest version effective on or before it,
/// or the seed default when the tenant never saved one.
pub async fn in_force(tx: &mut Tx, tenant_id: i64, month: YearMonth) -> Result<Policy, sqlx::Error> {
    let stored: Option<serde_json::Value> = sqlx::query_scalar(
        "SELECT policy FROM policy_versions WHERE tenant_id = $1 AND effective_month <= $2
         ORDER BY effective_month DESC, id DESC LIMIT 1",
    )
    .bind(tenant_id)
    .bind(month.first_day())
    .fetch_optional(&mut **tx)
    .await?;
    match stored {
        None => Ok(Policy::seed_default()),
        Some(v) => serde_json::from_value(v).map_err(|e| sqlx::Error::Decode(Box::new(e))),
    }
}

/// A stored version (history page).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Version {
    pub id: i64,
    pub effective_month: NaiveDate,
    pub policy: serde_json::Value,
    pub note: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub created_by_name: Option<String>,
}

pub async fn versions(tx: &mut Tx, tenant_id: i64) -> Result<Vec<Version>, sqlx::Error> {
    sqlx::query_as(
        "SELECT v.id, v.effective_month, v.policy, v.note, v.created_at, u.display_name AS created_by_name
         FROM policy_versions v LEFT JOIN users u ON u.tenant_id = v.tenant_id AND u.id = v.created_by
         WHERE v.tenant_id = $1 ORDER BY v.effective_month DESC, v.id DESC",
    )
    .bind(tenant_id)
    .fetch_all(&mut **tx)
    .await
}

pub async fn save(
    tx: &mut Tx,
    tenant_id: i64,
    month: YearMonth,
    policy: &Policy,
    note: &str,
    user_id: Option<i64>,
) -> Result<i64, sqlx::Error> {
    let json = serde_json::to_value(policy).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query_scalar(
        "INSERT INTO policy_versions (tenant_id, effective_month, policy, note, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(tenant_id)
    .bind(month.first_day())
    .bind(json)
    .bind(note)
    .bind(user_id)
    .fetch_one(&mut **tx)
    .await
}
