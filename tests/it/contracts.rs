//! Contracts: drafting (validation, kinds, partners), lines, submit, two-stage
//! approval around the director threshold, rejection, edit and resubmit, signing,
//! data scope, other tenants, stale transitions, concurrency, print and home queues.

use yunying::people::{Dept, Level};

use crate::helpers::{spawn_app, Client, Page, TestApp};

struct Org {
    app: TestApp,
    alpha: i64,
}

/// alpha: sales specialists `ss`, `ss2`; sales managers `sm`, `sm2`; ops specialist
/// `os`, ops manager `om`; director `dir` (ops); finance specialist `fin`; HR
/// specialist `hr`; warehouse specialist `wh`. Partners C001 (customer), S001
/// (supplier), C009 (customer, deactivated); product P-001 (¥88.00).
/// beta: sales specialist `ss`, sales manager `sm`, partner C001.
async fn org() -> Org {
    let app = spawn_app().await;
    let alpha = app.tenant("alpha").await;
    let beta = app.tenant("beta").await;
    for (u, d, l) in [
        ("ss", Dept::Sales, Level::Specialist),
        ("ss2", Dept::Sales, Level::Specialist),
        ("sm", Dept::Sales, Level::Manager),
        ("sm2", Dept::Sales, Level::Manager),
        ("os", Dept::Ops, Level::Specialist),
        ("om", Dept::Ops, Level::Manager),
        ("dir", Dept::Ops, Level::Director),
        ("fin", Dept::Finance, Level::Specialist),
        ("hr", Dept::Hr, Level::Specialist),
        ("wh", Dept::Warehouse, Level::Specialist),
    ] {
        app.user(alpha, u, d, l, false).await;
    }
    app.user(beta, "ss", Dept::Sales, Level::Specialist, false).await;
    app.user(beta, "sm", Dept::Sales, Level::Manager, false).await;
    let mut tx = yunying::db::begin_tenant(&app.db, alpha).await.unwrap();
    sqlx::query(
        "INSERT INTO partners (tenant_id, code, kind, name, is_active) VALUES
         ($1, 'C001', 'customer', '上海联华超市', true), ($1, 'S001', 'supplier', '宁波华锐塑料', true),
         ($1, 'C009', 'customer', '停用客户', false)",
    )
    .bind(alpha)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query("INSERT INTO products (tenant_id, sku, name, price_fen, status) VALUES ($1, 'P-001', '保温杯', 8800, 'listed'), ($1, 'P-002', '收纳盒', 1250, 'listed'), ($1, 'P-003', '旧款', 100, 'eliminated')")
        .bind(alpha)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = yunying::db::begin_tenant(&app.db, beta).await.unwrap();
    sqlx::query("INSERT INTO partners (tenant_id, code, kind, name) VALUES ($1, 'C001', 'customer', '北京客户')")
        .bind(beta)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    Org { app, alpha }
}

/// POST with a token from the home page (which every signed-in user can open).
async fn post(c: &Client, path: &str, fields: &[(&str, &str)]) -> Page {
    c.post_form("/", path, fields).await
}

async fn draft(c: &Client, kind: &str, partner: &str, title: &str, amount: &str) -> Page {
    post(c, "/contracts", &[("kind", kind), ("partner", partner), ("title", title), ("amount", amount)]).await
}

/// Draft and return the new contract's id.
async fn drafted(c: &Client, kind: &str, partner: &str, title: &str, amount: &str) -> i64 {
    let page = draft(c, kind, partner, title, amount).await;
    assert_eq!(page.status, 303, "draft: {}", page.body);
    id_of(&page)
}

fn id_of(page: &Page) -> i64 {
    let loc = page.location().expect("redirect");
    loc.trim_start_matches("/contracts/").parse().unwrap_or_else(|_| panic!("contract location {loc}"))
}

async fn status(app: &TestApp, tenant: i64, id: i64) -> String {
    let mut tx = yunying::db::begin_tenant(&app.db, tenant).await.unwrap();
    let s: String = sqlx::query_scalar("SELECT status FROM contracts WHERE tenant_id = $1 AND id = $2")
        .bind(tenant)
        .bind(id)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    s
}

async fn amount(app: &TestApp, tenant: i64, id: i64) -> i64 {
    app.scalar_i64(tenant, &format!("SELECT amount_fen FROM contracts WHERE id = {id}")).await
}

async fn audits(app: &TestApp, tenant: i64, action: &str, id: i64) -> i64 {
    app.scalar_i64(
        tenant,
        &format!("SELECT count(*) FROM audit_log WHERE action = '{action}' AND entity_type = 'contract' AND entity_id = '{id}'"),
    )
    .await
}

async fn act(c: &Client, id: i64, action: &str, fields: &[(&str, &str)]) -> Page {
    post(c, &format!("/contracts/{id}/{action}"), fields).await
}

#[tokio::test]
async fn drafting_validates_kinds_partners_and_keeps_what_was_typed() {
    let Org { app, alpha } = org().await;
    let ss = app.signed_in("alpha", "ss").await;
    assert_eq!(ss.get("/contracts/new").await.status, 200);

    let page = draft(&ss, "sales", "", "", "12.345").await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(page.body.contains("请填写合作伙伴编码"), "{}", page.body);
    assert!(page.body.contains("请填写合同标题"));
    assert!(page.body.contains("金额最多两位小数"));
    assert!(page.body.contains("value=\"12.345\""), "typed amount kept");

    let page = draft(&ss, "purchase", "S001", "采购合同", "100").await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("销售部只能起草销售合同"), "{}", page.body);
    assert!(page.body.contains("value=\"采购合同\""), "typed title kept");

    let page = draft(&ss, "sales", "S001", "卖给供应商", "100").await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("销售合同的合作伙伴必须是客户"), "{}", page.body);
    let page = draft(&ss, "sales", "C009", "停用客户", "100").await;
    assert!(page.status == 422 && page.body.contains("已停用"), "{}", page.body);
    let page = draft(&ss, "sales", "NOPE", "未知客户", "100").await;
    assert!(page.status == 422 && page.body.contains("没有编码为 NOPE 的合作伙伴"));
    let page = draft(&ss, "sales", "C001", "零金额", "0").await;
    assert!(page.status == 422 && page.body.contains("金额必须大于 0"));
    let page = draft(&ss, "sales", "C001", "坏日期", "10").await;
    assert_eq!(page.status, 303, "a valid draft");
    let page = post(
        &ss,
        "/contracts",
        &[("kind", "sales"), ("partner", "C001"), ("title", "日期"), ("amount", "1"), ("delivery_date", "2026-02-30")],
    )
    .await;
    assert!(page.status == 422 && page.body.contains("交货日期格式应为 YYYY-MM-DD"));
    assert_eq!(app.scalar_i64(alpha, "SELECT count(*) FROM contracts").await, 1, "only the valid draft was written");

    let id = drafted(&ss, "sales", "C001", "年度供货合同", "128000.5").await;
    assert_eq!(status(&app, alpha, id).await, "draft");
    assert_eq!(amount(&app, alpha, id).await, 12_800_050);
    let no: i64 = app
        .scalar_i64(alpha, &format!("SELECT count(*) FROM contracts WHERE id = {id} AND contract_no ~ '^HT-[0-9]{{6}}$' AND department = 'sales'"))
        .await;
    assert_eq!(no, 1);
    assert_eq!(audits(&app, alpha, "contract.create", id).await, 1);
    let show = ss.get(&format!("/contracts/{id}")).await;
    assert_eq!(show.status, 200);
    assert!(show.body.contains("年度供货合同") && show.body.contains("128,000.50"));
    assert!(show.body.contains("壹拾贰万捌仟元伍角整"), "capital numerals on the record page");

    // Ops drafts purchase contracts with suppliers only.
    let os = app.signed_in("alpha", "os").await;
    let page = draft(&os, "sales", "C001", "x", "1").await;
    assert!(page.status == 422 && page.body.contains("运营部只能起草采购合同"), "{}", page.body);
    let page = draft(&os, "purchase", "C001", "x", "1").await;
    assert!(page.status == 422 && page.body.contains("采购合同的合作伙伴必须是供应商"));
    let pid = drafted(&os, "purchase", "S001", "包材采购", "5000").await;
    assert_eq!(
        app.scalar_i64(alpha, &format!("SELECT count(*) FROM contracts WHERE id = {pid} AND department = 'ops'")).await,
        1
    );

    // Roles that may not draft or see contracts.
    let fin = app.signed_in("alpha", "fin").await;
    assert_eq!(fin.get("/contracts/new").await.status, 403);
    assert_eq!(draft(&fin, "sales", "C001", "x", "1").await.status, 403);
    let hr = app.signed_in("alpha", "hr").await;
    assert_eq!(hr.get("/contracts").await.status, 403);
    assert_eq!(hr.get(&format!("/contracts/{id}")).await.status, 403);
    let wh = app.signed_in("alpha", "wh").await;
    assert_eq!(wh.get("/contracts/new").await.status, 403);
    let dir = app.signed_in("alpha", "dir").await;
    assert_eq!(draft(&dir, "purchase", "S001", "x", "1").await.status, 403, "directors approve, they do not draft");
    assert_eq!(app.scalar_i64(alpha, "SELECT count(*) FROM contracts").await, 3);
}

#[tokio::test]
async fn delivery_dates_outside_1900_to_2100_are_refused_with_the_range_named() {
    let Org { app, alpha } = org().await;
    let ss = app.signed_in("alpha", "ss").await;
    for date in ["0000-01-01", "9999-12-31", "1899-12-31"] {
        let page = post(
            &ss,
            "/contracts",
            &[("kind", "sales"), ("partner", "C001"), ("title", "远期"), ("amount", "1"), ("delivery_date", date)],
        )
        .await;
        assert_eq!(page.status, 422, "{date}: {}", page.body);
        assert!(page.body.contains("交货日期超出范围（应在 1900-01-01 至 2100-12-31 之间）"), "{date}: {}", page.body);
        assert!(page.body.contains(&format!("value=\"{date}\"")), "typed date kept");
    }
    assert_eq!(app.scalar_i64(alpha, "SELECT count(*) FROM contracts").await, 0, "nothing written");
    let page = post(
        &ss,
        "/contracts",
        &[("kind", "sales"), ("partner", "C001"), ("title", "远期"), ("amount", "1"), ("delivery_date", "2100-12-31")],
    )
    .await;
    assert_eq!(page.status, 303, "the last day of the range: {}", page.body);
}

#[tokio::test]
async fn the_director_threshold_decides_between_one_and_two_stages() {
    let Org { app, alpha } = org().await;
    let ss = app.signed_in("alpha", "ss").await;
    let sm = app.signed_in("alpha", "sm").await;
    let sm2 = app.signed_in("alpha", "sm2").await;
    let dir = app.signed_in("alpha", "dir").await;

    // Just below the threshold (¥100,000.00): the manager's approval is final.
    let below = drafted(&ss, "sales", "C001", "低于阈值", "99999.99").await;
    assert_eq!(act(&ss, below, "submit", &[]).await.status, 303);
    assert_eq!(status(&app, alpha, below).await, "submitted");
    assert_eq!(audits(&app, alpha, "contract.submit", below).await, 1);
    let page = act(&sm, below, "approve", &[("comment", "同意")]).await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(page.location(), Some(format!("/contracts/{below}").as_str()));
    assert_eq!(status(&app, alpha, below).await, "approved");

    // At the threshold: manager → director_pending → the director approves.
    let at = drafted(&ss, "sales", "C001", "达到阈值", "100000").await;
    act(&ss, at, "submit", &[]).await;
    assert_eq!(act(&sm, at, "approve", &[("comment", "同意，请总监审批")]).await.status, 303);
    assert_eq!(status(&app, alpha, at).await, "director_pending");
    // The managers' stage is over: 409, nothing changed.
    let before = app.snapshot(alpha, "contracts", at).await;
    assert_eq!(act(&sm, at, "approve", &[]).await.status, 409);
    assert_eq!(act(&sm2, at, "approve", &[]).await.status, 409);
    assert_eq!(act(&sm2, at, "reject", &[("comment", "不同意")]).await.status, 409);
    assert_eq!(status(&app, alpha, at).await, "director_pending");
    app.assert_unchanged(&before, "managers deciding at the director's stage").await;
    let home = dir.get("/").await;
    assert!(home.body.contains("待总监审批合同"), "the director's home queue");
    let page = dir.get(&format!("/contracts/{at}")).await;
    assert!(page.body.contains("/contracts/") && page.body.contains("批准"), "the director sees the buttons");
    assert_eq!(act(&dir, at, "approve", &[("comment", "同意")]).await.status, 303);
    assert_eq!(status(&app, alpha, at).await, "approved");
    let before = app.snapshot(alpha, "contracts", at).await;
    assert_eq!(act(&dir, at, "approve", &[]).await.status, 409, "already approved");
    app.assert_unchanged(&before, "approving an approved contract").await;
    let history = ss.get(&format!("/contracts/{at}")).await.body;
    assert!(history.contains("经理批准，转总监审批") && history.contains("总监批准"), "{history}");
    assert!(history.contains("同意，请总监审批"));
    assert_eq!(audits(&app, alpha, "contract.approve", at).await, 2);
    let by: i64 = app
        .scalar_i64(
            alpha,
            &format!(
                "SELECT count(*) FROM contracts WHERE id = {at} AND manager_by IS NOT NULL AND director_by IS NOT NULL"
            ),
        )
        .await;
    assert_eq!(by, 1, "both stages recorded");

    // A director decides at the first stage: final.
    let first = drafted(&ss, "sales", "C001", "总监直接审批", "500000").await;
    act(&ss, first, "submit", &[]).await;
    assert_eq!(act(&dir, first, "approve", &[]).await.status, 303);
    assert_eq!(status(&app, alpha, first).await, "approved");

    // The director rejects at the second stage (comment required).
    let second = drafted(&ss, "sales", "C001", "总监驳回", "200000").await;
    act(&ss, second, "submit", &[]).await;
    act(&sm, second, "approve", &[]).await;
    let page = act(&dir, second, "reject", &[("comment", "  ")]).await;
    assert_eq!(page.status, 422);
    assert_eq!(status(&app, alpha, second).await, "director_pending");
    assert_eq!(act(&dir, second, "reject", &[("comment", "价格过低")]).await.status, 303);
    assert_eq!(status(&app, alpha, second).await, "rejected");
    assert!(ss.get(&format!("/contracts/{second}")).await.body.contains("总监驳回"));
}

#[tokio::test]
async fn rejected_contracts_are_edited_with_lines_resubmitted_approved_and_signed() {
    let Org { app, alpha } = org().await;
    let ss = app.signed_in("alpha", "ss").await;
    let ss2 = app.signed_in("alpha", "ss2").await;
    let sm = app.signed_in("alpha", "sm").await;
    let os = app.signed_in("alpha", "os").await;
    let fin = app.signed_in("alpha", "fin").await;
    let id = drafted(&ss, "sales", "C001", "待修改合同", "5000").await;
    assert_eq!(act(&ss, id, "submit", &[]).await.status, 303);

    // Rejecting needs a comment: the page again, nothing changed.
    let page = act(&sm, id, "reject", &[("comment", "")]).await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("驳回时必须填写审批意见"), "{}", page.body);
    assert_eq!(status(&app, alpha, id).await, "submitted");
    assert_eq!(audits(&app, alpha, "contract.reject", id).await, 0);
    assert_eq!(act(&sm, id, "reject", &[("comment", "付款条件请写清楚")]).await.status, 303);
    assert_eq!(status(&app, alpha, id).await, "rejected");
    assert_eq!(audits(&app, alpha, "contract.reject", id).await, 1);
    let page = ss.get(&format!("/contracts/{id}")).await;
    assert!(page.body.contains("付款条件请写清楚") && page.body.contains("重新提交审批"));

    // Only the drafter edits.
    assert_eq!(ss2.get(&format!("/contracts/{id}/edit")).await.status, 404, "another specialist: out of scope");
    assert_eq!(sm.get(&format!("/contracts/{id}/edit")).await.status, 403, "the manager sees it but does not edit");
    assert_eq!(ss.get(&format!("/contracts/{id}/edit")).await.status, 200);
    let page =
        post(&ss, &format!("/contracts/{id}/edit"), &[("partner", "C001"), ("title", ""), ("amount", "abc")]).await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("请填写合同标题") && page.body.contains("value=\"abc\""));
    let page = post(
        &ss,
        &format!("/contracts/{id}/edit"),
        &[("partner", "C001"), ("title", "已修改合同"), ("amount", "6000"), ("payment_terms", "货到30天内付清")],
    )
    .await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(amount(&app, alpha, id).await, 600_000);
    assert_eq!(audits(&app, alpha, "contract.update", id).await, 1);

    // Lines: the amount becomes their sum.
    let lines = format!("/contracts/{id}/lines");
    let page = post(&ss, &lines, &[("sku", "NOPE"), ("quantity", "0"), ("price", "1.234")]).await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("没有 SKU 为 NOPE 的商品") && page.body.contains("数量应为"));
    let page = post(&ss, &lines, &[("sku", "P-003"), ("quantity", "1")]).await;
    assert!(page.status == 422 && page.body.contains("已汰换"), "eliminated products are not contracted");
    assert_eq!(post(&ss, &lines, &[("sku", "P-001"), ("quantity", "3"), ("price", "100.50")]).await.status, 303);
    assert_eq!(amount(&app, alpha, id).await, 30_150);
    assert_eq!(post(&ss, &lines, &[("sku", "P-002"), ("quantity", "2"), ("price", "")]).await.status, 303);
    assert_eq!(amount(&app, alpha, id).await, 30_150 + 2_500, "the product's price by default");
    // A typed amount is ignored while there are lines.
    post(&ss, &format!("/contracts/{id}/edit"), &[("partner", "C001"), ("title", "已修改合同"), ("amount", "999")])
        .await;
    assert_eq!(amount(&app, alpha, id).await, 32_650);
    let before = app.snapshot(alpha, "contracts", id).await;
    let lines_before = app.scalar_i64(alpha, "SELECT count(*) FROM contract_lines").await;
    assert_eq!(post(&sm, &lines, &[("sku", "P-001"), ("quantity", "1")]).await.status, 403, "not the drafter");
    app.assert_unchanged(&before, "a line added by the manager").await;
    assert_eq!(app.scalar_i64(alpha, "SELECT count(*) FROM contract_lines").await, lines_before);
    let first_line =
        app.scalar_i64(alpha, &format!("SELECT min(id) FROM contract_lines WHERE contract_id = {id}")).await;
    assert_eq!(post(&ss, &format!("/contracts/{id}/lines/{first_line}/delete"), &[]).await.status, 303);
    assert_eq!(amount(&app, alpha, id).await, 2_500);
    assert_eq!(audits(&app, alpha, "contract.line_add", id).await, 2);
    assert_eq!(audits(&app, alpha, "contract.line_remove", id).await, 1);
    let sum = app
        .scalar_i64(
            alpha,
            &format!("SELECT sum(quantity * price_fen)::bigint FROM contract_lines WHERE contract_id = {id}"),
        )
        .await;
    assert_eq!(sum, amount(&app, alpha, id).await, "lines sum = amount");

    // Resubmit, approve; no more edits.
    let before = app.snapshot(alpha, "contracts", id).await;
    assert_eq!(act(&sm, id, "submit", &[]).await.status, 403, "only the drafter submits");
    assert_eq!(act(&ss2, id, "submit", &[]).await.status, 404);
    app.assert_unchanged(&before, "a submission by others than the drafter").await;
    assert_eq!(act(&ss, id, "submit", &[]).await.status, 303);
    let before = app.snapshot(alpha, "contracts", id).await;
    assert_eq!(act(&ss, id, "submit", &[]).await.status, 409, "already submitted");
    app.assert_unchanged(&before, "submitting a submitted contract").await;
    assert_eq!(act(&sm, id, "approve", &[]).await.status, 303);
    assert_eq!(status(&app, alpha, id).await, "approved");
    let before = app.snapshot(alpha, "contracts", id).await;
    let lines_before = app.scalar_i64(alpha, "SELECT count(*) FROM contract_lines").await;
    assert_eq!(ss.get(&format!("/contracts/{id}/edit")).await.status, 409);
    assert_eq!(post(&ss, &lines, &[("sku", "P-001"), ("quantity", "1")]).await.status, 409);
    assert_eq!(act(&ss, id, "submit", &[]).await.status, 409);

    // Sign: the drafter or their manager, once approved, with a valid date.
    assert_eq!(act(&os, id, "sign", &[("signed_on", "2026-01-05")]).await.status, 404, "other department");
    assert_eq!(act(&ss2, id, "sign", &[("signed_on", "2026-01-05")]).await.status, 404);
    assert_eq!(act(&fin, id, "sign", &[("signed_on", "2026-01-05")]).await.status, 403, "finance reads only");
    app.assert_unchanged(&before, "edits, submission and signing refused on an approved contract").await;
    assert_eq!(app.scalar_i64(alpha, "SELECT count(*) FROM contract_lines").await, lines_before);
    let page = act(&ss, id, "sign", &[("signed_on", "2026-13-01")]).await;
    assert!(page.status == 422 && page.body.contains("请填写签订日期"), "{}", page.body);
    assert!(page.body.contains("value=\"2026-13-01\""), "typed date kept");
    let page = act(&ss, id, "sign", &[("signed_on", "2999-01-01")]).await;
    assert!(page.status == 422 && page.body.contains("不能晚于今天"));
    assert_eq!(status(&app, alpha, id).await, "approved");
    assert_eq!(act(&ss, id, "sign", &[("signed_on", "2026-01-05")]).await.status, 303);
    assert_eq!(status(&app, alpha, id).await, "signed");
    let before = app.snapshot(alpha, "contracts", id).await;
    assert_eq!(act(&sm, id, "sign", &[("signed_on", "2026-01-06")]).await.status, 409, "already signed");
    app.assert_unchanged(&before, "signing a signed contract").await;
    assert_eq!(
        app.scalar_i64(alpha, &format!("SELECT count(*) FROM contracts WHERE id = {id} AND signed_on = '2026-01-05'"))
            .await,
        1
    );
    assert_eq!(audits(&app, alpha, "contract.sign", id).await, 1);
    let page = ss.get(&format!("/contracts/{id}")).await;
    for step in ["起草", "提交审批", "经理驳回", "修改", "经理批准", "签订"] {
        assert!(page.body.contains(step), "history has {step}");
    }

    // The manager may sign too.
    let other = drafted(&ss, "sales", "C001", "经理签订", "100").await;
    act(&ss, other, "submit", &[]).await;
    act(&sm, other, "approve", &[]).await;
    assert_eq!(act(&sm, other, "sign", &[("signed_on", "2026-01-05")]).await.status, 303);
}

#[tokio::test]
async fn permissions_scope_and_other_tenants() {
    let Org { app, alpha } = org().await;
    let ss = app.signed_in("alpha", "ss").await;
    let ss2 = app.signed_in("alpha", "ss2").await;
    let sm = app.signed_in("alpha", "sm").await;
    let sm2 = app.signed_in("alpha", "sm2").await;
    let om = app.signed_in("alpha", "om").await;
    let os = app.signed_in("alpha", "os").await;
    let dir = app.signed_in("alpha", "dir").await;
    let fin = app.signed_in("alpha", "fin").await;
    let beta_sm = app.signed_in("beta", "sm").await;

    let mine = drafted(&ss, "sales", "C001", "专员甲的合同", "1000").await;
    let theirs = drafted(&ss2, "sales", "C001", "专员乙的合同", "1000").await;
    let purchase = drafted(&os, "purchase", "S001", "运营采购合同", "1000").await;
    act(&ss, mine, "submit", &[]).await;

    // Read scope.
    assert_eq!(ss.get(&format!("/contracts/{theirs}")).await.status, 404, "another specialist's draft");
    assert_eq!(ss.get(&format!("/contracts/{theirs}/print")).await.status, 404);
    assert_eq!(om.get(&format!("/contracts/{mine}")).await.status, 404, "another department");
    assert_eq!(sm.get(&format!("/contracts/{purchase}")).await.status, 404);
    assert_eq!(beta_sm.get(&format!("/contracts/{mine}")).await.status, 404, "another tenant");
    for c in [&sm, &dir, &fin] {
        assert_eq!(c.get(&format!("/contracts/{mine}")).await.status, 200);
    }
    let list = ss.get("/contracts").await.body;
    assert!(list.contains("专员甲的合同") && !list.contains("专员乙的合同") && !list.contains("运营采购合同"));
    let list = sm.get("/contracts").await.body;
    assert!(list.contains("专员甲的合同") && list.contains("专员乙的合同") && !list.contains("运营采购合同"));
    let list = om.get("/contracts").await.body;
    assert!(!list.contains("专员甲的合同") && list.contains("运营采购合同"));
    for c in [&dir, &fin] {
        let list = c.get("/contracts").await.body;
        assert!(list.contains("专员甲的合同") && list.contains("专员乙的合同") && list.contains("运营采购合同"));
    }
    let list = sm.get("/contracts?status=submitted&kind=sales&partner=C001&q=%E7%94%B2").await.body;
    assert!(list.contains("专员甲的合同") && !list.contains("专员乙的合同"), "filters");
    assert!(sm.get("/contracts?status=signed").await.body.contains("没有符合条件的合同"), "empty state");
    assert_eq!(sm.get("/contracts?status=bogus").await.status, 400);

    // Deciding: 403 without permission or for one's own, 404 out of scope or tenant.
    let before = app.snapshot(alpha, "contracts", mine).await;
    assert_eq!(act(&ss, mine, "approve", &[]).await.status, 403, "specialists do not approve");
    assert_eq!(act(&fin, mine, "approve", &[]).await.status, 403, "finance reads only");
    assert_eq!(act(&fin, mine, "reject", &[("comment", "x")]).await.status, 403);
    assert_eq!(act(&om, mine, "approve", &[]).await.status, 404, "the ops manager cannot see sales contracts");
    assert_eq!(act(&beta_sm, mine, "approve", &[]).await.status, 404, "another tenant");
    assert_eq!(act(&beta_sm, mine, "reject", &[("comment", "x")]).await.status, 404);
    assert_eq!(act(&ss2, mine, "submit", &[]).await.status, 404);
    assert_eq!(status(&app, alpha, mine).await, "submitted");
    app.assert_unchanged(&before, "decisions without permission, scope or tenant").await;
    let fin_page = fin.get(&format!("/contracts/{mine}")).await.body;
    assert!(!fin_page.contains("/approve"), "no buttons for finance");
    assert!(sm.get(&format!("/contracts/{mine}")).await.body.contains(&format!("/contracts/{mine}/approve")));

    // A manager's own contract goes to another manager (or a director).
    let own = drafted(&sm, "sales", "C001", "经理自己的合同", "1000").await;
    act(&sm, own, "submit", &[]).await;
    let before = app.snapshot(alpha, "contracts", own).await;
    assert_eq!(act(&sm, own, "approve", &[]).await.status, 403, "nobody approves their own contract");
    assert_eq!(act(&sm, own, "reject", &[("comment", "x")]).await.status, 403);
    app.assert_unchanged(&before, "a manager deciding their own contract").await;
    assert!(!sm.get(&format!("/contracts/{own}")).await.body.contains(&format!("/contracts/{own}/approve")));
    assert_eq!(act(&sm2, own, "approve", &[]).await.status, 303);
    assert_eq!(status(&app, alpha, own).await, "approved");

    // Purchase contracts go to the ops manager; the sales managers cannot see them.
    act(&os, purchase, "submit", &[]).await;
    let before = app.snapshot(alpha, "contracts", purchase).await;
    assert_eq!(act(&sm, purchase, "approve", &[]).await.status, 404);
    assert_eq!(act(&os, purchase, "approve", &[]).await.status, 403);
    app.assert_unchanged(&before, "a purchase contract decided by sales or its drafter").await;
    assert_eq!(act(&om, purchase, "approve", &[]).await.status, 303);
    assert_eq!(status(&app, alpha, purchase).await, "approved");
    assert_eq!(act(&om, purchase, "sign", &[("signed_on", "2026-01-05")]).await.status, 303, "the ops manager signs");

    // Another tenant: 404 on every page and step.
    let beta_ss = app.signed_in("beta", "ss").await;
    let before = app.snapshot(alpha, "contracts", theirs).await;
    for path in
        [format!("/contracts/{theirs}"), format!("/contracts/{theirs}/print"), format!("/contracts/{theirs}/edit")]
    {
        assert_eq!(beta_ss.get(&path).await.status, 404, "{path}");
    }
    for step in ["submit", "sign", "edit", "lines"] {
        assert_eq!(act(&beta_ss, theirs, step, &[("signed_on", "2026-01-05")]).await.status, 404, "{step}");
        app.assert_unchanged(&before, &format!("{step} by another tenant")).await;
    }

    // Decisions on a draft are stale (not submitted).
    assert_eq!(act(&sm, theirs, "approve", &[]).await.status, 409);
    assert_eq!(status(&app, alpha, theirs).await, "draft");
    app.assert_unchanged(&before, "approving a draft").await;
    let before = app.snapshot(alpha, "contracts", mine).await;
    assert_eq!(act(&ss, mine, "sign", &[("signed_on", "2026-01-05")]).await.status, 409, "not approved yet");
    app.assert_unchanged(&before, "signing a submitted contract").await;
}

#[tokio::test]
async fn two_managers_approving_at_once_exactly_one_wins() {
    let Org { app, alpha } = org().await;
    let ss = app.signed_in("alpha", "ss").await;
    let sm = app.signed_in("alpha", "sm").await;
    let sm2 = app.signed_in("alpha", "sm2").await;
    for round in 0..3 {
        let id = drafted(&ss, "sales", "C001", &format!("并发审批 {round}"), "2000").await;
        act(&ss, id, "submit", &[]).await;
        let t1 = sm.get("/").await.csrf();
        let t2 = sm2.get("/").await.csrf();
        let path = format!("/contracts/{id}/approve");
        let f1 = [("csrf_token", t1.as_str()), ("comment", "甲")];
        let f2 = [("csrf_token", t2.as_str()), ("comment", "乙")];
        // The test holds the contract's row first: both approvals start and wait for
        // it, then go on one after the other.
        let lock = app.hold_lock(alpha, &format!("SELECT 1 FROM contracts WHERE id = {id} FOR UPDATE")).await;
        let (a, b) = crate::helpers::overlapping(&app, lock, 2, async {
            tokio::join!(sm.post_raw(&path, &f1, &[]), sm2.post_raw(&path, &f2, &[]))
        })
        .await;
        let mut codes = [a.status, b.status];
        codes.sort_unstable();
        assert_eq!(codes, [303, 409], "round {round}");
        assert_eq!(status(&app, alpha, id).await, "approved");
        assert_eq!(audits(&app, alpha, "contract.approve", id).await, 1);
        assert_eq!(
            app.scalar_i64(
                alpha,
                &format!("SELECT count(*) FROM contract_events WHERE contract_id = {id} AND action = 'approve'")
            )
            .await,
            1
        );
    }
}

#[tokio::test]
async fn print_page_and_home_queues() {
    let Org { app, alpha: _ } = org().await;
    let ss = app.signed_in("alpha", "ss").await;
    let sm = app.signed_in("alpha", "sm").await;
    let id = drafted(&ss, "sales", "C001", "打印合同", "123456.78").await;
    let page = ss.get(&format!("/contracts/{id}/print")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("壹拾贰万叁仟肆佰伍拾陆元柒角捌分"), "{}", page.body);
    assert!(page.body.contains("¥123,456.78") && page.body.contains("上海联华超市"));
    assert!(page.body.contains("print-page") && !page.body.contains("sidenav"), "a clean print layout");

    let home = ss.get("/").await.body;
    assert!(home.contains("我的合同草稿与被驳回合同"), "the drafter's own drafts");
    assert!(!sm.get("/").await.body.contains("待审批合同"));
    act(&ss, id, "submit", &[]).await;
    let home = sm.get("/").await.body;
    assert!(home.contains("待审批合同") && home.contains("/contracts?status=submitted"), "the manager's queue");
    let fin = app.signed_in("alpha", "fin").await;
    let home = fin.get("/").await;
    assert_eq!(home.status, 200);
    assert!(!home.body.contains("待审批合同"));
    assert_eq!(ss.get("/contracts?mine=1").await.status, 200);
}

#[tokio::test]
async fn demo_data_has_partners_and_contracts_in_every_state() {
    let app = spawn_app().await;
    let t = app.tenant("demo").await;
    let mut users = Vec::new();
    for dept in [Dept::Sales, Dept::Ops] {
        for level in [Level::Specialist, Level::Manager, Level::Director] {
            let name = format!("{}.{}", dept.code(), level.code());
            users.push((name.clone(), app.user(t, &name, dept, level, false).await, dept, level));
        }
    }
    let mut tx = yunying::db::begin_tenant(&app.db, t).await.unwrap();
    sqlx::query(
        "INSERT INTO products (tenant_id, sku, name, price_fen, status)
         SELECT $1, 'SKU-' || g, '演示商品' || g, 1000 * g, 'listed' FROM generate_series(1, 5) g",
    )
    .bind(t)
    .execute(&mut *tx)
    .await
    .unwrap();
    // A fixed day, as the purchasing and stocktake demo tests use: what is seeded does
    // not change with the day the test runs.
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    let ctx = yunying::demo::supply::Ctx { tenant_id: t, n: 0, products: 5, orders: 0, today, users };
    yunying::partners::demo::seed(&mut tx, &ctx).await.unwrap();
    yunying::contracts::demo::seed(&mut tx, &ctx).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(app.scalar_i64(t, "SELECT count(*) FROM partners WHERE kind = 'supplier'").await, 20);
    assert_eq!(app.scalar_i64(t, "SELECT count(*) FROM partners WHERE kind = 'customer'").await, 30);
    for s in ["draft", "submitted", "director_pending", "approved", "rejected", "signed"] {
        let n = app.scalar_i64(t, &format!("SELECT count(*) FROM contracts WHERE status = '{s}'")).await;
        assert!(n > 0, "no demo contract is {s}");
    }
    assert_eq!(
        app.scalar_i64(t, "SELECT count(*) FROM contracts WHERE status = 'director_pending' AND amount_fen < 10000000")
            .await,
        0,
        "awaiting a director only above the threshold"
    );
    assert!(app.scalar_i64(t, "SELECT count(*) FROM contract_lines").await > 0);
    let mismatched = app
        .scalar_i64(
            t,
            "SELECT count(*) FROM contracts c WHERE EXISTS (SELECT 1 FROM contract_lines l WHERE l.contract_id = c.id)
               AND c.amount_fen <> (SELECT sum(quantity * price_fen) FROM contract_lines l WHERE l.contract_id = c.id)",
        )
        .await;
    assert_eq!(mismatched, 0, "lines sum = amount");
    assert!(
        app.scalar_i64(t, "SELECT count(*) FROM contracts WHERE status = 'rejected' AND manager_comment <> ''").await
            > 0
    );
    // Every page renders for the people who see it.
    let ids: Vec<i64> = {
        let mut tx = yunying::db::begin_tenant(&app.db, t).await.unwrap();
        let ids = sqlx::query_scalar("SELECT id FROM contracts ORDER BY id").fetch_all(&mut *tx).await.unwrap();
        tx.commit().await.unwrap();
        ids
    };
    let dir = app.signed_in("demo", "sales.director").await;
    assert_eq!(dir.get("/partners").await.status, 200);
    assert_eq!(dir.get("/contracts").await.status, 200);
    for id in ids {
        assert_eq!(dir.get(&format!("/contracts/{id}")).await.status, 200);
        assert_eq!(dir.get(&format!("/contracts/{id}/print")).await.status, 200);
    }
    let sm = app.signed_in("demo", "sales.manager").await;
    assert!(sm.get("/").await.body.contains("待审批合同"));
    let home = dir.get("/").await.body;
    assert!(home.contains("待总监审批合同"));
}
