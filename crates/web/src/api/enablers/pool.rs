//! The enabler pool through the API: browsing and filtering it, asking to join with a
//! profile, one enabler's profile (with their caseload for themselves and the admins) and
//! editing one's own, and reading either side's ranking. The use cases are
//! `convene_app::enablers::pool` and `rankings`; a lead is told no enabler's address, as
//! on the pages.

use super::{iso_date, parse_after, renamed};
use crate::api::{ApiError, ApiResult, RawJson};
use crate::auth::ApiUser;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use convene_app::enablers::pool::{self, Enabler, PoolFilter, ProfileInput};
use convene_app::enablers::rankings;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// An enabler as the asker may see them.
#[derive(Serialize, ToSchema)]
pub struct EnablerBody {
    pub id: i64,
    pub name: String,
    pub bio: String,
    pub expertise: Vec<String>,
    pub sectors: Vec<String>,
    pub regions: Vec<String>,
    /// How many places they can support this year.
    pub capacity: i64,
    /// YYYY-MM-DD.
    pub available_from: String,
    pub available_to: String,
    /// pending, approved or withdrawn: for the programme's admins and the enabler only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Their address: for the programme's admins and the enabler only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The profile's version, to send back with a change (the enabler only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
}

impl EnablerBody {
    /// `insider`: the asker is an admin of the programme or the enabler.
    fn of(e: &Enabler, insider: bool) -> EnablerBody {
        let p = &e.profile;
        EnablerBody {
            id: e.id,
            name: e.name.clone(),
            bio: p.bio.clone(),
            expertise: p.expertise.clone(),
            sectors: p.sectors.clone(),
            regions: p.regions.clone(),
            capacity: p.capacity,
            available_from: p.available_from.clone(),
            available_to: p.available_to.clone(),
            status: insider.then(|| e.status.key().to_string()),
            email: insider.then(|| e.email.clone()),
            version: insider.then_some(e.version),
        }
    }
}

/// Filters of the pool: each keeps the enablers whose list holds the word exactly.
#[derive(Deserialize, IntoParams, Default)]
pub struct PoolParams {
    pub expertise: Option<String>,
    pub sector: Option<String>,
    pub region: Option<String>,
}

/// A programme's enabler pool: its approved enablers, or for its admins everyone who
/// asked, with status and address (the admins, the pool's enablers and leads of funded
/// places).
#[utoipa::path(get, path = "/programmes/{slug}/enablers", operation_id = "list_enablers", tag = "enablers",
    params(("slug" = String, Path, description = "The programme's slug"), PoolParams),
    responses(
        (status = 200, description = "The enablers", body = Vec<EnablerBody>),
        (status = 404, description = "No such programme, or not yours to browse", content_type = "application/problem+json"),
))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(slug): Path<String>,
    Query(params): Query<PoolParams>,
) -> ApiResult<Vec<EnablerBody>> {
    let filter = PoolFilter {
        expertise: params.expertise.unwrap_or_default(),
        sector: params.sector.unwrap_or_default(),
        region: params.region.unwrap_or_default(),
    };
    let view = pool::browse(&state, &person.1, &slug, &filter).await?;
    let own = person.1.user_id;
    Ok(Json(
        view.enablers
            .iter()
            .map(|e| EnablerBody::of(e, view.can_vet || e.user_id == own))
            .collect(),
    ))
}

/// A profile as sent: lists of words, the capacity as a number, dates as YYYY-MM-DD.
#[derive(Deserialize, ToSchema)]
pub struct ProfileBody {
    pub bio: String,
    pub expertise: Vec<String>,
    pub sectors: Vec<String>,
    pub regions: Vec<String>,
    /// From 1 to 20.
    pub capacity: i64,
    pub available_from: String,
    pub available_to: String,
    /// The version you read (changes only; ignored when asking to join).
    #[serde(default)]
    pub version: i64,
}

impl ProfileBody {
    fn input(&self) -> ProfileInput {
        ProfileInput {
            bio: self.bio.clone(),
            expertise: self.expertise.join("\n"),
            sectors: self.sectors.join("\n"),
            regions: self.regions.join("\n"),
            capacity: self.capacity.to_string(),
            available_from: iso_date(&self.available_from),
            available_to: iso_date(&self.available_to),
        }
    }
}

/// The pages' date fields, by this API's names.
const DATE_FIELDS: [(&str, &str); 2] = [
    ("available_from_day", "available_from"),
    ("available_to_day", "available_to"),
];

/// The request to join, once made.
#[derive(Serialize, ToSchema)]
pub struct JoinBody {
    /// The request the programme's admins decide (`/requests/{id}` on the pages).
    pub request_id: i64,
}

/// Asks to join a programme's enabler pool with a profile (anyone signed in, once); its
/// admins decide.
#[utoipa::path(post, path = "/programmes/{slug}/enablers", operation_id = "join_enabler_pool", tag = "enablers",
    params(("slug" = String, Path, description = "The programme's slug")),
    request_body = ProfileBody,
    responses(
        (status = 201, description = "Asked: waiting for the admins", body = JoinBody),
        (status = 404, description = "No such programme", content_type = "application/problem+json"),
        (status = 409, description = "You have asked already", content_type = "application/problem+json"),
        (status = 422, description = "A field to correct", content_type = "application/problem+json"),
))]
pub async fn join(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(slug): Path<String>,
    body: RawJson,
) -> Result<Response, ApiError> {
    let known = pool::membership(&state, &person.1, &slug);
    let body: ProfileBody = parse_after(&body, known).await?;
    let request_id = pool::ask_to_join(&state, &person.1, &slug, &body.input())
        .await
        .map_err(|e| renamed(e, &DATE_FIELDS))?;
    Ok((StatusCode::CREATED, Json(JoinBody { request_id })).into_response())
}

/// One engagement of an enabler's caseload.
#[derive(Serialize, ToSchema)]
pub struct CaseBody {
    pub engagement_id: i64,
    pub place_name: String,
    pub starts_on: String,
    pub ends_on: String,
}

/// An enabler's profile, with their caseload for themselves and the programme's admins.
#[derive(Serialize, ToSchema)]
pub struct ProfileViewBody {
    pub enabler: EnablerBody,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caseload: Option<Vec<CaseBody>>,
}

/// An enabler's profile (themselves, the programme's admins, and whoever may browse the
/// pool while they are approved).
#[utoipa::path(get, path = "/enablers/{id}", operation_id = "get_enabler", tag = "enablers",
    params(("id" = i64, Path, description = "The enabler's id in the pool")),
    responses(
        (status = 200, description = "The profile", body = ProfileViewBody),
        (status = 404, description = "No such enabler, or not yours to see", content_type = "application/problem+json"),
))]
pub async fn profile(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<ProfileViewBody> {
    let view = pool::profile(&state, &person.1, id).await?;
    let caseload = view.caseload.as_ref().map(|cases| {
        cases
            .iter()
            .map(|e| CaseBody {
                engagement_id: e.id,
                place_name: e.place_name.clone(),
                starts_on: e.starts_on.to_string(),
                ends_on: e.last_day().to_string(),
            })
            .collect()
    });
    Ok(Json(ProfileViewBody {
        enabler: EnablerBody::of(&view.enabler, view.caseload.is_some()),
        caseload,
    }))
}

/// Changes your own profile, over the version you read.
#[utoipa::path(put, path = "/enablers/{id}", operation_id = "save_enabler_profile", tag = "enablers",
    params(("id" = i64, Path, description = "Your id in the pool")),
    request_body = ProfileBody,
    responses(
        (status = 204, description = "Saved"),
        (status = 403, description = "Not your profile", content_type = "application/problem+json"),
        (status = 404, description = "No such enabler, or not yours to see", content_type = "application/problem+json"),
        (status = 409, description = "Changed since you read it", content_type = "application/problem+json"),
        (status = 422, description = "A field to correct", content_type = "application/problem+json"),
))]
pub async fn save_profile(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
    body: RawJson,
) -> Result<StatusCode, ApiError> {
    // An empty profile is refused after the checks of who may save it, before any write.
    let empty = ProfileInput::default();
    let refused = pool::save_profile(&state, &person.1, id, &empty, 0);
    let body: ProfileBody = parse_after(&body, refused).await?;
    pool::save_profile(&state, &person.1, id, &body.input(), body.version)
        .await
        .map_err(|e| renamed(e, &DATE_FIELDS))?;
    Ok(StatusCode::NO_CONTENT)
}

/// A funded place's ranking: the enablers it would accept, best first.
#[derive(Serialize, ToSchema)]
pub struct PlaceChoicesBody {
    pub enablers: Vec<i64>,
}

/// A funded place's ranking of enablers (its leads and the programme's admins).
#[utoipa::path(get, path = "/awards/{id}/enabler-choices", operation_id = "get_place_ranking", tag = "enablers",
    params(("id" = i64, Path, description = "The place's accepted award")),
    responses(
        (status = 200, description = "The ranking", body = PlaceChoicesBody),
        (status = 404, description = "No such award, not accepted, or not yours to see", content_type = "application/problem+json"),
))]
pub async fn place_ranking(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<PlaceChoicesBody> {
    let ranking = rankings::place_ranking(&state, &person.1, id).await?;
    Ok(Json(PlaceChoicesBody {
        enablers: ranking.chosen,
    }))
}

/// A place that chose an enabler, as the enabler ranks it.
#[derive(Serialize, ToSchema)]
pub struct ChoiceBody {
    pub award_id: i64,
    pub place_name: String,
    /// Where the place put the enabler (1 best).
    pub their_rank: i64,
    /// The enabler's rank of it, or null while unranked.
    pub rank: Option<i64>,
    pub cannot_take: bool,
}

/// The places that chose an enabler, with the enabler's ranking (the enabler and the
/// programme's admins).
#[utoipa::path(get, path = "/enablers/{id}/place-choices", operation_id = "get_enabler_ranking", tag = "enablers",
    params(("id" = i64, Path, description = "The enabler's id in the pool")),
    responses(
        (status = 200, description = "Ranked places first, then unranked, then those they cannot take", body = Vec<ChoiceBody>),
        (status = 404, description = "No such enabler, or not yours to see", content_type = "application/problem+json"),
))]
pub async fn enabler_ranking(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Vec<ChoiceBody>> {
    let ranking = rankings::enabler_ranking(&state, &person.1, id).await?;
    Ok(Json(
        ranking
            .places
            .into_iter()
            .map(|l| ChoiceBody {
                award_id: l.award_id,
                place_name: l.place_name,
                their_rank: l.their_rank,
                rank: l.rank,
                cannot_take: l.cannot_take,
            })
            .collect(),
    ))
}
