//! Warehouse pages: list, create, edit, deactivate (with confirmation), reactivate.
//! Everyone with the catalog sees them; the ops manager (InventoryLevels) edits.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde_json::json;

use super::repo::{self, WarehouseFilter};
use super::views::{DeactivatePage, WarehouseForm, WarehouseFormPage, WarehousesPage, WarehousesQuery};
use crate::app::state::AppState;
use crate::audit::{self, Actor, Entry};
use crate::error::{AppError, AppResult, OnConstraint};
use crate::people::Action;
use crate::web::forms::non_empty;
use crate::web::pagination::query_string;
use crate::web::{Ctx, FieldErrors, Flash, Pager, RequestMeta};

/// Who edits warehouses (see docs/decisions.md).
pub const EDIT: Action = Action::InventoryLevels;

pub async fn list(mut ctx: Ctx, Query(q): Query<WarehousesQuery>) -> AppResult<WarehousesPage> {
    ctx.require(Action::CatalogView)?;
    let filter = WarehouseFilter {
        active: match q.active.as_str() {
            "" => None,
            "yes" => Some(true),
            "no" => Some(false),
            other => return Err(AppError::BadRequest(format!("状态应为 yes 或 no：{other}"))),
        },
        q: non_empty(&q.q).map(str::to_owned),
    };
    let pager = Pager::new("/inventory/warehouses", q.page, query_string(&[("active", &q.active), ("q", &q.q)]));
    let mut tx = ctx.begin().await?;
    let (rows, total) =
        repo::warehouses(&mut tx, ctx.user.tenant_id, &filter, pager.per_page, pager.offset(), pager.count_limit())
            .await?;
    tx.commit().await?;
    Ok(WarehousesPage {
        chrome: ctx.chrome("仓库", "/inventory/warehouses"),
        q,
        rows,
        pager: pager.with_total(total),
        can_edit: ctx.can(EDIT),
    })
}

/// Whether `code` fits the warehouses table's code rule.
pub fn valid_code(code: &str) -> bool {
    let mut chars = code.chars();
    !code.is_empty()
        && code.len() <= 32
        && chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

fn validate(form: &mut WarehouseForm, errors: &mut FieldErrors) {
    form.code = form.code.trim().to_owned();
    form.name = form.name.trim().to_owned();
    form.address = form.address.trim().to_owned();
    if !valid_code(&form.code) {
        errors.add("code", "编码为 1–32 位字母、数字、_ . -，以字母或数字开头");
    }
    if form.name.is_empty() {
        errors.add("name", "请填写仓库名称");
    } else if form.name.chars().count() > 100 {
        errors.add("name", "仓库名称最多 100 个字符");
    }
    if form.address.chars().count() > 200 {
        errors.add("address", "地址最多 200 个字符");
    }
}

fn form_page(
    ctx: &mut Ctx,
    warehouse: Option<repo::WarehouseRow>,
    form: WarehouseForm,
    errors: FieldErrors,
    stock: (i64, i64),
) -> WarehouseFormPage {
    let title = match &warehouse {
        None => "新建仓库".to_owned(),
        Some(w) => format!("仓库：{}", w.name),
    };
    WarehouseFormPage {
        chrome: ctx.chrome(title, "/inventory/warehouses"),
        warehouse,
        form,
        errors,
        can_edit: ctx.can(EDIT),
        stock,
    }
}

pub async fn new_form(mut ctx: Ctx) -> AppResult<WarehouseFormPage> {
    ctx.require(EDIT)?;
    Ok(form_page(&mut ctx, None, WarehouseForm::default(), FieldErrors::default(), (0, 0)))
}

const CODE_TAKEN: &str = "warehouses_tenant_id_code_key";

pub async fn create(meta: RequestMeta, mut ctx: Ctx, Form(mut form): Form<WarehouseForm>) -> AppResult<Response> {
    ctx.require(EDIT)?;
    let mut errors = FieldErrors::default();
    validate(&mut form, &mut errors);
    if !errors.is_empty() {
        let page = form_page(&mut ctx, None, form, errors, (0, 0));
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let mut tx = ctx.begin().await?;
    let inserted = repo::insert_warehouse(&mut tx, ctx.user.tenant_id, &form.code, &form.name, &form.address).await;
    let id = match inserted.on_constraint(&[(CODE_TAKEN, "code")])? {
        Ok(id) => id,
        Err(field) => {
            errors.add(field, format!("编码 {} 已被其他仓库使用", form.code));
            let page = form_page(&mut ctx, None, form, errors, (0, 0));
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    audit::record(
        &mut tx,
        ctx.user.tenant_id,
        &Actor::user(&ctx.user, &meta),
        Entry {
            action: "warehouse.create",
            entity_type: Some("warehouse"),
            entity_id: Some(id.to_string()),
            summary: format!("新建仓库 {}（{}）", form.name, form.code),
            before: None,
            after: Some(json!({"code": form.code, "name": form.name, "address": form.address})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Flash::success(format!("已创建仓库 {}。", form.name)).redirect(&format!("/inventory/warehouses/{id}")))
}

pub async fn show(mut ctx: Ctx, Path(id): Path<i64>) -> AppResult<WarehouseFormPage> {
    ctx.require(Action::CatalogView)?;
    let mut tx = ctx.begin().await?;
    let w = repo::find_warehouse(&mut tx, ctx.user.tenant_id, id).await?.ok_or(AppError::NotFound)?;
    let stock = repo::warehouse_stock(&mut tx, ctx.user.tenant_id, id).await?;
    tx.commit().await?;
    let form = WarehouseForm { code: w.code.clone(), name: w.name.clone(), address: w.address.clone() };
    Ok(form_page(&mut ctx, Some(w), form, FieldErrors::default(), stock))
}

pub async fn update(
    meta: RequestMeta,
    mut ctx: Ctx,
    Path(id): Path<i64>,
    Form(mut form): Form<WarehouseForm>,
) -> AppResult<Response> {
    ctx.require(EDIT)?;
    let mut tx = ctx.begin().await?;
    let w = repo::lock_warehouse(&mut tx, ctx.user.tenant_id, id).await?.ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::default();
    validate(&mut form, &mut errors);
    if errors.is_empty() {
        let updated =
            repo::update_warehouse(&mut tx, ctx.user.tenant_id, id, &form.code, &form.name, &form.address).await;
        if let Err(field) = updated.on_constraint(&[(CODE_TAKEN, "code")])? {
            errors.add(field, format!("编码 {} 已被其他仓库使用", form.code));
        }
    }
    if !errors.is_empty() {
        tx.rollback().await?;
        let mut tx = ctx.begin().await?;
        let stock = repo::warehouse_stock(&mut tx, ctx.user.tenant_id, id).await?;
        tx.commit().await?;
        let page = form_page(&mut ctx, Some(w), form, errors, stock);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    audit::record(
        &mut tx,
        ctx.user.tenant_id,
        &Actor::user(&ctx.user, &meta),
        Entry {
            action: "warehouse.update",
            entity_type: Some("warehouse"),
            entity_id: Some(id.to_string()),
            summary: format!("修改仓库 {}（{}）", form.name, form.code),
            before: Some(json!({"code": w.code, "name": w.name, "address": w.address})),
            after: Some(json!({"code": form.code, "name": form.name, "address": form.address})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Flash::success("仓库信息已保存。").redirect(&format!("/inventory/warehouses/{id}")))
}

pub async fn deactivate_confirm(mut ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    ctx.require(EDIT)?;
    let mut tx = ctx.begin().await?;
    let warehouse = repo::find_warehouse(&mut tx, ctx.user.tenant_id, id).await?.ok_or(AppError::NotFound)?;
    let stock = repo::warehouse_stock(&mut tx, ctx.user.tenant_id, id).await?;
    tx.commit().await?;
    if !warehouse.is_active {
        return Ok(Redirect::to(&format!("/inventory/warehouses/{id}")).into_response());
    }
    Ok(DeactivatePage { chrome: ctx.chrome("确认停用仓库", "/inventory/warehouses"), warehouse, stock }.into_response())
}

async fn set_active(meta: &RequestMeta, ctx: &Ctx, id: i64, active: bool) -> AppResult<Response> {
    ctx.require(EDIT)?;
    let mut tx = ctx.begin().await?;
    let w = repo::lock_warehouse(&mut tx, ctx.user.tenant_id, id).await?.ok_or(AppError::NotFound)?;
    if w.is_active == active {
        return Err(AppError::Conflict(if active {
            "该仓库已是启用状态".into()
        } else {
            "该仓库已被停用".into()
        }));
    }
    repo::set_warehouse_active(&mut tx, ctx.user.tenant_id, id, active).await?;
    audit::record(
        &mut tx,
        ctx.user.tenant_id,
        &Actor::user(&ctx.user, meta),
        Entry {
            action: if active { "warehouse.reactivate" } else { "warehouse.deactivate" },
            entity_type: Some("warehouse"),
            entity_id: Some(id.to_string()),
            summary: format!("{}仓库 {}（{}）", if active { "启用" } else { "停用" }, w.name, w.code),
            before: Some(json!({"is_active": w.is_active})),
            after: Some(json!({"is_active": active})),
        },
    )
    .await?;
    tx.commit().await?;
    let msg = if active { "仓库已启用。" } else { "仓库已停用：不再接收入库和调入。" };
    Ok(Flash::success(msg).redirect(&format!("/inventory/warehouses/{id}")))
}

pub async fn deactivate(
    State(_state): State<AppState>,
    meta: RequestMeta,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    set_active(&meta, &ctx, id, false).await
}

pub async fn reactivate(
    State(_state): State<AppState>,
    meta: RequestMeta,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    set_active(&meta, &ctx, id, true).await
}
