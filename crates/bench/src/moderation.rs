//! `moderation`: the moderation page of a round under review at scale — 500 submitted
//! applications, three submitted reviews each with every criterion scored and commented
//! on, a few conflicts, agreed scores on every fourth (`convene_store::national::panels`,
//! on the demo data) — read by its 8 panel members at once, each a Rust client with its own
//! session cookie in a closed loop, warm, on SQLite and then PostgreSQL. Goal: p99 under
//! 50 ms on both stores.
//!
//! To show where a request's time goes, it then times one reader alone, and the use case's
//! reads alone (the store calls `convene_app::panels::moderation::meeting` makes, in its
//! order): the rest of a lone request is the page's making, rendering and transfer.

use anyhow::{Context, bail};
use convene_domain::applications::ApplicationStatus;
use convene_domain::{Clock, RoundId};
use convene_store::applications::ListFilter;
use convene_store::national::panels::{self as seed, UnderReview};
use convene_store::testing::{Backend, TestDb};
use convene_web::state::SystemClock;
use convene_web::{AppState, Config};
use std::sync::Arc;
use std::time::{Duration, Instant};

const GOAL_MS: f64 = 50.0;
/// Each application's link in the ranked list (to its own page), once per application.
const SECTION: &str = "/moderation/";

/// How long each part runs.
struct Timing {
    warm: Duration,
    load: Duration,
    alone: Duration,
    reads: usize,
}

impl Timing {
    fn new(quick: bool) -> Timing {
        let s = Duration::from_secs;
        if quick {
            Timing {
                warm: s(1),
                load: s(5),
                alone: s(2),
                reads: 20,
            }
        } else {
            Timing {
                warm: s(3),
                load: s(20),
                alone: s(5),
                reads: 50,
            }
        }
    }
}

/// Everything measured on one store.
struct Measured {
    backend: &'static str,
    seed_s: f64,
    seeded: UnderReview,
    /// Every request's latency under load, in ms, sorted.
    ms: Vec<f64>,
    requests_per_s: f64,
    errors: usize,
    /// True when every reader's page listed every application they may see.
    complete: bool,
    /// The chair's page (with a form per application) and a member's, in bytes.
    chair_bytes: usize,
    member_bytes: usize,
    /// One reader alone, and the use case's reads alone, in ms, sorted.
    alone_ms: Vec<f64>,
    reads_ms: Vec<f64>,
}

/// The `p`th quantile of sorted values.
fn quantile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(|a, b| a.total_cmp(b));
    v
}

/// Milliseconds to two decimals, for the JSON.
fn ms2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// Signs a panel member in (the demo password); the client carries their session cookie.
async fn sign_in(base: &str, email: &str) -> anyhow::Result<reqwest::Client> {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(1)
        .build()?;
    let page = client.get(format!("{base}/sign-in")).send().await?.text().await?;
    let marker = "name=\"csrf_token\" value=\"";
    let start = page.find(marker).context("no CSRF token on the sign-in page")? + marker.len();
    let token = page[start..].split('"').next().unwrap_or_default();
    let res = client
        .post(format!("{base}/sign-in"))
        .form(&[
            ("csrf_token", token),
            ("email", email),
            ("password", convene_store::demo::DEMO_PASSWORD),
        ])
        .send()
        .await?;
    if res.status() != 303 {
        bail!("sign-in as {email} answered {}", res.status());
    }
    Ok(client)
}

/// Every reader asking for the page in a closed loop for `length`: the latencies (whole
/// body read) and how many answers were not a page.
async fn closed_loop(readers: &[reqwest::Client], url: &str, length: Duration) -> (Vec<f64>, usize) {
    let until = Instant::now() + length;
    let tasks: Vec<_> = readers
        .iter()
        .cloned()
        .map(|client| {
            let url = url.to_string();
            tokio::spawn(async move {
                let (mut ms, mut errors) = (Vec::new(), 0);
                while Instant::now() < until {
                    let started = Instant::now();
                    let ok = match client.get(&url).send().await {
                        Ok(res) => res.status() == 200 && res.bytes().await.is_ok_and(|b| !b.is_empty()),
                        Err(_) => false,
                    };
                    ms.push(started.elapsed().as_secs_f64() * 1000.0);
                    errors += usize::from(!ok);
                }
                (ms, errors)
            })
        })
        .collect();
    let (mut all, mut errors) = (Vec::new(), 0);
    for t in tasks {
        if let Ok((ms, e)) = t.await {
            all.extend(ms);
            errors += e;
        } else {
            errors += 1;
        }
    }
    (all, errors)
}

/// The store calls the moderation use case makes for one page, in its order.
async fn page_reads(db: &convene_store::Db, round: RoundId) -> anyhow::Result<()> {
    use convene_store::panels as p;
    p::members(db, round).await?;
    p::reviews_per_application(db, round).await?;
    p::rubric(db, round).await?;
    let filter = ListFilter {
        status: Some(ApplicationStatus::Submitted),
        ..ListFilter::default()
    };
    convene_store::applications::list(db, round, &filter, 1, i64::from(u32::MAX)).await?;
    p::conflicts::of_round(db, round).await?;
    p::conflicts::parties_of_round(db, round).await?;
    p::reviews::submitted_in_round(db, round).await?;
    p::reviews::moderations(db, round).await?;
    Ok(())
}

/// Each reader's page once: true when each lists exactly the applications its reader may
/// see; with the chair's page size and the largest member's.
async fn check_pages(
    readers: &[reqwest::Client],
    seeded: &UnderReview,
    url: &str,
) -> anyhow::Result<(bool, usize, usize)> {
    let (mut complete, mut chair_bytes, mut member_bytes) = (true, 0, 0);
    for (client, seat) in readers.iter().zip(&seeded.seats) {
        let res = client.get(url).send().await?;
        let status = res.status();
        let body = res.text().await?;
        let listed = body.matches(SECTION).count();
        if status != 200 || listed != seat.sees {
            eprintln!(
                "moderation: {}'s page answered {status} and listed {listed} applications, not {}",
                seat.email, seat.sees
            );
            complete = false;
        }
        if seat.chair {
            chair_bytes = body.len();
        } else {
            member_bytes = member_bytes.max(body.len());
        }
    }
    Ok((complete, chair_bytes, member_bytes))
}

async fn run_on(backend: Backend, timing: &Timing) -> anyhow::Result<Measured> {
    let test_db = TestDb::new(backend).await;
    // The server's pool as `convene serve` sizes it.
    let db = convene_store::connect(&test_db.url, 16).await?;
    let now = SystemClock.now();
    convene_store::demo::load(&db, now).await?;
    let started = Instant::now();
    let seeded = seed::round_under_review(&db, now).await?;
    let seed_s = started.elapsed().as_secs_f64();

    let app = convene_web::build_app(AppState::new(db.clone(), Arc::new(SystemClock), {
        // Benchmarks measure pages, not the second factor of signing in.
        let mut config = Config::new("http://127.0.0.1");
        config.enforce_two_factor = false;
        config
    }));
    let base = format!("http://{}", crate::http::spawn(app).await?);
    let url = format!("{base}/panels/{}/moderation", seeded.round_id.0);
    let mut readers = Vec::new();
    for seat in &seeded.seats {
        readers.push(sign_in(&base, &seat.email).await?);
    }
    let (complete, chair_bytes, member_bytes) = check_pages(&readers, &seeded, &url).await?;
    closed_loop(&readers, &url, timing.warm).await;
    let (ms, errors) = closed_loop(&readers, &url, timing.load).await;
    let requests_per_s = ms.len() as f64 / timing.load.as_secs_f64();
    // A member who is not the chair, alone: what one page costs when nobody queues.
    let (alone_ms, alone_errors) = closed_loop(&readers[1..2], &url, timing.alone).await;
    let mut reads_ms = Vec::new();
    for _ in 0..timing.reads {
        let started = Instant::now();
        page_reads(&db, seeded.round_id).await?;
        reads_ms.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    db.close().await;
    test_db.remove().await;
    Ok(Measured {
        backend: match backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        },
        seed_s,
        seeded,
        ms: sorted(ms),
        requests_per_s,
        errors: errors + alone_errors,
        complete,
        chair_bytes,
        member_bytes,
        alone_ms: sorted(alone_ms),
        reads_ms: sorted(reads_ms),
    })
}

fn print_table(all: &[Measured], timing: &Timing) {
    let readers = all.first().map_or(0, |m| m.seeded.seats.len());
    println!(
        "moderation: {readers} panel members reading the moderation page at once, closed loop, {} s after {} s warm-up",
        timing.load.as_secs(),
        timing.warm.as_secs()
    );
    println!(
        "{:<9} {:>7} {:>6} {:>8} {:>8} {:>8} {:>8} {:>7} {:>10} {:>10} {:>9} {:>9}",
        "store",
        "seed s",
        "apps",
        "req/s",
        "p50 ms",
        "p99 ms",
        "max ms",
        "errors",
        "alone p50",
        "reads p50",
        "chair KB",
        "member KB"
    );
    for m in all {
        println!(
            "{:<9} {:>7.1} {:>6} {:>8.1} {:>8.2} {:>8.2} {:>8.2} {:>7} {:>10.2} {:>10.2} {:>9.0} {:>9.0}",
            m.backend,
            m.seed_s,
            m.seeded.applications,
            m.requests_per_s,
            quantile(&m.ms, 0.5),
            quantile(&m.ms, 0.99),
            quantile(&m.ms, 1.0),
            m.errors,
            quantile(&m.alone_ms, 0.5),
            quantile(&m.reads_ms, 0.5),
            m.chair_bytes as f64 / 1024.0,
            m.member_bytes as f64 / 1024.0,
        );
    }
    println!(
        "(alone: one member's page with nobody else reading; reads: the use case's store calls alone; goal: p99 < {GOAL_MS} ms)"
    );
}

/// Runs the benchmark on both stores and returns its JSON line; fails after printing it
/// when a check fails.
pub async fn run(quick: bool) -> anyhow::Result<serde_json::Value> {
    let timing = Timing::new(quick);
    let mut all = Vec::new();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        all.push(run_on(backend, &timing).await?);
    }
    print_table(&all, &timing);
    let first = &all[0].seeded;
    let mut json = serde_json::json!({
        "bench": "moderation",
        "quick": quick,
        "readers": first.seats.len(),
        "seconds": timing.load.as_secs(),
        "applications": first.applications,
        "reviews": first.reviews,
        "conflicts": first.conflicts,
        "moderations": first.moderations,
    });
    let mut checks = serde_json::Map::new();
    for m in &all {
        let b = m.backend;
        let p99 = quantile(&m.ms, 0.99);
        let figures = [
            ("p50_ms", ms2(quantile(&m.ms, 0.5))),
            ("p99_ms", ms2(p99)),
            ("max_ms", ms2(quantile(&m.ms, 1.0))),
            ("requests_per_s", (m.requests_per_s * 10.0).round() / 10.0),
            ("requests", m.ms.len() as f64),
            ("errors", m.errors as f64),
            ("seed_s", (m.seed_s * 10.0).round() / 10.0),
            ("alone_p50_ms", ms2(quantile(&m.alone_ms, 0.5))),
            ("alone_p99_ms", ms2(quantile(&m.alone_ms, 0.99))),
            ("reads_p50_ms", ms2(quantile(&m.reads_ms, 0.5))),
            ("chair_page_kb", (m.chair_bytes as f64 / 1024.0).round()),
            ("member_page_kb", (m.member_bytes as f64 / 1024.0).round()),
        ];
        for (name, value) in figures {
            json[format!("{b}_{name}")] = value.into();
        }
        checks.insert(format!("{b}_p99_under_50"), (p99 < GOAL_MS).into());
        checks.insert(format!("{b}_no_errors"), (m.errors == 0).into());
    }
    checks.insert(
        "page_complete".into(),
        all.iter()
            .all(|m| m.complete && m.seeded.applications == seed::APPLICATIONS)
            .into(),
    );
    let failed: Vec<String> = checks
        .iter()
        .filter(|(_, v)| **v != serde_json::Value::Bool(true))
        .map(|(k, _)| k.clone())
        .collect();
    json["checks"] = checks.into();
    if !failed.is_empty() {
        println!("{json}");
        bail!("checks failed: {}", failed.join(", "));
    }
    Ok(json)
}
