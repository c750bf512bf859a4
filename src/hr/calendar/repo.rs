//! The calendar's SQL: a year's overrides, one day (locked or not), set and delete.

use chrono::NaiveDate;

use super::{kind_label, weekday_label};
use crate::db::Tx;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DayRow {
    pub day: NaiveDate,
    pub kind: String,
    pub note: String,
}

impl DayRow {
    pub fn kind_label(&self) -> &'static str {
        kind_label(&self.kind)
    }

    pub fn weekday(&self) -> &'static str {
        weekday_label(self.day)
    }

    pub fn tag(&self) -> &'static str {
        if self.kind == "holiday" {
            "tag-bad"
        } else {
            "tag-ok"
        }
    }
}

/// The overrides of `year`, by day.
pub(super) async fn overrides(tx: &mut Tx, tenant_id: i64, year: i32) -> Result<Vec<DayRow>, sqlx::Error> {
    let (from, to) = (NaiveDate::from_ymd_opt(year, 1, 1), NaiveDate::from_ymd_opt(year, 12, 31));
    sqlx::query_as(
        "SELECT day, kind, note FROM calendar_days WHERE tenant_id = $1 AND day BETWEEN $2 AND $3 ORDER BY day",
    )
    .bind(tenant_id)
    .bind(from)
    .bind(to)
    .fetch_all(&mut **tx)
    .await
}

/// One day's override, locked (FOR UPDATE).
pub(super) async fn lock_day(tx: &mut Tx, tenant_id: i64, day: NaiveDate) -> Result<Option<DayRow>, sqlx::Error> {
    sqlx::query_as("SELECT day, kind, note FROM calendar_days WHERE tenant_id = $1 AND day = $2 FOR UPDATE")
        .bind(tenant_id)
        .bind(day)
        .fetch_optional(&mut **tx)
        .await
}

/// One day's override.
pub(super) async fn find_day(tx: &mut Tx, tenant_id: i64, day: NaiveDate) -> Result<Option<DayRow>, sqlx::Error> {
    sqlx::query_as("SELECT day, kind, note FROM calendar_days WHERE tenant_id = $1 AND day = $2")
        .bind(tenant_id)
        .bind(day)
        .fetch_optional(&mut **tx)
        .await
}

/// Set (insert or replace) the override of `day`.
pub(super) async fn set_day(
    tx: &mut Tx,
    tenant_id: i64,
    day: NaiveDate,
    kind: &str,
    note: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO calendar_days (tenant_id, day, kind, note) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant_id, day) DO UPDATE SET kind = EXCLUDED.kind, note = EXCLUDED.note, updated_at = EXCLUDED.updated_at",
    )
    .bind(tenant_id)
    .bind(day)
    .bind(kind)
    .bind(note)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Remove the override of `day`.
pub(super) async fn delete_day(tx: &mut Tx, tenant_id: i64, day: NaiveDate) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM calendar_days WHERE tenant_id = $1 AND day = $2")
        .bind(tenant_id)
        .bind(day)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
