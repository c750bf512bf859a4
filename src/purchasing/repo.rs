//! The purchasing side's SQL that its workflow writes with.

use super::flow::RequestStatus;
use crate::db::Tx;

/// Record a decision on request `id`: its new status and who decided at which
/// stage (the director's columns for a director, else the manager's), with the comment.
pub async fn decide(
    tx: &mut Tx,
    tenant_id: i64,
    id: i64,
    director: bool,
    status: RequestStatus,
    by: i64,
    comment: Option<&str>,
) -> Result<(), sqlx::Error> {
    let sql = if director {
        "UPDATE replenishment_requests SET status = $3, director_by = $4, director_at = now(), director_comment = $5,
                updated_at = now() WHERE tenant_id = $1 AND id = $2"
    } else {
        "UPDATE replenishment_requests SET status = $3, manager_by = $4, manager_at = now(), manager_comment = $5,
                updated_at = now() WHERE tenant_id = $1 AND id = $2"
    };
    sqlx::query(sql).bind(tenant_id).bind(id).bind(status).bind(by).bind(comment).execute(&mut **tx).await?;
    Ok(())
}
