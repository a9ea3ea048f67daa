//! Asking to act for a place (the join page) and an admin's list of requests and decision.

use super::{NextQuery, local_path};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::pages::{chrome, notify, take_notice};
use crate::state::AppState;
use crate::views::{Chrome, FormErrors};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use convene_app::accounts::AccountError;
use convene_app::registration::{self, RequestLine, RequestStatus, RoleRequest};
use serde::Deserialize;

/// A place the person may ask to act for.
struct PlaceChoice {
    id: i64,
    name: String,
    checked: bool,
    /// Shown beside the radio: "Your request is waiting", "You act for this place".
    note: Option<&'static str>,
}

#[derive(Template, WebTemplate)]
#[template(path = "register/join.html")]
struct JoinPage {
    chrome: Chrome,
    notice: Option<String>,
    errors: FormErrors,
    programme_name: String,
    slug: String,
    places: Vec<PlaceChoice>,
    reason: String,
    next: String,
    mine: Vec<RoleRequest>,
}

async fn render_join(
    state: &AppState,
    me: &CurrentUser,
    slug: &str,
    errors: FormErrors,
    chosen: Option<i64>,
    reason: String,
    next: String,
) -> Result<Response, AppError> {
    let choices = registration::join_choices(state, me.principal(), slug).await?;
    let places = choices
        .places
        .into_iter()
        .map(|p| PlaceChoice {
            checked: chosen == Some(p.id),
            note: if p.leads {
                Some("You act for this place")
            } else if p.waiting {
                Some("Your request is waiting for a decision")
            } else {
                None
            },
            id: p.id,
            name: p.name,
        })
        .collect();
    let path = format!("/programmes/{slug}/join");
    let mut frame = chrome(
        state,
        Some(&me.person),
        &me.session,
        "Which place do you want to act for?",
        &path,
    )
    .await;
    frame.has_errors = !errors.is_empty();
    let notice = take_notice(&me.session).await;
    Ok(JoinPage {
        chrome: frame.with_back(format!("/programmes/{slug}/about")),
        notice,
        errors,
        programme_name: choices.programme_name,
        slug: slug.to_string(),
        places,
        reason,
        next,
        mine: choices.mine,
    }
    .into_response())
}

pub(super) async fn join_page(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
    Query(q): Query<NextQuery>,
) -> Result<Response, AppError> {
    render_join(
        &state,
        &me,
        &slug,
        FormErrors::default(),
        None,
        String::new(),
        local_path(q.next.as_deref()),
    )
    .await
}

#[derive(Deserialize)]
pub(super) struct JoinForm {
    #[serde(default)]
    place: String,
    #[serde(default)]
    reason: String,
    next: Option<String>,
}

pub(super) async fn join(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
    Form(form): Form<JoinForm>,
) -> Result<Response, AppError> {
    let place_id = form.place.trim().parse::<i64>().ok();
    let next = local_path(form.next.as_deref());
    match registration::request_place(&state, me.user(), &slug, place_id, &form.reason).await {
        Ok(request) => {
            notify(
                &me.session,
                &format!(
                    "You have asked to act for {}. A programme admin will decide, and we will email you.",
                    request.asks_for()
                ),
            )
            .await;
            Ok(Redirect::to(&format!("/programmes/{slug}/join")).into_response())
        }
        Err(AccountError::Invalid(problems) | AccountError::State(problems)) => {
            render_join(&state, &me, &slug, problems.into(), place_id, form.reason, next).await
        }
        // A place that is not (or no longer) in the programme: chosen again from the list
        // (an unknown programme is still 404, from the list).
        Err(AccountError::NotFound) if place_id.is_some() => {
            let mut errors = FormErrors::default();
            errors.add("place", registration::SELECT_PLACE);
            render_join(&state, &me, &slug, errors, None, form.reason, next).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "register/requests.html")]
struct RequestsPage {
    chrome: Chrome,
    notice: Option<String>,
    programme_name: String,
    slug: String,
    pending: Vec<RequestLine>,
    decided: Vec<RoleRequest>,
}

pub(super) async fn requests_page(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let list = registration::programme_requests(&state, me.principal(), &slug).await?;
    let (pending, decided): (Vec<RequestLine>, Vec<RequestLine>) = list
        .requests
        .into_iter()
        .partition(|line| line.request.status == RequestStatus::Pending);
    let path = format!("/programmes/{slug}/requests");
    let frame = chrome(
        &state,
        Some(&me.person),
        &me.session,
        "Requests to act for a place",
        &path,
    )
    .await;
    let notice = take_notice(&me.session).await;
    Ok(RequestsPage {
        chrome: frame.with_back(format!("/programmes/{slug}")),
        notice,
        programme_name: list.programme_name,
        slug,
        pending,
        decided: decided.into_iter().map(|line| line.request).collect(),
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "register/request.html")]
struct RequestPage {
    chrome: Chrome,
    errors: FormErrors,
    request: RoleRequest,
    verified: bool,
    existing_leads: Vec<String>,
    /// The profile of a person asking to join an enabler pool.
    profile: Option<convene_app::enablers::pool::Profile>,
    decision: String,
    reason: String,
}

async fn render_request(
    state: &AppState,
    me: &CurrentUser,
    id: i64,
    errors: FormErrors,
    decision: String,
    reason: String,
) -> Result<Response, AppError> {
    let detail = registration::request_detail(state, me.principal(), id).await?;
    let slug = detail.programme_slug.unwrap_or_default();
    let title = format!("Request to {}", detail.request.what());
    let mut frame = chrome(
        state,
        Some(&me.person),
        &me.session,
        &title,
        &format!("/requests/{id}"),
    )
    .await;
    frame.has_errors = !errors.is_empty();
    Ok(RequestPage {
        chrome: frame.with_back(format!("/programmes/{slug}/requests")),
        errors,
        request: detail.request,
        verified: detail.verified,
        existing_leads: detail.existing_leads,
        profile: detail.profile,
        decision,
        reason,
    }
    .into_response())
}

pub(super) async fn request_page(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    render_request(
        &state,
        &me,
        id,
        FormErrors::default(),
        String::new(),
        String::new(),
    )
    .await
}

#[derive(Deserialize)]
pub(super) struct DecideForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
}

pub(super) async fn decide(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<DecideForm>,
) -> Result<Response, AppError> {
    let approve = match form.decision.as_str() {
        "approve" => Some(true),
        "decline" => Some(false),
        _ => None,
    };
    let detail = registration::request_detail(&state, me.principal(), id).await?;
    let back = detail
        .programme_slug
        .map(|slug| format!("/programmes/{slug}/requests"))
        .unwrap_or_else(|| "/dashboard".into());
    let notice = match registration::decide(&state, me.principal(), id, approve, &form.reason).await {
        Ok(()) => {
            let verb = if approve == Some(true) {
                "approved"
            } else {
                "declined"
            };
            // No name: notices wait in the session, which should hold no one else's data.
            format!(
                "You have {verb} the request to {}. The person has been emailed.",
                detail.request.what()
            )
        }
        Err(AccountError::AlreadyDecided) => {
            "That request had already been decided, so nothing has changed.".to_string()
        }
        Err(AccountError::Invalid(problems) | AccountError::State(problems)) => {
            return render_request(&state, &me, id, problems.into(), form.decision, form.reason).await;
        }
        // The request page let them in, so it is their own request.
        Err(AccountError::Forbidden) if detail.request.user_id == me.user().id => {
            let mut errors = FormErrors::default();
            errors.add("decision", registration::OWN_REQUEST);
            return render_request(&state, &me, id, errors, form.decision, form.reason).await;
        }
        Err(e) => return Err(e.into()),
    };
    notify(&me.session, &notice).await;
    Ok(Redirect::to(&back).into_response())
}
