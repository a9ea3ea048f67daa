//! Signing off from an emailed link: no account, the application
//! read-only, then the signer's name, role and own words. The link is spent by the
//! confirming POST, never by opening it, since mail scanners open links.

use crate::auth::MaybeUser;
use crate::error::AppError;
use crate::pages::applications::{SummarySection, summary};
use crate::pages::chrome;
use crate::state::AppState;
use crate::views::{Chrome, FormErrors};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use convene_app::applications::{self as applying, Loaded, SignOff, SignerWords, SignoffLink, Unusable};
use serde::Deserialize;

/// Sign-off link routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/sign-off/{token}", get(show).post(confirm))
}

/// Why a link cannot be used, in words for the page.
fn words(why: Unusable) -> (&'static str, &'static str) {
    match why {
        Unusable::NotValid => (
            "This link is not valid",
            "The link may have been copied incompletely. Check the whole web address from the email.",
        ),
        Unusable::Used => (
            "This link has already been used",
            "The sign-off it asked for has been recorded. Each link works once.",
        ),
        Unusable::Expired => (
            "This link has expired",
            "Sign-off links work for 14 days. The applicant can send you a new one.",
        ),
        Unusable::Changed => (
            "The application has changed since this link was sent",
            "You will be sent a new link once the applicant's answers are final, so that you sign off what will be submitted.",
        ),
        Unusable::Replaced => (
            "A newer link has been sent to you",
            "Use the link in the most recent email about this application. Each new link replaces the one before.",
        ),
        Unusable::Closed => (
            "This application no longer needs sign-off",
            "It has been withdrawn or submitted already.",
        ),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "signoff/signoff_unusable.html")]
struct UnusablePage {
    chrome: Chrome,
    heading: &'static str,
    body: &'static str,
    contact: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "signoff/signoff_link.html")]
struct SignoffPage {
    chrome: Chrome,
    errors: FormErrors,
    token: String,
    loaded: Loaded,
    summary: Vec<SummarySection>,
    is_chair: bool,
    form: ConfirmForm,
}

#[derive(Template, WebTemplate)]
#[template(path = "signoff/signoff_done.html")]
struct DonePage {
    chrome: Chrome,
    loaded: Loaded,
    is_chair: bool,
}

#[derive(Deserialize, Default, Clone)]
struct ConfirmForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    confirm: String,
}

async fn unusable(state: &AppState, who: &MaybeUser, (why, contact): (Unusable, Option<String>)) -> Response {
    let (heading, body) = words(why);
    let status = match why {
        Unusable::NotValid => StatusCode::NOT_FOUND,
        _ => StatusCode::GONE,
    };
    let chrome = chrome(state, who.person.as_ref(), &who.session, heading, "/sign-off").await;
    (
        status,
        UnusablePage {
            chrome,
            heading,
            body,
            contact,
        },
    )
        .into_response()
}

async fn render(
    state: &AppState,
    who: &MaybeUser,
    token: String,
    link: SignoffLink,
    errors: FormErrors,
    form: ConfirmForm,
) -> Result<Response, AppError> {
    let is_chair = link.is_chair();
    let loaded = link.loaded;
    let summary = summary(state, &loaded, false).await?;
    let title = format!("Sign off {}'s application", loaded.place.name);
    let mut chrome = chrome(state, who.person.as_ref(), &who.session, &title, "/sign-off").await;
    chrome.has_errors = !errors.is_empty();
    Ok(SignoffPage {
        chrome,
        errors,
        token,
        summary,
        is_chair,
        loaded,
        form,
    }
    .into_response())
}

async fn show(
    State(state): State<AppState>,
    who: MaybeUser,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    match applying::open_signoff(&state, &token).await? {
        Err(refusal) => Ok(unusable(&state, &who, refusal).await),
        Ok(link) => {
            let form = ConfirmForm {
                name: link.signoff.contact_name.clone(),
                ..ConfirmForm::default()
            };
            render(&state, &who, token, link, FormErrors::default(), form).await
        }
    }
}

async fn confirm(
    State(state): State<AppState>,
    who: MaybeUser,
    Path(token): Path<String>,
    Form(form): Form<ConfirmForm>,
) -> Result<Response, AppError> {
    let words = SignerWords {
        name: &form.name,
        role: &form.role,
        comment: &form.comment,
        confirmed: form.confirm == "yes",
    };
    let link = match applying::sign_off(&state, &token, &words).await? {
        SignOff::Done(link) => *link,
        SignOff::Unusable(refusal) => return Ok(unusable(&state, &who, refusal).await),
        SignOff::Invalid(problems, link) => {
            let mut errors = FormErrors::default();
            for (field, message) in problems {
                errors.add(&field, message);
            }
            return render(&state, &who, token, *link, errors, form).await;
        }
    };
    let chrome = chrome(
        &state,
        who.person.as_ref(),
        &who.session,
        "Thank you: your sign-off has been recorded",
        "/sign-off",
    )
    .await;
    Ok(DonePage {
        chrome,
        is_chair: link.is_chair(),
        loaded: link.loaded,
    }
    .into_response())
}
