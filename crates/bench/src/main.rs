//! `convene-bench NAME [--quick]`: Convene's benchmarks. Each prints a readable table, then
//! as its very last line one JSON object with its figures.

mod applying;
mod assignment;
mod http;
mod matching;
mod moderation;
mod peer;
mod public;
mod selection;
mod wrk;

use std::process::ExitCode;

// The same allocator as the `convene` binary, so the server measured is the one that runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let name = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .cloned()
        .unwrap_or_default();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("convene-bench: {e}");
            return ExitCode::from(2);
        }
    };
    let result = match name.as_str() {
        "http" => runtime.block_on(http::run(quick)),
        "applications" => runtime.block_on(applying::run(quick)),
        "public" => runtime.block_on(public::run(quick)),
        "moderation" => runtime.block_on(moderation::run(quick)),
        // On this thread, outside the runtime: the solver is single-threaded.
        "assignment" => assignment::run(quick),
        "selection" => selection::run(quick),
        "matching" => matching::run(quick),
        _ => {
            eprintln!(
                "usage: convene-bench NAME [--quick]\n\nbenchmarks:\n  http           the signed-in dashboard under wrk at 64 connections, against a bare axum ceiling\n  public         the Local Vision page and open calls, no sign-in, under wrk at 64 connections, against the ceiling\n  applications   200 applicants saving and submitting, the admin list and XLSX export, on SQLite and PostgreSQL\n  assignment     the exact reviewer assignment, 10,000 applications × 2,000 members, against OR-Tools' min_cost_flow\n  selection      the exact selection within budget, 500 and 2,000 applications, against HiGHS\n  matching       the stable matching of places with enablers, 100,000 × 10,000 alone and 10,000 × 1,000 against the Python matching package\n  moderation     the moderation page of a 500-application round, 8 panel members reading at once, on SQLite and PostgreSQL"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("convene-bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The median of some measurements.
pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}
