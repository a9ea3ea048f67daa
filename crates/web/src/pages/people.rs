//! Personal data rights: a person downloads everything held about them; a service admin
//! finds anyone by email (with or without an account) to download or erase what is held.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::pages::{chrome, notify, take_notice};
use crate::personal_data::{erase_subject, json_download, subject_access};
use crate::state::AppState;
use crate::views::{Chrome, FormErrors};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use convene_domain::Email;
use convene_domain::accounts::Role;
use convene_domain::audit::AuditAction;
use convene_store::personal_data::{self, Erased};
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
    let subject = personal_data::subject_by_user(&state.db, me.user().id)
        .await?
        .ok_or(AppError::NotFound)?;
    let data = subject_access(&state, &subject).await?;
    Ok(json_download(&data, "convene-your-data.json"))
}

fn require_service_admin(me: &CurrentUser) -> Result<(), AppError> {
    if me.principal().holds(Role::ServiceAdmin, None) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
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
fn parse_email(typed: &str, errors: &mut FormErrors) -> Option<String> {
    match Email::parse(typed) {
        Ok(e) => Some(e.as_str().to_string()),
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
        let subject = personal_data::subject_by_email(&state.db, &email).await?;
        if let Some(id) = subject.user_id {
            erased_on = personal_data::erased_at(&state.db, id)
                .await?
                .map(|t| t.london_words());
            account_name = convene_store::users::by_id(&state.db, id).await?.map(|u| u.name);
        }
        for (section, rows) in personal_data::holdings(&state.db, &subject).await? {
            held.push(Held {
                section: section.replace('_', " "),
                count: rows.as_array().map(Vec::len).unwrap_or(0),
            });
        }
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
    require_service_admin(&me)?;
    let mut errors = FormErrors::default();
    let email = parse_email(q.email.as_deref().unwrap_or_default(), &mut errors).ok_or(AppError::NotFound)?;
    let subject = personal_data::subject_by_email(&state.db, &email).await?;
    let data = subject_access(&state, &subject).await?;
    let mut work = state.begin(Some(me.user().id)).await?;
    work.audit(AuditAction::SubjectAccessDownloaded, subject.user_id)
        .await?;
    work.commit().await?;
    Ok(json_download(&data, "convene-subject-access.json"))
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
    let subject = personal_data::subject_by_email(&state.db, &email).await?;
    if subject.user_id == Some(me.user().id) {
        notify(
            &me.session,
            "You cannot erase your own account: ask another service admin.",
        )
        .await;
        return Ok(Redirect::to(&format!(
            "/admin/people?email={}",
            crate::error::urlencode(&email)
        ))
        .into_response());
    }
    let message = match erase_subject(&state, me.principal(), &subject).await? {
        // The notice stays in the admin's session for a moment, so it does not name them.
        Erased::Done => "The person's data has been erased.".to_string(),
        Erased::Already(at) => format!("This person's data was already erased on {}. Nothing has changed.", at.london_words()),
        Erased::NothingHeld => {
            "We hold nothing about this address, so there is nothing to erase. It may have been erased already.".to_string()
        }
    };
    notify(&me.session, &message).await;
    Ok(Redirect::to(&format!(
        "/admin/people?email={}",
        crate::error::urlencode(&email)
    ))
    .into_response())
}
