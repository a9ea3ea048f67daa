//! Changing what the account page shows: name, organisation and job title; email address
//! (confirmed again by a link to the new address); password (the current one first).

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::pages::{chrome, notify};
use crate::passwords::hashing;
use crate::registration;
use crate::state::AppState;
use crate::views::{Chrome, FormErrors};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use convene_app::Cache;
use convene_domain::Email;
use convene_domain::accounts::{check_new_password, hash_password, verify_password};
use convene_domain::audit::AuditAction;
use convene_store::users;
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
    let mut errors = FormErrors::default();
    registration::check_profile(&mut errors, &form.name, &form.organisation, &form.job_role);
    if !errors.is_empty() {
        return Ok(DetailsPage {
            chrome: frame(&state, &me, "Change your details", "/account/details", &errors).await,
            errors,
            name: form.name,
            organisation: form.organisation,
            job_role: form.job_role,
        }
        .into_response());
    }
    let user_id = me.user().id;
    let mut work = state.begin(Some(user_id)).await?;
    users::set_profile(
        work.tx(),
        user_id,
        form.name.trim(),
        form.organisation.trim(),
        form.job_role.trim(),
    )
    .await?;
    work.audit(AuditAction::ProfileChanged, Some(user_id)).await?;
    work.clears(Cache::Person(user_id));
    work.commit().await?;
    notify(&me.session, "Your details have been saved.").await;
    Ok(Redirect::to("/account").into_response())
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

/// Checks the current password off the async threads.
async fn password_ok(state: &AppState, me: &CurrentUser, typed: &str) -> Result<bool, AppError> {
    let hash = me.user().password_hash.clone();
    let typed = typed.to_string();
    hashing(state, move || verify_password(&typed, &hash)).await
}

async fn change_email(
    State(state): State<AppState>,
    me: CurrentUser,
    Form(form): Form<EmailForm>,
) -> Result<Response, AppError> {
    let mut errors = FormErrors::default();
    let email = match Email::parse(&form.email) {
        Ok(e) if e.as_str() == me.user().email => {
            errors.add("email", "This is already your email address");
            None
        }
        Ok(e) => Some(e),
        Err(e) => {
            errors.add("email", e.to_string());
            None
        }
    };
    if !password_ok(&state, &me, &form.password).await? {
        errors.add("password", "Enter your current password");
    }
    let Some(email) = email.filter(|_| errors.is_empty()) else {
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
    };
    registration::change_email(&state, me.user(), &email).await?;
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
    let mut errors = FormErrors::default();
    if !password_ok(&state, &me, &form.current).await? {
        errors.add("current", "Enter your current password");
    }
    if let Err(e) = check_new_password(&form.password) {
        errors.add("password", e.to_string());
    }
    if !errors.is_empty() {
        return Ok(PasswordPage {
            chrome: frame(&state, &me, "Change your password", "/account/password", &errors).await,
            errors,
        }
        .into_response());
    }
    let password = form.password.clone();
    let hash = hashing(&state, move || hash_password(&password))
        .await?
        .map_err(AppError::internal)?;
    let user_id = me.user().id;
    let mut work = state.begin(Some(user_id)).await?;
    users::set_password_hash(work.tx(), user_id, &hash).await?;
    work.audit(AuditAction::PasswordChanged, Some(user_id)).await?;
    crate::auth::revoke_credentials(&mut work, user_id).await?;
    let body = "The password of your Convene account has just been changed. If this was not you, \
                choose a new password now with \"Forgotten your password?\" on the sign-in page.\n\nConvene";
    work.mail(&me.user().email, "Your Convene password was changed", body)
        .await?;
    work.commit().await?;
    // Every other session ends; this one stays.
    crate::auth::end_sessions(&state, user_id, Some(&me.session)).await?;
    notify(
        &me.session,
        "Your password has been changed. You have been signed out everywhere else, and your API tokens and emailed links no longer work.",
    )
    .await;
    Ok(Redirect::to("/account").into_response())
}
