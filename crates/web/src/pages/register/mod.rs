//! The front door for people: registering and confirming an address (here), asking to act
//! for a place and an admin deciding (`requests`), and invitations (`invitations`).
//! The rules live in `convene_app::registration`; every emailed link in `convene_app::links`.

mod invitations;
mod requests;

use crate::auth::MaybeUser;
use crate::error::AppError;
use crate::pages::{chrome, notify};
use crate::registration::Registration;
use crate::state::AppState;
use crate::views::{Chrome, FormErrors};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use convene_app::accounts::AccountError;
use convene_app::links::LinkState;
use convene_app::registration;
use convene_domain::UserId;
use serde::Deserialize;

/// Registration, verification, role request and invitation routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/register", get(register_page).post(register))
        .route("/verify-email/{token}", get(verify_page).post(verify))
        .route(
            "/programmes/{slug}/join",
            get(requests::join_page).post(requests::join),
        )
        .route("/programmes/{slug}/requests", get(requests::requests_page))
        .route(
            "/programmes/{slug}/invite",
            get(invitations::invite_page).post(invitations::invite),
        )
        .route(
            "/requests/{id}",
            get(requests::request_page).post(requests::decide),
        )
        .route(
            "/invitations/{token}",
            get(invitations::invitation_page).post(invitations::accept),
        )
}

/// Where to go afterwards: a local path, or nothing.
fn local_path(next: Option<&str>) -> String {
    next.filter(|n| crate::pages::accounts::is_local_path(n))
        .unwrap_or_default()
        .to_string()
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "register/register.html")]
struct RegisterPage {
    chrome: Chrome,
    errors: FormErrors,
    typed: Registration,
    next: String,
}

async fn register_page(
    State(state): State<AppState>,
    who: MaybeUser,
    Query(q): Query<NextQuery>,
) -> Response {
    if who.person.is_some() {
        return Redirect::to("/dashboard").into_response();
    }
    let chrome = chrome(&state, None, &who.session, "Create an account", "/register").await;
    RegisterPage {
        chrome: chrome.with_back("/sign-in"),
        errors: FormErrors::default(),
        typed: Registration::default(),
        next: local_path(q.next.as_deref()),
    }
    .into_response()
}

#[derive(Deserialize)]
struct RegisterForm {
    #[serde(flatten)]
    registration: Registration,
    next: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "register/check_email.html")]
struct CheckEmailPage {
    chrome: Chrome,
    email: String,
}

async fn register(
    State(state): State<AppState>,
    who: MaybeUser,
    Form(form): Form<RegisterForm>,
) -> Result<Response, AppError> {
    let next = local_path(form.next.as_deref());
    match registration::register(&state, &form.registration.details(), &next).await {
        Ok(()) => {}
        Err(AccountError::Invalid(problems)) => {
            let mut chrome = chrome(&state, None, &who.session, "Create an account", "/register").await;
            chrome.has_errors = true;
            let mut typed = form.registration;
            typed.password.clear();
            return Ok(RegisterPage {
                chrome: chrome.with_back("/sign-in"),
                errors: problems.into(),
                typed,
                next,
            }
            .into_response());
        }
        Err(e) => return Err(e.into()),
    }
    let chrome = chrome(&state, None, &who.session, "Check your email", "/register").await;
    Ok(CheckEmailPage {
        chrome,
        email: form.registration.email.trim().to_string(),
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "register/link_page.html")]
struct LinkPage {
    chrome: Chrome,
    heading: String,
    body: String,
    /// The form's button, when the link can be used.
    button: Option<String>,
    action: String,
}

fn link_problem(why: LinkState, what: &str) -> (String, String) {
    match why {
        LinkState::Expired => (
            "This link has expired".into(),
            format!("Links to {what} work for a limited time. Sign in and ask for a new one from your account page."),
        ),
        LinkState::Used => (
            "This link has already been used".into(),
            format!("Each link to {what} works once. If you have already done so, you can sign in."),
        ),
        LinkState::Unknown | LinkState::Voided | LinkState::Live => (
            "This link is not valid".into(),
            "Check that you copied the whole link from the email. If it still does not work, ask for a new one.".into(),
        ),
    }
}

/// A link's page: a button that uses it (200), or why it cannot be used (410).
async fn link_page(
    state: &AppState,
    who: &MaybeUser,
    heading: String,
    body: String,
    button: Option<(String, String)>,
) -> Response {
    let chrome = chrome(
        state,
        who.person.as_ref(),
        &who.session,
        &heading,
        "/verify-email",
    )
    .await;
    let status = if button.is_some() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::GONE
    };
    let (button, action) = button.unzip();
    let page = LinkPage {
        chrome,
        heading,
        body,
        button,
        action: action.unwrap_or_default(),
    };
    (status, page).into_response()
}

/// The page for a link that cannot be used, saying why.
async fn unusable_link(state: &AppState, who: &MaybeUser, why: LinkState, what: &str) -> Response {
    let (heading, body) = link_problem(why, what);
    link_page(state, who, heading, body, None).await
}

async fn verify_page(
    State(state): State<AppState>,
    who: MaybeUser,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    Ok(match registration::check_confirmation(&state, &token).await {
        Ok(link) => {
            let button = (
                "Confirm email address".to_string(),
                format!("/verify-email/{token}"),
            );
            let body = format!("Confirm that {} is your email address.", link.email);
            link_page(
                &state,
                &who,
                "Confirm your email address".into(),
                body,
                Some(button),
            )
            .await
        }
        Err(AccountError::Link(why)) => unusable_link(&state, &who, why, "confirm an email address").await,
        Err(e) => return Err(e.into()),
    })
}

async fn verify(
    State(state): State<AppState>,
    who: MaybeUser,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let link = match registration::confirm_email(&state, &token).await {
        Ok(link) => link,
        Err(AccountError::Link(why)) => {
            return Ok(unusable_link(&state, &who, why, "confirm an email address").await);
        }
        Err(e) => return Err(e.into()),
    };
    let next = local_path(Some(&link.return_to));
    let signed_in_as = who.person.as_ref().map(|p| p.0.id);
    if signed_in_as == Some(UserId(link.user_id)) {
        notify(&who.session, "Your email address is confirmed.").await;
        let to = if next.is_empty() {
            "/dashboard".to_string()
        } else {
            next
        };
        return Ok(Redirect::to(&to).into_response());
    }
    notify(
        &who.session,
        "Your email address is confirmed. Sign in to continue.",
    )
    .await;
    let to = if next.is_empty() {
        "/sign-in".to_string()
    } else {
        format!("/sign-in?next={}", crate::error::urlencode(&next))
    };
    Ok(Redirect::to(&to).into_response())
}
