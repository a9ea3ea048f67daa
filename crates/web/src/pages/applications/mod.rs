//! The applicant's journey: choose the place, the task list, one
//! section a page, sign-off, check your answers, submit, confirmation; and the read-only
//! application that programme admins and panel members see.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::pages::{chrome, form_chrome, notify, take_notice};
use crate::state::AppState;
use crate::views::{Chrome, FormErrors};
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use convene_app::applications::{self as applying, ApplicationError, Loaded, SavedSection, SignoffState};
use convene_domain::applications::{ApplicationStatus, Blocker};
use convene_domain::forms::{
    Question, QuestionKind, SaveMode, Section, SectionStatus, display_answer, input_value,
};
use convene_domain::policy::{Action, Resource, allows};
use convene_domain::programmes::Round;
use convene_domain::programmes::{RoundStatus, round_status};
use serde::Deserialize;
use std::collections::BTreeMap;

mod deadlines;
mod files;
mod overview;
mod section_page;
mod sections;
mod signoff;
mod start;
mod submission;
mod summary;

use deadlines::*;
use files::*;
use overview::*;
use section_page::*;
use sections::*;
use signoff::*;
use start::*;
use submission::*;
pub use summary::*;

/// Application routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/programmes/{slug}/rounds/{round}/apply",
            get(choose_place).post(start),
        )
        .route("/applications/{id}", get(show))
        .route(
            "/applications/{id}/sections/{key}",
            get(section_page)
                .post(save_section)
                .layer(axum::extract::DefaultBodyLimit::max(crate::csrf::UPLOAD_LIMIT)),
        )
        .route("/applications/{id}/sign-off", get(signoff_page))
        .route("/applications/{id}/sign-off/contacts", post(add_contact))
        .route(
            "/applications/{id}/sign-off/contacts/{contact}/remove",
            post(remove_contact),
        )
        .route("/applications/{id}/sign-off/send", post(send_signoff))
        .route("/applications/{id}/check", get(check_page))
        .route("/applications/{id}/submit", post(submit))
        .route("/applications/{id}/confirmation", get(confirmation))
        .route("/applications/{id}/withdraw", get(withdraw_page).post(withdraw))
        .route("/applications/{id}/deadline", post(extend_deadline))
        .route("/applications/{id}/files/{file}", get(download))
}

fn is_lead(me: &CurrentUser, loaded: &Loaded) -> bool {
    allows(me.principal(), Action::Edit, loaded.resource())
}

async fn load(state: &AppState, me: &CurrentUser, id: i64, action: Action) -> Result<Loaded, AppError> {
    Ok(applying::load(state, me.principal(), id, action).await?)
}

/// What a save says on the task list, by the `saved` value of its address.
fn saved_message(saved: &str) -> Option<&'static str> {
    match saved {
        "voided" => Some(
            "Your answers have been saved. Because they changed after sign-off was asked for, the sign-off has been cancelled: ask again when your answers are final.",
        ),
        "later" => Some(
            "Your answers have been saved. You can come back and finish them at any time before the deadline.",
        ),
        "done" => Some("Your answers have been saved."),
        _ => None,
    }
}

#[derive(Deserialize, Default)]
struct SavedQuery {
    #[serde(default)]
    saved: String,
}

/// Adds the problems a use case found to the page's errors, by field.
fn add_problems(errors: &mut FormErrors, problems: Vec<(String, String)>) {
    for (field, message) in problems {
        errors.add(&field, message);
    }
}

/// The problems a use case found, as the page's errors.
fn problems_to_errors(problems: Vec<(String, String)>) -> FormErrors {
    let mut errors = FormErrors::default();
    add_problems(&mut errors, problems);
    errors
}

/// Sends anyone who may no longer change the answers to the read-only application.
fn editable_or_redirect(loaded: &Loaded) -> Option<Response> {
    (!loaded.application.status.is_editable())
        .then(|| Redirect::to(&format!("/applications/{}", loaded.application.id)).into_response())
}

/// The frame of a step inside an application: its back link returns to the application.
async fn step_chrome(
    state: &AppState,
    me: &CurrentUser,
    title: &str,
    loaded: &Loaded,
    errors: &FormErrors,
) -> Chrome {
    form_chrome(state, me, title, "/dashboard", errors)
        .await
        .with_back(format!("/applications/{}", loaded.application.id))
}
