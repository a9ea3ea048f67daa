//! The solver's side of the programme: microlp through good_lp, helped by the linear
//! relaxation's bound (to fix most candidates before branching) and by counts of the
//! candidates at each cost (to branch on how many, not which).

use std::collections::HashMap;

use good_lp::{
    Expression, ProblemVariables, ResolutionError, Solution, SolverModel, Variable, WithMipGap, microlp,
    variable,
};

use super::model::{Row, chains, coefficient};
use super::{Instance, Limit, SelectionError};

/// Room for round-off when a bound computed in floating point is compared with a total.
const EPSILON: f64 = 1e-6;

/// The weight that steers the branching towards the per-cost counts (see [`mip`]).
const STEER: f64 = 4096.0;

/// Solves the programme over `items` with `rows`: the best selection, or with `target`
/// the best of those totalling at least that, or with `any` the first found of those;
/// `None` when there is none.
///
/// A fund that binds before the places do makes this a knapsack, on which the solver's
/// branching alone can take minutes. So the linear relaxation's dual first gives every
/// candidate a reduced score and the programme an upper bound. For a target total, every
/// candidate whose reduced score shows that no selection reaching the target can hold it
/// (or leave it out) is fixed, and only the few left are branched on, with the target as
/// a constraint: any selection reaching the target survives the fixing. Without a target,
/// targets are tried from just under the bound down (by 1, 3, 7, ...) until one is met:
/// the best selection reaching it is then the best there is.
pub(super) fn run(
    instance: &Instance,
    items: &[usize],
    rows: &[Row],
    target: Option<i64>,
    any: bool,
) -> Result<Option<Vec<usize>>, SelectionError> {
    if any && target.is_none() {
        return mip(instance, items, rows, &[], None, true);
    }
    let Some(relaxed) = relax(instance, items, rows) else {
        return mip(instance, items, rows, &[], target, any);
    };
    if let Some(target) = target {
        let (free, ones) = relaxed.fix(items, target);
        return mip(instance, &free, rows, &ones, Some(target), any);
    }
    let top = (relaxed.bound + EPSILON).floor() as i64;
    let mut below = 0i64;
    loop {
        let target = top.saturating_sub(below);
        let (free, ones) = relaxed.fix(items, target);
        if free.len() == items.len() {
            // Nothing is fixed any more: solve the whole programme.
            return mip(instance, items, rows, &[], None, false);
        }
        if let Some(chosen) = mip(instance, &free, rows, &ones, Some(target), false)? {
            return Ok(Some(chosen));
        }
        below = below.saturating_mul(2).saturating_add(1);
    }
}

/// The linear relaxation's upper bound, and each candidate's reduced score (its score
/// less what its part in each row is worth at the dual's prices).
struct Relaxed {
    reduced: Vec<f64>,
    bound: f64,
}

impl Relaxed {
    /// The candidates still free, and those every selection totalling at least `target`
    /// holds. No such selection holds any of the rest: with one of them in (or one of the
    /// holds left out), the bound falls below the target.
    fn fix(&self, items: &[usize], target: i64) -> (Vec<usize>, Vec<usize>) {
        let target = target as f64 - EPSILON;
        let (mut free, mut ones) = (Vec::new(), Vec::new());
        for (i, r) in items.iter().zip(&self.reduced) {
            if self.bound + r.min(0.0) < target {
                continue;
            }
            if self.bound - r.max(0.0) < target {
                ones.push(*i);
            } else {
                free.push(*i);
            }
        }
        (free, ones)
    }
}

/// Solves the dual of the linear relaxation, then recomputes its bound from the dual's
/// prices (any prices >= 0 give a true bound, so a rough dual costs speed, never
/// exactness). `None` when the relaxation could not be solved (or has no solution): the
/// caller then leaves everything to the branching.
fn relax(instance: &Instance, items: &[usize], rows: &[Row]) -> Option<Relaxed> {
    let scaled: Vec<(f64, f64)> = rows.iter().map(|r| scaled(instance, items, r)).collect();
    // A row's coefficient for a candidate, signed so that every row reads "at most".
    let a = |k: usize, i: usize| {
        let sign = if rows[k].at_least { -1.0 } else { 1.0 };
        sign * coefficient(instance, rows[k].limit, i) as f64 / scaled[k].0
    };
    let b = |k: usize| {
        if rows[k].at_least {
            -scaled[k].1
        } else {
            scaled[k].1
        }
    };
    let mut vars = ProblemVariables::new();
    let price = vars.add_vector(variable().min(0.0), rows.len());
    let surplus = vars.add_vector(variable().min(0.0), items.len());
    let objective: Expression = (0..rows.len()).map(|k| b(k) * price[k]).sum::<Expression>()
        + surplus.iter().copied().sum::<Expression>();
    let mut problem = vars.minimise(objective).using(microlp);
    for (at, i) in items.iter().enumerate() {
        let lhs: Expression = (0..rows.len())
            .filter(|k| a(*k, *i) != 0.0)
            .map(|k| a(k, *i) * price[k])
            .sum::<Expression>()
            + surplus[at];
        problem.add_constraint(lhs.geq(instance.candidates[*i].score as f64));
    }
    let solution = problem.solve().ok()?;
    let prices: Vec<f64> = price.iter().map(|v| solution.value(*v).max(0.0)).collect();
    let reduced: Vec<f64> = items
        .iter()
        .map(|i| {
            let worth: f64 = (0..rows.len()).map(|k| a(k, *i) * prices[k]).sum();
            instance.candidates[*i].score as f64 - worth
        })
        .collect();
    let bound = (0..rows.len()).map(|k| b(k) * prices[k]).sum::<f64>()
        + reduced.iter().map(|r| r.max(0.0)).sum::<f64>();
    bound.is_finite().then_some(Relaxed { reduced, bound })
}

/// Solves the 0/1 programme over `free`, with `ones` already in (returned with them) and,
/// when `target` is given, only selections totalling at least that; with `any`, stops at
/// the first selection found. `None` when there is none.
///
/// Candidates of equal cost are alike to the fund, so branching on one of them barely
/// moves the bound: the search would try them one by one. An integer count of each cost's
/// candidates, carrying a large share of their score (the objective is unchanged), makes
/// the solver branch first on how many of each cost, after which the rest is nearly
/// integral.
fn mip(
    instance: &Instance,
    free: &[usize],
    rows: &[Row],
    ones: &[usize],
    target: Option<i64>,
    any: bool,
) -> Result<Option<Vec<usize>>, SelectionError> {
    let score = |i: &usize| instance.candidates[*i].score;
    let rows = without(instance, rows, ones);
    let target = target.map(|t| t - ones.iter().map(score).sum::<i64>());
    let mut vars = ProblemVariables::new();
    let x = vars.add_vector(variable().binary(), free.len());
    let objective: Expression = free.iter().zip(&x).map(|(i, v)| score(i) as f64 * *v).sum();
    let mut steered = objective.clone();
    let mut counts = Vec::new();
    for members in cost_classes(instance, free, &rows) {
        let count = vars.add(variable().integer().min(0).max(members.len() as f64));
        steered += STEER * count;
        for at in &members {
            steered -= STEER * x[*at];
        }
        counts.push((count, members));
    }
    let mut problem = vars.maximise(steered).using(microlp);
    if any {
        // Any selection found is an answer: a gap this wide accepts the first.
        problem = problem
            .with_mip_gap(1e9)
            .map_err(|e| SelectionError::Solver(e.to_string()))?;
    }
    for (count, members) in counts {
        let sum: Expression = members.iter().map(|at| x[*at]).sum();
        problem.add_constraint((sum - count).eq(0.0));
    }
    for row in &rows {
        match row_terms(instance, free, &x, row) {
            Some(terms) => {
                let (lhs, rhs): (Expression, f64) = terms;
                problem.add_constraint(if row.at_least { lhs.geq(rhs) } else { lhs.leq(rhs) });
            }
            // Nothing left to choose counts in this row: it holds or it never will.
            None if (row.at_least && row.rhs > 0) || (!row.at_least && row.rhs < 0) => {
                return Ok(None);
            }
            None => {}
        }
    }
    if let Some(target) = target {
        problem.add_constraint(objective.clone().geq(target as f64));
    }
    for (better, worse) in chains(instance, free, &rows) {
        problem.add_constraint((x[better] - x[worse]).geq(0.0));
    }
    let solution = match problem.solve() {
        Ok(solution) => solution,
        Err(ResolutionError::Infeasible) => return Ok(None),
        Err(e) => return Err(SelectionError::Solver(e.to_string())),
    };
    let mut chosen: Vec<usize> = free
        .iter()
        .zip(&x)
        .filter(|(_, v)| solution.value(**v) > 0.5)
        .map(|(i, _)| *i)
        .collect();
    let exact: i64 = chosen.iter().map(score).sum();
    let reported = objective.eval_with(&solution);
    if (exact as f64 - reported).abs() >= 0.5 {
        return Err(SelectionError::Solver(format!(
            "the solver reported a total of {reported} for a selection whose total is {exact}"
        )));
    }
    chosen.extend_from_slice(ones);
    Ok(Some(chosen))
}

/// The rows with the candidates fixed in (`ones`) taken off their right-hand sides.
fn without(instance: &Instance, rows: &[Row], ones: &[usize]) -> Vec<Row> {
    rows.iter()
        .map(|r| Row {
            rhs: r.rhs
                - ones
                    .iter()
                    .map(|i| coefficient(instance, r.limit, *i))
                    .sum::<i128>(),
            ..*r
        })
        .collect()
}

/// The positions in `free` of each cost shared by two or more candidates, when a row
/// counts costs.
fn cost_classes(instance: &Instance, free: &[usize], rows: &[Row]) -> Vec<Vec<usize>> {
    if !rows.iter().any(|r| r.limit == Limit::Budget) {
        return Vec::new();
    }
    let mut classes: HashMap<i64, Vec<usize>> = HashMap::new();
    for (at, i) in free.iter().enumerate() {
        classes
            .entry(instance.candidates[*i].cost.0)
            .or_default()
            .push(at);
    }
    let mut classes: Vec<Vec<usize>> = classes.into_values().filter(|m| m.len() >= 2).collect();
    // A fixed order, so the same question always gets the same answer.
    classes.sort_unstable();
    classes
}

/// A row's left-hand side over `free` and its right-hand side, scaled; `None` when no
/// candidate in `free` counts in it.
fn row_terms(instance: &Instance, free: &[usize], x: &[Variable], row: &Row) -> Option<(Expression, f64)> {
    let (scale, rhs) = scaled(instance, free, row);
    let terms: Vec<(f64, Variable)> = free
        .iter()
        .zip(x)
        .map(|(i, v)| (coefficient(instance, row.limit, *i) as f64 / scale, *v))
        .filter(|(a, _)| *a != 0.0)
        .collect();
    if terms.is_empty() {
        return None;
    }
    Some((terms.into_iter().map(|(a, v)| a * v).sum(), rhs))
}

/// The divisor of a row's coefficients, and its right-hand side divided by it. Costs are
/// divided by their greatest common divisor (exactly: the total of the chosen costs is a
/// multiple of it, so a budget rounds down to one, and a spend to exceed up), then by a
/// power of two (exact in floating point) until they are at most 2^16, so they sit within
/// a few orders of magnitude of the counting rows' ones. Even at the largest divisor
/// allowed, 2^20, a single penny over the budget is far beyond the solver's 1e-7
/// tolerance.
fn scaled(instance: &Instance, items: &[usize], row: &Row) -> (f64, f64) {
    if row.limit != Limit::Budget {
        return (1.0, row.rhs as f64);
    }
    let costs = || items.iter().map(|i| coefficient(instance, row.limit, *i));
    let g = costs().fold(0i128, |g, c| gcd(g, c.abs())).max(1);
    let largest = costs().map(|c| c.abs() / g).max().unwrap_or(0);
    let mut shift = 0;
    while shift < 20 && largest >> shift > 1 << 16 {
        shift += 1;
    }
    let two = f64::from(1u32 << shift);
    let rhs = if row.at_least {
        -(-row.rhs).div_euclid(g)
    } else {
        row.rhs.div_euclid(g)
    };
    (g as f64 * two, rhs as f64 / two)
}

fn gcd(a: i128, b: i128) -> i128 {
    if b == 0 { a } else { gcd(b, a % b) }
}
