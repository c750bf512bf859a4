//! Partners: suppliers and customers (list, create, edit, deactivate/reactivate,
//! a partner page with its contracts). The import lives in `crate::imports::partners`.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use serde_json::json;

use crate::app::state::AppState;
use crate::audit::{self, Actor, Entry};
use crate::error::{AppError, AppResult, OnConstraint};
use crate::people::Action;
use crate::web::forms::non_empty;
use crate::web::pagination::query_string;
use crate::web::{local_time, Chrome, Ctx, CurrentUser, FieldErrors, Flash, IncomingFlash, Pager, RequestMeta};

pub mod demo;
mod repo;

pub use repo::PartnerRow;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/partners", get(list).post(create))
        .route("/partners/new", get(new_form))
        .route("/partners/{id}", get(show).post(update))
        .route("/partners/{id}/edit", get(edit_form))
        .route("/partners/{id}/deactivate", get(deactivate_confirm).post(deactivate))
        .route("/partners/{id}/reactivate", post(reactivate))
}

// ---------- kinds and validation (shared with the import) ----------

pub const KINDS: &[(&str, &str)] = &[("supplier", "供应商"), ("customer", "客户")];

pub fn kind_label(kind: &str) -> &'static str {
    KINDS.iter().find(|(c, _)| *c == kind).map_or("未知", |(_, l)| l)
}

/// A partner code: 1–32 letters, digits, `_ . -`, starting with a letter or digit.
pub fn check_code(s: &str) -> Result<(), String> {
    let ok = !s.is_empty()
        && s.len() <= 32
        && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        && s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err("编码为 1–32 位字母、数字、_ . -，以字母或数字开头".into())
    }
}

pub fn check_kind(s: &str) -> Result<&'static str, String> {
    KINDS
        .iter()
        .find(|(c, _)| *c == s)
        .map(|(c, _)| *c)
        .ok_or_else(|| format!("“{s}”不是有效的类型（可选：supplier 供应商、customer 客户）"))
}

/// Free text of at most `max` characters without control characters.
pub fn check_text(s: &str, max: usize, required: bool) -> Result<(), String> {
    if required && s.is_empty() {
        return Err("不能为空".into());
    }
    if s.chars().count() > max {
        return Err(format!("最多 {max} 个字符"));
    }
    if s.chars().any(char::is_control) {
        return Err("不能包含控制字符".into());
    }
    Ok(())
}

pub fn check_phone(s: &str) -> Result<(), String> {
    if s.chars().count() > 30 || !s.chars().all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | ' ' | '(' | ')')) {
        return Err("电话最多 30 位，只能包含数字、空格和 + - ( )".into());
    }
    Ok(())
}

// ---------- list ----------

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub active: String,
    #[serde(default)]
    pub q: String,
    pub page: Option<i64>,
}

#[derive(Template, WebTemplate)]
#[template(path = "partners/list.html")]
pub struct ListPage {
    pub chrome: Chrome,
    pub q: ListQuery,
    pub kinds: &'static [(&'static str, &'static str)],
    pub rows: Vec<PartnerRow>,
    pub pager: Pager,
    pub can_edit: bool,
}

pub async fn list(mut ctx: Ctx, Query(q): Query<ListQuery>) -> AppResult<ListPage> {
    let flash = ctx.take_flash();
    let user = &ctx.user;
    user.require(Action::PartnersView)?;
    let kind = match non_empty(&q.kind) {
        None => None,
        Some(k) => Some(check_kind(k).map_err(AppError::BadRequest)?),
    };
    let active = match q.active.as_str() {
        "" => None,
        "yes" => Some(true),
        "no" => Some(false),
        other => return Err(AppError::BadRequest(format!("状态应为 yes 或 no：{other}"))),
    };
    let term = non_empty(&q.q).map(str::to_owned);
    let pager = Pager::new("/partners", q.page, query_string(&[("kind", &q.kind), ("active", &q.active), ("q", &q.q)]));
    let mut tx = ctx.begin().await?;
    let filter = repo::Filter { kind, active, q: term };
    let (rows, total) =
        repo::list(&mut tx, user.tenant_id, &filter, pager.per_page, pager.offset(), pager.count_limit()).await?;
    tx.commit().await?;
    Ok(ListPage {
        chrome: Chrome::new(user, flash, "合作伙伴", "/partners"),
        q,
        kinds: KINDS,
        rows,
        pager: pager.with_total(total),
        can_edit: user.can(Action::PartnersEdit),
    })
}

// ---------- create / edit ----------

#[derive(Debug, Default, Deserialize, Clone)]
pub struct PartnerForm {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub address: String,
}

impl PartnerForm {
    /// What is stored of the form beside the code.
    fn fields(&self) -> repo::Fields<'_> {
        repo::Fields {
            kind: &self.kind,
            name: &self.name,
            contact: &self.contact,
            phone: &self.phone,
            address: &self.address,
        }
    }

    fn trimmed(mut self) -> Self {
        for f in [&mut self.code, &mut self.kind, &mut self.name, &mut self.contact, &mut self.phone, &mut self.address]
        {
            *f = f.trim().to_owned();
        }
        self
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "partners/form.html")]
pub struct FormPage {
    pub chrome: Chrome,
    /// `None` when creating.
    pub id: Option<i64>,
    pub form: PartnerForm,
    pub errors: FieldErrors,
    pub kinds: &'static [(&'static str, &'static str)],
}

fn validate(form: &PartnerForm, creating: bool, errors: &mut FieldErrors) {
    if creating {
        if let Err(e) = check_code(&form.code) {
            errors.add("code", e);
        }
    }
    if check_kind(&form.kind).is_err() {
        errors.add("kind", "请选择类型（供应商或客户）");
    }
    if let Err(e) = check_text(&form.name, 100, true) {
        errors.add("name", format!("名称{e}"));
    }
    if let Err(e) = check_text(&form.contact, 50, false) {
        errors.add("contact", format!("联系人{e}"));
    }
    if let Err(e) = check_phone(&form.phone) {
        errors.add("phone", e);
    }
    if let Err(e) = check_text(&form.address, 200, false) {
        errors.add("address", format!("地址{e}"));
    }
}

fn form_page(
    user: &CurrentUser,
    flash: IncomingFlash,
    id: Option<i64>,
    form: PartnerForm,
    errors: FieldErrors,
) -> FormPage {
    let title = if id.is_some() { "编辑合作伙伴" } else { "新建合作伙伴" };
    FormPage { chrome: Chrome::new(user, flash, title, "/partners"), id, form, errors, kinds: KINDS }
}

pub async fn new_form(user: CurrentUser, flash: IncomingFlash) -> AppResult<FormPage> {
    user.require(Action::PartnersEdit)?;
    let form = PartnerForm { kind: "customer".into(), ..PartnerForm::default() };
    Ok(form_page(&user, flash, None, form, FieldErrors::default()))
}

pub async fn create(meta: RequestMeta, mut ctx: Ctx, Form(form): Form<PartnerForm>) -> AppResult<Response> {
    let flash = ctx.take_flash();
    let user = &ctx.user;
    user.require(Action::PartnersEdit)?;
    let form = form.trimmed();
    let mut errors = FieldErrors::default();
    validate(&form, true, &mut errors);
    if !errors.is_empty() {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, form_page(user, flash, None, form, errors)).into_response());
    }
    let mut tx = ctx.begin().await?;
    let inserted = repo::insert(&mut tx, user.tenant_id, &form.code, &form.fields()).await;
    let id = match inserted.on_constraint(&[("partners_tenant_id_code_key", "code")])? {
        Ok(id) => id,
        Err(field) => {
            tx.rollback().await?;
            errors.add(field, format!("编码 {} 已被使用", form.code));
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, form_page(user, flash, None, form, errors)).into_response());
        }
    };
    audit::record(
        &mut tx,
        user.tenant_id,
        &Actor::user(user, &meta),
        Entry {
            action: "partner.create",
            entity_type: Some("partner"),
            entity_id: Some(id.to_string()),
            summary: format!("新建{} {}（{}）", kind_label(&form.kind), form.name, form.code),
            before: None,
            after: Some(json!({
                "code": form.code, "kind": form.kind, "name": form.name, "contact": form.contact,
                "phone": form.phone, "address": form.address,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Flash::success(format!("已新建 {}。", form.name)).redirect(&format!("/partners/{id}")))
}

pub async fn edit_form(mut ctx: Ctx, Path(id): Path<i64>) -> AppResult<FormPage> {
    let flash = ctx.take_flash();
    let user = &ctx.user;
    user.require(Action::PartnersEdit)?;
    let mut tx = ctx.begin().await?;
    let p = repo::find(&mut tx, user.tenant_id, id, false).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    let form = PartnerForm {
        code: p.code,
        kind: p.kind,
        name: p.name,
        contact: p.contact,
        phone: p.phone,
        address: p.address,
    };
    Ok(form_page(user, flash, Some(id), form, FieldErrors::default()))
}

pub async fn update(
    meta: RequestMeta,
    mut ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<PartnerForm>,
) -> AppResult<Response> {
    let flash = ctx.take_flash();
    let user = &ctx.user;
    user.require(Action::PartnersEdit)?;
    let mut tx = ctx.begin().await?;
    let before = repo::find(&mut tx, user.tenant_id, id, true).await?.ok_or(AppError::NotFound)?;
    // The code is fixed once created.
    let form = PartnerForm { code: before.code.clone(), ..form.trimmed() };
    let mut errors = FieldErrors::default();
    validate(&form, false, &mut errors);
    if !errors.is_empty() {
        tx.rollback().await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, form_page(user, flash, Some(id), form, errors)).into_response());
    }
    repo::update(&mut tx, user.tenant_id, id, &form.fields()).await?;
    audit::record(
        &mut tx,
        user.tenant_id,
        &Actor::user(user, &meta),
        Entry {
            action: "partner.update",
            entity_type: Some("partner"),
            entity_id: Some(id.to_string()),
            summary: format!("修改合作伙伴 {}（{}）", form.name, form.code),
            before: Some(json!({
                "kind": before.kind, "name": before.name, "contact": before.contact,
                "phone": before.phone, "address": before.address,
            })),
            after: Some(json!({
                "kind": form.kind, "name": form.name, "contact": form.contact,
                "phone": form.phone, "address": form.address,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Flash::success("已保存。").redirect(&format!("/partners/{id}")))
}

// ---------- partner page ----------

pub struct PartnerContract {
    pub id: i64,
    pub contract_no: String,
    pub title: String,
    pub amount: String,
    pub status: &'static str,
    pub status_class: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "partners/show.html")]
pub struct ShowPage {
    pub chrome: Chrome,
    pub p: PartnerRow,
    pub created: String,
    pub updated: String,
    pub can_edit: bool,
    /// `None` when the viewer may not see contracts.
    pub contracts: Option<Vec<PartnerContract>>,
}

pub async fn show(mut ctx: Ctx, Path(id): Path<i64>) -> AppResult<ShowPage> {
    let flash = ctx.take_flash();
    let user = &ctx.user;
    user.require(Action::PartnersView)?;
    let mut tx = ctx.begin().await?;
    let p = repo::find(&mut tx, user.tenant_id, id, false).await?.ok_or(AppError::NotFound)?;
    let contracts = if user.can(Action::ContractsView) {
        Some(crate::contracts::for_partner(&mut tx, user, id, 50).await?)
    } else {
        None
    };
    tx.commit().await?;
    let tz = &user.settings.time_zone;
    Ok(ShowPage {
        chrome: Chrome::new(user, flash, format!("合作伙伴：{}", p.name), "/partners"),
        created: local_time(p.created_at, tz),
        updated: local_time(p.updated_at, tz),
        can_edit: user.can(Action::PartnersEdit),
        contracts,
        p,
    })
}

// ---------- deactivate / reactivate ----------

#[derive(Template, WebTemplate)]
#[template(path = "partners/deactivate.html")]
pub struct DeactivatePage {
    pub chrome: Chrome,
    pub p: PartnerRow,
}

pub async fn deactivate_confirm(mut ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let flash = ctx.take_flash();
    let user = &ctx.user;
    user.require(Action::PartnersEdit)?;
    let mut tx = ctx.begin().await?;
    let p = repo::find(&mut tx, user.tenant_id, id, false).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    if !p.is_active {
        return Ok(Redirect::to(&format!("/partners/{id}")).into_response());
    }
    Ok(DeactivatePage { chrome: Chrome::new(user, flash, "确认停用合作伙伴", "/partners"), p }.into_response())
}

async fn set_active(meta: &RequestMeta, ctx: &Ctx, id: i64, active: bool) -> AppResult<Response> {
    let user = &ctx.user;
    user.require(Action::PartnersEdit)?;
    let mut tx = ctx.begin().await?;
    let p = repo::find(&mut tx, user.tenant_id, id, true).await?.ok_or(AppError::NotFound)?;
    if p.is_active == active {
        return Err(AppError::Conflict(if active {
            "该合作伙伴已是启用状态".into()
        } else {
            "该合作伙伴已停用".into()
        }));
    }
    repo::set_active(&mut tx, user.tenant_id, id, active).await?;
    audit::record(
        &mut tx,
        user.tenant_id,
        &Actor::user(user, meta),
        Entry {
            action: if active { "partner.reactivate" } else { "partner.deactivate" },
            entity_type: Some("partner"),
            entity_id: Some(id.to_string()),
            summary: format!("{}{} {}（{}）", if active { "启用" } else { "停用" }, p.kind_label(), p.name, p.code),
            before: Some(json!({"is_active": p.is_active})),
            after: Some(json!({"is_active": active})),
        },
    )
    .await?;
    tx.commit().await?;
    let msg = if active { "已重新启用。" } else { "已停用；新合同不能再选择该合作伙伴。" };
    Ok(Flash::success(msg).redirect(&format!("/partners/{id}")))
}

pub async fn deactivate(meta: RequestMeta, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    set_active(&meta, &ctx, id, false).await
}

pub async fn reactivate(meta: RequestMeta, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    set_active(&meta, &ctx, id, true).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_kinds_and_patterns() {
        assert!(check_code("S001").is_ok());
        assert!(check_code("c-01.x_2").is_ok());
        assert!(check_code("").is_err());
        assert!(check_code("-S1").is_err());
        assert!(check_code("供应商").is_err());
        assert!(check_code(&"A".repeat(33)).is_err());
        assert_eq!(check_kind("supplier"), Ok("supplier"));
        assert!(check_kind("vendor").is_err());
        assert!(check_phone("021-6888 1234").is_ok());
        assert!(check_phone("电话").is_err());
    }
}
