//! The payroll table, deductions pages and the policy page.

use crate::helpers::{import_example as example, spawn_app, spawn_app_on, TestApp};
use yunying::db;
use yunying::people::{Dept, Level};

async fn link(app: &TestApp, tenant: i64, user: i64, employee_no: &str) {
    let mut tx = db::begin_tenant(&app.db, tenant).await.unwrap();
    sqlx::query("UPDATE users SET employee_no = $2 WHERE id = $1")
        .bind(user)
        .bind(employee_no)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn payroll_table_with_totals_filters_and_department_totals() {
    let app = spawn_app().await;
    let acme = example(&app).await;
    app.user(acme, "hr", Dept::Hr, Level::Manager, false).await;
    let c = app.signed_in("acme", "hr").await;
    let p = c.get("/hr/payroll?month=2026-11").await;
    assert_eq!(p.status, 200, "{}", p.body);
    for no in ["E001", "E002", "E003", "E004", "E005", "E006"] {
        assert!(p.body.contains(&format!(">{no}</a>")), "{no}");
    }
    assert!(p.body.contains("-2758.62") && p.body.contains("551.72"));
    // Totals: net = 2160 + 150 - 2758.62 + 800 + 408.28 - 2252.87 = -1493.21
    assert!(p.body.contains("-1493.21"), "total net adjustment");
    assert!(p.body.contains("连续两月不合格"));
    // Filter by flag: only E003 and E006 exceed 20%.
    let f = c.get("/hr/payroll?month=2026-11&flag=over20").await;
    assert!(f.body.contains(">E003</a>") && f.body.contains(">E006</a>"));
    assert!(!f.body.contains(">E001</a>"));
    // Filter by department.
    let d = c.get("/hr/payroll?month=2026-11&department=sales").await;
    assert!(d.body.contains(">E002</a>") && !d.body.contains(">E001</a>"));
    // Department totals list every department with people.
    assert!(p.body.contains("data-testid=\"dept-totals\""));
    assert!(p.body.contains("仓储物流部"));
    assert_eq!(c.get("/hr/payroll?month=2026-13").await.status, 400);
    // Directors see it too; others do not.
    app.user(acme, "boss", Dept::Ops, Level::Director, false).await;
    assert_eq!(app.signed_in("acme", "boss").await.get("/hr/payroll?month=2026-11").await.status, 200);
    app.user(acme, "opsman", Dept::Ops, Level::Manager, false).await;
    assert_eq!(app.signed_in("acme", "opsman").await.get("/hr/payroll?month=2026-11").await.status, 403);
}

#[tokio::test]
async fn my_deductions_explain_every_line() {
    let app = spawn_app().await;
    let acme = example(&app).await;
    let u = app.user(acme, "lisi", Dept::Sales, Level::Specialist, false).await;
    link(&app, acme, u, "E002").await;
    let c = app.signed_in("acme", "lisi").await;
    let p = c.get("/me/deductions?month=2026-11").await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains("李四"));
    assert!(p.body.contains("11-02") && p.body.contains("09:20"), "the serious late day with its punch");
    assert!(p.body.contains("11-03"), "the missing clock-out");
    assert!(p.body.contains("900.00") && p.body.contains("450.00"));
    // An unlinked login gets a clear empty state.
    app.user(acme, "nobody", Dept::Ops, Level::Specialist, false).await;
    let p = app.signed_in("acme", "nobody").await.get("/me/deductions?month=2026-11").await;
    assert!(p.body.contains("尚未关联员工档案"));
    // Scope: a specialist cannot open a colleague's deductions; a manager of the
    // department can; another tenant cannot.
    let e001: i64 = app.scalar_i64(acme, "SELECT id FROM employees WHERE employee_no = 'E001'").await;
    let e002: i64 = app.scalar_i64(acme, "SELECT id FROM employees WHERE employee_no = 'E002'").await;
    assert_eq!(c.get(&format!("/hr/deductions/{e001}?month=2026-11")).await.status, 404);
    assert_eq!(c.get(&format!("/hr/deductions/{e002}?month=2026-11")).await.status, 200, "their own");
    app.user(acme, "salesman", Dept::Sales, Level::Manager, false).await;
    let m = app.signed_in("acme", "salesman").await;
    assert_eq!(m.get(&format!("/hr/deductions/{e002}?month=2026-11")).await.status, 200);
    assert_eq!(m.get(&format!("/hr/deductions/{e001}?month=2026-11")).await.status, 404);
    let other = app.tenant("other").await;
    app.user(other, "hr", Dept::Hr, Level::Director, false).await;
    assert_eq!(
        app.signed_in("other", "hr").await.get(&format!("/hr/deductions/{e002}?month=2026-11")).await.status,
        404
    );
}

fn policy_form(page: &str) -> Vec<(String, String)> {
    // Every input of the policy form with its current value.
    let mut out = Vec::new();
    for chunk in page.split("<input ").skip(1) {
        let attr =
            |name: &str| chunk.split(&format!("{name}=\"")).nth(1).and_then(|r| r.split('"').next()).map(str::to_owned);
        let Some(name) = attr("name") else { continue };
        if chunk.contains("type=\"checkbox\"") {
            if chunk.contains(" checked") {
                out.push((name, "on".into()));
            }
            continue;
        }
        out.push((name, attr("value").unwrap_or_default()));
    }
    out
}

#[tokio::test]
async fn policy_versions_preview_and_apply_from_their_month() {
    let app = spawn_app().await;
    let acme = example(&app).await;
    app.user(acme, "hrm", Dept::Hr, Level::Manager, false).await;
    app.user(acme, "hrs", Dept::Hr, Level::Specialist, false).await;
    let c = app.signed_in("acme", "hrm").await;
    let page = c.get("/hr/policy").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("日工资折算天数") && page.body.contains("value=\"21.75\""));
    assert!(page.body.contains("value=\"09:00\""), "times as HH:MM");
    let mut fields = policy_form(&page.body);
    let set = |fields: &mut Vec<(String, String)>, k: &str, v: &str| {
        for f in fields.iter_mut() {
            if f.0 == k {
                f.1 = v.to_owned();
            }
        }
    };
    // A bad value: the form again, naming the field, nothing saved.
    set(&mut fields, "day_wage_divisor", "abc");
    set(&mut fields, "effective_month", "2026-11");
    let refs = |f: &Vec<(String, String)>| f.iter().map(|(k, v)| (k.clone(), v.clone())).collect::<Vec<_>>();
    let as_pairs = |f: &Vec<(String, String)>| refs(f);
    let post = |path: &'static str, f: Vec<(String, String)>| {
        let c = c.clone();
        async move {
            let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            c.post_raw(path, &pairs, &[]).await
        }
    };
    let p = post("/hr/policy", as_pairs(&fields)).await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("value=\"abc\""), "typed value kept");
    assert_eq!(app.scalar_i64(acme, "SELECT count(*) FROM policy_versions").await, 0);
    // Divisor 26 from November: the preview lists who changes, old and new.
    set(&mut fields, "day_wage_divisor", "26");
    let p = post("/hr/policy/preview", as_pairs(&fields)).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains("data-testid=\"preview\""));
    assert!(p.body.contains("确认保存新版本"));
    let p = post("/hr/policy", as_pairs(&fields)).await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(app.scalar_i64(acme, "SELECT count(*) FROM policy_versions").await, 1);
    assert_eq!(app.scalar_i64(acme, "SELECT count(*) FROM audit_log WHERE action = 'policy.save'").await, 1);
    // November now uses 26: E003 = 10000 × 6 / 26 = 2307.69; October does not change.
    let out = app.cli(&["payroll", "export", "--tenant", "acme", "--month", "2026-11"], None);
    let csv = String::from_utf8_lossy(&out.stdout);
    assert!(csv.contains(",2307.69,"), "{csv}");
    let shown = c.get("/hr/policy").await;
    assert!(shown.body.contains("2026-11"), "history lists the version");
    // Permissions: an HR specialist and an ops manager may not.
    assert_eq!(app.signed_in("acme", "hrs").await.get("/hr/policy").await.status, 403);
    let hrs = app.signed_in("acme", "hrs").await;
    let tok = hrs.get("/account").await.csrf();
    let mut f2 = as_pairs(&fields);
    f2.retain(|(k, _)| k != "csrf_token");
    f2.push(("csrf_token".into(), tok));
    let pairs: Vec<(&str, &str)> = f2.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(hrs.post_raw("/hr/policy", &pairs, &[]).await.status, 403);
    assert_eq!(app.scalar_i64(acme, "SELECT count(*) FROM policy_versions").await, 1);
}

#[tokio::test]
async fn a_month_in_progress_counts_no_future_day_as_an_absence() {
    use chrono::Datelike;
    // The pages decide by this date (a Wednesday in the middle of a month), not by
    // the clock: the check is the same whatever day the test runs.
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 18).unwrap();
    let app = spawn_app_on(today).await;
    // Tracking since 2026-10-01 (helper default); nobody ever punched.
    let t = app.tenant("acme").await;
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("e.csv");
    std::fs::write(
        &f,
        "employee_no,name,department,level,monthly_salary,bonus_base,hired_on,left_on,manager_employee_no\nE1,甲,ops,specialist,5000,1000,2020-01-01,,\n",
    )
    .unwrap();
    assert!(app.cli(&["import", "employees", "--tenant", "acme", f.to_str().unwrap()], None).status.success());
    let u = app.user(t, "jia", Dept::Ops, Level::Specialist, false).await;
    link(&app, t, u, "E1").await;
    let month_start = today.with_day(1).unwrap();
    let mut past_workdays = 0;
    let mut d = month_start.max(chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap());
    while d < today {
        if d.weekday().num_days_from_monday() < 5 {
            past_workdays += 1;
        }
        d += chrono::Duration::days(1);
    }
    let month = today.format("%Y-%m").to_string();
    let jia = app.signed_in("acme", "jia").await;
    let p = jia.get(&format!("/me/deductions?month={month}")).await;
    assert_eq!(p.status, 200);
    let cell = p
        .body
        .split("<th>旷工全天次数</th><td class=\"num\">")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .expect("full-day absences in the summary")
        .to_owned();
    assert_eq!(cell, past_workdays.to_string(), "only days before today count ({month})");
    // A fixed complete month counts every workday, whatever the day: October 2026
    // (tracking starts on the 1st; no calendar, so its 22 weekdays).
    let oct = absences(&jia, "2026-10").await;
    assert_eq!(oct, "22", "every weekday of October 2026 without a punch");
    // A fixed month that has not begun (December 2100, the last month allowed) is
    // not evaluated at all: no absence summary.
    let p = jia.get("/me/deductions?month=2100-12").await;
    assert_eq!(p.status, 200);
    assert!(!p.body.contains("<th>旷工全天次数</th>"), "nothing evaluated in 2100-12: {}", p.body);
}

/// The 旷工全天次数 of `month` on the viewer's own deductions page.
async fn absences(c: &crate::helpers::Client, month: &str) -> String {
    let p = c.get(&format!("/me/deductions?month={month}")).await;
    assert_eq!(p.status, 200, "{month}");
    p.body
        .split("<th>旷工全天次数</th><td class=\"num\">")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .unwrap_or_else(|| panic!("full-day absences in the summary of {month}: {}", p.body))
        .to_owned()
}

#[tokio::test]
async fn demo_adds_employees_punches_leave_scores_and_a_calendar() {
    let app = spawn_app().await;
    let out = app.cli(&["demo", "--tenants", "1", "--employees", "40"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let demo: i64 = sqlx::query_scalar("SELECT id FROM tenants WHERE code = 'demo'").fetch_one(&app.db).await.unwrap();
    assert_eq!(app.scalar_i64(demo, "SELECT count(*) FROM employees").await, 40);
    // Every demo login is linked to its employee record.
    assert_eq!(
        app.scalar_i64(
            demo,
            "SELECT count(*) FROM users u JOIN employees e ON e.tenant_id = u.tenant_id AND e.employee_no = u.employee_no"
        )
        .await,
        22
    );
    assert!(app.scalar_i64(demo, "SELECT count(*) FROM attendance").await > 40 * 15, "about two months of punches");
    assert!(app.scalar_i64(demo, "SELECT count(*) FROM leave_requests WHERE status = 'approved'").await > 0);
    assert_eq!(app.scalar_i64(demo, "SELECT count(*) FROM leave_requests WHERE status = 'pending'").await, 6);
    assert!(app.scalar_i64(demo, "SELECT count(*) FROM performance_scores").await > 30);
    assert!(app.scalar_i64(demo, "SELECT count(*) FROM calendar_days").await >= 8);
    // The previous month's payroll has deductions and flags to look at.
    let c = app.signed_in_demo().await;
    let p = c.get("/hr/payroll").await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains("工资调整表"));
    assert!(p.body.contains("tag-bad"), "some rows carry flags");
}
