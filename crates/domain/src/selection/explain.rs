//! Why a selection is what it is: the limits that bind, what keeps the nearest candidates
//! out, and which limits conflict when nothing meets them all. Each answer comes from
//! asking the programme again with a limit dropped or a candidate forced in or out; where
//! a yes or no will do, the question is put as one ("is there a selection totalling at
//! least this?"), which the solver settles far sooner than a best total.

use std::cmp::Reverse;

use super::model::{Ask, best};
use super::{Instance, KeepsOut, Limit, MAX_SCORE, OUTSIDE_SHOWN, Outside, SelectionError};

/// The limits whose relaxation alone would raise the best total `optimum`.
///
/// A limit with room to spare can still bind: with 3 places, a fund of 100 and one
/// candidate scoring 10 at cost 100 against four scoring 3 at cost 25, the best is the
/// one candidate, two places unused, yet without the places limit four cheaper ones
/// score 12. So slack proves nothing, and each limit is asked about: is there a
/// selection that meets the others, breaks this one and totals more than `optimum`?
/// (Any selection beating the optimum without the limit breaks it.)
pub(super) fn binding(instance: &Instance, optimum: i64) -> Result<Vec<Limit>, SelectionError> {
    let all = instance.limits();
    let mut binding = Vec::new();
    for limit in &all {
        let ask = Ask::with(without(&all, limit))
            .breaking(*limit)
            .reaching(optimum + 1);
        if best(instance, &ask)?.is_some() {
            binding.push(*limit);
        }
    }
    Ok(binding)
}

fn without(limits: &[Limit], dropped: &Limit) -> Vec<Limit> {
    limits.iter().filter(|l| *l != dropped).copied().collect()
}

/// The (up to) [`OUTSIDE_SHOWN`] highest-scoring candidates left out of `chosen`, best
/// first (ties by position), each with what keeps it out.
pub(super) fn outside(
    instance: &Instance,
    chosen: &[usize],
    optimum: i64,
) -> Result<Vec<Outside>, SelectionError> {
    let mut left_out: Vec<usize> = (0..instance.candidates.len())
        .filter(|i| chosen.binary_search(i).is_err())
        .collect();
    left_out.sort_by_key(|i| (Reverse(instance.candidates[*i].score), *i));
    left_out.truncate(OUTSIDE_SHOWN);
    left_out
        .into_iter()
        .map(|candidate| {
            Ok(Outside {
                candidate,
                keeps_out: keeps_out(instance, candidate, optimum)?,
            })
        })
        .collect()
}

/// What keeps candidate `j` out of a best selection whose total is `optimum`.
fn keeps_out(instance: &Instance, j: usize, optimum: i64) -> Result<KeepsOut, SelectionError> {
    let all = instance.limits();
    let shortfall = MAX_SCORE - instance.candidates[j].score;
    // Only a best selection holding j within `shortfall` of the optimum matters.
    let within = Ask::with(all.clone()).forcing(j).at_least(optimum - shortfall);
    if let Some(with) = best(instance, &within)? {
        // With a score of `needs`, the best selection holding j totals `optimum`.
        let needs = instance.candidates[j].score + (optimum - with.total);
        return Ok(KeepsOut::Score { needs });
    }
    let limits = if holds(instance, j, &all)? {
        deletion_filter(all, |limits| kept_out(instance, j, limits, optimum))?
    } else {
        // No selection holds it: find the limits that rule it out.
        deletion_filter(all, |limits| Ok(!holds(instance, j, limits)?))?
    };
    Ok(KeepsOut::Limits(limits))
}

/// True when some selection meeting `limits` holds `j`.
fn holds(instance: &Instance, j: usize, limits: &[Limit]) -> Result<bool, SelectionError> {
    Ok(best(instance, &Ask::with(limits.to_vec()).forcing(j).any())?.is_some())
}

/// True when, with only `limits` in force, even a score of [`MAX_SCORE`] would leave `j`
/// out of every best selection: every selection holding it, at that score, totals less
/// than some selection without it. The proposed selection (total `optimum`) leaves `j`
/// out and meets any of the limits, so only selections holding j that reach `optimum`
/// at that score need a look.
fn kept_out(instance: &Instance, j: usize, limits: &[Limit], optimum: i64) -> Result<bool, SelectionError> {
    let shortfall = MAX_SCORE - instance.candidates[j].score;
    let within = Ask::with(limits.to_vec())
        .forcing(j)
        .at_least(optimum - shortfall);
    let Some(with) = best(instance, &within)? else {
        return Ok(true);
    };
    let beaten = Ask::with(limits.to_vec())
        .excluding(j)
        .reaching(with.total + shortfall + 1);
    Ok(best(instance, &beaten)?.is_some())
}

/// A set of limits that no selection meets together, each needed for that.
pub(super) fn conflicting(instance: &Instance) -> Result<Vec<Limit>, SelectionError> {
    deletion_filter(instance.limits(), |limits| {
        Ok(best(instance, &Ask::with(limits.to_vec()).any())?.is_none())
    })
}

/// Drops the limits one at a time, each for good when `still` holds without it. When
/// `still` holds of `limits` and keeps holding as limits are added, what is left is a
/// set of which `still` holds but of no set with one fewer.
fn deletion_filter(
    limits: Vec<Limit>,
    mut still: impl FnMut(&[Limit]) -> Result<bool, SelectionError>,
) -> Result<Vec<Limit>, SelectionError> {
    let mut kept = limits;
    let mut i = 0;
    while i < kept.len() {
        let mut fewer = kept.clone();
        fewer.remove(i);
        if still(&fewer)? {
            kept = fewer;
        } else {
            i += 1;
        }
    }
    Ok(kept)
}
