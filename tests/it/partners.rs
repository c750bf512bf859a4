//! Partners: list with filters, create/edit with validation, deactivate and
//! reactivate, the partner page, permissions, other tenants, and the import.

use yunying::people::{Dept, Level};

use crate::helpers::{spawn_app, Client, Page, TestApp};

async fn setup() -> (TestApp, i64, i64) {
    let app = spawn_app().await;
    let alpha = app.tenant("alpha").await;
    let beta = app.tenant("beta").await;
    for (u, d, l) in [
        ("ss", Dept::Sales, Level::Specialist),
        ("om", Dept::Ops, Level::Manager),
        ("wh", Dept::Warehouse, Level::Specialist),
        ("fin", Dept::Finance, Level::Manager),
        ("hr", Dept::Hr, Level::Specialist),
        ("dir", Dept::Marketing, Level::Director),
        ("mk", Dept::Marketing, Level::Manager),
    ] {
        app.user(alpha, u, d, l, false).await;
    }
    app.user(beta, "ss", Dept::Sales, Level::Specialist, false).await;
    (app, alpha, beta)
}

async fn post(c: &Client, path: &str, fields: &[(&str, &str)]) -> Page {
    c.post_form("/", path, fields).await
}

fn partner_form<'a>(code: &'a str, kind: &'a str, name: &'a str, phone: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("code", code),
        ("kind", kind),
        ("name", name),
        ("contact", "王伟"),
        ("phone", phone),
        ("address", "上海市人民路1号"),
    ]
}

async fn audit_count(app: &TestApp, tenant: i64, action: &str) -> i64 {
    app.scalar_i64(tenant, &format!("SELECT count(*) FROM audit_log WHERE action = '{action}'")).await
}

#[tokio::test]
async fn partners_are_created_edited_listed_and_deactivated() {
    let (app, alpha, beta) = setup().await;
    let ss = app.signed_in("alpha", "ss").await;
    assert_eq!(ss.get("/partners").await.status, 200);
    assert!(ss.get("/partners").await.body.contains("没有符合条件的合作伙伴"), "empty state");
    assert_eq!(ss.get("/partners/new").await.status, 200);

    // Bad input: the form again with messages and what was typed, nothing written.
    let page = post(&ss, "/partners", &partner_form("-bad", "vendor", "", "电话号码")).await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("编码为 1–32 位") && page.body.contains("请选择类型"), "{}", page.body);
    assert!(page.body.contains("名称不能为空") && page.body.contains("电话最多 30 位"));
    assert!(page.body.contains("value=\"-bad\"") && page.body.contains("value=\"电话号码\""));
    assert_eq!(app.scalar_i64(alpha, "SELECT count(*) FROM partners").await, 0);

    let page = post(&ss, "/partners", &partner_form("C001", "customer", "上海联华超市", "021-62345678")).await;
    assert_eq!(page.status, 303, "{}", page.body);
    let loc = page.location().unwrap().to_owned();
    let id: i64 = loc.trim_start_matches("/partners/").parse().unwrap();
    assert_eq!(audit_count(&app, alpha, "partner.create").await, 1);
    // A duplicate code is a field error.
    let page = post(&ss, "/partners", &partner_form("C001", "supplier", "别的公司", "")).await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("编码 C001 已被使用"));
    assert_eq!(app.scalar_i64(alpha, "SELECT count(*) FROM partners").await, 1);
    post(&ss, "/partners", &partner_form("S001", "supplier", "宁波华锐塑料", "0574-1234")).await;

    // List filters and search.
    let list = ss.get("/partners?kind=supplier").await.body;
    assert!(list.contains("宁波华锐塑料") && !list.contains("上海联华超市"));
    let list = ss.get("/partners?q=%E8%81%94%E5%8D%8E").await.body; // 联华
    assert!(list.contains("上海联华超市") && !list.contains("宁波华锐塑料"));
    let list = ss.get("/partners?q=s00").await.body;
    assert!(list.contains("宁波华锐塑料"), "search by code, case-insensitive");
    assert_eq!(ss.get("/partners?kind=bogus").await.status, 400);

    // Edit: the code stays; validation in place.
    assert_eq!(ss.get(&format!("/partners/{id}/edit")).await.status, 200);
    let page = post(&ss, &format!("/partners/{id}"), &partner_form("ZZZ", "customer", "", "")).await;
    assert_eq!(page.status, 422);
    let page =
        post(&ss, &format!("/partners/{id}"), &partner_form("ZZZ", "customer", "联华超市（总部）", "021-1")).await;
    assert_eq!(page.status, 303);
    let code: i64 = app
        .scalar_i64(
            alpha,
            &format!("SELECT count(*) FROM partners WHERE id = {id} AND code = 'C001' AND name = '联华超市（总部）'"),
        )
        .await;
    assert_eq!(code, 1, "code unchanged, name changed");
    assert_eq!(audit_count(&app, alpha, "partner.update").await, 1);

    // Deactivate with a confirmation page, then reactivate; stale → 409.
    let confirm = ss.get(&format!("/partners/{id}/deactivate")).await;
    assert!(confirm.status == 200 && confirm.body.contains("确认停用"));
    assert_eq!(post(&ss, &format!("/partners/{id}/deactivate"), &[]).await.status, 303);
    assert_eq!(post(&ss, &format!("/partners/{id}/deactivate"), &[]).await.status, 409);
    assert!(ss.get("/partners?active=no").await.body.contains("联华超市（总部）"));
    assert!(!ss.get("/partners?active=yes").await.body.contains("联华超市（总部）"));
    assert_eq!(post(&ss, &format!("/partners/{id}/reactivate"), &[]).await.status, 303);
    assert_eq!(post(&ss, &format!("/partners/{id}/reactivate"), &[]).await.status, 409);
    assert_eq!(audit_count(&app, alpha, "partner.deactivate").await, 1);
    assert_eq!(audit_count(&app, alpha, "partner.reactivate").await, 1);

    // The partner page: details and (for those who see contracts) its contracts.
    let page = ss.get(&format!("/partners/{id}")).await;
    assert!(page.status == 200 && page.body.contains("联华超市（总部）") && page.body.contains("合同"));
    let wh = app.signed_in("alpha", "wh").await;
    let page = wh.get(&format!("/partners/{id}")).await;
    assert_eq!(page.status, 200, "warehouse sees partners");
    assert!(!page.body.contains("/partners/new") && !page.body.contains("/edit"), "read-only");

    // Permissions: view-only roles 403 on changes; no access for HR/marketing.
    assert_eq!(wh.get("/partners/new").await.status, 403);
    assert_eq!(post(&wh, "/partners", &partner_form("C777", "customer", "x", "")).await.status, 403);
    assert_eq!(post(&wh, &format!("/partners/{id}/deactivate"), &[]).await.status, 403);
    let fin = app.signed_in("alpha", "fin").await;
    assert_eq!(fin.get("/partners").await.status, 200);
    assert_eq!(post(&fin, &format!("/partners/{id}"), &partner_form("", "customer", "x", "")).await.status, 403);
    let hr = app.signed_in("alpha", "hr").await;
    assert_eq!(hr.get("/partners").await.status, 403);
    let mk = app.signed_in("alpha", "mk").await;
    assert_eq!(mk.get(&format!("/partners/{id}")).await.status, 403);
    let dir = app.signed_in("alpha", "dir").await;
    assert_eq!(dir.get("/partners").await.status, 200, "directors see partners");
    let om = app.signed_in("alpha", "om").await;
    assert_eq!(om.get(&format!("/partners/{id}/edit")).await.status, 200, "ops edits too");

    // Another tenant: 404 everywhere.
    let beta_ss = app.signed_in("beta", "ss").await;
    assert_eq!(beta_ss.get(&format!("/partners/{id}")).await.status, 404);
    assert_eq!(beta_ss.get(&format!("/partners/{id}/edit")).await.status, 404);
    assert_eq!(post(&beta_ss, &format!("/partners/{id}"), &partner_form("", "customer", "偷改", "")).await.status, 404);
    assert_eq!(post(&beta_ss, &format!("/partners/{id}/deactivate"), &[]).await.status, 404);
    assert!(!beta_ss.get("/partners").await.body.contains("联华"));
    assert_eq!(app.scalar_i64(beta, "SELECT count(*) FROM partners").await, 0);
}

fn temp_file(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("yy-partners-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[tokio::test]
async fn the_partners_import_is_all_or_nothing_and_idempotent() {
    let (app, alpha, _beta) = setup().await;
    let bad = temp_file(
        "partners.csv",
        "code,kind,name,contact,phone\nS001,supplier,宁波华锐塑料制品有限公司,李强,0574-88881234\nC001,vendor,上海联华超市,王芳,021-62345678\nC002,customer,,张伟,13800001111\n",
    );
    let out = app.cli(&["import", "partners", "--tenant", "alpha", bad.to_str().unwrap()], None);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    assert!(err.contains("line 3, field kind"), "{err}");
    assert!(err.contains("line 4, field name"), "{err}");
    assert!(err.contains("partners.csv"), "names the file: {err}");
    assert_eq!(app.scalar_i64(alpha, "SELECT count(*) FROM partners").await, 0, "nothing written");

    let header = temp_file("header.csv", "code,kind,name\nS001,supplier,x\n");
    let out = app.cli(&["import", "partners", "--tenant", "alpha", header.to_str().unwrap()], None);
    assert!(!out.status.success());
    assert!(
        (String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout)).contains("line 1")
    );

    let good_text = "\u{feff}code,kind,name,contact,phone\nS001,supplier,宁波华锐塑料制品有限公司,李强,0574-88881234\nC001,customer,\"上海联华超市股份有限公司, 总部\",王芳,021-62345678\n";
    let good = temp_file("good.csv", good_text);
    let out = app.cli(&["import", "partners", "--tenant", "alpha", good.to_str().unwrap()], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(app.scalar_i64(alpha, "SELECT count(*) FROM partners").await, 2);
    assert_eq!(
        app.scalar_i64(alpha, "SELECT count(*) FROM partners WHERE code = 'C001' AND kind = 'customer' AND name = '上海联华超市股份有限公司, 总部'").await,
        1
    );
    // Again: the same rows, updated not duplicated.
    let out = app.cli(&["import", "partners", "--tenant", "alpha", good.to_str().unwrap()], None);
    assert!(out.status.success());
    assert_eq!(app.scalar_i64(alpha, "SELECT count(*) FROM partners").await, 2);
    assert_eq!(audit_count(&app, alpha, "import.partners").await, 2);
    let inserted = app
        .scalar_i64(alpha, "SELECT (after->>'inserted')::bigint FROM audit_log WHERE action = 'import.partners' ORDER BY id DESC LIMIT 1")
        .await;
    assert_eq!(inserted, 0, "the second import only updates");
    // A changed row is updated in place.
    let changed = temp_file("changed.csv", "code,kind,name,contact,phone\nS001,supplier,宁波华锐塑料,李强强,0574-1\n");
    assert!(app.cli(&["import", "partners", "--tenant", "alpha", changed.to_str().unwrap()], None).status.success());
    assert_eq!(
        app.scalar_i64(
            alpha,
            "SELECT count(*) FROM partners WHERE code = 'S001' AND contact = '李强强' AND name = '宁波华锐塑料'"
        )
        .await,
        1
    );
    let ss = app.signed_in("alpha", "ss").await;
    assert!(ss.get("/partners").await.body.contains("宁波华锐塑料"));
}
