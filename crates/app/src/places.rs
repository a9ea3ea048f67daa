//! Places: a place's page (the programmes it is in, its board chair), and changing the
//! chair's contact, which every programme the place is in sends its sign-off requests to.
//! Only someone who runs every one of those programmes changes it alone; anyone else who
//! may act for the place proposes a change, and such an admin decides.

/// A proposed chair contact waiting for a decision.
pub use convene_store::programmes::ChairProposal;

use crate::{App, Error, Result};
use convene_domain::Email;
use convene_domain::audit::AuditAction;
use convene_domain::policy::{Action, Principal, Resource, allows};
use convene_domain::programmes::{Place, Programme};
use convene_store::programmes;

/// Loads a place and checks `action` on it for `who`.
pub async fn load(app: &App, who: &Principal, id: i64, action: Action) -> Result<Place> {
    let place = programmes::place(&app.db, id).await?.ok_or(Error::NotFound)?;
    if !may(who, action, &place) {
        return Err(Error::Forbidden);
    }
    Ok(place)
}

fn may(who: &Principal, action: Action, place: &Place) -> bool {
    allows(
        who,
        action,
        Resource::Place {
            id: place.id,
            programme_ids: &place.programme_ids,
        },
    )
}

/// True when `who` may change the place's board chair contact alone: they run every
/// programme the place takes part in.
pub fn may_change_chair(who: &Principal, place: &Place) -> bool {
    allows(
        who,
        Action::Edit,
        Resource::PlaceChair {
            programme_ids: &place.programme_ids,
        },
    )
}

/// A place with what its page shows.
#[derive(Debug, Clone)]
pub struct Standing {
    pub place: Place,
    /// The programmes it takes part in.
    pub programmes: Vec<Programme>,
    /// Proposed chair contacts waiting for a decision.
    pub proposals: Vec<ChairProposal>,
    /// May change the board chair's contact (admins of every programme the place is in).
    pub can_change_chair: bool,
    /// Runs some of the place's programmes but not all, so cannot change the chair alone.
    pub shared_chair: bool,
}

/// What the page of `place` (loaded through [`load`]) shows `who`.
pub async fn standing(app: &App, who: &Principal, place: Place) -> Result<Standing> {
    if !may(who, Action::View, &place) {
        return Err(Error::Forbidden);
    }
    let can_change_chair = may_change_chair(who, &place);
    let shared_chair = !can_change_chair && may(who, Action::Edit, &place);
    let programmes = programmes::by_ids(&app.db, &place.programme_ids).await?;
    let proposals = programmes::open_chair_proposals(&app.db, place.id).await?;
    Ok(Standing {
        place,
        programmes,
        proposals,
        can_change_chair,
        shared_chair,
    })
}

/// What is wrong with a chair contact as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChairProblem {
    /// No name was given.
    NameMissing,
    /// The address is not one, with why.
    Email(String),
}

/// Checks a chair contact as typed: the trimmed name and the address, or every problem.
pub fn check_chair(name: &str, email: &str) -> std::result::Result<(String, Email), Vec<ChairProblem>> {
    let mut problems = Vec::new();
    let name = name.trim();
    if name.is_empty() {
        problems.push(ChairProblem::NameMissing);
    }
    let email = Email::parse(email);
    if let Err(e) = &email {
        problems.push(ChairProblem::Email(e.to_string()));
    }
    match email {
        Ok(email) if problems.is_empty() => Ok((name.to_string(), email)),
        _ => Err(problems),
    }
}

/// Where a change was made, kept with its audit entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Page,
    Api,
}

impl Via {
    fn detail(self) -> &'static str {
        match self {
            Via::Page => "",
            Via::Api => "api",
        }
    }
}

/// Changes the place's board chair contact (someone who runs every programme the place is
/// in). Returns the changed place, or what is wrong with the contact as typed.
pub async fn change_chair(
    app: &App,
    who: &Principal,
    place: &Place,
    name: &str,
    email: &str,
    via: Via,
) -> Result<std::result::Result<Place, Vec<ChairProblem>>> {
    if !may(who, Action::View, place) || !may_change_chair(who, place) {
        return Err(Error::Forbidden);
    }
    let (name, email) = match check_chair(name, email) {
        Ok(checked) => checked,
        Err(problems) => return Ok(Err(problems)),
    };
    let mut work = app.begin(Some(who.user_id.0)).await?;
    programmes::set_hwb_chair(work.tx(), place.id, &name, email.as_str()).await?;
    work.audit_with(AuditAction::PlaceChairChanged, Some(place.id.0), via.detail())
        .await?;
    work.commit().await?;
    let changed = programmes::place(&app.db, place.id.0)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(Ok(changed))
}

/// Proposes a new board chair contact for a programme admin to decide on (anyone who may
/// see the place).
pub async fn propose_chair(
    app: &App,
    who: &Principal,
    place: &Place,
    name: &str,
    email: &str,
) -> Result<std::result::Result<(), Vec<ChairProblem>>> {
    if !may(who, Action::View, place) {
        return Err(Error::Forbidden);
    }
    let (name, email) = match check_chair(name, email) {
        Ok(checked) => checked,
        Err(problems) => return Ok(Err(problems)),
    };
    let mut work = app.begin(Some(who.user_id.0)).await?;
    let now = work.now();
    programmes::propose_chair(work.tx(), place.id, who.user_id, &name, email.as_str(), now).await?;
    work.audit(AuditAction::PlaceChairProposed, Some(place.id.0))
        .await?;
    work.commit().await?;
    Ok(Ok(()))
}

/// Approves or rejects a proposed chair contact. False when it was already decided.
pub async fn decide_chair_proposal(
    app: &App,
    who: &Principal,
    place: &Place,
    proposal_id: i64,
    approve: bool,
) -> Result<bool> {
    if !may(who, Action::View, place) || !may_change_chair(who, place) {
        return Err(Error::Forbidden);
    }
    let mut work = app.begin(Some(who.user_id.0)).await?;
    let now = work.now();
    let decided =
        programmes::decide_chair_proposal(work.tx(), place.id, proposal_id, approve, who.user_id, now)
            .await?;
    if decided {
        let action = if approve {
            AuditAction::PlaceChairProposalApproved
        } else {
            AuditAction::PlaceChairProposalRejected
        };
        work.audit(action, Some(place.id.0)).await?;
    }
    work.commit().await?;
    Ok(decided)
}
