//! Audit log queries, and appending an entry.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{Postgres, QueryBuilder};

use super::{Actor, Entry};
use crate::db::Tx;
use crate::people::Scope;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_name: String,
    pub action: String,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub summary: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub ip: Option<String>,
    pub request_id: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    /// Part of the actor's name or username.
    pub actor: Option<String>,
    pub action: Option<String>,
    /// Local dates, inclusive, interpreted in `tz`.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub tz: crate::tz::TimeZone,
}

fn push_filter(qb: &mut QueryBuilder<'_, Postgres>, tenant_id: i64, scope: &Scope, f: &AuditFilter) {
    qb.push(" FROM audit_log a LEFT JOIN users u ON u.tenant_id = a.tenant_id AND u.id = a.actor_user_id WHERE a.tenant_id = ")
        .push_bind(tenant_id);
    scope.push_filter(qb, "a.actor_user_id", "u.department");
    if let Some(actor) = &f.actor {
        let pattern = crate::db::like::contains(actor);
        qb.push(" AND a.actor_name ILIKE ").push_bind(pattern);
    }
    if let Some(action) = &f.action {
        qb.push(" AND a.action = ").push_bind(action.clone());
    }
    if let Some(from) = f.from {
        qb.push(" AND a.at >= (").push_bind(from).push("::timestamp AT TIME ZONE ").push_bind(f.tz.name()).push(")");
    }
    if let Some(to) = f.to {
        qb.push(" AND a.at < ((").push_bind(to).push(" + 1)::timestamp AT TIME ZONE ").push_bind(f.tz.name()).push(")");
    }
}

/// The newest `limit` entries in the scope (no count: the home page).
pub async fn recent(tx: &mut Tx, tenant_id: i64, scope: &Scope, limit: i64) -> Result<Vec<AuditRow>, sqlx::Error> {
    let mut qb = QueryBuilder::new(
        "SELECT a.id, a.at, a.actor_name, a.action, a.entity_type, a.entity_id, a.summary, a.before, a.after, a.ip, a.request_id",
    );
    push_filter(&mut qb, tenant_id, scope, &AuditFilter::default());
    qb.push(" ORDER BY a.at DESC, a.id DESC LIMIT ").push_bind(limit);
    qb.build_query_as().persistent(true).fetch_all(&mut **tx).await
}

/// One page of entries in the scope, newest first, and the capped total.
pub async fn list(
    tx: &mut Tx,
    tenant_id: i64,
    scope: &Scope,
    f: &AuditFilter,
    limit: i64,
    offset: i64,
    cap: i64,
) -> Result<(Vec<AuditRow>, i64), sqlx::Error> {
    let mut qb = QueryBuilder::new(
        "SELECT a.id, a.at, a.actor_name, a.action, a.entity_type, a.entity_id, a.summary, a.before, a.after, a.ip, a.request_id",
    );
    push_filter(&mut qb, tenant_id, scope, f);
    qb.push(" ORDER BY a.at DESC, a.id DESC LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
    let rows = qb.build_query_as().fetch_all(&mut **tx).await?;
    let mut qb = crate::db::capped_count(cap, |qb| {
        push_filter(qb, tenant_id, scope, f);
    });
    let total = qb.build_query_scalar().fetch_one(&mut **tx).await?;
    Ok((rows, total))
}

/// Append an entry (`super::record`).
pub(super) async fn insert(tx: &mut Tx, tenant_id: i64, actor: &Actor, entry: Entry) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (tenant_id, actor_user_id, actor_name, action, entity_type, entity_id, summary, before, after, ip, request_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(tenant_id)
    .bind(actor.user_id)
    .bind(&actor.name)
    .bind(entry.action)
    .bind(entry.entity_type)
    .bind(entry.entity_id)
    .bind(entry.summary)
    .bind(entry.before)
    .bind(entry.after)
    .bind(&actor.ip)
    .bind(&actor.request_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
