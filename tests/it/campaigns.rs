//! Campaigns: drafting (validation, what was typed kept), submit and the 15-day
//! flag, approval around the director threshold, rejection and resubmission,
//! the budget raise, acknowledgements, running/ended by the dates, summary and
//! review, cancel, the list (filters, CSV), data scope, other tenants, stale
//! steps and the home queues.

use chrono::NaiveDate;
use yunying::people::{Dept, Level};

use crate::helpers::{spawn_app_on, Client, Page, TestApp};

/// Every request decides by this day.
const TODAY: &str = "2026-12-01";

pub struct Org {
    pub app: TestApp,
    pub alpha: i64,
}

/// alpha: marketing specialists `mk`, `mk2`, marketing manager `mm`; ops
/// specialist `os`, ops manager `om`; service manager `svm`, warehouse manager
/// `whm`, warehouse specialist `whs`; sales specialist `ss`; director `dir`.
/// Products P-001, P-002 (listed), P-003 (eliminated). beta: `mk`, `mm`.
pub async fn org() -> Org {
    let app = spawn_app_on(TODAY.parse().unwrap()).await;
    let alpha = app.tenant("alpha").await;
    let beta = app.tenant("beta").await;
    for (u, d, l) in [
        ("mk", Dept::Marketing, Level::Specialist),
        ("mk2", Dept::Marketing, Level::Specialist),
        ("mm", Dept::Marketing, Level::Manager),
        ("os", Dept::Ops, Level::Specialist),
        ("om", Dept::Ops, Level::Manager),
        ("svm", Dept::Service, Level::Manager),
        ("whm", Dept::Warehouse, Level::Manager),
        ("whs", Dept::Warehouse, Level::Specialist),
        ("ss", Dept::Sales, Level::Specialist),
        ("dir", Dept::Ops, Level::Director),
    ] {
        app.user(alpha, u, d, l, false).await;
    }
    app.user(beta, "mk", Dept::Marketing, Level::Specialist, false).await;
    app.user(beta, "mm", Dept::Marketing, Level::Manager, false).await;
    let mut tx = yunying::db::begin_tenant(&app.db, alpha).await.unwrap();
    sqlx::query(
        "INSERT INTO products (tenant_id, sku, name, price_fen, status) VALUES ($1, 'P-001', '保温杯', 8800, 'listed'),
         ($1, 'P-002', '收纳盒', 1250, 'listed'), ($1, 'P-003', '旧款', 100, 'eliminated')",
    )
    .bind(alpha)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    Org { app, alpha }
}

/// POST with a token from the home page (which every signed-in user can open).
pub async fn post(c: &Client, path: &str, fields: &[(&str, &str)]) -> Page {
    c.post_form("/", path, fields).await
}

fn day(offset: i64) -> String {
    (TODAY.parse::<NaiveDate>().unwrap() + chrono::Duration::days(offset)).to_string()
}

/// A plan's fields: budget (yuan), starting and ending this many days from today.
pub fn plan<'a>(theme: &'a str, budget: &'a str, starts: &'a str, ends: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("theme", theme),
        ("kind", "discount"),
        ("channels", "taobao,jd"),
        ("budget", budget),
        ("starts_on", starts),
        ("ends_on", ends),
        ("goal", "拉新 2000 人"),
        ("target_sales", "300000"),
        ("products", "P-001"),
    ]
}

pub fn id_of(page: &Page) -> i64 {
    let loc = page.location().unwrap_or_else(|| panic!("redirect expected: {} {}", page.status, page.body));
    loc.trim_start_matches("/campaigns/").parse().unwrap_or_else(|_| panic!("campaign location {loc}"))
}

/// Draft with `fields` and return the new campaign's id.
pub async fn drafted(c: &Client, fields: &[(&str, &str)]) -> i64 {
    let page = post(c, "/campaigns", fields).await;
    assert_eq!(page.status, 303, "draft: {}", page.body);
    id_of(&page)
}

pub async fn status(app: &TestApp, tenant: i64, id: i64) -> String {
    app.strings(tenant, &format!("SELECT status FROM campaigns WHERE id = {id}")).await.remove(0)
}

pub async fn act(c: &Client, id: i64, step: &str, fields: &[(&str, &str)]) -> Page {
    post(c, &format!("/campaigns/{id}/{step}"), fields).await
}

/// The `data-status` the record page shows.
async fn shown(c: &Client, id: i64) -> String {
    let page = c.get(&format!("/campaigns/{id}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let at = page.body.find("data-status=\"").expect("data-status") + 13;
    page.body[at..at + page.body[at..].find('"').unwrap()].to_owned()
}

/// Draft, submit and have `mm` (and `dir` when needed) approve: an approved
/// campaign of `mk` with these dates.
pub async fn approved(app: &TestApp, alpha: i64, theme: &str, starts: &str, ends: &str) -> i64 {
    let mk = app.signed_in("alpha", "mk").await;
    let mm = app.signed_in("alpha", "mm").await;
    let id = drafted(&mk, &plan(theme, "20000", starts, ends)).await;
    assert_eq!(act(&mk, id, "submit", &[]).await.status, 303);
    assert_eq!(act(&mm, id, "approve", &[("comment", "")]).await.status, 303);
    assert_eq!(status(app, alpha, id).await, "approved");
    id
}

#[tokio::test]
async fn drafting_validates_and_keeps_what_was_typed() {
    let Org { app, alpha } = org().await;
    let mk = app.signed_in("alpha", "mk").await;
    assert_eq!(mk.get("/campaigns/new").await.status, 200);

    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[("theme", ""), ("budget", "100")], "请填写活动主题"),
        (&[("channels", "taobao,weibo")], "未知渠道：weibo"),
        (&[("channels", "")], "请至少选择一个渠道"),
        (&[("budget", "12.345")], "金额最多两位小数"),
        (&[("budget", "-5")], "金额"),
        (&[("ends_on", "2026-11-30")], "结束日期不能早于开始日期"),
        (&[("starts_on", "2026-02-30")], "开始日期"),
        (&[("products", "P-001,NOPE")], "没有这些 SKU 的商品：NOPE"),
        (&[("products", "P-003")], "商品已汰换"),
        (&[("kind", "offline")], "线下活动请填写活动地点"),
        (&[("kind", "lottery")], "请选择活动类型"),
        (&[("goal", "")], "请填写活动目标"),
    ];
    for (changes, message) in cases {
        let mut fields = plan("双十二大促", "30000", "2026-12-20", "2026-12-25");
        for (k, v) in changes.iter() {
            fields.retain(|(f, _)| f != k);
            fields.push((k, v));
        }
        let page = post(&mk, "/campaigns", &fields).await;
        assert_eq!(page.status, 422, "{changes:?}: {}", page.body);
        assert!(page.body.contains(message), "{changes:?} names {message}: {}", page.body);
        if !changes.iter().any(|(k, _)| *k == "theme") {
            assert!(page.body.contains("value=\"双十二大促\""), "what was typed is kept");
        }
    }
    assert_eq!(app.scalar_i64(alpha, "SELECT count(*) FROM campaigns").await, 0, "nothing written");

    // Check boxes: the channels as repeated fields.
    let mut fields = plan("双十二大促", "30000", "2026-12-20", "2026-12-25");
    fields.retain(|(k, _)| *k != "channels");
    fields.extend([("channels", "douyin"), ("channels", "wechat")]);
    let id = drafted(&mk, &fields).await;
    let page = mk.get(&format!("/campaigns/{id}")).await;
    assert!(page.body.contains("HD-000001") && page.body.contains("抖音、微信"), "{}", page.body);
    assert_eq!(shown(&mk, id).await, "draft");
    assert_eq!(
        app.scalar_i64(
            alpha,
            &format!("SELECT count(*) FROM audit_log WHERE action = 'campaign.create' AND entity_id = '{id}'")
        )
        .await,
        1
    );

    // Only the drafter edits; the edit keeps its number.
    let mk2 = app.signed_in("alpha", "mk2").await;
    assert_eq!(mk2.get(&format!("/campaigns/{id}/edit")).await.status, 403);
    let page = post(&mk2, &format!("/campaigns/{id}/edit"), &plan("改", "1", "2026-12-20", "2026-12-21")).await;
    assert_eq!(page.status, 403);
    let page =
        post(&mk, &format!("/campaigns/{id}/edit"), &plan("双十二大促（修订）", "35000", "2026-12-20", "2026-12-26"))
            .await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(app.scalar_i64(alpha, &format!("SELECT budget_fen FROM campaigns WHERE id = {id}")).await, 3_500_000);
}

#[tokio::test]
async fn the_director_threshold_is_fifty_thousand_yuan_exactly() {
    let Org { app, alpha } = org().await;
    let mk = app.signed_in("alpha", "mk").await;
    let mm = app.signed_in("alpha", "mm").await;
    let dir = app.signed_in("alpha", "dir").await;
    let below = drafted(&mk, &plan("年货节 A", "49999.99", "2026-12-20", "2026-12-25")).await;
    let at = drafted(&mk, &plan("年货节 B", "50000.00", "2026-12-20", "2026-12-25")).await;
    for id in [below, at] {
        assert_eq!(act(&mk, id, "submit", &[]).await.status, 303);
        assert_eq!(act(&mm, id, "approve", &[("comment", "同意")]).await.status, 303);
    }
    assert_eq!(status(&app, alpha, below).await, "approved", "below the threshold: the manager's approval is final");
    assert_eq!(status(&app, alpha, at).await, "director_pending", "at the threshold a director approves too");
    assert_eq!(shown(&mm, at).await, "director_pending");
    // The manager cannot decide twice; the director can.
    assert_eq!(act(&mm, at, "approve", &[("comment", "")]).await.status, 409);
    assert_eq!(act(&dir, at, "approve", &[("comment", "")]).await.status, 303);
    assert_eq!(status(&app, alpha, at).await, "approved");
    assert_eq!(act(&dir, at, "approve", &[("comment", "")]).await.status, 409, "stale");
}

#[tokio::test]
async fn rejection_needs_a_comment_and_nobody_approves_their_own() {
    let Org { app, alpha } = org().await;
    let mk = app.signed_in("alpha", "mk").await;
    let mm = app.signed_in("alpha", "mm").await;
    let om = app.signed_in("alpha", "om").await;
    let svm = app.signed_in("alpha", "svm").await;
    let id = drafted(&mk, &plan("会员日", "10000", "2026-12-20", "2026-12-25")).await;
    assert_eq!(act(&mm, id, "approve", &[("comment", "")]).await.status, 409, "a draft is not submitted");
    assert_eq!(act(&mk, id, "submit", &[]).await.status, 303);
    assert_eq!(act(&mk, id, "submit", &[]).await.status, 409, "submitted twice");
    let before = app.snapshot(alpha, "campaigns", id).await;
    let page = act(&mm, id, "reject", &[("comment", " ")]).await;
    assert_eq!(page.status, 422, "{}", page.body);
    app.assert_unchanged(&before, "reject without a comment").await;
    assert_eq!(
        act(&om, id, "approve", &[("comment", "")]).await.status,
        404,
        "ops sees no marketing plan before approval"
    );
    assert_eq!(act(&mk, id, "approve", &[("comment", "")]).await.status, 403, "a specialist");
    assert_eq!(act(&svm, id, "approve", &[("comment", "")]).await.status, 403);
    app.assert_unchanged(&before, "refused approvals").await;

    assert_eq!(act(&mm, id, "reject", &[("comment", "预算测算不足")]).await.status, 303);
    assert_eq!(status(&app, alpha, id).await, "rejected");
    assert!(mk.get(&format!("/campaigns/{id}")).await.body.contains("预算测算不足"));
    // Edited and resubmitted.
    let page = post(&mk, &format!("/campaigns/{id}/edit"), &plan("会员日", "12000", "2026-12-20", "2026-12-25")).await;
    assert_eq!(page.status, 303);
    assert_eq!(act(&mk, id, "submit", &[]).await.status, 303);
    assert_eq!(status(&app, alpha, id).await, "submitted");

    // The manager's own plan waits for someone else.
    let own = drafted(&mm, &plan("经理的方案", "1000", "2026-12-20", "2026-12-25")).await;
    assert_eq!(act(&mm, own, "submit", &[]).await.status, 303);
    assert_eq!(act(&mm, own, "approve", &[("comment", "")]).await.status, 403, "nobody approves their own");
    let dir = app.signed_in("alpha", "dir").await;
    assert_eq!(act(&dir, own, "approve", &[("comment", "")]).await.status, 303);
}

#[tokio::test]
async fn a_plan_submitted_fewer_than_fifteen_days_before_is_flagged() {
    let Org { app, alpha } = org().await;
    let mk = app.signed_in("alpha", "mk").await;
    let mm = app.signed_in("alpha", "mm").await;
    let in_time = drafted(&mk, &plan("十五天", "1000", &day(15), &day(20))).await;
    let late = drafted(&mk, &plan("十四天", "1000", &day(14), &day(20))).await;
    let after = drafted(&mk, &plan("补录", "1000", &day(-3), &day(2))).await;
    for id in [in_time, late, after] {
        assert_eq!(act(&mk, id, "submit", &[]).await.status, 303);
    }
    let flags = app
        .strings(
            alpha,
            &format!("SELECT short_notice::text FROM campaigns WHERE id IN ({in_time}, {late}, {after}) ORDER BY id"),
        )
        .await;
    assert_eq!(
        flags,
        ["false", "true", "true"],
        "15 days before: in time; 14 days before and after the start: flagged"
    );
    assert!(!mm.get(&format!("/campaigns/{in_time}")).await.body.contains("data-flag=\"short_notice\""));
    assert!(mm.get(&format!("/campaigns/{late}")).await.body.contains("data-flag=\"short_notice\""));
    let home = mm.get("/").await;
    assert!(home.body.contains("campaigns.submitted"), "{}", home.body);
    assert!(home.body.contains("2 项准备期不足"), "the approver's queue says so: {}", home.body);
}

#[tokio::test]
async fn raising_the_budget_sends_it_back_and_keeps_the_versions() {
    let Org { app, alpha } = org().await;
    let mk = app.signed_in("alpha", "mk").await;
    let mm = app.signed_in("alpha", "mm").await;
    let id = approved(&app, alpha, "双十二", &day(-2), &day(5)).await;
    assert_eq!(shown(&mk, id).await, "running");

    let page = act(&mk, id, "budget", &[("budget", "20000"), ("reason", "同额")]).await;
    assert_eq!(page.status, 422, "the same budget");
    let page = act(&mk, id, "budget", &[("budget", "26000"), ("reason", "")]).await;
    assert!(page.status == 422 && page.body.contains("请填写调整预算的原因"), "{}", page.body);
    assert!(page.body.contains("value=\"26000\""), "typed budget kept");
    assert_eq!(act(&mm, id, "budget", &[("budget", "26000"), ("reason", "x")]).await.status, 403, "only the drafter");

    assert_eq!(act(&mk, id, "budget", &[("budget", "26000"), ("reason", "追加直播投放")]).await.status, 303);
    assert_eq!(status(&app, alpha, id).await, "submitted", "back for approval");
    let om = app.signed_in("alpha", "om").await;
    assert_eq!(om.get(&format!("/campaigns/{id}")).await.status, 200, "told of it once approved");
    assert_eq!(act(&om, id, "approve", &[("comment", "")]).await.status, 403, "another department's manager");
    let page = mm.get(&format!("/campaigns/{id}")).await;
    assert!(page.body.contains("data-testid=\"approved-budget\""), "{}", page.body);
    assert!(page.body.contains("已批准预算 ¥20000.00"), "{}", page.body);
    assert!(page.body.contains("第 2 版"));
    assert_eq!(
        app.scalar_i64(alpha, &format!("SELECT count(*) FROM campaign_versions WHERE campaign_id = {id}")).await,
        2
    );
    assert_eq!(act(&mm, id, "approve", &[("comment", "")]).await.status, 303);
    assert_eq!(shown(&mk, id).await, "running");
    assert_eq!(
        app.scalar_i64(alpha, &format!("SELECT approved_budget_fen FROM campaigns WHERE id = {id}")).await,
        2_600_000
    );
    // Lowering needs no approval.
    assert_eq!(act(&mk, id, "budget", &[("budget", "25000"), ("reason", "砍掉一个渠道")]).await.status, 303);
    assert_eq!(status(&app, alpha, id).await, "approved");
}

#[tokio::test]
async fn the_told_managers_see_approved_campaigns_and_acknowledge_them() {
    let Org { app, alpha } = org().await;
    let mk = app.signed_in("alpha", "mk").await;
    let svm = app.signed_in("alpha", "svm").await;
    let whm = app.signed_in("alpha", "whm").await;
    let id = drafted(&mk, &plan("双十二", "20000", &day(3), &day(8))).await;
    assert_eq!(svm.get(&format!("/campaigns/{id}")).await.status, 404, "not told of a draft");
    assert_eq!(act(&svm, id, "ack", &[]).await.status, 404);
    assert_eq!(act(&mk, id, "submit", &[]).await.status, 303);
    let mm = app.signed_in("alpha", "mm").await;
    assert_eq!(act(&mm, id, "approve", &[("comment", "")]).await.status, 303);

    let home = svm.get("/").await;
    assert!(home.body.contains("campaigns.ack"), "{}", home.body);
    let page = svm.get(&format!("/campaigns/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("data-ack=\"no\""));
    assert_eq!(act(&mk, id, "ack", &[]).await.status, 403, "marketing is not told");
    assert_eq!(act(&app.signed_in("alpha", "whs").await, id, "ack", &[]).await.status, 403);
    assert_eq!(act(&svm, id, "ack", &[]).await.status, 303);
    assert_eq!(act(&svm, id, "ack", &[]).await.status, 409, "acknowledged once");
    assert!(!svm.get("/").await.body.contains("campaigns.ack"), "the queue is done");
    let page = mk.get(&format!("/campaigns/{id}")).await;
    assert_eq!(page.body.matches("data-ack=\"yes\"").count(), 1, "{}", page.body);
    assert_eq!(page.body.matches("data-ack=\"no\"").count(), 2, "ops and warehouse not yet");
    assert!(whm.get("/campaigns?ack=due").await.body.contains("双十二"));
    assert_eq!(
        app.scalar_i64(
            alpha,
            &format!("SELECT count(*) FROM audit_log WHERE action = 'campaign.ack' AND entity_id = '{id}'")
        )
        .await,
        1
    );
}

#[tokio::test]
async fn running_and_ended_follow_the_dates_then_the_summary_and_its_review() {
    let Org { app, alpha } = org().await;
    let mk = app.signed_in("alpha", "mk").await;
    let mm = app.signed_in("alpha", "mm").await;
    let soon = approved(&app, alpha, "未开始", &day(2), &day(5)).await;
    let past = approved(&app, alpha, "已结束", &day(-9), &day(-1)).await;
    assert_eq!(shown(&mk, soon).await, "approved");
    assert_eq!(shown(&mk, past).await, "ended");
    let summary = [("summary", "复购率 18%"), ("lessons", "预热不足"), ("suggestions", "")];
    assert_eq!(act(&mk, soon, "summary", &summary).await.status, 409, "not before the end");
    let page = act(&mk, past, "summary", &[("summary", "有效果"), ("lessons", "")]).await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("请填写不足与教训"), "{}", page.body);
    assert!(page.body.contains(">有效果</textarea>"), "what was typed is kept");
    assert_eq!(act(&app.signed_in("alpha", "mk2").await, past, "summary", &summary).await.status, 403);
    assert!(mm.get("/").await.body.contains("campaigns.summary_due"));
    assert_eq!(act(&mk, past, "summary", &summary).await.status, 303);
    assert_eq!(shown(&mk, past).await, "summarized");
    // Read-only now.
    assert_eq!(act(&mk, past, "budget", &[("budget", "1"), ("reason", "x")]).await.status, 409);
    assert_eq!(act(&mk, past, "cancel", &[("reason", "x")]).await.status, 409);
    assert_eq!(act(&mk, past, "summary", &summary).await.status, 409);
    // The manager reviews it.
    assert!(mm.get("/").await.body.contains("campaigns.review"));
    assert_eq!(act(&mk, past, "review", &[("comment", "好")]).await.status, 403);
    assert_eq!(act(&mm, past, "review", &[("comment", "")]).await.status, 422);
    assert_eq!(act(&mm, past, "review", &[("comment", "总结到位")]).await.status, 303);
    assert_eq!(act(&mm, past, "review", &[("comment", "再说一次")]).await.status, 409);
    assert!(mk.get(&format!("/campaigns/{past}")).await.body.contains("总结到位"));
}

#[tokio::test]
async fn cancel_needs_a_reason_and_stops_before_the_end() {
    let Org { app, alpha } = org().await;
    let mk = app.signed_in("alpha", "mk").await;
    let os = app.signed_in("alpha", "os").await;
    let id = approved(&app, alpha, "品牌日", &day(3), &day(4)).await;
    let before = app.snapshot(alpha, "campaigns", id).await;
    assert_eq!(act(&mk, id, "cancel", &[("reason", "")]).await.status, 422);
    assert_eq!(act(&os, id, "cancel", &[("reason", "x")]).await.status, 404, "ops does not see marketing's plans");
    app.assert_unchanged(&before, "refused cancel").await;
    assert_eq!(act(&mk, id, "cancel", &[("reason", "品牌方调整排期")]).await.status, 303);
    assert_eq!(shown(&mk, id).await, "cancelled");
    assert_eq!(act(&mk, id, "cancel", &[("reason", "again")]).await.status, 409);
}

#[tokio::test]
async fn scope_roles_and_other_tenants() {
    let Org { app, alpha } = org().await;
    let mk = app.signed_in("alpha", "mk").await;
    let os = app.signed_in("alpha", "os").await;
    let id = drafted(&mk, &plan("市场部方案", "20000", &day(20), &day(25))).await;
    let ops_id = drafted(&os, &plan("运营部方案", "20000", &day(20), &day(25))).await;
    // Roles without campaigns at all: 403 on every page and POST.
    for who in ["ss", "whs"] {
        let c = app.signed_in("alpha", who).await;
        assert_eq!(c.get("/campaigns").await.status, 403, "{who}");
        assert_eq!(c.get("/campaigns.csv").await.status, 403, "{who}");
        assert_eq!(c.get(&format!("/campaigns/{id}")).await.status, 403, "{who}");
        assert_eq!(c.get("/campaigns/new").await.status, 403, "{who}");
        assert_eq!(post(&c, "/campaigns", &plan("x", "1", &day(20), &day(21))).await.status, 403, "{who}");
        for step in ["submit", "approve", "reject", "budget", "summary", "review", "cancel", "edit"] {
            let page = act(&c, id, step, &[("comment", "x"), ("reason", "x"), ("budget", "1")]).await;
            assert_eq!(page.status, 403, "{who} {step}");
        }
    }
    // Departments see their own; the director all.
    assert_eq!(os.get(&format!("/campaigns/{id}")).await.status, 404);
    assert_eq!(mk.get(&format!("/campaigns/{ops_id}")).await.status, 404);
    let list = mk.get("/campaigns").await.body;
    assert!(list.contains("市场部方案") && !list.contains("运营部方案"));
    let dir = app.signed_in("alpha", "dir").await;
    let list = dir.get("/campaigns").await.body;
    assert!(list.contains("市场部方案") && list.contains("运营部方案"));
    // Another tenant: 404 on every page and step.
    let beta_mk = app.signed_in("beta", "mk").await;
    let beta_mm = app.signed_in("beta", "mm").await;
    assert_eq!(beta_mk.get(&format!("/campaigns/{id}")).await.status, 404);
    assert_eq!(beta_mk.get(&format!("/campaigns/{id}/edit")).await.status, 404);
    for step in ["submit", "budget", "summary", "cancel", "edit"] {
        assert_eq!(act(&beta_mk, id, step, &plan("x", "1", &day(20), &day(21))).await.status, 404, "beta {step}");
    }
    for step in ["approve", "reject", "review"] {
        assert_eq!(act(&beta_mm, id, step, &[("comment", "x")]).await.status, 404, "beta {step}");
    }
    assert!(!beta_mk.get("/campaigns").await.body.contains("市场部方案"));
    assert_eq!(status(&app, alpha, id).await, "draft");
}

#[tokio::test]
async fn the_list_filters_and_exports() {
    let Org { app, alpha } = org().await;
    let mk = app.signed_in("alpha", "mk").await;
    let running = approved(&app, alpha, "进行中的活动", &day(-1), &day(3)).await;
    let _ended = approved(&app, alpha, "结束了的活动", &day(-9), &day(-2)).await;
    let (d30, d31) = (day(30), day(31));
    let mut live = plan("直播草稿", "5000", &d30, &d31);
    live.retain(|(k, _)| *k != "kind" && *k != "channels");
    live.extend([("kind", "live"), ("channels", "douyin")]);
    drafted(&mk, &live).await;

    let body = mk.get("/campaigns?status=running").await.body;
    assert!(body.contains("进行中的活动") && !body.contains("结束了的活动") && !body.contains("直播草稿"), "{body}");
    assert!(body.contains(&format!("data-campaign=\"{running}\" data-status=\"running\"")));
    let body = mk.get("/campaigns?status=ended").await.body;
    assert!(body.contains("结束了的活动") && !body.contains("进行中的活动"));
    let body = mk.get("/campaigns?kind=live").await.body;
    assert!(body.contains("直播草稿") && !body.contains("进行中的活动"));
    let body = mk.get("/campaigns?channel=douyin").await.body;
    assert!(body.contains("直播草稿") && !body.contains("进行中的活动"));
    let body = mk.get(&format!("/campaigns?from={}&to={}", day(29), day(40))).await.body;
    assert!(body.contains("直播草稿") && !body.contains("进行中的活动"));
    let body = mk.get("/campaigns?q=结束").await.body;
    assert!(body.contains("结束了的活动") && !body.contains("直播草稿"));
    assert_eq!(mk.get("/campaigns?status=bogus").await.status, 400);
    assert_eq!(mk.get("/campaigns?from=2026-13-01").await.status, 400);

    let csv = mk.get("/campaigns.csv?status=running").await;
    assert_eq!(csv.status, 200);
    assert!(csv.body.starts_with('\u{feff}'), "BOM for Excel");
    assert_eq!(csv.body.lines().count(), 2, "header and the one running campaign: {}", csv.body);
    assert!(csv.body.contains("进行中的活动") && csv.body.contains("进行中"));
}

#[tokio::test]
async fn the_record_page_shows_the_results_against_the_target() {
    let Org { app, alpha } = org().await;
    let mk = app.signed_in("alpha", "mk").await;
    let id = approved(&app, alpha, "会员日", &day(-3), &day(-1)).await;
    // Two days of results: sales ¥15,000.00 + ¥30,000.00 against a target of ¥300,000.00.
    let mut tx = yunying::db::begin_tenant(&app.owner, alpha).await.unwrap();
    sqlx::query(
        "INSERT INTO campaign_metrics (tenant_id, campaign_id, day, channel, exposure, clicks, conversions, participants, sales_fen, cost_fen)
         VALUES ($1, $2, $3::date, 'taobao', 10000, 300, 30, 40, 1500000, 250000),
                ($1, $2, $3::date + 1, 'jd', 20000, 500, 20, 25, 3000000, 500000)",
    )
    .bind(alpha)
    .bind(id)
    .bind(day(-3).parse::<NaiveDate>().unwrap())
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let page = mk.get(&format!("/campaigns/{id}")).await;
    assert_eq!(page.status, 200);
    let body = page.body;
    // CTR = 800 / 30000 = 2.67 %, CVR = 50 / 800 = 6.25 %, ROI = 45000 / 7500 = 6.00,
    // budget used = 7500 / 20000 = 37.50 %.
    for (kpi, value) in [("ctr", "2.67%"), ("cvr", "6.25%"), ("roi", "6.00"), ("budget_used", "37.50%")] {
        assert!(body.contains(&format!("data-kpi=\"{kpi}\">{value}<")), "{kpi} = {value}: {body}");
    }
    // The summary form compares with the target: 45,000 / 300,000 = 15.00 %.
    assert!(body.contains("data-testid=\"against-target\""), "{body}");
    assert!(body.contains("完成目标的 15.00%"), "{body}");
}
