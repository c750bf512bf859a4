//! The payroll-adjustment CSV: the golden file of CONTRACT.md through the CLI,
//! the web download, permissions, isolation, import errors, formula injection.

use crate::helpers::{fixture, import_example, ok, spawn_app};
use yunying::people::{Dept, Level};

#[tokio::test]
async fn golden_csv_of_contract_md_through_the_cli_and_the_web() {
    let app = spawn_app().await;
    let acme = import_example(&app).await;
    let expected = std::fs::read(fixture("expected-2026-11.csv")).unwrap();
    let out = app.cli(&["payroll", "export", "--tenant", "acme", "--month", "2026-11"], None);
    ok(&out, "payroll export");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&expected),
        "the CSV of CONTRACT.md, byte for byte"
    );
    assert_eq!(out.stdout, expected);
    // --out writes the same bytes.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("p.csv");
    ok(
        &app.cli(
            &["payroll", "export", "--tenant", "acme", "--month", "2026-11", "--out", file.to_str().unwrap()],
            None,
        ),
        "export --out",
    );
    assert_eq!(std::fs::read(&file).unwrap(), expected);
    // Re-importing the same files is idempotent.
    let again =
        ok(&app.cli(&["import", "attendance", "--tenant", "acme", &fixture("attendance.csv")], None), "re-import");
    assert!(again.contains("0 new, 218 updated"), "{again}");
    assert_eq!(app.cli(&["payroll", "export", "--tenant", "acme", "--month", "2026-11"], None).stdout, expected);

    // The web download gives the same bytes, for HR and for directors.
    app.user(acme, "hr1", Dept::Hr, Level::Specialist, false).await;
    app.user(acme, "boss", Dept::Sales, Level::Director, false).await;
    for who in ["hr1", "boss"] {
        let c = app.signed_in("acme", who).await;
        let res = c.http.get(format!("{}/hr/payroll/2026-11.csv", app.base)).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 200, "{who}");
        let ct = res.headers().get("content-type").unwrap().to_str().unwrap().to_owned();
        assert!(ct.starts_with("text/csv"), "{ct}");
        assert_eq!(res.headers().get("cache-control").unwrap(), "no-store");
        assert!(res.headers().get("content-disposition").unwrap().to_str().unwrap().contains("attachment"));
        assert_eq!(res.bytes().await.unwrap().to_vec(), expected, "{who}: web bytes = CLI bytes");
    }
    assert_eq!(app.scalar_i64(acme, "SELECT count(*) FROM audit_log WHERE action = 'payroll.download'").await, 2);
    assert_eq!(
        app.scalar_i64(acme, "SELECT count(*) FROM audit_log WHERE action LIKE 'import.%'").await,
        6,
        "every import is audited"
    );
}

#[tokio::test]
async fn only_hr_and_directors_download_and_other_tenants_see_nothing() {
    let app = spawn_app().await;
    let acme = import_example(&app).await;
    app.user(acme, "opsman", Dept::Ops, Level::Manager, false).await;
    app.user(acme, "finspec", Dept::Finance, Level::Specialist, false).await;
    for who in ["opsman", "finspec"] {
        let c = app.signed_in("acme", who).await;
        let p = c.get("/hr/payroll/2026-11.csv").await;
        assert_eq!(p.status, 403, "{who}");
        assert!(!p.body.contains("张三"));
    }
    // Another tenant's HR gets its own (empty) month, never acme's rows.
    let other = app.tenant("other").await;
    app.user(other, "hr", Dept::Hr, Level::Manager, false).await;
    let c = app.signed_in("other", "hr").await;
    let p = c.get("/hr/payroll/2026-11.csv").await;
    assert_eq!(p.status, 200);
    assert_eq!(p.body.lines().count(), 1, "header only: {}", p.body);
    assert!(!p.body.contains("E001"));
    // A malformed month is a 404, not an error.
    let hr = app.signed_in("other", "hr").await;
    assert_eq!(hr.get("/hr/payroll/2026-13.csv").await.status, 404);
    assert_eq!(hr.get("/hr/payroll/november.csv").await.status, 404);
}

#[tokio::test]
async fn an_import_with_an_error_on_line_n_names_it_and_changes_nothing() {
    let app = spawn_app().await;
    let acme = import_example(&app).await;
    let before = app.scalar_i64(acme, "SELECT count(*) FROM attendance").await;
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "employee_no,date,clock_in,clock_out\nE001,2026-12-01,09:00,18:00\nE001,2026-12-02,9 am,18:00\nE999,2026-12-03,09:00,18:00\n",
    )
    .unwrap();
    let out = app.cli(&["import", "attendance", "--tenant", "acme", bad.to_str().unwrap()], None);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 3, field clock_in"), "{err}");
    assert_eq!(app.scalar_i64(acme, "SELECT count(*) FROM attendance").await, before, "nothing written");
    // Unknown employees are found against the database, still all-or-nothing.
    std::fs::write(
        &bad,
        "employee_no,date,clock_in,clock_out\nE001,2026-12-01,09:00,18:00\nE999,2026-12-03,09:00,18:00\n",
    )
    .unwrap();
    let out = app.cli(&["import", "attendance", "--tenant", "acme", bad.to_str().unwrap()], None);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 3, field employee_no: 没有工号为 E999 的员工"), "{err}");
    assert_eq!(app.scalar_i64(acme, "SELECT count(*) FROM attendance").await, before);
    // Bad arguments name themselves.
    let out = app.cli(&["payroll", "export", "--tenant", "acme", "--month", "2026-13"], None);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--month"));
    let out = app.cli(&["import", "leave", "--tenant", "nope", &fixture("leave.csv")], None);
    assert!(String::from_utf8_lossy(&out.stderr).contains("--tenant"));
}

#[tokio::test]
async fn names_that_look_like_formulas_are_defused() {
    let app = spawn_app().await;
    let _acme = app.tenant("acme").await;
    let dir = tempfile::tempdir().unwrap();
    let emp = dir.path().join("e.csv");
    std::fs::write(
        &emp,
        "employee_no,name,department,level,monthly_salary,bonus_base,hired_on,left_on,manager_employee_no\n\
         E1,\"=HYPERLINK(\"\"http://x\"\")\",ops,specialist,5000,1000,2026-01-01,2026-10-15,\n\
         E2,@SUM(1),ops,specialist,5000,1000,2026-01-01,2026-10-15,\n",
    )
    .unwrap();
    ok(&app.cli(&["import", "employees", "--tenant", "acme", emp.to_str().unwrap()], None), "import");
    let out = ok(&app.cli(&["payroll", "export", "--tenant", "acme", "--month", "2026-10"], None), "export");
    assert!(out.contains("E1,\"'=HYPERLINK(\"\"http://x\"\")\",运营部"), "{out}");
    assert!(out.contains("E2,'@SUM(1),运营部"), "{out}");
    // Negative numbers are never prefixed (the month has absences, so the net is negative).
    let e1 = out.lines().find(|l| l.starts_with("E1,")).unwrap();
    assert!(e1.contains(",-"), "a negative amount stays a number: {e1}");
    assert!(!e1.contains(",'-"), "{e1}");
}

#[tokio::test]
async fn scores_for_someone_not_employed_that_month_are_refused() {
    let app = spawn_app().await;
    let acme = import_example(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("s.csv");
    // E004 was hired on 2026-11-16: no October score.
    std::fs::write(&f, "employee_no,score\nE001,80\nE004,70\n").unwrap();
    let before = app.scalar_i64(acme, "SELECT count(*) FROM performance_scores").await;
    let out = app.cli(&["import", "scores", "--tenant", "acme", "--month", "2026-10", f.to_str().unwrap()], None);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 3, field employee_no: E004 在 2026-10 不在职"), "{err}");
    assert_eq!(app.scalar_i64(acme, "SELECT count(*) FROM performance_scores").await, before);
}
