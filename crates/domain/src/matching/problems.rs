//! What is wrong with an instance before it can be matched, in words an admin can act on.

use serde::{Deserialize, Serialize};

use super::Instance;

/// Whose choices a problem is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    Place(usize),
    Enabler(usize),
}

/// One thing wrong with an instance: whose choices, and a sentence saying what (places and
/// enablers are named by their index in the instance, from 0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceProblem {
    pub party: Party,
    pub message: String,
}

/// Everything that keeps the instance from being matched, places first then enablers,
/// each in index order: a place that chose no enabler, chose one twice or one that does
/// not exist; an enabler with a capacity of 0, who ranked a place twice, ranked a place
/// that did not choose them, or named a place that does not exist. Empty means
/// [`super::match_places`] may run. An enabler who has ranked nobody is fine, and so is a
/// conflict with a place that did not choose them.
pub fn problems(instance: &Instance) -> Vec<InstanceProblem> {
    let mut found = Vec::new();
    place_problems(instance, &mut found);
    enabler_problems(instance, &mut found);
    found
}

/// "There are 3 enablers (0 to 2)" and the like, for an index out of range.
fn how_many(count: usize, what: &str) -> String {
    match count {
        0 => format!("there are no {what}s"),
        1 => format!("there is only {what} 0"),
        n => format!("there are only {n} {what}s (0 to {})", n - 1),
    }
}

fn place_problems(instance: &Instance, found: &mut Vec<InstanceProblem>) {
    let enablers = instance.enablers.len();
    // The last place seen choosing each enabler, plus one, to find a repeat in one pass.
    let mut seen_by = vec![0usize; enablers];
    for (p, place) in instance.places.iter().enumerate() {
        let mut say = |message: String| {
            found.push(InstanceProblem {
                party: Party::Place(p),
                message,
            })
        };
        if place.ranks.is_empty() {
            say(format!("Place {p} has chosen no enabler: it needs at least one"));
        }
        for &e in &place.ranks {
            if e >= enablers {
                say(format!(
                    "Place {p} chose enabler {e}, but {}",
                    how_many(enablers, "enabler")
                ));
            } else if std::mem::replace(&mut seen_by[e], p + 1) == p + 1 {
                say(format!(
                    "Place {p} chose enabler {e} more than once: keep their best position"
                ));
            }
        }
    }
}

fn enabler_problems(instance: &Instance, found: &mut Vec<InstanceProblem>) {
    let places = instance.places.len();
    let mut seen_by = vec![0usize; places];
    for (e, enabler) in instance.enablers.iter().enumerate() {
        let mut say = |message: String| {
            found.push(InstanceProblem {
                party: Party::Enabler(e),
                message,
            })
        };
        for &p in &enabler.ranks {
            if p >= places {
                say(format!(
                    "Enabler {e} ranked place {p}, but {}",
                    how_many(places, "place")
                ));
            } else if std::mem::replace(&mut seen_by[p], e + 1) == e + 1 {
                say(format!(
                    "Enabler {e} ranked place {p} more than once: keep its best position"
                ));
            } else if !instance.places[p].ranks.contains(&e) {
                say(format!(
                    "Enabler {e} ranked place {p}, which did not choose them: take it off their list"
                ));
            }
        }
        for &p in enabler.conflicts.iter().filter(|p| **p >= places) {
            say(format!(
                "Enabler {e} marked a conflict with place {p}, but {}",
                how_many(places, "place")
            ));
        }
    }
}
