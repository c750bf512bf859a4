//! Login, logout, profile and password pages.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use serde_json::json;

use super::{password, session, throttle};
use crate::app::state::AppState;
use crate::audit::{self, Actor, Entry};
use crate::db;
use crate::error::AppResult;
use crate::people::repo as users;
use crate::people::tenants;
use crate::web::csrf::PRE_SESSION_COOKIE;
use crate::web::{cookie, random_token, Chrome, Ctx, CurrentUser, FieldErrors, Flash, RequestMeta};

/// The one message for every kind of wrong credentials.
pub const LOGIN_FAILED: &str = "公司代码、用户名或密码不正确，或账号已停用。";
pub const LOGIN_THROTTLED: &str = "该账号登录失败次数过多，请 15 分钟后再试。";

#[derive(Template, WebTemplate)]
#[template(path = "auth/login.html")]
pub struct LoginPage {
    pub chrome: Chrome,
    pub company: String,
    pub username: String,
    pub error: Option<&'static str>,
}

#[derive(Debug, Default, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    pub company: String,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub password: String,
}

fn pre_session_cookie(state: &AppState, token: &str) -> String {
    let secure = if state.settings.https() { "; Secure" } else { "" };
    format!("{PRE_SESSION_COOKIE}={token}; Path=/login; HttpOnly; SameSite=Strict{secure}")
}

pub async fn login_form(State(state): State<AppState>, user: Option<CurrentUser>, headers: HeaderMap) -> Response {
    if user.is_some() {
        return Redirect::to("/").into_response();
    }
    let (token, set) = match cookie(&headers, PRE_SESSION_COOKIE) {
        Some(t) if t.len() == 43 => (t, None),
        _ => {
            let t = random_token();
            let c = pre_session_cookie(&state, &t);
            (t, Some(c))
        }
    };
    let page = LoginPage {
        chrome: Chrome::anonymous("登录", token),
        company: String::new(),
        username: String::new(),
        error: None,
    };
    match set {
        Some(c) => (AppendHeaders([(SET_COOKIE, c)]), page).into_response(),
        None => page.into_response(),
    }
}

fn login_again(headers: &HeaderMap, form: &LoginForm, status: StatusCode, error: &'static str) -> Response {
    let token = cookie(headers, PRE_SESSION_COOKIE).unwrap_or_default();
    let page = LoginPage {
        chrome: Chrome::anonymous("登录", token),
        company: form.company.trim().to_owned(),
        username: form.username.trim().to_owned(),
        error: Some(error),
    };
    (status, page).into_response()
}

pub async fn login_submit(
    State(state): State<AppState>,
    meta: RequestMeta,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    let company = form.company.trim().to_lowercase();
    let username = form.username.trim().to_lowercase();
    if company.is_empty() || username.is_empty() || form.password.is_empty() {
        return Ok(login_again(&headers, &form, StatusCode::UNPROCESSABLE_ENTITY, "请填写公司代码、用户名和密码。"));
    }
    let tenant = tenants::find_by_code(&state.db, &company).await?;
    if throttle::is_throttled(&state.db, &company, &username, &meta.ip).await? {
        if let Some(t) = &tenant {
            let mut tx = db::begin_tenant(&state.db, t.id).await?;
            let actor = Actor {
                user_id: None,
                name: username.clone(),
                ip: Some(meta.ip.clone()),
                request_id: Some(meta.request_id.clone()),
            };
            let entry = Entry {
                action: "login.throttled",
                summary: format!("登录被限制：{username}（失败次数过多）"),
                ..Entry::default()
            };
            audit::record(&mut tx, t.id, &actor, entry).await?;
            tx.commit().await?;
        }
        tracing::warn!(%company, %username, ip = %meta.ip, "login throttled");
        return Ok(login_again(&headers, &form, StatusCode::TOO_MANY_REQUESTS, LOGIN_THROTTLED));
    }
    let Some(tenant) = tenant else {
        password::verify(form.password.clone(), None).await;
        throttle::record(&state.db, &company, &username, &meta.ip, false).await?;
        tracing::info!(%company, %username, ip = %meta.ip, "login failed: unknown company");
        return Ok(login_again(&headers, &form, StatusCode::OK, LOGIN_FAILED));
    };
    // A session presented with the login request is ended: the id changes at login.
    if let Some(old) = cookie(&headers, session::cookie_name(&state.settings)) {
        if let Some((tenant_id, user_id)) = session::delete_by_token(&state.db, &old).await? {
            state.sessions.evict_user(tenant_id, user_id);
        }
    }
    let mut tx = db::begin_tenant(&state.db, tenant.id).await?;
    let user = users::login_user(&mut tx, tenant.id, &username).await?;
    let verified = password::verify(form.password.clone(), user.as_ref().map(|u| u.password_hash.clone())).await;
    let actor = Actor {
        user_id: user.as_ref().map(|u| u.id),
        name: match &user {
            Some(u) => format!("{}（{username}）", u.display_name),
            None => username.clone(),
        },
        ip: Some(meta.ip.clone()),
        request_id: Some(meta.request_id.clone()),
    };
    match user {
        Some(u) if verified && u.is_active => {
            let settings = tenants::settings(&mut tx, tenant.id).await?;
            let token = session::create(&mut tx, tenant.id, u.id, &settings, &meta).await?;
            users::touch_login(&mut tx, tenant.id, u.id).await?;
            let entry = Entry {
                action: "login.success",
                entity_type: Some("user"),
                entity_id: Some(u.id.to_string()),
                summary: format!("{} 登录成功（IP {}）", actor.name, meta.ip),
                ..Entry::default()
            };
            audit::record(&mut tx, tenant.id, &actor, entry).await?;
            tx.commit().await?;
            throttle::record(&state.db, &company, &username, &meta.ip, true).await?;
            let clear_pre = format!("{PRE_SESSION_COOKIE}=; Path=/login; HttpOnly; SameSite=Strict; Max-Age=0");
            Ok((
                AppendHeaders([(SET_COOKIE, session::set_cookie(&state.settings, &token)), (SET_COOKIE, clear_pre)]),
                Redirect::to("/"),
            )
                .into_response())
        }
        user => {
            let reason = match &user {
                None => "用户不存在",
                Some(u) if !u.is_active => "账号已停用",
                Some(_) => "密码错误",
            };
            let entry = Entry {
                action: "login.failure",
                entity_type: user.as_ref().map(|_| "user"),
                entity_id: user.as_ref().map(|u| u.id.to_string()),
                summary: format!("{username} 登录失败：{reason}（IP {}）", meta.ip),
                ..Entry::default()
            };
            audit::record(&mut tx, tenant.id, &actor, entry).await?;
            tx.commit().await?;
            throttle::record(&state.db, &company, &username, &meta.ip, false).await?;
            Ok(login_again(&headers, &form, StatusCode::OK, LOGIN_FAILED))
        }
    }
}

pub async fn logout(
    State(state): State<AppState>,
    meta: RequestMeta,
    ctx: Ctx,
    headers: HeaderMap,
) -> AppResult<Response> {
    let mut tx = ctx.begin().await?;
    audit::record(
        &mut tx,
        ctx.user.tenant_id,
        &Actor::user(&ctx.user, &meta),
        Entry {
            action: "logout",
            entity_type: Some("user"),
            entity_id: Some(ctx.user.user_id.to_string()),
            summary: format!("{} 退出登录", ctx.user.display_name),
            ..Entry::default()
        },
    )
    .await?;
    tx.commit().await?;
    if let Some(token) = cookie(&headers, session::cookie_name(&state.settings)) {
        session::delete_by_token(&state.db, &token).await?;
    }
    state.sessions.evict_user(ctx.user.tenant_id, ctx.user.user_id);
    Ok((
        AppendHeaders([
            (SET_COOKIE, session::clear_cookie(&state.settings)),
            Flash::success("您已安全退出。").cookie(),
        ]),
        Redirect::to("/login"),
    )
        .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "account/profile.html")]
pub struct ProfilePage {
    pub chrome: Chrome,
    pub display_name: String,
    pub username: String,
    pub employee_no: String,
    pub errors: FieldErrors,
}

/// The profile form: only the display name can be changed here. Any other field
/// in the body (tenant_id, level, department…) is ignored.
#[derive(Debug, Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    pub display_name: String,
}

pub async fn account_form(mut ctx: Ctx) -> ProfilePage {
    ProfilePage {
        chrome: ctx.chrome("我的账户", "/account"),
        display_name: ctx.user.display_name.clone(),
        username: ctx.user.username.clone(),
        employee_no: ctx.user.employee_no.clone().unwrap_or_default(),
        errors: FieldErrors::default(),
    }
}

pub async fn account_submit(
    State(state): State<AppState>,
    meta: RequestMeta,
    mut ctx: Ctx,
    Form(form): Form<ProfileForm>,
) -> AppResult<Response> {
    let name = form.display_name.trim();
    let mut errors = FieldErrors::default();
    if name.is_empty() {
        errors.add("display_name", "请填写姓名");
    } else if name.chars().count() > 100 {
        errors.add("display_name", "姓名最多 100 个字符");
    }
    if !errors.is_empty() {
        let page = ProfilePage {
            chrome: ctx.chrome("我的账户", "/account"),
            display_name: form.display_name.clone(),
            username: ctx.user.username.clone(),
            employee_no: ctx.user.employee_no.clone().unwrap_or_default(),
            errors,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let mut tx = ctx.begin().await?;
    users::set_display_name(&mut tx, ctx.user.tenant_id, ctx.user.user_id, name).await?;
    audit::record(
        &mut tx,
        ctx.user.tenant_id,
        &Actor::user(&ctx.user, &meta),
        Entry {
            action: "profile.update",
            entity_type: Some("user"),
            entity_id: Some(ctx.user.user_id.to_string()),
            summary: format!("修改姓名：{} → {name}", ctx.user.display_name),
            before: Some(json!({"display_name": ctx.user.display_name})),
            after: Some(json!({"display_name": name})),
        },
    )
    .await?;
    tx.commit().await?;
    state.sessions.evict_user(ctx.user.tenant_id, ctx.user.user_id);
    Ok(Flash::success("个人资料已保存。").redirect("/account"))
}

#[derive(Template, WebTemplate)]
#[template(path = "account/password.html")]
pub struct PasswordPage {
    pub chrome: Chrome,
    pub errors: FieldErrors,
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    pub current_password: String,
    #[serde(default)]
    pub new_password: String,
    #[serde(default)]
    pub confirm_password: String,
}

pub async fn password_form(mut ctx: Ctx) -> PasswordPage {
    PasswordPage { chrome: ctx.chrome("修改密码", "/account"), errors: FieldErrors::default() }
}

pub async fn password_submit(
    State(state): State<AppState>,
    meta: RequestMeta,
    mut ctx: Ctx,
    Form(form): Form<PasswordForm>,
) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    if let Err(msg) = password::validate_new(&form.new_password) {
        errors.add("new_password", msg);
    }
    if form.new_password != form.confirm_password {
        errors.add("confirm_password", "两次输入的新密码不一致");
    }
    let mut tx = ctx.begin().await?;
    let current_hash = crate::people::repo::password_hash(&mut tx, ctx.user.tenant_id, ctx.user.user_id).await?;
    if !password::verify(form.current_password.clone(), current_hash).await {
        errors.add("current_password", "当前密码不正确");
    }
    if !errors.is_empty() {
        tx.rollback().await?;
        let page = PasswordPage { chrome: ctx.chrome("修改密码", "/account"), errors };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let hash = password::hash(form.new_password).await?;
    crate::people::repo::set_password(&mut tx, ctx.user.tenant_id, ctx.user.user_id, &hash).await?;
    let ended =
        session::delete_for_user(&mut tx, ctx.user.tenant_id, ctx.user.user_id, Some(ctx.user.session_id)).await?;
    audit::record(
        &mut tx,
        ctx.user.tenant_id,
        &Actor::user(&ctx.user, &meta),
        Entry {
            action: "password.change",
            entity_type: Some("user"),
            entity_id: Some(ctx.user.user_id.to_string()),
            summary: format!("{} 修改了自己的密码，结束其他会话 {ended} 个", ctx.user.display_name),
            ..Entry::default()
        },
    )
    .await?;
    tx.commit().await?;
    state.sessions.evict_user(ctx.user.tenant_id, ctx.user.user_id);
    Ok(Flash::success("密码已修改，其他设备上的登录已退出。").redirect("/account"))
}
