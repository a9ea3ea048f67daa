//! Which enabler (leadership development coach) each funded place works with this year.
//!
//! Each place ranks the enablers it would accept, best first, at least one. Each enabler
//! has a capacity (how many places they can hold), ranks the places that chose them and
//! may mark places they cannot take (conflicts). [`match_places`] gives the
//! **place-proposing stable matching**: deferred acceptance with capacities, the places as
//! the residents and the enablers as the hospitals (Gale and Shapley 1962; Roth 1984). No
//! place and enabler would both rather be together than with what they have, and every
//! place does at least as well as in any other stable matching.
//!
//! Rules, settled here once:
//! - **An enabler's order over places**: the places they ranked, in their order, then every
//!   other place that chose them, in index order. An enabler who has not finished ranking
//!   still gets an answer, and the same one every time.
//! - **A conflict makes the pair unacceptable both ways**, whatever either side ranked: the
//!   place's choice of that enabler is refused ([`Refusal::Conflict`]) and the enabler never
//!   holds the place.
//! - **Deterministic**: the places propose in index order, and a place an enabler lets go
//!   proposes again at once. The place-proposing stable matching is unique anyway; nothing
//!   depends on hash order, and the hot loop reads flat arrays only ([`table`]).
//! - **Why a place is unmatched**: for each enabler it chose, in its order, either a
//!   conflict or that the enabler is full with places they prefer. Stability makes that
//!   list complete: an enabler with room, or holding a place they like less, would have
//!   taken it.
//!
//! Places and enablers are numbered from 0 in the order given (at most `u32::MAX` of
//! each, and of choices in all). [`problems`] checks an instance before it is matched;
//! [`blocking_pairs`] and [`breaches`] check a matching an admin has changed by hand.

mod checks;
mod deferred;
mod problems;
mod table;

use serde::{Deserialize, Serialize};

pub use checks::{Breach, blocking_pairs, breaches};
pub use problems::{InstanceProblem, Party, problems};

/// Every place's and enabler's choices; places and enablers are numbered from 0.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instance {
    pub places: Vec<PlaceChoices>,
    pub enablers: Vec<EnablerChoices>,
}

/// What a place chose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaceChoices {
    /// The enablers the place would accept (indices), best first, each once, at least one.
    pub ranks: Vec<usize>,
}

/// What an enabler chose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnablerChoices {
    /// How many more places the enabler can hold: 0 when they hold all they can already.
    pub capacity: u32,
    /// Places that chose this enabler (indices), best first, each once; the rest of the
    /// places that chose them follow in index order.
    pub ranks: Vec<usize>,
    /// Places the enabler cannot take, whatever either side ranked.
    #[serde(default)]
    pub conflicts: Vec<usize>,
}

/// The place-proposing stable matching, and why each unmatched place is unmatched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Matching {
    /// Each place's enabler, if it has one.
    pub enabler_of: Vec<Option<usize>>,
    /// The places without an enabler, in index order.
    pub unmatched: Vec<Unmatched>,
}

/// A place left without an enabler, and what each of its choices answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unmatched {
    pub place: usize,
    /// Each enabler the place chose, in its order, with their answer.
    pub why: Vec<(usize, Refusal)>,
}

/// Why an enabler did not take a place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// The enabler is full with places they prefer.
    Full,
    /// The enabler marked the place a conflict.
    Conflict,
}

impl Matching {
    /// The places an enabler holds, ascending.
    pub fn places_of(&self, enabler: usize) -> Vec<usize> {
        (0..self.enabler_of.len())
            .filter(|p| self.enabler_of[*p] == Some(enabler))
            .collect()
    }
}

/// The place-proposing stable matching with capacities, and the reasons for each
/// unmatched place.
///
/// Precondition: [`problems`] finds nothing. An index out of range panics; other problems
/// give an answer that means nothing.
pub fn match_places(instance: &Instance) -> Matching {
    let table = table::Table::new(instance);
    let enabler_of = deferred::accept(instance, &table);
    let unmatched = enabler_of
        .iter()
        .enumerate()
        .filter(|(_, enabler)| enabler.is_none())
        .map(|(place, _)| Unmatched {
            place,
            why: table
                .choices(place)
                .map(|(enabler, rank)| {
                    let refusal = if rank == table::UNACCEPTABLE {
                        Refusal::Conflict
                    } else {
                        Refusal::Full
                    };
                    (enabler, refusal)
                })
                .collect(),
        })
        .collect();
    Matching {
        enabler_of,
        unmatched,
    }
}

#[cfg(test)]
mod tests;
