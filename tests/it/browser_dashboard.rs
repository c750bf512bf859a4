//! The director's dashboard in a real browser (issue 13): open it, click the
//! held-orders card, and the list shows exactly that many orders.

use crate::helpers::{spawn_app, PASSWORD};
use crate::webdriver::{self, ChromeDriver};
use yunying::db;
use yunying::people::{Dept, Level};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_director_clicks_the_held_orders_card_and_the_list_shows_that_many() {
    let Some(chromedriver) = webdriver::available() else {
        return;
    };
    let app = spawn_app().await;
    let t = app.tenant("shop").await;
    app.user(t, "boss", Dept::Ops, Level::Director, false).await;
    let other = app.tenant("other").await;
    // Seven orders of which four are held (one of them twice), and the other
    // tenant's held order that must not count.
    for (tenant, n, holds) in [(t, 7, 4), (other, 1, 1)] {
        let mut tx = db::begin_tenant(&app.owner, tenant).await.unwrap();
        for i in 0..n {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO orders (tenant_id, platform, order_no, source, goods_fen, paid_fen, ordered_at, paid_at)
                 VALUES ($1, 'jd', $2, 'import', 1000, 1000, now(), now()) RETURNING id",
            )
            .bind(tenant)
            .bind(format!("JD-{i}"))
            .fetch_one(&mut *tx)
            .await
            .unwrap();
            if i < holds {
                for kind in if i == 0 { &["address", "manual"][..] } else { &["stock"][..] } {
                    sqlx::query(
                        "INSERT INTO order_holds (tenant_id, order_id, kind, reason) VALUES ($1, $2, $3, '测试')",
                    )
                    .bind(tenant)
                    .bind(id)
                    .bind(kind)
                    .execute(&mut *tx)
                    .await
                    .unwrap();
                }
            }
        }
        tx.commit().await.unwrap();
    }
    let base = app.base.clone();
    let mut driver = ChromeDriver::start(&chromedriver);
    let b = driver.session().await;
    b.sign_in(&base, "shop", "boss", PASSWORD).await;
    b.goto(&format!("{base}/")).await;
    let card = b.wait_for("[data-kpi='orders.held']").await;
    let value = card.attr("data-value").await.unwrap().unwrap();
    assert_eq!(value, "4", "four held orders, the one with two holds once");
    let link = b.wait_for("[data-kpi='orders.held'] a").await;
    b.click(link).await;
    b.wait_for_path(&base, "/orders?hold=any").await;
    let rows = b.find_all("tr[data-order]").await;
    assert_eq!(rows.len(), 4, "the list shows exactly the orders the card counts");
    let total = b.wait_for("nav.pager").await.attr("data-total").await.unwrap().unwrap();
    assert_eq!(total, value);
    b.close().await;
}
