//! Complaints on the web: logging one (received earlier, never later), its clock
//! on the list and the record at every stage, reply → resolve → close → reopen
//! with the timeline and the audit, the list's filters, search and CSV, the home
//! queues (major ones with the service manager), and who sees what.

use chrono::{Duration, Utc};
use yunying::db;
use yunying::orders::repo::NewLine;
use yunying::people::{Dept, Level};

use crate::helpers::{spawn_app, two_tenants, Client, Page, TestApp, TwoTenants};

pub struct Desk {
    pub app: TestApp,
    pub t: TwoTenants,
    /// service specialist: logs and handles complaints
    pub svc: Client,
    /// service manager: takes the major ones
    pub svcm: Client,
    pub svcm_id: i64,
    pub svc_id: i64,
    /// sales reps (rep's order has one complaint, rep2's another), their manager
    pub rep: Client,
    pub rep2: Client,
    pub sales_manager: Client,
    /// ops director: sees all, read-only
    pub director: Client,
    pub warehouse: Client,
    pub hr: Client,
    /// beta's ops specialist (may operate complaints, in another tenant)
    pub beta: Client,
    /// alpha's orders: of rep, of rep2, of nobody
    pub order_rep: i64,
    pub order_rep2: i64,
    pub order_none: i64,
}

async fn order(app: &TestApp, tenant: i64, no: &str, product: i64, rep: Option<i64>) -> i64 {
    let line = NewLine { product_id: product, quantity: 1, unit_price_fen: 800, contract_line_id: None };
    let mut o = crate::orders::new_order(no, 800, vec![line]);
    o.rep_id = rep;
    o.rep_department = rep.map(|_| "sales".to_owned());
    crate::orders::insert_order(app, tenant, o).await
}

pub async fn desk() -> Desk {
    let app = spawn_app().await;
    let t = two_tenants(&app).await;
    let svc_id = app.user(t.alpha, "svc", Dept::Service, Level::Specialist, false).await;
    let svcm_id = app.user(t.alpha, "svcm", Dept::Service, Level::Manager, false).await;
    let rep = app.user(t.alpha, "rep", Dept::Sales, Level::Specialist, false).await;
    let rep2 = app.user(t.alpha, "rep2", Dept::Sales, Level::Specialist, false).await;
    app.user(t.alpha, "salesm", Dept::Sales, Level::Manager, false).await;
    app.user(t.alpha, "wh", Dept::Warehouse, Level::Specialist, false).await;
    app.user(t.alpha, "hrs", Dept::Hr, Level::Specialist, false).await;
    let (cup, _) = crate::ledger::item(&app, t.alpha, "CUP-1", "WH1").await;
    Desk {
        order_rep: order(&app, t.alpha, "TB-101", cup, Some(rep)).await,
        order_rep2: order(&app, t.alpha, "TB-202", cup, Some(rep2)).await,
        order_none: order(&app, t.alpha, "TB-303", cup, None).await,
        svc: app.signed_in("alpha", "svc").await,
        svcm: app.signed_in("alpha", "svcm").await,
        rep: app.signed_in("alpha", "rep").await,
        rep2: app.signed_in("alpha", "rep2").await,
        sales_manager: app.signed_in("alpha", "salesm").await,
        director: app.signed_in("alpha", "director").await,
        warehouse: app.signed_in("alpha", "wh").await,
        hr: app.signed_in("alpha", "hrs").await,
        beta: app.signed_in("beta", "specialist").await,
        svc_id,
        svcm_id,
        app,
        t,
    }
}

/// `hours` ago as the form's `received_at` (Asia/Shanghai, the tenant's zone).
pub fn ago(hours: i64, minutes: i64) -> String {
    (Utc::now() - Duration::hours(hours) - Duration::minutes(minutes))
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// The fields of a valid complaint, with `over` replacing (or adding) some.
pub fn fields<'a>(over: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("customer", "李女士"),
        ("phone", "13912345678"),
        ("order", ""),
        ("channel", "phone"),
        ("category", "quality"),
        ("content", "杯子收到时有裂纹"),
        ("demand", "换新"),
        ("received_at", ""),
    ];
    for (k, v) in over {
        match f.iter_mut().find(|(name, _)| name == k) {
            Some(slot) => slot.1 = v,
            None => f.push((k, v)),
        }
    }
    f
}

/// Log a complaint as `c`: the response.
pub async fn log(c: &Client, over: &[(&str, &str)]) -> Page {
    c.post_form("/complaints/new", "/complaints", &fields(over)).await
}

/// Log a complaint that must succeed: its id.
pub async fn logged(c: &Client, over: &[(&str, &str)]) -> i64 {
    let page = log(c, over).await;
    assert_eq!(page.status, 303, "logging a complaint: {}", page.body);
    let to = page.location().expect("redirect").to_owned();
    to.trim_start_matches("/complaints/").parse().unwrap_or_else(|_| panic!("a complaint's page: {to}"))
}

/// POST a step of complaint `id` with the token of its page.
pub async fn step(c: &Client, id: i64, action: &str, f: &[(&str, &str)]) -> Page {
    let token = crate::helpers::csrf_from(&c.get("/").await.body);
    let mut all = vec![("csrf_token", token.as_str())];
    all.extend_from_slice(f);
    c.post_raw(&format!("/complaints/{id}/{action}"), &all, &[]).await
}

/// The `data-sla` of the record page.
pub async fn sla_of(c: &Client, id: i64) -> String {
    let page = c.get(&format!("/complaints/{id}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    attr(&page.body, "data-sla").expect("the page carries data-sla")
}

fn attr(html: &str, name: &str) -> Option<String> {
    let marker = format!("{name}=\"");
    let start = html.find(&marker)? + marker.len();
    Some(html[start..start + html[start..].find('"')?].to_owned())
}

/// The `(id, data-sla)` of the list's rows, in order.
pub fn rows(html: &str) -> Vec<(i64, String)> {
    html.split("<tr data-complaint=\"")
        .skip(1)
        .map(|part| {
            let id = part[..part.find('"').expect("quote")].parse().expect("an id");
            (id, attr(part, "data-sla").expect("each row carries data-sla"))
        })
        .collect()
}

/// Run `sql` in a tenant transaction of the owner (test setup the app may not do).
pub async fn exec(app: &TestApp, tenant: i64, sql: &str) {
    let mut tx = db::begin_tenant(&app.owner, tenant).await.unwrap();
    sqlx::query(sql).execute(&mut *tx).await.expect(sql);
    tx.commit().await.unwrap();
}

/// The ids of the list at `path`, in order.
pub async fn only(c: &Client, path: &str) -> Vec<i64> {
    let page = c.get(path).await;
    assert_eq!(page.status, 200, "{path}: {}", page.body);
    rows(&page.body).into_iter().map(|r| r.0).collect()
}

#[tokio::test]
async fn a_complaint_is_logged_replied_resolved_closed_and_reopened() {
    let d = desk().await;
    let order = d.order_rep.to_string();
    // The form can start from an order: its id, receiver and phone filled in.
    let form = d.svc.get(&format!("/complaints/new?order={order}")).await;
    assert_eq!(form.status, 200);
    for v in [format!("value=\"{order}\""), "value=\"王小明\"".into(), "value=\"13800000000\"".into()] {
        assert!(form.body.contains(&v), "{v} in the form");
    }
    for bad in ["999999", "x"] {
        assert_eq!(d.svc.get(&format!("/complaints/new?order={bad}")).await.status, 404, "order {bad}");
    }
    let received = ago(2, 0);
    let id = logged(&d.svc, &[("order", &order), ("received_at", &received), ("channel", "platform")]).await;
    let c = &d.svc;
    let page = c.get(&format!("/complaints/{id}")).await;
    assert!(page.body.contains("TS-000001"), "numbered TS-000001");
    assert!(page.body.contains("TB-101") && page.body.contains("李女士") && page.body.contains("换新"));
    assert!(page.body.contains(&received.replace('T', " ")), "the received time as typed");
    assert_eq!(attr(&page.body, "data-sla").as_deref(), Some("ok"));
    assert_eq!(attr(&page.body, "data-status").as_deref(), Some("open"));
    let tid = d.t.alpha;
    let row = d
        .app
        .strings(
            tid,
            &format!(
                "SELECT concat_ws('|', rep_id = (SELECT id FROM users WHERE username = 'rep'), assignee_id, severity,
                        channel, extract(epoch FROM due_at - received_at)::bigint) FROM complaints WHERE id = {id}"
            ),
        )
        .await;
    assert_eq!(row, [format!("t|{}|normal|platform|86400", d.svc_id)], "rep copied, assigned to whoever logs it");

    // The first reply meets the clock; a second one changes nothing of it.
    let r = step(c, id, "reply", &[("message", "您好，已安排换新")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(sla_of(c, id).await, "met");
    let first: Vec<String> =
        d.app.strings(tid, &format!("SELECT first_reply_at::text FROM complaints WHERE id = {id}")).await;
    assert_eq!(step(c, id, "reply", &[("message", "新杯子明天发出")]).await.status, 303);
    assert_eq!(
        d.app.strings(tid, &format!("SELECT first_reply_at::text FROM complaints WHERE id = {id}")).await,
        first
    );
    assert_eq!(step(c, id, "note", &[("note", "已联系仓库补发")]).await.status, 303);

    let r = step(c, id, "resolve", &[("result", "已换新"), ("cause", "包装不足"), ("improvement", "加厚泡沫")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = c.get(&format!("/complaints/{id}")).await;
    assert_eq!(attr(&page.body, "data-status").as_deref(), Some("resolved"));
    assert!(page.body.contains("包装不足") && page.body.contains("加厚泡沫"));
    let r = step(c, id, "close", &[("satisfaction", "4"), ("visit", "客户表示满意")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = c.get(&format!("/complaints/{id}")).await;
    assert_eq!(attr(&page.body, "data-status").as_deref(), Some("closed"));
    assert_eq!(attr(&page.body, "data-satisfaction").as_deref(), Some("4"));
    assert_eq!(attr(&page.body, "data-sla").as_deref(), Some("met"), "the clock stays as it was met");

    let r = step(c, id, "reopen", &[("reason", "客户再次来电：新杯子也有裂纹")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = c.get(&format!("/complaints/{id}")).await;
    assert_eq!(attr(&page.body, "data-status").as_deref(), Some("open"));
    let kinds =
        d.app.strings(tid, &format!("SELECT kind FROM complaint_events WHERE complaint_id = {id} ORDER BY id")).await;
    assert_eq!(kinds, ["log", "reply", "reply", "note", "resolve", "close", "reopen"]);
    let who = d
        .app
        .strings(tid, &format!("SELECT DISTINCT actor_name FROM complaint_events WHERE complaint_id = {id}"))
        .await;
    assert_eq!(who, ["测试svc"], "every step says who");
    assert!(page.body.contains("您好，已安排换新") && page.body.contains("客户再次来电"), "the timeline");
    let audit = d
        .app
        .strings(
            tid,
            &format!("SELECT action FROM audit_log WHERE entity_type = 'complaint' AND entity_id = '{id}' ORDER BY id"),
        )
        .await;
    assert_eq!(
        audit,
        [
            "complaint.log",
            "complaint.reply",
            "complaint.reply",
            "complaint.note",
            "complaint.resolve",
            "complaint.close",
            "complaint.reopen"
        ]
    );
}

#[tokio::test]
async fn resolving_one_not_replied_to_counts_as_its_first_reply() {
    let d = desk().await;
    let received = ago(30, 0);
    let id = logged(&d.svc, &[("received_at", &received)]).await;
    assert_eq!(sla_of(&d.svc, id).await, "overdue");
    assert_eq!(step(&d.svc, id, "resolve", &[("result", "已退款"), ("cause", "质检漏检")]).await.status, 303);
    assert_eq!(sla_of(&d.svc, id).await, "missed", "answered 30 hours after it was received");
}

#[tokio::test]
async fn the_list_shows_every_clock_sorted_by_deadline_with_filters_search_and_csv() {
    let d = desk().await;
    let c = &d.svc;
    let (h1, h23, h25, h26, h30) = (ago(1, 0), ago(23, 0), ago(25, 0), ago(26, 0), ago(30, 0));
    let ok = logged(c, &[("received_at", &h1), ("customer", "张三"), ("channel", "email")]).await;
    let soon = logged(c, &[("received_at", &h23), ("category", "logistics")]).await;
    let overdue = logged(c, &[("received_at", &h25), ("phone", "13700001111")]).await;
    let met = logged(c, &[("received_at", &h26), ("order", "TB-202")]).await;
    let missed = logged(c, &[("received_at", &h30)]).await;
    // `met`: replied within its 24 hours (its reply is set back to 20 hours after it
    // was received); `missed`: replied now, 30 hours after.
    exec(
        &d.app,
        d.t.alpha,
        &format!("UPDATE complaints SET first_reply_at = received_at + interval '20 hours' WHERE id = {met}"),
    )
    .await;
    assert_eq!(step(c, missed, "reply", &[("message", "抱歉久等")]).await.status, 303);

    let list = c.get("/complaints").await;
    assert_eq!(list.status, 200);
    assert_eq!(
        rows(&list.body),
        [
            (missed, "missed".to_owned()),
            (met, "met".to_owned()),
            (overdue, "overdue".to_owned()),
            (soon, "due_soon".to_owned()),
            (ok, "ok".to_owned())
        ],
        "sorted by deadline"
    );
    assert_eq!(only(c, "/complaints?overdue=1").await, [overdue]);
    assert_eq!(only(c, "/complaints?sla=due_soon").await, [soon]);
    assert_eq!(only(c, "/complaints?sla=ok").await, [ok]);
    assert_eq!(only(c, "/complaints?sla=met").await, [met]);
    assert_eq!(only(c, "/complaints?sla=missed").await, [missed]);
    assert_eq!(only(c, "/complaints?category=logistics").await, [soon]);
    assert_eq!(only(c, "/complaints?channel=email").await, [ok]);
    assert_eq!(only(c, "/complaints?severity=major").await, Vec::<i64>::new());
    assert_eq!(only(c, "/complaints?status=open&sla=overdue").await, [overdue]);
    assert_eq!(only(c, "/complaints?q=%E5%BC%A0").await, [ok], "customer by prefix (张)");
    assert_eq!(only(c, "/complaints?q=1370000").await, [overdue], "phone by prefix");
    assert_eq!(only(c, "/complaints?q=TB-202").await, [met], "order number");
    let no = d.app.strings(d.t.alpha, &format!("SELECT complaint_no FROM complaints WHERE id = {soon}")).await;
    assert_eq!(only(c, &format!("/complaints?q={}", no[0].to_lowercase())).await, [soon]);
    for bad in ["/complaints?sla=late", "/complaints?status=x", "/complaints?overdue=2", "/complaints?channel=fax"] {
        assert_eq!(c.get(bad).await.status, 400, "{bad}");
    }
    let csv = c.get("/complaints.csv?sla=overdue").await;
    assert_eq!(csv.status, 200);
    assert!(csv.headers["content-type"].to_str().unwrap().starts_with("text/csv"));
    let lines: Vec<&str> = csv.body.trim_start_matches('\u{feff}').lines().collect();
    assert!(lines[0].starts_with("complaint_no,received_at,due_at,first_reply_at,sla,status"), "{}", lines[0]);
    assert_eq!(lines.len(), 2, "the header and the overdue one: {lines:?}");
    assert!(lines[1].contains("13700001111") && lines[1].contains(",overdue,open,"), "{}", lines[1]);
}

#[tokio::test]
async fn a_major_complaint_goes_to_the_service_manager_and_the_home_pages_show_the_queues() {
    let d = desk().await;
    let major = logged(&d.svc, &[("severity", "major"), ("content", "烫伤")]).await;
    let got = d.app.strings(d.t.alpha, &format!("SELECT assignee_id::text FROM complaints WHERE id = {major}")).await;
    assert_eq!(got, [d.svcm_id.to_string()], "assigned to the service manager at once");
    let events = d
        .app
        .strings(d.t.alpha, &format!("SELECT kind FROM complaint_events WHERE complaint_id = {major} ORDER BY id"))
        .await;
    assert_eq!(events, ["log", "assign"]);
    let h23 = ago(23, 0);
    let h25 = ago(25, 0);
    logged(&d.svc, &[("received_at", &h23)]).await;
    logged(&d.svc, &[("received_at", &h25)]).await;
    let home = d.svcm.get("/").await.body;
    for (key, count) in
        [("complaints.major", 1), ("complaints.overdue", 1), ("complaints.due_soon", 1), ("complaints.mine", 1)]
    {
        assert!(
            home.contains(&format!("data-queue=\"{key}\" data-count=\"{count}\"")),
            "{key} on the manager's home: {home}"
        );
    }
    let home = d.svc.get("/").await.body;
    assert!(home.contains("data-queue=\"complaints.mine\" data-count=\"2\""), "the specialist's own open ones");
    assert!(!home.contains("complaints.overdue"), "the overdue queue is the managers'");
    let list = d.svcm.get("/complaints?severity=major&mine=1").await;
    assert_eq!(rows(&list.body).into_iter().map(|r| r.0).collect::<Vec<_>>(), [major]);
}

#[tokio::test]
async fn sales_reps_see_only_their_own_orders_complaints_read_only_and_others_none() {
    let d = desk().await;
    let (o1, o2, o3) = (d.order_rep.to_string(), d.order_rep2.to_string(), d.order_none.to_string());
    let mine = logged(&d.svc, &[("order", &o1)]).await;
    let theirs = logged(&d.svc, &[("order", &o2)]).await;
    let nobody = logged(&d.svc, &[("order", &o3)]).await;
    let no_order = logged(&d.svc, &[]).await;
    let ids = |p: Page| rows(&p.body).into_iter().map(|r| r.0).collect::<Vec<_>>();
    assert_eq!(ids(d.rep.get("/complaints").await), [mine]);
    assert_eq!(ids(d.rep2.get("/complaints").await), [theirs]);
    let mut dept = ids(d.sales_manager.get("/complaints").await);
    dept.sort();
    assert_eq!(dept, [mine, theirs], "the sales manager: the department's");
    assert_eq!(ids(d.director.get("/complaints").await).len(), 4, "directors see all");
    assert_eq!(d.rep.get(&format!("/complaints/{mine}")).await.status, 200);
    let page = d.rep.get(&format!("/complaints/{mine}")).await;
    assert!(!page.body.contains("/reply\""), "read-only: no forms for a rep");
    for other in [theirs, nobody, no_order] {
        assert_eq!(d.rep.get(&format!("/complaints/{other}")).await.status, 404, "another's complaint");
    }
    let csv = d.rep.get("/complaints.csv").await;
    assert_eq!(csv.body.trim_start_matches('\u{feff}').lines().count(), 2, "the CSV is scoped like the list");
    for c in [&d.warehouse, &d.hr] {
        assert_eq!(c.get("/complaints").await.status, 403);
        assert_eq!(c.get(&format!("/complaints/{mine}")).await.status, 403);
        assert_eq!(c.get("/complaints.csv").await.status, 403);
        assert_eq!(c.get("/complaints/new").await.status, 403);
    }
    assert_eq!(d.beta.get(&format!("/complaints/{mine}")).await.status, 404, "another tenant's");
    assert!(rows(&d.beta.get("/complaints").await.body).is_empty());
}

#[tokio::test]
async fn the_demo_has_complaints_on_every_clock_over_its_orders() {
    let app = spawn_app().await;
    let out = app.cli(&["demo", "--tenants", "1", "--employees", "10", "--products", "50", "--orders", "60"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let c = app.client();
    let res = c.login("demo", "service.specialist", yunying::demo::DEMO_PASSWORD).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let list = c.get("/complaints").await;
    let mut clocks: Vec<String> = rows(&list.body).into_iter().map(|r| r.1).collect();
    clocks.sort();
    clocks.dedup();
    assert_eq!(clocks, ["due_soon", "met", "missed", "ok", "overdue"], "every clock");
    let demo: i64 = sqlx::query_scalar("SELECT id FROM tenants WHERE code = 'demo'").fetch_one(&app.db).await.unwrap();
    let facts = app
        .strings(
            demo,
            "SELECT concat_ws('|', count(*) FILTER (WHERE order_id IS NOT NULL),
                    count(*) FILTER (WHERE severity = 'major' AND assignee_id = (SELECT id FROM users WHERE username = 'service.manager')),
                    count(*) FILTER (WHERE status = 'closed' AND satisfaction IS NOT NULL),
                    count(*) FILTER (WHERE status = 'resolved'))
             FROM complaints",
        )
        .await;
    assert_eq!(
        facts,
        ["8|1|1|1"],
        "over the demo's orders; a major one with the service manager; closed and resolved ones"
    );
    let home = c.get("/").await.body;
    assert!(home.contains("data-queue=\"complaints.mine\""), "the specialist's own on the home page");
    let m = app.client();
    assert_eq!(m.login("demo", "service.manager", yunying::demo::DEMO_PASSWORD).await.status, 303);
    let home = m.get("/").await.body;
    for key in ["complaints.major", "complaints.overdue", "complaints.due_soon"] {
        assert!(home.contains(&format!("data-queue=\"{key}\"")), "{key} on the service manager's home page");
    }
}

/// Set the tenant's first-response hours.
async fn set_hours(app: &TestApp, tenant: i64, h: i64) {
    let sql = format!(
        "UPDATE tenants SET settings = settings || '{{\"complaint_response_hours\": {h}}}'::jsonb WHERE id = {tenant}"
    );
    let mut tx = db::begin_tenant(&app.db, tenant).await.unwrap();
    assert_eq!(sqlx::query(&sql).execute(&mut *tx).await.unwrap().rows_affected(), 1);
    tx.commit().await.unwrap();
}

/// The seconds from received to the deadline of complaint `id`.
async fn seconds_given(app: &TestApp, tenant: i64, id: i64) -> Vec<String> {
    app.strings(
        tenant,
        &format!("SELECT extract(epoch FROM due_at - received_at)::bigint::text FROM complaints WHERE id = {id}"),
    )
    .await
}

#[tokio::test]
async fn the_deadline_is_the_tenant_setting_when_the_complaint_is_logged() {
    let d = desk().await;
    let (app, tid) = (&d.app, d.t.alpha);
    set_hours(app, tid, 2).await;
    let received = ago(1, 40);
    let id = logged(&d.svc, &[("received_at", &received)]).await;
    assert_eq!(sla_of(&d.svc, id).await, "due_soon", "1 h 40 min of 2 h: past 80 %");
    let earlier = logged(&d.svc, &[("received_at", &ago(2, 1))]).await;
    assert_eq!(sla_of(&d.svc, earlier).await, "overdue");
    assert_eq!(seconds_given(app, tid, id).await, ["7200"]);
    // A later change of the setting leaves the deadlines already set.
    set_hours(app, tid, 48).await;
    assert_eq!(seconds_given(app, tid, id).await, ["7200"]);
    assert_eq!(sla_of(&d.svc, id).await, "due_soon");
    let later = logged(&d.svc, &[("received_at", &received)]).await;
    assert_eq!(seconds_given(app, tid, later).await, ["172800"]);
    assert_eq!(sla_of(&d.svc, later).await, "ok");
}

#[tokio::test]
async fn the_list_is_paginated_in_deadline_order() {
    let d = desk().await;
    // 60 complaints received a minute apart (the oldest first due), written at once.
    exec(
        &d.app,
        d.t.alpha,
        &format!(
            "INSERT INTO complaints (tenant_id, complaint_no, customer, phone, channel, category, severity, content,
                                     demand, received_at, soon_at, due_at, assignee_id, created_by)
             SELECT {t}, 'TS-' || lpad(n::text, 6, '0'), '客户' || n, '1390000' || lpad(n::text, 4, '0'), 'phone',
                    'other', 'normal', '内容', '诉求', now() - (100 - n) * interval '1 minute',
                    now() - (100 - n) * interval '1 minute' + interval '19 hours 12 minutes',
                    now() - (100 - n) * interval '1 minute' + interval '24 hours', {u}, {u}
             FROM generate_series(1, 60) n",
            t = d.t.alpha,
            u = d.svc_id
        ),
    )
    .await;
    let first = d.svc.get("/complaints").await;
    let ids: Vec<i64> = rows(&first.body).into_iter().map(|r| r.0).collect();
    assert_eq!(ids.len(), 50, "50 a page");
    assert!(first.body.contains("共 60 条") && first.body.contains("rel=\"next\""), "the pager");
    let second = only(&d.svc, "/complaints?page=2").await;
    assert_eq!(second.len(), 10);
    let all: Vec<i64> = ids.iter().chain(&second).copied().collect();
    let by_deadline = d
        .app
        .strings(d.t.alpha, "SELECT id::text FROM complaints ORDER BY due_at, id")
        .await
        .into_iter()
        .map(|s| s.parse().unwrap())
        .collect::<Vec<i64>>();
    assert_eq!(all, by_deadline, "the two pages are the deadline order");
    let next = only(&d.svc, "/complaints?page=2&q=1390000001").await;
    assert_eq!(next.len(), 0, "the search's one page has nothing on page 2");
    assert_eq!(only(&d.svc, "/complaints?q=1390000001").await.len(), 10, "phone prefix 1390000001: 10–19");
}
