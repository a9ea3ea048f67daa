//! Enablers: funded places and enablers choosing each other and the stable matching
//! ([`matching`]), the engagements that follow with contact logged against their
//! allocation ([`engagements`]), and places' queries of that contact ([`queries`]).
//! Shared by the pages and the API.
//!
//! Their actions end in the same ways as a panel's (not found, not allowed, input to
//! correct, saved elsewhere, a state that does not allow it), so they share its error.

pub mod engagements;
pub mod matching;
pub mod pool;
pub mod queries;
pub mod rankings;
pub mod support;

pub use crate::panels::{PanelError, Problem, Result};

use convene_domain::awards::AwardStatus;
use convene_domain::policy::{Action, Principal, Resource, allows};
use convene_store::awards::Award;

/// A funded place's award (accepted), for a lead of the place acting in its own part: not
/// found for anyone who may not read it (or an award not accepted), forbidden for a reader
/// who may not act for the place.
async fn funded_place(app: &crate::App, who: &Principal, award_id: i64) -> Result<Award> {
    place_part(app, who, award_id, Action::Edit).await
}

/// A funded place's award for `action` on its own part: reading (its leads and the
/// programme's admins) or acting (its leads), as [`funded_place`] refuses.
async fn place_part(app: &crate::App, who: &Principal, award_id: i64, action: Action) -> Result<Award> {
    let award = convene_store::awards::award(&app.db, award_id).await?;
    let place = Resource::PlaceSupport {
        programme_id: award.programme_id,
        place_id: award.place_id,
    };
    if !allows(who, Action::View, place) || award.status != AwardStatus::Accepted {
        return Err(PanelError::NotFound);
    }
    if !allows(who, action, place) {
        return Err(PanelError::Forbidden);
    }
    Ok(award)
}

fn invalid(field: &str, message: impl Into<String>) -> PanelError {
    PanelError::Invalid(vec![Problem {
        field: field.into(),
        message: message.into(),
    }])
}
