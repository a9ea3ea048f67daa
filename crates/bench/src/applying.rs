//! `applications`: the national-scale data set (`convene generate`), on SQLite and then on
//! PostgreSQL, served in-process; then
//! - 200 simulated applicants in a closed loop (each sends its next request when the last
//!   returns), 80% section saves and 20% submissions, each with its own session cookie and
//!   CSRF token (goal: p99 under 50 ms per request kind);
//! - the admin list of the 10,000-application round, filtered, one page of 50 (goal: under
//!   100 ms);
//! - the XLSX export of 1,000 and of 10,000 applications (goal: 10,000 in under 5 s, and
//!   peak memory at 10,000 within a few MB of that at 1,000).

use crate::median;
use anyhow::{Context, bail};
use convene_domain::ApplicationId;
use convene_domain::Clock;
use convene_store::national::{self, Options};
use convene_store::testing::{Backend, TestDb};
use convene_web::state::SystemClock;
use convene_web::{AppState, Config};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

const APPLICANTS: usize = 200;
/// The light-load run: a few applicants, so requests do not wait for each other.
const LIGHT_APPLICANTS: usize = 4;

/// Latencies of one kind of request, in milliseconds.
#[derive(Default)]
struct Kind {
    ms: Vec<f64>,
    errors: usize,
}

impl Kind {
    fn percentile(&self, p: f64) -> f64 {
        let mut v = self.ms.clone();
        v.sort_by(|a, b| a.total_cmp(b));
        if v.is_empty() {
            return f64::NAN;
        }
        v[((v.len() as f64 - 1.0) * p).round() as usize]
    }
}

fn csrf(html: &str) -> anyhow::Result<String> {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).context("no CSRF token on the page")? + marker.len();
    Ok(html[start..].split('"').next().unwrap_or_default().to_string())
}

fn client() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(1)
        .build()?)
}

async fn sign_in(base: &str, email: &str) -> anyhow::Result<(reqwest::Client, String)> {
    let c = client()?;
    let page = c.get(format!("{base}/sign-in")).send().await?.text().await?;
    let token = csrf(&page)?;
    let res = c
        .post(format!("{base}/sign-in"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", email),
            ("password", national::PASSWORD),
        ])
        .send()
        .await?;
    if res.status() != 303 {
        bail!("sign-in as {email} answered {}", res.status());
    }
    // The token lives in the session, which sign-in renews: read it again.
    let page = c.get(format!("{base}/account")).send().await?.text().await?;
    Ok((c, csrf(&page)?))
}

/// A small deterministic random source for choosing saves or submissions.
struct Dice(u64);

impl Dice {
    fn roll(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % 100
    }
}

/// One applicant's closed loop until `until`; returns (saves, submissions).
#[allow(clippy::too_many_arguments)]
async fn applicant(
    base: String,
    client: reqwest::Client,
    token: String,
    mut drafts: Vec<i64>,
    first_version: i64,
    seed: u64,
    measure_from: Instant,
    until: Instant,
) -> (Kind, Kind) {
    let mut saves = Kind::default();
    let mut submits = Kind::default();
    let mut dice = Dice(seed | 1);
    let mut version = first_version;
    drafts.reverse();
    let words = "We will write up what we learn on the knowledge hub and host visits from two other places each year.";
    while Instant::now() < until {
        let Some(&current) = drafts.last() else { break };
        let submit = dice.roll() < 20;
        let started = Instant::now();
        let result = if submit {
            client
                .post(format!("{base}/applications/{current}/submit"))
                .form(&[("csrf_token", token.as_str())])
                .send()
                .await
        } else {
            let v = version.to_string();
            client
                .post(format!("{base}/applications/{current}/sections/lessons"))
                .form(&[
                    ("csrf_token", token.as_str()),
                    ("version", v.as_str()),
                    ("action", "later"),
                    ("wider_lessons", words),
                ])
                .send()
                .await
        };
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        let ok = match result {
            Ok(res) => {
                let status = res.status().as_u16();
                let location = res
                    .headers()
                    .get("location")
                    .and_then(|l| l.to_str().ok())
                    .unwrap_or_default()
                    .to_string();
                let _ = res.bytes().await;
                if submit {
                    status == 303 && location.ends_with("/confirmation")
                } else {
                    status == 303
                }
            }
            Err(_) => false,
        };
        if submit && ok {
            drafts.pop();
            version = 1;
        } else if ok {
            version += 1;
        }
        let kind = if submit { &mut submits } else { &mut saves };
        if !ok {
            kind.errors += 1;
        }
        if started >= measure_from {
            kind.ms.push(ms);
        }
    }
    (saves, submits)
}

/// The unsubmitted drafts of the `i`th applicant's place.
async fn drafts_of(db: &convene_store::Db, i: usize) -> anyhow::Result<Vec<i64>> {
    let place = convene_store::programmes::place_by_reference(db, &format!("GEN-{:05}", i + 1))
        .await?
        .context("generated place")?;
    let mut drafts: Vec<i64> = convene_store::applications::for_places(db, &[place])
        .await?
        .into_iter()
        .filter(|a| {
            a.status == convene_domain::applications::ApplicationStatus::Draft && a.reference.is_none()
        })
        .map(|a| a.id.0)
        .collect();
    drafts.sort_unstable();
    Ok(drafts)
}

/// Peak resident memory of this process since the last reset, in MB.
fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Resets the peak so the next reading covers only what follows.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

async fn serve(db: convene_store::Db) -> anyhow::Result<SocketAddr> {
    let app = convene_web::build_app(AppState::new(db, Arc::new(SystemClock), {
        // Benchmarks measure pages, not the second factor of signing in.
        let mut config = Config::new("http://127.0.0.1");
        config.enforce_two_factor = false;
        config
    }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await;
    });
    Ok(addr)
}

/// Everything measured on one store.
struct Figures {
    backend: &'static str,
    generate_s: f64,
    requests_per_s: f64,
    saves: Kind,
    submits: Kind,
    light: Kind,
    list_ms: Kind,
    export: Vec<(usize, f64, f64)>,
}

async fn run_on(backend: Backend, quick: bool) -> anyhow::Result<Figures> {
    let options = if quick {
        Options {
            applications: 12_000,
            rounds: 10,
        }
    } else {
        Options::default()
    };
    let test_db = TestDb::new(backend).await;
    // The server's pool as `convene serve` sizes it.
    let db = convene_store::connect(&test_db.url, 16).await?;
    let started = Instant::now();
    let made = national::generate(&db, options, SystemClock.now(), |_| {}).await?;
    let generate_s = started.elapsed().as_secs_f64();
    let addr = serve(db.clone()).await?;
    let base = format!("http://{addr}");

    let applicants = sign_in_applicants(&base, &db).await?;
    let seconds = if quick { 5 } else { 20 };
    let (saves, submits) = full_load(&base, applicants, quick, seconds).await?;
    let requests_per_s = (saves.ms.len() + submits.ms.len()) as f64 / seconds as f64;
    let light = light_load(&base, &db, seconds).await?;
    let (admin, _) = sign_in(&base, "bench.admin@example.org").await?;
    let list_ms = admin_list(&admin, &base, &made.largest_round, quick).await?;
    let export = exports(&admin, &base, &made, options.applications).await?;
    db.close().await;
    test_db.remove().await;
    Ok(Figures {
        backend: match backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        },
        generate_s,
        requests_per_s,
        saves,
        submits,
        light,
        list_ms,
        export,
    })
}

/// A signed-in applicant: their client, CSRF token and draft applications.
type Applicant = (reqwest::Client, String, Vec<i64>);

/// Signs in every applicant and finds its drafts.
async fn sign_in_applicants(base: &str, db: &convene_store::Db) -> anyhow::Result<Vec<Applicant>> {
    // Sign in every applicant and find its drafts.
    let mut applicants = Vec::new();
    for i in 0..APPLICANTS {
        let email = format!("bench.applicant.{:03}@example.org", i + 1);
        let (c, token) = sign_in(base, &email).await?;
        let place = convene_store::programmes::place_by_reference(db, &format!("GEN-{:05}", i + 1))
            .await?
            .context("generated place")?;
        let drafts: Vec<i64> = convene_store::applications::for_places(db, &[place])
            .await?
            .into_iter()
            .filter(|a| {
                a.status == convene_domain::applications::ApplicationStatus::Draft && a.reference.is_none()
            })
            .map(|a| a.id.0)
            .collect();
        applicants.push((c, token, drafts));
    }
    Ok(applicants)
}

/// Every applicant saving and submitting in a closed loop; the saves and submissions
/// measured after the warm-up.
async fn full_load(
    base: &str,
    applicants: Vec<Applicant>,
    quick: bool,
    seconds: u64,
) -> anyhow::Result<(Kind, Kind)> {
    let warm = if quick { 1 } else { 3 };
    let measure_from = Instant::now() + Duration::from_secs(warm);
    let until = measure_from + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for (i, (c, token, drafts)) in applicants.into_iter().enumerate() {
        tasks.push(tokio::spawn(applicant(
            base.to_string(),
            c,
            token,
            drafts,
            1,
            0x5EED + i as u64,
            measure_from,
            until,
        )));
    }
    let mut saves = Kind::default();
    let mut submits = Kind::default();
    for t in tasks {
        let (s, m) = t.await?;
        saves.ms.extend(s.ms);
        saves.errors += s.errors;
        submits.ms.extend(m.ms);
        submits.errors += m.errors;
    }

    Ok((saves, submits))
}

/// The same work from a few applicants: what one request costs when nobody queues.
async fn light_load(base: &str, db: &convene_store::Db, seconds: u64) -> anyhow::Result<Kind> {
    let mut light = Kind::default();
    let mut light_tasks = Vec::new();
    let light_from = Instant::now() + Duration::from_secs(1);
    let light_until = light_from + Duration::from_secs(seconds / 2);
    // The first applicants whose places still have drafts: the full load may have
    // submitted every draft of the first ones.
    let mut chosen = 0;
    for i in 0..APPLICANTS {
        if chosen == LIGHT_APPLICANTS {
            break;
        }
        let drafts = drafts_of(db, i).await?;
        let Some(first) = drafts.first().copied() else {
            continue;
        };
        chosen += 1;
        let (c, token) = sign_in(base, &format!("bench.applicant.{:03}@example.org", i + 1)).await?;
        let version = convene_store::applications::sections(db, ApplicationId(first))
            .await?
            .into_iter()
            .find(|s| s.key == "lessons")
            .map_or(1, |s| s.version);
        light_tasks.push(tokio::spawn(applicant(
            base.to_string(),
            c,
            token,
            drafts,
            version,
            0xF00D + i as u64,
            light_from,
            light_until,
        )));
    }
    for t in light_tasks {
        let (s, m) = t.await?;
        light.ms.extend(s.ms);
        light.ms.extend(m.ms);
        light.errors += s.errors + m.errors;
    }

    Ok(light)
}

/// The admin list of the largest round: one page, filtered, timed.
async fn admin_list(
    admin: &reqwest::Client,
    base: &str,
    largest_round: &str,
    quick: bool,
) -> anyhow::Result<Kind> {
    let list = format!(
        "{base}/programmes/{}/rounds/{}/applications",
        national::SLUG,
        largest_round
    );
    let mut list_ms = Kind::default();
    let queries = [
        "?status=submitted&kind=council",
        "?status=draft&region=London",
        "?kind=ics&page=3",
        "?status=submitted&kind=council&region=North+West&page=2",
        "",
    ];
    for i in 0..if quick { 20 } else { 50 } {
        let q = queries[i % queries.len()];
        let started = Instant::now();
        let res = admin.get(format!("{list}{q}")).send().await?;
        let ok = res.status() == 200;
        let body = res.text().await?;
        list_ms.ms.push(started.elapsed().as_secs_f64() * 1000.0);
        if !ok || !body.contains("applications match") && !body.contains("application matches") {
            list_ms.errors += 1;
        }
    }

    Ok(list_ms)
}

/// Exports: the 1,000-application round and the largest one, with their time and peak memory.
async fn exports(
    admin: &reqwest::Client,
    base: &str,
    made: &national::Generated,
    applications: usize,
) -> anyhow::Result<Vec<(usize, f64, f64)>> {
    let mut export = Vec::new();
    let mut targets = Vec::new();
    if let Some(r) = &made.thousand_round {
        targets.push((1_000usize, r.clone()));
    }
    targets.push((applications.min(made.places), made.largest_round.clone()));
    for (rows, round) in targets {
        reset_peak_rss();
        let started = Instant::now();
        let mut res = admin
            .get(format!(
                "{base}/programmes/{}/rounds/{round}/applications.xlsx",
                national::SLUG
            ))
            .send()
            .await?;
        if res.status() != 200 {
            bail!("export of {round} answered {}", res.status());
        }
        let mut bytes = 0usize;
        while let Some(chunk) = res.chunk().await? {
            bytes += chunk.len();
        }
        let seconds = started.elapsed().as_secs_f64();
        if bytes < 1_000 {
            bail!("export of {round} was only {bytes} bytes");
        }
        export.push((rows, seconds, peak_rss_mb()));
    }
    Ok(export)
}

impl Figures {
    /// Every failed request of every kind.
    fn errors(&self) -> usize {
        self.saves.errors + self.submits.errors + self.light.errors + self.list_ms.errors
    }
}

/// One store's lines of the table.
fn print_figures(f: &Figures, errors: usize) {
    println!(
        "{:<9} {:>9.1} {:>10.0} {:>9.2} {:>9.2} {:>10.2} {:>10.2} {:>7} {:>9.2} {:>9.2}",
        f.backend,
        f.generate_s,
        f.requests_per_s,
        f.saves.percentile(0.5),
        f.saves.percentile(0.99),
        f.submits.percentile(0.5),
        f.submits.percentile(0.99),
        errors,
        median(f.list_ms.ms.clone()),
        f.list_ms.percentile(0.99),
    );
    println!(
        "{:<9} with {LIGHT_APPLICANTS} applicants instead: p50 {:.2} ms, p99 {:.2} ms over {} requests",
        f.backend,
        f.light.percentile(0.5),
        f.light.percentile(0.99),
        f.light.ms.len()
    );
    for (rows, seconds, mb) in &f.export {
        println!(
            "{:<9} XLSX export of {rows} applications: {seconds:.2} s, peak resident memory {mb:.1} MB",
            f.backend
        );
    }
}

/// One store's figures, as their JSON object.
fn figures_json(f: &Figures, errors: usize) -> serde_json::Value {
    let exports: Vec<serde_json::Value> = f
        .export
        .iter()
        .map(|(rows, s, mb)| serde_json::json!({ "rows": rows, "seconds": (s * 100.0).round() / 100.0, "peak_rss_mb": (mb * 10.0).round() / 10.0 }))
        .collect();
    serde_json::json!({
        "generate_seconds": (f.generate_s * 10.0).round() / 10.0,
        "requests_per_s": f.requests_per_s.round(),
        "save_p50_ms": f.saves.percentile(0.5),
        "save_p99_ms": f.saves.percentile(0.99),
        "submit_p50_ms": f.submits.percentile(0.5),
        "submit_p99_ms": f.submits.percentile(0.99),
        "saves": f.saves.ms.len(),
        "submissions": f.submits.ms.len(),
        "errors": errors,
        "light_load_applicants": LIGHT_APPLICANTS,
        "light_load_p50_ms": f.light.percentile(0.5),
        "light_load_p99_ms": f.light.percentile(0.99),
        "list_p50_ms": median(f.list_ms.ms.clone()),
        "list_p99_ms": f.list_ms.percentile(0.99),
        "exports": exports,
    })
}

/// One store's goals, met or not.
fn add_checks(checks: &mut serde_json::Map<String, serde_json::Value>, f: &Figures, errors: usize) {
    let largest = f.export.last().copied().unwrap_or((0, f64::NAN, f64::NAN));
    let smallest = f.export.first().copied().unwrap_or(largest);
    checks.insert(
        format!("{}_save_p99_under_50_ms", f.backend),
        (f.saves.percentile(0.99) < 50.0).into(),
    );
    checks.insert(
        format!("{}_submit_p99_under_50_ms", f.backend),
        (f.submits.percentile(0.99) < 50.0).into(),
    );
    checks.insert(format!("{}_no_errors", f.backend), (errors == 0).into());
    checks.insert(
        format!("{}_list_under_100_ms", f.backend),
        (f.list_ms.percentile(0.99) < 100.0).into(),
    );
    checks.insert(
        format!("{}_export_under_5_s", f.backend),
        (largest.1 < 5.0).into(),
    );
    checks.insert(
        format!("{}_export_memory_flat", f.backend),
        ((largest.2 - smallest.2).abs() < 8.0).into(),
    );
}

/// Runs the benchmark on both stores and returns its JSON line.
pub async fn run(quick: bool) -> anyhow::Result<serde_json::Value> {
    let mut all = Vec::new();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        all.push(run_on(backend, quick).await?);
    }
    println!(
        "applications: {} applicants, closed loop, 80% section saves / 20% submissions{}",
        APPLICANTS,
        if quick {
            " (quick: 12,000 applications over 10 rounds)"
        } else {
            ", 100,000 applications over 200 rounds"
        }
    );
    println!(
        "{:<9} {:>9} {:>10} {:>9} {:>9} {:>10} {:>10} {:>7} {:>9} {:>9}",
        "store",
        "gen s",
        "req/s",
        "save p50",
        "save p99",
        "submit p50",
        "submit p99",
        "errors",
        "list p50",
        "list p99"
    );
    let mut json = serde_json::Map::new();
    let mut checks = serde_json::Map::new();
    for f in &all {
        let errors = f.errors();
        print_figures(f, errors);
        json.insert(f.backend.into(), figures_json(f, errors));
        add_checks(&mut checks, f, errors);
    }
    Ok(serde_json::json!({
        "bench": "applications",
        "quick": quick,
        "figures": json,
        "checks": checks,
    }))
}
