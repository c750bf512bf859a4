//! Product pages: list, create, edit, show, list/delist.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde_json::json;

use super::repo::{self, ProductFields, ProductFilter};
use super::views::{status_choices, ProductForm, ProductFormPage, ProductPage, ProductsPage, ProductsQuery};
use super::Status;
use crate::app::state::AppState;
use crate::audit::{self, Actor, Entry};
use crate::db::Tx;
use crate::error::{AppError, AppResult, OnConstraint};
use crate::people::Action;
use crate::rules::Fen;
use crate::web::forms::non_empty;
use crate::web::pagination::query_string;
use crate::web::{Ctx, FieldErrors, Flash, Pager, RequestMeta};

pub async fn list(mut ctx: Ctx, Query(q): Query<ProductsQuery>) -> AppResult<ProductsPage> {
    ctx.require(Action::CatalogView)?;
    let filter = ProductFilter {
        status: match non_empty(&q.status) {
            None => None,
            Some(s) => Some(Status::parse(s).ok_or_else(|| AppError::BadRequest(format!("未知状态：{s}")))?),
        },
        q: non_empty(&q.q).map(str::to_owned),
    };
    let pager = Pager::new("/products", q.page, query_string(&[("status", &q.status), ("q", &q.q)]));
    let mut tx = ctx.begin().await?;
    let (products, total) =
        repo::list(&mut tx, ctx.user.tenant_id, &filter, pager.per_page, pager.offset(), pager.count_limit()).await?;
    tx.commit().await?;
    Ok(ProductsPage {
        chrome: ctx.chrome("商品", "/products"),
        q,
        statuses: status_choices(),
        products,
        pager: pager.with_total(total),
        can_edit: ctx.can(Action::ProductsEdit),
        can_approve: ctx.can(Action::ProductsApprove),
    })
}

/// Whether `sku` fits the products table's SKU rule.
pub fn valid_sku(sku: &str) -> bool {
    let mut chars = sku.chars();
    !sku.is_empty()
        && sku.len() <= 40
        && chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// Validate the editable fields; the supplier is checked against the database.
async fn validate<'a>(
    tx: &mut Tx,
    tenant_id: i64,
    form: &'a ProductForm,
    errors: &mut FieldErrors,
) -> Result<Option<ProductFields<'a>>, sqlx::Error> {
    let name = form.name.trim();
    if name.is_empty() {
        errors.add("name", "请填写商品名称");
    } else if name.chars().count() > 100 {
        errors.add("name", "商品名称最多 100 个字符");
    }
    let spec = form.spec.trim();
    if spec.chars().count() > 100 {
        errors.add("spec", "规格最多 100 个字符");
    }
    let unit = form.unit.trim();
    if unit.is_empty() {
        errors.add("unit", "请填写单位");
    } else if unit.chars().count() > 10 {
        errors.add("unit", "单位最多 10 个字符");
    }
    let price = match Fen::parse_non_negative_yuan(form.price.trim()) {
        Ok(p) => Some(p),
        Err(_) => {
            errors.add("price", "请填写有效价格（元，非负，最多两位小数）");
            None
        }
    };
    let description = form.description.trim();
    if description.chars().count() > 2000 {
        errors.add("description", "描述最多 2000 个字符");
    }
    let supplier = match non_empty(&form.supplier) {
        None => Some(None),
        Some(s) => match s.parse::<i64>() {
            Ok(id) if repo::is_supplier(tx, tenant_id, id).await? => Some(Some(id)),
            _ => {
                errors.add("supplier", "请选择有效的供应商");
                None
            }
        },
    };
    Ok(match (price, supplier) {
        (Some(price), Some(default_supplier_id)) if errors.is_empty() => {
            Some(ProductFields { name, spec, unit, price, description, default_supplier_id })
        }
        _ => None,
    })
}

fn form_page(
    ctx: &mut Ctx,
    product_id: Option<i64>,
    form: ProductForm,
    errors: FieldErrors,
    suppliers: Vec<(i64, String, String)>,
) -> ProductFormPage {
    let (title, path) = match product_id {
        None => ("新建商品".to_owned(), "/products".to_owned()),
        Some(_) => (format!("编辑商品 {}", form.sku), "/products".to_owned()),
    };
    ProductFormPage { chrome: ctx.chrome(title, &path), product_id, form, errors, suppliers }
}

pub async fn new_form(mut ctx: Ctx) -> AppResult<ProductFormPage> {
    ctx.require(Action::ProductsEdit)?;
    let mut tx = ctx.begin().await?;
    let suppliers = repo::suppliers(&mut tx, ctx.user.tenant_id).await?;
    tx.commit().await?;
    let form = ProductForm { unit: "件".into(), ..ProductForm::default() };
    Ok(form_page(&mut ctx, None, form, FieldErrors::default(), suppliers))
}

fn after(p: &ProductFields<'_>) -> serde_json::Value {
    json!({
        "name": p.name, "spec": p.spec, "unit": p.unit, "price_fen": p.price.fen(), "description": p.description,
        "default_supplier_id": p.default_supplier_id,
    })
}

pub async fn create(meta: RequestMeta, mut ctx: Ctx, Form(mut form): Form<ProductForm>) -> AppResult<Response> {
    ctx.require(Action::ProductsEdit)?;
    form.sku = form.sku.trim().to_owned();
    let mut tx = ctx.begin().await?;
    let mut errors = FieldErrors::default();
    if !valid_sku(&form.sku) {
        errors.add("sku", "SKU 为 1–40 位字母、数字、_ . -，以字母或数字开头");
    }
    let fields = validate(&mut tx, ctx.user.tenant_id, &form, &mut errors).await?;
    let fields = match fields {
        Some(f) if errors.is_empty() => f,
        _ => {
            let suppliers = repo::suppliers(&mut tx, ctx.user.tenant_id).await?;
            tx.rollback().await?;
            let page = form_page(&mut ctx, None, form, errors, suppliers);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let inserted = repo::insert(&mut tx, ctx.user.tenant_id, &form.sku, &fields, ctx.user.user_id).await;
    let id = match inserted.on_constraint(&[("products_tenant_id_sku_key", "sku")])? {
        Ok(id) => id,
        Err(field) => {
            tx.rollback().await?;
            let mut tx = ctx.begin().await?;
            let suppliers = repo::suppliers(&mut tx, ctx.user.tenant_id).await?;
            tx.commit().await?;
            errors.add(field, format!("SKU {} 已存在", form.sku));
            let page = form_page(&mut ctx, None, form, errors, suppliers);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let mut after = after(&fields);
    after["sku"] = json!(form.sku);
    after["status"] = json!("draft");
    audit::record(
        &mut tx,
        ctx.user.tenant_id,
        &Actor::user(&ctx.user, &meta),
        Entry {
            action: "product.create",
            entity_type: Some("product"),
            entity_id: Some(id.to_string()),
            summary: format!("新建商品 {}（{}）", fields.name, form.sku),
            before: None,
            after: Some(after),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Flash::success(format!("已创建商品 {}（草稿）。", form.sku)).redirect(&format!("/products/{id}")))
}

pub async fn product_page(tx: &mut Tx, ctx: &mut Ctx, product: repo::ProductRow) -> Result<ProductPage, sqlx::Error> {
    let stock = repo::stock_of(tx, ctx.user.tenant_id, product.id).await?;
    let movements = repo::recent_movements(tx, ctx.user.tenant_id, product.id, 20).await?;
    let eliminations = repo::eliminations_of(tx, ctx.user.tenant_id, product.id).await?;
    Ok(ProductPage {
        chrome: ctx.chrome(format!("商品：{}", product.name), "/products"),
        product,
        stock,
        movements,
        eliminations,
        can_edit: ctx.can(Action::ProductsEdit),
        can_approve: ctx.can(Action::ProductsApprove),
        user_id: ctx.user.user_id,
        tz: ctx.user.settings.time_zone,
        comment: String::new(),
        errors: FieldErrors::default(),
    })
}

pub async fn show(mut ctx: Ctx, Path(id): Path<i64>) -> AppResult<ProductPage> {
    ctx.require(Action::CatalogView)?;
    let mut tx = ctx.begin().await?;
    let product = repo::find(&mut tx, ctx.user.tenant_id, id).await?.ok_or(AppError::NotFound)?;
    let page = product_page(&mut tx, &mut ctx, product).await?;
    tx.commit().await?;
    Ok(page)
}

fn form_of(p: &repo::ProductRow) -> ProductForm {
    ProductForm {
        sku: p.sku.clone(),
        name: p.name.clone(),
        spec: p.spec.clone(),
        unit: p.unit.clone(),
        price: p.price(),
        description: p.description.clone(),
        supplier: p.default_supplier_id.map(|i| i.to_string()).unwrap_or_default(),
    }
}

pub async fn edit_form(mut ctx: Ctx, Path(id): Path<i64>) -> AppResult<ProductFormPage> {
    ctx.require(Action::ProductsEdit)?;
    let mut tx = ctx.begin().await?;
    let product = repo::find(&mut tx, ctx.user.tenant_id, id).await?.ok_or(AppError::NotFound)?;
    let suppliers = repo::suppliers(&mut tx, ctx.user.tenant_id).await?;
    tx.commit().await?;
    Ok(form_page(&mut ctx, Some(id), form_of(&product), FieldErrors::default(), suppliers))
}

pub async fn update(
    meta: RequestMeta,
    mut ctx: Ctx,
    Path(id): Path<i64>,
    Form(mut form): Form<ProductForm>,
) -> AppResult<Response> {
    ctx.require(Action::ProductsEdit)?;
    let mut tx = ctx.begin().await?;
    let product = repo::lock(&mut tx, ctx.user.tenant_id, id).await?.ok_or(AppError::NotFound)?;
    form.sku = product.sku.clone();
    let mut errors = FieldErrors::default();
    let Some(fields) = validate(&mut tx, ctx.user.tenant_id, &form, &mut errors).await? else {
        let suppliers = repo::suppliers(&mut tx, ctx.user.tenant_id).await?;
        tx.rollback().await?;
        let page = form_page(&mut ctx, Some(id), form, errors, suppliers);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    repo::update(&mut tx, ctx.user.tenant_id, id, &fields).await?;
    audit::record(
        &mut tx,
        ctx.user.tenant_id,
        &Actor::user(&ctx.user, &meta),
        Entry {
            action: "product.update",
            entity_type: Some("product"),
            entity_id: Some(id.to_string()),
            summary: format!("修改商品 {}（{}）", fields.name, product.sku),
            before: Some(json!({
                "name": product.name, "spec": product.spec, "unit": product.unit, "price_fen": product.price_fen,
                "description": product.description, "default_supplier_id": product.default_supplier_id,
            })),
            after: Some(after(&fields)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Flash::success("商品信息已保存。").redirect(&format!("/products/{id}")))
}

async fn set_listing(meta: &RequestMeta, ctx: &Ctx, id: i64, list: bool) -> AppResult<Response> {
    ctx.require(Action::ProductsEdit)?;
    let mut tx = ctx.begin().await?;
    let product = repo::lock(&mut tx, ctx.user.tenant_id, id).await?.ok_or(AppError::NotFound)?;
    let from = product.status();
    let allowed = if list { matches!(from, Status::Draft | Status::Delisted) } else { from == Status::Listed };
    if !allowed {
        return Err(AppError::Conflict(format!(
            "商品当前状态为「{}」，不能{}",
            from.label(),
            if list { "上架" } else { "下架" }
        )));
    }
    let to = if list { Status::Listed } else { Status::Delisted };
    repo::set_status(&mut tx, ctx.user.tenant_id, id, to).await?;
    audit::record(
        &mut tx,
        ctx.user.tenant_id,
        &Actor::user(&ctx.user, meta),
        Entry {
            action: if list { "product.list" } else { "product.delist" },
            entity_type: Some("product"),
            entity_id: Some(id.to_string()),
            summary: format!("{}商品 {}（{}）", if list { "上架" } else { "下架" }, product.name, product.sku),
            before: Some(json!({"status": from.code()})),
            after: Some(json!({"status": to.code()})),
        },
    )
    .await?;
    tx.commit().await?;
    let msg = if list { "商品已上架。" } else { "商品已下架。" };
    Ok(Flash::success(msg).redirect(&format!("/products/{id}")))
}

pub async fn list_product(
    State(_state): State<AppState>,
    meta: RequestMeta,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    set_listing(&meta, &ctx, id, true).await
}

pub async fn delist_product(
    State(_state): State<AppState>,
    meta: RequestMeta,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    set_listing(&meta, &ctx, id, false).await
}
