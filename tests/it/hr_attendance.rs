//! Attendance pages: "my attendance", the department grid and one employee's
//! month, the web import (check → preview → confirm/cancel) and corrections.

use yunying::db;
use yunying::people::{Dept, Level};

use crate::helpers::{spawn_app, Client, TestApp};

const HEADER: &str = "employee_no,date,clock_in,clock_out\n";

/// A tenant `acme` with the rules example imported through the CLI, and users:
/// `hr` (HR specialist), `hr2` (HR manager), `salesmgr` (sales manager),
/// `lisi` (sales specialist linked to E002), `nobody` (ops specialist, no
/// employee record), `boss` (ops director).
async fn setup() -> (TestApp, i64) {
    let app = spawn_app().await;
    let t = app.tenant("acme").await;
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/rules_example");
    for (kind, file) in [("employees", "employees.csv"), ("attendance", "attendance.csv"), ("leave", "leave.csv")] {
        let path = format!("{dir}/{file}");
        let out = app.cli(&["import", kind, "--tenant", "acme", &path], None);
        assert!(out.status.success(), "import {kind}: {}", String::from_utf8_lossy(&out.stderr));
    }
    app.user(t, "hr", Dept::Hr, Level::Specialist, false).await;
    app.user(t, "hr2", Dept::Hr, Level::Manager, false).await;
    app.user(t, "salesmgr", Dept::Sales, Level::Manager, false).await;
    let lisi = app.user(t, "lisi", Dept::Sales, Level::Specialist, false).await;
    app.user(t, "nobody", Dept::Ops, Level::Specialist, false).await;
    app.user(t, "boss", Dept::Ops, Level::Director, false).await;
    let mut tx = db::begin_tenant(&app.db, t).await.unwrap();
    sqlx::query("UPDATE users SET employee_no = 'E002' WHERE tenant_id = $1 AND id = $2")
        .bind(t)
        .bind(lisi)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (app, t)
}

async fn employee_id(app: &TestApp, t: i64, no: &str) -> i64 {
    app.scalar_i64(t, &format!("SELECT id FROM employees WHERE employee_no = '{no}'")).await
}

async fn text(app: &TestApp, t: i64, sql: &str) -> Option<String> {
    let mut tx = db::begin_tenant(&app.db, t).await.unwrap();
    let v: Option<String> = sqlx::query_scalar(sql).fetch_one(&mut *tx).await.expect(sql);
    tx.commit().await.unwrap();
    v
}

/// The HTML of the calendar cell of `date`.
fn cell<'a>(body: &'a str, date: &str) -> &'a str {
    let marker = format!("data-date=\"{date}\"");
    let start = body.find(&marker).unwrap_or_else(|| panic!("no cell for {date}"));
    let end = body[start..].find("</td>").map_or(body.len(), |e| start + e);
    &body[start..end]
}

/// The HTML of the grid row of employee `no`, if shown.
fn row<'a>(body: &'a str, no: &str) -> Option<&'a str> {
    let start = body.find(&format!("data-employee=\"{no}\""))?;
    let end = body[start..].find("</tr>").map_or(body.len(), |e| start + e);
    Some(&body[start..end])
}

struct Upload {
    status: u16,
    location: Option<String>,
    body: String,
}

/// POST a file to the import form as a browser would (token first).
async fn upload(c: &Client, name: &str, content: &str) -> Upload {
    let token = c.get("/attendance/me").await.csrf();
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", token)
        .part("file", reqwest::multipart::Part::bytes(content.as_bytes().to_vec()).file_name(name.to_owned()));
    let res = c.http.post(format!("{}/hr/attendance/import", c.base)).multipart(form).send().await.unwrap();
    let status = res.status().as_u16();
    let location = res.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_owned);
    Upload { status, location, body: res.text().await.unwrap() }
}

/// POST with a valid token taken from any page (for 403/404/409 checks).
async fn post(c: &Client, path: &str, fields: &[(&str, &str)]) -> crate::helpers::Page {
    let token = c.get("/attendance/me").await.csrf();
    let mut all = vec![("csrf_token", token.as_str())];
    all.extend_from_slice(fields);
    c.post_raw(path, &all, &[]).await
}

#[tokio::test]
async fn my_attendance_marks_every_day_with_its_reason() {
    let (app, _t) = setup().await;
    let c = app.signed_in("acme", "lisi").await;
    let p = c.get("/attendance/me?month=2026-11").await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains("2026年11月"));
    let nov2 = cell(&p.body, "2026-11-02");
    assert!(nov2.contains("data-mark=\"serious\""), "{nov2}");
    assert!(nov2.contains("09:20") && nov2.contains("严重迟到20分钟"), "{nov2}");
    assert!(nov2.contains("超过15分钟"), "the clause is named: {nov2}");
    let nov3 = cell(&p.body, "2026-11-03");
    assert!(nov3.contains("data-mark=\"half-absent\""), "{nov3}");
    assert!(nov3.contains("缺下班卡"), "{nov3}");
    let nov4 = cell(&p.body, "2026-11-04");
    assert!(nov4.contains("data-mark=\"minor\"") && nov4.contains("17:50"), "{nov4}");
    assert!(cell(&p.body, "2026-11-06").contains("data-mark=\"normal\""));
    assert!(cell(&p.body, "2026-11-07").contains("data-mark=\"rest\""), "a Saturday");
    // The explanation of every event, with the deduction.
    assert!(p.body.contains("2026-11-02 上班09:20 下班18:00：严重迟到20分钟"), "{}", p.body);
    // Monday first: November 2026 starts on a Sunday, so six empty cells lead.
    let first_row = &p.body[p.body.find("<tbody>").unwrap()..p.body.find("data-date=\"2026-11-01\"").unwrap()];
    assert_eq!(first_row.matches("<td></td>").count(), 6);
    // Month navigation.
    assert!(p.body.contains("/attendance/me?month=2026-10") && p.body.contains("/attendance/me?month=2026-12"));
    let oct = c.get("/attendance/me?month=2026-10").await;
    assert_eq!(oct.status, 200);
    assert!(cell(&oct.body, "2026-10-02").contains("data-mark=\"normal\""));
    // Before the tenant's tracking start (2026-10-01) nothing is evaluated.
    let sep = c.get("/attendance/me?month=2026-09").await;
    assert!(cell(&sep.body, "2026-09-30").contains("data-mark=\"not-evaluated\""), "{}", sep.body);
    // Default month, bad month.
    assert_eq!(c.get("/attendance/me").await.status, 200);
    assert_eq!(c.get("/attendance/me?month=2026-13").await.status, 400);

    // A login without an employee record gets a clear empty state.
    let n = app.signed_in("acme", "nobody").await;
    let p = n.get("/attendance/me?month=2026-11").await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains("还没有关联员工档案"), "{}", p.body);
    assert!(!p.body.contains("data-date="));
}

#[tokio::test]
async fn grid_is_scoped_and_links_to_each_month() {
    let (app, t) = setup().await;
    let e001 = employee_id(&app, t, "E001").await;
    let e002 = employee_id(&app, t, "E002").await;
    let e005 = employee_id(&app, t, "E005").await;

    let m = app.signed_in("acme", "salesmgr").await;
    let p = m.get("/hr/attendance?month=2026-11").await;
    assert_eq!(p.status, 200, "{}", p.body);
    let r = row(&p.body, "E002").expect("E002 is in sales");
    assert!(r.contains("data-mark=\"serious\"") && r.contains("严"), "{r}");
    assert!(r.contains("data-mark=\"half-absent\"") && r.contains("半"), "{r}");
    assert!(r.contains(&format!("/hr/attendance/{e002}?month=2026-11")));
    assert!(row(&p.body, "E001").is_none(), "E001 is in ops");
    // A manager cannot widen the scope with the filter.
    let p = m.get("/hr/attendance?month=2026-11&department=ops").await;
    assert_eq!(p.status, 200);
    assert!(row(&p.body, "E001").is_none() && row(&p.body, "E002").is_some());
    // One employee's month: in scope yes, out of scope 404.
    let p = m.get(&format!("/hr/attendance/{e002}?month=2026-11")).await;
    assert_eq!(p.status, 200);
    assert!(cell(&p.body, "2026-11-02").contains("data-mark=\"serious\""));
    assert!(!p.body.contains("/correct"), "only HR corrects");
    assert_eq!(m.get(&format!("/hr/attendance/{e001}?month=2026-11")).await.status, 404);
    assert_eq!(m.get("/hr/attendance/999999?month=2026-11").await.status, 404);
    assert_eq!(m.get("/hr/attendance/abc").await.status, 404);

    // HR sees everyone and filters by department.
    let hr = app.signed_in("acme", "hr").await;
    let p = hr.get("/hr/attendance?month=2026-11").await;
    assert_eq!(p.status, 200);
    for no in ["E001", "E002", "E003", "E004", "E005", "E006"] {
        assert!(row(&p.body, no).is_some(), "{no}");
    }
    let e005_row = row(&p.body, "E005").unwrap();
    assert!(e005_row.contains("data-mark=\"leave\"") && e005_row.contains("假"), "{e005_row}");
    // E004 was hired 2026-11-16: the days before are not evaluated.
    assert!(row(&p.body, "E004").unwrap().contains("data-mark=\"not-evaluated\""));
    let p = hr.get("/hr/attendance?month=2026-11&department=ops").await;
    assert!(row(&p.body, "E001").is_some() && row(&p.body, "E002").is_none());
    assert_eq!(hr.get("/hr/attendance?month=2026-11&department=moon").await.status, 400);
    let p = hr.get(&format!("/hr/attendance/{e005}?month=2026-11")).await;
    assert!(cell(&p.body, "2026-11-04").contains("data-mark=\"leave\""));
    assert!(p.body.contains(&format!("/hr/attendance/{e005}/2026-11-04/correct")), "HR gets correction links");
    // Directors see the tenant.
    let boss = app.signed_in("acme", "boss").await;
    assert!(row(&boss.get("/hr/attendance?month=2026-11").await.body, "E006").is_some());

    // Specialists use their own page.
    let s = app.signed_in("acme", "lisi").await;
    assert_eq!(s.get("/hr/attendance?month=2026-11").await.status, 403);
    assert_eq!(s.get(&format!("/hr/attendance/{e002}?month=2026-11")).await.status, 403);

    // Another tenant's HR: the ids are not theirs.
    let other = app.tenant("other").await;
    app.user(other, "hr", Dept::Hr, Level::Manager, false).await;
    let o = app.signed_in("other", "hr").await;
    assert_eq!(o.get(&format!("/hr/attendance/{e002}?month=2026-11")).await.status, 404);
    let p = o.get("/hr/attendance?month=2026-11").await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains("没有符合条件的在职员工") && row(&p.body, "E002").is_none());
}

#[tokio::test]
async fn grid_pages_by_thirty_employees() {
    let (app, t) = setup().await;
    let mut tx = db::begin_tenant(&app.db, t).await.unwrap();
    sqlx::query(
        "INSERT INTO employees (tenant_id, employee_no, name, department, level, monthly_salary_fen, bonus_base_fen, hired_on)
         SELECT $1, 'S' || lpad(n::text, 3, '0'), '员工' || n, 'sales', 'specialist', 500000, 100000, '2026-01-01'
         FROM generate_series(1, 40) n",
    )
    .bind(t)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let m = app.signed_in("acme", "salesmgr").await;
    let p1 = m.get("/hr/attendance?month=2026-11").await;
    assert_eq!(p1.body.matches("data-employee=").count(), 30);
    assert!(p1.body.contains("共 41 条"), "E002 and S001–S040");
    assert!(p1.body.contains("/hr/attendance?month=2026-11&#38;page=2"), "{}", p1.body);
    let p2 = m.get("/hr/attendance?month=2026-11&page=2").await;
    assert_eq!(p2.body.matches("data-employee=").count(), 11);
    assert!(row(&p2.body, "S040").is_some());
}

#[tokio::test]
async fn an_upload_with_errors_lists_every_one_and_writes_nothing() {
    let (app, t) = setup().await;
    let hr = app.signed_in("acme", "hr").await;
    let form = hr.get("/hr/attendance/import").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("enctype=\"multipart/form-data\""));
    let before = app.scalar_i64(t, "SELECT count(*) FROM attendance").await;
    let file = format!(
        "{HEADER}E001,2026-12-01,09:00,18:00\nE001,2026-12-02,9:00,18:00\nE999,2026-12-03,09:00,18:00\nE002,2026-12-04,18:00,09:00\n"
    );
    let u = upload(&hr, "punches.csv", &file).await;
    assert_eq!(u.status, 422, "{}", u.body);
    assert!(u.body.contains("有 3 处错误"), "{}", u.body);
    assert!(u.body.contains("第 3 行") && u.body.contains("上班打卡（clock_in）"), "{}", u.body);
    assert!(u.body.contains("第 4 行") && u.body.contains("E999"), "{}", u.body);
    assert!(u.body.contains("第 5 行") && u.body.contains("下班打卡（clock_out）"), "{}", u.body);
    assert!(!u.body.contains(">第 2 行</td>"), "line 2 is not an error");
    assert_eq!(app.scalar_i64(t, "SELECT count(*) FROM attendance").await, before);
    assert_eq!(app.scalar_i64(t, "SELECT count(*) FROM attendance_uploads").await, 0);
    // A wrong header is named on line 1; an empty choice is a form error.
    let u = upload(&hr, "x.csv", "no,date\nE001,2026-12-01\n").await;
    assert_eq!(u.status, 422);
    assert!(u.body.contains("第 1 行") && u.body.contains("employee_no,date,clock_in,clock_out"));
    let u = upload(&hr, "", "").await;
    assert_eq!(u.status, 422);
    assert!(u.body.contains("请选择要上传的考勤文件"), "{}", u.body);
    let u = upload(&hr, "empty.csv", HEADER).await;
    assert_eq!(u.status, 422);
    assert!(u.body.contains("没有考勤记录"));
    assert_eq!(app.scalar_i64(t, "SELECT count(*) FROM attendance_uploads").await, 0);
}

#[tokio::test]
async fn a_valid_upload_is_previewed_then_applied_once_on_confirmation() {
    let (app, t) = setup().await;
    let hr = app.signed_in("acme", "hr").await;
    let file = format!(
        "{HEADER}E001,2026-12-01,09:00,18:00\nE002,2026-12-01,09:10,18:00\nE001,2026-11-30,09:00,17:00\nE002,2026-12-02,09:00,\n"
    );
    let audits = "SELECT count(*) FROM audit_log WHERE action = 'import.attendance'";
    let audits_before = app.scalar_i64(t, audits).await;
    let dec = "SELECT count(*) FROM attendance WHERE day >= '2026-12-01'";
    let nov30 = "SELECT clock_out::text FROM attendance a JOIN employees e ON e.tenant_id = a.tenant_id AND e.id = a.employee_id
                 WHERE e.employee_no = 'E001' AND a.day = '2026-11-30'";

    let u = upload(&hr, "C:\\exports\\december.csv", &file).await;
    assert_eq!(u.status, 303, "{}", u.body);
    let preview_path = u.location.expect("redirect to the preview");
    assert!(preview_path.starts_with("/hr/attendance/import/"));
    let p = hr.get(&preview_path).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains("december.csv") && !p.body.contains("exports"), "the base name only");
    assert!(p.body.contains(">4</span><span class=\"stat-label\">条打卡记录"), "{}", p.body);
    assert!(p.body.contains(">2</span><span class=\"stat-label\">名员工"));
    assert!(p.body.contains("2026-11-30 至 2026-12-02"));
    assert!(p.body.contains(">1</span><span class=\"stat-label\">个员工日已有记录"), "{}", p.body);
    assert!(p.body.contains("1 条记录缺少上班或下班打卡"));
    assert!(p.body.contains("张三") && p.body.contains("09:10"), "sample rows with names");
    assert!(p.body.contains("确认导入"));
    // Nothing written yet.
    assert_eq!(app.scalar_i64(t, dec).await, 0);
    assert_eq!(text(&app, t, nov30).await.as_deref(), Some("18:00:00"));
    assert_eq!(app.scalar_i64(t, audits).await, audits_before);

    // Someone else (even HR, even of the same tenant) cannot confirm it; another tenant cannot see it.
    let hr2 = app.signed_in("acme", "hr2").await;
    assert_eq!(hr2.get(&preview_path).await.status, 404);
    assert_eq!(post(&hr2, &format!("{preview_path}/confirm"), &[]).await.status, 404);
    let m = app.signed_in("acme", "salesmgr").await;
    assert_eq!(post(&m, &format!("{preview_path}/confirm"), &[]).await.status, 403);
    assert_eq!(app.scalar_i64(t, dec).await, 0);

    // Confirm: written in one go and audited.
    let res = hr.post_form(&preview_path, &format!("{preview_path}/confirm"), &[]).await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(res.location(), Some("/hr/attendance?month=2026-11"));
    assert_eq!(app.scalar_i64(t, dec).await, 3);
    assert_eq!(text(&app, t, nov30).await.as_deref(), Some("17:00:00"));
    assert_eq!(app.scalar_i64(t, audits).await, audits_before + 1);
    let summary =
        text(&app, t, "SELECT summary FROM audit_log WHERE action = 'import.attendance' ORDER BY id DESC LIMIT 1")
            .await
            .unwrap();
    assert!(
        summary.contains("december.csv") && summary.contains("新增 3 条") && summary.contains("更新 1 条"),
        "{summary}"
    );
    let by: i64 = app
        .scalar_i64(
            t,
            "SELECT count(*) FROM audit_log a JOIN users u ON u.tenant_id = a.tenant_id AND u.id = a.actor_user_id
             WHERE a.action = 'import.attendance' AND u.username = 'hr'",
        )
        .await;
    assert_eq!(by, 1, "the audit row names the HR user");
    let flash = res.set_cookies().join(";");
    assert!(flash.contains("yy_flash"), "{flash}");

    // A second confirmation is a conflict and changes nothing; the preview is gone.
    let again = post(&hr, &format!("{preview_path}/confirm"), &[]).await;
    assert_eq!(again.status, 409, "{}", again.body);
    assert_eq!(app.scalar_i64(t, audits).await, audits_before + 1);
    assert_eq!(hr.get(&preview_path).await.status, 409);
    assert_eq!(post(&hr, &format!("{preview_path}/cancel"), &[]).await.status, 409);
    assert_eq!(app.scalar_i64(t, "SELECT count(*) FROM attendance_uploads WHERE content IS NOT NULL").await, 0);

    // Another tenant's HR cannot reach this upload either.
    let other = app.tenant("other").await;
    app.user(other, "hr", Dept::Hr, Level::Manager, false).await;
    let o = app.signed_in("other", "hr").await;
    assert_eq!(o.get(&preview_path).await.status, 404);
}

#[tokio::test]
async fn cancelled_stale_and_unknown_uploads() {
    let (app, t) = setup().await;
    let hr = app.signed_in("acme", "hr").await;
    let file = format!("{HEADER}E001,2026-12-01,09:00,18:00\n");
    let dec = "SELECT count(*) FROM attendance WHERE day >= '2026-12-01'";

    // Cancel discards it.
    let path = upload(&hr, "a.csv", &file).await.location.unwrap();
    let form = hr.get("/hr/attendance/import").await;
    assert!(form.body.contains(&path), "pending uploads are listed");
    let res = hr.post_form(&path, &format!("{path}/cancel"), &[]).await;
    assert_eq!(res.status, 303);
    assert_eq!(res.location(), Some("/hr/attendance/import"));
    assert_eq!(post(&hr, &format!("{path}/confirm"), &[]).await.status, 409);
    assert_eq!(app.scalar_i64(t, dec).await, 0);

    // An expired one is gone.
    let path = upload(&hr, "b.csv", &file).await.location.unwrap();
    let mut tx = db::begin_tenant(&app.db, t).await.unwrap();
    sqlx::query("UPDATE attendance_uploads SET expires_at = now() - interval '1 minute' WHERE status = 'pending'")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(hr.get(&path).await.status, 404);
    assert_eq!(post(&hr, &format!("{path}/confirm"), &[]).await.status, 404);
    assert_eq!(app.scalar_i64(t, dec).await, 0);

    // Unknown ids.
    assert_eq!(hr.get("/hr/attendance/import/999999").await.status, 404);
    assert_eq!(post(&hr, "/hr/attendance/import/999999/confirm", &[]).await.status, 404);
    assert_eq!(post(&hr, "/hr/attendance/import/x/confirm", &[]).await.status, 404);

    // Only HR imports.
    for who in ["salesmgr", "boss", "lisi"] {
        let c = app.signed_in("acme", who).await;
        assert_eq!(c.get("/hr/attendance/import").await.status, 403, "{who}");
        assert_eq!(upload(&c, "c.csv", &file).await.status, 403, "{who}");
    }
    assert_eq!(app.scalar_i64(t, "SELECT count(*) FROM attendance_uploads WHERE status = 'pending'").await, 1);
    assert_eq!(app.scalar_i64(t, dec).await, 0);
}

#[tokio::test]
async fn corrections_need_a_reason_and_are_audited() {
    let (app, t) = setup().await;
    let e002 = employee_id(&app, t, "E002").await;
    let path = format!("/hr/attendance/{e002}/2026-11-03/correct");
    let stored = "SELECT coalesce(clock_out::text, '-') || '|' || source || '|' || coalesce(correction_reason, '')
                  FROM attendance a JOIN employees e ON e.tenant_id = a.tenant_id AND e.id = a.employee_id
                  WHERE e.employee_no = 'E002' AND a.day = '2026-11-03'";
    let hr = app.signed_in("acme", "hr").await;
    let p = hr.get(&path).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains("value=\"09:00\"") && p.body.contains("打卡导入"));

    // No reason: the form again, nothing written.
    let p = hr.post_form(&path, &path, &[("clock_in", "09:00"), ("clock_out", "18:00"), ("reason", "  ")]).await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("请填写更正原因") && p.body.contains("value=\"18:00\""), "{}", p.body);
    assert_eq!(text(&app, t, stored).await.as_deref(), Some("-|import|"));
    // Bad times.
    let p = hr.post_form(&path, &path, &[("clock_in", "9点"), ("clock_out", "18:00"), ("reason", "忘记打卡")]).await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("上班时间请按 HH:MM 填写"), "{}", p.body);
    let p = hr.post_form(&path, &path, &[("clock_in", "18:00"), ("clock_out", "09:00"), ("reason", "忘记打卡")]).await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("下班时间必须晚于上班时间"));
    assert_eq!(text(&app, t, stored).await.as_deref(), Some("-|import|"));

    // With a reason: written, audited with before and after.
    let p = hr
        .post_form(&path, &path, &[("clock_in", "09:00"), ("clock_out", "18:00"), ("reason", "忘记打下班卡，经理确认")])
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(p.location(), Some(format!("/hr/attendance/{e002}?month=2026-11").as_str()));
    assert_eq!(text(&app, t, stored).await.as_deref(), Some("18:00:00|correction|忘记打下班卡，经理确认"));
    let by = app
        .scalar_i64(
            t,
            "SELECT count(*) FROM attendance a JOIN users u ON u.tenant_id = a.tenant_id AND u.id = a.updated_by
             WHERE u.username = 'hr' AND a.day = '2026-11-03' AND a.source = 'correction'",
        )
        .await;
    assert_eq!(by, 1);
    let audit = text(
        &app,
        t,
        "SELECT coalesce(before->>'clock_out', 'null') || '|' || (after->>'clock_out') || '|' || (after->>'correction_reason')
           || '|' || entity_id || '|' || summary
         FROM audit_log WHERE action = 'attendance.correct'",
    )
    .await
    .unwrap();
    assert!(audit.starts_with("null|18:00|忘记打下班卡，经理确认|E002/2026-11-03|"), "{audit}");
    assert!(audit.contains("下班 — → 18:00"), "{audit}");
    // The day is now normal on the employee's own page.
    let lisi = app.signed_in("acme", "lisi").await;
    let p = lisi.get("/attendance/me?month=2026-11").await;
    assert!(cell(&p.body, "2026-11-03").contains("data-mark=\"normal\""), "{}", cell(&p.body, "2026-11-03"));

    // Empty punches are allowed (a day with no punches at all).
    let nov4 = format!("/hr/attendance/{e002}/2026-11-04/correct");
    let p =
        hr.post_form(&nov4, &nov4, &[("clock_in", ""), ("clock_out", ""), ("reason", "出差未打卡，按旷工处理")]).await;
    assert_eq!(p.status, 303, "{}", p.body);
    let p = lisi.get("/attendance/me?month=2026-11").await;
    assert!(cell(&p.body, "2026-11-04").contains("data-mark=\"full-absent\""));
    assert_eq!(app.scalar_i64(t, "SELECT count(*) FROM audit_log WHERE action = 'attendance.correct'").await, 2);

    // Days that cannot be corrected; malformed dates.
    let future = format!("/hr/attendance/{e002}/2099-01-05/correct");
    let p = hr.post_form(&future, &future, &[("clock_in", "09:00"), ("clock_out", "18:00"), ("reason", "x")]).await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("还没有到"));
    let e004 = employee_id(&app, t, "E004").await;
    let before_hire = format!("/hr/attendance/{e004}/2026-11-02/correct");
    let p = hr.post_form(&before_hire, &before_hire, &[("clock_in", "09:00"), ("reason", "x")]).await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("入职"));
    assert_eq!(hr.get(&format!("/hr/attendance/{e002}/2026-11-31/correct")).await.status, 400);
    assert_eq!(hr.get(&format!("/hr/attendance/{e002}/20261103/correct")).await.status, 400);
    assert_eq!(app.scalar_i64(t, "SELECT count(*) FROM audit_log WHERE action = 'attendance.correct'").await, 2);

    // Only HR corrects.
    for who in ["salesmgr", "boss", "lisi"] {
        let c = app.signed_in("acme", who).await;
        assert_eq!(c.get(&path).await.status, 403, "{who}");
        let p = post(&c, &path, &[("clock_in", "08:00"), ("clock_out", "18:00"), ("reason", "x")]).await;
        assert_eq!(p.status, 403, "{who}");
    }
    // Another tenant's employee id: 404, nothing written.
    let other = app.tenant("other").await;
    app.user(other, "hr", Dept::Hr, Level::Manager, false).await;
    let o = app.signed_in("other", "hr").await;
    assert_eq!(o.get(&path).await.status, 404);
    let p = post(&o, &path, &[("clock_in", "08:00"), ("clock_out", "18:00"), ("reason", "x")]).await;
    assert_eq!(p.status, 404);
    assert_eq!(text(&app, t, stored).await.as_deref(), Some("18:00:00|correction|忘记打下班卡，经理确认"));
    assert_eq!(app.scalar_i64(t, "SELECT count(*) FROM audit_log WHERE action = 'attendance.correct'").await, 2);
}
