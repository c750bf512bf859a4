//! The home-page summary cache (`home::cache`) never shows what was there before a
//! write: a write through the application shows on the very next view of everyone
//! in its tenant, a write made anywhere else arrives through NOTIFY, and every
//! tenant table sends it.

use std::time::Duration;

use sqlx::postgres::PgListener;

use crate::helpers::{spawn_app_with, two_tenants, Client, TestApp};
use yunying::config::Settings;
use yunying::people::{Dept, Level};

/// An app whose home summaries are cached for a minute, so that only an eviction
/// can explain a page that changes within the test.
async fn app_with_cache() -> TestApp {
    let app = spawn_app_with(Settings { home_cache_seconds: 60, ..Settings::for_tests() }).await;
    for _ in 0..200 {
        if app.home.enabled() {
            return app;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the home cache did not come on");
}

/// The number a home page shows for `stat` (`data-stat="…"`).
fn stat(html: &str, stat: &str) -> i64 {
    let marker = format!("data-stat=\"{stat}\">");
    let at = html.find(&marker).unwrap_or_else(|| panic!("no {stat} on the page")) + marker.len();
    html[at..at + html[at..].find('<').expect("end of the number")].parse().expect("a number")
}

/// The active users figure of `c`'s home page (shared with two_servers.rs).
pub(crate) async fn active_users(c: &Client) -> i64 {
    let page = c.get("/").await;
    assert_eq!(page.status, 200, "{}", page.body);
    stat(&page.body, "users.active")
}

/// The admin `c` creates the sales specialist `newbie` (新同事) on the form.
pub(crate) async fn create_newbie(c: &Client) -> crate::helpers::Page {
    c.post_form(
        "/admin/users/new",
        "/admin/users",
        &[
            ("username", "newbie"),
            ("display_name", "新同事"),
            ("department", "sales"),
            ("level", "specialist"),
            ("password", "new-pass-123"),
        ],
    )
    .await
}

/// Turn migration 0014's triggers off (`false`) or on again, on every table.
async fn home_triggers(app: &TestApp, on: bool) {
    let verb = if on { "ENABLE" } else { "DISABLE" };
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = 'home_notify'")
            .fetch_all(&app.owner)
            .await
            .unwrap();
    assert!(tables.len() > 20, "the triggers exist: {tables:?}");
    for t in tables {
        sqlx::query(&format!("ALTER TABLE {t} {verb} TRIGGER home_notify")).execute(&app.owner).await.unwrap();
    }
}

#[tokio::test]
async fn views_are_served_from_the_cache_until_a_write_reaches_it() {
    let app = app_with_cache().await;
    // Triggers off from the start: no notification from the setup can arrive late
    // and drop a summary the test expects to be kept.
    home_triggers(&app, false).await;
    let t = two_tenants(&app).await;
    let admin = app.signed_in("alpha", "admin").await;
    assert_eq!(active_users(&admin).await, 4);
    assert_eq!(app.home.len(), 1, "the summary was kept");
    // A write that sends no notification is not seen: the page comes from memory,
    // not from the database.
    app.user(t.alpha, "quiet", Dept::Sales, Level::Specialist, false).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(active_users(&admin).await, 4, "served from the cache");
    // A write made outside this process (plain SQL here) reaches it through NOTIFY,
    // long before the entry's minute is up.
    home_triggers(&app, true).await;
    app.user(t.alpha, "loud", Dept::Sales, Level::Specialist, false).await;
    let mut seen = 0;
    for _ in 0..100 {
        seen = active_users(&admin).await;
        if seen != 4 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(seen, 6, "both new users counted within two seconds");
}

#[tokio::test]
async fn a_write_through_the_app_shows_at_once_to_everyone_in_its_tenant_only() {
    let app = app_with_cache().await;
    // No notification can help (nor arrive late from the setup and drop a summary):
    // only the in-process eviction after the POST can make the next views right.
    home_triggers(&app, false).await;
    let _t = two_tenants(&app).await;
    let admin = app.signed_in("alpha", "admin").await;
    let director = app.signed_in("alpha", "director").await;
    let other = app.signed_in("beta", "admin").await;
    assert_eq!(active_users(&admin).await, 4);
    let before = director.get("/").await;
    assert!(!before.body.contains("新同事"), "{}", before.body);
    assert_eq!(active_users(&other).await, 3);
    assert_eq!(app.home.len(), 3);

    let p = create_newbie(&admin).await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(app.home.len(), 1, "alpha's summaries dropped before the response, beta's kept");
    assert_eq!(active_users(&admin).await, 5, "the writer sees the write");
    let after = director.get("/").await;
    assert!(after.body.contains("创建用户 新同事"), "a colleague sees it in the activity: {}", after.body);
    assert_eq!(active_users(&other).await, 3, "the other tenant is untouched");
    assert_eq!(app.home.len(), 3);
}

#[tokio::test]
async fn every_tenant_table_notifies_the_home_cache_with_the_writers_tenant() {
    let app = crate::helpers::spawn_app().await;
    // Every table that holds tenant data (sessions and login attempts aside, which
    // no summary reads; the daily rollups and the order desk's counts aside, which
    // change only with the orders, holds, refunds and movements that notify, or when
    // compacted, which changes no sum),
    // and the tenant directory: a statement-level AFTER trigger
    // on INSERT, UPDATE, DELETE and TRUNCATE (tgtype 4 | 8 | 16 | 32), enabled.
    let missing: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
           AND c.relname NOT IN ('sessions', 'login_attempts', '_sqlx_migrations', 'sales_days', 'campaign_days',
                                 'stock_days', 'order_desk_counts', 'product_days')
           AND (c.relname = 'tenants' OR EXISTS (SELECT 1 FROM pg_attribute a
                WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped))
           AND NOT EXISTS (SELECT 1 FROM pg_trigger g
                WHERE g.tgrelid = c.oid AND g.tgname = 'home_notify' AND g.tgtype = 60 AND g.tgenabled = 'O'
                  AND g.tgfoid = 'app.notify_home()'::regprocedure)
         ORDER BY 1",
    )
    .fetch_all(&app.owner)
    .await
    .unwrap();
    assert!(missing.is_empty(), "tables whose writes would not reach the home cache: {missing:?}");
    let covered: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_trigger WHERE tgname = 'home_notify'")
        .fetch_one(&app.owner)
        .await
        .unwrap();
    assert!(covered > 20, "{covered} tables covered");

    // The payload is the writing transaction's tenant.
    let t = two_tenants(&app).await;
    let mut listener = PgListener::connect_with(&app.db).await.unwrap();
    listener.listen(yunying::home::cache::CHANNEL).await.unwrap();
    app.user(t.beta, "someone", Dept::Sales, Level::Specialist, false).await;
    let n = tokio::time::timeout(Duration::from_secs(5), listener.recv()).await.expect("a notification").unwrap();
    assert_eq!(n.payload(), t.beta.to_string());
}
