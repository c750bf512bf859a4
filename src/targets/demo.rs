//! The demo's sales targets: a sales team to measure, and targets for the last
//! three months and this one — a handful of set-based statements whatever the
//! number of orders.
//!
//! The demo's platform orders carry no rep (an import has no rep column), so
//! [`team`] first adds four sales specialists beside `sales.specialist` (same
//! demo password) and gives a bounded sample of the orders without a rep — about
//! 1,500 whatever `--orders` says, all of them in a small demo — to the five
//! reps in turn, before after-sales and complaints copy the orders' reps. Then
//! [`seed`] sets each past month's target from what the rep really attained, at a
//! spread of completion rates (some above 100 %), one rep ending last month below
//! 30 % (the manager's home queue shows it); this month's targets are last
//! month's plus 5 %, and the sales department's targets are the sum of its reps'
//! plus 10 %.

use crate::db::Tx;
use crate::demo::ctx::Ctx;
use crate::people::{Dept, Level};
use crate::rules::YearMonth;
use crate::tz::TimeZone;

/// The reps added beside `sales.specialist`: (username, name).
const TEAM: &[(&str, &str)] =
    &[("sales.rep2", "钱晓峰"), ("sales.rep3", "孙雅婷"), ("sales.rep4", "周子健"), ("sales.rep5", "吴佳怡")];

/// About this many orders get a rep.
const SAMPLE: usize = 1_500;

/// Completion rates (percent) the past months' targets are set for, by rep and month.
const RATES: &[i64] = &[135, 108, 92, 76, 118, 64, 101, 88, 55, 142, 97, 83];

/// The rate of the rep who ends last month below 30 %.
const LOW_RATE: i64 = 25;

/// Add the sales team and give it its sample of orders (before after-sales).
pub async fn team(tx: &mut Tx, ctx: &Ctx) -> Result<(), sqlx::Error> {
    let tid = ctx.tenant_id;
    let (names, users): (Vec<&str>, Vec<&str>) = TEAM.iter().map(|(u, n)| (*n, *u)).unzip();
    sqlx::query(
        "INSERT INTO users (tenant_id, username, display_name, password_hash, level, department)
         SELECT $1, x.u, x.n, s.password_hash, 'specialist', 'sales'
         FROM users s, unnest($2::text[], $3::text[]) AS x (u, n)
         WHERE s.tenant_id = $1 AND s.username = 'sales.specialist'
         ON CONFLICT (tenant_id, username) DO NOTHING",
    )
    .bind(tid)
    .bind(&users)
    .bind(&names)
    .execute(&mut **tx)
    .await?;
    let step = (ctx.orders / SAMPLE).max(1) as i64;
    sqlx::query(
        "WITH team AS (
           SELECT array_agg(id ORDER BY id) AS ids FROM users
           WHERE tenant_id = $1 AND department = 'sales' AND level = 'specialist' AND is_active)
         UPDATE orders o SET rep_id = team.ids[1 + (o.id / $2) % cardinality(team.ids)], rep_department = 'sales'
         FROM team
         WHERE o.tenant_id = $1 AND o.rep_id IS NULL AND o.id % $2 = 0 AND cardinality(team.ids) > 0",
    )
    .bind(tid)
    .bind(step)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The targets of the last three months and this one (after after-sales: the
/// refunds count).
pub async fn seed(tx: &mut Tx, ctx: &Ctx) -> Result<(), sqlx::Error> {
    let tid = ctx.tenant_id;
    let (Some(manager), Some(director), Some(this)) =
        (ctx.user(Dept::Sales, Level::Manager), ctx.user(Dept::Sales, Level::Director), YearMonth::of(ctx.today))
    else {
        return Ok(());
    };
    let mut past = Vec::new();
    let mut m = this;
    for _ in 0..3 {
        let Some(p) = m.previous() else { break };
        past.push(p.first_day());
        m = p;
    }
    past.reverse();
    let tz = TimeZone::default().name();
    // Past months: the target that makes the rep's real attainment the month's rate
    // (rounded to ¥100, at least ¥1,000); the last rep's last month at LOW_RATE.
    sqlx::query(
        "WITH team AS (
           SELECT id, (row_number() OVER (ORDER BY id) - 1)::int AS k, count(*) OVER () AS n FROM users
           WHERE tenant_id = $1 AND department = 'sales' AND level = 'specialist' AND is_active),
         months AS (
           SELECT m::date AS month, (row_number() OVER (ORDER BY m) - 1)::int AS j, count(*) OVER () AS n,
                  (m::timestamp AT TIME ZONE $3) AS lo, ((m + interval '1 month')::timestamp AT TIME ZONE $3) AS hi
           FROM unnest($2::date[]) AS m),
         att AS (
           SELECT t.id, t.k, t.n AS reps, m.month, m.j, m.n AS months,
                  coalesce((SELECT sum(o.paid_fen) FROM orders o
                            WHERE o.tenant_id = $1 AND o.rep_id = t.id AND o.paid_at IS NOT NULL
                              AND o.status <> 'cancelled' AND o.paid_at >= m.lo AND o.paid_at < m.hi), 0)
                - coalesce((SELECT sum(r.amount_fen) FROM refunds r
                            JOIN orders o ON o.tenant_id = r.tenant_id AND o.id = r.order_id
                            WHERE r.tenant_id = $1 AND r.status = 'done' AND o.rep_id = t.id AND o.status <> 'cancelled'
                              AND coalesce(r.decided_at, r.recorded_at) >= m.lo
                              AND coalesce(r.decided_at, r.recorded_at) < m.hi), 0) AS a
           FROM team t CROSS JOIN months m)
         INSERT INTO sales_targets (tenant_id, month, rep_id, target_fen, set_by, set_at)
         SELECT $1, month, id,
                greatest(100000, round(greatest(a, 0) * 100.0
                    / CASE WHEN k = reps - 1 AND j = months - 1 THEN $6 ELSE ($4::bigint[])[1 + (k * 5 + j) % cardinality($4::bigint[])] END
                    / 10000) * 10000)::bigint,
                $5, (month - interval '6 days')::timestamp AT TIME ZONE $3
         FROM att
         ON CONFLICT DO NOTHING",
    )
    .bind(tid)
    .bind(&past)
    .bind(tz)
    .bind(RATES)
    .bind(manager)
    .bind(LOW_RATE)
    .execute(&mut **tx)
    .await?;
    // This month: last month's plus 5 %, rounded to ¥100.
    sqlx::query(
        "INSERT INTO sales_targets (tenant_id, month, rep_id, target_fen, set_by, set_at)
         SELECT $1, $2, rep_id, (round(target_fen * 1.05 / 10000) * 10000)::bigint, $4,
                ($2 - interval '6 days')::timestamp AT TIME ZONE $5
         FROM sales_targets WHERE tenant_id = $1 AND month = $3
         ON CONFLICT DO NOTHING",
    )
    .bind(tid)
    .bind(this.first_day())
    .bind(this.previous().map_or(this.first_day(), |p| p.first_day()))
    .bind(manager)
    .bind(tz)
    .execute(&mut **tx)
    .await?;
    // The sales department: its reps' targets plus 10 %, rounded to ¥1,000.
    sqlx::query(
        "INSERT INTO department_targets (tenant_id, month, department, target_fen, set_by, set_at)
         SELECT $1, month, 'sales', (round(sum(target_fen) * 1.10 / 100000) * 100000)::bigint, $2,
                (month - interval '7 days')::timestamp AT TIME ZONE $3
         FROM sales_targets WHERE tenant_id = $1 GROUP BY month
         ON CONFLICT DO NOTHING",
    )
    .bind(tid)
    .bind(director)
    .bind(tz)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
