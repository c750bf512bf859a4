//! Elimination (汰换): an ops specialist (or manager) proposes with a reason, the ops
//! manager approves or rejects with a comment; approval makes the product
//! `eliminated` and its remaining stock appears on the clearance list.

use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde_json::json;

use super::repo::{self, EliminationFilter};
use super::views::{ClearancePage, EliminationsPage, EliminationsQuery, PageQuery, ProposeForm, ProposePage};
use super::Status;
use crate::audit::{self, Actor, Entry};
use crate::error::{AppError, AppResult, OnConstraint};
use crate::people::Action;
use crate::web::pagination::query_string;
use crate::web::{Ctx, FieldErrors, Flash, Pager, RequestMeta};

const OPEN_EXISTS: &str = "该商品已有一条待审批的汰换申请，请等待审批结果";

pub async fn propose_form(mut ctx: Ctx, Path(id): Path<i64>) -> AppResult<ProposePage> {
    ctx.require(Action::ProductsEdit)?;
    let mut tx = ctx.begin().await?;
    let product = repo::find(&mut tx, ctx.user.tenant_id, id).await?.ok_or(AppError::NotFound)?;
    let on_hand = repo::stock_of(&mut tx, ctx.user.tenant_id, id).await?.iter().map(|s| s.on_hand).sum();
    tx.commit().await?;
    Ok(ProposePage {
        chrome: ctx.chrome(format!("提出汰换：{}", product.name), "/products"),
        product,
        on_hand,
        form: ProposeForm::default(),
        errors: FieldErrors::default(),
    })
}

pub async fn propose(
    meta: RequestMeta,
    mut ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<ProposeForm>,
) -> AppResult<Response> {
    ctx.require(Action::ProductsEdit)?;
    let mut tx = ctx.begin().await?;
    let product = repo::lock(&mut tx, ctx.user.tenant_id, id).await?.ok_or(AppError::NotFound)?;
    if product.status() == Status::Eliminated {
        return Err(AppError::Conflict("该商品已汰换".into()));
    }
    let reason = form.reason.trim();
    let mut errors = FieldErrors::default();
    if reason.is_empty() {
        errors.add("reason", "请填写汰换原因");
    } else if reason.chars().count() > 500 {
        errors.add("reason", "汰换原因最多 500 个字符");
    }
    if !errors.is_empty() {
        let on_hand = repo::stock_of(&mut tx, ctx.user.tenant_id, id).await?.iter().map(|s| s.on_hand).sum();
        tx.rollback().await?;
        let page = ProposePage {
            chrome: ctx.chrome(format!("提出汰换：{}", product.name), "/products"),
            product,
            on_hand,
            form,
            errors,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let inserted = repo::insert_elimination(&mut tx, ctx.user.tenant_id, id, reason, ctx.user.user_id).await;
    let Ok(eid) = inserted.on_constraint(&[("product_eliminations_open_idx", ())])? else {
        return Err(AppError::Conflict(OPEN_EXISTS.into()));
    };
    audit::record(
        &mut tx,
        ctx.user.tenant_id,
        &Actor::user(&ctx.user, &meta),
        Entry {
            action: "product.eliminate_propose",
            entity_type: Some("product_elimination"),
            entity_id: Some(eid.to_string()),
            summary: format!("提出汰换商品 {}（{}）：{reason}", product.name, product.sku),
            before: Some(json!({"status": product.status.code()})),
            after: Some(json!({"product_id": id, "reason": reason, "status": "pending"})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Flash::success("汰换申请已提交，等待运营经理审批。").redirect(&format!("/products/{id}")))
}

pub async fn list(mut ctx: Ctx, Query(q): Query<EliminationsQuery>) -> AppResult<EliminationsPage> {
    ctx.require(Action::CatalogView)?;
    let status = match q.status.as_str() {
        "" => None,
        other => Some(
            super::flow::EliminationStatus::parse(other)
                .ok_or_else(|| AppError::BadRequest(format!("未知状态：{other}")))?,
        ),
    };
    let filter = EliminationFilter { status, proposed_by: (!q.mine.is_empty()).then_some(ctx.user.user_id) };
    let pager = Pager::new("/products/eliminations", q.page, query_string(&[("status", &q.status), ("mine", &q.mine)]));
    let mut tx = ctx.begin().await?;
    let (rows, total) =
        repo::eliminations(&mut tx, ctx.user.tenant_id, &filter, pager.per_page, pager.offset(), pager.count_limit())
            .await?;
    tx.commit().await?;
    Ok(EliminationsPage {
        chrome: ctx.chrome("商品汰换申请", "/products"),
        q,
        rows,
        pager: pager.with_total(total),
        tz: ctx.user.settings.time_zone,
    })
}

pub async fn clearance(mut ctx: Ctx, Query(q): Query<PageQuery>) -> AppResult<ClearancePage> {
    ctx.require(Action::CatalogView)?;
    let pager = Pager::new("/products/clearance", q.page, String::new());
    let mut tx = ctx.begin().await?;
    let (rows, total) =
        repo::clearance(&mut tx, ctx.user.tenant_id, pager.per_page, pager.offset(), pager.count_limit()).await?;
    tx.commit().await?;
    Ok(ClearancePage { chrome: ctx.chrome("待清仓", "/products"), rows, pager: pager.with_total(total) })
}
