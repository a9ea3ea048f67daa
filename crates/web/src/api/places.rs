//! Places through the API.

use crate::api::{ApiError, ApiResult};
use crate::auth::ApiUser;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use convene_domain::Email;
use convene_domain::audit::AuditAction;
use convene_domain::policy::{Action, Resource, allows};
use convene_store::programmes::{self, Place};
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
            id: p.id,
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
                    programme_id: m.programme_id,
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
    let place = programmes::place(&state.db, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if !allows(
        &person.1,
        action,
        Resource::Place {
            id: place.id,
            programme_ids: &place.programme_ids,
        },
    ) {
        return Err(ApiError::forbidden());
    }
    Ok(place)
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
    pub name: String,
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
    Json(body): Json<ChairBody>,
) -> ApiResult<PlaceBody> {
    let place = load_allowed(&state, &person, id, Action::View).await?;
    // The chair governs every programme's sign-off: the same rule as the place page.
    if !allows(
        &person.1,
        Action::Edit,
        Resource::PlaceChair {
            programme_ids: &place.programme_ids,
        },
    ) {
        return Err(ApiError::forbidden());
    }
    let mut fields = Vec::new();
    if body.name.trim().is_empty() {
        fields.push(("name".to_string(), "Enter the chair's name".to_string()));
    }
    let email = Email::parse(&body.email);
    if let Err(e) = &email {
        fields.push(("email".to_string(), e.to_string()));
    }
    let (Ok(email), true) = (email, fields.is_empty()) else {
        return Err(ApiError::invalid(fields));
    };
    let mut work = state.begin(Some(person.0.id)).await?;
    programmes::set_hwb_chair(work.tx(), place.id, body.name.trim(), email.as_str()).await?;
    work.audit_with(AuditAction::PlaceChairChanged, Some(place.id), "api")
        .await?;
    work.commit().await?;
    let changed = programmes::place(&state.db, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(changed.into()))
}
