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

#[test]
fn the_enabler_pool_is_read_by_its_programme_and_funded_places_and_vetted_by_admins() {
    let admin = person(1, &[(Role::ProgrammeAdmin, Some(10))]);
    let other_admin = person(3, &[(Role::ProgrammeAdmin, Some(11))]);
    let someone = person(4, &[(Role::PlaceLead, Some(5)), (Role::Enabler, None)]);
    let pool = |in_pool, funded_lead| Resource::EnablerPool {
        programme_id: ProgrammeId(10),
        in_pool,
        funded_lead,
    };
    assert!(allows(&admin, Action::Edit, pool(false, false)));
    assert!(!allows(&other_admin, Action::View, pool(false, false)));
    assert!(
        !allows(&someone, Action::View, pool(false, false)),
        "neither in the pool nor funded"
    );
    assert!(allows(&someone, Action::View, pool(true, false)));
    assert!(allows(&someone, Action::View, pool(false, true)));
    assert!(!allows(&someone, Action::Edit, pool(true, true)));
}

#[test]
fn an_enabler_s_and_a_place_s_own_parts_are_theirs_alone() {
    let p = ProgrammeId(10);
    let admin = person(1, &[(Role::ProgrammeAdmin, Some(10))]);
    let service = person(9, &[(Role::ServiceAdmin, None)]);
    let enabler = person(2, &[(Role::Enabler, None)]);
    let other = person(3, &[(Role::Enabler, None)]);
    let lead = person(4, &[(Role::PlaceLead, Some(5))]);
    let own = Resource::EnablerOwn {
        programme_id: p,
        owner: UserId(2),
    };
    assert!(allows(&enabler, Action::Edit, own));
    assert!(!allows(&other, Action::View, own));
    assert!(allows(&admin, Action::View, own) && !allows(&admin, Action::Edit, own));
    assert!(
        !allows(&service, Action::Edit, own),
        "nobody logs contact for an enabler"
    );
    let place = Resource::PlaceSupport {
        programme_id: p,
        place_id: PlaceId(5),
    };
    assert!(allows(&lead, Action::Edit, place));
    assert!(!allows(&enabler, Action::View, place));
    assert!(allows(&admin, Action::View, place) && !allows(&admin, Action::Edit, place));
    assert!(
        !allows(&service, Action::Edit, place),
        "nobody ranks or queries for a place"
    );
    let engagement = Resource::Engagement {
        programme_id: p,
        place_id: PlaceId(5),
        enabler: UserId(2),
    };
    assert!(allows(&enabler, Action::View, engagement) && !allows(&enabler, Action::Edit, engagement));
    assert!(allows(&lead, Action::View, engagement) && !allows(&lead, Action::Edit, engagement));
    assert!(!allows(&other, Action::View, engagement));
    assert!(allows(&admin, Action::Edit, engagement));
}
