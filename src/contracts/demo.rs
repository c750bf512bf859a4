//! Demo data of this module (`yunying demo`): sales and purchase contracts in every
//! state (draft, submitted, director_pending above ¥100,000, approved, rejected with
//! a comment, signed), some with lines of existing products, drafted by the sales and
//! ops specialists and decided by their managers and directors, with the history.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::db::Tx;
use crate::demo::ctx::Ctx;
use crate::people::{Dept, Level};

/// A history row: action, stage, actor, comment, when.
type Event = (&'static str, Option<&'static str>, i64, String, DateTime<Utc>);

struct Spec {
    kind: &'static str,
    title: &'static str,
    /// Yuan (ignored when the contract has lines).
    yuan: i64,
    status: &'static str,
    /// Lines of the first products: how many (0 = none).
    lines: usize,
    /// Who approved: "manager", "director" (first stage), "both".
    approved_by: &'static str,
    comment: &'static str,
    terms: &'static str,
    /// Days ago the contract was drafted.
    age: i64,
}

const SPECS: &[Spec] = &[
    Spec {
        kind: "sales",
        title: "2027年春季促销供货合同",
        yuan: 38_000,
        status: "draft",
        lines: 0,
        approved_by: "",
        comment: "",
        terms: "签订后预付30%，货到验收后15日内付清余款",
        age: 1,
    },
    Spec {
        kind: "sales",
        title: "门店日用品年度供货合同",
        yuan: 0,
        status: "draft",
        lines: 3,
        approved_by: "",
        comment: "",
        terms: "月结30天",
        age: 2,
    },
    Spec {
        kind: "sales",
        title: "电商平台旗舰店代销合同",
        yuan: 56_800,
        status: "submitted",
        lines: 0,
        approved_by: "",
        comment: "",
        terms: "每月5日对账，对账后10个工作日内付款",
        age: 3,
    },
    Spec {
        kind: "sales",
        title: "区域独家经销合同（华东）",
        yuan: 268_000,
        status: "director_pending",
        lines: 0,
        approved_by: "manager",
        comment: "价格符合公司政策，同意",
        terms: "分三期付款：40%/40%/20%",
        age: 5,
    },
    Spec {
        kind: "sales",
        title: "企业员工福利礼品采购合同",
        yuan: 72_500,
        status: "approved",
        lines: 0,
        approved_by: "manager",
        comment: "同意",
        terms: "货到付款",
        age: 7,
    },
    Spec {
        kind: "sales",
        title: "社区团购渠道供货合同",
        yuan: 45_000,
        status: "rejected",
        lines: 0,
        approved_by: "",
        comment: "付款周期过长，请改为货到30天内付清后重新提交",
        terms: "货到90天付款",
        age: 6,
    },
    Spec {
        kind: "sales",
        title: "年货节大宗订货合同",
        yuan: 128_600,
        status: "signed",
        lines: 0,
        approved_by: "both",
        comment: "同意",
        terms: "预付50%，发货前付清",
        age: 20,
    },
    Spec {
        kind: "sales",
        title: "连锁便利店季度供货合同",
        yuan: 0,
        status: "signed",
        lines: 4,
        approved_by: "manager",
        comment: "同意",
        terms: "月结45天",
        age: 30,
    },
    Spec {
        kind: "sales",
        title: "社区生鲜超市月度供货合同",
        yuan: 0,
        status: "signed",
        lines: 2,
        approved_by: "manager",
        comment: "同意",
        terms: "货到15日内付款",
        age: 12,
    },
    Spec {
        kind: "sales",
        title: "跨境电商渠道框架合同",
        yuan: 150_000,
        status: "approved",
        lines: 0,
        approved_by: "director",
        comment: "战略客户，同意",
        terms: "信用证付款",
        age: 9,
    },
    Spec {
        kind: "purchase",
        title: "包装材料年度采购合同",
        yuan: 0,
        status: "draft",
        lines: 2,
        approved_by: "",
        comment: "",
        terms: "货到验收合格后30日内付款",
        age: 1,
    },
    Spec {
        kind: "purchase",
        title: "夏季新品首批采购合同",
        yuan: 88_000,
        status: "submitted",
        lines: 0,
        approved_by: "",
        comment: "",
        terms: "预付20%，余款月结",
        age: 2,
    },
    Spec {
        kind: "purchase",
        title: "仓储货架及设备采购合同",
        yuan: 420_000,
        status: "director_pending",
        lines: 0,
        approved_by: "manager",
        comment: "已比价三家，同意",
        terms: "安装验收后付90%，质保金10%一年后付",
        age: 4,
    },
    Spec {
        kind: "purchase",
        title: "常规补货采购合同（第四季度）",
        yuan: 0,
        status: "approved",
        lines: 3,
        approved_by: "manager",
        comment: "同意",
        terms: "月结30天",
        age: 8,
    },
    Spec {
        kind: "purchase",
        title: "厨具系列追加采购合同",
        yuan: 53_200,
        status: "rejected",
        lines: 0,
        approved_by: "",
        comment: "单价高于上季度采购价，请重新议价",
        terms: "预付30%",
        age: 5,
    },
    Spec {
        kind: "purchase",
        title: "母婴用品年度框架采购合同",
        yuan: 95_000,
        status: "signed",
        lines: 0,
        approved_by: "manager",
        comment: "同意",
        terms: "月结60天",
        age: 25,
    },
];

pub async fn seed(tx: &mut Tx, ctx: &Ctx) -> Result<(), sqlx::Error> {
    let customers: Vec<i64> = partner_ids(tx, ctx.tenant_id, "customer").await?;
    let suppliers: Vec<i64> = partner_ids(tx, ctx.tenant_id, "supplier").await?;
    let products: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT id, price_fen FROM products WHERE tenant_id = $1 AND status <> 'eliminated' AND price_fen > 0 ORDER BY id LIMIT 12",
    )
    .bind(ctx.tenant_id)
    .fetch_all(&mut **tx)
    .await?;
    let now = Utc::now();
    for (i, spec) in SPECS.iter().enumerate() {
        let (dept, partners) = if spec.kind == "sales" { (Dept::Sales, &customers) } else { (Dept::Ops, &suppliers) };
        let (Some(drafter), Some(manager), Some(director)) =
            (ctx.user(dept, Level::Specialist), ctx.user(dept, Level::Manager), ctx.user(dept, Level::Director))
        else {
            continue;
        };
        let Some(&partner) = partners.get((i * 7 + ctx.n) % partners.len().max(1)) else {
            continue;
        };
        let lines: Vec<(i64, i64, i64)> = products
            .iter()
            .cycle()
            .skip(i)
            .take(if products.is_empty() { 0 } else { spec.lines })
            .enumerate()
            .map(|(j, &(pid, price))| (pid, ((i + j) as i64 % 5 + 1) * 20, price))
            .collect();
        let amount_fen = if lines.is_empty() {
            if spec.yuan > 0 {
                spec.yuan * 100
            } else {
                36_000 * 100
            }
        } else {
            lines.iter().map(|(_, q, p)| q * p).sum()
        };
        let created = now - Duration::days(spec.age) - Duration::hours(i as i64 % 7);
        let submitted = (spec.status != "draft").then(|| created + Duration::hours(3));
        let decided = submitted.map(|s| s + Duration::hours(20));
        let director_at = decided.map(|d| d + Duration::hours(26));
        let (mut m_by, mut m_at, mut m_c, mut d_by, mut d_at, mut d_c) = (None, None, "", None, None, "");
        match (spec.status, spec.approved_by) {
            ("rejected", _) => {
                m_by = Some(manager);
                m_at = decided;
                m_c = spec.comment;
            }
            (_, "manager") => {
                m_by = Some(manager);
                m_at = decided;
                m_c = spec.comment;
            }
            (_, "director") => {
                d_by = Some(director);
                d_at = decided;
                d_c = spec.comment;
            }
            (_, "both") => {
                m_by = Some(manager);
                m_at = decided;
                m_c = "同意，金额超过阈值，请总监审批";
                d_by = Some(director);
                d_at = director_at;
                d_c = spec.comment;
            }
            _ => {}
        }
        let signed_on: Option<NaiveDate> =
            (spec.status == "signed").then(|| ctx.today - Duration::days((spec.age / 2).max(1)));
        let signed_by = signed_on.map(|_| drafter);
        let updated = [Some(created), submitted, m_at, d_at].into_iter().flatten().max().unwrap_or(created);
        let id: i64 = sqlx::query_scalar(
            "WITH n AS (SELECT nextval(pg_get_serial_sequence('contracts', 'id')) AS id)
             INSERT INTO contracts (tenant_id, id, contract_no, kind, partner_id, title, amount_fen, payment_terms,
                                    delivery_date, status, department, drafted_by, submitted_at,
                                    manager_by, manager_at, manager_comment, director_by, director_at, director_comment,
                                    signed_on, signed_by, created_at, updated_at)
             SELECT $1, n.id, 'HT-' || lpad(n.id::text, 6, '0'), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,
                    $12, $13, $14, $15, $16, $17, $18, $19, $20, $21 FROM n
             RETURNING id",
        )
        .bind(ctx.tenant_id)
        .bind(spec.kind)
        .bind(partner)
        .bind(spec.title)
        .bind(amount_fen)
        .bind(spec.terms)
        .bind(ctx.today + Duration::days(15 + (i as i64 * 4) % 40))
        .bind(spec.status)
        .bind(dept.code())
        .bind(drafter)
        .bind(submitted)
        .bind(m_by)
        .bind(m_at)
        .bind(m_c)
        .bind(d_by)
        .bind(d_at)
        .bind(d_c)
        .bind(signed_on)
        .bind(signed_by)
        .bind(created)
        .bind(updated)
        .fetch_one(&mut **tx)
        .await?;
        for (pid, q, p) in &lines {
            sqlx::query(
                "INSERT INTO contract_lines (tenant_id, contract_id, product_id, quantity, price_fen, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(ctx.tenant_id)
            .bind(id)
            .bind(pid)
            .bind(q)
            .bind(p)
            .bind(created)
            .execute(&mut **tx)
            .await?;
        }
        let mut events: Vec<Event> = vec![("create", None, drafter, String::new(), created)];
        if let Some(s) = submitted {
            events.push(("submit", None, drafter, String::new(), s));
        }
        if let (Some(by), Some(at)) = (m_by, m_at) {
            let action = match (spec.status, spec.approved_by) {
                ("rejected", _) => "reject",
                ("director_pending", _) | (_, "both") => "director_pending",
                _ => "approve",
            };
            events.push((action, Some("manager"), by, m_c.to_owned(), at));
        }
        if let (Some(by), Some(at)) = (d_by, d_at) {
            events.push(("approve", Some("director"), by, d_c.to_owned(), at));
        }
        if let Some(d) = signed_on {
            events.push(("sign", None, drafter, format!("签订日期 {d}"), updated + Duration::hours(2)));
        }
        for (action, stage, actor, comment, at) in events {
            sqlx::query(
                "INSERT INTO contract_events (tenant_id, contract_id, action, stage, actor_id, comment, at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(ctx.tenant_id)
            .bind(id)
            .bind(action)
            .bind(stage)
            .bind(actor)
            .bind(comment)
            .bind(at)
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}

async fn partner_ids(tx: &mut Tx, tenant_id: i64, kind: &str) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM partners WHERE tenant_id = $1 AND kind = $2 AND is_active ORDER BY code LIMIT 50",
    )
    .bind(tenant_id)
    .bind(kind)
    .fetch_all(&mut **tx)
    .await
}
