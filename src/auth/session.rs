//! Server-side sessions in PostgreSQL.
//!
//! The cookie carries an unguessable 256-bit token; the database stores only its
//! SHA-256. Before the tenant is known, the lookup transaction sets
//! `app.session_token` to that hash, which row-level security accepts as the
//! capability to read exactly that session row; the row then names the tenant,
//! which is set for the rest of the transaction. Sessions end after the tenant's
//! idle timeout (default 8 h) or absolute lifetime (default 7 days), at logout,
//! and when the user is deactivated or their password is reset.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use sqlx::{Executor, PgPool};

use crate::app::state::AppState;
use crate::config::Settings;
use crate::db::{self, Tx};
use crate::error::AppError;
use crate::people::tenants::TenantSettings;
use crate::people::{Dept, Level};
use crate::web::{random_token, CurrentUser, RequestMeta};

use super::session_cache::{Cached, SessionCache};

/// `last_seen_at` is written at most this often.
const TOUCH_SECONDS: i64 = 60;

/// The session cookie's name: `__Host-` prefixed when served over https.
pub fn cookie_name(settings: &Settings) -> &'static str {
    if settings.https() {
        "__Host-yy_session"
    } else {
        "yy_session"
    }
}

/// The `Set-Cookie` value for a new session token.
pub fn set_cookie(settings: &Settings, token: &str) -> String {
    let secure = if settings.https() { "; Secure" } else { "" };
    format!("{}={token}; Path=/; HttpOnly; SameSite=Lax{secure}", cookie_name(settings))
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie(settings: &Settings) -> String {
    let secure = if settings.https() { "; Secure" } else { "" };
    format!("{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}", cookie_name(settings))
}

pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Create a session in the caller's tenant transaction; returns the cookie token.
pub async fn create(
    tx: &mut Tx,
    tenant_id: i64,
    user_id: i64,
    settings: &TenantSettings,
    meta: &RequestMeta,
) -> Result<String, sqlx::Error> {
    let token = random_token();
    let expires = Utc::now() + Duration::days(settings.session_lifetime_days.max(1));
    sqlx::query(
        "INSERT INTO sessions (tenant_id, token_hash, user_id, csrf_token, expires_at, ip, user_agent)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(tenant_id)
    .bind(token_hash(&token))
    .bind(user_id)
    .bind(random_token())
    .bind(expires)
    .bind(&meta.ip)
    .bind(&meta.user_agent)
    .execute(&mut **tx)
    .await?;
    // Housekeeping: this user's expired sessions.
    sqlx::query("DELETE FROM sessions WHERE tenant_id = $1 AND user_id = $2 AND expires_at < now()")
        .bind(tenant_id)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(token)
}

/// End one session by its token (logout). Returns the session's tenant and user.
pub async fn delete_by_token(pool: &PgPool, token: &str) -> Result<Option<(i64, i64)>, sqlx::Error> {
    let hash = token_hash(token);
    let mut tx = pool.begin().await?;
    // SET LOCAL reaches the Citus workers (see db::begin_tenant); the value is hex.
    (&mut *tx).execute(format!("SET LOCAL app.session_token = '{}'", hex(&hash)).as_str()).await?;
    let row: Option<(i64, i64)> = sqlx::query_as("SELECT tenant_id, user_id FROM sessions WHERE token_hash = $1")
        .bind(&hash)
        .fetch_optional(&mut *tx)
        .await?;
    if let Some((tenant_id, _)) = row {
        db::set_tenant(&mut tx, tenant_id).await?;
        sqlx::query("DELETE FROM sessions WHERE tenant_id = $1 AND token_hash = $2")
            .bind(tenant_id)
            .bind(&hash)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(row)
}

/// End every session of a user (deactivation, password reset), optionally but one.
pub async fn delete_for_user(
    tx: &mut Tx,
    tenant_id: i64,
    user_id: i64,
    except_session: Option<i64>,
) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM sessions WHERE tenant_id = $1 AND user_id = $2 AND id IS DISTINCT FROM $3")
        .bind(tenant_id)
        .bind(user_id)
        .bind(except_session)
        .execute(&mut **tx)
        .await?
        .rows_affected())
}

#[derive(sqlx::FromRow)]
struct LookupRow {
    tenant_id: i64,
    session_id: i64,
    user_id: i64,
    csrf_token: String,
    last_seen_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    username: String,
    display_name: String,
    level: String,
    department: String,
    is_tenant_admin: bool,
    is_active: bool,
    employee_no: Option<String>,
    tenant_code: String,
    tenant_name: String,
    settings: serde_json::Value,
}

/// The signed-in user of a session token, or `None` for an unknown, expired or
/// ended session or an inactive user. One round trip (`app.session_lookup`, which
/// runs under row-level security as the runtime role); a second only to end an
/// expired session or, at most once a minute, to record activity.
/// Answered from `cache` when it may, else from the database (and then cached).
pub async fn lookup_cached(
    pool: &PgPool,
    cache: &SessionCache,
    token: &str,
) -> Result<Option<CurrentUser>, sqlx::Error> {
    if token.len() != 43 {
        return Ok(None);
    }
    let hash = token_hash(token);
    if let Some(user) = cache.get(&hash, Utc::now(), TOUCH_SECONDS) {
        return Ok(Some(user));
    }
    let generation = cache.generation();
    let found = lookup_hash(pool, &hash).await?;
    if let Some(session) = &found {
        cache.insert(hash, generation, session.clone());
    }
    Ok(found.map(|c| c.user))
}

async fn lookup_hash(pool: &PgPool, hash: &[u8]) -> Result<Option<Cached>, sqlx::Error> {
    // In a transaction block: Citus sends the function's SET LOCALs on to the workers
    // only then (on one PostgreSQL the same, two round trips more).
    let mut tx = pool.begin().await?;
    let row = sqlx::query_as::<_, LookupRow>("SELECT * FROM app.session_lookup($1)")
        .bind(hash)
        .fetch_optional(&mut *tx)
        .await?;
    tx.commit().await?;
    let Some(r) = row else {
        return Ok(None);
    };
    let settings = TenantSettings::from_json(r.settings);
    let now = Utc::now();
    let idle_expired = r.last_seen_at + Duration::minutes(settings.session_idle_minutes.max(1)) <= now;
    let role = (Level::parse(&r.level), Dept::parse(&r.department));
    let (Some(level), Some(dept)) = role else {
        return Ok(None);
    };
    if !r.is_active || idle_expired || r.expires_at <= now {
        let mut tx = db::begin_tenant(pool, r.tenant_id).await?;
        sqlx::query("DELETE FROM sessions WHERE tenant_id = $1 AND id = $2")
            .bind(r.tenant_id)
            .bind(r.session_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        return Ok(None);
    }
    let mut last_seen_at = r.last_seen_at;
    if (now - r.last_seen_at).num_seconds() >= TOUCH_SECONDS {
        last_seen_at = now;
        let mut tx = db::begin_tenant(pool, r.tenant_id).await?;
        sqlx::query("UPDATE sessions SET last_seen_at = now() WHERE tenant_id = $1 AND id = $2")
            .bind(r.tenant_id)
            .bind(r.session_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    let today = settings.time_zone.date_of(now);
    let user = CurrentUser {
        today,
        tenant_id: r.tenant_id,
        tenant_code: r.tenant_code,
        tenant_name: r.tenant_name,
        settings,
        session_id: r.session_id,
        user_id: r.user_id,
        username: r.username,
        display_name: r.display_name,
        level,
        dept,
        tenant_admin: r.is_tenant_admin,
        employee_no: r.employee_no,
        csrf_token: r.csrf_token,
    };
    Ok(Some(Cached { user, last_seen_at, expires_at: r.expires_at }))
}

/// Middleware: load the session named by the cookie, if any, into the request.
pub async fn load(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    if let Some(token) = crate::web::cookie(req.headers(), cookie_name(&state.settings)) {
        match lookup_cached(&state.db, &state.sessions, &token).await {
            Ok(Some(mut user)) => {
                user.today = state.settings.today.unwrap_or_else(|| user.settings.time_zone.today());
                let span = tracing::Span::current();
                span.record("tenant", user.tenant_code.as_str());
                span.record("user", user.username.as_str());
                req.extensions_mut().insert(user);
            }
            Ok(None) => {}
            Err(err) => return AppError::from(err).into_response(),
        }
    }
    next.run(req).await
}
