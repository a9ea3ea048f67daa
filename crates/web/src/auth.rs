//! Who is asking: the signed-in person behind a session cookie (pages) or a bearer token
//! (API), loaded with their roles (`convene_app::accounts::person`), and ending a
//! person's sessions.

use crate::error::{AppError, problem};
use crate::session_store::USER_ID_KEY;
use crate::state::AppState;
use axum::extract::{FromRef, FromRequestParts};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use convene_app::accounts::{self, User};
use convene_domain::UserId;
use convene_domain::policy::Principal;
use tower_sessions::Session;

/// When the session's expiry was last pushed back; touched at most once a minute.
const TOUCHED_KEY: &str = "touched";

pub use crate::state::Person;

/// The signed-in person, if any, with their session.
pub struct MaybeUser {
    pub person: Option<Person>,
    pub session: Session,
}

/// The signed-in person; pages that need one send everyone else to sign in.
pub struct CurrentUser {
    pub person: Person,
    pub session: Session,
}

impl CurrentUser {
    /// The person's account.
    pub fn user(&self) -> &User {
        &self.person.0
    }

    /// What the person may do.
    pub fn principal(&self) -> &Principal {
        &self.person.1
    }
}

impl<S> FromRequestParts<S> for MaybeUser
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let session = parts
            .extensions
            .get::<Session>()
            .cloned()
            .ok_or_else(|| AppError::internal("session layer missing"))?;
        let user_id: Option<i64> = session.get(USER_ID_KEY).await.map_err(AppError::internal)?;
        let Some(user_id) = user_id else {
            return Ok(MaybeUser {
                person: None,
                session,
            });
        };
        // An account whose address is unconfirmed reaches nothing: someone may have
        // registered an address that is not theirs (docs/decisions/0001-unconfirmed-accounts-reach-nothing.md).
        let person = accounts::person(&state, UserId(user_id))
            .await?
            .filter(|p| p.0.email_verified);
        if person.is_some() {
            touch(&session, state.clock.now().0).await?;
        }
        Ok(MaybeUser { person, session })
    }
}

/// Pushes the session's expiry back, writing at most once a minute.
async fn touch(session: &Session, now: i64) -> Result<(), AppError> {
    let touched: Option<i64> = session.get(TOUCHED_KEY).await.map_err(AppError::internal)?;
    if touched.is_none_or(|t| now - t > 60_000_000) {
        session
            .insert(TOUCHED_KEY, now)
            .await
            .map_err(AppError::internal)?;
    }
    Ok(())
}

impl<S> FromRequestParts<S> for CurrentUser
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let maybe = MaybeUser::from_request_parts(parts, state).await?;
        let state = AppState::from_ref(state);
        match maybe.person {
            Some(person) => {
                // Someone whose role needs a second factor sets it up before anything else,
                // however they came by the role (signing in, an invitation, an approval).
                let path = parts.uri.path();
                if lacks_required_two_factor(&state, &person)
                    && !path.starts_with("/account/two-factor")
                    && path != "/sign-out"
                {
                    return Err(AppError::TwoFactorSetupRequired);
                }
                Ok(CurrentUser {
                    person,
                    session: maybe.session,
                })
            }
            None => {
                let next = parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str().to_string())
                    .unwrap_or_else(|| "/".into());
                Err(AppError::SignInRequired { next })
            }
        }
    }
}

/// True when the server requires a second factor of this person's role and they have not
/// set one up.
pub fn lacks_required_two_factor(state: &AppState, person: &Person) -> bool {
    state.config.enforce_two_factor
        && !person.0.totp_enabled
        && person.1.grants.iter().any(|g| g.role.needs_two_factor())
}

/// Ends an account's sessions, signed-in and half-signed-in (awaiting a code), but `keep`,
/// on this server at once and on others within [`convene_app::CACHE_TTL`]: after the use
/// case that revoked its other credentials has committed
/// (docs/decisions/0003-credentials-end-together.md).
pub async fn end_sessions(state: &AppState, user_id: i64, keep: Option<&Session>) -> Result<(), AppError> {
    let keep = keep.and_then(|s| s.id()).map(|id| id.to_string());
    convene_app::sessions::end_for_user(state, UserId(user_id), keep.as_deref()).await?;
    state.sessions.forget_user(user_id);
    state.people.forget(UserId(user_id));
    Ok(())
}

/// The person behind an API bearer token.
pub struct ApiUser(pub Person);

/// Why an API request was refused before reaching its handler.
pub struct ApiAuthError(StatusCode, &'static str);

impl IntoResponse for ApiAuthError {
    fn into_response(self) -> Response {
        let mut res = problem(self.0, self.1);
        if self.0 == StatusCode::UNAUTHORIZED {
            res.headers_mut()
                .insert("www-authenticate", axum::http::HeaderValue::from_static("Bearer"));
        }
        res
    }
}

impl<S> FromRequestParts<S> for ApiUser
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiAuthError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        let Some(token) = header.and_then(|h| h.strip_prefix("Bearer ")).map(str::trim) else {
            return Err(ApiAuthError(
                StatusCode::UNAUTHORIZED,
                "Send an API token as 'Authorization: Bearer <token>'.",
            ));
        };
        let failed = |_| {
            ApiAuthError(
                StatusCode::INTERNAL_SERVER_ERROR,
                "The service could not check the token.",
            )
        };
        let user_id = accounts::api_token_owner(&state, token)
            .await
            .map_err(failed)?
            .ok_or(ApiAuthError(
                StatusCode::UNAUTHORIZED,
                "The API token is not valid or has been revoked.",
            ))?;
        let person = accounts::person(&state, UserId(user_id))
            .await
            .map_err(failed)?
            .ok_or(ApiAuthError(
                StatusCode::UNAUTHORIZED,
                "The API token's account no longer exists.",
            ))?;
        if !person.0.email_verified {
            return Err(ApiAuthError(
                StatusCode::UNAUTHORIZED,
                "The API token's account has no confirmed email address.",
            ));
        }
        // A role that needs two-factor sign-in acts through the API only while the person
        // has it set up, as on the pages.
        if lacks_required_two_factor(&state, &person) {
            return Err(ApiAuthError(
                StatusCode::FORBIDDEN,
                "Set up two-factor sign-in on your account page before using the API.",
            ));
        }
        Ok(ApiUser(person))
    }
}
