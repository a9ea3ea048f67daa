//! `public`: the pages anyone can read without signing in (the Local Vision programme page
//! and the open calls), with the demo data on SQLite, under wrk at 64 connections, beside
//! the bare axum ceiling measured in the same run; also a revalidation that gets 304.
//! Goal: each page at ≥ 50% of the ceiling, p99 under 10 ms.

use crate::http::spawn;
use crate::{median, wrk};
use anyhow::{Context, bail};
use axum::Router;
use axum::routing::get;
use convene_domain::Clock;
use convene_store::testing::{Backend, TestDb};
use convene_web::state::SystemClock;
use convene_web::{AppState, Config};
use std::sync::Arc;

const CONNECTIONS: u32 = 64;

/// Times registrations through the API, alternating a new address and one already in use:
/// their medians should differ by no more than noise (no account enumeration by timing).
async fn registration_timing(addr: std::net::SocketAddr, rounds: usize) -> anyhow::Result<(f64, f64)> {
    let client = reqwest::Client::new();
    let url = format!("http://{addr}/api/v1/registrations");
    let mut new = Vec::new();
    let mut used = Vec::new();
    for i in 0..rounds {
        for (email, into) in [
            (format!("bench.newcomer.{i}@example.org"), &mut new),
            ("lee.lead@example.org".to_string(), &mut used),
        ] {
            let body = serde_json::json!({
                "name": "Bench Newcomer", "email": email, "organisation": "Bench Council",
                "job_role": "Analyst", "password": "Bench lantern orchard"
            });
            let started = std::time::Instant::now();
            let res = client.post(&url).json(&body).send().await?;
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            if res.status() != 202 {
                bail!("registration answered {}", res.status());
            }
            into.push(ms);
        }
    }
    Ok((median(new), median(used)))
}

/// A page and the request headers it is fetched with.
pub(crate) type Target<'a> = (&'a str, &'a str, &'a [String]);

/// The median of one figure over several runs.
pub(crate) fn pick(runs: &[wrk::Run], f: fn(&wrk::Run) -> f64) -> f64 {
    median(runs.iter().map(f).collect())
}

/// Warms every target, then runs the ceiling and each target in turn, `runs` times.
pub(crate) fn measure(
    targets: &[Target<'_>],
    ceiling_url: &str,
    runs: usize,
    seconds: u32,
) -> anyhow::Result<(Vec<wrk::Run>, Vec<Vec<wrk::Run>>)> {
    for (_, url, headers) in targets {
        wrk::run(url, CONNECTIONS, 1, headers)?;
    }
    wrk::run(ceiling_url, CONNECTIONS, 1, &[])?;
    let mut ceiling = Vec::new();
    let mut measured: Vec<Vec<wrk::Run>> = vec![Vec::new(); targets.len()];
    for _ in 0..runs {
        // Alternate, so drift on the machine affects all alike.
        ceiling.push(wrk::run(ceiling_url, CONNECTIONS, seconds, &[])?);
        for (i, (name, url, headers)) in targets.iter().enumerate() {
            let r = wrk::run(url, CONNECTIONS, seconds, headers)?;
            // A 304 is not 2xx to wrk; only the plain pages must answer 200.
            if headers.is_empty() && r.non_2xx > 0 {
                bail!(
                    "{name} answered {} requests with an error or a redirect",
                    r.non_2xx
                );
            }
            measured[i].push(r);
        }
    }
    Ok((ceiling, measured))
}

/// One target's line of the table, its figures, and its goals when it has them.
fn report_target(
    name: &str,
    runs: &[wrk::Run],
    ceil_rps: f64,
    has_goal: bool,
    figures: &mut serde_json::Map<String, serde_json::Value>,
    checks: &mut serde_json::Map<String, serde_json::Value>,
) {
    let rps = pick(runs, |r| r.requests_per_s);
    let p50 = pick(runs, |r| r.p50_ms);
    let p99 = pick(runs, |r| r.p99_ms);
    let ratio = rps / ceil_rps;
    println!(
        "{:<28} {:>12.0} {:>10.2} {:>10.2} {:>10.1}",
        name,
        rps,
        p50,
        p99,
        ratio * 100.0
    );
    let key = name.to_lowercase().replace([' ', ','], "_").replace("__", "_");
    figures.insert(format!("{key}_requests_per_s"), rps.round().into());
    figures.insert(format!("{key}_p50_ms"), p50.into());
    figures.insert(format!("{key}_p99_ms"), p99.into());
    figures.insert(
        format!("{key}_to_ceiling_ratio"),
        ((ratio * 1000.0).round() / 1000.0).into(),
    );
    if has_goal {
        checks.insert(format!("{key}_at_least_half_of_ceiling"), (ratio >= 0.5).into());
        checks.insert(format!("{key}_p99_under_10_ms"), (p99 < 10.0).into());
    }
}

/// Runs the benchmark and returns its JSON line.
pub async fn run(quick: bool) -> anyhow::Result<serde_json::Value> {
    let (seconds, runs) = if quick { (3, 3) } else { (10, 5) };
    let test_db = TestDb::new(Backend::Sqlite).await;
    convene_store::demo::load(&test_db.db, SystemClock.now()).await?;
    let app = convene_web::build_app(AppState::new(
        test_db.db.clone(),
        Arc::new(SystemClock),
        Config::new("http://127.0.0.1"),
    ));
    let app_addr = spawn(app).await?;
    let ceiling_addr = spawn(Router::new().route("/", get(|| async { "Hello, Convene" }))).await?;
    let ceiling_url = format!("http://{ceiling_addr}/");
    let programme_url = format!("http://{app_addr}/programmes/local-vision/about");
    let calls_url = format!("http://{app_addr}/open-calls");
    let etag = reqwest::get(&programme_url)
        .await?
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .context("the programme page sends no ETag")?;
    let revalidate = vec![format!("If-None-Match: {etag}")];

    let targets: [Target<'_>; 3] = [
        ("Local Vision page", &programme_url, &[]),
        ("open calls", &calls_url, &[]),
        ("Local Vision page, 304", &programme_url, &revalidate),
    ];
    let (ceiling, measured) = measure(&targets, &ceiling_url, runs, seconds)?;
    let ceil_rps = pick(&ceiling, |r| r.requests_per_s);
    let ceil_p99 = pick(&ceiling, |r| r.p99_ms);
    println!(
        "public: wrk, {CONNECTIONS} connections, {seconds}s per run, median of {runs} runs, SQLite demo data, no sign-in"
    );
    println!(
        "{:<28} {:>12} {:>10} {:>10} {:>10}",
        "target", "requests/s", "p50 ms", "p99 ms", "ceiling %"
    );
    println!(
        "{:<28} {:>12.0} {:>10} {:>10.2} {:>10}",
        "bare axum (ceiling)", ceil_rps, "", ceil_p99, "100"
    );
    let mut figures = serde_json::Map::new();
    let mut checks = serde_json::Map::new();
    figures.insert("ceiling_requests_per_s".into(), ceil_rps.round().into());
    figures.insert("ceiling_p99_ms".into(), ceil_p99.into());
    for (i, (name, _, _)) in targets.iter().enumerate() {
        report_target(name, &measured[i], ceil_rps, i < 2, &mut figures, &mut checks);
    }
    println!("goal: each page ≥ 50% of the ceiling, p99 < 10 ms");
    let (new_ms, used_ms) = registration_timing(app_addr, if quick { 10 } else { 30 }).await?;
    println!(
        "registration (API), median of alternating requests: new address {new_ms:.1} ms, used address {used_ms:.1} ms, difference {:.1} ms",
        (new_ms - used_ms).abs()
    );
    figures.insert("register_new_address_p50_ms".into(), new_ms.into());
    figures.insert("register_used_address_p50_ms".into(), used_ms.into());
    test_db.remove().await;
    Ok(serde_json::json!({ "bench": "public", "quick": quick, "figures": figures, "checks": checks }))
}
