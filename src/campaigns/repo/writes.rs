//! The campaigns' writes: submission and its version, the decision, the budget,
//! acknowledgements, summary, review, cancel.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::CampaignRow;
use crate::campaigns::status::CampaignStatus;
use crate::db::Tx;
use crate::web::CurrentUser;

/// Mark it submitted: version `version` of the plan as submitted (written again
/// when a rejected plan is resubmitted), the 准备期不足 flag and its days.
pub(in crate::campaigns) async fn set_submitted(
    tx: &mut Tx,
    user: &CurrentUser,
    c: &CampaignRow,
    version: i32,
    plan: &Value,
    (short, days): (bool, i64),
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE campaigns SET status = 'submitted', version = $3, submitted_at = now(), short_notice = $4,
                notice_days = $5, manager_by = NULL, manager_at = NULL, manager_comment = '', director_by = NULL,
                director_at = NULL, director_comment = '', updated_at = now()
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(user.tenant_id)
    .bind(c.id)
    .bind(version)
    .bind(short)
    .bind(i32::try_from(days).unwrap_or(if days < 0 { i32::MIN } else { i32::MAX }))
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO campaign_versions (tenant_id, campaign_id, version, budget_fen, plan, created_by)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (tenant_id, campaign_id, version)
         DO UPDATE SET budget_fen = EXCLUDED.budget_fen, plan = EXCLUDED.plan, created_by = EXCLUDED.created_by,
                       created_at = EXCLUDED.created_at, approved_at = NULL",
    )
    .bind(user.tenant_id)
    .bind(c.id)
    .bind(version)
    .bind(c.budget_fen)
    .bind(plan)
    .bind(user.user_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Write a decision at `stage` ("manager" or "director") leading to `status`.
pub(in crate::campaigns) async fn set_decision(
    tx: &mut Tx,
    user: &CurrentUser,
    c: &CampaignRow,
    stage: &str,
    status: CampaignStatus,
    comment: &str,
) -> Result<(), sqlx::Error> {
    let approved = status == CampaignStatus::Approved;
    let sql = if stage == "director" {
        "WITH clock AS (SELECT now() AS at)
         UPDATE campaigns SET status = $3, director_by = $4, director_at = now(), director_comment = $5,
                approved_at = CASE WHEN $6 THEN (SELECT at FROM clock) ELSE approved_at END,
                approved_budget_fen = CASE WHEN $6 THEN budget_fen ELSE approved_budget_fen END, updated_at = now()
         WHERE tenant_id = $1 AND id = $2"
    } else {
        "WITH clock AS (SELECT now() AS at)
         UPDATE campaigns SET status = $3, manager_by = $4, manager_at = now(), manager_comment = $5,
                approved_at = CASE WHEN $6 THEN (SELECT at FROM clock) ELSE approved_at END,
                approved_budget_fen = CASE WHEN $6 THEN budget_fen ELSE approved_budget_fen END, updated_at = now()
         WHERE tenant_id = $1 AND id = $2"
    };
    sqlx::query(sql)
        .bind(user.tenant_id)
        .bind(c.id)
        .bind(status)
        .bind(user.user_id)
        .bind(comment)
        .bind(approved)
        .execute(&mut **tx)
        .await?;
    if approved {
        sqlx::query(
            "UPDATE campaign_versions SET approved_at = now() WHERE tenant_id = $1 AND campaign_id = $2 AND version = $3",
        )
        .bind(user.tenant_id)
        .bind(c.id)
        .bind(c.version)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The budget raised on an approved campaign: a new version waits for approval.
pub(in crate::campaigns) async fn set_raised(
    tx: &mut Tx,
    user: &CurrentUser,
    c: &CampaignRow,
    budget_fen: i64,
    plan: &Value,
    short: (bool, i64),
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE campaigns SET budget_fen = $3 WHERE tenant_id = $1 AND id = $2")
        .bind(user.tenant_id)
        .bind(c.id)
        .bind(budget_fen)
        .execute(&mut **tx)
        .await?;
    let raised = CampaignRow { budget_fen, ..c.clone() };
    set_submitted(tx, user, &raised, c.version + 1, plan, short).await
}

/// A lower budget on an approved campaign: no approval needed, recorded.
pub(in crate::campaigns) async fn set_budget(
    tx: &mut Tx,
    tenant_id: i64,
    id: i64,
    budget_fen: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE campaigns SET budget_fen = $3, approved_budget_fen = $3, updated_at = now() WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(budget_fen)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The versions of the plan: (version, budget, submitted by, when, approved when).
pub(in crate::campaigns) async fn versions(
    tx: &mut Tx,
    tenant_id: i64,
    id: i64,
) -> Result<Vec<(i32, i64, String, DateTime<Utc>, Option<DateTime<Utc>>)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT v.version, v.budget_fen, u.display_name, v.created_at, v.approved_at FROM campaign_versions v
         JOIN users u ON u.tenant_id = v.tenant_id AND u.id = v.created_by
         WHERE v.tenant_id = $1 AND v.campaign_id = $2 ORDER BY v.version",
    )
    .bind(tenant_id)
    .bind(id)
    .fetch_all(&mut **tx)
    .await
}

/// Who of the told departments' managers has acknowledged the campaign: (user id,
/// name, department code, acknowledged at) for every active manager of ops,
/// service and warehouse and anyone who acknowledged.
pub(in crate::campaigns) async fn acks(
    tx: &mut Tx,
    tenant_id: i64,
    id: i64,
) -> Result<Vec<(i64, String, String, Option<DateTime<Utc>>)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT u.id, u.display_name, u.department, k.acked_at
         FROM users u
         LEFT JOIN LATERAL (SELECT min(a.acked_at) AS acked_at FROM campaign_acks a
                            WHERE a.tenant_id = u.tenant_id AND a.campaign_id = $2 AND a.user_id = u.id) k ON true
         WHERE u.tenant_id = $1 AND u.level = 'manager' AND u.department IN ('ops', 'service', 'warehouse')
           AND (u.is_active OR k.acked_at IS NOT NULL)
         ORDER BY array_position(ARRAY['ops', 'service', 'warehouse'], u.department), u.id",
    )
    .bind(tenant_id)
    .bind(id)
    .fetch_all(&mut **tx)
    .await
}

/// Record `user`'s acknowledgement of version `version`; false when already there.
pub(in crate::campaigns) async fn insert_ack(
    tx: &mut Tx,
    user: &CurrentUser,
    id: i64,
    version: i32,
) -> Result<bool, sqlx::Error> {
    let n = sqlx::query(
        "INSERT INTO campaign_acks (tenant_id, campaign_id, version, user_id, department)
         SELECT $1, $2, $3, $4, $5
         WHERE NOT EXISTS (SELECT 1 FROM campaign_acks WHERE tenant_id = $1 AND campaign_id = $2 AND user_id = $4)",
    )
    .bind(user.tenant_id)
    .bind(id)
    .bind(version)
    .bind(user.user_id)
    .bind(user.dept.code())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}

pub(in crate::campaigns) async fn set_summary(
    tx: &mut Tx,
    user: &CurrentUser,
    id: i64,
    (summary, lessons, suggestions): (&str, &str, &str),
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE campaigns SET status = 'summarized', summary = $3, lessons = $4, suggestions = $5, summarized_by = $6,
                summarized_at = now(), updated_at = now()
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(user.tenant_id)
    .bind(id)
    .bind(summary)
    .bind(lessons)
    .bind(suggestions)
    .bind(user.user_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(in crate::campaigns) async fn set_review(
    tx: &mut Tx,
    user: &CurrentUser,
    id: i64,
    comment: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE campaigns SET review_comment = $3, reviewed_by = $4, reviewed_at = now(), updated_at = now()
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(user.tenant_id)
    .bind(id)
    .bind(comment)
    .bind(user.user_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(in crate::campaigns) async fn set_cancelled(
    tx: &mut Tx,
    tenant_id: i64,
    id: i64,
    reason: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE campaigns SET status = 'cancelled', cancelled_at = now(), cancel_reason = $3, updated_at = now()
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant_id)
    .bind(id)
    .bind(reason)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
