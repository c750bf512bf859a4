//! Leave: applying, duplicates, approval scope and states, withdrawal, HR's list
//! and the approved-leave CSV upload.

use reqwest::multipart::{Form, Part};
use yunying::people::{Dept, Level};

use crate::helpers::{csrf_from, spawn_app, Client, Page, TestApp};

/// Insert an employee record; returns its id.
pub async fn employee(app: &TestApp, tenant: i64, no: &str, name: &str, dept: Dept, level: Level) -> i64 {
    let mut tx = yunying::db::begin_tenant(&app.db, tenant).await.expect("tx");
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO employees (tenant_id, employee_no, name, department, level, monthly_salary_fen, bonus_base_fen, hired_on)
         VALUES ($1, $2, $3, $4, $5, 800000, 200000, '2024-01-01') RETURNING id",
    )
    .bind(tenant)
    .bind(no)
    .bind(name)
    .bind(dept.code())
    .bind(level.code())
    .fetch_one(&mut *tx)
    .await
    .expect("insert employee");
    tx.commit().await.expect("commit");
    id
}

/// A login user linked to a new employee record with the same department and level.
pub async fn staff(app: &TestApp, tenant: i64, username: &str, no: &str, dept: Dept, level: Level) -> (i64, i64) {
    let user = app.user(tenant, username, dept, level, false).await;
    let emp = employee(app, tenant, no, &format!("员工{no}"), dept, level).await;
    let mut tx = yunying::db::begin_tenant(&app.db, tenant).await.expect("tx");
    sqlx::query("UPDATE users SET employee_no = $3 WHERE tenant_id = $1 AND id = $2")
        .bind(tenant)
        .bind(user)
        .bind(no)
        .execute(&mut *tx)
        .await
        .expect("link user");
    tx.commit().await.expect("commit");
    (user, emp)
}

struct Org {
    app: TestApp,
    alpha: i64,
    spec_user: i64,
    mgr_user: i64,
}

/// alpha: ops manager `mgr` (E100), ops specialists `spec` (E101) and `spec2` (E102),
/// sales manager `smgr` (E200) and specialist `sspec` (E201), directors `dir` (E001)
/// and `dir2` (E002), HR specialist `hr` (not linked), finance `nolink` (not linked).
/// beta: ops manager `mgr` (E100) and specialist `spec` (E101).
async fn org() -> Org {
    let app = spawn_app().await;
    let alpha = app.tenant("alpha").await;
    let beta = app.tenant("beta").await;
    let (mgr_user, _) = staff(&app, alpha, "mgr", "E100", Dept::Ops, Level::Manager).await;
    let (spec_user, _) = staff(&app, alpha, "spec", "E101", Dept::Ops, Level::Specialist).await;
    staff(&app, alpha, "spec2", "E102", Dept::Ops, Level::Specialist).await;
    staff(&app, alpha, "smgr", "E200", Dept::Sales, Level::Manager).await;
    staff(&app, alpha, "sspec", "E201", Dept::Sales, Level::Specialist).await;
    staff(&app, alpha, "dir", "E001", Dept::Ops, Level::Director).await;
    staff(&app, alpha, "dir2", "E002", Dept::Marketing, Level::Director).await;
    app.user(alpha, "hr", Dept::Hr, Level::Specialist, false).await;
    app.user(alpha, "nolink", Dept::Finance, Level::Specialist, false).await;
    staff(&app, beta, "mgr", "E100", Dept::Ops, Level::Manager).await;
    staff(&app, beta, "spec", "E101", Dept::Ops, Level::Specialist).await;
    Org { app, alpha, spec_user, mgr_user }
}

async fn apply(c: &Client, date: &str, portion: &str, kind: &str, reason: &str) -> Page {
    c.post_form("/leave", "/leave", &[("date", date), ("portion", portion), ("kind", kind), ("reason", reason)]).await
}

/// Apply and return the new request's id.
async fn applied(c: &Client, date: &str, portion: &str) -> i64 {
    let res = apply(c, date, portion, "事假", "家中有事").await;
    assert_eq!(res.status, 303, "{}", res.body);
    let loc = res.location().expect("location").to_owned();
    loc.strip_prefix("/leave/").and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("bad location {loc}"))
}

async fn status_of(app: &TestApp, tenant: i64, id: i64) -> String {
    let mut tx = yunying::db::begin_tenant(&app.db, tenant).await.expect("tx");
    let s: String = sqlx::query_scalar("SELECT status FROM leave_requests WHERE tenant_id = $1 AND id = $2")
        .bind(tenant)
        .bind(id)
        .fetch_one(&mut *tx)
        .await
        .expect("status");
    tx.commit().await.expect("commit");
    s
}

async fn audits(app: &TestApp, tenant: i64, action: &str, id: i64) -> i64 {
    app.scalar_i64(
        tenant,
        &format!(
            "SELECT count(*) FROM audit_log WHERE action = '{action}' AND entity_type = 'leave' AND entity_id = '{id}'"
        ),
    )
    .await
}

#[tokio::test]
async fn apply_validates_keeps_values_and_succeeds() {
    let o = org().await;
    let spec = o.app.signed_in("alpha", "spec").await;
    let page = spec.get("/leave").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("申请请假") && page.body.contains("name=\"reason\""), "{}", page.body);

    // Bad date format: the form again with the message, what was typed kept.
    let res = apply(&spec, "2026/11/02", "am", "病假", "看牙医").await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("日期格式应为 YYYY-MM-DD"), "{}", res.body);
    assert!(res.body.contains("value=\"2026/11/02\""));
    assert!(res.body.contains("看牙医"));
    assert!(res.body.contains("<option value=\"病假\" selected>"));
    // Every other field wrong at once.
    let res = apply(&spec, "", "night", "度假", "   ").await;
    assert_eq!(res.status, 422);
    for msg in ["请填写请假日期", "请选择请假时段", "请选择请假类型", "请填写请假事由"] {
        assert!(res.body.contains(msg), "missing {msg}: {}", res.body);
    }
    // A Saturday is not a workday.
    let res = apply(&spec, "2026-11-07", "full", "事假", "x").await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("不是工作日"), "{}", res.body);
    // Before the employee was hired.
    let res = apply(&spec, "2023-03-01", "full", "事假", "x").await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("不在您的在职期间"), "{}", res.body);
    assert_eq!(o.app.scalar_i64(o.alpha, "SELECT count(*) FROM leave_requests").await, 0);

    let res = apply(&spec, "2026-11-03", "am", "病假", "看牙医").await;
    assert_eq!(res.status, 303, "{}", res.body);
    let loc = res.location().expect("location").to_owned();
    let id: i64 = loc.strip_prefix("/leave/").and_then(|s| s.parse().ok()).expect("id in location");
    let row: (String, String, String, String, String, Option<i64>) = {
        let mut tx = yunying::db::begin_tenant(&o.app.db, o.alpha).await.expect("tx");
        let r = sqlx::query_as(
            "SELECT status, source, portion, kind, reason, applied_by FROM leave_requests WHERE tenant_id = $1 AND id = $2",
        )
        .bind(o.alpha)
        .bind(id)
        .fetch_one(&mut *tx)
        .await
        .expect("row");
        tx.commit().await.expect("commit");
        r
    };
    assert_eq!(row, ("pending".into(), "web".into(), "am".into(), "病假".into(), "看牙医".into(), Some(o.spec_user)));
    assert_eq!(audits(&o.app, o.alpha, "leave.apply", id).await, 1);
    let page = spec.get(&loc).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("待审批") && page.body.contains("看牙医"));
    let list = spec.get("/leave").await;
    assert!(list.body.contains(&format!("/leave/{id}")) && list.body.contains("待审批"));
    // Filters of my list.
    assert!(!spec.get("/leave?status=approved").await.body.contains(&format!("/leave/{id}\"")));
    assert_eq!(spec.get("/leave?month=2026-13").await.status, 400);
}

#[tokio::test]
async fn duplicate_live_request_is_refused_with_the_existing_one_named() {
    let o = org().await;
    let spec = o.app.signed_in("alpha", "spec").await;
    let first = applied(&spec, "2026-11-04", "full").await;
    let before = o.app.snapshot(o.alpha, "leave_requests", first).await;
    for portion in ["full", "am"] {
        let res = apply(&spec, "2026-11-04", portion, "年假", "again").await;
        assert_eq!(res.status, 422, "{portion}");
        assert!(res.body.contains(&format!("#{first}")) && res.body.contains("不能重复申请"), "{}", res.body);
        o.app.assert_unchanged(&before, &format!("a second {portion} request for the day")).await;
    }
    // The other half of a half day is fine.
    let am = applied(&spec, "2026-11-05", "am").await;
    let pm = applied(&spec, "2026-11-05", "pm").await;
    assert_ne!(am, pm);
    assert_eq!(o.app.scalar_i64(o.alpha, "SELECT count(*) FROM leave_requests").await, 3);
}

#[tokio::test]
async fn a_login_without_employee_record_is_told_so() {
    let o = org().await;
    let c = o.app.signed_in("alpha", "nolink").await;
    let page = c.get("/leave").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("没有关联员工档案"), "{}", page.body);
    let res = c
        .post_raw(
            "/leave",
            &[
                ("csrf_token", &page.csrf()),
                ("date", "2026-11-03"),
                ("portion", "full"),
                ("kind", "事假"),
                ("reason", "x"),
            ],
            &[],
        )
        .await;
    assert_eq!(res.status, 422);
    assert_eq!(o.app.scalar_i64(o.alpha, "SELECT count(*) FROM leave_requests").await, 0);
}

#[tokio::test]
async fn manager_approves_once_then_409_and_nothing_changes() {
    let o = org().await;
    let spec = o.app.signed_in("alpha", "spec").await;
    let id = applied(&spec, "2026-11-03", "full").await;
    let mgr = o.app.signed_in("alpha", "mgr").await;
    let queue = mgr.get("/leave/approvals").await;
    assert_eq!(queue.status, 200);
    assert!(queue.body.contains("员工E101") && queue.body.contains(&format!("/leave/{id}")), "{}", queue.body);
    let page = mgr.get(&format!("/leave/{id}")).await;
    assert!(page.body.contains("批准") && page.body.contains("驳回"));

    let res = mgr.post_form(&format!("/leave/{id}"), &format!("/leave/{id}/approve"), &[("comment", "")]).await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(res.location(), Some(format!("/leave/{id}").as_str()));
    assert_eq!(status_of(&o.app, o.alpha, id).await, "approved");
    let decided_by = o.app.scalar_i64(o.alpha, &format!("SELECT decided_by FROM leave_requests WHERE id = {id}")).await;
    assert_eq!(decided_by, o.mgr_user);
    assert_eq!(audits(&o.app, o.alpha, "leave.approve", id).await, 1);
    let decided_at = o
        .app
        .scalar_i64(
            o.alpha,
            &format!("SELECT (extract(epoch FROM decided_at) * 1000000)::bigint FROM leave_requests WHERE id = {id}"),
        )
        .await;

    // Stale: approving or rejecting again is 409 and changes nothing.
    let before = o.app.snapshot(o.alpha, "leave_requests", id).await;
    let again = mgr.post_form("/leave/approvals", &format!("/leave/{id}/approve"), &[("comment", "再批")]).await;
    assert_eq!(again.status, 409);
    let rej = mgr.post_form("/leave/approvals", &format!("/leave/{id}/reject"), &[("comment", "不行")]).await;
    assert_eq!(rej.status, 409);
    assert_eq!(status_of(&o.app, o.alpha, id).await, "approved");
    o.app.assert_unchanged(&before, "deciding an approved request again").await;
    let decided_at_after = o
        .app
        .scalar_i64(
            o.alpha,
            &format!("SELECT (extract(epoch FROM decided_at) * 1000000)::bigint FROM leave_requests WHERE id = {id}"),
        )
        .await;
    assert_eq!(decided_at, decided_at_after);
    assert_eq!(
        o.app
            .scalar_i64(
                o.alpha,
                &format!("SELECT count(*) FROM leave_requests WHERE id = {id} AND decision_comment IS NULL")
            )
            .await,
        1
    );
    assert_eq!(audits(&o.app, o.alpha, "leave.approve", id).await, 1);
    assert_eq!(audits(&o.app, o.alpha, "leave.reject", id).await, 0);
    // The applicant sees the decision; the queue's default (pending) no longer lists it.
    assert!(spec.get(&format!("/leave/{id}")).await.body.contains("已批准"));
    assert!(!mgr.get("/leave/approvals").await.body.contains(&format!("/leave/{id}\"")));
    assert!(mgr.get("/leave/approvals?status=approved").await.body.contains(&format!("/leave/{id}\"")));
    assert_eq!(mgr.get("/leave/approvals?status=bogus").await.status, 400);
}

#[tokio::test]
async fn reject_needs_a_comment() {
    let o = org().await;
    let spec = o.app.signed_in("alpha", "spec").await;
    let id = applied(&spec, "2026-11-03", "pm").await;
    let mgr = o.app.signed_in("alpha", "mgr").await;
    let before = o.app.snapshot(o.alpha, "leave_requests", id).await;
    let res = mgr.post_form(&format!("/leave/{id}"), &format!("/leave/{id}/reject"), &[("comment", "  ")]).await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("驳回时必须填写审批意见"), "{}", res.body);
    o.app.assert_unchanged(&before, "a rejection without a comment").await;
    assert_eq!(status_of(&o.app, o.alpha, id).await, "pending");
    assert_eq!(audits(&o.app, o.alpha, "leave.reject", id).await, 0);

    let res =
        mgr.post_form(&format!("/leave/{id}"), &format!("/leave/{id}/reject"), &[("comment", "月底忙，请改期")]).await;
    assert_eq!(res.status, 303);
    assert_eq!(status_of(&o.app, o.alpha, id).await, "rejected");
    assert_eq!(audits(&o.app, o.alpha, "leave.reject", id).await, 1);
    let page = spec.get(&format!("/leave/{id}")).await;
    assert!(page.body.contains("已驳回") && page.body.contains("月底忙，请改期"));
    // A rejected request is not live: the same day can be applied for again.
    applied(&spec, "2026-11-03", "pm").await;
}

#[tokio::test]
async fn scope_roles_and_tenants() {
    let o = org().await;
    let spec = o.app.signed_in("alpha", "spec").await;
    let id = applied(&spec, "2026-11-03", "full").await;
    let path = format!("/leave/{id}/approve");
    // Everyone signs in first (a login is audited), so that the audit log stands
    // still while the refusals are tried.
    let smgr = o.app.signed_in("alpha", "smgr").await;
    let sspec = o.app.signed_in("alpha", "sspec").await;
    let spec2 = o.app.signed_in("alpha", "spec2").await;
    let hr = o.app.signed_in("alpha", "hr").await;
    let beta_mgr = o.app.signed_in("beta", "mgr").await;
    let mgr = o.app.signed_in("alpha", "mgr").await;
    let dir = o.app.signed_in("alpha", "dir").await;
    let before = o.app.snapshot(o.alpha, "leave_requests", id).await;

    // A manager of another department: out of scope is 404, for the page and the POST.
    assert_eq!(smgr.get(&format!("/leave/{id}")).await.status, 404);
    assert_eq!(smgr.post_form("/leave/approvals", &path, &[]).await.status, 404);
    o.app.assert_unchanged(&before, "an approval out of scope").await;
    assert!(!smgr.get("/leave/approvals").await.body.contains(&format!("/leave/{id}\"")));
    // A specialist has no approvals at all: 403.
    assert_eq!(sspec.get("/leave/approvals").await.status, 403);
    assert_eq!(sspec.post_form("/leave", &path, &[]).await.status, 403);
    o.app.assert_unchanged(&before, "an approval by a specialist").await;
    assert_eq!(sspec.get(&format!("/leave/{id}")).await.status, 404);
    // Another specialist of the same department cannot see it either.
    assert_eq!(spec2.get(&format!("/leave/{id}")).await.status, 404);
    // HR sees it but may not approve.
    assert_eq!(hr.get(&format!("/leave/{id}")).await.status, 200);
    assert_eq!(hr.post_form("/leave/all", &path, &[]).await.status, 403);
    o.app.assert_unchanged(&before, "an approval by HR").await;
    // Another tenant's manager: 404 for the same id.
    assert_eq!(beta_mgr.get(&format!("/leave/{id}")).await.status, 404);
    assert_eq!(beta_mgr.post_form("/leave/approvals", &path, &[]).await.status, 404);
    assert_eq!(status_of(&o.app, o.alpha, id).await, "pending");
    o.app.assert_unchanged(&before, "an approval by another tenant").await;

    // A manager's own request: they see it but cannot approve it (403); a director can.
    let own = applied(&mgr, "2026-11-06", "full").await;
    let before = o.app.snapshot(o.alpha, "leave_requests", own).await;
    assert_eq!(mgr.post_form(&format!("/leave/{own}"), &format!("/leave/{own}/approve"), &[]).await.status, 403);
    o.app.assert_unchanged(&before, "a manager approving their own request").await;
    assert!(!mgr.get("/leave/approvals").await.body.contains(&format!("/leave/{own}\"")));
    assert!(dir.get("/leave/approvals").await.body.contains(&format!("/leave/{own}\"")));
    // Directors may narrow their queue by level; managers' requests are theirs to decide.
    assert!(dir.get("/leave/approvals?level=manager").await.body.contains(&format!("/leave/{own}\"")));
    assert!(!dir.get("/leave/approvals?level=specialist").await.body.contains(&format!("/leave/{own}\"")));
    assert!(dir.get("/leave/approvals?level=specialist").await.body.contains(&format!("/leave/{id}\"")));
    let res = dir.post_form(&format!("/leave/{own}"), &format!("/leave/{own}/approve"), &[("comment", "同意")]).await;
    assert_eq!(res.status, 303);
    assert_eq!(status_of(&o.app, o.alpha, own).await, "approved");
    // A director's own request goes to another director.
    let dir_own = applied(&dir, "2026-11-09", "am").await;
    let dir2 = o.app.signed_in("alpha", "dir2").await;
    let before = o.app.snapshot(o.alpha, "leave_requests", dir_own).await;
    assert_eq!(dir.post_form("/leave/approvals", &format!("/leave/{dir_own}/approve"), &[]).await.status, 403);
    o.app.assert_unchanged(&before, "a director approving their own request").await;
    let res = dir2.post_form("/leave/approvals", &format!("/leave/{dir_own}/approve"), &[]).await;
    assert_eq!(res.status, 303);
    assert_eq!(status_of(&o.app, o.alpha, dir_own).await, "approved");
    // An id that does not exist.
    assert_eq!(mgr.post_form("/leave/approvals", "/leave/999999/approve", &[]).await.status, 404);
}

#[tokio::test]
async fn withdraw_own_pending_request() {
    let o = org().await;
    let spec = o.app.signed_in("alpha", "spec").await;
    let id = applied(&spec, "2026-11-10", "full").await;
    // Someone else cannot withdraw it.
    let spec2 = o.app.signed_in("alpha", "spec2").await;
    let mgr = o.app.signed_in("alpha", "mgr").await;
    let before = o.app.snapshot(o.alpha, "leave_requests", id).await;
    assert_eq!(spec2.get(&format!("/leave/{id}/cancel")).await.status, 404);
    assert_eq!(spec2.post_form("/leave", &format!("/leave/{id}/cancel"), &[]).await.status, 404);
    assert_eq!(mgr.post_form("/leave", &format!("/leave/{id}/cancel"), &[]).await.status, 404);
    o.app.assert_unchanged(&before, "a withdrawal by someone else").await;

    let confirm = spec.get(&format!("/leave/{id}/cancel")).await;
    assert_eq!(confirm.status, 200);
    assert!(confirm.body.contains("确认撤回"));
    let res = spec.post_form(&format!("/leave/{id}/cancel"), &format!("/leave/{id}/cancel"), &[]).await;
    assert_eq!(res.status, 303);
    assert_eq!(res.location(), Some(format!("/leave/{id}").as_str()));
    assert_eq!(status_of(&o.app, o.alpha, id).await, "rejected");
    assert_eq!(
        o.app
            .scalar_i64(
                o.alpha,
                &format!("SELECT count(*) FROM leave_requests WHERE id = {id} AND decision_comment = '本人撤回'")
            )
            .await,
        1
    );
    assert_eq!(audits(&o.app, o.alpha, "leave.cancel", id).await, 1);
    assert!(spec.get(&format!("/leave/{id}")).await.body.contains("已撤回"));
    // Withdrawn: no longer pending, so withdrawing or approving it is 409.
    let before = o.app.snapshot(o.alpha, "leave_requests", id).await;
    assert_eq!(spec.post_form("/leave", &format!("/leave/{id}/cancel"), &[]).await.status, 409);
    assert_eq!(mgr.post_form("/leave/approvals", &format!("/leave/{id}/approve"), &[]).await.status, 409);
    assert_eq!(status_of(&o.app, o.alpha, id).await, "rejected");
    assert_eq!(audits(&o.app, o.alpha, "leave.cancel", id).await, 1);
    o.app.assert_unchanged(&before, "withdrawing or approving a withdrawn request").await;
    // The confirmation page of a decided request sends back to the request.
    assert_eq!(spec.get(&format!("/leave/{id}/cancel")).await.status, 303);
}

async fn upload(c: &Client, form_page: &str, path: &str, csv: &str) -> Page {
    let token = csrf_from(&c.get(form_page).await.body);
    let form = Form::new()
        .text("csrf_token", token)
        .part("file", Part::bytes(csv.as_bytes().to_vec()).file_name("leave.csv").mime_str("text/csv").expect("mime"));
    let res = c.http.post(format!("{}{path}", c.base)).multipart(form).send().await.expect("POST");
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    Page { status, headers, body: res.text().await.expect("body") }
}

#[tokio::test]
async fn hr_sees_all_and_imports_approved_leave_all_or_nothing() {
    let o = org().await;
    let spec = o.app.signed_in("alpha", "spec").await;
    let id = applied(&spec, "2026-11-03", "full").await;
    let hr = o.app.signed_in("alpha", "hr").await;
    let all = hr.get("/leave/all").await;
    assert_eq!(all.status, 200);
    assert!(all.body.contains(&format!("/leave/{id}\"")));
    assert!(hr.get("/leave/all?department=sales").await.body.contains("没有符合条件的请假记录"));
    assert!(hr
        .get("/leave/all?department=ops&status=pending&month=2026-11")
        .await
        .body
        .contains(&format!("/leave/{id}\"")));
    assert_eq!(spec.get("/leave/all").await.status, 403);
    assert_eq!(o.app.signed_in("alpha", "mgr").await.get("/leave/all").await.status, 403);
    assert_eq!(spec.get("/hr/leave/import").await.status, 403);

    // An error on line 3 (unknown employee) and line 4 (portion): nothing is written, not even line 2.
    let bad =
        "employee_no,date,portion,kind\nE102,2026-11-02,pm,事假\nE999,2026-11-02,am,病假\nE101,2026-11-04,night,事假\n";
    let res = upload(&hr, "/hr/leave/import", "/hr/leave/import", bad).await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(res.body.contains("第 4 行") && res.body.contains("portion"), "{}", res.body);
    assert_eq!(o.app.scalar_i64(o.alpha, "SELECT count(*) FROM leave_requests WHERE source = 'import'").await, 0);
    let bad = "employee_no,date,portion,kind\nE102,2026-11-02,pm,事假\nE999,2026-11-02,am,病假\n";
    let res = upload(&hr, "/hr/leave/import", "/hr/leave/import", bad).await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(res.body.contains("第 3 行") && res.body.contains("E999"), "{}", res.body);
    assert_eq!(o.app.scalar_i64(o.alpha, "SELECT count(*) FROM leave_requests WHERE source = 'import'").await, 0);
    // A specialist cannot upload.
    let res =
        upload(&spec, "/leave", "/hr/leave/import", "employee_no,date,portion,kind\nE101,2026-11-02,pm,事假\n").await;
    assert_eq!(res.status, 403);

    let good = "employee_no,date,portion,kind\nE102,2026-11-02,pm,事假\nE101,2026-11-03,full,病假\n";
    let res = upload(&hr, "/hr/leave/import", "/hr/leave/import", good).await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(
        o.app
            .scalar_i64(o.alpha, "SELECT count(*) FROM leave_requests WHERE source = 'import' AND status = 'approved'")
            .await,
        1
    );
    // The pending web request for the same day and portion became approved.
    assert_eq!(status_of(&o.app, o.alpha, id).await, "approved");
    assert_eq!(o.app.scalar_i64(o.alpha, "SELECT count(*) FROM audit_log WHERE action = 'import.leave'").await, 1);
}
