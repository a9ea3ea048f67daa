//! After moderation: the selection helper ([`selection`]), the panel's decisions
//! ([`decisions`]), awards and the places' answers ([`offers`]), outcome letters on the
//! notification date ([`letters`]), the panel pack ([`panel_pack`]) and the programme's
//! open data ([`open_data`]). Shared by the pages and the API.
//!
//! These continue a round's panel, so they share its error ([`PanelError`]) and its one
//! rule of what a member's conflicts keep them from (`crate::panels::conflicted`).

pub mod decisions;
pub mod letters;
pub mod offers;
pub mod open_data;
pub mod panel_pack;
pub mod selection;

pub use crate::panels::{PanelError, Problem, Result};
pub use convene_domain::awards::{AwardStatus, Fund, LetterKind, Outcome};
pub use convene_store::awards::Award;
pub use convene_store::awards::decisions::Decision;
pub use convene_store::awards::letters::Letter;

use crate::App;
use crate::panels::Panel;
use crate::panels::ranking::Standing;
use convene_domain::policy::{Action, Principal, Resource, allows};
use convene_domain::{ApplicationId, Pence, RoundId};
use convene_store::awards as store;

/// An application's moderated score in hundredths of a point: the panel's agreed score
/// when it recorded one, else the reviewers' weighted mean; `None` until scored.
pub fn moderated_score(standing: &Standing) -> Option<i64> {
    standing
        .moderation
        .as_ref()
        .map(|m| m.agreed_tenths * 10)
        .or(standing.summary.mean)
}

/// The round's decisions as a resource, for one application (`conflicted` when the
/// asker's declarations cover it) or the round (`false`).
pub(crate) fn decision_resource(panel: &Panel, conflicted: bool) -> Resource<'static> {
    Resource::Decision {
        programme_id: panel.programme.id,
        round_id: panel.round.id,
        chair: panel.i_chair(),
        conflicted,
    }
}

/// The round's panel for someone who may read its decisions (`Action::View`) or make them
/// (`Action::Edit`): 404 for anyone who may not read them, 403 for a reader who may not
/// make them.
pub(crate) async fn decision_panel(
    app: &App,
    who: &Principal,
    round_id: RoundId,
    action: Action,
) -> Result<Panel> {
    let panel = crate::panels::panel(app, who, round_id, Action::View).await?;
    if !allows(who, Action::View, decision_resource(&panel, false)) {
        return Err(PanelError::NotFound);
    }
    if !allows(who, action, decision_resource(&panel, false)) {
        return Err(PanelError::Forbidden);
    }
    Ok(panel)
}

/// How many reviews an application still waits for: those assigned (or, before any
/// assignment, the reviews each application needs) less those submitted.
pub(crate) fn reviews_missing(panel: &Panel, assigned: usize, submitted: usize) -> u32 {
    let expected = if assigned > 0 {
        assigned
    } else {
        panel.reviews_per_application as usize
    };
    u32::try_from(expected.saturating_sub(submitted)).unwrap_or(u32::MAX)
}

/// The fund as it stands for a programme.
pub async fn fund(app: &App, programme_id: convene_domain::ProgrammeId) -> Result<Fund> {
    Ok(store::fund(&app.db, programme_id).await?)
}

/// An application's award value: the one an admin set, else the round's value per place.
pub(crate) fn value_of(values: &[(ApplicationId, Pence)], id: ApplicationId, per_place: Pence) -> Pence {
    values
        .iter()
        .find(|(a, _)| *a == id)
        .map_or(per_place, |(_, v)| *v)
}

fn invalid(field: &str, message: impl Into<String>) -> PanelError {
    PanelError::Invalid(vec![Problem {
        field: field.into(),
        message: message.into(),
    }])
}
