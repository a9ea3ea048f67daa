//! Programmes through the API.

use crate::api::ApiResult;
use crate::api::places::PlaceBody;
use crate::auth::ApiUser;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use convene_app::programmes;
use convene_domain::policy::{Action, Resource, allows};
use serde::Serialize;
use utoipa::ToSchema;

/// A programme; its fund figures (in pence) only for those who manage it.
#[derive(Serialize, ToSchema)]
pub struct ProgrammeBody {
    pub slug: String,
    pub name: String,
    pub summary: String,
    /// The fund (partners' contributions and the match contributions of places that accepted), for the programme's admins; null for everyone else.
    pub fund_total_pence: Option<i64>,
    /// What is not yet awarded, for the programme's admins; null for everyone else.
    pub fund_left_pence: Option<i64>,
}

/// Every programme.
#[utoipa::path(get, path = "/programmes", operation_id = "list_programmes", tag = "programmes", responses(
    (status = 200, description = "All programmes", body = Vec<ProgrammeBody>),
    (status = 401, description = "Missing or revoked token", content_type = "application/problem+json"),
))]
pub async fn list(State(state): State<AppState>, ApiUser(person): ApiUser) -> ApiResult<Vec<ProgrammeBody>> {
    let all = programmes::catalogue(&state).await?;
    Ok(Json(
        all.iter()
            .map(|e| {
                let p = &e.programme;
                let manages = allows(&person.1, Action::View, Resource::Programme { id: p.id });
                ProgrammeBody {
                    slug: p.slug.clone(),
                    name: p.name.clone(),
                    summary: p.summary.clone(),
                    fund_total_pence: manages.then_some(p.fund.total.0),
                    fund_left_pence: manages.then_some(p.fund.left.0),
                }
            })
            .collect(),
    ))
}

/// The places taking part in a programme (its admins only).
#[utoipa::path(get, path = "/programmes/{slug}/places", operation_id = "list_programme_places", tag = "programmes",
    params(("slug" = String, Path, description = "The programme's slug, such as local-vision")),
    responses(
        (status = 200, description = "The programme's places", body = Vec<PlaceBody>),
        (status = 403, description = "Not an admin of this programme", content_type = "application/problem+json"),
        (status = 404, description = "No such programme", content_type = "application/problem+json"),
))]
pub async fn places(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(slug): Path<String>,
) -> ApiResult<Vec<PlaceBody>> {
    let places = programmes::places(&state, &person.1, &slug).await?;
    Ok(Json(places.into_iter().map(PlaceBody::from).collect()))
}

/// A round as the public programme page shows it.
#[derive(Serialize, ToSchema)]
pub struct PublicRound {
    /// The round's id, for GET /api/v1/rounds/{id} and starting an application.
    pub id: i64,
    pub slug: String,
    pub name: String,
    /// open, not_open_yet or closed.
    pub status: String,
    pub opens_at: String,
    pub closes_at: String,
    pub review_ends_at: String,
    pub notify_by: String,
    pub launch_event_at: Option<String>,
    pub launch_event_location: Option<String>,
    pub places_offered: i64,
    pub value_per_place_pence: i64,
    pub eligibility: String,
}

/// What anyone may read about a programme, as its public page shows it.
#[derive(Serialize, ToSchema)]
pub struct PublicProgramme {
    pub slug: String,
    pub name: String,
    pub summary: String,
    /// The admins' page, rendered from Markdown and sanitised.
    pub page_html: String,
    pub partners: Vec<String>,
    pub fund_total_pence: i64,
    pub contact_email: String,
    pub rounds: Vec<PublicRound>,
}

/// A programme's public facts: no token needed.
#[utoipa::path(get, path = "/programmes/{slug}", tag = "public", operation_id = "get_public_programme", security(()),
    params(("slug" = String, Path, description = "The programme's slug, such as local-vision")),
    responses(
        (status = 200, description = "The public programme", body = PublicProgramme),
        (status = 404, description = "No such programme", content_type = "application/problem+json"),
))]
pub async fn public(State(state): State<AppState>, Path(slug): Path<String>) -> ApiResult<PublicProgramme> {
    let entry = programmes::public(&state, &slug).await?;
    let now = state.clock.now();
    let p = &entry.programme;
    let partners = programmes::partner_names(&state, p.id).await?;
    Ok(Json(PublicProgramme {
        slug: p.slug.clone(),
        name: p.name.clone(),
        summary: p.summary.clone(),
        page_html: entry.page_html.clone(),
        partners,
        fund_total_pence: p.fund.total.0,
        contact_email: p.contact_email.clone(),
        rounds: entry
            .rounds
            .iter()
            .map(|r| PublicRound {
                id: r.id.0,
                slug: r.slug.clone(),
                name: r.name.clone(),
                status: match convene_domain::programmes::round_status(r.opens_at, r.closes_at, now) {
                    convene_domain::programmes::RoundStatus::Open => "open",
                    convene_domain::programmes::RoundStatus::NotOpenYet => "not_open_yet",
                    convene_domain::programmes::RoundStatus::Closed => "closed",
                }
                .into(),
                opens_at: r.opens_at.iso(),
                closes_at: r.closes_at.iso(),
                review_ends_at: r.review_ends_at.iso(),
                notify_by: r.notify_by.iso(),
                launch_event_at: r.launch_event_at.map(|t| t.iso()),
                launch_event_location: r.launch_event_location.clone(),
                places_offered: r.places_offered,
                value_per_place_pence: r.value_per_place.0,
                eligibility: r.eligibility.clone(),
            })
            .collect(),
    }))
}
