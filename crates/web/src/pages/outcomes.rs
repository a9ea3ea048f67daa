//! A place's outcome as its leads see it once the letter has gone out: the letters, the
//! panel's feedback and any award, and the form that accepts or declines the offer. The
//! programme's admins may read it too; only the place's leads answer.

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::pages::{form_chrome, notify, take_notice};
use crate::state::AppState;
use crate::views::{Chrome, FormErrors};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use convene_app::awards::offers::{self, Answer, PlaceOutcome};
use convene_app::awards::{Award, AwardStatus, Letter, PanelError};
use convene_domain::ApplicationId;
use serde::Deserialize;

/// Outcome routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/applications/{id}/outcome", get(show).post(respond))
}

/// One letter as the page shows it.
struct LetterView {
    heading: &'static str,
    sent: String,
    feedback: Vec<String>,
}

impl LetterView {
    fn of(letter: &Letter) -> LetterView {
        LetterView {
            heading: letter.kind.heading(),
            sent: letter.sent_at.map(|t| t.london_words()).unwrap_or_default(),
            feedback: paragraphs(&letter.feedback),
        }
    }
}

/// The award as the page shows it.
struct AwardView {
    reference: String,
    value: String,
    match_pledge: String,
    /// True when accepting needs the match contribution confirmed.
    pledge_needed: bool,
    issue: String,
    starts: String,
    ends: String,
    recipient: String,
    recipient_id: String,
    status: &'static str,
    status_class: &'static str,
    offered: bool,
    /// The award's id while it is accepted: the place then chooses its enablers.
    accepted: Option<i64>,
    respond_by: String,
    responded: String,
}

impl AwardView {
    fn of(award: &Award) -> AwardView {
        AwardView {
            reference: award.reference.clone(),
            value: award.value.to_string(),
            match_pledge: award.match_pledge.to_string(),
            pledge_needed: award.match_pledge.0 > 0,
            issue: award.breakthrough_issue.clone(),
            starts: award.starts_at.london_date(),
            ends: award.ends_at.london_date(),
            recipient: award.recipient_name.clone(),
            recipient_id: award.recipient_org_id.clone(),
            status: award.status.label(),
            status_class: status_class(award.status),
            offered: award.status == AwardStatus::Offered,
            accepted: (award.status == AwardStatus::Accepted).then_some(award.id),
            respond_by: award.respond_by.london_words(),
            responded: award.responded_at.map(|t| t.london_words()).unwrap_or_default(),
        }
    }
}

/// The NHS tag colour of an award's status.
fn status_class(status: AwardStatus) -> &'static str {
    match status {
        AwardStatus::Offered => "nhsuk-tag--blue",
        AwardStatus::Accepted => "nhsuk-tag--green",
        AwardStatus::Declined => "nhsuk-tag--grey",
    }
}

/// Feedback as typed, one paragraph per blank-line-separated block.
fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n")
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "outcomes/outcome.html")]
struct OutcomePage {
    chrome: Chrome,
    notice: Option<String>,
    errors: FormErrors,
    id: i64,
    place: String,
    round: String,
    reference: String,
    heading: &'static str,
    latest: Option<LetterView>,
    earlier: Vec<LetterView>,
    award: Option<AwardView>,
    can_respond: bool,
    contact: String,
    /// What was typed, when the form is shown again with errors.
    answer: String,
    confirm_pledge: bool,
}

/// The answer as posted. The award it answers comes from the outcome, never the form.
#[derive(Deserialize, Default)]
struct AnswerForm {
    #[serde(default)]
    answer: String,
    #[serde(default)]
    confirm_pledge: Option<String>,
}

async fn render(
    state: &AppState,
    me: &CurrentUser,
    outcome: PlaceOutcome,
    form: AnswerForm,
    errors: FormErrors,
) -> Response {
    let id = outcome.application_id.0;
    let title = format!("Outcome for {}", outcome.place);
    let chrome = form_chrome(state, me, &title, "/dashboard", &errors)
        .await
        .with_back(format!("/applications/{id}"));
    // Newest first: the latest letter leads the page, earlier ones follow.
    let mut letters: Vec<LetterView> = outcome.letters.iter().rev().map(LetterView::of).collect();
    let latest = (!letters.is_empty()).then(|| letters.remove(0));
    OutcomePage {
        chrome,
        notice: take_notice(&me.session).await,
        errors,
        id,
        heading: outcome.heading(),
        latest,
        earlier: letters,
        award: outcome.award.as_ref().map(AwardView::of),
        can_respond: outcome.can_respond,
        place: outcome.place,
        round: outcome.round,
        reference: outcome.reference,
        contact: outcome.contact,
        answer: form.answer,
        confirm_pledge: form.confirm_pledge.is_some(),
    }
    .into_response()
}

async fn show(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let outcome = offers::place_outcome(&state, me.principal(), ApplicationId(id)).await?;
    Ok(render(&state, &me, outcome, AnswerForm::default(), FormErrors::default()).await)
}

async fn respond(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<AnswerForm>,
) -> Result<Response, AppError> {
    let outcome = offers::place_outcome(&state, me.principal(), ApplicationId(id)).await?;
    let award_id = outcome.award.as_ref().map(|a| a.id).ok_or(AppError::NotFound)?;
    let answer = Answer {
        answer: form.answer.clone(),
        confirm_pledge: form.confirm_pledge.is_some(),
    };
    let back = format!("/applications/{id}/outcome");
    match offers::respond(&state, me.principal(), award_id, &answer).await {
        Ok(award) => {
            let message = if award.status == AwardStatus::Accepted {
                "You accepted the offer"
            } else {
                "You declined the offer. The panel may offer the place to a reserve."
            };
            notify(&me.session, message).await;
        }
        Err(PanelError::Invalid(problems)) => {
            let mut errors = FormErrors::default();
            for p in problems {
                errors.add(&p.field, p.message);
            }
            return Ok(render(&state, &me, outcome, form, errors).await);
        }
        // Answered already (a second click, another lead) or too late: the page now says
        // where the offer stands, with the reason on top.
        Err(PanelError::State(message)) => notify(&me.session, &message).await,
        Err(other) => return Err(other.into()),
    }
    Ok(Redirect::to(&back).into_response())
}
