//! Operations: `/health`, `/metrics`, request metrics, security headers, and the client
//! address behind trusted proxies.

use crate::config::Config;
use crate::state::AppState;
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};
use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

/// Health and, when a metrics token is set, metrics routes of the public address. Without a
/// token `/metrics` is not routed there at all (404): it names every route and its traffic,
/// which is nobody's business but the operators'. A separate metrics address
/// ([`metrics_router`]) serves it too.
pub fn router(config: &Config) -> Router<AppState> {
    let health = Router::new().route("/health", get(health));
    if config.metrics_token.is_some() {
        health.route("/metrics", get(metrics_text))
    } else {
        health
    }
}

/// The routes of the separate metrics address (`--metrics-bind`): `/metrics` alone, asking
/// for the token too when one is set.
pub fn metrics_router() -> Router<AppState> {
    Router::new()
        .route("/metrics", get(metrics_text))
        .fallback(|| async { StatusCode::NOT_FOUND })
}

/// The route pattern a request matched (`/sign-off/{token}`), for logs: never the path
/// itself, which may hold a link's secret. `(no route)` when nothing matched.
pub fn route_of(extensions: &axum::http::Extensions) -> &str {
    extensions
        .get::<MatchedPath>()
        .map(MatchedPath::as_str)
        .unwrap_or("(no route)")
}

/// The address a request came from, for throttling.
///
/// With `trusted_proxies` = 0 it is the socket's peer. Behind N proxies that each append the
/// address they were reached from to `X-Forwarded-For`, it is the value the N-th of them
/// (the outermost) added, counted from the right: the right-most N values were written by
/// our proxies, anything left of them by the client, who can write whatever it likes there.
/// With fewer values than N the request did not come through every trusted proxy (or one
/// of them does not append), so no value can be trusted to be a proxy's: the peer is used
/// instead, and so is it when the value is not an IP address. Erring this way puts such
/// requests together under the proxy's address, never under an address a client chose.
pub fn client_address(headers: &HeaderMap, peer: Option<SocketAddr>, trusted_proxies: usize) -> String {
    let peer_address = || {
        peer.map(|p| p.ip().to_string())
            .unwrap_or_else(|| "unknown".into())
    };
    if trusted_proxies == 0 {
        return peer_address();
    }
    // Several header lines are one list, in order (RFC 9110, 5.3).
    let values: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let Some(index) = values.len().checked_sub(trusted_proxies) else {
        return peer_address();
    };
    let value = values[index];
    value
        .parse::<IpAddr>()
        .or_else(|_| value.parse::<SocketAddr>().map(|s| s.ip()))
        .map(|ip| ip.to_string())
        .unwrap_or_else(|_| peer_address())
}

/// True when `headers` carry `Authorization: Bearer <expected>`. Compared in constant time:
/// both sides are hashed first (so their lengths do not show either), then every byte of the
/// digests is compared.
pub fn bearer_matches(headers: &HeaderMap, expected: &str) -> bool {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    let (a, b) = (
        Sha256::digest(given.as_bytes()),
        Sha256::digest(expected.as_bytes()),
    );
    let differ = a
        .iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| std::hint::black_box(acc | (x ^ y)));
    differ == 0 && !given.is_empty()
}

async fn health(State(state): State<AppState>) -> Response {
    match state.health().await {
        Ok(backend) => (
            StatusCode::OK,
            axum::Json(serde_json::json!({"status": "ok", "database": backend})),
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

async fn metrics_text(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = &state.config.metrics_token
        && !bearer_matches(&headers, token)
    {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "a bearer token is required",
        )
            .into_response();
    }
    let (size, idle) = state.pool_usage();
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

#[cfg(test)]
mod tests {
    use super::{bearer_matches, client_address};
    use axum::http::{HeaderMap, HeaderValue};
    use std::net::SocketAddr;

    fn forwarded(lines: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for line in lines {
            headers.append(
                "x-forwarded-for",
                HeaderValue::from_str(line).unwrap_or(HeaderValue::from_static("")),
            );
        }
        headers
    }

    fn peer() -> Option<SocketAddr> {
        "10.0.0.2:51234".parse().ok()
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client() {
        assert_eq!(
            client_address(&forwarded(&["203.0.113.7"]), peer(), 0),
            "10.0.0.2"
        );
        assert_eq!(client_address(&HeaderMap::new(), None, 0), "unknown");
    }

    #[test]
    fn the_value_the_outermost_trusted_proxy_added_counts() {
        // The client wrote "1.1.1.1, 2.2.2.2"; nginx appended the address it saw.
        let headers = forwarded(&["1.1.1.1, 2.2.2.2, 203.0.113.7"]);
        assert_eq!(client_address(&headers, peer(), 1), "203.0.113.7");
        // Behind a load balancer and nginx: the second from the right.
        let headers = forwarded(&["1.1.1.1, 203.0.113.7, 10.0.0.9"]);
        assert_eq!(client_address(&headers, peer(), 2), "203.0.113.7");
        // Several header lines are one list.
        let headers = forwarded(&["1.1.1.1", "203.0.113.7"]);
        assert_eq!(client_address(&headers, peer(), 1), "203.0.113.7");
        let headers = forwarded(&["1.1.1.1,2001:db8::1"]);
        assert_eq!(client_address(&headers, peer(), 1), "2001:db8::1");
    }

    #[test]
    fn too_few_values_or_garbage_fall_back_to_the_peer() {
        assert_eq!(
            client_address(&forwarded(&["203.0.113.7"]), peer(), 2),
            "10.0.0.2"
        );
        assert_eq!(client_address(&HeaderMap::new(), peer(), 1), "10.0.0.2");
        assert_eq!(
            client_address(&forwarded(&["1.1.1.1, not-an-ip"]), peer(), 1),
            "10.0.0.2"
        );
        assert_eq!(client_address(&forwarded(&["1.1.1.1, "]), peer(), 1), "10.0.0.2");
    }

    #[test]
    fn the_metrics_token_must_match_whole() {
        let mut headers = HeaderMap::new();
        assert!(!bearer_matches(&headers, "s3cret-token"));
        headers.insert("authorization", HeaderValue::from_static("Bearer s3cret-token"));
        assert!(bearer_matches(&headers, "s3cret-token"));
        assert!(!bearer_matches(&headers, "s3cret-token-longer"));
        headers.insert("authorization", HeaderValue::from_static("Bearer s3cret"));
        assert!(!bearer_matches(&headers, "s3cret-token"));
        headers.insert("authorization", HeaderValue::from_static("Basic s3cret-token"));
        assert!(!bearer_matches(&headers, "s3cret-token"));
    }
}
