//! Assembling the app (routes and layers) and serving it until SIGTERM.

use crate::session_store::DbSessionStore;
use crate::state::AppState;
use crate::{api, assets, csrf, error, mail, ops, pages};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::csrf::CsrfLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

/// The process-wide Prometheus recorder (installed once, shared by every app in a process).
pub fn metrics_handle() -> Option<PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full("http_request_duration_seconds".into()),
                    &[0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5],
                )
                .ok()?
                .install_recorder()
                .ok()
        })
        .clone()
}

/// Builds the whole application: pages, API, operations, and every layer.
pub fn build_app(mut state: AppState) -> Router {
    if state.metrics.is_none() {
        state.metrics = metrics_handle();
    }
    let idle = time::Duration::seconds(state.config.session_idle.as_secs() as i64);
    let sessions = SessionManagerLayer::new(DbSessionStore::new(state.app.clone(), state.sessions.clone()))
        .with_name(crate::session_store::SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.config.secure_cookies)
        .with_expiry(Expiry::OnInactivity(idle));
    let mut origin_wall = CsrfLayer::new();
    for origin in &state.config.trusted_origins {
        origin_wall = match origin_wall.clone().add_trusted_origin(origin) {
            Ok(layer) => layer,
            Err(e) => {
                tracing::warn!(origin, error = %e, "ignoring trusted origin");
                origin_wall
            }
        };
    }
    let origin_wall = origin_wall.with_rejection_response(|_| {
        let mut res = axum::http::Response::new(axum::body::Body::empty());
        *res.status_mut() = StatusCode::FORBIDDEN;
        res
    });
    Router::new()
        .merge(pages::router(&state))
        .merge(api::router())
        .merge(ops::router(&state.config))
        .merge(assets::router())
        .fallback(|| async { StatusCode::NOT_FOUND })
        .layer(middleware::from_fn(csrf::verify))
        .layer(sessions)
        .layer(origin_wall)
        .layer(DefaultBodyLimit::max(csrf::FORM_LIMIT))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            pages::public::serve_cached,
        ))
        .layer(middleware::from_fn(ops::track))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(30),
        ))
        .with_state(state.clone())
        .layer_outer()
        .layer(tower::util::option_layer(state.config.secure_cookies.then(
            || {
                SetResponseHeaderLayer::overriding(
                    axum::http::header::STRICT_TRANSPORT_SECURITY,
                    axum::http::HeaderValue::from_static("max-age=31536000; includeSubDomains"),
                )
            },
        )))
}

/// Log directives added to any log filter (after `RUST_LOG`): libraries that write the
/// request path into their own TRACE lines (tower-http's Origin check) are held at DEBUG,
/// so that no level of logging writes a link's secret.
pub const LOG_DIRECTIVES: &[&str] = &["tower_http::csrf=debug"];

/// The app of the separate metrics address (`--metrics-bind`): `/metrics` alone.
pub fn metrics_app(mut state: AppState) -> Router {
    if state.metrics.is_none() {
        state.metrics = metrics_handle();
    }
    ops::metrics_router().with_state(state)
}

/// The layers every response passes through last: security headers, error pages for bare
/// statuses, request logs, and the panic catcher (a panic becomes a logged 500).
trait OuterLayers {
    fn layer_outer(self) -> Self;
}

impl OuterLayers for Router {
    fn layer_outer(self) -> Self {
        self.layer(middleware::from_fn(ops::security_headers))
            .layer(middleware::from_fn(error::render_bare_errors))
            // Request logs name the route pattern (`/sign-off/{token}`), never the path: a
            // path may carry a link's secret, and logs are read by more people and kept
            // longer than the database. `Router::layer` wraps each route, so the matched
            // pattern is known here; a path that matched nothing logs as `(no route)`.
            .layer(TraceLayer::new_for_http().make_span_with(
                |req: &axum::http::Request<axum::body::Body>| {
                    tracing::debug_span!(
                        "request",
                        method = %req.method(),
                        route = ops::route_of(req.extensions()),
                        version = ?req.version(),
                    )
                },
            ))
            .layer(CatchPanicLayer::custom(error::panic_response))
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: String, source: std::io::Error },
    #[error("server stopped with an error: {0}")]
    Io(#[from] std::io::Error),
}

/// Binds `addr` (so a port in use is reported before anything else starts).
pub async fn bind(addr: &str) -> Result<tokio::net::TcpListener, ServeError> {
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Bind {
            addr: addr.to_string(),
            source,
        })
}

/// Serves until SIGTERM or Ctrl-C, letting requests in flight finish, with the mail worker
/// running beside it.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> Result<(), ServeError> {
    serve_with_metrics(state, listener, None).await
}

/// As [`serve`], and serves `/metrics` on `metrics_listener` too (an address operators
/// reach and the public does not), until the server stops.
pub async fn serve_with_metrics(
    state: AppState,
    listener: tokio::net::TcpListener,
    metrics_listener: Option<tokio::net::TcpListener>,
) -> Result<(), ServeError> {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let worker = tokio::spawn(mail::run_worker(state.clone(), stop_rx.clone()));
    let housekeeper = tokio::spawn(convene_app::jobs::housekeeping(
        state.app.clone(),
        stop_rx.clone(),
    ));
    let metrics_server = metrics_listener.map(|listener| {
        let app = metrics_app(state.clone());
        let mut stop = stop_rx;
        tokio::spawn(async move {
            let stopped = async move {
                let _ = stop.changed().await;
            };
            if let Err(e) = axum::serve(listener, app).with_graceful_shutdown(stopped).await {
                tracing::error!(error = %e, "the metrics address stopped");
            }
        })
    });
    let use_cases = state.app.clone();
    let app = build_app(state);
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    let _ = stop_tx.send(true);
    if let Some(metrics_server) = metrics_server {
        let _ = metrics_server.await;
    }
    let _ = worker.await;
    let _ = housekeeper.await;
    use_cases.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

#[cfg(test)]
mod tests {
    use super::OuterLayers;
    use axum::Router;
    use axum::body::{Body, to_bytes};
    use axum::http::Request;
    use axum::routing::get;
    use tower::ServiceExt;

    #[tokio::test]
    async fn a_panicking_handler_becomes_an_nhs_500_page() {
        async fn boom() -> &'static str {
            panic!("something broke")
        }
        let app = Router::new()
            .route("/boom", get(boom))
            .route("/fine", get(|| async { "fine" }))
            .layer_outer();
        let res = app
            .clone()
            .oneshot(Request::get("/boom").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), 500);
        let html = String::from_utf8(to_bytes(res.into_body(), 1 << 20).await.unwrap().to_vec()).unwrap();
        assert!(
            html.contains("Sorry, there is a problem with the service"),
            "{html}"
        );
        assert!(
            !html.contains("something broke"),
            "the cause is logged, never shown"
        );
        let res = app
            .oneshot(Request::get("/fine").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "the server goes on serving");
    }
}
