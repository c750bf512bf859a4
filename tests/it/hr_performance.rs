//! Performance scores: who scores whom, validation, grades and coefficients from the
//! policy, HR's missing list and the scores CSV upload, the two-month 不合格 mark.

use chrono::Datelike;
use reqwest::multipart::{Form, Part};
use yunying::people::{Dept, Level};

use crate::helpers::{csrf_from, spawn_app, spawn_app_on, Client, Page, TestApp};
use crate::hr_leave::{employee, staff};

struct Org {
    app: TestApp,
    alpha: i64,
    mgr_user: i64,
    /// Employee ids.
    e100: i64,
    e101: i64,
    e102: i64,
    e200: i64,
    e201: i64,
    beta_e101: i64,
}

/// alpha: ops manager `mgr` (E100), ops specialists `spec` (E101), E102 (no login),
/// sales manager `smgr` (E200), sales specialist E201, director `dir` (E001), HR
/// specialist `hr` (E301); E900 hired 2026-11-16 and E901 left 2026-09-30 (not
/// employed in October). beta: ops specialist E101.
async fn org() -> Org {
    org_in(spawn_app().await).await
}

/// The same organisation in `app`.
async fn org_in(app: TestApp) -> Org {
    let alpha = app.tenant("alpha").await;
    let beta = app.tenant("beta").await;
    let (mgr_user, e100) = staff(&app, alpha, "mgr", "E100", Dept::Ops, Level::Manager).await;
    let (_, e101) = staff(&app, alpha, "spec", "E101", Dept::Ops, Level::Specialist).await;
    let e102 = employee(&app, alpha, "E102", "李四", Dept::Ops, Level::Specialist).await;
    let (_, e200) = staff(&app, alpha, "smgr", "E200", Dept::Sales, Level::Manager).await;
    let e201 = employee(&app, alpha, "E201", "王五", Dept::Sales, Level::Specialist).await;
    staff(&app, alpha, "dir", "E001", Dept::Ops, Level::Director).await;
    staff(&app, alpha, "hr", "E301", Dept::Hr, Level::Specialist).await;
    let e900 = employee(&app, alpha, "E900", "新人", Dept::Ops, Level::Specialist).await;
    let e901 = employee(&app, alpha, "E901", "离职", Dept::Ops, Level::Specialist).await;
    let mut tx = yunying::db::begin_tenant(&app.db, alpha).await.expect("tx");
    sqlx::query("UPDATE employees SET hired_on = '2026-11-16' WHERE tenant_id = $1 AND id = $2")
        .bind(alpha)
        .bind(e900)
        .execute(&mut *tx)
        .await
        .expect("hire");
    sqlx::query(
        "UPDATE employees SET hired_on = '2025-01-01', left_on = '2026-09-30' WHERE tenant_id = $1 AND id = $2",
    )
    .bind(alpha)
    .bind(e901)
    .execute(&mut *tx)
    .await
    .expect("leave");
    tx.commit().await.expect("commit");
    let (_, beta_e101) = staff(&app, beta, "spec", "E101", Dept::Ops, Level::Specialist).await;
    Org { app, alpha, mgr_user, e100, e101, e102, e200, e201, beta_e101 }
}

async fn post_score(c: &Client, month: &str, employee_id: i64, score: &str, comment: &str) -> Page {
    let id = employee_id.to_string();
    c.post_form(
        "/performance/me",
        "/performance",
        &[("month", month), ("employee_id", &id), ("score", score), ("comment", comment)],
    )
    .await
}

async fn tenths(app: &TestApp, tenant: i64, employee_id: i64, month: &str) -> i64 {
    app.scalar_i64(
        tenant,
        &format!(
            "SELECT coalesce((SELECT score_tenths::bigint FROM performance_scores WHERE employee_id = {employee_id} AND month = '{month}-01'), -1)"
        ),
    )
    .await
}

/// The `<tr data-employee="…">` row of a page.
fn row<'a>(body: &'a str, employee_no: &str) -> &'a str {
    let marker = format!("data-employee=\"{employee_no}\"");
    let start = body.find(&marker).unwrap_or_else(|| panic!("no row {employee_no} in {body}"));
    let end = body[start..].find("</tr>").map_or(body.len(), |e| start + e);
    &body[start..end]
}

#[tokio::test]
async fn manager_scores_department_specialists_with_grade_and_coefficient() {
    let o = org().await;
    let mgr = o.app.signed_in("alpha", "mgr").await;
    let page = mgr.get("/performance?month=2026-10").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("data-employee=\"E101\"") && page.body.contains("data-employee=\"E102\""));
    for other in ["E100", "E200", "E201", "E001", "E900", "E901"] {
        assert!(!page.body.contains(&format!("data-employee=\"{other}\"")), "{other} must not be listed");
    }
    assert!(page.body.contains("data-testid=\"missing-count\">2<"), "{}", page.body);

    let res = post_score(&mgr, "2026-10", o.e101, " 85 ", "完成良好").await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(res.location(), Some("/performance?month=2026-10"));
    let res = post_score(&mgr, "2026-10", o.e102, "59.9", "").await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(tenths(&o.app, o.alpha, o.e101, "2026-10").await, 850);
    assert_eq!(tenths(&o.app, o.alpha, o.e102, "2026-10").await, 599);
    assert_eq!(
        o.app
            .scalar_i64(
                o.alpha,
                &format!("SELECT scored_by FROM performance_scores WHERE employee_id = {} AND source = 'web'", o.e101)
            )
            .await,
        o.mgr_user
    );
    let page = mgr.get("/performance?month=2026-10").await;
    let r = row(&page.body, "E101");
    assert!(r.contains("85.0") && r.contains("良好") && r.contains(">1.2<") && r.contains("完成良好"), "{r}");
    let r = row(&page.body, "E102");
    assert!(r.contains("59.9") && r.contains("不合格") && r.contains(">0.5<"), "{r}");
    assert!(page.body.contains("data-testid=\"missing-count\">0<"));

    // Changing a score is audited with before and after.
    let res = post_score(&mgr, "2026-10", o.e101, "90", "提升").await;
    assert_eq!(res.status, 303);
    assert_eq!(o.app.scalar_i64(o.alpha, "SELECT count(*) FROM audit_log WHERE action = 'performance.score'").await, 3);
    assert_eq!(
        o.app
            .scalar_i64(
                o.alpha,
                "SELECT count(*) FROM audit_log WHERE action = 'performance.score' AND before->>'score' = '85.0'
                   AND after->>'score' = '90.0' AND after->>'grade' = '优秀' AND entity_id = 'E101/2026-10'",
            )
            .await,
        1
    );
}

#[tokio::test]
async fn invalid_scores_are_refused_and_nothing_is_written() {
    let o = org().await;
    let mgr = o.app.signed_in("alpha", "mgr").await;
    for bad in ["100.5", "89.55", "abc", "-1"] {
        let res = post_score(&mgr, "2026-10", o.e101, bad, "评语保留").await;
        assert_eq!(res.status, 422, "{bad}");
        assert!(res.body.contains("应为 0–100 之间的数，最多一位小数"), "{bad}: {}", res.body);
        assert!(res.body.contains(&format!("value=\"{bad}\"")), "typed value kept");
        assert!(res.body.contains("评语保留"));
    }
    let res = post_score(&mgr, "2026-10", o.e101, "", "").await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("请填写得分"));
    let res = post_score(&mgr, "2026-13", o.e101, "80", "").await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("月份格式应为 YYYY-MM"));
    let res = post_score(&mgr, "2099-01", o.e101, "80", "").await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("尚未开始"));
    // Not employed in the month.
    let e901 = o.app.scalar_i64(o.alpha, "SELECT id FROM employees WHERE employee_no = 'E901'").await;
    let res = post_score(&mgr, "2026-10", e901, "80", "").await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("不在职"));
    assert_eq!(o.app.scalar_i64(o.alpha, "SELECT count(*) FROM performance_scores").await, 0);
    assert_eq!(o.app.scalar_i64(o.alpha, "SELECT count(*) FROM audit_log WHERE action = 'performance.score'").await, 0);
}

#[tokio::test]
async fn who_may_score_whom() {
    let o = org().await;
    let mgr = o.app.signed_in("alpha", "mgr").await;
    // Another department's specialist or manager: outside the manager's scope, 404.
    assert_eq!(post_score(&mgr, "2026-10", o.e201, "80", "").await.status, 404);
    assert_eq!(post_score(&mgr, "2026-10", o.e200, "80", "").await.status, 404);
    // Themselves (a manager of their own department): in scope but not theirs to score, 403.
    assert_eq!(post_score(&mgr, "2026-10", o.e100, "80", "").await.status, 403);
    // Another tenant's employee, and ids that do not exist: 404.
    assert_eq!(post_score(&mgr, "2026-10", o.beta_e101, "80", "").await.status, 404);
    assert_eq!(post_score(&mgr, "2026-10", 999_999, "80", "").await.status, 404);
    let res = mgr
        .post_form(
            "/performance",
            "/performance",
            &[("month", "2026-10"), ("employee_id", "abc"), ("score", "80"), ("comment", "")],
        )
        .await;
    assert_eq!(res.status, 404);

    // A director scores managers, not specialists.
    let dir = o.app.signed_in("alpha", "dir").await;
    let page = dir.get("/performance?month=2026-10").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("data-employee=\"E100\"") && page.body.contains("data-employee=\"E200\""));
    assert!(!page.body.contains("data-employee=\"E101\""));
    assert!(dir.get("/performance?month=2026-10&department=sales").await.body.contains("data-employee=\"E200\""));
    assert!(!dir.get("/performance?month=2026-10&department=sales").await.body.contains("data-employee=\"E100\""));
    let res = post_score(&dir, "2026-10", o.e100, "75", "稳定").await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(tenths(&o.app, o.alpha, o.e100, "2026-10").await, 750);
    assert!(row(&dir.get("/performance?month=2026-10").await.body, "E100").contains("合格"));
    assert_eq!(post_score(&dir, "2026-10", o.e101, "75", "").await.status, 403);

    // Specialists (and HR specialists) score nobody.
    let spec = o.app.signed_in("alpha", "spec").await;
    assert_eq!(spec.get("/performance").await.status, 403);
    assert_eq!(post_score(&spec, "2026-10", o.e102, "75", "").await.status, 403);
    let hr = o.app.signed_in("alpha", "hr").await;
    assert_eq!(post_score(&hr, "2026-10", o.e102, "75", "").await.status, 403);
    assert_eq!(tenths(&o.app, o.alpha, o.e101, "2026-10").await, -1);
    assert_eq!(tenths(&o.app, o.alpha, o.e102, "2026-10").await, -1);
    // Bad month in the query string.
    assert_eq!(mgr.get("/performance?month=2026-1").await.status, 400);
}

#[tokio::test]
async fn two_consecutive_fail_months_are_marked() {
    let o = org().await;
    let mgr = o.app.signed_in("alpha", "mgr").await;
    for (month, e, s) in [("2026-09", o.e101, "55"), ("2026-10", o.e101, "58"), ("2026-10", o.e102, "50")] {
        assert_eq!(post_score(&mgr, month, e, s, "").await.status, 303);
    }
    let page = mgr.get("/performance?month=2026-10").await;
    let r = row(&page.body, "E101");
    assert!(r.contains("two-fails") && r.contains("连续两月不合格"), "{r}");
    assert!(!row(&page.body, "E102").contains("two-fails"), "one 不合格 month is not two");
    // HR sees the same mark.
    let hr = o.app.signed_in("alpha", "hr").await;
    let page = hr.get("/hr/performance?month=2026-10").await;
    assert!(row(&page.body, "E101").contains("two-fails"));
}

#[tokio::test]
async fn hr_overview_counts_missing_scores() {
    let o = org().await;
    let mgr = o.app.signed_in("alpha", "mgr").await;
    assert_eq!(post_score(&mgr, "2026-10", o.e101, "85", "").await.status, 303);
    let hr = o.app.signed_in("alpha", "hr").await;
    let page = hr.get("/hr/performance?month=2026-10").await;
    assert_eq!(page.status, 200);
    // Employed in October: E100 E101 E102 E200 E201 E001 E301 (not E900 hired in Nov, not E901 left in Sep).
    assert!(page.body.contains("data-testid=\"employed-count\">7<"), "{}", page.body);
    assert!(page.body.contains("data-testid=\"missing-count\">6<"));
    assert!(!page.body.contains("data-employee=\"E900\"") && !page.body.contains("data-employee=\"E901\""));
    let missing = hr.get("/hr/performance?month=2026-10&missing=1").await;
    assert!(!missing.body.contains("data-employee=\"E101\"") && missing.body.contains("data-employee=\"E102\""));
    assert!(missing.body.contains("data-testid=\"missing-count\">6<"));
    let sales = hr.get("/hr/performance?month=2026-10&department=sales&missing=1").await;
    assert!(sales.body.contains("data-testid=\"missing-count\">2<"), "{}", sales.body);
    assert!(sales.body.contains("data-employee=\"E200\"") && !sales.body.contains("data-employee=\"E102\""));
    // November: E900 joined, E901 gone.
    let nov = hr.get("/hr/performance?month=2026-11").await;
    assert!(nov.body.contains("data-employee=\"E900\"") && nov.body.contains("data-testid=\"employed-count\">8<"));
    // Not for managers or specialists.
    assert_eq!(mgr.get("/hr/performance").await.status, 403);
    assert_eq!(o.app.signed_in("alpha", "spec").await.get("/hr/performance").await.status, 403);
}

async fn upload(c: &Client, form_page: &str, path: &str, month: &str, csv: &str) -> Page {
    let token = csrf_from(&c.get(form_page).await.body);
    let form = Form::new()
        .text("csrf_token", token)
        .text("month", month.to_owned())
        .part("file", Part::bytes(csv.as_bytes().to_vec()).file_name("scores.csv").mime_str("text/csv").expect("mime"));
    let res = c.http.post(format!("{}{path}", c.base)).multipart(form).send().await.expect("POST");
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    Page { status, headers, body: res.text().await.expect("body") }
}

#[tokio::test]
async fn hr_uploads_scores_all_or_nothing_with_errors_by_line() {
    let o = org().await;
    let hr = o.app.signed_in("alpha", "hr").await;
    let form = hr.get("/hr/performance/import?month=2026-10").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("value=\"2026-10\""));

    let bad = "employee_no,score\nE100,80\nE101,100.5\nE102,89.55\n";
    let res = upload(&hr, "/hr/performance/import", "/hr/performance/import", "2026-10", bad).await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(res.body.contains("第 3 行") && res.body.contains("第 4 行"), "{}", res.body);
    assert!(!res.body.contains(">第 2 行</td>"), "line 2 is not an error");
    let unknown = "employee_no,score\nE100,80\nE999,70\n";
    let res = upload(&hr, "/hr/performance/import", "/hr/performance/import", "2026-10", unknown).await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("第 3 行") && res.body.contains("E999"));
    let res =
        upload(&hr, "/hr/performance/import", "/hr/performance/import", "2026-1", "employee_no,score\nE100,80\n").await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("请填写月份"));
    assert_eq!(o.app.scalar_i64(o.alpha, "SELECT count(*) FROM performance_scores").await, 0);
    // Not for managers.
    let mgr = o.app.signed_in("alpha", "mgr").await;
    let res = upload(&mgr, "/performance", "/hr/performance/import", "2026-10", "employee_no,score\nE100,80\n").await;
    assert_eq!(res.status, 403);
    assert_eq!(mgr.get("/hr/performance/import").await.status, 403);

    let good = "employee_no,score\nE100,80\nE201,59.9\n";
    let res = upload(&hr, "/hr/performance/import", "/hr/performance/import", "2026-10", good).await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(res.location(), Some("/hr/performance?month=2026-10"));
    assert_eq!(tenths(&o.app, o.alpha, o.e100, "2026-10").await, 800);
    assert_eq!(tenths(&o.app, o.alpha, o.e201, "2026-10").await, 599);
    assert_eq!(o.app.scalar_i64(o.alpha, "SELECT count(*) FROM performance_scores WHERE source = 'import'").await, 2);
    assert_eq!(o.app.scalar_i64(o.alpha, "SELECT count(*) FROM audit_log WHERE action = 'import.scores'").await, 1);
    let page = hr.get("/hr/performance?month=2026-10").await;
    assert!(row(&page.body, "E201").contains("不合格") && row(&page.body, "E201").contains(">0.5<"));
    assert!(page.body.contains("data-testid=\"missing-count\">5<"));
}

#[tokio::test]
async fn specialists_see_their_own_scores() {
    // The pages decide by this date, not by the clock.
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 10).expect("date");
    let o = org_in(spawn_app_on(today).await).await;
    // The last two complete months, relative to today (the page shows the last 12 months).
    let this = chrono::NaiveDate::from_ymd_opt(today.year(), today.month(), 1).expect("month");
    let m1 = (this - chrono::Duration::days(1)).format("%Y-%m").to_string();
    let m2 = (this - chrono::Duration::days(40)).format("%Y-%m").to_string();
    let mgr = o.app.signed_in("alpha", "mgr").await;
    assert_eq!(post_score(&mgr, &m2, o.e101, "50", "需改进").await.status, 303);
    assert_eq!(post_score(&mgr, &m1, o.e101, "59", "仍需改进").await.status, 303);
    assert_eq!(post_score(&mgr, &m1, o.e102, "95", "别人的").await.status, 303);
    let spec = o.app.signed_in("alpha", "spec").await;
    let page = spec.get("/performance/me").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(&m1) && page.body.contains(&m2));
    assert!(page.body.contains("59.0") && page.body.contains("仍需改进") && page.body.contains("0.5"));
    assert!(page.body.contains("two-fails"), "{}", page.body);
    assert!(!page.body.contains("别人的") && !page.body.contains("95.0"));
    // A login without an employee record is told why there is nothing.
    let c = o.app.client();
    o.app.user(o.alpha, "nolink", Dept::Finance, Level::Specialist, false).await;
    assert_eq!(c.login("alpha", "nolink", crate::helpers::PASSWORD).await.status, 303);
    assert!(c.get("/performance/me").await.body.contains("没有关联员工档案"));
}
