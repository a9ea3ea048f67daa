//! `matching`: Convene's place-proposing stable matching of places with enablers
//! (`convene_domain::matching::match_places`), at national scale alone and against the
//! Python `matching` package (`HospitalResident`, resident-optimal) on one instance file.
//!
//! - National: 100,000 places × 10,000 enablers (`--quick`: 20,000 × 2,000), median of 7
//!   runs (`--quick`: 3) on this thread; the goal is under 100 ms.
//! - Peer: 10,000 × 1,000 (`--quick`: 2,000 × 200), written to `target/bench/matching-N.json`
//!   and read (untimed) by both sides. Convene's median of 21 runs; the package's median of
//!   3 (`--quick`: 1), each a new process on core 0, timing only `solve()`.
//!
//! The instances: each place chooses 10 distinct enablers, the lower-numbered ones somewhat
//! more popular; capacities 5–15 (as many places as seats in all); enablers order the places
//! that chose them by a shared strength plus their own noise. At national scale an enabler
//! ranks only 3 in 4 of those places (the rest follow in index order) and has a conflict
//! with 1 in 100; in the peer's instance each ranks every place that chose them and has no
//! conflicts, as the package requires. Checks: the two matchings are equal
//! (`same_matching`), and Convene's are stable with no breach of capacity or conflict
//! (`stable`), at both sizes.

use crate::median;
use crate::peer::{bench_dir, python, run_script, write_instance};
use anyhow::{Context, bail};
use convene_domain::matching::{
    EnablerChoices, Instance, Matching, PlaceChoices, blocking_pairs, breaches, match_places, problems,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::path::Path;
use std::time::Instant;

const SEED: u64 = 20_251_214;
const CHOICES: usize = 10;
const CAPACITY: std::ops::RangeInclusive<u32> = 5..=15;
/// An enabler is drawn as `n · u^POPULARITY`: above 1, the lower-numbered are chosen more.
const POPULARITY: f64 = 1.5;
/// How far an enabler's own view moves a place from its shared strength (0–1).
const NOISE: f64 = 0.5;
/// The share of the places that chose them an enabler ranks, at national scale.
const RANKED_SHARE: f64 = 0.75;
const CONFLICT_RATE: f64 = 0.01;
/// The goal for the national solve.
const NATIONAL_GOAL_MS: f64 = 100.0;

/// How enablers' lists are made: complete with no conflicts, or partly ranked with some.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Lists {
    Complete,
    Partial,
}

/// A seeded instance as the module doc describes.
fn generate(places: usize, enablers: usize, lists: Lists, seed: u64) -> Instance {
    let mut rng = StdRng::seed_from_u64(seed);
    let chosen = (0..places)
        .map(|_| {
            let mut ranks = Vec::with_capacity(CHOICES);
            while ranks.len() < CHOICES.min(enablers) {
                let e = (enablers as f64 * rng.random::<f64>().powf(POPULARITY)) as usize;
                if !ranks.contains(&e) {
                    ranks.push(e);
                }
            }
            PlaceChoices { ranks }
        })
        .collect::<Vec<_>>();
    let strength: Vec<f64> = (0..places).map(|_| rng.random()).collect();
    let mut chose: Vec<Vec<usize>> = vec![Vec::new(); enablers];
    for (p, place) in chosen.iter().enumerate() {
        for &e in &place.ranks {
            chose[e].push(p);
        }
    }
    let enablers = chose
        .into_iter()
        .map(|mut ranks| {
            let capacity = rng.random_range(CAPACITY);
            let mut conflicts = Vec::new();
            let keys: Vec<f64> = ranks
                .iter()
                .map(|p| strength[*p] + NOISE * rng.random::<f64>())
                .collect();
            let mut order: Vec<usize> = (0..ranks.len()).collect();
            order.sort_by(|a, b| keys[*b].total_cmp(&keys[*a]));
            ranks = order.into_iter().map(|i| ranks[i]).collect();
            if lists == Lists::Partial {
                conflicts = ranks
                    .iter()
                    .copied()
                    .filter(|_| rng.random_bool(CONFLICT_RATE))
                    .collect();
                ranks.retain(|_| rng.random_bool(RANKED_SHARE));
            }
            EnablerChoices {
                capacity,
                ranks,
                conflicts,
            }
        })
        .collect();
    Instance {
        places: chosen,
        enablers,
    }
}

/// Times `match_places` `runs` times on this thread: the median in ms and the matching,
/// failing if two runs differ.
fn time_convene(instance: &Instance, label: &str, runs: usize) -> anyhow::Result<(f64, Matching)> {
    let mut times = Vec::with_capacity(runs);
    let mut first: Option<Matching> = None;
    for _ in 0..runs {
        let started = Instant::now();
        let matching = match_places(instance);
        times.push(started.elapsed().as_secs_f64() * 1e3);
        match &first {
            Some(f) if *f != matching => bail!("{label}: two runs gave different matchings"),
            Some(_) => {}
            None => first = Some(matching),
        }
    }
    let ms = median(times.clone());
    println!(
        "Convene {label}: {runs} runs, median {ms:.2} ms (fastest {:.2}, slowest {:.2})",
        times.iter().copied().fold(f64::INFINITY, f64::min),
        times.iter().copied().fold(0.0, f64::max)
    );
    Ok((ms, first.context("no runs")?))
}

/// What is wrong with Convene's matching, if anything: blocking pairs or breaches.
fn instability(instance: &Instance, matching: &Matching, label: &str) -> Option<String> {
    let blocking = blocking_pairs(instance, &matching.enabler_of);
    let broken = breaches(instance, &matching.enabler_of);
    if let Some(b) = broken.first() {
        return Some(format!("{label}: {} breaches, the first: {b}", broken.len()));
    }
    blocking.first().map(|(p, e)| {
        format!(
            "{label}: {} blocking pairs, the first place {p} with enabler {e}",
            blocking.len()
        )
    })
}

/// One size's figures.
struct Size {
    places: usize,
    enablers: usize,
    solve_ms: f64,
    check_ms: f64,
    matched: usize,
    conflict_refusals: usize,
    problem: Option<String>,
}

/// Generates, checks and times one size on Convene's side.
fn measure(instance: &Instance, label: &str, runs: usize) -> anyhow::Result<(Size, Matching)> {
    if let Some(p) = problems(instance).first() {
        bail!("{label}: the generated instance has a problem: {}", p.message);
    }
    let (solve_ms, matching) = time_convene(instance, label, runs)?;
    let started = Instant::now();
    let problem = instability(instance, &matching, label);
    let check_ms = started.elapsed().as_secs_f64() * 1e3;
    let conflict_refusals = matching
        .unmatched
        .iter()
        .flat_map(|u| &u.why)
        .filter(|(_, r)| *r == convene_domain::matching::Refusal::Conflict)
        .count();
    let size = Size {
        places: instance.places.len(),
        enablers: instance.enablers.len(),
        solve_ms,
        check_ms,
        matched: instance.places.len() - matching.unmatched.len(),
        conflict_refusals,
        problem,
    };
    Ok((size, matching))
}

/// Runs the package's script `runs` times: its median solve in ms and its first matching,
/// failing if two runs differ.
fn time_python(python: &Path, file: &Path, runs: usize) -> anyhow::Result<(f64, Vec<Option<usize>>)> {
    let mut times = Vec::with_capacity(runs);
    let mut first: Option<Vec<Option<usize>>> = None;
    for run in 1..=runs {
        let line = run_script(python, "matching_peer.py", file)?;
        let solve_s = line["solve_s"].as_f64().context("no solve_s in its line")?;
        let enabler_of: Vec<Option<usize>> =
            serde_json::from_value(line["enabler_of"].clone()).context("read enabler_of")?;
        times.push(solve_s * 1e3);
        println!("matching (Python) run {run}: solve {:.1} ms", solve_s * 1e3);
        match &first {
            Some(f) if *f != enabler_of => bail!("the package gave different matchings from run to run"),
            Some(_) => {}
            None => first = Some(enabler_of),
        }
    }
    Ok((median(times), first.context("no runs")?))
}

/// Prints the table.
fn print_table(sizes: &[&Size], python_ms: f64) {
    println!(
        "matching: {CHOICES} choices per place, capacities {}–{}; median solve on one core",
        CAPACITY.start(),
        CAPACITY.end()
    );
    println!(
        "{:>8} {:>9} {:>14} {:>14} {:>9} {:>10} {:>16}",
        "places", "enablers", "Convene solve", "Python solve", "matched", "conflicts", "stability check"
    );
    for (i, s) in sizes.iter().enumerate() {
        let python = if i == 1 {
            format!("{python_ms:.1} ms")
        } else {
            "-".to_string()
        };
        println!(
            "{:>8} {:>9} {:>11.2} ms {:>14} {:>9} {:>10} {:>13.1} ms",
            s.places, s.enablers, s.solve_ms, python, s.matched, s.conflict_refusals, s.check_ms
        );
    }
}

/// Runs the benchmark and returns its JSON line; prints it and fails when a check fails.
pub fn run(quick: bool) -> anyhow::Result<serde_json::Value> {
    let (national, peer_size, national_runs, python_runs) = if quick {
        ((20_000, 2_000), (2_000, 200), 3, 1)
    } else {
        ((100_000, 10_000), (10_000, 1_000), 7, 3)
    };
    let dir = bench_dir()?;
    let python = python(&dir)?;
    let big = generate(national.0, national.1, Lists::Partial, SEED);
    let (national, _) = measure(&big, "national", national_runs)?;
    drop(big);

    let file = dir.join(format!("matching-{}.json", peer_size.0));
    let generated = generate(peer_size.0, peer_size.1, Lists::Complete, SEED);
    let how = write_instance(&file, &serde_json::to_vec(&generated)?)?;
    let bytes = std::fs::read(&file).with_context(|| format!("read {}", file.display()))?;
    let instance: Instance = serde_json::from_slice(&bytes).context("parse the instance")?;
    println!(
        "instance {} ({how}, {:.0} kB, read and parsed untimed)",
        file.display(),
        bytes.len() as f64 / 1e3
    );
    let (peer, ours) = measure(&instance, "peer size", 21)?;
    let (python_ms, theirs) = time_python(&python, &file, python_runs)?;
    print_table(&[&national, &peer], python_ms);

    let same_matching = ours.enabler_of == theirs;
    let problems: Vec<String> = [&national.problem, &peer.problem]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    let stable = problems.is_empty();
    let speedup = python_ms / peer.solve_ms;
    println!(
        "same matching as the package: {same_matching}; stable within limits: {}; speedup {speedup:.0}×; \
         national solve under {NATIONAL_GOAL_MS} ms: {}",
        if stable {
            "yes".to_string()
        } else {
            problems.join("; ")
        },
        national.solve_ms < NATIONAL_GOAL_MS
    );
    let json = serde_json::json!({
        "benchmark": "matching",
        "quick": quick,
        "national": [national.places, national.enablers],
        "peer": [peer.places, peer.enablers],
        "national_solve_ms": national.solve_ms,
        "national_blocking_check_ms": national.check_ms,
        "national_matched": national.matched,
        "convene_solve_ms": peer.solve_ms,
        "python_solve_ms": python_ms,
        "speedup": speedup,
        "checks": { "same_matching": same_matching, "stable": stable },
    });
    if !same_matching || !stable {
        println!("{json}");
        let differ = (0..ours.enabler_of.len())
            .filter(|p| ours.enabler_of.get(*p) != theirs.get(*p))
            .count();
        bail!(
            "a check failed: {}",
            if stable {
                format!("the matchings differ at {differ} places")
            } else {
                problems.join("; ")
            }
        );
    }
    Ok(json)
}
