//! Login throttling: after `ACCOUNT_LIMIT` failures for one (company, username)
//! within the window, further attempts for it are refused — even with the right
//! password — until the window passes; a success resets the count. A per-IP limit
//! catches password spraying across many accounts. Refused attempts are not
//! counted, so the window ends 15 minutes after the last real failure.

use sqlx::PgPool;

pub const ACCOUNT_LIMIT: i64 = 5;
pub const IP_LIMIT: i64 = 30;
pub const WINDOW_MINUTES: i32 = 15;

pub async fn is_throttled(pool: &PgPool, company: &str, username: &str, ip: &str) -> Result<bool, sqlx::Error> {
    let (account, by_ip): (i64, i64) = sqlx::query_as(
        "SELECT
           (SELECT count(*) FROM login_attempts
             WHERE company = $1 AND username = $2 AND NOT success
               AND at > now() - make_interval(mins => $4)
               AND at > coalesce((SELECT max(at) FROM login_attempts
                                   WHERE company = $1 AND username = $2 AND success), '-infinity')),
           (SELECT count(*) FROM login_attempts
             WHERE ip = $3 AND NOT success AND at > now() - make_interval(mins => $4))",
    )
    .bind(company)
    .bind(username)
    .bind(ip)
    .bind(WINDOW_MINUTES)
    .fetch_one(pool)
    .await?;
    Ok(account >= ACCOUNT_LIMIT || by_ip >= IP_LIMIT)
}

pub async fn record(pool: &PgPool, company: &str, username: &str, ip: &str, success: bool) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO login_attempts (company, username, ip, success) VALUES ($1, $2, $3, $4)")
        .bind(company)
        .bind(username)
        .bind(ip)
        .bind(success)
        .execute(pool)
        .await?;
    Ok(())
}

/// Drop attempts older than a day (run periodically by the server).
pub async fn purge(pool: &PgPool) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM login_attempts WHERE at < now() - interval '1 day'")
        .execute(pool)
        .await?
        .rows_affected())
}
