//! The demo's complaints, over the demo's orders, one or more on every clock:
//! not answered yet (ok, due soon, overdue), answered in time (met) and late
//! (missed), resolved and closed after the return visit, and a major one with the
//! service manager. Dates are relative to the demo's "now"; written once, when
//! the demo tenant is created (as the rest of the demo).

use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use super::clock::{self, Times};
use super::codes::{Category, Channel, EventKind, Severity};
use super::repo::{self, NewComplaint, Resolution};
use crate::audit::{self, Actor, Entry};
use crate::db::{numbers, Tx};
use crate::demo::ctx::Ctx;
use crate::people::{Dept, Level};

/// One demo complaint: received this many hours before now; replied this many
/// hours after; resolved and closed (with the satisfaction) this many hours after.
struct Plan {
    received_h: i64,
    reply_h: Option<i64>,
    resolve_h: Option<i64>,
    close: Option<(i64, Option<i16>)>,
    severity: Severity,
    channel: Channel,
    category: Category,
    /// Of an order (the demo's, in turn) or not.
    with_order: bool,
    content: &'static str,
    demand: &'static str,
}

const fn plan(received_h: i64, reply_h: Option<i64>, channel: Channel, category: Category) -> Plan {
    Plan {
        received_h,
        reply_h,
        resolve_h: None,
        close: None,
        severity: Severity::Normal,
        channel,
        category,
        with_order: true,
        content: "",
        demand: "",
    }
}

/// Customers of the complaints without an order.
const WALK_IN: &[&str] = &["林晓燕", "陈建国", "赵雅琴", "孙志强"];

fn plans() -> Vec<Plan> {
    use Category as K;
    use Channel as C;
    vec![
        // Not answered yet: ok, due soon, overdue.
        Plan {
            content: "快递三天没有更新物流信息",
            demand: "尽快查明包裹去向",
            ..plan(2, None, C::Phone, K::Logistics)
        },
        Plan {
            content: "收到的杯子有裂纹", demand: "换一个新的", ..plan(21, None, C::Platform, K::Quality)
        },
        Plan {
            content: "客服答应回电但一直没有回", demand: "给个说法", ..plan(30, None, C::Online, K::Service)
        },
        Plan {
            content: "下单后第二天就降价了", demand: "退还差价", ..plan(75, None, C::Email, K::Price)
        },
        // Answered in time, still being worked on.
        Plan {
            content: "包装破损，商品有划痕",
            demand: "补发或部分退款",
            ..plan(26, Some(3), C::Platform, K::Quality)
        },
        // Answered late, resolved.
        Plan {
            resolve_h: Some(40),
            content: "配送员态度恶劣",
            demand: "道歉并改进",
            ..plan(72, Some(30), C::Store, K::Service)
        },
        // Answered in time, resolved and closed after the return visit.
        Plan {
            resolve_h: Some(20),
            close: Some((48, Some(4))),
            content: "发票抬头开错",
            demand: "重新开具发票",
            ..plan(240, Some(2), C::Phone, K::Other)
        },
        Plan {
            resolve_h: Some(30),
            close: Some((60, None)),
            content: "赠品未随货寄出",
            demand: "补寄赠品",
            with_order: false,
            ..plan(300, Some(30), C::Online, K::Logistics)
        },
        // Major: with the service manager at once, not answered yet.
        Plan {
            severity: Severity::Major,
            content: "产品使用中发热烫伤，客户要求赔偿并扬言投诉至媒体",
            demand: "赔偿医疗费用并书面道歉",
            ..plan(5, None, C::Phone, K::Quality)
        },
    ]
}

/// The demo's complaints, logged by the service specialist (major ones assigned
/// to the service manager), at fixed offsets before now.
pub async fn populate(tx: &mut Tx, ctx: &Ctx) -> anyhow::Result<()> {
    let tid = ctx.tenant_id;
    let Some(clerk) = ctx.user(Dept::Service, Level::Specialist) else {
        return Ok(());
    };
    let clerk_name = repo::display_name(tx, tid, clerk).await?.unwrap_or_else(|| "客服专员".into());
    let manager = repo::service_manager(tx, tid).await?;
    let orders = repo::demo_orders(tx, tid, 10).await?;
    let now = Utc::now();
    let hours = crate::people::tenants::TenantSettings::default().complaint_response_hours;
    let actor = Actor { user_id: Some(clerk), name: clerk_name.clone(), ip: None, request_id: None };
    let mut next_order = orders.iter().cycle();
    for (i, p) in plans().iter().enumerate() {
        let order = if p.with_order && !orders.is_empty() { next_order.next() } else { None };
        let (customer, phone) = match order {
            Some((_, receiver, phone)) => (receiver.clone(), phone.clone()),
            None => (WALK_IN[(ctx.n + i) % WALK_IN.len()].to_owned(), format!("139{:08}", 1_000_000 + i * 7919)),
        };
        let at = |h: i64| -> DateTime<Utc> { now - Duration::hours(p.received_h) + Duration::hours(h) };
        let mut times = Times::new(at(0), hours);
        let assignee = match (p.severity, &manager) {
            (Severity::Major, Some((id, _))) => Some(*id),
            (Severity::Major, None) => None,
            (Severity::Normal, _) => Some(clerk),
        };
        let no = numbers::format("TS", numbers::next(tx, tid, "TS").await?);
        let new = NewComplaint {
            customer: &customer,
            phone: &phone,
            order: order.map(|o| &o.0),
            channel: p.channel,
            category: p.category,
            severity: p.severity,
            content: p.content,
            demand: p.demand,
            times,
            assignee_id: assignee,
            created_by: clerk,
        };
        let id = repo::insert(tx, tid, &no, &new).await?;
        let by = (clerk, clerk_name.as_str());
        let logged = format!(
            "{}｜{}｜{}：{}；诉求：{}",
            p.channel.label(),
            p.category.label(),
            p.severity.label(),
            p.content,
            p.demand
        );
        repo::event(tx, tid, id, EventKind::Log, by, &logged, at(0)).await?;
        if let (Severity::Major, Some((_, name))) = (p.severity, &manager) {
            repo::event(tx, tid, id, EventKind::Assign, by, &format!("重大投诉，指派给客服经理 {name}"), at(0)).await?;
        }
        if let Some(h) = p.reply_h {
            times = clock::check_reply(&times, at(h)).map_err(|e| anyhow::anyhow!("{e:?}"))?;
            repo::replied(tx, tid, id, &times).await?;
            repo::event(tx, tid, id, EventKind::Reply, by, "已致电客户致歉，正在核实情况，会尽快给出处理方案", at(h))
                .await?;
        }
        if let Some(h) = p.resolve_h {
            let r = Resolution {
                result: "已与客户协商一致并按诉求处理",
                cause: "发货前检查不到位",
                improvement: "发货前增加抽检并培训相关人员",
                by: clerk,
                at: at(h),
                times,
            };
            repo::resolve(tx, tid, id, &r).await?;
            let note = format!("处理结果：{}；原因：{}；改进措施：{}", r.result, r.cause, r.improvement);
            repo::event(tx, tid, id, EventKind::Resolve, by, &note, at(h)).await?;
        }
        if let Some((h, satisfaction)) = p.close {
            repo::close(tx, tid, id, satisfaction, clerk, at(h)).await?;
            let note =
                satisfaction.map_or("回访（未填写满意度）".to_owned(), |n| format!("回访满意度 {n} / 5"));
            repo::event(tx, tid, id, EventKind::Close, by, &note, at(h)).await?;
        }
        let after = json!({"complaint_no": no, "sla": clock::sla(&times, now).code()});
        let summary = format!("投诉 {no}（{customer}）：{}，{}", p.category.label(), p.severity.label());
        audit::record(tx, tid, &actor, Entry::step("complaint.log", "complaint", id, summary, None, after)).await?;
    }
    Ok(())
}
