//! Batch shipping on the web (`/orders/ship-batch`): lines of
//! `order_no,carrier,tracking_no` pasted into the form or uploaded as a CSV file
//! (read by `imports::ship_batch`, like every import file), then checked and
//! shipped all or nothing by `orders::batch`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::error_list;
use super::views::ShipBatchPage;
use crate::error::AppResult;
use crate::imports::ship_batch::{self, HEADER};
use crate::imports::{off_thread, LineError};
use crate::orders::codes::Carrier;
use crate::people::Action;
use crate::web::upload::{ErrorList, Upload};
use crate::web::{Ctx, FieldErrors, Flash, RequestMeta};

/// The name the pasted lines go by in messages.
const PASTED: &str = "粘贴的发货行";

fn page(cx: &mut Ctx, text: String) -> ShipBatchPage {
    ShipBatchPage {
        chrome: cx.chrome("批量发货", "/orders"),
        header: HEADER.join(","),
        carriers: Carrier::ALL.iter().map(|c| format!("{} {}", c.code(), c.label())).collect::<Vec<_>>().join("、"),
        text,
        form_errors: FieldErrors::default(),
        errors: ErrorList::default(),
    }
}

fn label(field: &str) -> &'static str {
    match field {
        "order_no" => "订单编号",
        "carrier" => "承运商",
        "tracking_no" => "运单号",
        _ => "",
    }
}

/// 422: the form again with every error by line; nothing shipped.
fn refused(mut p: ShipBatchPage, file: &str, errors: &[LineError]) -> Response {
    let sentence = format!("{file} 有 {} 处错误，没有发出任何订单。请修改后重新提交。", errors.len());
    p.errors = error_list(sentence, errors, label);
    (StatusCode::UNPROCESSABLE_ENTITY, p).into_response()
}

/// `GET /orders/ship-batch`: the form.
pub async fn form(mut cx: Ctx) -> AppResult<ShipBatchPage> {
    cx.require(Action::OrdersShip)?;
    Ok(page(&mut cx, String::new()))
}

/// `POST /orders/ship-batch` (multipart: `csrf_token`, `lines` or `file`): every
/// line checked, then every order shipped in one transaction, or nothing.
pub async fn submit(mut cx: Ctx, meta: RequestMeta, upload: Upload) -> AppResult<Response> {
    cx.require(Action::OrdersShip)?;
    let form = upload.read().await?;
    // Untrimmed: a leading blank line still counts as line 1.
    let text = form.fields.iter().find(|(k, _)| k == "lines").map(|(_, v)| v.clone()).unwrap_or_default();
    let text = if text.trim().is_empty() { String::new() } else { text };
    let file = form.into_file("ship.csv")?;
    let mut p = page(&mut cx, text.clone());
    let (name, bytes) = match (file, text.is_empty()) {
        (Some(_), false) => {
            p.form_errors.add("lines", "请只用一种方式：粘贴发货行，或上传文件");
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response());
        }
        (Some(file), true) => file,
        (None, false) => (PASTED.to_owned(), text.into_bytes()),
        (None, true) => {
            p.form_errors.add("lines", "请粘贴发货行（每行：订单编号,承运商,运单号）或上传文件");
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response());
        }
    };
    let file = name.clone();
    let lines = match off_thread(move || ship_batch::parse(&file, &bytes)).await {
        Ok(lines) => lines,
        Err(e) => return Ok(refused(p, &name, &e.errors)),
    };
    let mut tx = cx.begin().await?;
    match crate::orders::batch::ship(&cx, &meta, &mut tx, &lines).await? {
        Ok(n) => {
            tx.commit().await?;
            Ok(Flash::success(format!("已批量发货 {n} 单。")).redirect("/orders/ship-batch"))
        }
        Err(problems) => {
            tx.rollback().await?;
            let errors: Vec<LineError> = problems
                .into_iter()
                .map(|p| LineError { line: p.line, field: Some(p.field), message: p.message })
                .collect();
            Ok(refused(p, &name, &errors))
        }
    }
}
