//! Conflicts of interest: which applications a member's declarations keep them away from.

use serde::{Deserialize, Serialize};

use crate::ids::PlaceId;

/// What a member declared a conflict with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ConflictWith {
    /// An organisation, by its record id: covers every application naming it as the place's
    /// accountable body or as a partner.
    Organisation(i64),
    /// A place: covers every application the place makes.
    Place(PlaceId),
}

/// Who an application names: the place, its accountable body and its partners.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Parties {
    pub place_id: PlaceId,
    pub accountable_organisation: Option<i64>,
    pub partners: Vec<i64>,
}

impl ConflictWith {
    /// True when this conflict keeps its member away from an application naming `parties`.
    pub fn covers(&self, parties: &Parties) -> bool {
        match *self {
            ConflictWith::Place(id) => parties.place_id == id,
            ConflictWith::Organisation(org) => {
                parties.accountable_organisation == Some(org) || parties.partners.contains(&org)
            }
        }
    }
}

/// True when any of a member's conflicts covers the application.
pub fn conflicted(conflicts: &[ConflictWith], parties: &Parties) -> bool {
    conflicts.iter().any(|c| c.covers(parties))
}

/// The longest reason a declaration may give, in characters.
pub const MAX_REASON: usize = 1000;

/// Checks a declaration's reason: it must say something, briefly.
pub fn reason_problem(reason: &str) -> Option<&'static str> {
    let reason = reason.trim();
    if reason.is_empty() {
        Some("Say why you have a conflict of interest")
    } else if reason.chars().count() > MAX_REASON {
        Some("The reason must be 1,000 characters or fewer")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_organisation_conflict_covers_accountable_body_and_partners() {
        let parties = Parties {
            place_id: PlaceId(7),
            accountable_organisation: Some(1),
            partners: vec![2, 3],
        };
        assert!(ConflictWith::Organisation(1).covers(&parties));
        assert!(ConflictWith::Organisation(3).covers(&parties));
        assert!(!ConflictWith::Organisation(4).covers(&parties));
        assert!(ConflictWith::Place(PlaceId(7)).covers(&parties));
        assert!(!ConflictWith::Place(PlaceId(8)).covers(&parties));
        assert!(conflicted(
            &[ConflictWith::Place(PlaceId(8)), ConflictWith::Organisation(2)],
            &parties
        ));
        assert!(!conflicted(&[], &parties));
    }

    #[test]
    fn a_reason_is_needed() {
        assert!(reason_problem("  ").is_some());
        assert!(reason_problem(&"x".repeat(1001)).is_some());
        assert!(reason_problem("I sit on its board").is_none());
    }
}
