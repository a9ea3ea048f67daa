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
    /// A programme's enabler pool: browsed by its admins, its approved enablers
    /// (`in_pool`) and the leads of its funded places (`funded_lead`: the asker leads a
    /// place with an accepted award in the programme), both worked out by the caller from
    /// the records; vetted (Edit) by its admins.
    EnablerPool {
        programme_id: ProgrammeId,
        in_pool: bool,
        funded_lead: bool,
    },
    /// An enabler's own part: their profile, their ranking of places, the contact they log
    /// and their answers to queries. `owner` is the enabler; admins read it.
    EnablerOwn {
        programme_id: ProgrammeId,
        owner: UserId,
    },
    /// A funded place's own part in enablers and support: its ranking of enablers, its
    /// queries of contact, its requests for support. Its leads; admins read it.
    PlaceSupport {
        programme_id: ProgrammeId,
        place_id: PlaceId,
    },
    /// An engagement and its contact: read by the programme's admins, the place's leads
    /// and its enabler; ended early and its queries settled (Edit) by the admins.
    Engagement {
        programme_id: ProgrammeId,
        place_id: PlaceId,
        enabler: UserId,
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

/// A service admin may do everything, except act in someone's own part: declaring a panel
/// member's conflicts and bids and scoring, answering a place's offer, logging an
/// enabler's contact, ranking or querying for a place are theirs, never anyone else's.
fn is_own_part(resource: Resource<'_>) -> bool {
    matches!(
        resource,
        Resource::PanelMembership { .. }
            | Resource::Review { .. }
            | Resource::Outcome { .. }
            | Resource::EnablerOwn { .. }
            | Resource::PlaceSupport { .. }
    )
}

/// Decides whether `who` may do `action` to `resource`.
pub fn allows(who: &Principal, action: Action, resource: Resource<'_>) -> bool {
    if who.is_service_admin() && !(is_own_part(resource) && action == Action::Edit) {
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
        Resource::EnablerPool { .. }
        | Resource::EnablerOwn { .. }
        | Resource::PlaceSupport { .. }
        | Resource::Engagement { .. } => allows_enablers(who, action, resource),
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

/// The enablers' resources: the pool vetted by the programme's admins, each enabler's and
/// each place's own part theirs alone, engagements read by both sides.
fn allows_enablers(who: &Principal, action: Action, resource: Resource<'_>) -> bool {
    let leads = |place_id: PlaceId| who.holds(Role::PlaceLead, Some(place_id.0));
    match resource {
        Resource::EnablerPool {
            programme_id,
            in_pool,
            funded_lead,
        } => match action {
            Action::View => who.administers(programme_id) || in_pool || funded_lead,
            Action::Edit => who.administers(programme_id),
        },
        Resource::EnablerOwn { programme_id, owner } => {
            let own = owner == who.user_id;
            match action {
                Action::View => own || who.administers(programme_id),
                Action::Edit => own,
            }
        }
        Resource::PlaceSupport {
            programme_id,
            place_id,
        } => match action {
            Action::View => leads(place_id) || who.administers(programme_id),
            Action::Edit => leads(place_id),
        },
        Resource::Engagement {
            programme_id,
            place_id,
            enabler,
        } => match action {
            Action::View => who.administers(programme_id) || leads(place_id) || enabler == who.user_id,
            Action::Edit => who.administers(programme_id),
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests;
