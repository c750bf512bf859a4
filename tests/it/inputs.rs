//! Input as users really send it: files from Excel on Windows (CRLF, GBK), big
//! uploads, months far ahead, NUL bytes and dates out of range. Each is refused with
//! a clear message and nothing written, or read as the user meant it.

use yunying::config::Settings;
use yunying::people::{Dept, Level};

use crate::helpers::{spawn_app, spawn_app_with, Client, TestApp};
use crate::hr_leave::{employee, staff};

const EMPLOYEES_HEADER: &str =
    "employee_no,name,department,level,monthly_salary,bonus_base,hired_on,left_on,manager_employee_no";

async fn hr_app(app: &TestApp) -> (i64, Client) {
    let t = app.tenant("alpha").await;
    app.user(t, "hr", Dept::Hr, Level::Specialist, false).await;
    let hr = app.signed_in("alpha", "hr").await;
    (t, hr)
}

async fn names(app: &TestApp, t: i64) -> Vec<String> {
    app.strings(t, "SELECT name FROM employees ORDER BY employee_no").await
}

#[tokio::test]
async fn a_gbk_employees_file_is_imported_with_its_chinese_names_on_the_web_and_the_cli() {
    let app = spawn_app().await;
    let (t, hr) = hr_app(&app).await;
    let text = format!(
        "{EMPLOYEES_HEADER}\r\nE001,张三,ops,specialist,8000,2000,2026-01-05,,\r\nE002,欧阳娜娜,hr,manager,9000.50,1000,2025-03-01,,E001\r\n"
    );
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(!unmappable && std::str::from_utf8(&gbk).is_err(), "the file is GBK, not UTF-8");
    let p = hr.upload("/hr/employees/import", "/hr/employees/import", &[], "员工.csv", gbk.to_vec()).await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(names(&app, t).await, vec!["张三", "欧阳娜娜"]);

    // The CLI reads the same bytes the same way.
    app.tenant("beta").await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("employees-gbk.csv");
    std::fs::write(&path, &gbk[..]).unwrap();
    let out = app.cli(&["import", "employees", "--tenant", "beta", path.to_str().unwrap()], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let beta: i64 =
        sqlx::query_scalar("SELECT id FROM tenants WHERE code = 'beta'").fetch_one(&app.owner).await.unwrap();
    assert_eq!(names(&app, beta).await, vec!["张三", "欧阳娜娜"]);
}

#[tokio::test]
async fn an_attendance_upload_names_the_physical_line_whatever_the_line_ends() {
    let app = spawn_app().await;
    let (t, hr) = hr_app(&app).await;
    employee(&app, t, "E1", "张三", Dept::Ops, Level::Specialist).await;
    let lf = "employee_no,date,clock_in,clock_out\nE1,2026-11-02,09:00,18:00\nE1,2026-11-03,09:00,18:00\n\
              E1,2026-11-04,09:00,18:00\nE1,2026-11-31,25:61,18:00\nE1,2026-11-05,09:00,18:00\n";
    for (what, file) in [
        ("LF", lf.to_owned()),
        ("CRLF", lf.replace('\n', "\r\n")),
        ("BOM + CRLF", format!("\u{feff}{}", lf.replace('\n', "\r\n"))),
    ] {
        let p =
            hr.upload("/hr/attendance/import", "/hr/attendance/import", &[], "punches.csv", file.into_bytes()).await;
        assert_eq!(p.status, 422, "{what}: {}", p.body);
        assert!(p.body.contains("第 5 行"), "{what}: {}", p.body);
        for other in ["第 2 行", "第 4 行", "第 6 行"] {
            assert!(!p.body.contains(other), "{what}: only the bad record is named: {}", p.body);
        }
    }
    // A quoted cell with a line break before the bad record pushes it one line down.
    let quoted = "employee_no,date,clock_in,clock_out\r\nE1,2026-11-02,09:00,18:00\r\n\
                  \"E1\",2026-11-03,09:00,\"18:00\r\n\"\r\nE1,2026-11-31,25:61,18:00\r\n";
    let p = hr.upload("/hr/attendance/import", "/hr/attendance/import", &[], "q.csv", quoted.into()).await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("第 5 行"), "{}", p.body);
    assert_eq!(app.scalar_i64(t, "SELECT count(*) FROM attendance_uploads").await, 0, "nothing stored");
}

/// Text fields an upload form sends beside its file.
type Fields = &'static [(&'static str, &'static str)];

/// Every upload form of the product: (form page, POST path, extra fields).
const UPLOAD_FORMS: &[(&str, &str, Fields)] = &[
    ("/hr/employees/import", "/hr/employees/import", &[]),
    ("/hr/attendance/import", "/hr/attendance/import", &[]),
    ("/hr/leave/import", "/hr/leave/import", &[]),
    ("/hr/performance/import", "/hr/performance/import", &[("month", "2026-11")]),
    ("/hr/calendar/import", "/hr/calendar/import", &[]),
];

#[tokio::test]
async fn every_upload_form_refuses_a_file_past_the_one_limit_with_the_same_413_page() {
    let settings = Settings { upload_max_bytes: 1024 * 1024, ..Settings::for_tests() };
    let app = spawn_app_with(settings).await;
    let (t, hr) = hr_app(&app).await;
    // 1.5 MB of blank lines after a valid header: the size alone is the problem.
    let mut big = b"employee_no,date,portion,kind\n".to_vec();
    big.resize(1536 * 1024, b'\n');
    let audit_before = app.scalar_i64(t, "SELECT count(*) FROM audit_log").await;
    for (form, path, fields) in UPLOAD_FORMS {
        let p = hr.upload(form, path, fields, "big.csv", big.clone()).await;
        assert_eq!(p.status, 413, "{path}: {}", p.body);
        assert!(p.body.contains("上传的文件超过 1 MB 的上限，未导入任何内容"), "{path}: {}", p.body);
    }
    assert_eq!(app.scalar_i64(t, "SELECT count(*) FROM audit_log").await, audit_before, "nothing written");
    assert_eq!(app.scalar_i64(t, "SELECT count(*) FROM attendance_uploads").await, 0);
    // Just under the limit is read (and judged on its content).
    big.truncate(1000 * 1024);
    let p = hr.upload("/hr/leave/import", "/hr/leave/import", &[], "ok.csv", big).await;
    assert_ne!(p.status, 413, "{}", p.body);
    assert!(!p.body.contains("上限"), "judged on its content, not its size: {}", p.body);
}

#[tokio::test]
async fn leave_and_score_uploads_accept_files_larger_than_two_megabytes() {
    let app = spawn_app().await;
    let (t, hr) = hr_app(&app).await;
    employee(&app, t, "E1", "张三", Dept::Ops, Level::Specialist).await;
    // Valid rows, padded with blank lines (which the reader skips) to 2.1 MB.
    let mut leave = b"employee_no,date,portion,kind\r\nE1,2026-11-02,full,\xe5\xb9\xb4\xe5\x81\x87\r\n".to_vec();
    leave.resize(2200 * 1024, b'\n');
    let p = hr.upload("/hr/leave/import", "/hr/leave/import", &[], "leave.csv", leave).await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(app.scalar_i64(t, "SELECT count(*) FROM leave_requests").await, 1);
    let mut scores = b"employee_no,score\r\nE1,88.5\r\n".to_vec();
    scores.resize(2200 * 1024, b'\n');
    let p =
        hr.upload("/hr/performance/import", "/hr/performance/import", &[("month", "2026-11")], "s.csv", scores).await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(app.scalar_i64(t, "SELECT count(*) FROM performance_scores").await, 1);
}

#[tokio::test]
async fn months_far_ahead_are_empty_and_absurd_months_are_a_400_page() {
    let app = spawn_app().await;
    let (t, hr) = hr_app(&app).await;
    staff(&app, t, "spec", "E1", Dept::Ops, Level::Specialist).await;
    let emp = app.scalar_i64(t, "SELECT id FROM employees WHERE employee_no = 'E1'").await;
    let spec = app.signed_in("alpha", "spec").await;
    let pages = [
        (&spec, "/attendance/me".to_owned()),
        (&spec, "/me/deductions".to_owned()),
        (&hr, "/hr/payroll".to_owned()),
        (&hr, format!("/hr/deductions/{emp}")),
        (&hr, format!("/hr/attendance/{emp}")),
    ];
    for (c, path) in &pages {
        // 2100-12 is months ahead of any day this test runs on: nothing evaluated yet.
        let p = c.get(&format!("{path}?month=2100-12")).await;
        assert_eq!(p.status, 200, "{path}: {}", p.body);
        assert!(p.body.contains("2100"), "{path}: the month is shown");
        for absurd in ["9999-12", "2101-01", "0000-01"] {
            let p = c.get(&format!("{path}?month={absurd}")).await;
            assert_eq!(p.status, 400, "{path}?month={absurd}: {}", p.body);
            assert!(p.body.contains("YYYY-MM"), "{path}: the message says what a month looks like");
        }
    }
}

#[tokio::test]
async fn a_nul_byte_is_a_400_page_or_a_field_message_never_a_500() {
    let app = spawn_app().await;
    let (t, hr) = hr_app(&app).await;
    // Before login.
    let anon = app.client();
    let token = anon.get("/login").await.csrf();
    let p = anon
        .post_raw(
            "/login",
            &[("csrf_token", &token), ("company", "alpha\0"), ("username", "hr"), ("password", "x")],
            &[],
        )
        .await;
    assert_eq!(p.status, 400, "{}", p.body);
    assert!(p.body.contains("控制字符"), "{}", p.body);
    // Query strings of list pages, and a path.
    for path in ["/hr/employees?q=%00x", "/audit?action=%00", "/hr/employees/%00", "/leave/all?status=a%01"] {
        let p = hr.get(path).await;
        assert_eq!(p.status, 400, "{path}: {}", p.body);
        assert!(p.body.contains("控制字符"), "{path}: {}", p.body);
    }
    // A form field.
    let before = app.scalar_i64(t, "SELECT count(*) FROM employees").await;
    let p = hr
        .post_form(
            "/hr/employees/new",
            "/hr/employees",
            &[("employee_no", "E9"), ("name", "张\0三"), ("department", "ops"), ("level", "specialist")],
        )
        .await;
    assert_eq!(p.status, 400, "{}", p.body);
    // An import cell: its line and field.
    let file = format!("{EMPLOYEES_HEADER}\nE001,张\0三,ops,specialist,8000,2000,2026-01-05,,\n");
    let p = hr.upload("/hr/employees/import", "/hr/employees/import", &[], "e.csv", file.into_bytes()).await;
    assert_eq!(p.status, 422, "{}", p.body);
    assert!(p.body.contains("第 2 行") && p.body.contains("控制字符"), "{}", p.body);
    assert_eq!(app.scalar_i64(t, "SELECT count(*) FROM employees").await, before, "nothing written");
}

#[tokio::test]
async fn dates_outside_1900_to_2100_are_refused_in_forms_and_imports() {
    let app = spawn_app().await;
    let (t, hr) = hr_app(&app).await;
    let fields = |hired: &'static str| {
        vec![
            ("employee_no", "E100"),
            ("name", "新员工"),
            ("department", "sales"),
            ("level", "specialist"),
            ("monthly_salary", "8000"),
            ("bonus_base", "1000"),
            ("hired_on", hired),
        ]
    };
    for hired in ["0000-01-01", "9999-12-31"] {
        let p = hr.post_form("/hr/employees/new", "/hr/employees", &fields(hired)).await;
        assert_eq!(p.status, 422, "{hired}: {}", p.body);
        assert!(p.body.contains("入职日期超出范围（应在 1900-01-01 至 2100-12-31 之间）"), "{}", p.body);
        assert!(p.body.contains(&format!("value=\"{hired}\"")), "typed value kept");
    }
    let file = format!("{EMPLOYEES_HEADER}\nE001,张三,ops,specialist,8000,2000,0000-01-01,,\n");
    let p = hr.upload("/hr/employees/import", "/hr/employees/import", &[], "e.csv", file.into_bytes()).await;
    assert_eq!(p.status, 422, "{}", p.body);
    assert!(p.body.contains("第 2 行") && p.body.contains("超出范围"), "{}", p.body);
    assert_eq!(app.scalar_i64(t, "SELECT count(*) FROM employees").await, 0, "nothing written");
    let p = hr.post_form("/hr/employees/new", "/hr/employees", &fields("2100-12-31")).await;
    assert_eq!(p.status, 303, "{}", p.body);
}

#[tokio::test]
async fn a_page_number_past_the_end_says_so_and_links_to_the_last_page() {
    let app = spawn_app().await;
    let (t, hr) = hr_app(&app).await;
    for i in 0..3 {
        employee(&app, t, &format!("E{i}"), "员工", Dept::Ops, Level::Specialist).await;
    }
    let p = hr.get("/hr/employees?page=100000").await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains("没有第 100000 页（共 1 页）· 共 3 条"), "{}", p.body);
    assert!(!p.body.contains("第 100000 / 1 页"), "{}", p.body);
    assert!(p.body.contains(r#"href="/hr/employees?page=1" rel="prev" data-pager-last"#), "{}", p.body);
    assert!(!p.body.contains("下一页"), "{}", p.body);
}
