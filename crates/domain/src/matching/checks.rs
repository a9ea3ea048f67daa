//! Checks of a matching an admin has changed by hand: the pairs that would rather be
//! together ([`blocking_pairs`]) and the limits it breaks ([`breaches`]).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::Instance;
use super::table::{Table, UNACCEPTABLE};

/// Every (place, enabler) pair that blocks the matching: the place chose the enabler, there
/// is no conflict, the place has no enabler or likes this one better, and the enabler has
/// room or likes the place better than one they hold. Empty means the matching is stable.
/// In place order, each place's pairs in its order.
///
/// `enabler_of` has an entry per place (missing ones count as unmatched). A place held by
/// an enabler it did not choose, by one who marked a conflict with it, or by one that does
/// not exist, would rather have any enabler it chose; such a place is the one its enabler
/// likes least. Precondition: [`super::problems`] finds nothing.
pub fn blocking_pairs(instance: &Instance, enabler_of: &[Option<usize>]) -> Vec<(usize, usize)> {
    let table = Table::new(instance);
    let enablers = instance.enablers.len();
    // For each place, the slot of its enabler among its choices, if acceptable.
    let held_slot = |place: usize| -> Option<u32> {
        let enabler = enabler_of.get(place).copied().flatten()?;
        let (first, end) = table.slots(place);
        (first..end).find(|s| {
            let (e, rank) = table.slot(*s);
            e as usize == enabler && rank != UNACCEPTABLE
        })
    };
    let mut holds = vec![0u32; enablers];
    let mut worst = vec![0u32; enablers];
    for (place, enabler) in enabler_of.iter().enumerate().take(instance.places.len()) {
        let Some(e) = enabler.filter(|e| *e < enablers) else {
            continue;
        };
        let rank = held_slot(place).map_or(UNACCEPTABLE, |s| table.slot(s).1);
        holds[e] += 1;
        worst[e] = worst[e].max(rank);
    }
    let mut blocking = Vec::new();
    for place in 0..instance.places.len() {
        let (first, end) = table.slots(place);
        for slot in first..held_slot(place).unwrap_or(end) {
            let (e, rank) = table.slot(slot);
            let e = e as usize;
            let has_room = holds[e] < instance.enablers[e].capacity;
            if rank != UNACCEPTABLE && (has_room || rank < worst[e]) {
                blocking.push((place, e));
            }
        }
    }
    blocking
}

/// A limit a matching breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Breach {
    /// The place is with an enabler it did not choose.
    NotChosen { place: usize, enabler: usize },
    /// The place is with an enabler who marked a conflict with it.
    Conflict { place: usize, enabler: usize },
    /// The place is with an enabler who is not in the instance.
    NoSuchEnabler { place: usize, enabler: usize },
    /// The enabler holds more places than their capacity.
    OverCapacity {
        enabler: usize,
        holds: usize,
        capacity: u32,
    },
}

impl fmt::Display for Breach {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Breach::NotChosen { place, enabler } => {
                write!(
                    f,
                    "Place {place} is with enabler {enabler}, whom it did not choose"
                )
            }
            Breach::Conflict { place, enabler } => write!(
                f,
                "Place {place} is with enabler {enabler}, who marked a conflict with it"
            ),
            Breach::NoSuchEnabler { place, enabler } => {
                write!(f, "Place {place} is with enabler {enabler}, who does not exist")
            }
            Breach::OverCapacity {
                enabler,
                holds,
                capacity,
            } => write!(
                f,
                "Enabler {enabler} holds {holds} places but can hold only {capacity}"
            ),
        }
    }
}

/// Every limit the matching breaks: the places first, in index order, then the enablers
/// over capacity. Empty means every place is with an enabler it chose, with no conflict,
/// and every enabler within their capacity. `enabler_of` has an entry per place.
pub fn breaches(instance: &Instance, enabler_of: &[Option<usize>]) -> Vec<Breach> {
    let enablers = instance.enablers.len();
    let mut holds = vec![0usize; enablers];
    let mut found = Vec::new();
    for (place, choices) in instance.places.iter().enumerate() {
        let Some(enabler) = enabler_of.get(place).copied().flatten() else {
            continue;
        };
        if enabler >= enablers {
            found.push(Breach::NoSuchEnabler { place, enabler });
            continue;
        }
        holds[enabler] += 1;
        if !choices.ranks.contains(&enabler) {
            found.push(Breach::NotChosen { place, enabler });
        } else if instance.enablers[enabler].conflicts.contains(&place) {
            found.push(Breach::Conflict { place, enabler });
        }
    }
    for (enabler, (holds, choices)) in holds.into_iter().zip(&instance.enablers).enumerate() {
        if holds > choices.capacity as usize {
            found.push(Breach::OverCapacity {
                enabler,
                holds,
                capacity: choices.capacity,
            });
        }
    }
    found
}
