//! The demo's campaigns, in every state, relative to the demo's today: two
//! running now with daily results (one over its budget, the two sharing a
//! product), one ended waiting for its summary, one summarized and reviewed, a
//! draft, a late plan (准备期不足), one waiting for a director, a rejected one, one
//! approved and not started, a raised budget waiting again, a cancelled one; and
//! some of the demo's orders tagged with the running and ended ones. Written once,
//! when the demo tenant is created, with a few set-based statements.

use chrono::{Duration, NaiveDate};
use serde_json::json;

use crate::db::{numbers, Tx};
use crate::demo::ctx::Ctx;
use crate::people::{Dept, Level};

struct Demo {
    theme: &'static str,
    kind: &'static str,
    channels: &'static [&'static str],
    budget_yuan: i64,
    target_yuan: Option<i64>,
    /// Days from today.
    starts: i64,
    ends: i64,
    status: &'static str,
    dept: Dept,
    /// Submitted this many days before today (None: never).
    submitted: Option<i64>,
    /// The first `n` demo products.
    products: usize,
    /// Daily results (the cost per day, yuan), and orders tagged.
    daily_cost_yuan: i64,
    tagged: i64,
    goal: &'static str,
}

const fn demo(theme: &'static str, kind: &'static str, starts: i64, ends: i64, status: &'static str) -> Demo {
    Demo {
        theme,
        kind,
        channels: &["taobao", "jd"],
        budget_yuan: 30_000,
        target_yuan: Some(300_000),
        starts,
        ends,
        status,
        dept: Dept::Marketing,
        submitted: Some(20),
        products: 0,
        daily_cost_yuan: 0,
        tagged: 0,
        goal: "提升店铺转化率与客单价，拉新 2,000 人",
    }
}

fn plans() -> Vec<Demo> {
    vec![
        Demo {
            budget_yuan: 80_000,
            target_yuan: Some(1_200_000),
            products: 3,
            daily_cost_yuan: 5_200,
            tagged: 600,
            goal: "年终大促：全店满 300 减 40，主推三款爆品，销售额 120 万元",
            ..demo("双十二年终大促", "discount", -5, 7, "approved")
        },
        Demo {
            channels: &["douyin"],
            budget_yuan: 20_000,
            target_yuan: Some(150_000),
            products: 1,
            daily_cost_yuan: 2_600,
            tagged: 200,
            goal: "抖音直播专场，主推爆品限时秒杀",
            ..demo("抖音直播专场", "live", -10, 2, "approved")
        },
        Demo {
            channels: &["taobao", "wechat"],
            daily_cost_yuan: 1_800,
            tagged: 300,
            ..demo("黑五会员券", "coupon", -20, -14, "approved")
        },
        Demo {
            channels: &["wechat"],
            budget_yuan: 15_000,
            daily_cost_yuan: 1_500,
            tagged: 150,
            goal: "会员日：老客复购，发放 5,000 张无门槛券",
            ..demo("十一月会员日", "coupon", -40, -33, "summarized")
        },
        Demo { submitted: None, ..demo("元旦新品预售", "discount", 25, 31, "draft") },
        Demo { submitted: Some(0), products: 2, ..demo("周末限时抢购", "flash_sale", 7, 9, "submitted") },
        Demo { budget_yuan: 60_000, ..demo("春节年货节", "discount", 45, 60, "director_pending") },
        Demo { ..demo("小红书种草计划", "other", 20, 40, "rejected") },
        Demo {
            dept: Dept::Ops,
            channels: &["pdd"],
            goal: "拼多多百亿补贴报名，清理滞销库存",
            ..demo("拼多多百亿补贴", "discount", 18, 24, "approved")
        },
        Demo { channels: &["offline"], kind: "offline", ..demo("门店周年庆", "offline", 16, 17, "raised") },
        Demo { ..demo("京东超级品牌日", "flash_sale", 10, 11, "cancelled") },
    ]
}

/// Write the demo's campaigns; returns how many.
pub async fn seed(tx: &mut Tx, ctx: &Ctx) -> anyhow::Result<usize> {
    let tid = ctx.tenant_id;
    let (Some(mk), Some(mk_mgr), Some(ops), Some(ops_mgr), Some(director)) = (
        ctx.user(Dept::Marketing, Level::Specialist),
        ctx.user(Dept::Marketing, Level::Manager),
        ctx.user(Dept::Ops, Level::Specialist),
        ctx.user(Dept::Ops, Level::Manager),
        ctx.user(Dept::Ops, Level::Director).or_else(|| ctx.users.iter().find(|u| u.3 == Level::Director).map(|u| u.1)),
    ) else {
        return Ok(0);
    };
    let names: Vec<(i64, String)> = sqlx::query_as("SELECT id, display_name FROM users WHERE tenant_id = $1")
        .bind(tid)
        .fetch_all(&mut **tx)
        .await?;
    let name = |id: i64| names.iter().find(|n| n.0 == id).map_or_else(String::new, |n| n.1.clone());
    let products: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM products WHERE tenant_id = $1 AND status <> 'eliminated' ORDER BY id LIMIT 3",
    )
    .bind(tid)
    .fetch_all(&mut **tx)
    .await?;
    let today = ctx.today;
    let threshold = 5_000_000;
    let plans = plans();
    for (i, p) in plans.iter().enumerate() {
        let no = numbers::format("HD", i as i64 + 1);
        let day = |d: i64| today + Duration::days(d);
        let (starts_on, ends_on): (NaiveDate, NaiveDate) = (day(p.starts), day(p.ends));
        let (drafter, manager) = if p.dept == Dept::Ops { (ops, ops_mgr) } else { (mk, mk_mgr) };
        let budget_fen = p.budget_yuan * 100;
        let approved = matches!(p.status, "approved" | "summarized" | "raised");
        let (status, version, budget_now) = match p.status {
            "raised" => ("submitted", 2, budget_fen + 1_000_000),
            s => (s, 1, budget_fen),
        };
        let submitted_days = p.submitted;
        let notice = submitted_days.map(|s| p.starts + s);
        let director_by = (approved && budget_fen >= threshold).then_some(director);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO campaigns (tenant_id, campaign_no, theme, kind, channels, budget_fen, starts_on, ends_on, goal,
                    target_sales_fen, place, how_to_join, department, status, version, approved_budget_fen, drafted_by,
                    submitted_at, short_notice, notice_days, manager_by, manager_at, manager_comment, director_by,
                    director_at, approved_at, summary, lessons, suggestions, summarized_by, summarized_at,
                    review_comment, reviewed_by, reviewed_at, cancelled_at, cancel_reason, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                     now() - make_interval(days => $18::int), $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29,
                     $30, $31, $32, $33, $34, $35, $36, now() - interval '30 days')
             RETURNING id",
        )
        .bind(tid)
        .bind(&no)
        .bind(p.theme)
        .bind(p.kind)
        .bind(p.channels.iter().map(|c| c.to_string()).collect::<Vec<_>>())
        .bind(budget_now)
        .bind(starts_on)
        .bind(ends_on)
        .bind(p.goal)
        .bind(p.target_yuan.map(|t| t * 100))
        .bind(if p.kind == "offline" { "上海市徐汇区旗舰店" } else { "" })
        .bind(if p.kind == "offline" { "到店出示会员码领取周年礼，消费满 500 元抽奖" } else { "" })
        .bind(p.dept.code())
        .bind(status)
        .bind(version)
        .bind(approved.then_some(budget_fen))
        .bind(drafter)
        .bind(submitted_days.unwrap_or(0) as i32)
        .bind(notice.is_some_and(|n| n < 15))
        .bind(notice.map(|n| n as i32))
        .bind((approved || p.status == "rejected" || p.status == "director_pending").then_some(manager))
        .bind((approved || p.status == "rejected" || p.status == "director_pending").then(chrono::Utc::now))
        .bind(if p.status == "rejected" { "渠道投放费用测算不足，请补充投放计划后再提交" } else { "" })
        .bind(director_by)
        .bind(director_by.map(|_| chrono::Utc::now()))
        .bind(approved.then(chrono::Utc::now))
        .bind(if p.status == "summarized" { "复购率 18%，高于目标 3 个百分点；无门槛券核销率 62%。" } else { "" })
        .bind(if p.status == "summarized" { "券面额偏大，毛利被压缩；活动预热不足两天。" } else { "" })
        .bind(if p.status == "summarized" { "下次提前一周预热，券面额按客单价分档。" } else { "" })
        .bind((p.status == "summarized").then_some(drafter))
        .bind((p.status == "summarized").then(chrono::Utc::now))
        .bind(if p.status == "summarized" { "总结到位，下次按建议分档发券。" } else { "" })
        .bind((p.status == "summarized").then_some(manager))
        .bind((p.status == "summarized").then(chrono::Utc::now))
        .bind((p.status == "cancelled").then(chrono::Utc::now))
        .bind(if p.status == "cancelled" { "品牌方调整排期，本次不参加" } else { "" })
        .fetch_one(&mut **tx)
        .await?;
        let product_ids: Vec<i64> = products.iter().take(p.products).copied().collect();
        sqlx::query(
            "INSERT INTO campaign_products (tenant_id, campaign_id, product_id) SELECT $1, $2, unnest($3::bigint[])",
        )
        .bind(tid)
        .bind(id)
        .bind(&product_ids)
        .execute(&mut **tx)
        .await?;
        if submitted_days.is_some() {
            let plan = json!({"theme": p.theme, "budget_fen": budget_fen, "starts_on": starts_on, "ends_on": ends_on});
            sqlx::query(
                "INSERT INTO campaign_versions (tenant_id, campaign_id, version, budget_fen, plan, created_by, approved_at)
                 SELECT $1, $2, v, CASE WHEN v = 1 THEN $3 ELSE $4 END, $5, $6, CASE WHEN v = 1 AND $7 THEN now() END
                 FROM generate_series(1, $8) v",
            )
            .bind(tid)
            .bind(id)
            .bind(budget_fen)
            .bind(budget_now)
            .bind(&plan)
            .bind(drafter)
            .bind(approved)
            .bind(version)
            .execute(&mut **tx)
            .await?;
        }
        let mut steps: Vec<(&str, i64, String)> = vec![("draft", drafter, String::new())];
        if submitted_days.is_some() {
            steps.push(("submit", drafter, format!("提交审批，预算 {} 元", p.budget_yuan)));
        }
        if approved || p.status == "director_pending" {
            steps.push(("approve", manager, "经理批准。".into()));
        }
        if let Some(d) = director_by {
            steps.push(("approve", d, "总监批准。".into()));
        }
        match p.status {
            "rejected" => {
                steps.push(("reject", manager, "经理驳回：渠道投放费用测算不足，请补充投放计划后再提交".into()))
            }
            "raised" => steps.push(("raise", drafter, "追加预算（第 2 版，待重新审批）。原因：增加抽奖礼品".into())),
            "summarized" => {
                steps.push(("summary", drafter, "提交活动复盘".into()));
                steps.push(("review", manager, "总结到位，下次按建议分档发券。".into()));
            }
            "cancelled" => steps.push(("cancel", drafter, "品牌方调整排期，本次不参加".into())),
            _ => {}
        }
        if approved {
            // The ops manager has read the approved ones (not those they decided).
            if drafter != ops {
                sqlx::query(
                    "INSERT INTO campaign_acks (tenant_id, campaign_id, version, user_id, department) VALUES ($1, $2, 1, $3, 'ops')",
                )
                .bind(tid)
                .bind(id)
                .bind(ops_mgr)
                .execute(&mut **tx)
                .await?;
                steps.push(("ack", ops_mgr, "运营部经理已知悉".into()));
            }
        }
        for (kind, actor, note) in steps {
            sqlx::query(
                "INSERT INTO campaign_events (tenant_id, campaign_id, kind, actor_id, actor_name, note, at)
                 VALUES ($1, $2, $3, $4, $5, $6, now() - interval '1 day')",
            )
            .bind(tid)
            .bind(id)
            .bind(kind)
            .bind(actor)
            .bind(name(actor))
            .bind(note)
            .execute(&mut **tx)
            .await?;
        }
        if p.daily_cost_yuan > 0 {
            seed_results(tx, tid, id, p, starts_on, ends_on.min(today - Duration::days(1)), mk).await?;
        }
    }
    numbers::taken_up_to(tx, tid, "HD", plans.len() as i64).await?;
    Ok(plans.len())
}

/// Daily results for each channel of campaign `id` from `from` to `to`, varied by
/// the day, and `p.tagged` of the demo's orders of those days tagged with it.
async fn seed_results(
    tx: &mut Tx,
    tid: i64,
    id: i64,
    p: &Demo,
    from: NaiveDate,
    to: NaiveDate,
    by: i64,
) -> anyhow::Result<()> {
    let channels: Vec<String> = p.channels.iter().map(|c| c.to_string()).collect();
    let per_channel = p.daily_cost_yuan * 100 / channels.len() as i64;
    sqlx::query(
        "INSERT INTO campaign_metrics (tenant_id, campaign_id, day, channel, exposure, clicks, conversions, participants,
                                       sales_fen, cost_fen, updated_by)
         SELECT $1, $2, d::date, ch, e, e * (30 + k % 20) / 1000, e * (30 + k % 20) / 1000 * (5 + k % 4) / 100,
                e * (30 + k % 20) / 1000 * (5 + k % 4) / 100 + k % 50,
                $4 * (3 + k % 5) + (k % 7) * 1234, $4 + (k % 9) * 1000, $5
         FROM generate_series($6::date, $7::date, interval '1 day') d
         CROSS JOIN unnest($3::text[]) WITH ORDINALITY AS c(ch, ci)
         CROSS JOIN LATERAL (SELECT (extract(doy FROM d)::int * 7 + ci::int * 13) AS k) kk
         CROSS JOIN LATERAL (SELECT 20000 + (kk.k % 11) * 1500 AS e) ee",
    )
    .bind(tid)
    .bind(id)
    .bind(&channels)
    .bind(per_channel)
    .bind(by)
    .bind(from)
    .bind(to)
    .execute(&mut **tx)
    .await?;
    // The orders: platforms of its channels (taobao also tmall), ordered on its days.
    let mut platforms = channels.clone();
    if channels.iter().any(|c| c == "taobao") {
        platforms.push("tmall".into());
    }
    sqlx::query(
        "UPDATE orders o SET campaign_id = $2 FROM (
             SELECT id FROM orders WHERE tenant_id = $1 AND campaign_id IS NULL AND platform = ANY($3)
               AND ordered_at >= $4::date AND ordered_at < $5::date + 1 AND status <> 'cancelled'
             ORDER BY id LIMIT $6) pick
         WHERE o.tenant_id = $1 AND o.id = pick.id",
    )
    .bind(tid)
    .bind(id)
    .bind(&platforms)
    .bind(from)
    .bind(to)
    .bind(p.tagged)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
