//! The front door through the API: public reads (open calls), registering, confirming an
//! address, asking to act for a place and deciding requests, under the same rules as the
//! pages (`convene_app::registration`).

use crate::api::{ApiError, ApiResult, JsonBody, RawJson};
use crate::auth::ApiUser;
use crate::registration::Registration;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use convene_app::registration::{self, RoleRequest};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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
    JsonBody(input): JsonBody<Registration>,
) -> Result<Response, ApiError> {
    registration::register(&state, &input.details(), "").await?;
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
    (status = 404, description = "No link has this token", content_type = "application/problem+json"),
    (status = 410, description = "The link is used or expired", content_type = "application/problem+json"),
))]
pub async fn verify_email(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<LinkToken>,
) -> Result<Response, ApiError> {
    // An unknown link is 404, a used or expired one 410 (`AccountError::Link`).
    registration::confirm_email(&state, &body.token).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A request for a role: to act for a place (role place_lead), or to join a programme's
/// enabler pool (role enabler).
#[derive(Serialize, ToSchema)]
pub struct RoleRequestBody {
    pub id: i64,
    pub user_id: i64,
    pub user_name: String,
    pub role: String,
    /// The place asked for; null for a request to join an enabler pool.
    pub place_id: Option<i64>,
    /// The place's name, or "the enabler pool of" the programme.
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
        place_name: r.asks_for(),
        place_id: r.place().map(|p| p.0),
        id: r.id,
        user_id: r.user_id,
        user_name: r.user_name,
        role: r.role.key().into(),
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
    #[schema(min_length = 1, max_length = 500, pattern = r"\S")]
    pub reason: String,
}

/// Asks to act for a place in a programme (the account's address must be confirmed).
#[utoipa::path(post, path = "/programmes/{slug}/role-requests", operation_id = "request_role", tag = "accounts", request_body = NewRoleRequest,
    params(("slug" = String, Path, description = "The programme")), responses(
    (status = 201, description = "Request recorded; the programme's admins are emailed", body = RoleRequestBody),
    (status = 404, description = "No such programme, or the place is not in it", content_type = "application/problem+json"),
    (status = 409, description = "You act for this place already, or your request waits for a decision (per-field errors)", content_type = "application/problem+json"),
    (status = 422, description = "Not valid (per-field errors)", content_type = "application/problem+json"),
))]
pub async fn request_role(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(slug): Path<String>,
    JsonBody(body): JsonBody<NewRoleRequest>,
) -> Result<Response, ApiError> {
    let request =
        registration::request_place(&state, &person.0, &slug, Some(body.place_id), &body.reason).await?;
    // The person asking learns no more than the join page tells them: not who leads the
    // place already.
    Ok((StatusCode::CREATED, Json(body_of(request, None))).into_response())
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
    let list = registration::programme_requests(&state, &person.1, &slug).await?;
    Ok(Json(
        list.requests
            .into_iter()
            .map(|line| body_of(line.request, Some(line.existing_leads)))
            .collect(),
    ))
}

/// An admin's decision: `reason` is sent to the person, and needed to decline.
#[derive(Deserialize)]
pub struct DecisionBody {
    pub approve: bool,
    #[serde(default)]
    pub reason: String,
}

/// Written by hand: declining needs a reason, which the derive cannot state. It is said
/// as `not` (declining with no reason, or a blank one) rather than `if`/`then`, as utoipa
/// keeps such keywords in a hash map, whose two keys would be written in a random order.
impl utoipa::PartialSchema for DecisionBody {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let schema = serde_json::json!({
            "type": "object",
            "description": "An admin's decision. Declining needs a reason.",
            "required": ["approve"],
            "properties": {
                "approve": {"type": "boolean", "description": "true approves (granting the role), false declines"},
                "reason": {"type": "string", "maxLength": 500, "description": "Sent to the person; needed to decline"},
            },
        });
        let mut object: utoipa::openapi::schema::Object = serde_json::from_value(schema).unwrap_or_default();
        // utoipa has no field for `not`: it goes where extensions go, written out as is.
        let declined_without_reason = serde_json::json!({
            "required": ["approve"],
            "properties": {"approve": {"const": false}},
            "anyOf": [
                {"not": {"required": ["reason"]}},
                {"properties": {"reason": {"not": {"pattern": "\\S"}}}},
            ],
        });
        object
            .extensions
            .get_or_insert_with(Default::default)
            .insert("not".into(), declined_without_reason);
        utoipa::openapi::RefOr::T(utoipa::openapi::schema::Schema::Object(object))
    }
}

impl ToSchema for DecisionBody {}

/// Approves (granting the role) or declines a request.
#[utoipa::path(post, path = "/role-requests/{id}/decision", operation_id = "decide_role_request", tag = "accounts", request_body = DecisionBody,
    params(("id" = i64, Path, description = "The request")), responses(
    (status = 200, description = "Decided; the person is emailed", body = RoleRequestBody),
    (status = 403, description = "Not an admin of the programme, or it is your own request", content_type = "application/problem+json"),
    (status = 404, description = "No such request", content_type = "application/problem+json"),
    (status = 409, description = "Already decided", content_type = "application/problem+json"),
    (status = 422, description = "Not valid (per-field errors)", content_type = "application/problem+json"),
))]
pub async fn decide(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
    body: RawJson,
) -> ApiResult<RoleRequestBody> {
    // 404 and 403 before the body is read.
    registration::request_detail(&state, &person.1, id).await?;
    let body: DecisionBody = body.parse()?;
    // One's own request is 403, decided already 409, a form problem 422 (`AccountError`).
    registration::decide(&state, &person.1, id, Some(body.approve), &body.reason).await?;
    let detail = registration::request_detail(&state, &person.1, id).await?;
    Ok(Json(body_of(detail.request, Some(detail.existing_leads))))
}
