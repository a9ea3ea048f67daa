//! Every programme's calls for applications, open and opening soon first, then closed ones:
//! shared by the public pages (HTML, Atom, JSON) and the API.

use crate::error::AppError;
use crate::state::AppState;
use convene_domain::Timestamp;
use convene_domain::programmes::{RoundStatus, round_status};
use serde::Serialize;

/// One call for applications, as every public view shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Call {
    pub programme: String,
    pub programme_slug: String,
    pub round: String,
    pub round_slug: String,
    /// The round's id, for GET /api/v1/rounds/{id} and starting an application.
    pub round_id: i64,
    /// open, not_open_yet or closed.
    #[schema(value_type = String)]
    pub status: RoundStatus,
    pub opens_at: String,
    pub closes_at: String,
    pub deadline_in_words: String,
    pub eligibility: String,
    pub places_offered: i64,
    /// Where to start an application (sign-in comes first when needed).
    pub apply_url: String,
    /// When it closes, for sorting and feeds (not in the JSON).
    #[serde(skip)]
    pub closes: Timestamp,
    /// When it opens, for feeds (not in the JSON).
    #[serde(skip)]
    pub opens: Timestamp,
}

/// Every round of every programme: open and opening soon first, by closing date; closed
/// ones after, most recently closed first. Closed calls stay listed, marked closed.
pub async fn calls(state: &AppState) -> Result<Vec<Call>, AppError> {
    let now = state.clock.now();
    let catalogue = convene_app::programmes::catalogue(state).await?;
    let mut calls: Vec<Call> = catalogue
        .iter()
        .flat_map(|e| {
            e.rounds.iter().map(move |r| Call {
                programme: e.programme.name.clone(),
                programme_slug: e.programme.slug.clone(),
                round: r.name.clone(),
                round_slug: r.slug.clone(),
                round_id: r.id.0,
                status: round_status(r.opens_at, r.closes_at, now),
                opens_at: r.opens_at.iso(),
                closes_at: r.closes_at.iso(),
                deadline_in_words: r.closes_at.london_words(),
                eligibility: r.eligibility.clone(),
                places_offered: r.places_offered,
                apply_url: format!("/programmes/{}/rounds/{}/apply", e.programme.slug, r.slug),
                closes: r.closes_at,
                opens: r.opens_at,
            })
        })
        .collect();
    calls.sort_by(|a, b| {
        let closed = |c: &Call| c.status == RoundStatus::Closed;
        closed(a).cmp(&closed(b)).then_with(|| {
            if closed(a) {
                b.closes.cmp(&a.closes)
            } else {
                a.closes.cmp(&b.closes)
            }
        })
    });
    Ok(calls)
}
