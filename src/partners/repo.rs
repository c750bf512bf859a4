//! Partners' SQL: one partner, the list, and the writes of the pages.

use chrono::{DateTime, Utc};
use sqlx::{Postgres, QueryBuilder};

use super::kind_label;
use crate::db::search::{Kind, Search};
use crate::db::Tx;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PartnerRow {
    pub id: i64,
    pub code: String,
    pub kind: String,
    pub name: String,
    pub contact: String,
    pub phone: String,
    pub address: String,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl PartnerRow {
    pub fn kind_label(&self) -> &'static str {
        kind_label(&self.kind)
    }
}

const COLUMNS: &str = "id, code, kind, name, contact, phone, address, is_active, created_at, updated_at";

pub(super) async fn find(tx: &mut Tx, tenant_id: i64, id: i64, lock: bool) -> Result<Option<PartnerRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM partners WHERE tenant_id = $1 AND id = $2{}",
        if lock { " FOR UPDATE" } else { "" }
    );
    sqlx::query_as(&sql).bind(tenant_id).bind(id).fetch_optional(&mut **tx).await
}

/// Filters of the partner list.
pub(super) struct Filter {
    pub kind: Option<&'static str>,
    pub active: Option<bool>,
    /// Code or name contains.
    pub q: Option<String>,
}

fn push_filter(qb: &mut QueryBuilder<'_, Postgres>, tenant_id: i64, f: &Filter) {
    qb.push(" WHERE tenant_id = ").push_bind(tenant_id);
    if let Some(k) = f.kind {
        qb.push(" AND kind = ").push_bind(k);
    }
    if let Some(a) = f.active {
        qb.push(" AND is_active = ").push_bind(a);
    }
    if let Some(term) = &f.q {
        let search = Search::new(Kind::Partner, term);
        if !search.exact() {
            let p = crate::db::like::contains(term);
            qb.push(" AND (code ILIKE ").push_bind(p.clone()).push(" OR name ILIKE ").push_bind(p).push(")");
        }
        search.push_id_filter(qb, tenant_id, "id");
    }
}

/// A page of the tenant's partners (by kind and code) and their count up to `count_limit`.
pub(super) async fn list(
    tx: &mut Tx,
    tenant_id: i64,
    f: &Filter,
    per_page: i64,
    offset: i64,
    count_limit: i64,
) -> Result<(Vec<PartnerRow>, i64), sqlx::Error> {
    let mut qb = QueryBuilder::new(format!("SELECT {COLUMNS} FROM partners"));
    push_filter(&mut qb, tenant_id, f);
    qb.push(" ORDER BY kind, code LIMIT ").push_bind(per_page).push(" OFFSET ").push_bind(offset);
    let rows: Vec<PartnerRow> = qb.build_query_as().fetch_all(&mut **tx).await?;
    let mut qb = crate::db::capped_count(count_limit, |qb| {
        qb.push(" FROM partners");
        push_filter(qb, tenant_id, f);
    });
    let total: i64 = qb.build_query_scalar().fetch_one(&mut **tx).await?;
    Ok((rows, total))
}

/// A partner's fields beside its code (validated by the caller).
pub(super) struct Fields<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    pub contact: &'a str,
    pub phone: &'a str,
    pub address: &'a str,
}

/// A new partner `code`; its id (a code in use is a unique violation of
/// `partners_tenant_id_code_key`).
pub(super) async fn insert(tx: &mut Tx, tenant_id: i64, code: &str, f: &Fields<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO partners (tenant_id, code, kind, name, contact, phone, address)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(tenant_id)
    .bind(code)
    .bind(f.kind)
    .bind(f.name)
    .bind(f.contact)
    .bind(f.phone)
    .bind(f.address)
    .fetch_one(&mut **tx)
    .await
}

pub(super) async fn update(tx: &mut Tx, tenant_id: i64, id: i64, f: &Fields<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE partners SET kind = $3, name = $4, contact = $5, phone = $6, address = $7, updated_at = now()
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(f.kind)
    .bind(f.name)
    .bind(f.contact)
    .bind(f.phone)
    .bind(f.address)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(super) async fn set_active(tx: &mut Tx, tenant_id: i64, id: i64, active: bool) -> Result<(), sqlx::Error> {
    crate::db::set_active(tx, "partners", tenant_id, id, active).await
}
