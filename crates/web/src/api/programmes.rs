//! Programmes through the API.

use crate::api::places::PlaceBody;
use crate::api::{ApiError, ApiResult};
use crate::auth::ApiUser;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use convene_domain::policy::{Action, Resource, allows};
use convene_store::programmes;
use serde::Serialize;
use utoipa::ToSchema;

/// A programme; its fund figures (in pence) only for those who manage it.
#[derive(Serialize, ToSchema)]
pub struct ProgrammeBody {
    pub slug: String,
    pub name: String,
    pub summary: String,
    /// The pooled fund, for the programme's admins; null for everyone else.
    pub fund_total_pence: Option<i64>,
    /// What is not yet awarded, for the programme's admins; null for everyone else.
    pub fund_left_pence: Option<i64>,
}

/// Every programme.
#[utoipa::path(get, path = "/programmes", tag = "programmes", responses(
    (status = 200, description = "All programmes", body = Vec<ProgrammeBody>),
    (status = 401, description = "Missing or revoked token", content_type = "application/problem+json"),
))]
pub async fn list(State(state): State<AppState>, ApiUser(person): ApiUser) -> ApiResult<Vec<ProgrammeBody>> {
    let all = state.catalogue.get(&state.db).await?;
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
#[utoipa::path(get, path = "/programmes/{slug}/places", tag = "programmes",
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
    let programme = programmes::by_slug(&state.db, &slug)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if !allows(&person.1, Action::View, Resource::Programme { id: programme.id }) {
        return Err(ApiError::forbidden());
    }
    let places = programmes::places_in(&state.db, programme.id).await?;
    Ok(Json(places.into_iter().map(PlaceBody::from).collect()))
}
