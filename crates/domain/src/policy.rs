//! Who may do what to which record: the one place every permission is decided.
//!
//! Pages and API handlers load the record, then ask here; hiding a link is never the check.

use crate::accounts::{Grant, Role};
use crate::ids::{PlaceId, ProgrammeId, RoundId, UserId};

/// The signed-in person asking, with every role they hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: UserId,
    pub grants: Vec<Grant>,
}

/// The record an action is about, with the facts the rules need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource<'a> {
    /// A programme's private management pages and data.
    Programme { id: ProgrammeId },
    /// A place, with the programmes it takes part in.
    Place {
        id: PlaceId,
        programme_ids: &'a [ProgrammeId],
    },
    /// A place's application to a round. `submitted` is true once it has been submitted
    /// (panel members read only submitted applications); `conflicted` when the person asking
    /// has declared a conflict of interest that covers it (then the panel shows them nothing
    /// of it).
    Application {
        place_id: PlaceId,
        programme_id: ProgrammeId,
        round_id: RoundId,
        submitted: bool,
        conflicted: bool,
    },
    /// A round's panel: its members, settings, rubric and assignment.
    Panel {
        programme_id: ProgrammeId,
        round_id: RoundId,
    },
    /// One member's own part in a panel: their conflicts and bids. `owner` is the member.
    PanelMembership {
        programme_id: ProgrammeId,
        round_id: RoundId,
        owner: UserId,
    },
    /// A reviewer's scores on one application: `assigned` when the asker is assigned it,
    /// `conflicted` when a declaration of theirs covers it.
    Review {
        round_id: RoundId,
        assigned: bool,
        conflicted: bool,
    },
    /// The moderation of one application (or, with `conflicted` false, the round's list):
    /// `chair` when the asker chairs the round's panel.
    Moderation {
        programme_id: ProgrammeId,
        round_id: RoundId,
        chair: bool,
        conflicted: bool,
    },
    /// A round's selection and the panel's decisions: proposed and recorded by the
    /// programme's admins or the panel's chair, read by the panel. For one application,
    /// `conflicted` when the asker's declarations cover it.
    Decision {
        programme_id: ProgrammeId,
        round_id: RoundId,
        chair: bool,
        conflicted: bool,
    },
    /// A place's outcome in a programme: its letters and its award. `announced` once the
    /// letter's time has come (the round's notification date): before then nobody of the
    /// place sees anything of it. Only the place's leads answer an offer.
    Outcome {
        programme_id: ProgrammeId,
        place_id: PlaceId,
        announced: bool,
    },
    /// A round's application form. Before the round opens its form may still change, so
    /// only the programme's admins read it (the pages show applicants a form only once the
    /// round is open); afterwards anyone signed in may.
    RoundForm { programme_id: ProgrammeId, open: bool },
    /// A place's Health and Wellbeing Board chair contact, which every programme the place
    /// takes part in sends its sign-off requests to.
    PlaceChair { programme_ids: &'a [ProgrammeId] },
    /// A person's account.
    Account { user_id: UserId },
    /// An API token, by the account it belongs to.
    ApiToken { owner_id: UserId },
    /// The whole service: people, roles, the audit log.
    Service,
}

/// What is being done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    View,
    Edit,
}

impl Principal {
    /// True when the person holds `role` over `scope_id` (or over everything, for roles
    /// without a scope).
    pub fn holds(&self, role: Role, scope_id: Option<i64>) -> bool {
        self.grants
            .iter()
            .any(|g| g.role == role && (g.scope_id == scope_id || scope_id.is_none()))
    }

    fn is_service_admin(&self) -> bool {
        self.holds(Role::ServiceAdmin, None)
    }

    fn administers(&self, programme_id: ProgrammeId) -> bool {
        self.grants
            .iter()
            .any(|g| g.role == Role::ProgrammeAdmin && g.scope_id == Some(programme_id.0))
    }

    /// True when the person sits on the round's panel.
    pub fn sits_on(&self, round_id: RoundId) -> bool {
        self.grants
            .iter()
            .any(|g| g.role == Role::PanelMember && g.scope_id == Some(round_id.0))
    }

    /// The most senior role held, for the header and the dashboard.
    pub fn main_role(&self) -> Option<Role> {
        Role::ALL
            .into_iter()
            .find(|r| self.grants.iter().any(|g| g.role == *r))
    }
}

/// Decides whether `who` may do `action` to `resource`.
pub fn allows(who: &Principal, action: Action, resource: Resource<'_>) -> bool {
    // A service admin may do everything, except act as a panel member: declaring one's
    // conflicts and bids and scoring are a member's own part, never anyone else's.
    let own_part = matches!(
        resource,
        Resource::PanelMembership { .. } | Resource::Review { .. } | Resource::Outcome { .. }
    );
    if who.is_service_admin() && !(own_part && action == Action::Edit) {
        return true;
    }
    match resource {
        Resource::Programme { id } => who.administers(id),
        Resource::Place { id, programme_ids } => {
            let leads = who
                .grants
                .iter()
                .any(|g| g.role == Role::PlaceLead && g.scope_id == Some(id.0));
            let admin = programme_ids.iter().any(|p| who.administers(*p));
            match action {
                Action::View => leads || admin,
                // Place details (such as the board chair's contact) are changed by admins;
                // leads propose changes through their own journey.
                Action::Edit => admin,
            }
        }
        Resource::Application {
            place_id,
            programme_id,
            round_id,
            submitted,
            conflicted,
        } => {
            let leads = who
                .grants
                .iter()
                .any(|g| g.role == Role::PlaceLead && g.scope_id == Some(place_id.0));
            match action {
                // Answers are written by the place's leads only; admins run the round
                // (deadlines, exports) through the programme.
                Action::Edit => leads,
                Action::View => {
                    leads
                        || who.administers(programme_id)
                        || (submitted && !conflicted && who.sits_on(round_id))
                }
            }
        }
        Resource::Panel { .. }
        | Resource::PanelMembership { .. }
        | Resource::Review { .. }
        | Resource::Moderation { .. }
        | Resource::Decision { .. } => allows_panel(who, action, resource),
        Resource::Outcome {
            programme_id,
            place_id,
            announced,
        } => {
            let leads = who
                .grants
                .iter()
                .any(|g| g.role == Role::PlaceLead && g.scope_id == Some(place_id.0));
            match action {
                Action::View => who.administers(programme_id) || (leads && announced),
                Action::Edit => leads && announced,
            }
        }
        Resource::RoundForm { programme_id, open } => match action {
            Action::View => open || who.administers(programme_id),
            Action::Edit => who.administers(programme_id),
        },
        // One programme's admins must not redirect another programme's sign-offs: only
        // someone who administers every programme the place takes part in may change it
        // (docs/decisions/0004-places-shared-by-programmes.md).
        Resource::PlaceChair { programme_ids } => {
            !programme_ids.is_empty() && programme_ids.iter().all(|p| who.administers(*p))
        }
        Resource::Account { user_id } | Resource::ApiToken { owner_id: user_id } => who.user_id == user_id,
        Resource::Service => false,
    }
}

/// The panel's resources: run by the programme's admins, used by the round's members.
fn allows_panel(who: &Principal, action: Action, resource: Resource<'_>) -> bool {
    match resource {
        Resource::Panel {
            programme_id,
            round_id,
        } => match action {
            Action::View => who.administers(programme_id) || who.sits_on(round_id),
            Action::Edit => who.administers(programme_id),
        },
        Resource::PanelMembership {
            programme_id,
            round_id,
            owner,
        } => {
            let own = owner == who.user_id && who.sits_on(round_id);
            match action {
                Action::View => own || who.administers(programme_id),
                // Only the member declares their conflicts and places their bids.
                Action::Edit => own,
            }
        }
        // Scores are given by an assigned member with no conflict, never by anyone else.
        Resource::Review {
            round_id,
            assigned,
            conflicted,
        } => assigned && !conflicted && who.sits_on(round_id),
        // The meeting and its decisions: the chair and the admins decide; members read.
        Resource::Moderation {
            programme_id,
            round_id,
            chair,
            conflicted,
        }
        | Resource::Decision {
            programme_id,
            round_id,
            chair,
            conflicted,
        } => {
            let member = who.sits_on(round_id) && !conflicted;
            match action {
                Action::View => who.administers(programme_id) || member,
                Action::Edit => who.administers(programme_id) || (member && chair),
            }
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: i64, grants: &[(Role, Option<i64>)]) -> Principal {
        Principal {
            user_id: UserId(id),
            grants: grants
                .iter()
                .map(|(role, scope_id)| Grant {
                    role: *role,
                    scope_id: *scope_id,
                })
                .collect(),
        }
    }

    #[test]
    fn programme_admin_sees_only_their_programme() {
        let admin = person(1, &[(Role::ProgrammeAdmin, Some(10))]);
        assert!(allows(
            &admin,
            Action::Edit,
            Resource::Programme { id: ProgrammeId(10) }
        ));
        assert!(!allows(
            &admin,
            Action::View,
            Resource::Programme { id: ProgrammeId(11) }
        ));
        assert!(!allows(&admin, Action::View, Resource::Service));
    }

    #[test]
    fn place_lead_reads_own_place_but_cannot_edit_it() {
        let lead = person(2, &[(Role::PlaceLead, Some(5))]);
        assert!(allows(
            &lead,
            Action::View,
            Resource::Place {
                id: PlaceId(5),
                programme_ids: &[ProgrammeId(10)]
            }
        ));
        assert!(!allows(
            &lead,
            Action::Edit,
            Resource::Place {
                id: PlaceId(5),
                programme_ids: &[ProgrammeId(10)]
            }
        ));
        assert!(!allows(
            &lead,
            Action::View,
            Resource::Place {
                id: PlaceId(6),
                programme_ids: &[ProgrammeId(10)]
            }
        ));
    }

    #[test]
    fn programme_admin_reaches_places_in_their_programme_only() {
        let admin = person(1, &[(Role::ProgrammeAdmin, Some(10))]);
        assert!(allows(
            &admin,
            Action::Edit,
            Resource::Place {
                id: PlaceId(5),
                programme_ids: &[ProgrammeId(9), ProgrammeId(10)]
            }
        ));
        assert!(!allows(
            &admin,
            Action::View,
            Resource::Place {
                id: PlaceId(5),
                programme_ids: &[ProgrammeId(9)]
            }
        ));
    }

    #[test]
    fn accounts_and_tokens_belong_to_their_owner() {
        let someone = person(3, &[(Role::Enabler, None)]);
        assert!(allows(
            &someone,
            Action::Edit,
            Resource::ApiToken { owner_id: UserId(3) }
        ));
        assert!(!allows(
            &someone,
            Action::Edit,
            Resource::ApiToken { owner_id: UserId(4) }
        ));
        assert!(!allows(
            &someone,
            Action::View,
            Resource::Account { user_id: UserId(4) }
        ));
    }

    #[test]
    fn service_admin_may_do_anything() {
        let root = person(9, &[(Role::ServiceAdmin, None)]);
        assert!(allows(&root, Action::Edit, Resource::Service));
        assert!(allows(
            &root,
            Action::Edit,
            Resource::Programme { id: ProgrammeId(77) }
        ));
        assert_eq!(root.main_role(), Some(Role::ServiceAdmin));
    }

    #[test]
    fn applications_are_written_by_their_leads_and_read_by_the_round() {
        let app = |submitted| Resource::Application {
            place_id: PlaceId(5),
            programme_id: ProgrammeId(10),
            round_id: RoundId(20),
            submitted,
            conflicted: false,
        };
        let lead = person(2, &[(Role::PlaceLead, Some(5))]);
        let other_lead = person(3, &[(Role::PlaceLead, Some(6))]);
        let admin = person(1, &[(Role::ProgrammeAdmin, Some(10))]);
        let other_admin = person(4, &[(Role::ProgrammeAdmin, Some(11))]);
        let panel = person(6, &[(Role::PanelMember, Some(20))]);
        assert!(allows(&lead, Action::Edit, app(false)));
        assert!(!allows(&other_lead, Action::View, app(true)));
        assert!(allows(&admin, Action::View, app(false)));
        assert!(!allows(&admin, Action::Edit, app(false)));
        assert!(!allows(&other_admin, Action::View, app(true)));
        assert!(!allows(&panel, Action::View, app(false)));
        assert!(allows(&panel, Action::View, app(true)));
        assert!(!allows(&panel, Action::Edit, app(true)));
        let conflicted = Resource::Application {
            place_id: PlaceId(5),
            programme_id: ProgrammeId(10),
            round_id: RoundId(20),
            submitted: true,
            conflicted: true,
        };
        assert!(!allows(&panel, Action::View, conflicted));
    }

    #[test]
    fn panels_are_run_by_admins_and_scored_by_assigned_unconflicted_members() {
        let admin = person(1, &[(Role::ProgrammeAdmin, Some(10))]);
        let member = person(6, &[(Role::PanelMember, Some(20))]);
        let other_round = person(7, &[(Role::PanelMember, Some(21))]);
        let panel = Resource::Panel {
            programme_id: ProgrammeId(10),
            round_id: RoundId(20),
        };
        assert!(allows(&admin, Action::Edit, panel));
        assert!(allows(&member, Action::View, panel));
        assert!(!allows(&member, Action::Edit, panel));
        assert!(!allows(&other_round, Action::View, panel));
        let own = |owner| Resource::PanelMembership {
            programme_id: ProgrammeId(10),
            round_id: RoundId(20),
            owner: UserId(owner),
        };
        assert!(allows(&member, Action::Edit, own(6)));
        assert!(!allows(&member, Action::View, own(7)));
        assert!(allows(&admin, Action::View, own(6)));
        assert!(!allows(&admin, Action::Edit, own(6)));
        let review = |assigned, conflicted| Resource::Review {
            round_id: RoundId(20),
            assigned,
            conflicted,
        };
        assert!(allows(&member, Action::Edit, review(true, false)));
        assert!(!allows(&member, Action::Edit, review(false, false)));
        assert!(!allows(&member, Action::View, review(true, true)));
        assert!(!allows(&admin, Action::Edit, review(true, false)));
        let moderation = |chair, conflicted| Resource::Moderation {
            programme_id: ProgrammeId(10),
            round_id: RoundId(20),
            chair,
            conflicted,
        };
        assert!(allows(&member, Action::View, moderation(false, false)));
        assert!(!allows(&member, Action::Edit, moderation(false, false)));
        assert!(allows(&member, Action::Edit, moderation(true, false)));
        assert!(!allows(&member, Action::View, moderation(true, true)));
        assert!(allows(&admin, Action::Edit, moderation(false, false)));
        assert!(!allows(&other_round, Action::View, moderation(true, false)));
        // A service admin runs any panel but is nobody's reviewer.
        let service = person(9, &[(Role::ServiceAdmin, None)]);
        assert!(allows(&service, Action::Edit, panel));
        assert!(!allows(&service, Action::Edit, own(9)));
        assert!(!allows(&service, Action::Edit, review(true, false)));
    }

    #[test]
    fn no_grants_no_access() {
        let nobody = person(5, &[]);
        assert!(!allows(
            &nobody,
            Action::View,
            Resource::Programme { id: ProgrammeId(1) }
        ));
        assert_eq!(nobody.main_role(), None);
    }

    #[test]
    fn a_round_form_is_read_by_applicants_only_once_the_round_opens() {
        let admin = person(1, &[(Role::ProgrammeAdmin, Some(10))]);
        let lead = person(2, &[(Role::PlaceLead, Some(3))]);
        let closed_form = Resource::RoundForm {
            programme_id: ProgrammeId(10),
            open: false,
        };
        assert!(allows(&admin, Action::View, closed_form));
        assert!(!allows(&lead, Action::View, closed_form));
        assert!(allows(
            &lead,
            Action::View,
            Resource::RoundForm {
                programme_id: ProgrammeId(10),
                open: true
            }
        ));
        assert!(!allows(
            &lead,
            Action::Edit,
            Resource::RoundForm {
                programme_id: ProgrammeId(10),
                open: true
            }
        ));
    }

    #[test]
    fn a_shared_place_chair_is_changed_only_by_whoever_runs_every_programme() {
        let admin = person(1, &[(Role::ProgrammeAdmin, Some(10))]);
        let both = person(
            2,
            &[(Role::ProgrammeAdmin, Some(10)), (Role::ProgrammeAdmin, Some(11))],
        );
        let service = person(3, &[(Role::ServiceAdmin, None)]);
        let shared = Resource::PlaceChair {
            programme_ids: &[ProgrammeId(10), ProgrammeId(11)],
        };
        assert!(!allows(&admin, Action::Edit, shared));
        assert!(allows(&both, Action::Edit, shared));
        assert!(allows(&service, Action::Edit, shared));
        assert!(allows(
            &admin,
            Action::Edit,
            Resource::PlaceChair {
                programme_ids: &[ProgrammeId(10)]
            }
        ));
        assert!(!allows(
            &admin,
            Action::Edit,
            Resource::PlaceChair { programme_ids: &[] }
        ));
    }

    #[test]
    fn an_outcome_is_nobody_s_business_of_the_place_until_it_is_announced() {
        let lead = person(1, &[(Role::PlaceLead, Some(5))]);
        let other_lead = person(2, &[(Role::PlaceLead, Some(6))]);
        let admin = person(3, &[(Role::ProgrammeAdmin, Some(10))]);
        let service = person(4, &[(Role::ServiceAdmin, None)]);
        let outcome = |announced| Resource::Outcome {
            programme_id: ProgrammeId(10),
            place_id: PlaceId(5),
            announced,
        };
        assert!(!allows(&lead, Action::View, outcome(false)));
        assert!(allows(&lead, Action::View, outcome(true)));
        assert!(allows(&lead, Action::Edit, outcome(true)));
        assert!(!allows(&other_lead, Action::View, outcome(true)));
        assert!(allows(&admin, Action::View, outcome(false)));
        // Only the place answers its offer.
        assert!(!allows(&admin, Action::Edit, outcome(true)));
        assert!(!allows(&service, Action::Edit, outcome(true)));
    }

    #[test]
    fn decisions_are_the_chair_s_and_the_admins_and_never_a_conflicted_member_s() {
        let chair = person(1, &[(Role::PanelMember, Some(20))]);
        let admin = person(3, &[(Role::ProgrammeAdmin, Some(10))]);
        let decision = |chair, conflicted| Resource::Decision {
            programme_id: ProgrammeId(10),
            round_id: RoundId(20),
            chair,
            conflicted,
        };
        assert!(allows(&chair, Action::Edit, decision(true, false)));
        assert!(!allows(&chair, Action::Edit, decision(true, true)));
        assert!(!allows(&chair, Action::Edit, decision(false, false)));
        assert!(allows(&chair, Action::View, decision(false, false)));
        assert!(!allows(&chair, Action::View, decision(false, true)));
        assert!(allows(&admin, Action::Edit, decision(false, false)));
    }
}
