//! Personal data rights through the API: a subject access download (your own, or anyone's
//! for a service admin) and erasure (service admins).

use crate::api::ApiError;
use crate::auth::ApiUser;
use crate::personal_data::{erase_subject, json_download, subject_access};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use convene_domain::Email;
use convene_domain::accounts::Role;
use convene_store::personal_data::{self, Erased};
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
    let (user, principal) = person.as_ref();
    if user.id != id && !principal.holds(Role::ServiceAdmin, None) {
        return Err(ApiError::forbidden());
    }
    let subject = personal_data::subject_by_user(&state.db, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let data = subject_access(&state, &subject).await?;
    Ok(json_download(&data, "convene-subject-access.json"))
}

/// Whom to erase.
#[derive(Deserialize, ToSchema)]
pub struct ErasureRequest {
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
    (status = 409, description = "Already erased, or nothing held", content_type = "application/problem+json"),
    (status = 422, description = "Not an email address", content_type = "application/problem+json"),
))]
pub async fn erase(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Json(body): Json<ErasureRequest>,
) -> Result<Response, ApiError> {
    let principal = &person.1;
    if !principal.holds(Role::ServiceAdmin, None) {
        return Err(ApiError::forbidden());
    }
    let email =
        Email::parse(&body.email).map_err(|e| ApiError::invalid(vec![("email".into(), e.to_string())]))?;
    let subject = personal_data::subject_by_email(&state.db, email.as_str()).await?;
    if subject.user_id == Some(person.0.id) {
        return Err(ApiError::invalid(vec![(
            "email".into(),
            "You cannot erase your own account".into(),
        )]));
    }
    match erase_subject(&state, principal, &subject).await? {
        Erased::Done => Ok(Json(ErasureDone {
            status: "erased".into(),
        })
        .into_response()),
        Erased::Already(at) => Err(ApiError {
            status: StatusCode::CONFLICT,
            detail: format!("This person's data was already erased on {}.", at.london_words()),
            fields: Vec::new(),
        }),
        Erased::NothingHeld => Err(ApiError {
            status: StatusCode::CONFLICT,
            detail: "Nothing is held about this address: it may have been erased already.".into(),
            fields: Vec::new(),
        }),
    }
}
