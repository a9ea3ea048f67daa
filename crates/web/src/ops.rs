//! Operations: `/health`, `/metrics`, request metrics and security headers.

use crate::state::AppState;
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::time::Instant;

/// Health and metrics routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/metrics", get(metrics_text))
}

async fn health(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => (
            StatusCode::OK,
            axum::Json(serde_json::json!({"status": "ok", "database": state.db.backend()})),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check: database not answering");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(serde_json::json!({"status": "unavailable"})),
            )
                .into_response()
        }
    }
}

async fn metrics_text(State(state): State<AppState>) -> Response {
    let (size, idle) = state.db.pool_usage();
    metrics::gauge!("db_pool_connections").set(f64::from(size));
    metrics::gauge!("db_pool_idle_connections").set(idle as f64);
    metrics::gauge!("db_pool_in_use_connections").set(f64::from(size) - idle as f64);
    let body = state.metrics.as_ref().map(|h| h.render()).unwrap_or_default();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}

/// One route's metric handles: its duration histogram, and a counter per method and status.
struct RouteMetrics {
    duration: metrics::Histogram,
    counts: Vec<(axum::http::Method, u16, metrics::Counter)>,
}

thread_local! {
    /// Metric handles by route, per worker thread: registering a labelled metric hashes its
    /// labels in the recorder's map, so each thread looks a handle up once, then reuses it.
    static ROUTE_METRICS: std::cell::RefCell<std::collections::HashMap<String, RouteMetrics>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// Counts requests by route, method and status, and times them by route.
pub async fn track(req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().cloned();
    let method = req.method().clone();
    let started = Instant::now();
    let res = next.run(req).await;
    let status = res.status().as_u16();
    let elapsed = started.elapsed().as_secs_f64();
    let route = route.as_ref().map(MatchedPath::as_str).unwrap_or("unmatched");
    ROUTE_METRICS.with(|cell| {
        let mut routes = cell.borrow_mut();
        if !routes.contains_key(route) {
            let duration = metrics::histogram!("http_request_duration_seconds", "route" => route.to_string());
            routes.insert(
                route.to_string(),
                RouteMetrics {
                    duration,
                    counts: Vec::new(),
                },
            );
        }
        let Some(entry) = routes.get_mut(route) else {
            return;
        };
        entry.duration.record(elapsed);
        match entry.counts.iter().find(|(m, s, _)| *m == method && *s == status) {
            Some((_, _, counter)) => counter.increment(1),
            None => {
                let counter = metrics::counter!(
                    "http_requests_total",
                    "route" => route.to_string(),
                    "method" => method.to_string(),
                    "status" => status.to_string()
                );
                counter.increment(1);
                entry.counts.push((method, status, counter));
            }
        }
    });
    res
}

/// The Content-Security-Policy: nothing inline, nothing from elsewhere.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// Adds the security headers to every response.
pub async fn security_headers(req: Request, next: Next) -> Response {
    with_security_headers(next.run(req).await)
}

/// Sets the security headers on one response.
pub fn with_security_headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}
