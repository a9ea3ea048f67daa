//! What someone who has just registered through the API needs before they hold a role: an
//! API token from their email address and password (under the sign-in page's throttles and
//! second factor), and the places of a programme they may ask to act for (the join page's
//! choices). The use cases are `convene_app::{sessions, two_factor, accounts}` and
//! `convene_app::registration::join_choices`.

use crate::api::{ApiError, ApiResult, JsonBody};
use crate::auth::ApiUser;
use crate::state::AppState;
use axum::Json;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use convene_app::accounts::{self, AccountError};
use convene_app::registration;
use convene_app::sessions::{self, WRONG_SIGN_IN};
use convene_app::two_factor;
use convene_domain::UserId;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use utoipa::ToSchema;

/// What makes a token: the account's sign-in details and a name for the token.
#[derive(Deserialize, ToSchema)]
pub struct NewToken {
    /// The account's email address.
    #[schema(min_length = 1, pattern = r"\S")]
    pub email: String,
    #[schema(min_length = 1)]
    pub password: String,
    /// The 6-digit code from the authenticator app, or a recovery code: needed when the
    /// account has two-factor sign-in.
    #[serde(default)]
    pub code: Option<String>,
    /// What the token is for, such as the tool that will use it (up to 100 characters).
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: String,
}

/// A new token: its secret is shown this once and kept nowhere.
#[derive(Serialize, ToSchema)]
pub struct TokenBody {
    /// Send it as `Authorization: Bearer <token>`.
    pub token: String,
    pub name: String,
}

/// Makes an API token for a confirmed account from its email address and password (and
/// its two-factor code, when it has one), as signing in on the pages does: the same
/// growing delay after failed tries, and the same answer whatever was wrong. The token is
/// revoked on the account page, or by signing out everywhere.
#[utoipa::path(post, path = "/tokens", operation_id = "create_token", tag = "accounts", security(()),
    request_body = NewToken,
    responses(
        (status = 201, description = "The token", body = TokenBody),
        (status = 401, description = "The email address and password (or code) do not match a confirmed account; per-field errors", content_type = "application/problem+json"),
        (status = 422, description = "A field is missing or not valid (per-field errors)", content_type = "application/problem+json"),
        (status = 429, description = "Too many failed tries for this address or from this client: wait the Retry-After seconds", content_type = "application/problem+json",
            headers(("Retry-After" = i64, description = "Seconds to wait"))),
))]
pub async fn create_token(
    State(state): State<AppState>,
    peer: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<NewToken>,
) -> Result<Response, ApiError> {
    let client = crate::ops::client_address(&headers, peer.map(|c| c.0.0), state.config.trusted_proxies);
    let right = match sessions::check_password(&state, &body.email, &body.password, &client, "").await {
        Ok(right) => right,
        Err(e) => return Ok(sign_in_refusal(e)),
    };
    if right.code_needed {
        let code = body.code.as_deref().unwrap_or("");
        let key = state.config.secret_key.as_ref();
        if let Err(e) = two_factor::check_code(&state, key, UserId(right.user_id), code).await {
            return Ok(sign_in_refusal(e));
        }
    }
    let token = accounts::create_api_token(&state, UserId(right.user_id), &body.name).await?;
    let made = TokenBody {
        token,
        name: body.name.trim().to_string(),
    };
    Ok((StatusCode::CREATED, Json(made)).into_response())
}

/// A refused sign-in: 429 while the throttle holds, 401 for wrong details (whatever was
/// wrong, the same answer), 422 for a field left empty.
fn sign_in_refusal(e: AccountError) -> Response {
    let AccountError::Invalid(problems) = e else {
        return ApiError::from(e).into_response();
    };
    let throttled = problems.wait_seconds();
    let fields = problems.into_vec();
    if let Some(seconds) = throttled {
        let mut res = ApiError {
            status: StatusCode::TOO_MANY_REQUESTS,
            detail: format!("Too many failed attempts. Wait {seconds} seconds, then try again."),
            fields,
        }
        .into_response();
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        return res;
    }
    let wrong = fields
        .iter()
        .any(|(field, m)| m == WRONG_SIGN_IN || field == "code");
    ApiError {
        status: if wrong {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        },
        detail: if wrong {
            "The sign-in details are not right.".into()
        } else {
            "Some fields are not valid.".into()
        },
        fields,
    }
    .into_response()
}

/// A place someone may ask to act for.
#[derive(Serialize, ToSchema)]
pub struct PlaceChoiceBody {
    pub id: i64,
    pub name: String,
    /// The token's account acts for it already.
    pub leads: bool,
    /// The account's request to act for it waits for a decision.
    pub waiting: bool,
}

/// The places of a programme anyone with a confirmed account may ask to act for (as the
/// join page offers them), marked where they act already or wait for a decision.
#[utoipa::path(get, path = "/programmes/{slug}/places-to-join", operation_id = "list_places_to_join", tag = "accounts",
    params(("slug" = String, Path, description = "The programme's slug, such as local-vision")),
    responses(
        (status = 200, description = "The programme's places", body = Vec<PlaceChoiceBody>),
        (status = 404, description = "No such programme", content_type = "application/problem+json"),
))]
pub async fn places_to_join(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(slug): Path<String>,
) -> ApiResult<Vec<PlaceChoiceBody>> {
    let choices = registration::join_choices(&state, &person.1, &slug).await?;
    Ok(Json(
        choices
            .places
            .into_iter()
            .map(|p| PlaceChoiceBody {
                id: p.id,
                name: p.name,
                leads: p.leads,
                waiting: p.waiting,
            })
            .collect(),
    ))
}
