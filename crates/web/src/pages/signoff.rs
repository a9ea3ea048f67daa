//! Signing off from an emailed link (JOURNEYS.md, journey 2): no account, the application
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
use convene_app::applications::{self as applying, Loaded};
use convene_domain::accounts::secret_digest;
use convene_domain::audit::AuditAction;
use convene_store::signoffs::{self, Confirmation, Signoff};
use serde::Deserialize;

/// Sign-off link routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/sign-off/{token}", get(show).post(confirm))
}

/// Why a link cannot be used, in words for the page.
enum Unusable {
    NotValid,
    Used,
    Expired,
    Changed,
    Replaced,
    Closed,
}

impl Unusable {
    fn words(&self) -> (&'static str, &'static str) {
        match self {
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

/// The link's sign-off and application, or why it cannot be used.
async fn resolve(
    state: &AppState,
    token: &str,
) -> Result<Result<(Signoff, Loaded), (Unusable, Option<String>)>, AppError> {
    let well_formed = token.len() == 64 && token.chars().all(|c| c.is_ascii_hexdigit());
    let found = if well_formed {
        signoffs::by_token(&state.db, &secret_digest(token)).await?
    } else {
        None
    };
    let Some(signoff) = found else {
        return Ok(Err((Unusable::NotValid, None)));
    };
    let loaded = applying::load_for_signoff(state, signoff.application_id).await?;
    let contact = Some(loaded.programme.contact_email.clone());
    let now = state.clock.now();
    let problem = if signoff.confirmed_at.is_some() {
        Some(Unusable::Used)
    } else if !loaded.application.status.is_editable() {
        Some(Unusable::Closed)
    } else if signoff.answers_digest != loaded.application.answers_digest {
        Some(Unusable::Changed)
    } else if signoff.voided_at.is_some() {
        Some(Unusable::Replaced)
    } else if now > signoff.expires_at {
        Some(Unusable::Expired)
    } else {
        None
    };
    Ok(match problem {
        Some(p) => Err((p, contact)),
        None => Ok((signoff, loaded)),
    })
}

async fn unusable(state: &AppState, who: &MaybeUser, why: Unusable, contact: Option<String>) -> Response {
    let (heading, body) = why.words();
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
    signoff: Signoff,
    loaded: Loaded,
    errors: FormErrors,
    form: ConfirmForm,
) -> Result<Response, AppError> {
    let summary = summary(state, &loaded, false).await?;
    let title = format!("Sign off {}'s application", loaded.place.name);
    let mut chrome = chrome(state, who.person.as_ref(), &who.session, &title, "/sign-off").await;
    chrome.has_errors = !errors.is_empty();
    Ok(SignoffPage {
        chrome,
        errors,
        token,
        summary,
        is_chair: signoff.kind == signoffs::CHAIR,
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
    match resolve(&state, &token).await? {
        Err((why, contact)) => Ok(unusable(&state, &who, why, contact).await),
        Ok((signoff, loaded)) => {
            let form = ConfirmForm {
                name: signoff.contact_name.clone(),
                ..ConfirmForm::default()
            };
            render(&state, &who, token, signoff, loaded, FormErrors::default(), form).await
        }
    }
}

async fn confirm(
    State(state): State<AppState>,
    who: MaybeUser,
    Path(token): Path<String>,
    Form(form): Form<ConfirmForm>,
) -> Result<Response, AppError> {
    let (signoff, loaded) = match resolve(&state, &token).await? {
        Err((why, contact)) => return Ok(unusable(&state, &who, why, contact).await),
        Ok(found) => found,
    };
    let mut errors = FormErrors::default();
    if form.name.trim().is_empty() {
        errors.add("name", "Enter your full name");
    }
    if form.role.trim().is_empty() {
        errors.add(
            "role",
            "Enter your role, for example Chair, Health and Wellbeing Board",
        );
    }
    if form.comment.chars().count() > 2000 {
        errors.add("comment", "Your comments must be 2,000 characters or fewer");
    }
    if form.confirm != "yes" {
        errors.add("confirm", "Select whether you confirm this application");
    }
    if !errors.is_empty() {
        return render(&state, &who, token, signoff, loaded, errors, form).await;
    }
    let now = state.clock.now();
    let mut work = state.begin(None).await?;
    let recorded = signoffs::confirm(
        work.tx(),
        signoff.id,
        &Confirmation {
            name: form.name.trim(),
            role: form.role.trim(),
            comment: form.comment.trim(),
        },
        now,
    )
    .await?;
    if !recorded {
        drop(work);
        // Spent or voided between the page and the click: say which.
        return match resolve(&state, &token).await? {
            Err((why, contact)) => Ok(unusable(&state, &who, why, contact).await),
            Ok(_) => Err(AppError::internal("sign-off not recorded")),
        };
    }
    work.audit_with(
        AuditAction::SignedOff,
        Some(loaded.application.id),
        &format!("signoff {}", signoff.id),
    )
    .await?;
    work.commit().await?;
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
        is_chair: signoff.kind == signoffs::CHAIR,
        loaded,
    }
    .into_response())
}
