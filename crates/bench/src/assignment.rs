//! `assignment`: Convene's exact reviewer assignment (`convene_domain::panels::assignment`)
//! against Google OR-Tools' `min_cost_flow` on the same instance file: 10,000 applications ×
//! 2,000 members (`--quick`: 1,000 × 200), 3 reviews each, load cap 15, 2% conflicts.
//! Both sides get one core; only the solve is timed (OR-Tools is given the whole network,
//! every unconflicted pair an arc, built untimed). Checks: Convene's assignment is valid and
//! its cost equals OR-Tools' optimum.

use crate::median;
use crate::peer::{bench_dir, python, run_script, write_instance};
use anyhow::{Context, bail};
use convene_domain::panels::assignment::{Application, Assignment, Bid, Instance, Member, Pair, assign};
use rand::rngs::StdRng;
use rand::seq::index::sample;
use rand::{Rng, SeedableRng};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Instant;

const SEED: u64 = 20_250_610;
const REVIEWS: u32 = 3;
const LOAD_CAP: u32 = 15;
const THEMES: usize = 12;
const REGIONS: u8 = 9;
const BIDS_PER_MEMBER: usize = 30;
const CONFLICT_RATE: f64 = 0.02;

/// A seeded random instance: each application one theme and one region; each member 1–3
/// themes, one region, bids of 1–3 on 30 distinct applications, and each pair conflicted
/// with probability 2%. Reviews 3, load cap 15 for everyone (with 5 applications per member,
/// exactly the capacity needed).
pub fn generate(applications: usize, members: usize, seed: u64) -> Instance {
    let mut rng = StdRng::seed_from_u64(seed);
    let applications_list = (0..applications)
        .map(|_| Application {
            themes: 1 << rng.random_range(0..THEMES),
            region: Some(rng.random_range(0..REGIONS)),
        })
        .collect();
    let mut members_list = Vec::with_capacity(members);
    let mut bids = Vec::with_capacity(members * BIDS_PER_MEMBER);
    let mut conflicts = Vec::new();
    for m in 0..members as u32 {
        let known = rng.random_range(1..=3);
        members_list.push(Member {
            themes: sample(&mut rng, THEMES, known)
                .into_iter()
                .fold(0, |t, i| t | 1 << i),
            region: Some(rng.random_range(0..REGIONS)),
            load_cap: LOAD_CAP,
        });
        for a in sample(&mut rng, applications, BIDS_PER_MEMBER.min(applications)) {
            bids.push(Bid {
                member: m,
                application: a as u32,
                value: rng.random_range(1..=3),
            });
        }
        conflict_row(&mut rng, m, applications, &mut conflicts);
    }
    Instance {
        reviews_per_application: REVIEWS,
        members: members_list,
        applications: applications_list,
        bids,
        conflicts,
    }
}

/// One member's conflicts, each application with probability `CONFLICT_RATE`: jumps straight
/// to the next conflicted application (geometric gaps) instead of drawing for every pair.
fn conflict_row(rng: &mut StdRng, member: u32, applications: usize, out: &mut Vec<Pair>) {
    let log_miss = (1.0 - CONFLICT_RATE).ln();
    let mut next = 0usize;
    loop {
        let u: f64 = rng.random();
        next = next.saturating_add(((1.0 - u).ln() / log_miss) as usize);
        if next >= applications {
            return;
        }
        out.push(Pair {
            member,
            application: next as u32,
        });
        next += 1;
    }
}

/// Times `assign` `runs` times on this thread; the median, and the first run's answer.
fn time_convene(instance: &Instance, runs: usize) -> anyhow::Result<(f64, Assignment)> {
    let mut times = Vec::new();
    let mut first: Option<Assignment> = None;
    for _ in 0..runs {
        let started = Instant::now();
        let result = assign(instance);
        times.push(started.elapsed().as_secs_f64());
        println!(
            "Convene assign run {}: {:.3} s",
            times.len(),
            times[times.len() - 1]
        );
        let assignment = result.map_err(|e| anyhow::anyhow!("Convene's assign failed: {e}"))?;
        match &first {
            Some(f) if f.total_affinity != assignment.total_affinity => {
                bail!(
                    "assign gave {} then {}",
                    f.total_affinity,
                    assignment.total_affinity
                )
            }
            Some(_) => {}
            None => first = Some(assignment),
        }
    }
    Ok((median(times), first.context("no runs")?))
}

/// What is wrong with an assignment, if anything: each application exactly k distinct
/// members, loads within caps, no conflicted pair, and the total affinity recomputed here
/// from the instance (10 per shared theme, 5 for a shared region, plus the bid).
fn invalidity(instance: &Instance, assignment: &Assignment) -> Option<String> {
    let (m, n) = (instance.members.len(), instance.applications.len());
    let mut bids: HashMap<(u32, u32), u8> = HashMap::new();
    for b in &instance.bids {
        let v = bids.entry((b.member, b.application)).or_default();
        *v = (*v).max(b.value);
    }
    let conflicts: HashSet<(u32, u32)> = instance
        .conflicts
        .iter()
        .map(|c| (c.member, c.application))
        .collect();
    let mut seen = HashSet::new();
    let (mut load, mut reviews) = (vec![0u32; m], vec![0u32; n]);
    let mut total = 0i64;
    for p in &assignment.pairs {
        let (mi, ai) = (p.member as usize, p.application as usize);
        if mi >= m || ai >= n {
            return Some(format!("pair {p:?} is out of range"));
        }
        if !seen.insert((p.member, p.application)) {
            return Some(format!("pair {p:?} appears twice"));
        }
        if conflicts.contains(&(p.member, p.application)) {
            return Some(format!("pair {p:?} is conflicted"));
        }
        load[mi] += 1;
        reviews[ai] += 1;
        let (member, application) = (&instance.members[mi], &instance.applications[ai]);
        let same_region = member.region.is_some() && member.region == application.region;
        total += 10 * i64::from((member.themes & application.themes).count_ones())
            + if same_region { 5 } else { 0 }
            + i64::from(bids.get(&(p.member, p.application)).copied().unwrap_or(0));
    }
    if let Some(a) = reviews
        .iter()
        .position(|r| *r != instance.reviews_per_application)
    {
        return Some(format!("application {a} has {} reviewers", reviews[a]));
    }
    if let Some(i) = (0..m).find(|i| load[*i] > instance.members[*i].load_cap) {
        return Some(format!("member {i} has {} reviews, over their cap", load[i]));
    }
    (total != assignment.total_affinity).then(|| {
        format!(
            "total affinity {} but the pairs add up to {total}",
            assignment.total_affinity
        )
    })
}

/// What one OR-Tools run printed.
struct OrTools {
    solve_s: f64,
    cost: i64,
    flow: i64,
    arcs: i64,
}

/// Runs the OR-Tools script `runs` times, each a new process on core 0; the median solve.
fn time_ortools(python: &Path, file: &Path, runs: usize) -> anyhow::Result<OrTools> {
    let mut results = Vec::new();
    for _ in 0..runs {
        let line = run_script(python, "assignment_ortools.py", file)?;
        if line["status"] != "OPTIMAL" {
            bail!("OR-Tools answered {}", line["status"]);
        }
        let int = |k: &str| line[k].as_i64().with_context(|| format!("no {k} in {line}"));
        results.push(OrTools {
            solve_s: line["solve_s"].as_f64().context("no solve_s")?,
            cost: int("cost")?,
            flow: int("flow")?,
            arcs: int("arcs")?,
        });
    }
    if results.windows(2).any(|w| w[0].cost != w[1].cost) {
        bail!("OR-Tools gave different costs from run to run");
    }
    let solve_s = median(results.iter().map(|r| r.solve_s).collect());
    let first = results.swap_remove(0);
    Ok(OrTools { solve_s, ..first })
}

/// Runs the benchmark and returns its JSON line; prints it and fails when a check fails.
pub fn run(quick: bool) -> anyhow::Result<serde_json::Value> {
    let (applications, members, runs) = if quick {
        (1_000, 200, 5)
    } else {
        (10_000, 2_000, 3)
    };
    let dir = bench_dir()?;
    let file = dir.join(format!(
        "assignment-{}.json",
        if quick { "quick" } else { "full" }
    ));
    let json = serde_json::to_vec(&generate(applications, members, SEED))?;
    let how = write_instance(&file, &json)?;
    let python = python(&dir)?;

    // Read back the file, as Convene would be handed it; not timed.
    let started = Instant::now();
    let bytes = std::fs::read(&file).with_context(|| format!("read {}", file.display()))?;
    let instance: Instance = serde_json::from_slice(&bytes).context("parse the instance")?;
    let read_s = started.elapsed().as_secs_f64();
    let (convene_s, assignment) = time_convene(&instance, runs)?;
    let problem = invalidity(&instance, &assignment);
    let ortools = time_ortools(&python, &file, runs)?;
    let convene_cost = -assignment.total_affinity;
    let equal_cost = convene_cost == ortools.cost;

    println!(
        "assignment: {applications} applications × {members} members, {REVIEWS} reviews each, load cap {LOAD_CAP}, \
         {} bids, {} conflicts; median of {runs} solves, one core each",
        instance.bids.len(),
        instance.conflicts.len()
    );
    println!(
        "instance {} ({how}, {:.1} MB, read and parsed in {read_s:.2} s, not timed)",
        file.display(),
        bytes.len() as f64 / 1e6
    );
    println!("{:<38} {:>10} {:>14}", "solver", "solve s", "cost");
    println!(
        "{:<38} {:>10.3} {:>14}",
        "Convene assign", convene_s, convene_cost
    );
    println!(
        "{:<38} {:>10.3} {:>14}",
        format!("OR-Tools min_cost_flow ({} arcs)", ortools.arcs),
        ortools.solve_s,
        ortools.cost
    );
    println!(
        "speedup vs OR-Tools: {:.1}×; OR-Tools flow {}",
        ortools.solve_s / convene_s,
        ortools.flow
    );
    let valid = problem.as_deref().unwrap_or("yes");
    println!("equal cost: {equal_cost}; valid assignment: {valid}");

    let json = serde_json::json!({
        "benchmark": "assignment",
        "quick": quick,
        "applications": applications,
        "members": members,
        "convene_solve_s": convene_s,
        "ortools_solve_s": ortools.solve_s,
        "speedup_vs_ortools": ortools.solve_s / convene_s,
        "convene_cost": convene_cost,
        "ortools_cost": ortools.cost,
        "checks": { "equal_cost": equal_cost, "valid_assignment": problem.is_none() },
    });
    if !equal_cost || problem.is_some() {
        println!("{json}");
        bail!(
            "a check failed: {}",
            problem.unwrap_or_else(|| "Convene's cost differs from OR-Tools'".into())
        );
    }
    Ok(json)
}
