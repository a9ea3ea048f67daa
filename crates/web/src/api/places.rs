//! Places through the API.

use crate::api::{ApiError, ApiResult, RawJson};
use crate::auth::ApiUser;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use convene_app::places::{self, ChairProblem, Via};
use convene_domain::policy::Action;
use convene_domain::programmes::Place;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A place.
#[derive(Serialize, ToSchema)]
pub struct PlaceBody {
    pub id: i64,
    pub reference: String,
    pub name: String,
    /// council, stp_footprint, ics or other.
    pub kind: String,
    pub ons_code: Option<String>,
    pub region: Option<String>,
    pub hwb_chair_name: Option<String>,
    pub hwb_chair_email: Option<String>,
    /// Where the place stands in each programme it takes part in.
    pub programmes: Vec<PlaceInProgrammeBody>,
}

/// A place's standing in one programme.
#[derive(Serialize, ToSchema)]
pub struct PlaceInProgrammeBody {
    pub programme_id: i64,
    /// underway, applicant, ...
    pub status: Option<String>,
    pub breakthrough_issue: Option<String>,
}

impl From<Place> for PlaceBody {
    fn from(p: Place) -> Self {
        PlaceBody {
            id: p.id.0,
            reference: p.reference,
            name: p.name,
            kind: p.kind.key().into(),
            ons_code: p.ons_code,
            region: p.region,
            hwb_chair_name: p.hwb_chair_name,
            hwb_chair_email: p.hwb_chair_email,
            programmes: p
                .memberships
                .into_iter()
                .map(|m| PlaceInProgrammeBody {
                    programme_id: m.programme_id.0,
                    status: m.status,
                    breakthrough_issue: m.breakthrough_issue,
                })
                .collect(),
        }
    }
}

async fn load_allowed(
    state: &AppState,
    person: &crate::auth::Person,
    id: i64,
    action: Action,
) -> Result<Place, ApiError> {
    Ok(places::load(state, &person.1, id, action).await?)
}

/// One place (its leads and the admins of its programmes).
#[utoipa::path(get, path = "/places/{id}", tag = "places",
    params(("id" = i64, Path, description = "The place's id")),
    responses(
        (status = 200, description = "The place", body = PlaceBody),
        (status = 403, description = "Not allowed to see this place", content_type = "application/problem+json"),
        (status = 404, description = "No such place", content_type = "application/problem+json"),
))]
pub async fn get_place(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<PlaceBody> {
    Ok(Json(
        load_allowed(&state, &person, id, Action::View).await?.into(),
    ))
}

/// The Health and Wellbeing Board chair's contact.
#[derive(Deserialize, ToSchema)]
pub struct ChairBody {
    #[schema(min_length = 1, pattern = r"\S")]
    pub name: String,
    #[schema(
        max_length = 254,
        pattern = r"^\s*[^@\s<>\x00-\x1f\x7f-\x9f]{1,64}@[^@\s<>.\x00-\x1f\x7f-\x9f]+(\.[^@\s<>.\x00-\x1f\x7f-\x9f]+)+\s*$"
    )]
    pub email: String,
}

/// Changes a place's board chair contact (a service admin, or whoever administers every
/// programme the place takes part in).
#[utoipa::path(put, path = "/places/{id}/chair", tag = "places",
    params(("id" = i64, Path, description = "The place's id")),
    request_body = ChairBody,
    responses(
        (status = 200, description = "The changed place", body = PlaceBody),
        (status = 403, description = "Not allowed to change this place", content_type = "application/problem+json"),
        (status = 404, description = "No such place", content_type = "application/problem+json"),
        (status = 422, description = "A field is not valid", content_type = "application/problem+json"),
))]
pub async fn set_chair(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
    body: RawJson,
) -> ApiResult<PlaceBody> {
    // 404 and 403 before the body is read.
    let place = load_allowed(&state, &person, id, Action::View).await?;
    if !places::may_change_chair(&person.1, &place) {
        return Err(ApiError::forbidden());
    }
    let body: ChairBody = body.parse()?;
    // The chair governs every programme's sign-off: the same rule as the place page.
    match places::change_chair(&state, &person.1, &place, &body.name, &body.email, Via::Api).await? {
        Ok(changed) => Ok(Json(changed.into())),
        Err(problems) => Err(ApiError::invalid(
            problems
                .into_iter()
                .map(|problem| match problem {
                    ChairProblem::NameMissing => ("name".to_string(), "Enter the chair's name".to_string()),
                    ChairProblem::Email(message) => ("email".to_string(), message),
                })
                .collect(),
        )),
    }
}
