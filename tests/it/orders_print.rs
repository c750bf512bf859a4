//! The warehouse's print pages: a picking slip per order, the batch picking list,
//! the shipping label with its Code 128 barcode — who may print, what each shows,
//! and each print on the order's timeline.

use crate::orders::{order, post, shop, Shop};

/// The `data-…="…"` values of `attr` on the page, in order.
fn marks(body: &str, attr: &str) -> Vec<String> {
    body.split(&format!("{attr}=\"")).skip(1).map(|s| s.split('"').next().unwrap().to_owned()).collect()
}

/// How many print events of `kind` the order has.
async fn prints(s: &Shop, id: i64, kind: &str) -> i64 {
    s.app
        .scalar_i64(s.t.alpha, &format!("SELECT count(*) FROM order_events WHERE order_id = {id} AND kind = '{kind}'"))
        .await
}

/// An order reviewed and allocated in WH1 (3 cups, 2 pens).
async fn allocated(s: &Shop, no: &str) -> i64 {
    let id = order(s, no, false).await;
    assert_eq!(post(&s.ops, id, "approve", &[]).await.status, 303);
    assert_eq!(post(&s.ops, id, "allocate", &[("warehouse", "WH1")]).await.status, 303);
    id
}

#[tokio::test]
async fn the_picking_slip_lists_what_is_reserved_and_is_on_the_timeline() {
    let s = shop().await;
    let id = order(&s, "TB-200", false).await;
    // Nothing to pick before allocation.
    assert_eq!(s.warehouse.get(&format!("/orders/{id}/slip")).await.status, 409);
    assert_eq!(post(&s.ops, id, "approve", &[]).await.status, 303);
    assert_eq!(post(&s.ops, id, "allocate", &[("warehouse", "WH1")]).await.status, 303);
    // Who may print: the warehouse and the order desk; not sales or HR; another tenant finds nothing.
    assert_eq!(s.sales.get(&format!("/orders/{id}/slip")).await.status, 403);
    assert_eq!(s.hr.get(&format!("/orders/{id}/slip")).await.status, 403);
    assert_eq!(s.beta.get(&format!("/orders/{id}/slip")).await.status, 404);
    assert_eq!(prints(&s, id, "print_slip").await, 0, "refused prints are not recorded");
    let page = s.warehouse.get(&format!("/orders/{id}/slip")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(marks(&page.body, "data-line"), ["1", "2"]);
    assert_eq!(marks(&page.body, "data-pick"), ["3", "2"]);
    assert_eq!(marks(&page.body, "data-barcode"), ["code128"], "the order number as a barcode");
    assert!(page.body.contains("WH1") && page.body.contains("TB-200"));
    // Part ships: the slip lists only what is still to pick.
    let r = post(&s.warehouse, id, "ship", &[("carrier", "SF"), ("tracking_no", "SF2001"), ("qty_1", "3")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let page = s.ops.get(&format!("/orders/{id}/slip")).await;
    assert_eq!(page.status, 200);
    assert_eq!(marks(&page.body, "data-line"), ["2"]);
    assert_eq!(marks(&page.body, "data-pick"), ["2"]);
    assert_eq!(prints(&s, id, "print_slip").await, 2);
    let record = s.ops.get(&format!("/orders/{id}")).await.body;
    assert_eq!(marks(&record, "data-event").iter().filter(|k| *k == "print_slip").count(), 2, "on the timeline");
    assert!(record.contains(&format!("href=\"/orders/{id}/slip\"")), "the record links its slip");
}

#[tokio::test]
async fn the_label_prints_each_parcel_with_its_tracking_number_as_a_code_128_barcode() {
    let s = shop().await;
    let id = allocated(&s, "TB-300").await;
    assert_eq!(s.warehouse.get(&format!("/orders/{id}/label")).await.status, 409, "no parcel yet");
    for (carrier, no, qty) in [("SF", "SF1234567890123", "1"), ("ZTO", "ZT77001", "")] {
        let mut fields = vec![("carrier", carrier), ("tracking_no", no)];
        if !qty.is_empty() {
            fields.push(("qty_1", qty));
        }
        let r = post(&s.warehouse, id, "ship", &fields).await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    assert_eq!(s.sales.get(&format!("/orders/{id}/label")).await.status, 403);
    assert_eq!(s.beta.get(&format!("/orders/{id}/label")).await.status, 404);
    let page = s.warehouse.get(&format!("/orders/{id}/label")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(marks(&page.body, "data-tracking"), ["SF1234567890123", "ZT77001"], "one label per parcel");
    assert_eq!(marks(&page.body, "data-barcode"), ["code128", "code128"]);
    assert!(page.body.contains("<svg class=\"barcode\""), "the barcode is an inline SVG");
    for text in ["王小明", "13800000000", "浙江省杭州市西湖区", "文三路 1 号", "顺丰", "中通"] {
        assert!(page.body.contains(text), "the label shows {text}");
    }
    // One parcel's label; a parcel that is not the order's is not found.
    let parcel = s.app.scalar_i64(s.t.alpha, &format!("SELECT min(id) FROM parcels WHERE order_id = {id}")).await;
    let one = s.warehouse.get(&format!("/orders/{id}/label?parcel={parcel}")).await;
    assert_eq!(marks(&one.body, "data-tracking"), ["SF1234567890123"]);
    assert_eq!(s.warehouse.get(&format!("/orders/{id}/label?parcel={}", parcel + 1000)).await.status, 404);
    assert_eq!(prints(&s, id, "print_label").await, 3, "two labels, then one");
}

#[tokio::test]
async fn the_batch_picking_list_groups_by_sku_and_names_what_it_leaves_out() {
    let s = shop().await;
    let a = allocated(&s, "TB-401").await;
    // A second order finds 2 cups left in WH1 (< 3): review holds it for stock.
    let second = order(&s, "TB-402", false).await;
    assert_eq!(post(&s.ops, second, "approve", &[]).await.status, 303);
    let held = order(&s, "TB-403", true).await; // unpaid: held, not allocated
    let page = s.warehouse.get(&format!("/orders/picking?id={a}&id={second}&id={held}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(marks(&page.body, "data-sku"), ["CUP-1", "PEN-1"]);
    assert_eq!(marks(&page.body, "data-total"), ["3", "2"]);
    assert_eq!(marks(&page.body, "data-skipped"), [second.to_string(), held.to_string()]);
    assert!(page.body.contains("挂起中"), "says why the held one is left out");
    // Cups arrive (the receipt lifts the stock hold); the second order is reviewed and allocated in WH1 too.
    crate::orders::stock_in(&s.app, s.t.alpha, s.cup, s.wh1, 3).await;
    for (action, fields) in [("approve", &[][..]), ("allocate", &[("warehouse", "WH1")])] {
        let r = post(&s.ops, second, action, fields).await;
        assert_eq!(r.status, 303, "{action}: {}", r.body);
    }
    // Without ids: the list's filter (every allocated order).
    let page = s.ops.get("/orders/picking?status=allocated&warehouse=WH1").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(marks(&page.body, "data-total"), ["6", "4"]);
    assert!(page.body.contains("TB-401") && page.body.contains("TB-402"));
    assert!(marks(&page.body, "data-skipped").is_empty());
    assert_eq!(prints(&s, a, "print_picking").await, 2);
    assert_eq!(prints(&s, second, "print_picking").await, 1, "not recorded while it was left out");
    assert_eq!(prints(&s, held, "print_picking").await, 0);
    // Who may; nothing to pick; bad ids.
    assert_eq!(s.sales.get(&format!("/orders/picking?id={a}")).await.status, 403);
    assert_eq!(s.beta.get(&format!("/orders/picking?id={a}")).await.status, 404, "another tenant's order is not there");
    assert_eq!(s.warehouse.get(&format!("/orders/picking?id={held}")).await.status, 409);
    assert_eq!(s.warehouse.get("/orders/picking?id=abc").await.status, 400);
    // The list offers the picking list to those who print, not to sales.
    assert!(s.warehouse.get("/orders").await.body.contains("action=\"/orders/picking\""));
    assert!(!s.sales.get("/orders").await.body.contains("action=\"/orders/picking\""));
}
