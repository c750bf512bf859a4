//! Tenant administration: users and departments (tenant admins only).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use serde_json::json;

use super::repo::{self, NewUser, UserFilter, UserRow};
use super::{Action, Dept, Level};
use crate::app::state::AppState;
use crate::audit::{self, Actor, Entry};
use crate::auth::{password, session};
use crate::error::{AppError, AppResult, OnConstraint};
use crate::web::forms::non_empty;
use crate::web::forms::Choice;
use crate::web::pagination::query_string;
use crate::web::{local_time, Chrome, Ctx, FieldErrors, Flash, Pager, RequestMeta};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(users_list).post(user_create))
        .route("/admin/users/new", get(user_new))
        .route("/admin/users/{id}", get(user_show).post(user_update))
        .route("/admin/users/{id}/deactivate", get(deactivate_confirm).post(deactivate))
        .route("/admin/users/{id}/reactivate", post(reactivate))
        .route("/admin/users/{id}/password", post(reset_password))
        .route("/admin/departments", get(departments))
}

fn dept_choices() -> Vec<Choice> {
    Choice::departments()
}

fn level_choices() -> Vec<Choice> {
    Choice::levels()
}

// ---------- list ----------

#[derive(Debug, Default, Deserialize)]
pub struct UsersQuery {
    #[serde(default)]
    pub department: String,
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub active: String,
    #[serde(default)]
    pub q: String,
    pub page: Option<i64>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/users.html")]
pub struct UsersPage {
    pub chrome: Chrome,
    pub q: UsersQuery,
    pub depts: Vec<Choice>,
    pub levels: Vec<Choice>,
    pub users: Vec<UserRow>,
    pub pager: Pager,
    pub tz: crate::tz::TimeZone,
}

impl UsersPage {
    pub fn last_login(&self, u: &UserRow) -> String {
        u.last_login_at.map(|t| local_time(t, &self.tz)).unwrap_or_else(|| "从未登录".into())
    }
}

pub async fn users_list(mut ctx: Ctx, Query(q): Query<UsersQuery>) -> AppResult<UsersPage> {
    ctx.require(Action::ManageUsers)?;
    let filter = UserFilter {
        dept: match non_empty(&q.department) {
            None => None,
            Some(d) => Some(Dept::parse(d).ok_or_else(|| AppError::BadRequest(format!("未知部门：{d}")))?),
        },
        level: match non_empty(&q.level) {
            None => None,
            Some(l) => Some(Level::parse(l).ok_or_else(|| AppError::BadRequest(format!("未知职级：{l}")))?),
        },
        active: match q.active.as_str() {
            "" => None,
            "yes" => Some(true),
            "no" => Some(false),
            other => return Err(AppError::BadRequest(format!("状态应为 yes 或 no：{other}"))),
        },
        q: non_empty(&q.q).map(str::to_owned),
    };
    let pager = Pager::new(
        "/admin/users",
        q.page,
        query_string(&[("department", &q.department), ("level", &q.level), ("active", &q.active), ("q", &q.q)]),
    );
    let mut tx = ctx.begin().await?;
    let (users, total) =
        repo::list(&mut tx, ctx.user.tenant_id, &filter, pager.per_page, pager.offset(), pager.count_limit()).await?;
    tx.commit().await?;
    Ok(UsersPage {
        chrome: ctx.chrome("用户管理", "/admin/users"),
        q,
        depts: dept_choices(),
        levels: level_choices(),
        users,
        pager: pager.with_total(total),
        tz: ctx.user.settings.time_zone,
    })
}

// ---------- create ----------

#[derive(Debug, Default, Deserialize)]
pub struct UserForm {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub department: String,
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub employee_no: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub is_tenant_admin: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/user_form.html")]
pub struct UserFormPage {
    pub chrome: Chrome,
    pub form: UserForm,
    pub errors: FieldErrors,
    pub depts: Vec<Choice>,
    pub levels: Vec<Choice>,
}

/// Validated fields common to create and edit.
struct Valid<'a> {
    display_name: &'a str,
    dept: Dept,
    level: Level,
    employee_no: Option<&'a str>,
}

fn validate_common<'a>(form: &'a UserForm, errors: &mut FieldErrors) -> Option<Valid<'a>> {
    let display_name = form.display_name.trim();
    if display_name.is_empty() {
        errors.add("display_name", "请填写姓名");
    } else if display_name.chars().count() > 100 {
        errors.add("display_name", "姓名最多 100 个字符");
    }
    let dept = Dept::parse(form.department.trim());
    if dept.is_none() {
        errors.add("department", "请选择部门");
    }
    let level = Level::parse(form.level.trim());
    if level.is_none() {
        errors.add("level", "请选择职级");
    }
    let employee_no = non_empty(&form.employee_no);
    if let Some(no) = employee_no {
        if no.chars().count() > 32 || !no.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            errors.add("employee_no", "工号最多 32 位，只能包含字母、数字、- 和 _");
        }
    }
    Some(Valid { display_name, dept: dept?, level: level?, employee_no })
}

fn validate_username(username: &str, errors: &mut FieldErrors) {
    let ok = !username.is_empty()
        && username.len() <= 64
        && username.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
        && username.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    if !ok {
        errors.add("username", "用户名为 1–64 位小写字母、数字、. _ -，以字母或数字开头");
    }
}

pub async fn user_new(mut ctx: Ctx) -> AppResult<UserFormPage> {
    ctx.require(Action::ManageUsers)?;
    Ok(UserFormPage {
        chrome: ctx.chrome("新建用户", "/admin/users"),
        form: UserForm { level: "specialist".into(), ..UserForm::default() },
        errors: FieldErrors::default(),
        depts: dept_choices(),
        levels: level_choices(),
    })
}

pub async fn user_create(meta: RequestMeta, mut ctx: Ctx, Form(mut form): Form<UserForm>) -> AppResult<Response> {
    ctx.require(Action::ManageUsers)?;
    form.username = form.username.trim().to_lowercase();
    let mut errors = FieldErrors::default();
    validate_username(&form.username, &mut errors);
    if let Err(msg) = password::validate_new(&form.password) {
        errors.add("password", msg);
    }
    let valid = validate_common(&form, &mut errors);
    let rerender = |ctx: &mut Ctx, form: UserForm, errors: FieldErrors| {
        let mut form = form;
        form.password.clear();
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            UserFormPage {
                chrome: ctx.chrome("新建用户", "/admin/users"),
                form,
                errors,
                depts: dept_choices(),
                levels: level_choices(),
            },
        )
            .into_response()
    };
    let Some(v) = valid.filter(|_| errors.is_empty()) else {
        return Ok(rerender(&mut ctx, form, errors));
    };
    let hash = password::hash(form.password.clone()).await?;
    let mut tx = ctx.begin().await?;
    let new = NewUser {
        username: &form.username,
        display_name: v.display_name,
        password_hash: &hash,
        level: v.level,
        dept: v.dept,
        employee_no: v.employee_no,
        is_tenant_admin: form.is_tenant_admin.is_some(),
    };
    let inserted = repo::insert(&mut tx, ctx.user.tenant_id, &new).await.on_constraint(&[
        ("users_tenant_id_username_key", "username"),
        ("users_tenant_id_employee_no_key", "employee_no"),
    ])?;
    let id = match inserted {
        Ok(id) => id,
        Err(field) => {
            errors.add(field, if field == "username" { "该用户名已被使用" } else { "该工号已关联其他用户" });
            return Ok(rerender(&mut ctx, form, errors));
        }
    };
    audit::record(
        &mut tx,
        ctx.user.tenant_id,
        &Actor::user(&ctx.user, &meta),
        Entry {
            action: "user.create",
            entity_type: Some("user"),
            entity_id: Some(id.to_string()),
            summary: format!(
                "创建用户 {}（{}，{}{}）",
                new.display_name,
                new.username,
                new.dept.label(),
                new.level.label()
            ),
            before: None,
            after: Some(json!({
                "username": new.username, "display_name": new.display_name, "department": new.dept.code(),
                "level": new.level.code(), "employee_no": new.employee_no, "is_tenant_admin": new.is_tenant_admin,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Flash::success(format!("已创建用户 {}。", form.username)).redirect(&format!("/admin/users/{id}")))
}

// ---------- show / edit ----------

#[derive(Template, WebTemplate)]
#[template(path = "admin/user_edit.html")]
pub struct UserEditPage {
    pub chrome: Chrome,
    pub target: UserRow,
    pub form: UserForm,
    pub errors: FieldErrors,
    pub password_errors: FieldErrors,
    pub depts: Vec<Choice>,
    pub levels: Vec<Choice>,
    pub is_self: bool,
    pub last_login: String,
    pub created: String,
}

fn form_of(u: &UserRow) -> UserForm {
    UserForm {
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        department: u.department.clone(),
        level: u.level.clone(),
        employee_no: u.employee_no.clone().unwrap_or_default(),
        password: String::new(),
        is_tenant_admin: u.is_tenant_admin.then(|| "on".to_owned()),
    }
}

fn edit_page(ctx: &mut Ctx, target: UserRow, form: UserForm) -> UserEditPage {
    let chrome = ctx.chrome(format!("用户：{}", target.display_name), "/admin/users");
    let tz = &ctx.user.settings.time_zone;
    UserEditPage {
        chrome,
        is_self: target.id == ctx.user.user_id,
        last_login: target.last_login_at.map(|t| local_time(t, tz)).unwrap_or_else(|| "从未登录".into()),
        created: local_time(target.created_at, tz),
        target,
        form,
        errors: FieldErrors::default(),
        password_errors: FieldErrors::default(),
        depts: dept_choices(),
        levels: level_choices(),
    }
}

async fn fetch_target(ctx: &Ctx, id: i64) -> AppResult<UserRow> {
    let mut tx = ctx.begin().await?;
    let target = repo::find(&mut tx, ctx.user.tenant_id, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(target)
}

pub async fn user_show(mut ctx: Ctx, Path(id): Path<i64>) -> AppResult<UserEditPage> {
    ctx.require(Action::ManageUsers)?;
    let target = fetch_target(&ctx, id).await?;
    let form = form_of(&target);
    Ok(edit_page(&mut ctx, target, form))
}

pub async fn user_update(
    State(state): State<AppState>,
    meta: RequestMeta,
    mut ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<UserForm>,
) -> AppResult<Response> {
    ctx.require(Action::ManageUsers)?;
    let mut tx = ctx.begin().await?;
    let target = repo::lock(&mut tx, ctx.user.tenant_id, id).await?.ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::default();
    let valid = validate_common(&form, &mut errors);
    let make_admin = form.is_tenant_admin.is_some();
    if target.id == ctx.user.user_id && !make_admin {
        errors.add("is_tenant_admin", "不能取消自己的管理员权限（请让另一位管理员操作）");
    }
    let Some(v) = valid.filter(|_| errors.is_empty()) else {
        tx.rollback().await?;
        let mut page = edit_page(&mut ctx, target, form);
        page.errors = errors;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let profile = repo::Profile {
        display_name: v.display_name,
        dept: v.dept,
        level: v.level,
        employee_no: v.employee_no,
        is_tenant_admin: make_admin,
    };
    let result = repo::update_profile(&mut tx, ctx.user.tenant_id, id, &profile).await;
    if let Err(field) = result.on_constraint(&[("users_tenant_id_employee_no_key", "employee_no")])? {
        tx.rollback().await?;
        let mut page = edit_page(&mut ctx, target, form);
        page.errors.add(field, "该工号已关联其他用户");
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    audit::record(
        &mut tx,
        ctx.user.tenant_id,
        &Actor::user(&ctx.user, &meta),
        Entry {
            action: "user.update",
            entity_type: Some("user"),
            entity_id: Some(id.to_string()),
            summary: format!("修改用户 {}（{}）", v.display_name, target.username),
            before: Some(json!({
                "display_name": target.display_name, "department": target.department, "level": target.level,
                "employee_no": target.employee_no, "is_tenant_admin": target.is_tenant_admin,
            })),
            after: Some(json!({
                "display_name": v.display_name, "department": v.dept.code(), "level": v.level.code(),
                "employee_no": v.employee_no, "is_tenant_admin": make_admin,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    state.sessions.evict_user(ctx.user.tenant_id, id);
    Ok(Flash::success("用户信息已保存。").redirect(&format!("/admin/users/{id}")))
}

// ---------- deactivate / reactivate ----------

#[derive(Template, WebTemplate)]
#[template(path = "admin/user_deactivate.html")]
pub struct DeactivatePage {
    pub chrome: Chrome,
    pub target: UserRow,
}

pub async fn deactivate_confirm(mut ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    ctx.require(Action::ManageUsers)?;
    let target = fetch_target(&ctx, id).await?;
    if !target.is_active {
        return Ok(Redirect::to(&format!("/admin/users/{id}")).into_response());
    }
    Ok(DeactivatePage { chrome: ctx.chrome("确认停用用户", "/admin/users"), target }.into_response())
}

async fn set_active(state: &AppState, meta: &RequestMeta, ctx: &Ctx, id: i64, active: bool) -> AppResult<Response> {
    ctx.require(Action::ManageUsers)?;
    let mut tx = ctx.begin().await?;
    let target = repo::lock(&mut tx, ctx.user.tenant_id, id).await?.ok_or(AppError::NotFound)?;
    if target.is_active == active {
        return Err(AppError::Conflict(if active {
            "该用户已是启用状态".into()
        } else {
            "该用户已被停用".into()
        }));
    }
    if !active && target.id == ctx.user.user_id {
        tx.rollback().await?;
        return Ok(Flash::error("不能停用自己的账号。").redirect(&format!("/admin/users/{id}")));
    }
    repo::set_active(&mut tx, ctx.user.tenant_id, id, active).await?;
    let ended = if active { 0 } else { session::delete_for_user(&mut tx, ctx.user.tenant_id, id, None).await? };
    audit::record(
        &mut tx,
        ctx.user.tenant_id,
        &Actor::user(&ctx.user, meta),
        Entry {
            action: if active { "user.reactivate" } else { "user.deactivate" },
            entity_type: Some("user"),
            entity_id: Some(id.to_string()),
            summary: if active {
                format!("启用用户 {}（{}）", target.display_name, target.username)
            } else {
                format!("停用用户 {}（{}），结束会话 {ended} 个", target.display_name, target.username)
            },
            before: Some(json!({"is_active": target.is_active})),
            after: Some(json!({"is_active": active})),
        },
    )
    .await?;
    tx.commit().await?;
    state.sessions.evict_user(ctx.user.tenant_id, id);
    let msg = if active { "用户已启用。" } else { "用户已停用，其登录已全部失效。" };
    Ok(Flash::success(msg).redirect(&format!("/admin/users/{id}")))
}

pub async fn deactivate(
    State(state): State<AppState>,
    meta: RequestMeta,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    set_active(&state, &meta, &ctx, id, false).await
}

pub async fn reactivate(
    State(state): State<AppState>,
    meta: RequestMeta,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    set_active(&state, &meta, &ctx, id, true).await
}

// ---------- reset password ----------

#[derive(Debug, Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    pub new_password: String,
    #[serde(default)]
    pub confirm_password: String,
}

pub async fn reset_password(
    State(state): State<AppState>,
    meta: RequestMeta,
    mut ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<ResetForm>,
) -> AppResult<Response> {
    ctx.require(Action::ManageUsers)?;
    let mut tx = ctx.begin().await?;
    let target = repo::lock(&mut tx, ctx.user.tenant_id, id).await?.ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::default();
    if let Err(msg) = password::validate_new(&form.new_password) {
        errors.add("new_password", msg);
    }
    if form.new_password != form.confirm_password {
        errors.add("confirm_password", "两次输入的新密码不一致");
    }
    if !errors.is_empty() {
        tx.rollback().await?;
        let f = form_of(&target);
        let mut page = edit_page(&mut ctx, target, f);
        page.password_errors = errors;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let hash = password::hash(form.new_password).await?;
    repo::set_password(&mut tx, ctx.user.tenant_id, id, &hash).await?;
    let keep = (id == ctx.user.user_id).then_some(ctx.user.session_id);
    let ended = session::delete_for_user(&mut tx, ctx.user.tenant_id, id, keep).await?;
    audit::record(
        &mut tx,
        ctx.user.tenant_id,
        &Actor::user(&ctx.user, &meta),
        Entry {
            action: "user.password_reset",
            entity_type: Some("user"),
            entity_id: Some(id.to_string()),
            summary: format!("重置 {}（{}）的密码，结束会话 {ended} 个", target.display_name, target.username),
            ..Entry::default()
        },
    )
    .await?;
    tx.commit().await?;
    state.sessions.evict_user(ctx.user.tenant_id, id);
    Ok(Flash::success("密码已重置，请把新密码告知本人。").redirect(&format!("/admin/users/{id}")))
}

// ---------- departments ----------

pub struct DeptLine {
    pub code: String,
    pub name: String,
    pub active: i64,
    pub inactive: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/departments.html")]
pub struct DepartmentsPage {
    pub chrome: Chrome,
    pub lines: Vec<DeptLine>,
}

pub async fn departments(mut ctx: Ctx) -> AppResult<DepartmentsPage> {
    ctx.require(Action::ViewDepartments)?;
    let mut tx = ctx.begin().await?;
    let rows = repo::counts_by_department(&mut tx, ctx.user.tenant_id).await?;
    tx.commit().await?;
    Ok(DepartmentsPage {
        chrome: ctx.chrome("部门", "/admin/departments"),
        lines: rows
            .into_iter()
            .map(|(code, name, active, inactive)| DeptLine { code, name, active, inactive })
            .collect(),
    })
}
