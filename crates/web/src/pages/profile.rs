//! Changing what the account page shows: name, organisation and job title; email address
//! (confirmed again by a link to the new address); password (the current one first).

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::pages::{chrome, notify};
use crate::state::AppState;
use crate::views::{Chrome, FormErrors};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use convene_app::accounts::{self, AccountError};
use serde::Deserialize;

/// Account change routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account/details", get(details_page).post(save_details))
        .route("/account/email", get(email_page).post(change_email))
        .route("/account/password", get(password_page).post(change_password))
}

async fn frame(state: &AppState, me: &CurrentUser, title: &str, path: &str, errors: &FormErrors) -> Chrome {
    let mut chrome = chrome(state, Some(&me.person), &me.session, title, path).await;
    chrome.has_errors = !errors.is_empty();
    chrome.with_back("/account")
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/account_details.html")]
struct DetailsPage {
    chrome: Chrome,
    errors: FormErrors,
    name: String,
    organisation: String,
    job_role: String,
}

async fn details_page(State(state): State<AppState>, me: CurrentUser) -> Result<Response, AppError> {
    let errors = FormErrors::default();
    let user = me.user();
    Ok(DetailsPage {
        chrome: frame(&state, &me, "Change your details", "/account/details", &errors).await,
        name: user.name.clone(),
        organisation: user.organisation.clone(),
        job_role: user.job_role.clone(),
        errors,
    }
    .into_response())
}

#[derive(Deserialize)]
struct DetailsForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    job_role: String,
}

async fn save_details(
    State(state): State<AppState>,
    me: CurrentUser,
    Form(form): Form<DetailsForm>,
) -> Result<Response, AppError> {
    let user_id = me.user().id;
    match accounts::save_details(&state, user_id, &form.name, &form.organisation, &form.job_role).await {
        Ok(()) => {
            notify(&me.session, "Your details have been saved.").await;
            Ok(Redirect::to("/account").into_response())
        }
        Err(AccountError::Invalid(problems)) => {
            let errors = FormErrors::from(problems);
            Ok(DetailsPage {
                chrome: frame(&state, &me, "Change your details", "/account/details", &errors).await,
                errors,
                name: form.name,
                organisation: form.organisation,
                job_role: form.job_role,
            }
            .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/account_email.html")]
struct EmailPage {
    chrome: Chrome,
    errors: FormErrors,
    email: String,
}

async fn email_page(State(state): State<AppState>, me: CurrentUser) -> Result<Response, AppError> {
    let errors = FormErrors::default();
    Ok(EmailPage {
        chrome: frame(
            &state,
            &me,
            "Change your email address",
            "/account/email",
            &errors,
        )
        .await,
        errors,
        email: String::new(),
    }
    .into_response())
}

#[derive(Deserialize)]
struct EmailForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

async fn change_email(
    State(state): State<AppState>,
    me: CurrentUser,
    Form(form): Form<EmailForm>,
) -> Result<Response, AppError> {
    let email = match accounts::change_email(&state, me.user(), &form.email, &form.password).await {
        Ok(email) => email,
        Err(AccountError::Invalid(problems)) => {
            let errors = FormErrors::from(problems);
            return Ok(EmailPage {
                chrome: frame(
                    &state,
                    &me,
                    "Change your email address",
                    "/account/email",
                    &errors,
                )
                .await,
                errors,
                email: form.email,
            }
            .into_response());
        }
        Err(e) => return Err(e.into()),
    };
    notify(
        &me.session,
        &format!("We have sent a link to {email}. Your address changes when you open it, within 24 hours."),
    )
    .await;
    Ok(Redirect::to("/account").into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/account_password.html")]
struct PasswordPage {
    chrome: Chrome,
    errors: FormErrors,
}

async fn password_page(State(state): State<AppState>, me: CurrentUser) -> Result<Response, AppError> {
    let errors = FormErrors::default();
    Ok(PasswordPage {
        chrome: frame(&state, &me, "Change your password", "/account/password", &errors).await,
        errors,
    }
    .into_response())
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
}

async fn change_password(
    State(state): State<AppState>,
    me: CurrentUser,
    Form(form): Form<PasswordForm>,
) -> Result<Response, AppError> {
    match accounts::change_password(&state, me.user(), &form.current, &form.password).await {
        Ok(()) => {}
        Err(AccountError::Invalid(problems)) => {
            let errors = FormErrors::from(problems);
            return Ok(PasswordPage {
                chrome: frame(&state, &me, "Change your password", "/account/password", &errors).await,
                errors,
            }
            .into_response());
        }
        Err(e) => return Err(e.into()),
    }
    // Every other session ends; this one stays.
    crate::auth::end_sessions(&state, me.user().id.0, Some(&me.session)).await?;
    notify(
        &me.session,
        "Your password has been changed. You have been signed out everywhere else, and your API tokens and emailed links no longer work.",
    )
    .await;
    Ok(Redirect::to("/account").into_response())
}
