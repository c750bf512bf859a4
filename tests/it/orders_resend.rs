//! A lost parcel sent again: its units are reserved anew (all or nothing), ship
//! in a new parcel, and the ledger keeps the lost units' shipment.

use crate::orders::{level, order, post, reservations_agree, shop, status_of, stock_in};

#[tokio::test]
async fn a_lost_parcel_is_re_sent_from_a_new_reservation_and_the_ledger_keeps_what_was_lost() {
    let s = shop().await;
    let id = order(&s, "TB-500", false).await;
    for (c, action, fields) in [
        (&s.ops, "approve", &[][..]),
        (&s.ops, "allocate", &[("warehouse", "WH1")]),
        (&s.warehouse, "ship", &[("carrier", "SF"), ("tracking_no", "SF5001")]),
    ] {
        let r = post(c, id, action, fields).await;
        assert_eq!(r.status, 303, "{action}: {}", r.body);
    }
    assert_eq!(level(&s, s.cup, s.wh1).await, (2, 0));
    let parcel = s.app.scalar_i64(s.t.alpha, &format!("SELECT id FROM parcels WHERE order_id = {id}")).await;
    let p = parcel.to_string();
    let resend = [("parcel", p.as_str()), ("warehouse", "WH1")];
    // Not before the parcel is reported lost.
    assert_eq!(post(&s.ops, id, "resend", &resend).await.status, 409);
    let r = post(&s.ops, id, "exception", &[("kind", "delay"), ("note", "承运商说延误两天")]).await;
    assert_eq!(r.status, 303);
    assert_eq!(post(&s.ops, id, "resend", &resend).await.status, 409, "a delay is not a loss");
    let r = post(&s.ops, id, "exception", &[("kind", "lost"), ("note", "顺丰确认丢件，已告知客户补发")]).await;
    assert_eq!(r.status, 303);
    let page = s.ops.get(&format!("/orders/{id}")).await;
    assert!(page.body.contains(&format!("data-resend=\"{parcel}\"")), "the record offers the resend");
    // Who may: the order desk, not the warehouse or sales; not another tenant.
    assert_eq!(post(&s.warehouse, id, "resend", &resend).await.status, 403);
    assert_eq!(s.sales.post_form("/", &format!("/orders/{id}/resend"), &resend).await.status, 403);
    assert_eq!(s.beta.post_form("/", &format!("/orders/{id}/resend"), &resend).await.status, 404);
    let other = [("parcel", "999999"), ("warehouse", "WH1")];
    assert_eq!(post(&s.ops, id, "resend", &other).await.status, 404, "not this order's parcel");
    // WH1 has 2 cups left, the parcel held 3: refused, naming the SKU, nothing changed.
    let r = post(&s.ops, id, "resend", &resend).await;
    assert_eq!(r.status, 409);
    assert!(r.body.contains("CUP-1"), "{}", r.body);
    let lines = "SELECT string_agg(shipped_qty || '/' || lost_qty || '/' || reserved_qty, ' ' ORDER BY line_no) FROM order_lines";
    assert_eq!(s.app.strings(s.t.alpha, &format!("{lines} WHERE order_id = {id}")).await, ["3/0/0 2/0/0"]);
    assert_eq!(level(&s, s.cup, s.wh1).await, (2, 0));
    assert_eq!(status_of(&s.ops.get(&format!("/orders/{id}")).await.body), "exception");
    // Cups arrive: re-sent.
    stock_in(&s.app, s.t.alpha, s.cup, s.wh1, 3).await;
    let r = post(&s.ops, id, "resend", &resend).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(s.app.strings(s.t.alpha, &format!("{lines} WHERE order_id = {id}")).await, ["0/3/3 0/2/2"]);
    assert_eq!(level(&s, s.cup, s.wh1).await, (5, 3));
    assert_eq!(level(&s, s.pen, s.wh1).await, (8, 2));
    reservations_agree(&s).await;
    let page = s.ops.get(&format!("/orders/{id}")).await;
    assert_eq!(status_of(&page.body), "allocated");
    assert!(page.body.contains("丢件，已补发") && page.body.contains("data-event=\"resend\""));
    assert_eq!(post(&s.ops, id, "resend", &resend).await.status, 409, "once");
    // The new parcel ships; delivery leaves the lost one as it was.
    let r = post(&s.warehouse, id, "ship", &[("carrier", "SF"), ("tracking_no", "SF5002")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(level(&s, s.cup, s.wh1).await, (2, 0));
    assert_eq!(s.app.strings(s.t.alpha, &format!("{lines} WHERE order_id = {id}")).await, ["3/3/0 2/2/0"]);
    let shipped = s
        .app
        .scalar_i64(
            s.t.alpha,
            &format!("SELECT (-sum(quantity))::bigint FROM stock_movements WHERE kind = 'shipment' AND doc_id = {id}"),
        )
        .await;
    assert_eq!(shipped, 10, "Σ shipment movements = shipped + lost");
    assert_eq!(post(&s.warehouse, id, "deliver", &[]).await.status, 303);
    let statuses =
        s.app.strings(s.t.alpha, &format!("SELECT status FROM parcels WHERE order_id = {id} ORDER BY id")).await;
    assert_eq!(statuses, ["exception", "delivered"]);
}
