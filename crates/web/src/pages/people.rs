//! Personal data rights: a person downloads everything held about them; a service admin
//! finds anyone by email (with or without an account) to download or erase what is held.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::pages::{chrome, notify, take_notice};
use crate::personal_data::{download, erase as erase_email};
use crate::state::AppState;
use crate::views::{Chrome, FormErrors};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use convene_app::personal_data::{self as rights, Erasure, Whom};
use convene_domain::Email;
use serde::Deserialize;

/// Personal data routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account/your-data.json", get(own_download))
        .route("/admin/people", get(search))
        .route("/admin/people/data.json", get(admin_download))
        .route("/admin/people/erase", get(confirm_erase).post(erase))
}

async fn own_download(State(state): State<AppState>, me: CurrentUser) -> Result<Response, AppError> {
    let whom = Whom::Account(me.user().id.0);
    Ok(download(&state, me.principal(), whom, "convene-your-data.json").await?)
}

fn require_service_admin(me: &CurrentUser) -> Result<(), AppError> {
    Ok(rights::require_admin(me.principal())?)
}

#[derive(Deserialize)]
struct EmailQuery {
    email: Option<String>,
}

/// One line of what is held.
struct Held {
    section: String,
    count: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "people/people.html")]
struct PeoplePage {
    chrome: Chrome,
    notice: Option<String>,
    errors: FormErrors,
    email: String,
    searched: bool,
    account_name: Option<String>,
    erased_on: Option<String>,
    held: Vec<Held>,
}

/// Checks a typed address, with a message beside the field when it is not one.
fn parse_email(typed: &str, errors: &mut FormErrors) -> Option<Email> {
    match Email::parse(typed) {
        Ok(e) => Some(e),
        Err(e) => {
            errors.add("email", e.to_string());
            None
        }
    }
}

async fn search(
    State(state): State<AppState>,
    me: CurrentUser,
    Query(q): Query<EmailQuery>,
) -> Result<Response, AppError> {
    require_service_admin(&me)?;
    let typed = q.email.unwrap_or_default();
    let mut errors = FormErrors::default();
    let mut account_name = None;
    let mut erased_on = None;
    let mut held = Vec::new();
    let searched = !typed.trim().is_empty();
    if searched && let Some(email) = parse_email(&typed, &mut errors) {
        let found = rights::find(&state, me.principal(), &email).await?;
        erased_on = found.erased_at.map(|t| t.london_words());
        account_name = found.account_name;
        held = found
            .held
            .into_iter()
            .map(|(section, count)| Held {
                section: section.replace('_', " "),
                count,
            })
            .collect();
    }
    let mut frame = chrome(
        &state,
        Some(&me.person),
        &me.session,
        "Find a person's data",
        "/admin/people",
    )
    .await;
    frame.has_errors = !errors.is_empty();
    let notice = take_notice(&me.session).await;
    Ok(PeoplePage {
        chrome: frame.with_back("/dashboard"),
        notice,
        errors,
        email: typed.trim().to_string(),
        searched,
        account_name,
        erased_on,
        held,
    }
    .into_response())
}

async fn admin_download(
    State(state): State<AppState>,
    me: CurrentUser,
    Query(q): Query<EmailQuery>,
) -> Result<Response, AppError> {
    let whom = Whom::Email(q.email.as_deref().unwrap_or_default());
    Ok(download(&state, me.principal(), whom, "convene-subject-access.json").await?)
}

#[derive(Template, WebTemplate)]
#[template(path = "people/erase_confirm.html")]
struct ErasePage {
    chrome: Chrome,
    errors: FormErrors,
    email: String,
}

async fn confirm_erase(
    State(state): State<AppState>,
    me: CurrentUser,
    Query(q): Query<EmailQuery>,
) -> Result<Response, AppError> {
    require_service_admin(&me)?;
    let frame = chrome(
        &state,
        Some(&me.person),
        &me.session,
        "Erase this person's data",
        "/admin/people",
    )
    .await;
    let email = q.email.unwrap_or_default();
    Ok(ErasePage {
        chrome: frame.with_back(format!("/admin/people?email={}", crate::error::urlencode(&email))),
        errors: FormErrors::default(),
        email,
    }
    .into_response())
}

#[derive(Deserialize)]
struct EraseForm {
    #[serde(default)]
    email: String,
    confirm: Option<String>,
}

async fn erase(
    State(state): State<AppState>,
    me: CurrentUser,
    Form(form): Form<EraseForm>,
) -> Result<Response, AppError> {
    require_service_admin(&me)?;
    let mut errors = FormErrors::default();
    let email = parse_email(&form.email, &mut errors);
    if form.confirm.is_none() {
        errors.add("confirm", "Confirm that you want to erase this person's data");
    }
    let Some(email) = email.filter(|_| errors.is_empty()) else {
        let mut frame = chrome(
            &state,
            Some(&me.person),
            &me.session,
            "Erase this person's data",
            "/admin/people",
        )
        .await;
        frame.has_errors = true;
        return Ok(ErasePage {
            chrome: frame.with_back("/admin/people"),
            errors,
            email: form.email,
        }
        .into_response());
    };
    let message = match erase_email(&state, me.principal(), &email).await? {
        Erasure::OwnAccount => "You cannot erase your own account: ask another service admin.".to_string(),
        // The notice stays in the admin's session for a moment, so it does not name them.
        Erasure::Done { .. } => "The person's data has been erased.".to_string(),
        Erasure::Already(at) => format!(
            "This person's data was already erased on {}. Nothing has changed.",
            at.london_words()
        ),
        Erasure::NothingHeld => {
            "We hold nothing about this address, so there is nothing to erase. It may have been erased already.".to_string()
        }
    };
    notify(&me.session, &message).await;
    Ok(Redirect::to(&format!(
        "/admin/people?email={}",
        crate::error::urlencode(email.as_str())
    ))
    .into_response())
}
