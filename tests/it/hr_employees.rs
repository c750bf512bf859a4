//! HR employee records (员工档案) and the tenant calendar (日历): scope, filters,
//! validation, audit, the leaving date, CSV uploads, permissions and isolation.

use crate::helpers::{spawn_app, spawn_app_on, Client, Page, TestApp};
use chrono::Datelike;
use serde_json::Value;
use yunying::db;
use yunying::people::{Dept, Level};

const HEADER: &str =
    "employee_no,name,department,level,monthly_salary,bonus_base,hired_on,left_on,manager_employee_no\n";

struct Setup {
    app: TestApp,
    alpha: i64,
    beta: i64,
}

/// Tenant `alpha`: users hr (HR specialist), director (ops), manager (ops),
/// specialist (ops, linked to E001), seller (sales specialist, no record);
/// employees E001–E003, E010 (ops manager) and E011 (ops, left in 2020).
/// Tenant `beta`: user hr and employee B001.
async fn setup() -> Setup {
    setup_in(spawn_app().await).await
}

/// The same tenants and users in `app`.
async fn setup_in(app: TestApp) -> Setup {
    let alpha = app.tenant("alpha").await;
    let beta = app.tenant("beta").await;
    app.user(alpha, "hr", Dept::Hr, Level::Specialist, false).await;
    app.user(alpha, "director", Dept::Ops, Level::Director, false).await;
    app.user(alpha, "manager", Dept::Ops, Level::Manager, false).await;
    let specialist = app.user(alpha, "specialist", Dept::Ops, Level::Specialist, false).await;
    app.user(alpha, "seller", Dept::Sales, Level::Specialist, false).await;
    app.user(beta, "hr", Dept::Hr, Level::Manager, false).await;
    let mut tx = db::begin_tenant(&app.db, alpha).await.unwrap();
    sqlx::query("UPDATE users SET employee_no = 'E001' WHERE tenant_id = $1 AND id = $2")
        .bind(alpha)
        .bind(specialist)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    for (no, name, dept, level, salary, hired, left, manager) in [
        ("E001", "张三", "ops", "specialist", 800_000, "2024-03-01", None, Some("E010")),
        ("E002", "李四", "sales", "specialist", 652_500, "2023-07-15", None, None),
        ("E003", "王五", "marketing", "manager", 1_000_000, "2022-01-10", None, None),
        ("E010", "欧阳经理", "ops", "manager", 1_500_000, "2020-01-01", None, None),
        ("E011", "周九", "ops", "specialist", 500_000, "2019-01-01", Some("2020-06-30"), None),
    ] {
        insert_employee(&app, alpha, no, name, dept, level, salary, hired, left, manager).await;
    }
    insert_employee(&app, beta, "B001", "贝塔", "ops", "specialist", 900_000, "2024-01-01", None, None).await;
    Setup { app, alpha, beta }
}

#[allow(clippy::too_many_arguments)]
async fn insert_employee(
    app: &TestApp,
    tenant: i64,
    no: &str,
    name: &str,
    dept: &str,
    level: &str,
    salary_fen: i64,
    hired: &str,
    left: Option<&str>,
    manager: Option<&str>,
) -> i64 {
    let date = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let mut tx = db::begin_tenant(&app.db, tenant).await.unwrap();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO employees (tenant_id, employee_no, name, department, level, monthly_salary_fen, bonus_base_fen,
                                hired_on, left_on, manager_employee_no)
         VALUES ($1, $2, $3, $4, $5, $6, 200000, $7, $8, $9) RETURNING id",
    )
    .bind(tenant)
    .bind(no)
    .bind(name)
    .bind(dept)
    .bind(level)
    .bind(salary_fen)
    .bind(date(hired))
    .bind(left.map(date))
    .bind(manager)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

async fn emp_id(app: &TestApp, tenant: i64, no: &str) -> i64 {
    app.scalar_i64(tenant, &format!("SELECT id FROM employees WHERE employee_no = '{no}'")).await
}

/// (before, after) of every audit row with this action, oldest first.
async fn audits(app: &TestApp, tenant: i64, action: &str) -> Vec<(Option<Value>, Option<Value>)> {
    let mut tx = db::begin_tenant(&app.db, tenant).await.unwrap();
    let rows = sqlx::query_as("SELECT before, after FROM audit_log WHERE action = $1 ORDER BY id")
        .bind(action)
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    rows
}

/// The `value` of the input named `name` in `html`.
fn input_value(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).map(|i| i + marker.len()).unwrap_or_else(|| panic!("no input {name}"));
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_owned()
}

/// Upload `content` as the `file` field of a multipart form, with the CSRF token
/// read from `form_page`.
async fn upload(c: &Client, form_page: &str, path: &str, file_name: &str, content: &str) -> Page {
    let token = c.get(form_page).await.csrf();
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", token)
        .part("file", reqwest::multipart::Part::bytes(content.as_bytes().to_vec()).file_name(file_name.to_owned()));
    let res = c.http.post(format!("{}{path}", c.base)).multipart(form).send().await.unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let body = res.text().await.unwrap();
    Page { status, headers, body }
}

fn refs(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

fn count_rows(body: &str) -> usize {
    body.matches("<a href=\"/hr/employees/").count() / 2
}

// ---------- list ----------

#[tokio::test]
async fn list_follows_the_people_scope_and_hides_money_from_others() {
    let s = setup().await;
    let app = &s.app;
    // HR and the director see the whole tenant, with salaries.
    for who in ["hr", "director"] {
        let p = app.signed_in("alpha", who).await.get("/hr/employees").await;
        assert_eq!(p.status, 200, "{who}");
        assert!(p.body.contains("共 5 条"), "{who}: {}", p.body);
        for name in ["张三", "李四", "王五", "欧阳经理", "周九"] {
            assert!(p.body.contains(name), "{who} sees {name}");
        }
        assert!(!p.body.contains("贝塔"), "never another tenant's");
        assert!(p.body.contains("月薪") && p.body.contains("8000.00"), "{who} sees salaries");
    }
    // The ops manager: their department only, no money.
    let p = app.signed_in("alpha", "manager").await.get("/hr/employees").await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains("共 3 条"), "{}", p.body);
    assert!(p.body.contains("张三") && p.body.contains("欧阳经理") && p.body.contains("周九"));
    assert!(!p.body.contains("李四") && !p.body.contains("王五"));
    assert!(!p.body.contains("月薪") && !p.body.contains("8000.00"), "no salaries for a manager");
    // The specialist linked to E001: only themself, with their login shown, no money.
    let p = app.signed_in("alpha", "specialist").await.get("/hr/employees").await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains("共 1 条"), "{}", p.body);
    assert!(p.body.contains("张三") && p.body.contains(">specialist<"));
    assert!(!p.body.contains("欧阳经理"));
    assert!(!p.body.contains("8000.00") && !p.body.contains("2000.00"));
    // A specialist without a record sees the empty state.
    let p = app.signed_in("alpha", "seller").await.get("/hr/employees").await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains("没有符合条件的员工"));
    // Only HR gets the create and import buttons.
    assert!(app.signed_in("alpha", "hr").await.get("/hr/employees").await.body.contains("/hr/employees/new"));
    assert!(!app.signed_in("alpha", "director").await.get("/hr/employees").await.body.contains("/hr/employees/new"));
}

#[tokio::test]
async fn list_filters_search_and_pages() {
    let s = setup().await;
    let app = &s.app;
    let c = app.signed_in("alpha", "hr").await;
    let p = c.get("/hr/employees?department=ops").await;
    assert!(p.body.contains("共 3 条") && !p.body.contains("李四"), "{}", p.body);
    let p = c.get("/hr/employees?level=manager").await;
    assert!(p.body.contains("共 2 条") && p.body.contains("王五") && p.body.contains("欧阳经理"));
    let p = c.get("/hr/employees?active=yes").await;
    assert!(p.body.contains("共 4 条") && !p.body.contains("周九"), "left employees are not 在职");
    let p = c.get("/hr/employees?active=no").await;
    assert!(p.body.contains("共 1 条") && p.body.contains("周九") && p.body.contains("已离职"));
    let p = c.get("/hr/employees?q=%E6%9D%8E").await; // 李
    assert!(p.body.contains("共 1 条") && p.body.contains("李四"));
    let p = c.get("/hr/employees?q=e01").await;
    assert!(p.body.contains("共 2 条"), "number search, case-insensitive: {}", p.body);
    let p = c.get("/hr/employees?department=ops&active=yes&q=%E5%BC%A0").await; // 张
    assert!(p.body.contains("共 1 条") && p.body.contains("张三"));
    let p = c.get("/hr/employees?q=nobody").await;
    assert!(p.body.contains("没有符合条件的员工"));
    assert_eq!(c.get("/hr/employees?department=moon").await.status, 400);
    assert_eq!(c.get("/hr/employees?active=maybe").await.status, 400);
    // Filters apply inside the scope: the manager cannot widen it.
    let m = app.signed_in("alpha", "manager").await;
    assert!(m.get("/hr/employees?department=sales").await.body.contains("没有符合条件的员工"));
    // Pagination keeps the filter.
    for i in 0..55 {
        insert_employee(
            app,
            s.alpha,
            &format!("W{i:03}"),
            &format!("仓管{i}"),
            "warehouse",
            "specialist",
            1,
            "2025-01-01",
            None,
            None,
        )
        .await;
    }
    let p = c.get("/hr/employees?department=warehouse").await;
    assert!(p.body.contains("共 55 条") && p.body.contains("第 1 / 2 页"));
    assert!(p.body.contains("href=\"/hr/employees?department=warehouse&#38;page=2\""), "{}", p.body);
    assert_eq!(count_rows(&p.body), 50);
    let p = c.get("/hr/employees?department=warehouse&page=2").await;
    assert_eq!(count_rows(&p.body), 5);
}

// ---------- create ----------

#[tokio::test]
async fn create_validates_each_field_keeps_input_and_audits() {
    let s = setup().await;
    let app = &s.app;
    let c = app.signed_in("alpha", "hr").await;
    let before = app.scalar_i64(s.alpha, "SELECT count(*) FROM employees").await;
    let p = c
        .post_form(
            "/hr/employees/new",
            "/hr/employees",
            &[
                ("employee_no", "E 9"),
                ("name", "新员工甲"),
                ("department", "moon"),
                ("level", "boss"),
                ("monthly_salary", "8000.555"),
                ("bonus_base", "-5"),
                ("hired_on", "2026-13-01"),
                ("left_on", ""),
                ("manager_employee_no", ""),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    for msg in [
        "工号最多 32 位",
        "请选择部门",
        "请选择职级",
        "月薪应为以元为单位的金额",
        "绩效奖金基数不能为负数",
        "入职日期应为 YYYY-MM-DD",
    ] {
        assert!(p.body.contains(msg), "{msg}: {}", p.body);
    }
    assert!(
        p.body.contains("value=\"新员工甲\"")
            && p.body.contains("value=\"8000.555\"")
            && p.body.contains("value=\"E 9\"")
    );
    // Empty required fields, a leaving date before hiring, an unknown manager, a duplicate number.
    let p = c
        .post_form(
            "/hr/employees/new",
            "/hr/employees",
            &[
                ("employee_no", ""),
                ("name", " "),
                ("department", "ops"),
                ("level", "specialist"),
                ("monthly_salary", ""),
                ("bonus_base", "0"),
                ("hired_on", ""),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    for msg in ["请填写工号", "请填写姓名", "请填写月薪", "请填写入职日期"] {
        assert!(p.body.contains(msg), "{msg}");
    }
    let good = |no: &'static str, left: &'static str, manager: &'static str| {
        vec![
            ("employee_no", no),
            ("name", "新员工乙"),
            ("department", "sales"),
            ("level", "specialist"),
            ("monthly_salary", " 8500.5 "),
            ("bonus_base", "1200"),
            ("hired_on", "2026-02-01"),
            ("left_on", left),
            ("manager_employee_no", manager),
        ]
    };
    let p = c.post_form("/hr/employees/new", "/hr/employees", &good("E100", "2026-01-31", "")).await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("离职日期不能早于入职日期 2026-02-01"));
    let p = c.post_form("/hr/employees/new", "/hr/employees", &good("E100", "", "E999")).await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("没有工号为 E999 的员工"));
    let p = c.post_form("/hr/employees/new", "/hr/employees", &good("E100", "", "E100")).await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("员工不能是自己的上级"));
    let p = c.post_form("/hr/employees/new", "/hr/employees", &good("E002", "", "")).await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("该工号已存在"));
    let p = c.post_form("/hr/employees/new", "/hr/employees", &good("B001", "", "")).await;
    assert_eq!(p.status, 303, "another tenant's number is free here: {}", p.body);
    assert_eq!(app.scalar_i64(s.alpha, "SELECT count(*) FROM employees").await, before + 1);
    // Success: saved in fen, shown in yuan, audited.
    let p = c.post_form("/hr/employees/new", "/hr/employees", &good("E100", "", "E002")).await;
    assert_eq!(p.status, 303, "{}", p.body);
    let id = emp_id(app, s.alpha, "E100").await;
    assert_eq!(p.location(), Some(format!("/hr/employees/{id}").as_str()));
    assert_eq!(
        app.scalar_i64(s.alpha, &format!("SELECT monthly_salary_fen FROM employees WHERE id = {id}")).await,
        850_050
    );
    let show = c.get(&format!("/hr/employees/{id}")).await;
    assert!(show.body.contains("已创建员工档案 E100 新员工乙"));
    assert!(show.body.contains("8500.50") && show.body.contains("1200.00"));
    assert!(
        show.body.contains(&format!("href=\"/hr/employees/{}\"", emp_id(app, s.alpha, "E002").await)),
        "manager linked"
    );
    let rows = audits(app, s.alpha, "employee.create").await;
    assert_eq!(rows.len(), 2);
    let after = rows[1].1.clone().unwrap();
    assert_eq!(after["employee_no"], "E100");
    assert_eq!(after["monthly_salary_fen"], 850_050);
    assert_eq!(after["manager_employee_no"], "E002");
    assert!(rows[1].0.is_none());
}

// ---------- show / edit ----------

#[tokio::test]
async fn show_is_scoped_and_edit_is_audited_with_before_and_after() {
    let s = setup().await;
    let app = &s.app;
    let e1 = emp_id(app, s.alpha, "E001").await;
    let e2 = emp_id(app, s.alpha, "E002").await;
    let e10 = emp_id(app, s.alpha, "E010").await;
    let path = format!("/hr/employees/{e1}");
    // Everyone in scope may read; out of scope is a 404.
    let spec = app.signed_in("alpha", "specialist").await;
    let p = spec.get(&path).await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains("张三") && p.body.contains("specialist") && !p.body.contains("8000.00"));
    assert!(!p.body.contains("name=\"version\""), "no edit form for a specialist");
    assert!(
        !p.body.contains(&format!("href=\"/hr/employees/{e10}\"")),
        "manager out of the specialist's scope: not linked"
    );
    assert_eq!(spec.get(&format!("/hr/employees/{e2}")).await.status, 404);
    let mgr = app.signed_in("alpha", "manager").await;
    assert_eq!(mgr.get(&path).await.status, 200);
    assert_eq!(mgr.get(&format!("/hr/employees/{e2}")).await.status, 404);
    let dir = app.signed_in("alpha", "director").await;
    let p = dir.get(&format!("/hr/employees/{e2}")).await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains("6525.00"), "directors see money");
    // HR edits.
    let hr = app.signed_in("alpha", "hr").await;
    let page = hr.get(&path).await;
    assert!(page.body.contains(&format!("href=\"/hr/employees/{e10}\"")), "manager linked for HR");
    let version = input_value(&page.body, "version");
    let fields = |salary: &'static str, version: String| {
        vec![
            ("version".to_owned(), version),
            ("name".into(), "张三丰".into()),
            ("department".into(), "ops".into()),
            ("level".into(), "manager".into()),
            ("monthly_salary".into(), salary.into()),
            ("bonus_base".into(), "2000".into()),
            ("hired_on".into(), "2024-03-01".into()),
            ("manager_employee_no".into(), "".into()),
        ]
    };
    let bad = fields("abc", version.clone());
    let p = hr.post_form(&path, &path, &refs(&bad)).await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("月薪应为以元为单位的金额") && p.body.contains("value=\"张三丰\""));
    assert_eq!(audits(app, s.alpha, "employee.update").await.len(), 0);
    let good = fields("9000", version.clone());
    let p = hr.post_form(&path, &path, &refs(&good)).await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(p.location(), Some(path.as_str()));
    let rows = audits(app, s.alpha, "employee.update").await;
    assert_eq!(rows.len(), 1);
    let (before, after) = (rows[0].0.clone().unwrap(), rows[0].1.clone().unwrap());
    assert_eq!((before["name"].as_str(), after["name"].as_str()), (Some("张三"), Some("张三丰")));
    assert_eq!((before["level"].as_str(), after["level"].as_str()), (Some("specialist"), Some("manager")));
    assert_eq!(
        (before["monthly_salary_fen"].as_i64(), after["monthly_salary_fen"].as_i64()),
        (Some(800_000), Some(900_000))
    );
    assert_eq!((before["manager_employee_no"].as_str(), after["manager_employee_no"].as_str()), (Some("E010"), None));
    let show = hr.get(&path).await;
    assert!(show.body.contains("员工档案已保存") && show.body.contains("9000.00"));
    // The form made from the old version is stale now: 409, nothing changes.
    let stale = fields("1", version);
    let p = hr.post_form(&path, &path, &refs(&stale)).await;
    assert_eq!(p.status, 409);
    assert_eq!(
        app.scalar_i64(s.alpha, &format!("SELECT monthly_salary_fen FROM employees WHERE id = {e1}")).await,
        900_000
    );
    // Hiring after the leaving date is refused.
    let e11 = format!("/hr/employees/{}", emp_id(app, s.alpha, "E011").await);
    let v = input_value(&hr.get(&e11).await.body, "version");
    let p = hr
        .post_form(
            &e11,
            &e11,
            &[
                ("version", &v),
                ("name", "周九"),
                ("department", "ops"),
                ("level", "specialist"),
                ("monthly_salary", "5000"),
                ("bonus_base", "2000"),
                ("hired_on", "2021-01-01"),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("入职日期不能晚于离职日期 2020-06-30"));
    assert_eq!(audits(app, s.alpha, "employee.update").await.len(), 1);
}

// ---------- leaving date ----------

#[tokio::test]
async fn leaving_date_is_confirmed_validated_and_audited() {
    let s = setup().await;
    let app = &s.app;
    let e2 = emp_id(app, s.alpha, "E002").await;
    let path = format!("/hr/employees/{e2}/leave-date");
    let left = || async {
        app.scalar_i64(s.alpha, &format!("SELECT count(*) FROM employees WHERE id = {e2} AND left_on IS NOT NULL"))
            .await
    };
    let hr = app.signed_in("alpha", "hr").await;
    let p = hr.get(&path).await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains("入职日期 2023-07-15"));
    // Before the hiring date: the form again, nothing written.
    let p = hr.post_form(&path, &path, &[("current", ""), ("left_on", "2023-07-14")]).await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("离职日期不能早于入职日期 2023-07-15") && p.body.contains("value=\"2023-07-14\""));
    let p = hr.post_form(&path, &path, &[("current", ""), ("left_on", "31/12/2026")]).await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("离职日期应为 YYYY-MM-DD"));
    assert_eq!(left().await, 0);
    // A valid date shows the confirmation first.
    let p = hr.post_form(&path, &path, &[("current", ""), ("left_on", "2026-12-31")]).await;
    assert_eq!(p.status, 200);
    assert!(
        p.body.contains("确认离职日期")
            && p.body.contains("确认设置")
            && p.body.contains("name=\"confirm\" value=\"yes\"")
    );
    assert_eq!(left().await, 0, "nothing changes before the confirmation");
    let p = hr.post_form(&path, &path, &[("current", ""), ("left_on", "2026-12-31"), ("confirm", "yes")]).await;
    assert_eq!(p.status, 303);
    assert_eq!(p.location(), Some(format!("/hr/employees/{e2}").as_str()));
    assert_eq!(left().await, 1);
    let rows = audits(app, s.alpha, "employee.leave_set").await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0.as_ref().unwrap()["left_on"], Value::Null);
    assert_eq!(rows[0].1.as_ref().unwrap()["left_on"], "2026-12-31");
    // A second form made before that change is stale: 409, nothing changes.
    let p = hr.post_form(&path, &path, &[("current", ""), ("left_on", "2027-01-31"), ("confirm", "yes")]).await;
    assert_eq!(p.status, 409);
    assert_eq!(
        app.scalar_i64(s.alpha, &format!("SELECT count(*) FROM employees WHERE id = {e2} AND left_on = '2026-12-31'"))
            .await,
        1
    );
    // Clearing: confirmation, then cleared and audited.
    let p = hr.post_form(&path, &path, &[("current", "2026-12-31"), ("left_on", "")]).await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains("确认清除"));
    let p = hr.post_form(&path, &path, &[("current", "2026-12-31"), ("left_on", ""), ("confirm", "yes")]).await;
    assert_eq!(p.status, 303);
    assert_eq!(left().await, 0);
    let rows = audits(app, s.alpha, "employee.leave_clear").await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0.as_ref().unwrap()["left_on"], "2026-12-31");
    // Not HR: 403 on the page and the POST.
    let dir = app.signed_in("alpha", "director").await;
    assert_eq!(dir.get(&path).await.status, 403);
    let p =
        dir.post_form("/hr/employees", &path, &[("current", ""), ("left_on", "2026-12-31"), ("confirm", "yes")]).await;
    assert_eq!(p.status, 403);
    assert_eq!(left().await, 0);
}

// ---------- upload ----------

#[tokio::test]
async fn employee_upload_reports_every_error_by_line_or_imports_everything() {
    let s = setup().await;
    let app = &s.app;
    let hr = app.signed_in("alpha", "hr").await;
    let count = || app.scalar_i64(s.alpha, "SELECT count(*) FROM employees");
    let n0 = count().await;
    assert_eq!(hr.get("/hr/employees/import").await.status, 200);
    // Line 3 is bad (department, salary); line 4 is fine; nothing is written.
    let bad = format!(
        "{HEADER}E200,新甲,ops,specialist,8000,2000,2026-01-05,,\nE201,新乙,moon,specialist,80.555,2000,2026-01-05,,\nE202,新丙,ops,specialist,1,1,2026-01-05,,\n"
    );
    let p = upload(&hr, "/hr/employees/import", "/hr/employees/import", "bad.csv", &bad).await;
    assert_eq!(p.status, 422);
    assert!(
        p.body.contains("第 3 行")
            && p.body.contains("部门（department）")
            && p.body.contains("月薪（monthly_salary）"),
        "{}",
        p.body
    );
    assert!(!p.body.contains(">第 2 行</td>") && !p.body.contains(">第 4 行</td>"), "only lines 3 and 5 are errors");
    assert!(p.body.contains("bad.csv") && p.body.contains("2 处错误"));
    assert_eq!(count().await, n0);
    // An unknown manager is found against the database, by line, and nothing is written.
    let bad = format!(
        "{HEADER}E200,新甲,ops,specialist,8000,2000,2026-01-05,,\nE201,新乙,ops,specialist,1,1,2026-01-05,,E999\n"
    );
    let p = upload(&hr, "/hr/employees/import", "/hr/employees/import", "mgr.csv", &bad).await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("第 3 行") && p.body.contains("上级工号"));
    assert_eq!(count().await, n0);
    assert_eq!(audits(app, s.alpha, "import.employees").await.len(), 0);
    // No file chosen.
    let p = upload(&hr, "/hr/employees/import", "/hr/employees/import", "empty.csv", "").await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("请选择要上传的 CSV 文件"));
    // A good file: one new, one updated (E002's salary), with a BOM.
    let good = format!(
        "\u{feff}{HEADER}E200,新甲,ops,specialist,8000.5,2000,2026-01-05,,E010\nE002,李四,sales,manager,7000,1000,2023-07-15,,\n"
    );
    let p = upload(&hr, "/hr/employees/import", "/hr/employees/import", "good.csv", &good).await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(p.location(), Some("/hr/employees"));
    assert_eq!(count().await, n0 + 1);
    assert_eq!(
        app.scalar_i64(s.alpha, "SELECT monthly_salary_fen FROM employees WHERE employee_no = 'E200'").await,
        800_050
    );
    assert_eq!(
        app.scalar_i64(s.alpha, "SELECT monthly_salary_fen FROM employees WHERE employee_no = 'E002'").await,
        700_000
    );
    let list = hr.get("/hr/employees").await;
    assert!(list.body.contains("新增 1 人，更新 1 人"), "{}", list.body);
    let rows = audits(app, s.alpha, "import.employees").await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].1.as_ref().unwrap()["inserted"], 1);
    // Beta is untouched.
    assert_eq!(app.scalar_i64(s.beta, "SELECT count(*) FROM employees").await, 1);
}

// ---------- isolation and permissions ----------

#[tokio::test]
async fn another_tenants_employee_is_not_found() {
    let s = setup().await;
    let app = &s.app;
    let b1 = emp_id(app, s.beta, "B001").await;
    let hr = app.signed_in("alpha", "hr").await;
    let show = format!("/hr/employees/{b1}");
    let leave = format!("/hr/employees/{b1}/leave-date");
    assert_eq!(hr.get(&show).await.status, 404);
    assert_eq!(hr.get(&leave).await.status, 404);
    let p = hr
        .post_form(
            "/hr/employees",
            &show,
            &[
                ("name", "篡改"),
                ("department", "ops"),
                ("level", "specialist"),
                ("monthly_salary", "1"),
                ("bonus_base", "1"),
                ("hired_on", "2024-01-01"),
            ],
        )
        .await;
    assert_eq!(p.status, 404);
    let p =
        hr.post_form("/hr/employees", &leave, &[("current", ""), ("left_on", "2026-01-01"), ("confirm", "yes")]).await;
    assert_eq!(p.status, 404);
    let untouched = app
        .scalar_i64(
            s.beta,
            "SELECT count(*) FROM employees WHERE name = '贝塔' AND left_on IS NULL AND monthly_salary_fen = 900000",
        )
        .await;
    assert_eq!(untouched, 1);
    // And beta's HR sees beta only.
    let p = app.signed_in("beta", "hr").await.get("/hr/employees").await;
    assert!(p.body.contains("共 1 条") && p.body.contains("贝塔") && !p.body.contains("张三"));
}

#[tokio::test]
async fn only_hr_may_change_employees_or_the_calendar() {
    let s = setup().await;
    let app = &s.app;
    let e1 = emp_id(app, s.alpha, "E001").await;
    let show = format!("/hr/employees/{e1}");
    let employees = || app.scalar_i64(s.alpha, "SELECT count(*) FROM employees");
    let n0 = employees().await;
    for who in ["director", "manager", "specialist"] {
        let c = app.signed_in("alpha", who).await;
        for path in ["/hr/employees/new", "/hr/employees/import", "/hr/calendar/import", &format!("{show}/leave-date")]
        {
            assert_eq!(c.get(path).await.status, 403, "{who} GET {path}");
        }
        let fields = [
            ("employee_no", "E777"),
            ("name", "越权"),
            ("department", "ops"),
            ("level", "specialist"),
            ("monthly_salary", "1"),
            ("bonus_base", "1"),
            ("hired_on", "2024-01-01"),
        ];
        assert_eq!(c.post_form("/hr/employees", "/hr/employees", &fields).await.status, 403, "{who} create");
        assert_eq!(c.post_form("/hr/employees", &show, &fields).await.status, 403, "{who} edit");
        let csv = format!("{HEADER}E778,越权,ops,specialist,1,1,2024-01-01,,\n");
        assert_eq!(
            upload(&c, "/hr/employees", "/hr/employees/import", "x.csv", &csv).await.status,
            403,
            "{who} import"
        );
        let p = c.post_form("/hr/employees", "/hr/employees/import", &[]).await;
        assert_eq!(p.status, 403, "{who} import without a file body");
        let p = c.post_form("/hr/calendar", "/hr/calendar/import", &[]).await;
        assert_eq!(p.status, 403, "{who} calendar import without a file body");
        let p = c.post_form("/hr/calendar", "/hr/calendar", &[("date", "2026-10-01"), ("kind", "holiday")]).await;
        assert_eq!(p.status, 403, "{who} calendar add");
        let p = upload(&c, "/hr/calendar", "/hr/calendar/import", "c.csv", "date,kind\n2026-10-02,holiday\n").await;
        assert_eq!(p.status, 403, "{who} calendar import");
        // Reading is allowed.
        assert_eq!(c.get("/hr/calendar").await.status, 200, "{who} views the calendar");
        assert!(!c.get("/hr/calendar").await.body.contains("action=\"/hr/calendar\""), "{who}: no edit form");
    }
    assert_eq!(employees().await, n0);
    assert_eq!(app.scalar_i64(s.alpha, "SELECT count(*) FROM calendar_days").await, 0);
    // Deleting an existing override is HR's too.
    insert_day(app, s.alpha, "2026-10-01", "holiday").await;
    let dir = app.signed_in("alpha", "director").await;
    assert_eq!(dir.get("/hr/calendar/2026-10-01/delete").await.status, 403);
    assert_eq!(dir.post_form("/hr/calendar", "/hr/calendar/2026-10-01/delete", &[]).await.status, 403);
    assert_eq!(app.scalar_i64(s.alpha, "SELECT count(*) FROM calendar_days").await, 1);
    assert_eq!(audits(app, s.alpha, "calendar.delete").await.len(), 0);
}

// ---------- calendar ----------

async fn insert_day(app: &TestApp, tenant: i64, day: &str, kind: &str) {
    let mut tx = db::begin_tenant(&app.db, tenant).await.unwrap();
    sqlx::query("INSERT INTO calendar_days (tenant_id, day, kind, note) VALUES ($1, $2::date, $3, '')")
        .bind(tenant)
        .bind(day)
        .bind(kind)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn calendar_shows_a_year_and_hr_adds_replaces_and_deletes_days() {
    // The pages decide by this date, not by the clock.
    let today = chrono::NaiveDate::from_ymd_opt(2027, 3, 15).unwrap();
    let s = setup_in(spawn_app_on(today).await).await;
    let app = &s.app;
    insert_day(app, s.beta, "2026-05-01", "holiday").await;
    let spec = app.signed_in("alpha", "specialist").await;
    let this_year = today.year();
    let p = spec.get("/hr/calendar").await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains(&format!("{this_year} 年日历")), "the current year by default");
    assert_eq!(spec.get("/hr/calendar?year=abc").await.status, 400);
    assert_eq!(spec.get("/hr/calendar?year=1800").await.status, 400);
    let p = spec.get("/hr/calendar?year=2026").await;
    assert!(p.body.contains("2026 年还没有设置节假日"), "beta's override is not alpha's");
    assert!(p.body.contains("2027"), "a link to the next year");

    let hr = app.signed_in("alpha", "hr").await;
    // Validation: the form again with messages and the typed values, nothing written.
    let p = hr
        .post_form(
            "/hr/calendar?year=2026",
            "/hr/calendar",
            &[("year", "2026"), ("date", "2026-02-30"), ("kind", "weekend"), ("note", "假日")],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(
        p.body.contains("日期应为 YYYY-MM-DD") && p.body.contains("请选择类型") && p.body.contains("value=\"假日\"")
    );
    assert!(p.body.contains("2026 年日历"));
    let long = "长".repeat(101);
    let p = hr
        .post_form("/hr/calendar", "/hr/calendar", &[("date", "2026-10-01"), ("kind", "holiday"), ("note", &long)])
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("备注最多 100 个字符"));
    assert_eq!(app.scalar_i64(s.alpha, "SELECT count(*) FROM calendar_days").await, 0);
    // Add a holiday and a make-up workday.
    let p = hr
        .post_form("/hr/calendar", "/hr/calendar", &[("date", "2026-10-01"), ("kind", "holiday"), ("note", "国庆节")])
        .await;
    assert_eq!(p.status, 303);
    assert_eq!(p.location(), Some("/hr/calendar?year=2026"));
    let p = hr
        .post_form("/hr/calendar", "/hr/calendar", &[("date", "2026-10-10"), ("kind", "workday"), ("note", "")])
        .await;
    assert_eq!(p.status, 303);
    let page = spec.get("/hr/calendar?year=2026").await;
    assert!(page.body.contains("国庆节") && page.body.contains("title=\"节假日：国庆节\""), "{}", page.body);
    assert!(page.body.contains("调休上班") && page.body.contains("共 1 天节假日、1 天调休上班"));
    // October 2026: 22 weekdays, minus the holiday, plus the Saturday make-up day.
    assert!(
        page.body.contains("<strong>10 月</strong> <span class=\"muted small\">工作日 22 天</span>"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("/delete"), "no delete links for a specialist");
    // Replace: the kind changes, before and after are audited.
    let p = hr
        .post_form("/hr/calendar", "/hr/calendar", &[("date", "2026-10-01"), ("kind", "workday"), ("note", "改为上班")])
        .await;
    assert_eq!(p.status, 303);
    let rows = audits(app, s.alpha, "calendar.set").await;
    assert_eq!(rows.len(), 3);
    assert!(rows[0].0.is_none());
    assert_eq!(rows[2].0.as_ref().unwrap()["kind"], "holiday");
    assert_eq!(rows[2].1.as_ref().unwrap()["kind"], "workday");
    assert_eq!(rows[2].1.as_ref().unwrap()["note"], "改为上班");
    assert_eq!(app.scalar_i64(s.alpha, "SELECT count(*) FROM calendar_days WHERE kind = 'workday'").await, 2);
    // Delete: a confirmation page, then gone and audited.
    let confirm = "/hr/calendar/2026-10-01/delete";
    let p = hr.get(confirm).await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains("确认删除") && p.body.contains("改为上班"));
    assert_eq!(app.scalar_i64(s.alpha, "SELECT count(*) FROM calendar_days").await, 2, "a GET changes nothing");
    // A confirmation made for another kind is stale.
    let p = hr.post_form(confirm, confirm, &[("kind", "holiday")]).await;
    assert_eq!(p.status, 409);
    let p = hr.post_form(confirm, confirm, &[]).await;
    assert_eq!(p.status, 303);
    assert_eq!(app.scalar_i64(s.alpha, "SELECT count(*) FROM calendar_days").await, 1);
    let rows = audits(app, s.alpha, "calendar.delete").await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0.as_ref().unwrap()["kind"], "workday");
    // Nothing there (any more), a bad date, another tenant's date: 404.
    assert_eq!(hr.get(confirm).await.status, 404);
    assert_eq!(hr.post_form("/hr/calendar", confirm, &[]).await.status, 404);
    assert_eq!(hr.get("/hr/calendar/2026-13-01/delete").await.status, 404);
    assert_eq!(hr.get("/hr/calendar/2026-05-01/delete").await.status, 404);
    assert_eq!(hr.post_form("/hr/calendar", "/hr/calendar/2026-05-01/delete", &[]).await.status, 404);
    assert_eq!(app.scalar_i64(s.beta, "SELECT count(*) FROM calendar_days").await, 1);
}

#[tokio::test]
async fn calendar_upload_is_all_or_nothing_and_audited() {
    let s = setup().await;
    let app = &s.app;
    let hr = app.signed_in("alpha", "hr").await;
    let days = || app.scalar_i64(s.alpha, "SELECT count(*) FROM calendar_days");
    assert_eq!(hr.get("/hr/calendar/import").await.status, 200);
    let bad = "date,kind\n2026-10-01,holiday\n2026-10-02,vacation\n2026-10-03,holiday\n2026-10-01,workday\n";
    let p = upload(&hr, "/hr/calendar/import", "/hr/calendar/import", "cal.csv", bad).await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("第 3 行") && p.body.contains("类型（kind）") && p.body.contains("第 5 行"), "{}", p.body);
    assert!(!p.body.contains(">第 2 行</td>") && !p.body.contains(">第 4 行</td>"), "only lines 3 and 5 are errors");
    assert_eq!(days().await, 0);
    let p =
        upload(&hr, "/hr/calendar/import", "/hr/calendar/import", "cal.csv", "day,kind\n2026-10-01,holiday\n").await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("第 1 行"), "a wrong header is line 1");
    assert_eq!(days().await, 0);
    let good = "date,kind\n2026-10-01,holiday\n2026-10-02,holiday\n2026-10-10,workday\n";
    let p = upload(&hr, "/hr/calendar/import", "/hr/calendar/import", "cal.csv", good).await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(p.location(), Some("/hr/calendar?year=2026"));
    assert_eq!(days().await, 3);
    let page = hr.get("/hr/calendar?year=2026").await;
    assert!(page.body.contains("新增 3 天，更新 0 天"), "{}", page.body);
    assert!(page.body.contains("共 2 天节假日、1 天调休上班"));
    let rows = audits(app, s.alpha, "import.calendar").await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].1.as_ref().unwrap()["inserted"], 3);
    assert_eq!(app.scalar_i64(s.beta, "SELECT count(*) FROM calendar_days").await, 0);
}
