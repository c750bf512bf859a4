//! The leave flow in two real browsers: an employee applies for leave, their
//! department manager approves it in a second session, and the employee's
//! attendance calendar then shows that day as leave.

use chrono::{Datelike, Duration};
use serde_json::json;

use crate::spawn::{run_cli, Server};
use crate::webdriver::{self, ChromeDriver};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn employee_applies_manager_approves_calendar_shows_leave() {
    let Some(chromedriver) = webdriver::available() else {
        return;
    };
    let mut server = Server::start();
    let base = server.url.clone();
    let data = server.data_dir().clone();

    // A new ops specialist with an employee record and no punches at all, so the
    // chosen day is an absence until the leave is approved (CLI beside the server).
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("e.csv");
    std::fs::write(
        &file,
        "employee_no,name,department,level,monthly_salary,bonus_base,hired_on,left_on,manager_employee_no\n\
         E9001,叶请假,ops,specialist,6000,1000,2020-01-01,,E1003\n",
    )
    .expect("write employees file");
    let out = run_cli(&data, &["import", "employees", "--tenant", "demo", file.to_str().expect("utf-8 path")], None);
    assert!(out.status.success(), "{}", out.stderr);
    let out = run_cli(
        &data,
        &[
            "user",
            "create",
            "--tenant",
            "demo",
            "--username",
            "ye",
            "--name",
            "叶请假",
            "--department",
            "ops",
            "--level",
            "specialist",
            "--employee-no",
            "E9001",
            "--password-stdin",
        ],
        Some("leave-pass-1\n"),
    );
    assert!(out.status.success(), "{}", out.stderr);

    // The most recent past workday (weekends never count; the demo calendar has
    // no holidays in November).
    let today = chrono::Utc::now().with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
    let mut day = today - Duration::days(1);
    while day.weekday().num_days_from_monday() >= 5 || (day.month() == 10 && day.day() <= 7) {
        day -= Duration::days(1);
    }
    let day_s = day.format("%Y-%m-%d").to_string();
    let month_s = day.format("%Y-%m").to_string();

    let mut driver = ChromeDriver::start(&chromedriver);
    let employee = driver.session().await;
    employee.sign_in(&base, "demo", "ye", "leave-pass-1").await;

    // Before: an absence on that day.
    employee.goto(&format!("{base}/attendance/me?month={month_s}")).await;
    let cell = employee.wait_for(&format!("td[data-date='{day_s}']")).await;
    assert_eq!(cell.attr("data-mark").await.expect("attr").as_deref(), Some("full-absent"), "before the leave");

    // Apply for a full day of 事假.
    employee.goto(&format!("{base}/leave")).await;
    employee.wait_for("input[name=date]").await;
    employee
        .client
        .execute("document.querySelector('input[name=date]').value = arguments[0];", vec![json!(day_s)])
        .await
        .expect("set the date");
    employee.select("select[name=portion]", "full").await;
    employee.select("select[name=kind]", "事假").await;
    employee.type_into("textarea[name=reason]", "家中有事").await;
    let submit = employee.wait_for("form[action='/leave'] button[type=submit]").await;
    employee.click(submit).await;
    let status = employee.wait_for("[data-testid=status]").await;
    assert_eq!(employee.text(&status).await, "待审批");
    let request_url = employee.current_url().await;
    assert!(request_url.starts_with(&format!("{base}/leave/")), "{request_url}");

    // The ops manager approves it in a second browser.
    let manager = driver.session().await;
    manager.sign_in(&base, "demo", "ops.manager", "demo1234").await;
    manager.goto(&format!("{base}/leave/approvals")).await;
    let path = request_url.trim_start_matches(&base).to_owned();
    let link = manager.wait_for(&format!("a[href='{path}']")).await;
    manager.click(link).await;
    manager.type_into("textarea[name=comment]", "同意").await;
    let approve = manager.wait_for(&format!("form[action='{path}/approve'] button.btn-primary")).await;
    manager.click(approve).await;
    let status = manager.wait_for("[data-testid=status]").await;
    assert_eq!(manager.text(&status).await, "已批准");

    // The employee's calendar now shows leave on that day.
    employee.goto(&format!("{base}/attendance/me?month={month_s}")).await;
    let cell = employee.wait_for(&format!("td[data-date='{day_s}']")).await;
    assert_eq!(cell.attr("data-mark").await.expect("attr").as_deref(), Some("leave"), "after approval");
    employee.goto(&request_url).await;
    let status = employee.wait_for("[data-testid=status]").await;
    assert_eq!(employee.text(&status).await, "已批准");

    employee.close().await;
    manager.close().await;
    drop(driver);
    let status = server.terminate();
    assert!(status.success(), "yunying should exit 0 after SIGTERM\n{}", server.logs());
}
