//! Support offers through the API: a programme's offers with what is left (its admins and
//! its funded places' leads), an admin adding one, a funded place's requests and a lead
//! making one, and an admin's decision, approved only within what is left. The use cases
//! are `convene_app::enablers::support`.

use super::{parse_after, programme_of, renamed, typed};
use crate::api::panels::Whole;
use crate::api::{ApiError, ApiResult, RawJson};
use crate::auth::ApiUser;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use convene_app::enablers::support::{self, KINDS, Offer, OfferInput, SupportRequest};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A support offer and what is left of it.
#[derive(Serialize, ToSchema)]
pub struct SupportOfferBody {
    pub id: i64,
    pub programme_id: i64,
    /// consultancy_days, national_programme or learning_network.
    pub kind: String,
    /// The kind in words, like "Consultancy days".
    pub kind_label: String,
    pub name: String,
    /// The partner that gives it (may be empty).
    pub partner: String,
    /// Units offered in all.
    pub units: i64,
    /// Units approved to places so far.
    pub approved: i64,
    /// Units not yet approved to anyone.
    pub left: i64,
}

impl From<&Offer> for SupportOfferBody {
    fn from(o: &Offer) -> Self {
        SupportOfferBody {
            id: o.id,
            programme_id: o.programme_id.0,
            kind: o.kind.clone(),
            kind_label: KINDS
                .iter()
                .find(|(k, _)| *k == o.kind)
                .map_or_else(|| o.kind.clone(), |(_, label)| (*label).to_string()),
            name: o.name.clone(),
            partner: o.partner.clone(),
            units: o.units,
            approved: o.approved,
            left: o.left(),
        }
    }
}

/// A programme's support offers, with what is left of each (its admins and the leads of
/// its funded places).
#[utoipa::path(get, path = "/programmes/{slug}/support-offers", operation_id = "list_support_offers", tag = "enablers",
    params(("slug" = String, Path, description = "The programme's slug")),
    responses(
        (status = 200, description = "The offers", body = Vec<SupportOfferBody>),
        (status = 404, description = "No such programme, or you neither run it nor lead a place it funds", content_type = "application/problem+json"),
))]
pub async fn offers(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(slug): Path<String>,
) -> ApiResult<Vec<SupportOfferBody>> {
    let programme = programme_of(&state, &slug).await?;
    let offers = support::offers(&state, &person.1, programme).await?;
    Ok(Json(offers.iter().map(SupportOfferBody::from).collect()))
}

/// A kind of support.
#[derive(Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SupportKindKey {
    ConsultancyDays,
    NationalProgramme,
    LearningNetwork,
}

impl SupportKindKey {
    fn key(self) -> &'static str {
        match self {
            SupportKindKey::ConsultancyDays => "consultancy_days",
            SupportKindKey::NationalProgramme => "national_programme",
            SupportKindKey::LearningNetwork => "learning_network",
        }
    }
}

/// A new offer.
#[derive(Deserialize, ToSchema)]
pub struct NewSupportOfferBody {
    pub kind: SupportKindKey,
    #[schema(min_length = 1, pattern = r"\S")]
    pub name: String,
    /// The partner that gives it, if any.
    #[serde(default)]
    pub partner: String,
    /// How many units (days, places or memberships): a whole number more than 0.
    pub units: Whole,
}

/// Adds a support offer to the programme (its admins).
#[utoipa::path(post, path = "/programmes/{slug}/support-offers", operation_id = "create_support_offer", tag = "enablers",
    params(("slug" = String, Path, description = "The programme's slug")),
    request_body = NewSupportOfferBody,
    responses(
        (status = 201, description = "Added", body = SupportOfferBody),
        (status = 404, description = "No such programme, or you do not run it", content_type = "application/problem+json"),
        (status = 422, description = "No name (name), or units not a whole number more than 0 (units)", content_type = "application/problem+json"),
))]
pub async fn create_offer(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(slug): Path<String>,
    body: RawJson,
) -> Result<Response, ApiError> {
    let who = &person.1;
    let programme = programme_of(&state, &slug).await?;
    // No kind: refused after every check and before anything is written.
    let nothing = OfferInput::default();
    let refused = support::create_offer(&state, who, programme, &nothing);
    let body: NewSupportOfferBody = parse_after(&body, refused).await?;
    let input = OfferInput {
        kind: body.kind.key().into(),
        name: body.name,
        partner: body.partner,
        units: typed(&body.units),
    };
    let id = support::create_offer(&state, who, programme, &input).await?;
    let offers = support::offers(&state, who, programme).await?;
    let made = offers
        .iter()
        .find(|o| o.id == id)
        .ok_or_else(ApiError::not_found)?;
    Ok((StatusCode::CREATED, Json(SupportOfferBody::from(made))).into_response())
}

/// A place's request for support.
#[derive(Serialize, ToSchema)]
pub struct SupportRequestBody {
    pub id: i64,
    pub offer_id: i64,
    /// The place, by its accepted award.
    pub award_id: i64,
    pub units: i64,
    pub note: String,
    /// requested, approved or declined.
    pub status: String,
    /// UTC, ISO 8601.
    pub requested_at: String,
    /// Why it was declined (or a note with an approval); empty until decided.
    pub decision_reason: String,
}

impl From<&SupportRequest> for SupportRequestBody {
    fn from(r: &SupportRequest) -> Self {
        SupportRequestBody {
            id: r.id,
            offer_id: r.offer_id,
            award_id: r.award_id,
            units: r.units,
            note: r.note.clone(),
            status: r.status.key().into(),
            requested_at: r.requested_at.iso(),
            decision_reason: r.decision_reason.clone(),
        }
    }
}

/// What a funded place has asked for and been given (its leads and the programme's
/// admins; the place is named by its award).
#[utoipa::path(get, path = "/awards/{id}/support-requests", operation_id = "list_support_requests", tag = "enablers",
    params(("id" = i64, Path, description = "The place's award")),
    responses(
        (status = 200, description = "The place's requests, oldest first", body = Vec<SupportRequestBody>),
        (status = 404, description = "No such award, or not your place's", content_type = "application/problem+json"),
))]
pub async fn of_place(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Vec<SupportRequestBody>> {
    let requests = support::of_place(&state, &person.1, id).await?;
    Ok(Json(requests.iter().map(SupportRequestBody::from).collect()))
}

/// A request for units of an offer.
#[derive(Deserialize, ToSchema)]
pub struct NewSupportRequestBody {
    /// One of the programme's offers.
    pub offer_id: i64,
    /// A whole number more than 0, and no more than the offer has left.
    pub units: Whole,
    /// What the support is for.
    #[serde(default)]
    pub note: String,
}

/// Requests units of one of the programme's offers for a funded place (a lead of the
/// place; the place is named by its accepted award).
#[utoipa::path(post, path = "/awards/{id}/support-requests", operation_id = "request_support", tag = "enablers",
    params(("id" = i64, Path, description = "The place's accepted award")),
    request_body = NewSupportRequestBody,
    responses(
        (status = 201, description = "Requested: waiting for an admin's decision", body = SupportRequestBody),
        (status = 403, description = "An admin of the programme, not a lead of the place", content_type = "application/problem+json"),
        (status = 404, description = "No such award, not accepted or not your place's, or no such offer in its programme", content_type = "application/problem+json"),
        (status = 422, description = "Units not a whole number more than 0, or more than the offer has left (units)", content_type = "application/problem+json"),
))]
pub async fn request(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
    body: RawJson,
) -> Result<Response, ApiError> {
    let who = &person.1;
    // A malformed body is refused after the same check of the funded place that a request
    // makes (404, then 403).
    let refused = support::may_request(&state, who, id);
    let body: NewSupportRequestBody = parse_after(&body, refused).await?;
    let asked = (body.offer_id, id);
    let made = support::request(&state, who, asked, &typed(&body.units), &body.note).await?;
    let requests = support::of_place(&state, who, id).await?;
    let made = requests
        .iter()
        .find(|r| r.id == made)
        .ok_or_else(ApiError::not_found)?;
    Ok((StatusCode::CREATED, Json(SupportRequestBody::from(made))).into_response())
}

/// An admin's decision on a request.
#[derive(Deserialize, ToSchema)]
pub struct SupportDecisionBody {
    /// True to approve (within what the offer has left), false to decline.
    pub approve: bool,
    /// Why, needed to decline.
    #[serde(default)]
    pub reason: String,
}

/// Approves (within what the offer has left) or declines with a reason a waiting request,
/// once (the programme's admins).
#[utoipa::path(post, path = "/support-requests/{id}/decision", operation_id = "decide_support_request", tag = "enablers",
    params(("id" = i64, Path, description = "The request's id")),
    request_body = SupportDecisionBody,
    responses(
        (status = 204, description = "Decided"),
        (status = 404, description = "No such request, or you do not run its programme", content_type = "application/problem+json"),
        (status = 409, description = "Already decided", content_type = "application/problem+json"),
        (status = 422, description = "Declining with no reason (reason), or approving more than the offer has left (approve)", content_type = "application/problem+json"),
))]
pub async fn decide(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
    body: RawJson,
) -> Result<StatusCode, ApiError> {
    let who = &person.1;
    // Declining with no reason: refused after every check and before anything is written.
    let refused = support::decide(&state, who, id, false, "");
    let body: SupportDecisionBody = parse_after(&body, refused).await?;
    support::decide(&state, who, id, body.approve, &body.reason)
        .await
        .map_err(|e| renamed(e, &[("decision", "approve")]))?;
    Ok(StatusCode::NO_CONTENT)
}
