//! `http`: the signed-in dashboard with the demo data on SQLite, under wrk at 64
//! connections, beside this machine's ceiling measured in the same run (a bare axum handler
//! returning a short string). Goal: the dashboard at ≥ 25% of the ceiling, p99 under 20 ms.

use crate::public::{Target, measure, pick};
use anyhow::{Context, bail};
use axum::Router;
use axum::routing::get;
use convene_domain::Clock;
use convene_store::testing::{Backend, TestDb};
use convene_web::state::SystemClock;
use convene_web::{AppState, Config};
use std::net::SocketAddr;
use std::sync::Arc;

const CONNECTIONS: u32 = 64;

/// Runs the benchmark and returns its JSON line.
pub async fn run(quick: bool) -> anyhow::Result<serde_json::Value> {
    let (seconds, runs) = if quick { (3, 3) } else { (10, 5) };
    let test_db = TestDb::new(Backend::Sqlite).await;
    convene_store::demo::load(&test_db.db, SystemClock.now()).await?;

    let app = convene_web::build_app(AppState::new(test_db.db.clone(), Arc::new(SystemClock), {
        // Benchmarks measure pages, not the second factor of signing in.
        let mut config = Config::new("http://127.0.0.1");
        config.enforce_two_factor = false;
        config
    }));
    let app_addr = spawn(app).await?;
    let ceiling_addr = spawn(Router::new().route("/", get(|| async { "Hello, Convene" }))).await?;
    let cookie = sign_in(app_addr).await?;

    let dashboard_url = format!("http://{app_addr}/dashboard");
    let ceiling_url = format!("http://{ceiling_addr}/");
    let headers = vec![format!("Cookie: {cookie}")];
    let targets: [Target<'_>; 1] = [("signed-in dashboard", &dashboard_url, &headers)];
    // Warms both servers (connections, caches), then alternates them.
    let (ceiling, mut measured) = measure(&targets, &ceiling_url, runs, seconds)?;
    let dashboard = measured.pop().unwrap_or_default();
    // The public pages' check lets a 304 through; a dashboard that redirects (a lost
    // session) measures nothing.
    if let Some(d) = dashboard.iter().find(|d| d.non_2xx > 0) {
        bail!(
            "the dashboard answered {} requests with an error or a redirect",
            d.non_2xx
        );
    }
    let dash_rps = pick(&dashboard, |r| r.requests_per_s);
    let dash_p50 = pick(&dashboard, |r| r.p50_ms);
    let dash_p99 = pick(&dashboard, |r| r.p99_ms);
    let ceil_rps = pick(&ceiling, |r| r.requests_per_s);
    let ceil_p99 = pick(&ceiling, |r| r.p99_ms);
    let ratio = dash_rps / ceil_rps;

    println!(
        "http: wrk, {CONNECTIONS} connections, {seconds}s per run, median of {runs} runs, SQLite demo data"
    );
    println!(
        "{:<28} {:>12} {:>10} {:>10}",
        "target", "requests/s", "p50 ms", "p99 ms"
    );
    println!(
        "{:<28} {:>12.0} {:>10} {:>10.2}",
        "bare axum (ceiling)", ceil_rps, "", ceil_p99
    );
    println!(
        "{:<28} {:>12.0} {:>10.2} {:>10.2}",
        "signed-in dashboard", dash_rps, dash_p50, dash_p99
    );
    println!(
        "dashboard / ceiling: {:.1}%  (goal ≥ 25%, p99 < 20 ms)",
        ratio * 100.0
    );
    test_db.remove().await;
    Ok(serde_json::json!({
        "bench": "http",
        "quick": quick,
        "figures": {
            "ceiling_requests_per_s": ceil_rps.round(),
            "ceiling_p99_ms": ceil_p99,
            "dashboard_requests_per_s": dash_rps.round(),
            "dashboard_p50_ms": dash_p50,
            "dashboard_p99_ms": dash_p99,
            "dashboard_to_ceiling_ratio": (ratio * 1000.0).round() / 1000.0,
        },
        "checks": {
            "dashboard_at_least_quarter_of_ceiling": ratio >= 0.25,
            "dashboard_p99_under_20_ms": dash_p99 < 20.0,
        }
    }))
}

pub(crate) async fn spawn(app: Router) -> anyhow::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await;
    });
    Ok(addr)
}

/// Signs in as the demo programme admin and returns the session cookie.
async fn sign_in(addr: SocketAddr) -> anyhow::Result<String> {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let page = client
        .get(format!("http://{addr}/sign-in"))
        .send()
        .await?
        .text()
        .await?;
    let marker = "name=\"csrf_token\" value=\"";
    let start = page.find(marker).context("no CSRF token on the sign-in page")? + marker.len();
    let token = page[start..].split('"').next().unwrap_or_default();
    let body = serde_urlencoded::to_string([
        ("csrf_token", token),
        ("email", "priya.programme@example.org"),
        ("password", convene_store::demo::DEMO_PASSWORD),
    ])?;
    let res = client
        .post(format!("http://{addr}/sign-in"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await?;
    if res.status() != 303 {
        bail!("sign-in failed with {}", res.status());
    }
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("convene_session="))
        .and_then(|v| v.split(';').next())
        .context("no session cookie after signing in")?;
    Ok(cookie.to_string())
}
