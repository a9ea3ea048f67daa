//! A place's outcome through the API: the letters sent about an application and its
//! award, and the place's answer to an offer. The use cases are
//! `convene_app::awards::offers`; a place hears nothing before its letter goes out.

use super::{AwardBody, parse_after};
use crate::api::{ApiResult, RawJson};
use crate::auth::ApiUser;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use convene_app::awards::Letter;
use convene_app::awards::offers::{self, Answer, PlaceOutcome};
use convene_domain::ApplicationId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An outcome letter sent to the place.
#[derive(Serialize, ToSchema)]
pub struct LetterBody {
    /// funded, reserve, not_funded, or offered (a place another declined).
    pub kind: String,
    /// The letter's heading, like "You have been offered a place".
    pub heading: String,
    /// The panel's feedback.
    pub feedback: String,
    /// When it went out (UTC, ISO 8601).
    pub sent_at: Option<String>,
}

impl From<&Letter> for LetterBody {
    fn from(l: &Letter) -> Self {
        LetterBody {
            kind: l.kind.key().into(),
            heading: l.kind.heading().into(),
            feedback: l.feedback.clone(),
            sent_at: l.sent_at.map(|t| t.iso()),
        }
    }
}

/// What the place has been told about an application.
#[derive(Serialize, ToSchema)]
pub struct OutcomeBody {
    pub application_id: i64,
    pub reference: String,
    pub place_name: String,
    pub round_name: String,
    /// The programme's contact address for questions.
    pub contact_email: String,
    /// The latest letter's heading.
    pub heading: String,
    /// The letters sent, oldest first.
    pub letters: Vec<LetterBody>,
    /// The award offered, once its letter has gone out; null otherwise.
    pub award: Option<AwardBody>,
    /// True when you may accept or decline the offer now.
    pub can_respond: bool,
}

impl From<&PlaceOutcome> for OutcomeBody {
    fn from(o: &PlaceOutcome) -> Self {
        OutcomeBody {
            application_id: o.application_id.0,
            reference: o.reference.clone(),
            place_name: o.place.clone(),
            round_name: o.round.clone(),
            contact_email: o.contact.clone(),
            heading: o.heading().into(),
            letters: o.letters.iter().map(LetterBody::from).collect(),
            award: o.award.as_ref().map(AwardBody::from),
            can_respond: o.can_respond,
        }
    }
}

/// The outcome of an application as its place was told it: the letters sent and the
/// award offered (the place's leads and the programme's admins). Not found until a letter
/// has gone out.
#[utoipa::path(get, path = "/applications/{id}/outcome", operation_id = "get_outcome", tag = "awards",
    params(("id" = i64, Path, description = "The application's id")),
    responses(
        (status = 200, description = "The outcome", body = OutcomeBody),
        (status = 404, description = "No such application, no letter sent yet, or not your place's", content_type = "application/problem+json"),
))]
pub async fn outcome(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<OutcomeBody> {
    let outcome = offers::place_outcome(&state, &person.1, ApplicationId(id)).await?;
    Ok(Json(OutcomeBody::from(&outcome)))
}

/// Accept or decline.
#[derive(Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AnswerKey {
    Accept,
    Decline,
}

/// The place's answer to an offer.
#[derive(Deserialize, ToSchema)]
pub struct OfferAnswerBody {
    pub answer: AnswerKey,
    /// True to confirm the place's match contribution (needed to accept an offer with one).
    #[serde(default)]
    pub confirm_pledge: bool,
}

/// Accepts (confirming the match contribution) or declines an offer, once and by its
/// deadline (the place's leads; never a service admin on their behalf).
#[utoipa::path(post, path = "/awards/{id}/response", operation_id = "respond_to_offer", tag = "awards",
    params(("id" = i64, Path, description = "The award's id")),
    request_body = OfferAnswerBody,
    responses(
        (status = 200, description = "The award after the answer", body = AwardBody),
        (status = 403, description = "An admin, not a lead of the place", content_type = "application/problem+json"),
        (status = 404, description = "No such award, not announced yet, or not your place's", content_type = "application/problem+json"),
        (status = 409, description = "Already answered, or the time to answer has passed", content_type = "application/problem+json"),
        (status = 422, description = "Accepting without confirming the match contribution (confirm_pledge)", content_type = "application/problem+json"),
))]
pub async fn respond(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
    body: RawJson,
) -> ApiResult<AwardBody> {
    // No answer: refused after every check and before anything is written.
    let empty = Answer::default();
    let refused = offers::respond(&state, &person.1, id, &empty);
    let body: OfferAnswerBody = parse_after(&body, refused).await?;
    let answer = Answer {
        answer: match body.answer {
            AnswerKey::Accept => "accept",
            AnswerKey::Decline => "decline",
        }
        .into(),
        confirm_pledge: body.confirm_pledge,
    };
    let award = offers::respond(&state, &person.1, id, &answer).await?;
    Ok(Json(AwardBody::from(&award)))
}
