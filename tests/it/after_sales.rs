//! After-sales on the web: raising a case on what was shipped, its review, goods
//! received back into the ledger (restock) or not (scrap), refunds bounded by what
//! was paid and waiting for a manager at the threshold, exchanges and repairs sent
//! out again — every refusal (403, 404, 409, bad input) changing nothing.

use yunying::people::{Dept, Level};

use crate::helpers::{overlapping, Client, Page};
use crate::orders::{level, order_with, post as order_post, shop, status_of, Shop};

/// The shop of the order tests, with the service department and a sales rep's id.
pub struct Desk {
    pub s: Shop,
    /// service specialist and manager
    pub svc: Client,
    pub svc_manager: Client,
    pub director: Client,
    pub rep_id: i64,
}

pub async fn desk() -> Desk {
    let s = shop().await;
    s.app.user(s.t.alpha, "svc", Dept::Service, Level::Specialist, false).await;
    s.app.user(s.t.alpha, "svcm", Dept::Service, Level::Manager, false).await;
    let rep_id = s.app.scalar_i64(s.t.alpha, "SELECT id FROM users WHERE username = 'rep'").await;
    Desk {
        svc: s.app.signed_in("alpha", "svc").await,
        svc_manager: s.app.signed_in("alpha", "svcm").await,
        director: s.app.signed_in("alpha", "director").await,
        rep_id,
        s,
    }
}

/// An order of 3 cups at ¥400 and 2 pens at ¥100 (paid ¥1,400.00, of the sales
/// rep `rep` when given), reviewed, allocated in WH1 and shipped: its id.
pub async fn shipped(d: &Desk, no: &str, rep: Option<i64>) -> i64 {
    let s = &d.s;
    let id = order_with(s, no, 140_000, [40_000, 10_000], rep).await;
    assert_eq!(order_post(&s.ops, id, "approve", &[]).await.status, 303);
    assert_eq!(order_post(&s.ops, id, "allocate", &[("warehouse", "WH1")]).await.status, 303);
    let tracking = format!("SF{}", no.replace('-', ""));
    let r = order_post(&s.warehouse, id, "ship", &[("carrier", "SF"), ("tracking_no", &tracking)]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    id
}

/// Raise a case on `order` (from the order's after-sales form).
pub async fn raise(c: &Client, order: i64, fields: &[(&str, &str)]) -> Page {
    let mut all = vec![("order", order.to_string())];
    all.extend(fields.iter().map(|(k, v)| (*k, (*v).to_owned())));
    let all: Vec<(&str, &str)> = all.iter().map(|(k, v)| (*k, v.as_str())).collect();
    c.post_form("/", "/after-sales", &all).await
}

/// The case a raise redirected to.
pub fn case_of(p: &Page) -> i64 {
    assert_eq!(p.status, 303, "{}", p.body);
    p.location().unwrap().trim_start_matches("/after-sales/").parse().unwrap()
}

pub async fn act(c: &Client, id: i64, action: &str, fields: &[(&str, &str)]) -> Page {
    // The token from the home page: every signed-in user has one, whatever they may open.
    c.post_form("/", &format!("/after-sales/{id}/{action}"), fields).await
}

async fn status(d: &Desk, id: i64) -> String {
    status_of(&d.svc.get(&format!("/after-sales/{id}")).await.body)
}

/// Every level's on hand is the sum of its movements.
async fn ledger_holds(d: &Desk) {
    let off = d
        .s
        .app
        .scalar_i64(
            d.s.t.alpha,
            "SELECT count(*) FROM stock_levels s WHERE on_hand <> (SELECT coalesce(sum(quantity), 0) FROM stock_movements m
             WHERE m.product_id = s.product_id AND m.warehouse_id = s.warehouse_id)",
        )
        .await;
    assert_eq!(off, 0, "on hand = Σ movements");
}

#[tokio::test]
async fn a_return_is_reviewed_received_in_two_parts_restocked_and_scrapped_then_refunded() {
    let d = desk().await;
    let s = &d.s;
    let order = shipped(&d, "TB-1", None).await;
    let cases = "SELECT count(*) FROM after_sales";
    // Who may raise one: service and ops; not the warehouse, sales or HR; another tenant 404.
    let fields = [("kind", "return"), ("sku", "CUP-1"), ("quantity", "2"), ("amount", "500"), ("reason", "杯子有裂纹")];
    for c in [&s.warehouse, &s.sales, &s.hr] {
        assert_eq!(raise(c, order, &fields).await.status, 403);
    }
    assert_eq!(raise(&s.beta, order, &fields).await.status, 404);
    // More than was shipped (3): the form again, what was typed kept, nothing written.
    let r = raise(
        &d.svc,
        order,
        &[("kind", "return"), ("sku", "CUP-1"), ("quantity", "4"), ("amount", "500"), ("reason", "杯子有裂纹")],
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("最多可申请 3 件") && r.body.contains("杯子有裂纹"), "{}", r.body);
    // An amount above the line's paid share (¥1,200.00), an unknown SKU, a kind.
    let r = raise(
        &d.svc,
        order,
        &[("kind", "return"), ("sku", "CUP-1"), ("quantity", "1"), ("amount", "1200.01"), ("reason", "x")],
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("不能超过该商品的实付 ¥1200.00"), "{}", r.body);
    let r = raise(&d.svc, order, &[("kind", "swap"), ("sku", "MUG-9"), ("quantity", "1"), ("reason", "x")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("请选择售后类型") && r.body.contains("没有商品“MUG-9”"), "{}", r.body);
    assert_eq!(s.app.scalar_i64(s.t.alpha, cases).await, 0, "nothing written");

    let id = case_of(&raise(&d.svc, order, &fields).await);
    let page = d.svc.get(&format!("/after-sales/{id}")).await;
    assert_eq!(status_of(&page.body), "requested");
    assert!(page.body.contains("AS-000001"), "numbered per tenant");
    // Nobody reviews their own case; the warehouse does not review; beta 404.
    assert_eq!(act(&d.svc, id, "approve", &[]).await.status, 403);
    assert_eq!(act(&s.warehouse, id, "approve", &[]).await.status, 403);
    assert_eq!(act(&s.beta, id, "approve", &[]).await.status, 404);
    assert_eq!(s.beta.get(&format!("/after-sales/{id}")).await.status, 404);
    // Rejecting needs a comment: the page again, nothing written.
    let before = s.app.snapshot(s.t.alpha, "after_sales", id).await;
    assert_eq!(act(&s.ops, id, "reject", &[("comment", "")]).await.status, 422);
    s.app.assert_unchanged(&before, "reject without a comment").await;
    // Not received before it is approved; no refund before the goods are back.
    assert_eq!(act(&s.warehouse, id, "receive", &[("disposition", "scrap")]).await.status, 409);
    assert_eq!(act(&s.ops, id, "approve", &[("comment", "同意退货")]).await.status, 303);
    assert_eq!(status(&d, id).await, "approved");
    assert_eq!(act(&s.manager, id, "approve", &[]).await.status, 409, "decided already");
    let before = s.app.snapshot(s.t.alpha, "after_sales", id).await;
    assert_eq!(act(&d.svc, id, "refund", &[("amount", "500")]).await.status, 409, "goods first");
    s.app.assert_unchanged(&before, "refund before the goods").await;

    // Receiving: HR may not; restock needs a warehouse; a quantity above what is due.
    assert_eq!(act(&s.hr, id, "receive", &[("disposition", "scrap")]).await.status, 403);
    let r = act(&s.warehouse, id, "receive", &[("disposition", "restock"), ("quantity", "1")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("请选择仓库"), "{}", r.body);
    let r =
        act(&s.warehouse, id, "receive", &[("disposition", "restock"), ("warehouse", "WH2"), ("quantity", "3")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("1 到 2"), "{}", r.body);
    s.app.assert_unchanged(&before, "refused receipts").await;
    // One cup back into WH2: on hand there rises by exactly one; still approved.
    let (wh2_before, wh1_before) = (level(s, s.cup, s.wh2).await, level(s, s.cup, s.wh1).await);
    let r =
        act(&s.warehouse, id, "receive", &[("disposition", "restock"), ("warehouse", "WH2"), ("quantity", "1")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(level(s, s.cup, s.wh2).await, (wh2_before.0 + 1, wh2_before.1));
    assert_eq!(level(s, s.cup, s.wh1).await, wh1_before);
    assert_eq!(status(&d, id).await, "approved", "one of two back");
    let moves = s
        .app
        .strings(
            s.t.alpha,
            &format!(
                "SELECT kind || ':' || quantity FROM stock_movements WHERE doc_type = 'after_sale' AND doc_id = {id}"
            ),
        )
        .await;
    assert_eq!(moves, ["return:1"], "a return movement, the case its document");
    // The other scrapped: no stock anywhere moves.
    let r = act(&d.svc, id, "receive", &[("disposition", "scrap")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(level(s, s.cup, s.wh2).await, (wh2_before.0 + 1, wh2_before.1));
    assert_eq!(level(s, s.cup, s.wh1).await, wh1_before);
    assert_eq!(status(&d, id).await, "received");
    ledger_holds(&d).await;
    assert_eq!(act(&s.warehouse, id, "receive", &[("disposition", "scrap")]).await.status, 409, "all back");
    // The order line shows its returned quantity.
    let o = s.ops.get(&format!("/orders/{order}")).await.body;
    assert!(o.contains("data-after-sales=\"1\""), "{o}");
    assert!(
        o.contains(&format!("/after-sales/new?order={order}")) && o.contains(&format!("/complaints/new?order={order}"))
    );
    let o = s.warehouse.get(&format!("/orders/{order}")).await.body;
    assert!(!o.contains("/after-sales/new") && !o.contains("/complaints/new"), "the warehouse raises neither");
    let returned = s
        .app
        .scalar_i64(
            s.t.alpha,
            &format!("SELECT returned_qty FROM order_lines WHERE order_id = {order} AND line_no = 1"),
        )
        .await;
    assert_eq!(returned, 2);

    // The refund: the warehouse may not record it; a bad amount; then ¥500.00.
    assert_eq!(act(&s.warehouse, id, "refund", &[("amount", "500")]).await.status, 403);
    let r = act(&d.svc, id, "refund", &[("amount", "5.001"), ("reference", "ALI-778")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("5.001") && r.body.contains("ALI-778"), "typed values kept: {}", r.body);
    let r = act(&d.svc, id, "refund", &[("amount", "500"), ("method", "bank"), ("reference", "ALI-778")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(status(&d, id).await, "refunded", "below the threshold: no approval");
    let o = s.ops.get(&format!("/orders/{order}")).await.body;
    assert!(o.contains("data-refunded=\"500.00\""), "the order shows its refunds: {o}");
    assert_eq!(act(&d.svc, id, "refund", &[("amount", "1")]).await.status, 409, "refunded already");
    // Closing: the warehouse may not; then done, and closed stays closed.
    assert_eq!(act(&s.warehouse, id, "close", &[]).await.status, 403);
    assert_eq!(act(&d.svc, id, "close", &[]).await.status, 303);
    assert_eq!(status(&d, id).await, "closed");
    assert_eq!(act(&d.svc, id, "close", &[]).await.status, 409);
    // The audit trail has every step.
    let audit = s
        .app
        .strings(
            s.t.alpha,
            &format!(
                "SELECT action FROM audit_log WHERE entity_type = 'after_sale' AND entity_id = '{id}' ORDER BY id"
            ),
        )
        .await;
    assert_eq!(
        audit,
        [
            "after_sale.raise",
            "after_sale.approve",
            "after_sale.receive",
            "after_sale.receive",
            "after_sale.refund",
            "after_sale.close"
        ]
    );
}

#[tokio::test]
async fn quantities_are_bounded_by_what_was_shipped_less_earlier_cases_not_rejected() {
    let d = desk().await;
    let s = &d.s;
    let order = shipped(&d, "TB-2", None).await;
    let one = |q: &'static str| [("kind", "exchange"), ("sku", "CUP-1"), ("quantity", q), ("reason", "尺寸不对")];
    let first = case_of(&raise(&d.svc, order, &one("2")).await);
    let r = raise(&d.svc, order, &one("2")).await;
    assert_eq!(r.status, 422, "3 shipped, 2 covered");
    assert!(r.body.contains("最多可申请 1 件"), "{}", r.body);
    // Rejected cases cover nothing.
    assert_eq!(act(&s.ops, first, "reject", &[("comment", "超过七天")]).await.status, 303);
    assert_eq!(status(&d, first).await, "rejected");
    case_of(&raise(&d.svc, order, &one("3")).await);
    // An order not shipped yet has nothing to raise a case on.
    let unshipped = crate::orders::order(s, "TB-3", false).await;
    let r =
        raise(&d.svc, unshipped, &[("kind", "repair"), ("sku", "PEN-1"), ("quantity", "1"), ("reason", "坏了")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("最多可申请 0 件"), "{}", r.body);
}

#[tokio::test]
async fn two_refunds_of_600_reach_the_threshold_and_the_second_waits_for_a_manager() {
    let d = desk().await;
    let s = &d.s;
    let order = shipped(&d, "TB-4", None).await;
    let refund = [("kind", "refund"), ("sku", "CUP-1"), ("quantity", "1"), ("amount", "600"), ("reason", "少发配件")];
    // Raised by the ops manager, so that the manager may not decide it later.
    let a = case_of(&raise(&s.manager, order, &refund).await);
    let b = case_of(&raise(&s.manager, order, &refund).await);
    for id in [a, b] {
        assert_eq!(act(&d.svc, id, "approve", &[]).await.status, 303);
    }
    // ¥600.00: below ¥1,000.00, done at once.
    assert_eq!(act(&d.svc, a, "refund", &[("amount", "600")]).await.status, 303);
    assert_eq!(status(&d, a).await, "refunded");
    // The second brings the order to ¥1,200.00: it waits, the money not counted yet.
    let r = act(&d.svc, b, "refund", &[("amount", "600"), ("reference", "R-2")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(status(&d, b).await, "refund_pending");
    let refunded = format!("SELECT refunded_fen FROM orders WHERE id = {order}");
    assert_eq!(s.app.scalar_i64(s.t.alpha, &refunded).await, 60_000);
    // The home page of the service manager shows it waiting; not the raiser's.
    let home = d.svc_manager.get("/").await.body;
    assert!(home.contains("data-queue=\"after_sales.refund_pending\""), "{home}");
    assert!(!s.manager.get("/").await.body.contains("data-queue=\"after_sales.refund_pending\""));
    // A specialist may not approve it, nor the manager who raised the case, nor beta.
    let before = s.app.snapshot(s.t.alpha, "after_sales", b).await;
    assert_eq!(act(&d.svc, b, "refund/approve", &[]).await.status, 403);
    assert_eq!(act(&s.manager, b, "refund/approve", &[]).await.status, 403, "own case");
    assert_eq!(act(&s.beta, b, "refund/approve", &[]).await.status, 404);
    assert_eq!(act(&d.svc_manager, b, "refund/reject", &[("comment", " ")]).await.status, 422);
    s.app.assert_unchanged(&before, "refused refund decisions").await;
    // Rejected: back to approved, the refund recorded again and approved.
    assert_eq!(act(&d.svc_manager, b, "refund/reject", &[("comment", "金额有误")]).await.status, 303);
    assert_eq!(status(&d, b).await, "approved");
    assert_eq!(s.app.scalar_i64(s.t.alpha, &refunded).await, 60_000);
    assert_eq!(act(&d.svc, b, "refund", &[("amount", "600")]).await.status, 303);
    assert_eq!(status(&d, b).await, "refund_pending", "still at the threshold");
    assert_eq!(act(&d.svc_manager, b, "refund/approve", &[]).await.status, 303);
    assert_eq!(status(&d, b).await, "refunded");
    assert_eq!(s.app.scalar_i64(s.t.alpha, &refunded).await, 120_000);
    assert_eq!(act(&d.director, b, "refund/approve", &[]).await.status, 409, "decided already");
    // A manager's own refund does not wait.
    let c = case_of(
        &raise(
            &d.svc,
            order,
            &[("kind", "refund"), ("sku", "PEN-1"), ("quantity", "1"), ("amount", "50"), ("reason", "x")],
        )
        .await,
    );
    assert_eq!(act(&s.ops, c, "approve", &[]).await.status, 303);
    assert_eq!(act(&d.svc_manager, c, "refund", &[("amount", "50")]).await.status, 303);
    assert_eq!(status(&d, c).await, "refunded");
    assert_eq!(s.app.scalar_i64(s.t.alpha, &refunded).await, 125_000);
}

#[tokio::test]
async fn refunds_never_add_up_to_more_than_the_line_and_the_order_were_paid() {
    let d = desk().await;
    let s = &d.s;
    let order = shipped(&d, "TB-5", None).await;
    let cup = |amount: &'static str| {
        [("kind", "refund"), ("sku", "CUP-1"), ("quantity", "1"), ("amount", amount), ("reason", "降价补差")]
    };
    let a = case_of(&raise(&d.svc, order, &cup("800")).await);
    let b = case_of(&raise(&d.svc, order, &cup("800")).await);
    for id in [a, b] {
        assert_eq!(act(&s.ops, id, "approve", &[]).await.status, 303);
    }
    assert_eq!(act(&d.svc_manager, a, "refund", &[("amount", "800")]).await.status, 303);
    // The cup line's share is ¥1,200.00: ¥800 more would be ¥1,600.
    let before = s
        .app
        .snapshot_with(
            s.t.alpha,
            "after_sales",
            b,
            &["SELECT count(*)::text FROM refunds", "SELECT refunded_fen::text FROM orders"],
        )
        .await;
    let r = act(&d.svc_manager, b, "refund", &[("amount", "400.01")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("本次最多可退 ¥400.00"), "{}", r.body);
    s.app.assert_unchanged(&before, "a refund past the line's share").await;
    assert_eq!(act(&d.svc_manager, b, "refund", &[("amount", "400")]).await.status, 303);
    assert_eq!(
        s.app.scalar_i64(s.t.alpha, &format!("SELECT refunded_fen FROM orders WHERE id = {order}")).await,
        120_000
    );
    // The pens' ¥200.00 are the rest of the order: a case on them refunds at most that.
    let p = case_of(
        &raise(
            &d.svc,
            order,
            &[("kind", "refund"), ("sku", "PEN-1"), ("quantity", "2"), ("amount", "200"), ("reason", "x")],
        )
        .await,
    );
    assert_eq!(act(&s.ops, p, "approve", &[]).await.status, 303);
    let r = act(&d.svc_manager, p, "refund", &[("amount", "200.01")]).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(act(&d.svc_manager, p, "refund", &[("amount", "200")]).await.status, 303);
    let paid = s.app.scalar_i64(s.t.alpha, "SELECT sum(amount_fen)::bigint FROM refunds WHERE status = 'done'").await;
    assert_eq!(paid, 140_000, "exactly what was paid, never more");
}

#[tokio::test]
async fn two_managers_approving_one_refund_at_once_make_exactly_one_decision() {
    let d = desk().await;
    let s = &d.s;
    let order = shipped(&d, "TB-6", None).await;
    let id = case_of(
        &raise(
            &d.svc,
            order,
            &[("kind", "refund"), ("sku", "CUP-1"), ("quantity", "3"), ("amount", "1200"), ("reason", "整单质量问题")],
        )
        .await,
    );
    assert_eq!(act(&s.ops, id, "approve", &[]).await.status, 303);
    assert_eq!(act(&d.svc, id, "refund", &[("amount", "1200")]).await.status, 303);
    assert_eq!(status(&d, id).await, "refund_pending");
    let lock = s.app.hold_lock(s.t.alpha, &format!("SELECT 1 FROM after_sales WHERE id = {id} FOR UPDATE")).await;
    let (x, y) = overlapping(&s.app, lock, 2, async {
        tokio::join!(act(&d.svc_manager, id, "refund/approve", &[]), act(&d.director, id, "refund/approve", &[]))
    })
    .await;
    let mut codes = [x.status, y.status];
    codes.sort();
    assert_eq!(codes, [303, 409], "exactly one decision");
    assert_eq!(status(&d, id).await, "refunded");
    let refunded = s.app.scalar_i64(s.t.alpha, &format!("SELECT refunded_fen FROM orders WHERE id = {order}")).await;
    assert_eq!(refunded, 120_000, "counted once");
    let decided = s.app.scalar_i64(s.t.alpha, "SELECT count(*) FROM audit_log WHERE action = 'refund.approve'").await;
    assert_eq!(decided, 1);
}

#[tokio::test]
async fn an_exchange_ships_its_replacement_from_stock_and_a_repair_sends_the_item_back() {
    let d = desk().await;
    let s = &d.s;
    let order = shipped(&d, "TB-7", None).await;
    let id = case_of(
        &raise(&d.svc, order, &[("kind", "exchange"), ("sku", "CUP-1"), ("quantity", "2"), ("reason", "颜色发错")])
            .await,
    );
    assert_eq!(act(&s.ops, id, "approve", &[]).await.status, 303);
    let out = [("warehouse", "WH1"), ("carrier", "SF"), ("tracking_no", "SF9001")];
    assert_eq!(act(&d.svc, id, "reship", &out).await.status, 409, "not before the goods are back");
    // Both wrong cups scrapped; WH1 has 2 cups left after the order.
    assert_eq!(act(&s.warehouse, id, "receive", &[("disposition", "scrap")]).await.status, 303);
    assert_eq!(level(s, s.cup, s.wh1).await, (2, 0));
    // WH2 has one cup only: refused, nothing reserved or written.
    let before = s
        .app
        .snapshot_with(
            s.t.alpha,
            "after_sales",
            id,
            &["SELECT count(*)::text FROM parcels", "SELECT count(*)::text FROM order_reservations"],
        )
        .await;
    let r = act(&d.svc, id, "reship", &[("warehouse", "WH2"), ("carrier", "SF"), ("tracking_no", "SF9001")]).await;
    assert_eq!(r.status, 409);
    assert!(r.body.contains("可用库存不足"), "{}", r.body);
    let r = act(&d.svc, id, "reship", &[("warehouse", "WH1"), ("carrier", "XX"), ("tracking_no", "")]).await;
    assert_eq!(r.status, 422);
    assert_eq!(act(&s.warehouse, id, "reship", &out).await.status, 403);
    s.app.assert_unchanged(&before, "refused send-outs").await;
    assert_eq!(level(s, s.cup, s.wh2).await, (1, 0));
    // From WH1: reserved, then shipped: on hand 2 → 0, a shipment movement of the case.
    let r = act(&d.svc, id, "reship", &out).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(status(&d, id).await, "reshipped");
    assert_eq!(level(s, s.cup, s.wh1).await, (0, 0));
    let moves = s
        .app
        .strings(
            s.t.alpha,
            &format!(
                "SELECT kind || ':' || quantity FROM stock_movements WHERE doc_type = 'after_sale' AND doc_id = {id}"
            ),
        )
        .await;
    assert_eq!(moves, ["shipment:-2"]);
    let parcel = s.app.strings(s.t.alpha, &format!("SELECT tracking_no FROM parcels WHERE after_sale_id = {id}")).await;
    assert_eq!(parcel, ["SF9001"]);
    assert!(s.ops.get(&format!("/orders/{order}")).await.body.contains("SF9001"), "the order shows the parcel");
    ledger_holds(&d).await;
    crate::orders::reservations_agree(s).await;

    // A repair: the customer's own pen comes back and goes out; no stock moves.
    let pens = level(s, s.pen, s.wh1).await;
    let r = raise(
        &d.svc,
        order,
        &[("kind", "repair"), ("sku", "PEN-1"), ("quantity", "1"), ("amount", "10"), ("reason", "笔尖坏")],
    )
    .await;
    assert_eq!(r.status, 422, "a repair refunds nothing");
    let rep = case_of(
        &raise(&d.svc, order, &[("kind", "repair"), ("sku", "PEN-1"), ("quantity", "1"), ("reason", "笔尖坏")]).await,
    );
    assert_eq!(act(&s.manager, rep, "approve", &[]).await.status, 303);
    assert_eq!(act(&s.warehouse, rep, "receive", &[]).await.status, 303);
    assert_eq!(status(&d, rep).await, "received");
    let r = act(&d.svc, rep, "reship", &[("warehouse", "WH1"), ("carrier", "ZTO"), ("tracking_no", "ZT5005")]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(status(&d, rep).await, "repaired");
    assert_eq!(level(s, s.pen, s.wh1).await, pens);
    let moved = s
        .app
        .scalar_i64(
            s.t.alpha,
            &format!("SELECT count(*) FROM stock_movements WHERE doc_type = 'after_sale' AND doc_id = {rep}"),
        )
        .await;
    assert_eq!(moved, 0);
    let returned = s
        .app
        .scalar_i64(
            s.t.alpha,
            &format!("SELECT returned_qty FROM order_lines WHERE order_id = {order} AND line_no = 2"),
        )
        .await;
    assert_eq!(returned, 0, "a repaired item is not returned");
}

#[tokio::test]
async fn the_list_filters_searches_and_exports_within_scope_and_sales_reps_only_read_their_own() {
    let d = desk().await;
    let s = &d.s;
    crate::orders::stock_in(&s.app, s.t.alpha, s.cup, s.wh1, 3).await;
    let own = shipped(&d, "TB-8", Some(d.rep_id)).await;
    let other = shipped(&d, "TB-9", None).await;
    let a = case_of(
        &raise(
            &d.svc,
            own,
            &[
                ("kind", "refund"),
                ("sku", "PEN-1"),
                ("quantity", "1"),
                ("amount", "20"),
                ("category", "damaged"),
                ("reason", "外包装破损"),
            ],
        )
        .await,
    );
    let b = case_of(
        &raise(&d.svc, other, &[("kind", "repair"), ("sku", "CUP-1"), ("quantity", "1"), ("reason", "杯盖松")]).await,
    );
    // Everyone who may look: service, ops, warehouse, directors; not HR.
    for c in [&d.svc, &s.ops, &s.warehouse, &d.director] {
        let page = c.get("/after-sales").await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("AS-000001") && page.body.contains("AS-000002"), "{}", page.body);
    }
    assert_eq!(s.hr.get("/after-sales").await.status, 403);
    assert_eq!(s.hr.get(&format!("/after-sales/{a}")).await.status, 403);
    assert_eq!(s.hr.get("/after-sales.csv").await.status, 403);
    // The rep sees the case of their own order, read-only; the other one is not theirs.
    let list = s.sales.get("/after-sales").await.body;
    assert!(list.contains("AS-000001") && !list.contains("AS-000002"), "{list}");
    let page = s.sales.get(&format!("/after-sales/{a}")).await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("data-form="), "no forms for the rep: {}", page.body);
    assert_eq!(s.sales.get(&format!("/after-sales/{b}")).await.status, 404);
    assert_eq!(act(&s.sales, a, "approve", &[]).await.status, 403);
    // Another tenant sees none of it.
    let beta = s.beta.get("/after-sales").await;
    assert_eq!(beta.status, 200);
    assert!(!beta.body.contains("AS-00000"), "{}", beta.body);
    // Filters and search: by kind, status, order number, phone, case number.
    let has = |body: &str, a: bool, b: bool| body.contains("AS-000001") == a && body.contains("AS-000002") == b;
    assert!(has(&d.svc.get("/after-sales?kind=repair").await.body, false, true));
    assert!(has(&d.svc.get("/after-sales?status=requested").await.body, true, true));
    assert!(has(&d.svc.get("/after-sales?status=closed").await.body, false, false));
    assert!(has(&d.svc.get("/after-sales?q=TB-8").await.body, true, false));
    assert!(has(&d.svc.get("/after-sales?q=AS-000002").await.body, false, true));
    assert!(has(&d.svc.get("/after-sales?q=13800000000").await.body, true, true));
    assert!(has(&d.svc.get("/after-sales?q=%E5%B0%8F%E6%98%8E").await.body, true, true), "the receiver 王小明");
    assert!(has(&d.svc.get("/after-sales?q=as-000002").await.body, false, true), "any case");
    assert!(has(&d.svc.get(&format!("/after-sales?order={other}")).await.body, false, true));
    assert_eq!(d.svc.get("/after-sales?kind=swap").await.status, 400);
    assert_eq!(d.svc.get("/after-sales?from=2026-13-01").await.status, 400);
    // The CSV: the same rows, a header, the rep's limited to their own.
    let csv = d.svc.get("/after-sales.csv?kind=refund").await;
    assert_eq!(csv.status, 200);
    let lines: Vec<&str> = csv.body.trim_start_matches('\u{feff}').split("\r\n").filter(|l| !l.is_empty()).collect();
    assert!(lines[0].starts_with("case_no,raised_at,kind,status,order_no"), "{}", lines[0]);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[1].starts_with("AS-000001,")
            && lines[1].contains(",refund,requested,TB-8,")
            && lines[1].contains(",damaged,"),
        "{}",
        lines[1]
    );
    assert!(lines[1].ends_with(",20.00,0.00"), "{}", lines[1]);
    let rep_csv = s.sales.get("/after-sales.csv").await.body;
    assert!(rep_csv.contains("AS-000001") && !rep_csv.contains("AS-000002"));
    // The queues: cases to review for operators (not the raiser), goods to receive.
    assert!(s.ops.get("/").await.body.contains("data-queue=\"after_sales.requested\""));
    assert!(d.svc.get("/").await.body.contains("data-queue=\"after_sales.mine\""));
    assert!(!d.svc.get("/").await.body.contains("data-queue=\"after_sales.requested\""), "own cases only");
    assert_eq!(act(&s.ops, b, "approve", &[]).await.status, 303);
    let home = s.warehouse.get("/").await.body;
    assert!(home.contains("data-queue=\"after_sales.to_receive\""), "{home}");
    let receive = s.warehouse.get("/after-sales?stage=receive").await.body;
    assert!(has(&receive, false, true), "{receive}");
}
