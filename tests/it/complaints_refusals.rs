//! Every refused complaint request changes nothing: a wrong role (403), another
//! tenant's or an unknown complaint (404), a step its state does not allow (409),
//! and bad input (the form again with a message naming the field and what was
//! typed, 422; no row, no event, no audit, no number used).

use crate::complaints::{ago, desk, exec, fields, log, logged, step};
use crate::helpers::{Client, Page};

/// POST `fields` to `path` with a token of the home page.
async fn post(c: &Client, path: &str, f: &[(&str, &str)]) -> Page {
    let token = crate::helpers::csrf_from(&c.get("/").await.body);
    let mut all = vec![("csrf_token", token.as_str())];
    all.extend_from_slice(f);
    c.post_raw(path, &all, &[]).await
}

/// Each step's path and valid fields.
fn steps(id: i64) -> Vec<(String, Vec<(&'static str, &'static str)>)> {
    vec![
        (format!("/complaints/{id}/reply"), vec![("message", "您好")]),
        (format!("/complaints/{id}/note"), vec![("note", "跟进中")]),
        (format!("/complaints/{id}/resolve"), vec![("result", "已退款"), ("cause", "漏检")]),
        (format!("/complaints/{id}/close"), vec![("satisfaction", "5")]),
        (format!("/complaints/{id}/reopen"), vec![("reason", "客户不满意")]),
    ]
}

#[tokio::test]
async fn every_post_is_refused_for_a_wrong_role_another_tenant_and_a_stale_state() {
    let d = desk().await;
    let order = d.order_rep.to_string();
    let id = logged(&d.svc, &[("order", &order)]).await;
    let events = ["SELECT count(*)::text FROM complaint_events"];
    let before = d.app.snapshot_with(d.t.alpha, "complaints", id, &events).await;
    // 403: the order's own rep and their manager (read-only), a director (reads
    // every one), the warehouse and HR.
    for (who, c) in [
        ("rep", &d.rep),
        ("sales manager", &d.sales_manager),
        ("director", &d.director),
        ("warehouse", &d.warehouse),
        ("hr", &d.hr),
    ] {
        let r = post(c, "/complaints", &fields(&[])).await;
        assert_eq!(r.status, 403, "{who}: POST /complaints");
        for (path, f) in steps(id) {
            assert_eq!(post(c, &path, &f).await.status, 403, "{who}: {path}");
        }
    }
    // 404: another tenant's operator, and an id that does not exist.
    for (path, f) in steps(id).into_iter().chain(steps(999_999)) {
        let c = if path.contains("999999") { &d.svc } else { &d.beta };
        assert_eq!(post(c, &path, &f).await.status, 404, "{path}");
    }
    d.app.assert_unchanged(&before, "403 and 404").await;

    // 409: close or reopen an open complaint.
    for action in ["close", "reopen"] {
        let (path, f) = steps(id).into_iter().find(|(p, _)| p.ends_with(action)).unwrap();
        let r = post(&d.svc, &path, &f).await;
        assert_eq!(r.status, 409, "{action} an open complaint: {}", r.body);
        assert!(r.body.contains("当前为「处理中」"), "{}", r.body);
    }
    d.app.assert_unchanged(&before, "409 on an open complaint").await;
    assert_eq!(step(&d.svc, id, "resolve", &[("result", "已退款"), ("cause", "漏检")]).await.status, 303);
    let resolved = d.app.snapshot_with(d.t.alpha, "complaints", id, &events).await;
    assert_eq!(step(&d.svc, id, "resolve", &[("result", "再次"), ("cause", "再次")]).await.status, 409);
    d.app.assert_unchanged(&resolved, "resolve twice").await;
    assert_eq!(step(&d.svc, id, "close", &[]).await.status, 303, "satisfaction is optional");
    let closed = d.app.snapshot_with(d.t.alpha, "complaints", id, &events).await;
    for (path, f) in steps(id).into_iter().filter(|(p, _)| !p.ends_with("reopen")) {
        let r = post(&d.svc, &path, &f).await;
        assert_eq!(r.status, 409, "{path} on a closed complaint");
        assert!(r.body.contains("当前为「已关闭」"), "{}", r.body);
    }
    d.app.assert_unchanged(&closed, "steps on a closed complaint").await;
}

#[tokio::test]
async fn a_reply_before_the_complaint_was_received_is_refused() {
    let d = desk().await;
    let id = logged(&d.svc, &[]).await;
    // A received time ahead of the server's clock (set by hand: the form refuses it).
    exec(
        &d.app,
        d.t.alpha,
        &format!(
            "UPDATE complaints SET received_at = now() + interval '1 hour', soon_at = now() + interval '20 hours',
             due_at = now() + interval '25 hours' WHERE id = {id}"
        ),
    )
    .await;
    let before =
        d.app.snapshot_with(d.t.alpha, "complaints", id, &["SELECT count(*)::text FROM complaint_events"]).await;
    for (action, f) in [("reply", vec![("message", "您好")]), ("resolve", vec![("result", "好"), ("cause", "因")])]
    {
        let r = step(&d.svc, id, action, &f).await;
        assert_eq!(r.status, 409, "{action}: {}", r.body);
        assert!(r.body.contains("不能在收到之前回复"), "{}", r.body);
    }
    d.app.assert_unchanged(&before, "a reply before the complaint").await;
}

#[tokio::test]
async fn bad_input_shows_the_form_again_with_the_field_named_and_writes_nothing() {
    let d = desk().await;
    let future = ago(-2, 0);
    let long = "长".repeat(51);
    let cases: Vec<(&str, &str, &str)> = vec![
        ("customer", "", "请填写客户姓名"),
        ("customer", &long, "客户姓名最多 50 个字符"),
        ("phone", "", "请填写联系电话"),
        ("phone", "abc", "联系电话“abc”无效"),
        ("order", "NO-SUCH", "订单“NO-SUCH”不存在"),
        ("channel", "fax", "投诉渠道“fax”无效"),
        ("channel", "", "请选择投诉渠道"),
        ("category", "", "请选择投诉分类"),
        ("severity", "huge", "严重程度“huge”无效"),
        ("content", "  ", "请填写投诉内容"),
        ("demand", "", "请填写客户诉求"),
        ("received_at", &future, "晚于当前时间"),
        ("received_at", "2026-13-01T10:00", "收到时间“2026-13-01T10:00”无效"),
        ("received_at", "yesterday", "收到时间“yesterday”无效"),
        ("received_at", "0000-01-01T00:00", "收到时间“0000-01-01T00:00”无效"),
    ];
    for (field, value, message) in &cases {
        let r = log(&d.svc, &[(field, value)]).await;
        assert_eq!(r.status, 422, "{field} = {value:?}: {}", r.body);
        assert!(r.body.contains(message), "{field} = {value:?} says {message}: {}", r.body);
        assert!(r.body.contains("has-error"), "the field is marked");
        // What was typed is kept: the other fields and the bad value itself.
        for (other, kept) in [("customer", "李女士"), ("phone", "13912345678"), ("content", "杯子收到时有裂纹")]
        {
            assert!(*field == other || r.body.contains(kept), "{field}: {kept} kept");
        }
        assert!(value.trim().is_empty() || r.body.contains(value), "{field}: {value} kept");
    }
    let tid = d.t.alpha;
    assert_eq!(d.app.scalar_i64(tid, "SELECT count(*) FROM complaints").await, 0);
    assert_eq!(d.app.scalar_i64(tid, "SELECT count(*) FROM complaint_events").await, 0);
    assert_eq!(d.app.scalar_i64(tid, "SELECT count(*) FROM audit_log WHERE entity_type = 'complaint'").await, 0);
    let id = logged(&d.svc, &[]).await;
    let no = d.app.strings(tid, &format!("SELECT complaint_no FROM complaints WHERE id = {id}")).await;
    assert_eq!(no, ["TS-000001"], "no number was used by the refused ones");

    // The steps: 422 with the field named, what was typed kept, nothing written.
    let before = d.app.snapshot_with(tid, "complaints", id, &["SELECT count(*)::text FROM complaint_events"]).await;
    type StepCase = (&'static str, &'static [(&'static str, &'static str)], &'static str, &'static str);
    let cases: &[StepCase] = &[
        ("reply", &[("message", " ")], "请填写回复内容", ""),
        ("note", &[("note", "")], "请填写处理进展", ""),
        ("resolve", &[("result", ""), ("cause", "仓库漏检")], "请填写处理结果", "仓库漏检"),
        ("resolve", &[("result", "已退款"), ("cause", "")], "请填写原因分析", "已退款"),
    ];
    for (action, f, message, kept) in cases {
        let r = step(&d.svc, id, action, f).await;
        assert_eq!(r.status, 422, "{action} {f:?}: {}", r.body);
        assert!(r.body.contains(message) && r.body.contains(kept), "{action}: {message}, {kept} kept: {}", r.body);
    }
    d.app.assert_unchanged(&before, "bad step input").await;
    assert_eq!(step(&d.svc, id, "resolve", &[("result", "已退款"), ("cause", "漏检")]).await.status, 303);
    let resolved = d.app.snapshot_with(tid, "complaints", id, &["SELECT count(*)::text FROM complaint_events"]).await;
    for bad in ["6", "0", "abc", "4.5"] {
        let r = step(&d.svc, id, "close", &[("satisfaction", bad), ("visit", "客户仍不满意")]).await;
        assert_eq!(r.status, 422, "satisfaction {bad}");
        assert!(r.body.contains(&format!("满意度“{bad}”无效")) && r.body.contains("客户仍不满意"), "{}", r.body);
    }
    let r = step(&d.svc, id, "reopen", &[("reason", "")]).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("请填写重新打开的原因"));
    d.app.assert_unchanged(&resolved, "bad close and reopen input").await;
}

#[tokio::test]
async fn nothing_typed_into_the_list_or_the_forms_gives_a_server_error() {
    let d = desk().await;
    let id = logged(&d.svc, &[]).await;
    let long = "9".repeat(5000);
    for q in ["%25", "_", "%5C", "%27%3B--", long.as_str(), "%E2%80%AE"] {
        let page = d.svc.get(&format!("/complaints?q={q}")).await;
        assert_eq!(page.status, 200, "q={q}");
        assert_eq!(d.svc.get(&format!("/complaints.csv?q={q}")).await.status, 200, "csv q={q}");
    }
    for path in ["/complaints?page=0", "/complaints?page=-3", "/complaints?page=99999999"] {
        assert_eq!(d.svc.get(path).await.status, 200, "{path}");
    }
    for path in [
        "/complaints?page=abc",
        "/complaints?page=99999999999999999999",
        "/complaints/abc",
        "/complaints/99999999999999999999",
    ] {
        let status = d.svc.get(path).await.status;
        assert!(status == 400 || status == 404, "{path}: {status}");
    }
    let huge = "1".repeat(40);
    for (field, value) in [
        ("order", "-1"),
        ("order", "99999999999999999999"),
        ("order", huge.as_str()),
        ("received_at", "2026-01-01T25:00"),
        ("received_at", "99999-01-01T00:00"),
        ("received_at", "-2026-01-01T00:00"),
        ("phone", huge.as_str()),
    ] {
        let r = log(&d.svc, &[(field, value)]).await;
        assert_eq!(r.status, 422, "{field} = {value}: {}", r.body);
    }
    let long_text = "字".repeat(1001);
    for (action, f) in [
        ("reply", ("message", long_text.as_str())),
        ("note", ("note", long_text.as_str())),
        ("close", ("satisfaction", "99999999999")),
    ] {
        let r = step(&d.svc, id, action, &[f]).await;
        assert!(r.status == 422 || r.status == 409, "{action}: {}", r.status);
    }
    assert_eq!(d.app.scalar_i64(d.t.alpha, "SELECT count(*) FROM complaints").await, 1);
}
