//! Elimination (汰换): an ops specialist (or manager) proposes with a reason, the ops
//! manager approves or rejects with a comment; approval makes the product
//! `eliminated` and its remaining stock appears on the clearance list.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde_json::json;

use super::repo::{self, EliminationFilter};
use super::views::{ClearancePage, EliminationsPage, EliminationsQuery, PageQuery, ProposeForm, ProposePage};
use super::Status;
use crate::app::state::AppState;
use crate::audit::{self, Actor, Entry};
use crate::db;
use crate::error::{AppError, AppResult, OnConstraint};
use crate::people::Action;
use crate::web::pagination::query_string;
use crate::web::{Chrome, CurrentUser, FieldErrors, Flash, IncomingFlash, Pager, RequestMeta};

const OPEN_EXISTS: &str = "该商品已有一条待审批的汰换申请，请等待审批结果";

pub async fn propose_form(
    State(state): State<AppState>,
    user: CurrentUser,
    flash: IncomingFlash,
    Path(id): Path<i64>,
) -> AppResult<ProposePage> {
    user.require(Action::ProductsEdit)?;
    let mut tx = db::begin_tenant(&state.db, user.tenant_id).await?;
    let product = repo::find(&mut tx, user.tenant_id, id).await?.ok_or(AppError::NotFound)?;
    let on_hand = repo::stock_of(&mut tx, user.tenant_id, id).await?.iter().map(|s| s.on_hand).sum();
    tx.commit().await?;
    Ok(ProposePage {
        chrome: Chrome::new(&user, flash, format!("提出汰换：{}", product.name), "/products"),
        product,
        on_hand,
        form: ProposeForm::default(),
        errors: FieldErrors::default(),
    })
}

pub async fn propose(
    State(state): State<AppState>,
    meta: RequestMeta,
    user: CurrentUser,
    flash: IncomingFlash,
    Path(id): Path<i64>,
    Form(form): Form<ProposeForm>,
) -> AppResult<Response> {
    user.require(Action::ProductsEdit)?;
    let mut tx = db::begin_tenant(&state.db, user.tenant_id).await?;
    let product = repo::lock(&mut tx, user.tenant_id, id).await?.ok_or(AppError::NotFound)?;
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
        let on_hand = repo::stock_of(&mut tx, user.tenant_id, id).await?.iter().map(|s| s.on_hand).sum();
        tx.rollback().await?;
        let page = ProposePage {
            chrome: Chrome::new(&user, flash, format!("提出汰换：{}", product.name), "/products"),
            product,
            on_hand,
            form,
            errors,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let inserted = repo::insert_elimination(&mut tx, user.tenant_id, id, reason, user.user_id).await;
    let Ok(eid) = inserted.on_constraint(&[("product_eliminations_open_idx", ())])? else {
        return Err(AppError::Conflict(OPEN_EXISTS.into()));
    };
    audit::record(
        &mut tx,
        user.tenant_id,
        &Actor::user(&user, &meta),
        Entry {
            action: "product.eliminate_propose",
            entity_type: Some("product_elimination"),
            entity_id: Some(eid.to_string()),
            summary: format!("提出汰换商品 {}（{}）：{reason}", product.name, product.sku),
            before: Some(json!({"status": product.status})),
            after: Some(json!({"product_id": id, "reason": reason, "status": "pending"})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Flash::success("汰换申请已提交，等待运营经理审批。").redirect(&format!("/products/{id}")))
}

pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    flash: IncomingFlash,
    Query(q): Query<EliminationsQuery>,
) -> AppResult<EliminationsPage> {
    user.require(Action::CatalogView)?;
    let status = match q.status.as_str() {
        "" => None,
        other => Some(
            super::flow::EliminationStatus::parse(other)
                .ok_or_else(|| AppError::BadRequest(format!("未知状态：{other}")))?,
        ),
    };
    let filter = EliminationFilter { status, proposed_by: (!q.mine.is_empty()).then_some(user.user_id) };
    let pager = Pager::new("/products/eliminations", q.page, query_string(&[("status", &q.status), ("mine", &q.mine)]));
    let mut tx = db::begin_tenant(&state.db, user.tenant_id).await?;
    let (rows, total) =
        repo::eliminations(&mut tx, user.tenant_id, &filter, pager.per_page, pager.offset(), pager.count_limit())
            .await?;
    tx.commit().await?;
    Ok(EliminationsPage {
        chrome: Chrome::new(&user, flash, "商品汰换申请", "/products"),
        q,
        rows,
        pager: pager.with_total(total),
        tz: user.settings.time_zone,
    })
}

pub async fn clearance(
    State(state): State<AppState>,
    user: CurrentUser,
    flash: IncomingFlash,
    Query(q): Query<PageQuery>,
) -> AppResult<ClearancePage> {
    user.require(Action::CatalogView)?;
    let pager = Pager::new("/products/clearance", q.page, String::new());
    let mut tx = db::begin_tenant(&state.db, user.tenant_id).await?;
    let (rows, total) =
        repo::clearance(&mut tx, user.tenant_id, pager.per_page, pager.offset(), pager.count_limit()).await?;
    tx.commit().await?;
    Ok(ClearancePage {
        chrome: Chrome::new(&user, flash, "待清仓", "/products"), rows, pager: pager.with_total(total)
    })
}
