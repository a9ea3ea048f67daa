//! Personal data rights through the API: a subject access download (your own, or anyone's
//! for a service admin) and erasure (service admins).

use crate::api::{ApiError, RawJson};
use crate::auth::ApiUser;
use crate::personal_data::{download as download_data, erase as erase_email};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use convene_app::personal_data::{Erasure, Whom, require_admin};
use convene_domain::Email;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Everything held about the account with this id, with its uploaded files (base64).
/// Only the person themselves, or a service admin, may download it.
#[utoipa::path(get, path = "/people/{id}/data", operation_id = "download_person_data", tag = "personal data",
    params(("id" = i64, Path, description = "The account")), responses(
    (status = 200, description = "Subject access download (JSON attachment)"),
    (status = 403, description = "Someone else's data", content_type = "application/problem+json"),
))]
pub async fn download(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let whom = Whom::Account(id);
    Ok(download_data(&state, &person.1, whom, "convene-subject-access.json").await?)
}

/// Whom to erase.
#[derive(Deserialize, ToSchema)]
pub struct ErasureRequest {
    #[schema(
        min_length = 1,
        max_length = 254,
        pattern = r"^\s*[^@\s<>\x00-\x1f\x7f-\x9f]{1,64}@[^@\s<>.\x00-\x1f\x7f-\x9f]+(\.[^@\s<>.\x00-\x1f\x7f-\x9f]+)+\s*$"
    )]
    pub email: String,
}

/// What an erasure did.
#[derive(Serialize, ToSchema)]
pub struct ErasureDone {
    /// erased
    pub status: String,
}

/// Erases what is held about an address, account or not (service admins).
#[utoipa::path(post, path = "/erasures", operation_id = "erase_person", tag = "personal data", request_body = ErasureRequest, responses(
    (status = 200, description = "Erased", body = ErasureDone),
    (status = 403, description = "Not a service admin", content_type = "application/problem+json"),
    (status = 409, description = "Already erased, nothing held, or your own account", content_type = "application/problem+json"),
    (status = 422, description = "Not an email address", content_type = "application/problem+json"),
))]
pub async fn erase(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    body: RawJson,
) -> Result<Response, ApiError> {
    let principal = &person.1;
    // 403 before the body is read.
    require_admin(principal)?;
    let body: ErasureRequest = body.parse()?;
    let email =
        Email::parse(&body.email).map_err(|e| ApiError::invalid(vec![("email".into(), e.to_string())]))?;
    match erase_email(&state, principal, &email).await? {
        Erasure::OwnAccount => Err(ApiError::conflict(
            "You cannot erase your own account: ask another service admin.",
        )),
        Erasure::Done { .. } => Ok(Json(ErasureDone {
            status: "erased".into(),
        })
        .into_response()),
        Erasure::Already(at) => Err(ApiError {
            status: StatusCode::CONFLICT,
            detail: format!("This person's data was already erased on {}.", at.london_words()),
            fields: Vec::new(),
        }),
        Erasure::NothingHeld => Err(ApiError {
            status: StatusCode::CONFLICT,
            detail: "Nothing is held about this address: it may have been erased already.".into(),
            fields: Vec::new(),
        }),
    }
}
