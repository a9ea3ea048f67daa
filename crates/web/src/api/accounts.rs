//! The front door through the API: public reads (open calls), registering, confirming an
//! address, asking to act for a place and deciding requests, under the same rules as the
//! pages ([`crate::registration`]).

use crate::api::{ApiError, ApiResult};
use crate::auth::ApiUser;
use crate::registration::{self, Decision, Registration};
use crate::state::AppState;
use crate::views::FormErrors;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use convene_domain::policy::{Action, Resource, allows};
use convene_store::requests::{self, RoleRequest};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

fn invalid(errors: FormErrors) -> ApiError {
    ApiError::invalid(errors.items.into_iter().map(|e| (e.field, e.message)).collect())
}

/// Every call for applications: open and opening soon first by closing date, then closed ones.
#[utoipa::path(get, path = "/open-calls", tag = "public", operation_id = "list_open_calls", security(()), responses(
    (status = 200, description = "Calls for applications; no token needed", body = Vec<crate::open_calls::Call>),
))]
pub async fn open_calls(State(state): State<AppState>) -> ApiResult<Vec<crate::open_calls::Call>> {
    Ok(Json(crate::open_calls::calls(&state).await?))
}

/// The answer to every registration that passes its checks, whether or not the address
/// was already in use.
#[derive(Serialize, ToSchema)]
pub struct Accepted {
    pub message: String,
}

/// Registers an account. The same 202 answer comes whether or not the address is in use;
/// the address's owner is emailed either a confirmation link or a note that they already
/// have an account.
#[utoipa::path(post, path = "/registrations", tag = "accounts", operation_id = "register", security(()), request_body = Registration, responses(
    (status = 202, description = "Check your email", body = Accepted),
    (status = 422, description = "A field is not valid (per-field errors)", content_type = "application/problem+json"),
))]
pub async fn register(
    State(state): State<AppState>,
    Json(input): Json<Registration>,
) -> Result<Response, ApiError> {
    let errors = registration::register(&state, &input, "").await?;
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    let body = Accepted {
        message: "Check your email: we have sent a message to the address given.".into(),
    };
    Ok((StatusCode::ACCEPTED, Json(body)).into_response())
}

/// The secret from an emailed link.
#[derive(Deserialize, ToSchema)]
pub struct LinkToken {
    pub token: String,
}

/// Confirms an email address with the token from the emailed link.
#[utoipa::path(post, path = "/email-verifications", tag = "accounts", operation_id = "verify_email", security(()), request_body = LinkToken, responses(
    (status = 204, description = "The address is confirmed"),
    (status = 410, description = "The link is used, expired or not valid", content_type = "application/problem+json"),
))]
pub async fn verify_email(
    State(state): State<AppState>,
    Json(body): Json<LinkToken>,
) -> Result<Response, ApiError> {
    match registration::verify(&state, &body.token).await? {
        Ok(_) => Ok(StatusCode::NO_CONTENT.into_response()),
        Err(_) => Err(ApiError {
            status: StatusCode::GONE,
            detail: "This link is used, expired or not valid.".into(),
            fields: Vec::new(),
        }),
    }
}

/// A request to act for a place.
#[derive(Serialize, ToSchema)]
pub struct RoleRequestBody {
    pub id: i64,
    pub user_id: i64,
    pub user_name: String,
    pub role: String,
    pub place_id: i64,
    pub place_name: String,
    pub programme_id: i64,
    pub reason: String,
    /// pending, approved or declined.
    pub status: String,
    pub decision_reason: String,
    /// Names of the place's current leads: given only to those who may decide the request
    /// (the deciding admin should know), never to the person asking.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub existing_leads: Option<Vec<String>>,
}

fn body_of(r: RoleRequest, existing_leads: Option<Vec<String>>) -> RoleRequestBody {
    RoleRequestBody {
        id: r.id,
        user_id: r.user_id,
        user_name: r.user_name,
        role: r.role.key().into(),
        place_id: r.place_id,
        place_name: r.place_name,
        programme_id: r.programme_id,
        reason: r.reason,
        status: r.status.key().into(),
        decision_reason: r.decision_reason,
        existing_leads,
    }
}

/// What a person sends to ask to act for a place.
#[derive(Deserialize, ToSchema)]
pub struct NewRoleRequest {
    pub place_id: i64,
    /// Their role at the place.
    pub reason: String,
}

fn programme_id(slug: &str, catalogue: &[convene_app::catalogue::Entry]) -> Result<i64, ApiError> {
    catalogue
        .iter()
        .find(|e| e.programme.slug == slug)
        .map(|e| e.programme.id)
        .ok_or_else(ApiError::not_found)
}

/// Asks to act for a place in a programme (the account's address must be confirmed).
#[utoipa::path(post, path = "/programmes/{slug}/role-requests", operation_id = "request_role", tag = "accounts", request_body = NewRoleRequest,
    params(("slug" = String, Path, description = "The programme")), responses(
    (status = 201, description = "Request recorded; the programme's admins are emailed", body = RoleRequestBody),
    (status = 422, description = "Not valid (per-field errors)", content_type = "application/problem+json"),
))]
pub async fn request_role(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(slug): Path<String>,
    Json(body): Json<NewRoleRequest>,
) -> Result<Response, ApiError> {
    let catalogue = state.catalogue.get(&state.db).await?;
    let programme = programme_id(&slug, &catalogue)?;
    match registration::request_place(&state, &person.0, programme, Some(body.place_id), &body.reason).await?
    {
        // The person asking learns no more than the join page tells them: not who leads
        // the place already.
        Ok(request) => Ok((StatusCode::CREATED, Json(body_of(request, None))).into_response()),
        Err(errors) => Err(invalid(errors)),
    }
}

/// A programme's requests to act for a place (programme admins).
#[utoipa::path(get, path = "/programmes/{slug}/role-requests", operation_id = "list_role_requests", tag = "accounts",
    params(("slug" = String, Path, description = "The programme")), responses(
    (status = 200, description = "Waiting requests first", body = Vec<RoleRequestBody>),
    (status = 403, description = "Not an admin of this programme", content_type = "application/problem+json"),
))]
pub async fn list_requests(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(slug): Path<String>,
) -> ApiResult<Vec<RoleRequestBody>> {
    let catalogue = state.catalogue.get(&state.db).await?;
    let programme = programme_id(&slug, &catalogue)?;
    if !allows(&person.1, Action::Edit, Resource::Programme { id: programme }) {
        return Err(ApiError::forbidden());
    }
    let leads = convene_store::users::place_lead_names_in(&state.db, programme).await?;
    let mut out = Vec::new();
    for r in requests::for_programme(&state.db, programme).await? {
        let leads = leads.get(&r.place_id).cloned().unwrap_or_default();
        out.push(body_of(r, Some(leads)));
    }
    Ok(Json(out))
}

/// An admin's decision.
#[derive(Deserialize, ToSchema)]
pub struct DecisionBody {
    pub approve: bool,
    /// Sent to the person; needed to decline.
    #[serde(default)]
    pub reason: String,
}

/// Approves (granting the role) or declines a request.
#[utoipa::path(post, path = "/role-requests/{id}/decision", operation_id = "decide_role_request", tag = "accounts", request_body = DecisionBody,
    params(("id" = i64, Path, description = "The request")), responses(
    (status = 200, description = "Decided; the person is emailed", body = RoleRequestBody),
    (status = 409, description = "Already decided", content_type = "application/problem+json"),
    (status = 422, description = "Not valid (per-field errors)", content_type = "application/problem+json"),
))]
pub async fn decide(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
    Json(body): Json<DecisionBody>,
) -> ApiResult<RoleRequestBody> {
    match registration::decide(&state, &person.1, id, Some(body.approve), &body.reason).await? {
        Decision::Done => {
            let request = requests::by_id(&state.db, id)
                .await?
                .ok_or_else(ApiError::not_found)?;
            let leads = convene_store::users::place_lead_names(&state.db, request.place_id).await?;
            Ok(Json(body_of(request, Some(leads))))
        }
        Decision::AlreadyDecided => Err(ApiError {
            status: StatusCode::CONFLICT,
            detail: "This request has already been decided.".into(),
            fields: Vec::new(),
        }),
        Decision::Invalid(errors) => Err(invalid(errors)),
    }
}
