//! Per-tenant document numbers (`SO-000001`, `AS-000001`, `TS-000001`…): one
//! counter row per tenant and prefix in `order_numbers`, bumped by the transaction
//! that creates the document and so locked until it commits, which keeps two
//! concurrent documents apart and gives a rolled-back number back (no gaps).

use crate::db::Tx;

/// The next number of `prefix` in the tenant (1, 2, …).
pub async fn next(tx: &mut Tx, tenant_id: i64, prefix: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO order_numbers (tenant_id, prefix, last) VALUES ($1, $2, 1)
         ON CONFLICT (tenant_id, prefix) DO UPDATE SET last = order_numbers.last + 1 RETURNING last",
    )
    .bind(tenant_id)
    .bind(prefix)
    .fetch_one(&mut **tx)
    .await
}

/// Numbers 1…`last` of `prefix` are taken (documents written in bulk, e.g. by the
/// demo): the next one is `last + 1`.
pub async fn taken_up_to(tx: &mut Tx, tenant_id: i64, prefix: &str, last: i64) -> Result<(), sqlx::Error> {
    if last > 0 {
        sqlx::query(
            "INSERT INTO order_numbers (tenant_id, prefix, last) VALUES ($1, $2, $3)
             ON CONFLICT (tenant_id, prefix) DO UPDATE SET last = greatest(order_numbers.last, EXCLUDED.last)",
        )
        .bind(tenant_id)
        .bind(prefix)
        .bind(last)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// `AS-000042`: the prefix and the number, at least six digits.
pub fn format(prefix: &str, n: i64) -> String {
    format!("{prefix}-{n:06}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn six_digits_at_least() {
        assert_eq!(super::format("AS", 42), "AS-000042");
        assert_eq!(super::format("TS", 1_234_567), "TS-1234567");
    }
}
