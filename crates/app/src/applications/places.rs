//! The places someone may apply for in a round: those they lead that take part in the
//! round's programme, each with the status of any application already started.

use super::ApplicationError;
use crate::App;
use convene_domain::accounts::Role;
use convene_domain::applications::ApplicationStatus;
use convene_domain::policy::Principal;
use convene_domain::programmes::{Place, Round};
use convene_store::{applications, programmes};

/// A place `who` leads in the round's programme, and the status of its application to
/// this round if one was started.
pub async fn places_to_apply_for(
    app: &App,
    who: &Principal,
    round: &Round,
) -> Result<Vec<(Place, Option<ApplicationStatus>)>, ApplicationError> {
    let led: Vec<i64> = who
        .grants
        .iter()
        .filter(|g| g.role == Role::PlaceLead)
        .filter_map(|g| g.scope_id)
        .collect();
    let places: Vec<Place> = programmes::places_by_ids(&app.db, &led)
        .await?
        .into_iter()
        .filter(|p| p.programme_ids.contains(&round.programme_id))
        .collect();
    let ids: Vec<i64> = places.iter().map(|p| p.id.0).collect();
    let started = applications::for_places(&app.db, &ids).await?;
    Ok(places
        .into_iter()
        .map(|p| {
            let status = started
                .iter()
                .find(|a| a.place_id == p.id && a.round_id == round.id)
                .map(|a| a.status);
            (p, status)
        })
        .collect())
}

/// The round `round_slug` of the programme `slug`, from the catalogue, for the start of
/// the journey.
pub async fn round_by_slugs(app: &App, slug: &str, round_slug: &str) -> Result<Round, ApplicationError> {
    let all = app.catalogue.get(&app.db).await?;
    all.iter()
        .find(|e| e.programme.slug == slug)
        .and_then(|e| e.rounds.iter().find(|r| r.slug == round_slug))
        .cloned()
        .ok_or(ApplicationError::NotFound)
}
