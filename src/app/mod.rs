//! Router assembly, middleware order and graceful shutdown; the state is in
//! [`state`], a leaf every feature may import.

pub mod state;

pub use state::AppState;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderName, StatusCode};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use sqlx::PgPool;
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::config::Settings;
use crate::error::AppError;
use crate::web;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole application router.
pub fn router(state: AppState) -> Router {
    // Pages: sessions are loaded, then CSRF is checked, then the handler runs; after
    // a request that may have written, its tenant's home summaries are dropped.
    let pages = Router::new()
        .merge(crate::home::router())
        .merge(crate::auth::router())
        .merge(crate::people::admin::router())
        .merge(crate::audit::router())
        .merge(crate::hr::router())
        .merge(crate::catalog::router())
        .merge(crate::inventory::router())
        .merge(crate::purchasing::router())
        .merge(crate::stocktake::router())
        .merge(crate::partners::router())
        .merge(crate::orders::router())
        .merge(crate::after_sales::router())
        .merge(crate::complaints::router())
        .merge(crate::campaigns::router())
        .merge(crate::targets::router())
        .merge(crate::dashboard::report::router())
        .merge(crate::imports::upload::router())
        .merge(crate::contracts::router())
        .layer(
            ServiceBuilder::new()
                .layer(from_fn(web::input_guard::refuse_control_characters))
                .layer(from_fn_with_state(state.clone(), crate::auth::session::load))
                .layer(from_fn_with_state(state.clone(), crate::home::cache::forget_after_writes))
                .layer(from_fn_with_state(state.settings.clone(), web::csrf::verify))
                .layer(from_fn(web::flash::clear_after_show)),
        );
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/static/app.css", get(stylesheet))
        .merge(pages)
        .fallback(web::errors::not_found)
        // Router::layer: the last added is the outermost.
        // One limit for every body: an upload's file may be `upload_max_bytes` (the
        // upload reader refuses more with its 413 page), plus room for the form's
        // other fields; forms are capped at 2 MB by the CSRF check.
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(state.settings.upload_max_bytes + 1024 * 1024))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(60)))
        .layer(CatchPanicLayer::custom(|_panic| {
            AppError::Internal(anyhow::anyhow!("handler panicked")).into_response()
        }))
        .layer(from_fn(web::errors::render))
        .layer(from_fn_with_state(state.settings.clone(), web::security::headers))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let request_id = req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or_default();
            tracing::info_span!(
                "request",
                method = %req.method(),
                path = %req.uri().path(),
                request_id,
                tenant = tracing::field::Empty,
                user = tracing::field::Empty,
            )
        }))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .with_state(state)
}

/// Process alive (no database).
async fn healthz() -> &'static str {
    "ok"
}

/// How long `/readyz` waits for the database before answering 503.
const READY_PROBE: Duration = Duration::from_secs(1);

/// Database reachable within [`READY_PROBE`] (a pool connection and `SELECT 1`):
/// a dead, restarting or saturated database is 503 within a second.
async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let probe = sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(&state.db);
    let err = match tokio::time::timeout(READY_PROBE, probe).await {
        Ok(Ok(_)) => return (StatusCode::OK, "ready"),
        Ok(Err(err)) => err.to_string(),
        Err(_) => format!("no answer within {READY_PROBE:?}"),
    };
    tracing::warn!(error = %err, "readiness check failed");
    (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
}

async fn stylesheet() -> impl IntoResponse {
    (
        [(CONTENT_TYPE, "text/css; charset=utf-8"), (CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../../static/app.css"),
    )
}

/// The application, built and bound to its port: exactly what `yunying serve`
/// runs, and what the integration tests run (zero2prod's `Application`).
pub struct Application {
    listener: TcpListener,
    state: AppState,
}

impl Application {
    /// The shared state (with the caches' invalidation listener), the hourly
    /// housekeeping, and a listener bound to `settings.bind` (port 0: any free port).
    pub async fn build(pool: PgPool, settings: Arc<Settings>) -> std::io::Result<Self> {
        let listener = TcpListener::bind(settings.bind).await?;
        let state = AppState::new(pool.clone(), settings);
        spawn_housekeeping(pool);
        Ok(Self { listener, state })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serve until `shutdown` resolves; in-flight requests finish.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        serve(self.listener, router(self.state), shutdown).await
    }
}

/// Serve `router` on `listener` until `shutdown` resolves; in-flight requests finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}

/// Resolves at Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}

/// Hourly housekeeping: purge old login attempts.
fn spawn_housekeeping(pool: PgPool) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            if let Err(err) = crate::auth::throttle::purge(&pool).await {
                tracing::warn!(error = %err, "purging login attempts failed");
            }
        }
    });
}
