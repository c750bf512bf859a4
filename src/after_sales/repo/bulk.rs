//! The demo's cases written in bulk: one statement per table, from arrays (the
//! million-order demo's hundred thousand cases in seconds). The same rows the web's
//! steps write, timeline included. The parcels of exchanges and repairs sent out
//! again are the orders' table, written here as `orders::repo::insert_parcel` and
//! `parcel_for_case` write them one by one.

use chrono::{DateTime, Utc};

use crate::db::Tx;

/// The cases' columns, one array each, in case order.
pub struct DemoCases {
    pub case_no: Vec<String>,
    pub order_id: Vec<i64>,
    pub line_no: Vec<i32>,
    pub product_id: Vec<i64>,
    pub kind: Vec<String>,
    pub received_qty: Vec<i64>,
    pub asked_fen: Vec<i64>,
    pub refunded_fen: Vec<i64>,
    pub category: Vec<String>,
    pub reason: Vec<String>,
    pub status: Vec<String>,
    pub rep_id: Vec<Option<i64>>,
    pub rep_department: Vec<Option<String>>,
    pub raised_by: Vec<i64>,
    pub raised_at: Vec<DateTime<Utc>>,
    pub decided_by: Vec<Option<i64>>,
    pub decided_at: Vec<Option<DateTime<Utc>>>,
    pub comment: Vec<String>,
    pub closed_at: Vec<Option<DateTime<Utc>>>,
    /// Who decided them (the timeline's name).
    pub decider: i64,
}

/// Insert the cases (each of one unit) with their raise, decision and close
/// events: their ids, in order.
pub async fn demo_cases(tx: &mut Tx, tenant_id: i64, c: DemoCases) -> Result<Vec<i64>, sqlx::Error> {
    let inserted: Vec<(String, i64)> = sqlx::query_as(
        "INSERT INTO after_sales (tenant_id, case_no, order_id, line_no, product_id, kind, quantity, received_qty,
                                  asked_fen, refunded_fen, category, reason, status, rep_id, rep_department, raised_by,
                                  raised_at, decided_by, decided_at, decision_comment, closed_at, updated_at)
         SELECT $1, x.no, x.o, x.l, x.p, x.k, 1, x.rq, x.af, x.rf, x.cat, x.r, x.s, x.rep, x.dept, x.by, x.at,
                x.dby, x.dat, x.cm, x.cl, coalesce(x.cl, x.dat, x.at)
         FROM unnest($2::text[], $3::bigint[], $4::int[], $5::bigint[], $6::text[], $7::bigint[], $8::bigint[],
                     $9::bigint[], $10::text[], $11::text[], $12::text[], $13::bigint[], $14::text[], $15::bigint[],
                     $16::timestamptz[], $17::bigint[], $18::timestamptz[], $19::text[], $20::timestamptz[])
              WITH ORDINALITY AS x (no, o, l, p, k, rq, af, rf, cat, r, s, rep, dept, by, at, dby, dat, cm, cl, n)
         ORDER BY x.n
         RETURNING case_no, id",
    )
    .bind(tenant_id)
    .bind(&c.case_no)
    .bind(&c.order_id)
    .bind(&c.line_no)
    .bind(&c.product_id)
    .bind(&c.kind)
    .bind(&c.received_qty)
    .bind(&c.asked_fen)
    .bind(&c.refunded_fen)
    .bind(&c.category)
    .bind(&c.reason)
    .bind(&c.status)
    .bind(&c.rep_id)
    .bind(&c.rep_department)
    .bind(&c.raised_by)
    .bind(&c.raised_at)
    .bind(&c.decided_by)
    .bind(&c.decided_at)
    .bind(&c.comment)
    .bind(&c.closed_at)
    .fetch_all(&mut **tx)
    .await?;
    let by_no: std::collections::HashMap<String, i64> = inserted.into_iter().collect();
    let ids: Vec<i64> = c.case_no.iter().map(|no| by_no[no]).collect();
    sqlx::query(
        "INSERT INTO after_sale_events (tenant_id, case_id, kind, actor_id, actor_name, note, at)
         SELECT a.tenant_id, a.id, 'raise', a.raised_by, u.display_name, a.sku_note, a.raised_at
         FROM (SELECT a.*, p.sku || ' × 1：' || a.reason AS sku_note FROM after_sales a
               JOIN products p ON p.tenant_id = a.tenant_id AND p.id = a.product_id
               WHERE a.tenant_id = $1 AND a.id = ANY($2)) a
         JOIN users u ON u.tenant_id = a.tenant_id AND u.id = a.raised_by
         UNION ALL
         SELECT a.tenant_id, a.id, CASE a.status WHEN 'rejected' THEN 'reject' ELSE 'approve' END, a.decided_by,
                u.display_name, a.decision_comment, a.decided_at
         FROM after_sales a JOIN users u ON u.tenant_id = a.tenant_id AND u.id = a.decided_by
         WHERE a.tenant_id = $1 AND a.id = ANY($2) AND a.decided_at IS NOT NULL
         UNION ALL
         SELECT a.tenant_id, a.id, 'close', a.decided_by, u.display_name, '', a.closed_at
         FROM after_sales a JOIN users u ON u.tenant_id = a.tenant_id AND u.id = $3
         WHERE a.tenant_id = $1 AND a.id = ANY($2) AND a.closed_at IS NOT NULL
         ORDER BY 7, 2",
    )
    .bind(tenant_id)
    .bind(&ids)
    .bind(c.decider)
    .execute(&mut **tx)
    .await?;
    Ok(ids)
}

/// One receipt of one unit per case; a restock's movement is the case's `return`
/// movement, posted before.
pub async fn demo_receipts(
    tx: &mut Tx,
    tenant_id: i64,
    cases: &[i64],
    disposition: &[String],
    warehouses: &[i64],
    at: &[DateTime<Utc>],
    by: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "WITH r AS (
           INSERT INTO after_sale_receipts (tenant_id, case_id, quantity, disposition, warehouse_id, movement_id,
                                            received_by, received_at)
           SELECT $1, x.c, 1, x.d, CASE WHEN x.d = 'restock' THEN x.w END, m.id, $6, x.at
           FROM unnest($2::bigint[], $3::text[], $4::bigint[], $5::timestamptz[]) AS x (c, d, w, at)
           LEFT JOIN stock_movements m ON m.tenant_id = $1 AND m.doc_type = 'after_sale' AND m.doc_id = x.c
                                      AND m.kind = 'return' AND x.d = 'restock'
           RETURNING case_id, disposition, warehouse_id, received_at)
         INSERT INTO after_sale_events (tenant_id, case_id, kind, actor_id, actor_name, note, at)
         SELECT $1, r.case_id, 'receive', $6, u.display_name,
                '收回 1 件，' || CASE r.disposition WHEN 'restock' THEN '入库 ' || w.code
                                                  WHEN 'scrap' THEN '报废' ELSE '待维修' END, r.received_at
         FROM r JOIN users u ON u.tenant_id = $1 AND u.id = $6
         LEFT JOIN warehouses w ON w.tenant_id = $1 AND w.id = r.warehouse_id",
    )
    .bind(tenant_id)
    .bind(cases)
    .bind(disposition)
    .bind(warehouses)
    .bind(at)
    .bind(by)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One refund per case (`done` or `pending`), 原路退回, with its event.
#[allow(clippy::too_many_arguments)]
pub async fn demo_refunds(
    tx: &mut Tx,
    tenant_id: i64,
    cases: &[i64],
    orders: &[i64],
    lines: &[i32],
    amounts: &[i64],
    status: &[String],
    at: &[DateTime<Utc>],
    by: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "WITH r AS (
           INSERT INTO refunds (tenant_id, case_id, order_id, line_no, amount_fen, method, reference, status,
                                recorded_by, recorded_at)
           SELECT $1, x.c, x.o, x.l, x.a, 'original', 'RF' || x.c, x.s, $8, x.at
           FROM unnest($2::bigint[], $3::bigint[], $4::int[], $5::bigint[], $6::text[], $7::timestamptz[])
                AS x (c, o, l, a, s, at)
           RETURNING case_id, amount_fen, status, recorded_at)
         INSERT INTO after_sale_events (tenant_id, case_id, kind, actor_id, actor_name, note, at)
         SELECT $1, r.case_id, CASE r.status WHEN 'pending' THEN 'refund_pending' ELSE 'refund' END, $8,
                u.display_name, '¥' || to_char(r.amount_fen / 100.0, 'FM999999990.00') || '，原路退回', r.recorded_at
         FROM r JOIN users u ON u.tenant_id = $1 AND u.id = $8",
    )
    .bind(tenant_id)
    .bind(cases)
    .bind(orders)
    .bind(lines)
    .bind(amounts)
    .bind(status)
    .bind(at)
    .bind(by)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The parcels that sent exchanges and repairs out again (SF, tracking numbers
/// given), linked both ways, with their events.
#[allow(clippy::too_many_arguments)]
pub async fn demo_parcels(
    tx: &mut Tx,
    tenant_id: i64,
    cases: &[i64],
    orders: &[i64],
    warehouses: &[i64],
    tracking: &[String],
    at: &[DateTime<Utc>],
    by: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "WITH p AS (
           INSERT INTO parcels (tenant_id, order_id, warehouse_id, carrier, tracking_no, shipped_by, shipped_at,
                                after_sale_id)
           SELECT $1, x.o, x.w, 'SF', x.t, $7, x.at, x.c
           FROM unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::timestamptz[]) AS x (c, o, w, t, at)
           RETURNING id, after_sale_id, tracking_no, shipped_at),
         linked AS (
           UPDATE after_sales a SET parcel_id = p.id FROM p
           WHERE a.tenant_id = $1 AND a.id = p.after_sale_id
           RETURNING a.id)
         INSERT INTO after_sale_events (tenant_id, case_id, kind, actor_id, actor_name, note, at)
         SELECT $1, p.after_sale_id, 'reship', $7, u.display_name, '顺丰速运 ' || p.tracking_no, p.shipped_at
         FROM p JOIN users u ON u.tenant_id = $1 AND u.id = $7",
    )
    .bind(tenant_id)
    .bind(cases)
    .bind(orders)
    .bind(warehouses)
    .bind(tracking)
    .bind(at)
    .bind(by)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Per order line with cases: (order, line, cases, refunded fen, units returned).
pub async fn demo_line_totals(tx: &mut Tx, tenant_id: i64) -> Result<Vec<(i64, i32, i64, i64, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT a.order_id, a.line_no, count(*)::bigint, sum(a.refunded_fen)::bigint,
                sum(CASE WHEN a.kind = 'repair' THEN 0 ELSE a.received_qty END)::bigint
         FROM after_sales a WHERE a.tenant_id = $1 GROUP BY a.order_id, a.line_no ORDER BY a.order_id, a.line_no",
    )
    .bind(tenant_id)
    .fetch_all(&mut **tx)
    .await
}
