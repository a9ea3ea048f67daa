//! The rules worked out the slow, obvious way, to check the fast code against.

use super::super::Instance;

/// The enabler's rank of a place by the module's rule, straight from the lists; `None`
/// when the pair is unacceptable (a conflict, or the place did not choose them). Only the
/// order of ranks matters, not their values.
pub fn naive_rank(inst: &Instance, enabler: usize, place: usize) -> Option<usize> {
    let choices = &inst.enablers[enabler];
    if choices.conflicts.contains(&place) || !inst.places[place].ranks.contains(&enabler) {
        return None;
    }
    if let Some(r) = choices.ranks.iter().position(|q| *q == place) {
        return Some(r);
    }
    let unranked_before = (0..place)
        .filter(|q| inst.places[*q].ranks.contains(&enabler) && !choices.ranks.contains(q))
        .count();
    Some(choices.ranks.len() + unranked_before)
}

/// Where a place's enabler is on its own list, `usize::MAX` when it has none (or one it
/// cannot have): smaller is better.
pub fn position(inst: &Instance, place: usize, enabler: Option<usize>) -> usize {
    enabler
        .filter(|e| naive_rank(inst, *e, place).is_some())
        .and_then(|e| inst.places[place].ranks.iter().position(|x| *x == e))
        .unwrap_or(usize::MAX)
}

/// The blocking pairs by the definition, pair by pair.
pub fn naive_blocking(inst: &Instance, enabler_of: &[Option<usize>]) -> Vec<(usize, usize)> {
    let mut blocking = Vec::new();
    for (place, choices) in inst.places.iter().enumerate() {
        let now = position(inst, place, enabler_of[place]);
        for &e in choices.ranks.iter().take(now) {
            let Some(rank) = naive_rank(inst, e, place) else {
                continue;
            };
            let held: Vec<Option<usize>> = (0..inst.places.len())
                .filter(|q| enabler_of[*q] == Some(e))
                .map(|q| naive_rank(inst, e, q))
                .collect();
            let has_room = held.len() < inst.enablers[e].capacity as usize;
            if has_room || held.iter().any(|h| h.is_none_or(|h| rank < h)) {
                blocking.push((place, e));
            }
        }
    }
    blocking
}

/// Every matching that gives each place one of its acceptable enablers or none and keeps
/// every capacity.
pub fn all_matchings(inst: &Instance) -> Vec<Vec<Option<usize>>> {
    let mut all = Vec::new();
    let mut holds = vec![0u32; inst.enablers.len()];
    extend(inst, &mut Vec::new(), &mut holds, &mut all);
    all
}

fn extend(
    inst: &Instance,
    so_far: &mut Vec<Option<usize>>,
    holds: &mut [u32],
    all: &mut Vec<Vec<Option<usize>>>,
) {
    let place = so_far.len();
    if place == inst.places.len() {
        all.push(so_far.clone());
        return;
    }
    so_far.push(None);
    extend(inst, so_far, holds, all);
    for &e in &inst.places[place].ranks {
        if naive_rank(inst, e, place).is_some() && holds[e] < inst.enablers[e].capacity {
            holds[e] += 1;
            so_far[place] = Some(e);
            extend(inst, so_far, holds, all);
            holds[e] -= 1;
        }
    }
    so_far.pop();
}
