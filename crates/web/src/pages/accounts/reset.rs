//! Choosing a new password by an emailed link: asking for one (the same answer whether or
//! not the address has an account), then the link's page and its form.

use crate::auth::MaybeUser;
use crate::error::AppError;
use crate::pages::{chrome, notify};
use crate::state::AppState;
use crate::views::{Chrome, FormErrors};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use convene_app::accounts::{self, AccountError};
use convene_domain::Email;
use serde::Deserialize;

#[derive(Template, WebTemplate)]
#[template(path = "accounts/forgot_password.html")]
struct ForgotPage {
    chrome: Chrome,
    errors: FormErrors,
    email: String,
    sent: bool,
}

async fn forgot_chrome(state: &AppState, who: &MaybeUser) -> Chrome {
    chrome(
        state,
        who.person.as_ref(),
        &who.session,
        "Reset your password",
        "/forgot-password",
    )
    .await
    .with_back("/sign-in")
}

pub(super) async fn forgot_page(State(state): State<AppState>, who: MaybeUser) -> Response {
    ForgotPage {
        chrome: forgot_chrome(&state, &who).await,
        errors: FormErrors::default(),
        email: String::new(),
        sent: false,
    }
    .into_response()
}

#[derive(Deserialize)]
pub(super) struct ForgotForm {
    #[serde(default)]
    email: String,
}

pub(super) async fn forgot(
    State(state): State<AppState>,
    who: MaybeUser,
    Form(form): Form<ForgotForm>,
) -> Result<Response, AppError> {
    let mut chrome = forgot_chrome(&state, &who).await;
    let email = match Email::parse(&form.email) {
        Ok(email) => email,
        Err(e) => {
            let mut errors = FormErrors::default();
            errors.add("email", e.to_string());
            chrome.has_errors = true;
            return Ok(ForgotPage {
                chrome,
                errors,
                email: form.email,
                sent: false,
            }
            .into_response());
        }
    };
    // The same answer, after the same work, whether or not the address has an account: the
    // look-up and the email happen after the answer is sent, so its timing says nothing.
    let app = state.app.clone();
    tokio::spawn(async move {
        if let Err(e) = accounts::send_reset_link(&app, &email).await {
            tracing::error!(error = %e, "could not queue a password reset link");
        }
    });
    Ok(ForgotPage {
        chrome,
        errors: FormErrors::default(),
        email: String::new(),
        sent: true,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/reset_password.html")]
struct ResetPage {
    chrome: Chrome,
    errors: FormErrors,
    valid: bool,
}

/// The link's page: the form when `valid`, else why it cannot be used.
async fn reset_form(state: &AppState, who: &MaybeUser, errors: FormErrors, valid: bool) -> Response {
    let mut chrome = chrome(
        state,
        who.person.as_ref(),
        &who.session,
        "Choose a new password",
        "/reset-password",
    )
    .await;
    chrome.has_errors = !errors.is_empty();
    ResetPage {
        chrome,
        errors,
        valid,
    }
    .into_response()
}

pub(super) async fn reset_page(
    State(state): State<AppState>,
    who: MaybeUser,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let valid = accounts::reset_link_live(&state, &token).await?;
    Ok(reset_form(&state, &who, FormErrors::default(), valid).await)
}

#[derive(Deserialize)]
pub(super) struct ResetForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

pub(super) async fn reset(
    State(state): State<AppState>,
    who: MaybeUser,
    Path(token): Path<String>,
    Form(form): Form<ResetForm>,
) -> Result<Response, AppError> {
    match accounts::reset_password(&state, &token, &form.password, &form.confirm).await {
        Ok(user_id) => {
            crate::auth::end_sessions(&state, user_id, None).await?;
            notify(
                &who.session,
                "Your password has been changed. Sign in with your new password.",
            )
            .await;
            Ok(Redirect::to("/sign-in").into_response())
        }
        Err(AccountError::Invalid(problems)) => Ok(reset_form(&state, &who, problems.into(), true).await),
        Err(AccountError::Link(_)) => Ok(reset_form(&state, &who, FormErrors::default(), false).await),
        Err(e) => Err(e.into()),
    }
}
