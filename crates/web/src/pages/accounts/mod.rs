//! Signing in and out (here; the code step is in `pages::two_factor`), choosing a
//! new password by emailed link (`reset`), and the account page with API tokens and
//! "sign out everywhere" (`account`). The rules are in `convene_app::{sessions, accounts}`.

mod account;
mod reset;

use crate::auth::MaybeUser;
use crate::error::AppError;
use crate::pages::{chrome, notify, take_notice};
use crate::state::AppState;
use crate::views::{Chrome, FormErrors};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use convene_app::accounts::AccountError;
use convene_app::sessions;
use serde::Deserialize;
use std::net::SocketAddr;

/// Sign-in, sign-out, password reset and account routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sign-in", get(sign_in_page).post(sign_in))
        .route("/sign-out", post(sign_out))
        .route("/forgot-password", get(reset::forgot_page).post(reset::forgot))
        .route(
            "/reset-password/{token}",
            get(reset::reset_page).post(reset::reset),
        )
        .route("/account", get(account::account_page))
        .route("/account/tokens", post(account::create_token))
        .route("/account/tokens/{id}/revoke", post(account::revoke_token))
        .route("/account/sign-out-everywhere", post(account::sign_out_everywhere))
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/sign_in.html")]
struct SignInPage {
    chrome: Chrome,
    errors: FormErrors,
    email: String,
    next: String,
    notice: Option<String>,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// Only local paths may be a post-sign-in destination (no open redirect).
fn safe_next(next: Option<&str>) -> String {
    next.filter(|n| is_local_path(n))
        .unwrap_or("/dashboard")
        .to_string()
}

/// True for a path on this site, the only kind of destination a link or form may send
/// someone to afterwards (no open redirect).
pub(crate) fn is_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path
            .chars()
            .any(|c| c == '\\' || c.is_whitespace() || c.is_control())
}

async fn sign_in_page(State(state): State<AppState>, who: MaybeUser, Query(q): Query<NextQuery>) -> Response {
    if who.person.is_some() {
        return Redirect::to(&safe_next(q.next.as_deref())).into_response();
    }
    let notice = take_notice(&who.session).await;
    let mut chrome = chrome(&state, None, &who.session, "Sign in", "/sign-in").await;
    chrome.demo = state.config.demo;
    SignInPage {
        chrome,
        errors: FormErrors::default(),
        email: String::new(),
        next: safe_next(q.next.as_deref()),
        notice,
    }
    .into_response()
}

#[derive(Deserialize)]
struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

async fn sign_in(
    State(state): State<AppState>,
    who: MaybeUser,
    peer: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Result<Response, AppError> {
    let session = who.session;
    let next = safe_next(form.next.as_deref());
    let client = crate::ops::client_address(&headers, peer.map(|c| c.0.0), state.config.trusted_proxies);
    let errors = match sessions::check_password(&state, &form.email, &form.password, &client, &next).await {
        Ok(right) => {
            session.cycle_id().await.map_err(AppError::internal)?;
            if right.code_needed {
                // The password was right; the code comes next.
                return crate::pages::two_factor::ask_for_code(&session, right.user_id, &next).await;
            }
            return crate::pages::two_factor::complete_sign_in(&state, &session, right.user_id, &next).await;
        }
        Err(AccountError::Invalid(problems)) => FormErrors::from(problems),
        Err(e) => return Err(e.into()),
    };
    let mut chrome = chrome(&state, None, &session, "Sign in", "/sign-in").await;
    chrome.has_errors = true;
    Ok(SignInPage {
        chrome,
        errors,
        email: form.email,
        next,
        notice: None,
    }
    .into_response())
}

async fn sign_out(State(state): State<AppState>, who: MaybeUser) -> Result<Response, AppError> {
    if let Some(person) = &who.person {
        state.people.forget(person.0.id);
    }
    who.session.flush().await.map_err(AppError::internal)?;
    notify(&who.session, "You have signed out.").await;
    Ok(Redirect::to("/sign-in").into_response())
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_is_local_only() {
        assert_eq!(safe_next(Some("/places/3")), "/places/3");
        assert_eq!(safe_next(Some("//evil.example")), "/dashboard");
        assert_eq!(safe_next(Some("https://evil.example")), "/dashboard");
        assert_eq!(safe_next(None), "/dashboard");
        assert_eq!(
            safe_next(Some("/\t/evil.example")),
            "/dashboard",
            "browsers drop tabs"
        );
        assert_eq!(safe_next(Some("/\\evil.example")), "/dashboard");
    }
}
