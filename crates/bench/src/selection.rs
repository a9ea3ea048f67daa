//! `selection`: Convene's exact selection within budget (`convene_domain::selection::solve`)
//! against HiGHS (`highspy`, one thread, mip_rel_gap 0) on the same instance file, at 500
//! and 2,000 applications (`--quick`: 200 and 500): 9 regions, 12 themes, scores 100–500,
//! a budget for 60 places at £35,000 (one application in ten costs another value between
//! £20,000 and £50,000), 60 places, at most 9 per region and at least 1 per theme. Only the
//! solve is timed on each side (HiGHS: wall time around `run()`, the model built untimed).
//! Checks: each side's selection meets every limit (rechecked here) and the two optimal
//! totals are equal. Also times `select`, which adds the explanations, at 500.

use crate::median;
use crate::peer::{bench_dir, python, run_script, write_instance};
use anyhow::{Context, bail};
use convene_domain::imports::REGIONS;
use convene_domain::money::Pence;
use convene_domain::selection::{Candidate, Instance, Rule, select, solve};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

const SEED: u64 = 20_251_202;
const THEMES: usize = 12;
const PLACES: u32 = 60;
const VALUE_PER_PLACE: Pence = Pence::pounds(35_000);
const OTHER_VALUE_RATE: f64 = 0.1;
const MOST_PER_REGION: u32 = 9;
const LEAST_PER_THEME: u32 = 1;
/// Where `select` (with explanations) is timed.
const EXPLAINED_AT: usize = 500;
/// Seconds of `select` runs after which no more are started.
const SELECT_BUDGET_S: f64 = 30.0;

/// A seeded random instance: each application one region and one theme, a moderated
/// score of 100–500 hundredths, and the round's value per place unless (one in ten) the
/// admin set another of £20,000–£50,000; a budget of 60 places at £35,000 and 60 places
/// whatever the number of applications; a rule for every region and every theme.
pub fn generate(applications: usize, seed: u64) -> Instance {
    let mut rng = StdRng::seed_from_u64(seed);
    let theme = |t: usize| format!("Theme {}", t + 1);
    let candidates = (0..applications)
        .map(|a| Candidate {
            reference: format!("SEL-{:05}", a + 1),
            score: rng.random_range(100..=500),
            cost: if rng.random_bool(OTHER_VALUE_RATE) {
                Pence::pounds(rng.random_range(20_000..=50_000))
            } else {
                VALUE_PER_PLACE
            },
            region: Some(REGIONS[rng.random_range(0..REGIONS.len())].to_string()),
            theme: Some(theme(rng.random_range(0..THEMES))),
        })
        .collect();
    let regions = REGIONS.iter().map(|r| Rule::AtMostInRegion {
        region: r.to_string(),
        most: MOST_PER_REGION,
    });
    let themes = (0..THEMES).map(|t| Rule::AtLeastInTheme {
        theme: theme(t),
        least: LEAST_PER_THEME,
    });
    Instance {
        candidates,
        budget: Pence(VALUE_PER_PLACE.0 * i64::from(PLACES)),
        places: PLACES,
        rules: regions.chain(themes).collect(),
    }
}

/// Times `solve` `runs` times on this thread; the median, and the first run's answer.
fn time_convene(instance: &Instance, size: usize, runs: usize) -> anyhow::Result<(f64, Vec<usize>, i64)> {
    let mut times = Vec::new();
    let mut first: Option<(Vec<usize>, i64)> = None;
    for _ in 0..runs {
        let started = Instant::now();
        let result = solve(instance);
        times.push(started.elapsed().as_secs_f64());
        println!(
            "Convene solve at {size}, run {}: {:.3} s",
            times.len(),
            times[times.len() - 1]
        );
        let (chosen, total) = result.map_err(|e| anyhow::anyhow!("Convene's solve failed: {e}"))?;
        match &first {
            Some((_, t)) if *t != total => bail!("solve gave {t} then {total}"),
            Some(_) => {}
            None => first = Some((chosen, total)),
        }
    }
    let (chosen, total) = first.context("no runs")?;
    Ok((median(times), chosen, total))
}

/// Times `select` (the optimum and its explanations) up to `runs` times, no more runs
/// once `SELECT_BUDGET_S` has gone (an explanation can take far longer than the optimum);
/// the median and how many runs it is of.
fn time_select(instance: &Instance, optimum: i64, runs: usize) -> anyhow::Result<(f64, usize)> {
    let mut times: Vec<f64> = Vec::new();
    while times.len() < runs && times.iter().sum::<f64>() < SELECT_BUDGET_S {
        let started = Instant::now();
        let result = select(instance);
        times.push(started.elapsed().as_secs_f64());
        println!(
            "Convene select (explained) run {}: {:.3} s",
            times.len(),
            times[times.len() - 1]
        );
        let selection = result.map_err(|e| anyhow::anyhow!("Convene's select failed: {e}"))?;
        if selection.total_score != optimum {
            bail!("select gave {} but solve {optimum}", selection.total_score);
        }
    }
    let n = times.len();
    Ok((median(times), n))
}

/// What is wrong with a selection, if anything: indices distinct and in range, the costs
/// within the budget, no more than the places, each region's count within its rule and
/// each theme's at least its rule, and the total recomputed here from the scores.
fn invalidity(instance: &Instance, chosen: &[usize], total: i64) -> Option<String> {
    let candidates = &instance.candidates;
    let mut seen = vec![false; candidates.len()];
    let (mut spent, mut sum) = (0i64, 0i64);
    let mut regions: HashMap<&str, u32> = HashMap::new();
    let mut themes: HashMap<&str, u32> = HashMap::new();
    for &i in chosen {
        if i >= candidates.len() || std::mem::replace(&mut seen[i], true) {
            return Some(format!("candidate {i} is out of range or chosen twice"));
        }
        let c = &candidates[i];
        spent += c.cost.0;
        sum += c.score;
        *regions
            .entry(c.region.as_deref().unwrap_or_default())
            .or_default() += 1;
        *themes.entry(c.theme.as_deref().unwrap_or_default()).or_default() += 1;
    }
    if spent > instance.budget.0 {
        return Some(format!(
            "spends {} of a budget of {}",
            Pence(spent),
            instance.budget
        ));
    }
    if chosen.len() > instance.places as usize {
        return Some(format!("{} chosen for {} places", chosen.len(), instance.places));
    }
    for rule in &instance.rules {
        let broken = match rule {
            Rule::AtMostInRegion { region, most } => {
                regions.get(region.as_str()).copied().unwrap_or(0) > *most
            }
            Rule::AtLeastInTheme { theme, least } => {
                themes.get(theme.as_str()).copied().unwrap_or(0) < *least
            }
        };
        if broken {
            return Some(format!("breaks {rule:?}"));
        }
    }
    (sum != total).then(|| format!("total {total} but the scores add up to {sum}"))
}

/// What the HiGHS runs printed: the median solve (wall time around `run()`) and HiGHS's
/// own run time, the objective and the first run's selection.
struct Highs {
    solve_s: f64,
    run_time_s: f64,
    objective: i64,
    chosen: Vec<usize>,
}

/// Runs the HiGHS script `runs` times, each a new process on core 0; the median solve.
fn time_highs(python: &Path, file: &Path, runs: usize) -> anyhow::Result<Highs> {
    let mut results = Vec::new();
    for _ in 0..runs {
        let line = run_script(python, "selection_highs.py", file)?;
        if line["status"] != "Optimal" {
            bail!("HiGHS answered {}", line["status"]);
        }
        let chosen: Vec<usize> = serde_json::from_value(line["chosen"].clone()).context("read chosen")?;
        let seconds = |k: &str| line[k].as_f64().with_context(|| format!("no {k} in {line}"));
        results.push(Highs {
            solve_s: seconds("solve_s")?,
            run_time_s: seconds("run_time_s")?,
            objective: line["objective"].as_i64().context("no objective")?,
            chosen,
        });
        println!(
            "HiGHS run {}: {:.3} s",
            results.len(),
            results[results.len() - 1].solve_s
        );
    }
    if results.windows(2).any(|w| w[0].objective != w[1].objective) {
        bail!("HiGHS gave different objectives from run to run");
    }
    let solve_s = median(results.iter().map(|r| r.solve_s).collect());
    let run_time_s = median(results.iter().map(|r| r.run_time_s).collect());
    let first = results.swap_remove(0);
    Ok(Highs {
        solve_s,
        run_time_s,
        ..first
    })
}

/// One size's results.
struct Size {
    applications: usize,
    convene_s: f64,
    convene_total: i64,
    chosen: usize,
    spent: Pence,
    highs: Highs,
    /// `select`'s median and its number of runs, when timed at this size.
    explained_s: Option<(f64, usize)>,
    /// What is wrong with Convene's selection, then with HiGHS's, if anything.
    problems: Vec<String>,
}

/// Writes (or reuses) the instance file, reads it back untimed and times both sides on it.
fn measure(dir: &Path, python: &Path, applications: usize, runs: usize) -> anyhow::Result<Size> {
    let file = dir.join(format!("selection-{applications}.json"));
    let how = write_instance(&file, &serde_json::to_vec(&generate(applications, SEED))?)?;
    let bytes = std::fs::read(&file).with_context(|| format!("read {}", file.display()))?;
    let instance: Instance = serde_json::from_slice(&bytes).context("parse the instance")?;
    println!(
        "instance {} ({how}, {:.0} kB, read and parsed untimed)",
        file.display(),
        bytes.len() as f64 / 1e3
    );
    let (convene_s, chosen, convene_total) = time_convene(&instance, applications, runs)?;
    let explained_s = if applications == EXPLAINED_AT {
        Some(time_select(&instance, convene_total, runs)?)
    } else {
        None
    };
    let highs = time_highs(python, &file, runs)?;
    let mut problems = Vec::new();
    if let Some(p) = invalidity(&instance, &chosen, convene_total) {
        problems.push(format!("Convene's selection at {applications}: {p}"));
    }
    if let Some(p) = invalidity(&instance, &highs.chosen, highs.objective) {
        problems.push(format!("HiGHS's selection at {applications}: {p}"));
    }
    let spent = Pence::sum(chosen.iter().map(|i| instance.candidates[*i].cost));
    Ok(Size {
        applications,
        convene_s,
        convene_total,
        chosen: chosen.len(),
        spent,
        highs,
        explained_s,
        problems,
    })
}

/// Prints the table of both sizes.
fn print_table(sizes: &[Size], runs: usize) {
    println!(
        "selection: {} regions (at most {MOST_PER_REGION} each), {THEMES} themes (at least {LEAST_PER_THEME} each), \
         {PLACES} places, budget {}; median of {runs} solves, one core each",
        REGIONS.len(),
        Pence(VALUE_PER_PLACE.0 * i64::from(PLACES))
    );
    println!(
        "{:>12} {:>14} {:>14} {:>16} {:>10} {:>10} {:>7} {:>14} {:>22}",
        "applications",
        "Convene solve",
        "HiGHS solve",
        "(HiGHS run time)",
        "Convene",
        "HiGHS",
        "chosen",
        "spent",
        "Convene select+explain"
    );
    for s in sizes {
        println!(
            "{:>12} {:>12.3} s {:>12.3} s {:>14.3} s {:>10} {:>10} {:>7} {:>14} {:>22}",
            s.applications,
            s.convene_s,
            s.highs.solve_s,
            s.highs.run_time_s,
            s.convene_total,
            s.highs.objective,
            s.chosen,
            s.spent.to_string(),
            s.explained_s
                .map_or("-".to_string(), |(t, n)| format!("{t:.3} s ({n} runs)"))
        );
    }
}

/// Runs the benchmark and returns its JSON line; prints it and fails when a check fails.
pub fn run(quick: bool) -> anyhow::Result<serde_json::Value> {
    let (small, large, runs) = if quick { (200, 500, 5) } else { (500, 2_000, 3) };
    let dir = bench_dir()?;
    let python = python(&dir)?;
    let sizes = [
        measure(&dir, &python, small, runs)?,
        measure(&dir, &python, large, runs)?,
    ];
    print_table(&sizes, runs);
    let equal_objective = sizes.iter().all(|s| s.convene_total == s.highs.objective);
    let problems: Vec<String> = sizes.iter().flat_map(|s| s.problems.clone()).collect();
    let goal_met = sizes
        .iter()
        .find(|s| s.applications == 500)
        .is_some_and(|s| s.convene_s < 1.0);
    println!(
        "equal objective: {equal_objective}; valid selections: {}; Convene's solve at 500 under 1 s: {goal_met}",
        if problems.is_empty() {
            "yes".to_string()
        } else {
            problems.join("; ")
        }
    );
    let [s, l] = &sizes;
    let json = serde_json::json!({
        "benchmark": "selection",
        "quick": quick,
        "applications": [s.applications, l.applications],
        "convene_solve_s": s.convene_s,
        "highs_solve_s": s.highs.solve_s,
        "convene_solve_2000_s": l.convene_s,
        "highs_solve_2000_s": l.highs.solve_s,
        "convene_select_explained_500_s": sizes.iter().find_map(|s| s.explained_s.map(|e| e.0)),
        "convene_objective": [s.convene_total, l.convene_total],
        "highs_objective": [s.highs.objective, l.highs.objective],
        "checks": { "equal_objective": equal_objective, "valid_selections": problems.is_empty() },
    });
    if !equal_objective || !problems.is_empty() {
        println!("{json}");
        bail!(
            "a check failed: {}",
            if problems.is_empty() {
                "Convene's optimum differs from HiGHS'".to_string()
            } else {
                problems.join("; ")
            }
        );
    }
    Ok(json)
}
