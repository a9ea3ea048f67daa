//! The integer programme: a 0/1 variable for each candidate that could be in a best
//! selection, a row for each limit in force, solved by microlp; then the answer checked
//! again in exact integer arithmetic, so a float slip is an error, never a wrong answer.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use super::{Instance, Limit, Rule, SelectionError, search};

/// One question for the solver: the best selection with only `limits` in force.
#[derive(Debug, Clone)]
pub(super) struct Ask {
    pub limits: Vec<Limit>,
    /// A candidate the selection must hold.
    pub forced: Option<usize>,
    /// A candidate the selection must leave out.
    pub excluded: Option<usize>,
    /// A limit (not in `limits`) the selection must break.
    pub broken: Option<Limit>,
    /// The least total the selection must reach.
    pub target: Option<i64>,
    /// Any selection that answers will do, not only the best.
    pub any: bool,
}

impl Ask {
    /// Every limit of the instance in force.
    pub fn all(instance: &Instance) -> Ask {
        Ask::with(instance.limits())
    }

    pub fn with(limits: Vec<Limit>) -> Ask {
        Ask {
            limits,
            forced: None,
            excluded: None,
            broken: None,
            target: None,
            any: false,
        }
    }

    pub fn forcing(self, candidate: usize) -> Ask {
        Ask {
            forced: Some(candidate),
            ..self
        }
    }

    pub fn excluding(self, candidate: usize) -> Ask {
        Ask {
            excluded: Some(candidate),
            ..self
        }
    }

    pub fn breaking(self, limit: Limit) -> Ask {
        Ask {
            broken: Some(limit),
            ..self
        }
    }

    /// Asks for the best selection, only if it totals at least `target`.
    pub fn at_least(self, target: i64) -> Ask {
        Ask {
            target: Some(target),
            ..self
        }
    }

    /// Asks whether some selection totals at least `target` (and, if so, for one).
    pub fn reaching(self, target: i64) -> Ask {
        Ask {
            target: Some(target),
            any: true,
            ..self
        }
    }

    /// Asks whether any selection meets the limits (and, if so, for one).
    pub fn any(self) -> Ask {
        Ask { any: true, ..self }
    }
}

/// A best selection for an [`Ask`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Best {
    /// Candidate indices, ascending (the forced one included).
    pub chosen: Vec<usize>,
    pub total: i64,
}

/// A limit as a row: the sum of the chosen candidates' coefficients, at most (or at
/// least) `rhs`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Row {
    pub limit: Limit,
    pub at_least: bool,
    pub rhs: i128,
}

/// A candidate's coefficient in a limit's row: its cost for the budget, otherwise 1 when
/// the limit counts it.
pub(super) fn coefficient(instance: &Instance, limit: Limit, i: usize) -> i128 {
    let c = &instance.candidates[i];
    match limit {
        Limit::Budget => i128::from(c.cost.0),
        Limit::Places => 1,
        Limit::Rule(r) => match &instance.rules[r] {
            Rule::AtMostInRegion { region, .. } => i128::from(c.region.as_ref() == Some(region)),
            Rule::AtLeastInTheme { theme, .. } => i128::from(c.theme.as_ref() == Some(theme)),
        },
    }
}

fn row(instance: &Instance, limit: Limit) -> Row {
    let (at_least, rhs) = match limit {
        Limit::Budget => (false, i128::from(instance.budget.0)),
        Limit::Places => (false, i128::from(instance.places)),
        Limit::Rule(r) => match &instance.rules[r] {
            Rule::AtMostInRegion { most, .. } => (false, i128::from(*most)),
            Rule::AtLeastInTheme { least, .. } => (true, i128::from(*least)),
        },
    };
    Row { limit, at_least, rhs }
}

/// The row a selection meets by breaking the limit: over an at-most row's right-hand
/// side, or under an at-least row's.
fn broken_row(instance: &Instance, limit: Limit) -> Row {
    let row = row(instance, limit);
    Row {
        at_least: !row.at_least,
        rhs: if row.at_least { row.rhs - 1 } else { row.rhs + 1 },
        ..row
    }
}

fn meets(instance: &Instance, row: &Row, chosen: &[usize]) -> bool {
    let lhs: i128 = chosen.iter().map(|i| coefficient(instance, row.limit, *i)).sum();
    if row.at_least {
        lhs >= row.rhs
    } else {
        lhs <= row.rhs
    }
}

/// The first of `limits` that `chosen` breaks, in exact integer arithmetic.
pub(super) fn violated(instance: &Instance, limits: &[Limit], chosen: &[usize]) -> Option<Limit> {
    limits
        .iter()
        .copied()
        .find(|limit| !meets(instance, &row(instance, *limit), chosen))
}

/// The best selection for `ask` (or any, when it asks for any), or `None` when no
/// selection answers it.
pub(super) fn best(instance: &Instance, ask: &Ask) -> Result<Option<Best>, SelectionError> {
    let mut rows: Vec<Row> = ask.limits.iter().map(|l| row(instance, *l)).collect();
    rows.extend(ask.broken.map(|l| broken_row(instance, l)));
    let score = |i: &usize| instance.candidates[*i].score;
    let mut target = ask.target;
    if let Some(f) = ask.forced {
        for row in &mut rows {
            row.rhs -= coefficient(instance, row.limit, f);
        }
        target = target.map(|t| t - score(&f));
    }
    let items: Vec<usize> = (0..instance.candidates.len())
        .filter(|i| Some(*i) != ask.forced && Some(*i) != ask.excluded)
        .collect();
    let Some((items, rows)) = reduce(instance, items, rows) else {
        return Ok(None);
    };
    let chosen = if rows.is_empty() {
        // Nothing limits the choice: take every candidate that adds to the total.
        Some(items.into_iter().filter(|i| score(i) > 0).collect())
    } else {
        search::run(instance, &items, &rows, target, ask.any)?
    };
    let Some(mut chosen) = chosen else {
        return Ok(None);
    };
    chosen.extend(ask.forced);
    chosen.sort_unstable();
    let total: i64 = chosen.iter().map(score).sum();
    if ask.target.is_some_and(|t| total < t) {
        // Only when nothing limited the choice, so this is the most there is.
        return Ok(None);
    }
    let broken = ask
        .broken
        .filter(|l| !meets(instance, &broken_row(instance, *l), &chosen));
    if let Some(limit) = violated(instance, &ask.limits, &chosen).or(broken) {
        return Err(SelectionError::Solver(format!(
            "the solver's answer gets a limit ({limit:?}) wrong when checked exactly"
        )));
    }
    Ok(Some(Best { chosen, total }))
}

/// Shrinks the programme without losing every best selection: drops candidates no
/// selection can hold or no best one needs, rows nothing can break, and candidates
/// dominated within their group; `None` when a row can never be met.
fn reduce(instance: &Instance, items: Vec<usize>, rows: Vec<Row>) -> Option<(Vec<usize>, Vec<Row>)> {
    let coef = |row: &Row, i: usize| coefficient(instance, row.limit, i);
    let negative_costs = instance.candidates.iter().any(|c| c.cost.0 < 0);
    let items: Vec<usize> = items
        .into_iter()
        .filter(|i| {
            // Too big for an at-most row whose coefficients are all >= 0: never chosen.
            let fits = rows
                .iter()
                .all(|r| r.at_least || coef(r, *i) <= r.rhs || (r.limit == Limit::Budget && negative_costs));
            // No score and no help with any at-least row: leaving it out loses nothing.
            let useful = instance.candidates[*i].score > 0
                || rows.iter().any(|r| {
                    if r.at_least {
                        coef(r, *i) > 0
                    } else {
                        coef(r, *i) < 0
                    }
                });
            fits && useful
        })
        .collect();
    let mut kept = Vec::with_capacity(rows.len());
    for row in rows {
        let (low, high) = items.iter().fold((0i128, 0i128), |(low, high), i| {
            let a = coef(&row, *i);
            (low + a.min(0), high + a.max(0))
        });
        let (met_always, met_never) = if row.at_least {
            (low >= row.rhs, high < row.rhs)
        } else {
            (high <= row.rhs, low > row.rhs)
        };
        if met_never {
            return None;
        }
        if !met_always {
            kept.push(row);
        }
    }
    let items = undominated(instance, items, &kept);
    Some((items, kept))
}

/// Drops candidates that some best selection can always do without. Candidates with the
/// same part in every counting row (places, regions, themes) form a group, of which no
/// selection holds more than `k` (the smallest at-most row counting the group). Within a
/// group, `d` dominates `j` when it costs no more and scores no less (ties broken by
/// cost, then score, then index, so the relation is a strict order). A candidate with `k`
/// dominators can go: in a selection holding it, one of them is out, and swapping them
/// keeps every limit and loses no score; repeated, the swaps end, since each moves the
/// selection earlier in that order.
fn undominated(instance: &Instance, items: Vec<usize>, rows: &[Row]) -> Vec<usize> {
    let budget = rows.iter().find(|r| r.limit == Limit::Budget);
    // Under a fund that must be overspent (a broken budget), only equal costs swap.
    let spend = budget.is_some_and(|r| r.at_least);
    let counting: Vec<&Row> = rows.iter().filter(|r| r.limit != Limit::Budget).collect();
    let cost = |i: usize| match budget {
        Some(r) if !r.at_least => instance.candidates[i].cost.0,
        _ => 0,
    };
    let score = |i: usize| instance.candidates[i].score;
    let mut groups: HashMap<Vec<i128>, Vec<usize>> = HashMap::new();
    for i in items {
        let mut key: Vec<i128> = counting
            .iter()
            .map(|r| coefficient(instance, r.limit, i))
            .collect();
        if spend {
            key.push(i128::from(instance.candidates[i].cost.0));
        }
        groups.entry(key).or_default().push(i);
    }
    let mut kept = Vec::new();
    for (key, mut group) in groups {
        let k = counting
            .iter()
            .zip(&key)
            .filter(|(r, counts)| **counts != 0 && !r.at_least)
            .map(|(r, _)| r.rhs)
            .min();
        let Some(k) = k.and_then(|k| usize::try_from(k).ok()) else {
            kept.extend(group);
            continue;
        };
        group.sort_unstable_by_key(|i| (cost(*i), Reverse(score(*i)), *i));
        // The k best scores seen so far, all of candidates earlier in the order.
        let mut best: BinaryHeap<Reverse<i64>> = BinaryHeap::with_capacity(k + 1);
        for i in group {
            let dominated = best.len() >= k && best.peek().is_some_and(|m| m.0 >= score(i));
            if !dominated {
                kept.push(i);
            }
            best.push(Reverse(score(i)));
            if best.len() > k {
                best.pop();
            }
        }
    }
    kept.sort_unstable();
    kept
}

/// Pairs (by position in `items`) of candidates alike in every row, the first scoring at
/// least as much: some best selection holding the second also holds the first (swap them),
/// so saying so loses no best total and spares the search the swaps.
pub(super) fn chains(instance: &Instance, items: &[usize], rows: &[Row]) -> Vec<(usize, usize)> {
    let mut groups: HashMap<Vec<i128>, Vec<usize>> = HashMap::new();
    for (at, i) in items.iter().enumerate() {
        let key = rows.iter().map(|r| coefficient(instance, r.limit, *i)).collect();
        groups.entry(key).or_default().push(at);
    }
    let score = |at: usize| instance.candidates[items[at]].score;
    let mut pairs = Vec::new();
    for mut group in groups.into_values() {
        group.sort_unstable_by_key(|at| (Reverse(score(*at)), *at));
        pairs.extend(group.windows(2).map(|w| (w[0], w[1])));
    }
    // A fixed order, so the same question always gets the same answer.
    pairs.sort_unstable();
    pairs
}
