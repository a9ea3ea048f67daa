//! Queries of contact through the API: a lead of the place queries an entry with a reason,
//! the enabler answers, an admin of the programme settles it (the entry stands, or was
//! corrected), once. Each is addressed through its engagement, as on its page: an entry or
//! query of another engagement is not found there. The use cases are
//! `convene_app::enablers::queries`.

use super::parse_after;
use crate::api::{ApiError, ApiResult, RawJson};
use crate::auth::ApiUser;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use convene_app::enablers::engagements::{self, EngagementView, Query};
use convene_app::enablers::queries;
use convene_domain::policy::Principal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A query of a contact entry, with its answer and settlement.
#[derive(Serialize, ToSchema)]
pub struct ContactQueryBody {
    pub id: i64,
    /// The contact entry queried.
    pub entry_id: i64,
    pub engagement_id: i64,
    /// What the place says is wrong with the entry.
    pub reason: String,
    /// UTC, ISO 8601.
    pub raised_at: String,
    /// The enabler's answer; null until answered.
    pub answer: Option<String>,
    pub answered_at: Option<String>,
    /// upheld (the entry stands) or corrected; null until settled.
    pub settlement: Option<String>,
    pub settlement_note: Option<String>,
    pub settled_at: Option<String>,
}

impl From<&Query> for ContactQueryBody {
    fn from(q: &Query) -> Self {
        ContactQueryBody {
            id: q.id,
            entry_id: q.entry_id,
            engagement_id: q.engagement_id,
            reason: q.reason.clone(),
            raised_at: q.raised_at.iso(),
            answer: q.answer.clone(),
            answered_at: q.answered_at.map(|t| t.iso()),
            settlement: q.settlement.clone(),
            settlement_note: q.settlement_note.clone(),
            settled_at: q.settled_at.map(|t| t.iso()),
        }
    }
}

/// The engagement, for someone who may read it (404 otherwise).
async fn engagement(state: &AppState, who: &Principal, id: i64) -> Result<EngagementView, ApiError> {
    Ok(engagements::view(state, who, id).await?)
}

/// The query `query` of the engagement `id`, as it now stands.
async fn query_of(state: &AppState, who: &Principal, (id, query): (i64, i64)) -> ApiResult<ContactQueryBody> {
    let view = engagement(state, who, id).await?;
    let found = view
        .queries
        .iter()
        .find(|q| q.id == query)
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(ContactQueryBody::from(found)))
}

/// A query of a contact entry.
#[derive(Deserialize, ToSchema)]
pub struct RaiseQueryBody {
    /// What is wrong with the entry, in up to 2,000 characters.
    #[schema(min_length = 1, max_length = 2000, pattern = r"\S")]
    pub reason: String,
}

/// Queries a contact entry of your place's engagement (its leads). An entry has one query
/// waiting to be settled at a time.
#[utoipa::path(post, path = "/engagements/{id}/entries/{entry}/queries", operation_id = "raise_contact_query", tag = "enablers",
    params(
        ("id" = i64, Path, description = "The engagement's id"),
        ("entry" = i64, Path, description = "One of its contact entries"),
    ),
    request_body = RaiseQueryBody,
    responses(
        (status = 201, description = "Raised", body = ContactQueryBody),
        (status = 403, description = "Its enabler or an admin, not a lead of the place", content_type = "application/problem+json"),
        (status = 404, description = "No such engagement or entry of it, or not one you take part in", content_type = "application/problem+json"),
        (status = 409, description = "The entry's query is waiting to be settled", content_type = "application/problem+json"),
        (status = 422, description = "No reason, or one too long (reason)", content_type = "application/problem+json"),
))]
pub async fn raise(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path((id, entry)): Path<(i64, i64)>,
    body: RawJson,
) -> Result<Response, ApiError> {
    let who = &person.1;
    if !engagement(&state, who, id)
        .await?
        .contact
        .iter()
        .any(|c| c.id == entry)
    {
        return Err(ApiError::not_found());
    }
    // No reason: refused after every check and before anything is written.
    let refused = queries::raise(&state, who, entry, "");
    let body: RaiseQueryBody = parse_after(&body, refused).await?;
    let query = queries::raise(&state, who, entry, &body.reason).await?;
    let Json(raised) = query_of(&state, who, (id, query)).await?;
    Ok((StatusCode::CREATED, Json(raised)).into_response())
}

/// The enabler's answer to a query.
#[derive(Deserialize, ToSchema)]
pub struct QueryAnswerBody {
    /// In up to 2,000 characters; replaces an earlier answer.
    #[schema(min_length = 1, max_length = 2000, pattern = r"\S")]
    pub answer: String,
}

/// Answers a query of your contact, until it is settled (the engagement's enabler).
#[utoipa::path(post, path = "/engagements/{id}/queries/{query}/answer", operation_id = "answer_contact_query", tag = "enablers",
    params(
        ("id" = i64, Path, description = "The engagement's id"),
        ("query" = i64, Path, description = "One of its queries"),
    ),
    request_body = QueryAnswerBody,
    responses(
        (status = 200, description = "Answered", body = ContactQueryBody),
        (status = 403, description = "A lead of the place or an admin, not its enabler", content_type = "application/problem+json"),
        (status = 404, description = "No such engagement or query of it, or not one you take part in", content_type = "application/problem+json"),
        (status = 409, description = "The query has been settled", content_type = "application/problem+json"),
        (status = 422, description = "No answer, or one too long (answer)", content_type = "application/problem+json"),
))]
pub async fn answer(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path((id, query)): Path<(i64, i64)>,
    body: RawJson,
) -> ApiResult<ContactQueryBody> {
    let who = &person.1;
    queries::of_engagement(&state, who, id, query).await?;
    // No answer: refused after every check and before anything is written.
    let refused = queries::answer(&state, who, query, "");
    let body: QueryAnswerBody = parse_after(&body, refused).await?;
    queries::answer(&state, who, query, &body.answer).await?;
    query_of(&state, who, (id, query)).await
}

/// How a query is settled.
#[derive(Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SettlementKey {
    /// The entry stands as logged.
    Upheld,
    /// The entry was put right.
    Corrected,
}

/// An admin's settlement of a query.
#[derive(Deserialize, ToSchema)]
pub struct SettleQueryBody {
    pub outcome: SettlementKey,
    /// Up to 2,000 characters.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub note: String,
}

/// Settles a query, once (the programme's admins).
#[utoipa::path(post, path = "/engagements/{id}/queries/{query}/settlement", operation_id = "settle_contact_query", tag = "enablers",
    params(
        ("id" = i64, Path, description = "The engagement's id"),
        ("query" = i64, Path, description = "One of its queries"),
    ),
    request_body = SettleQueryBody,
    responses(
        (status = 200, description = "Settled", body = ContactQueryBody),
        (status = 403, description = "Its enabler or a lead of the place, not an admin of the programme", content_type = "application/problem+json"),
        (status = 404, description = "No such engagement or query of it, or not one you take part in", content_type = "application/problem+json"),
        (status = 409, description = "Already settled", content_type = "application/problem+json"),
        (status = 422, description = "Neither upheld nor corrected (outcome), or a note too long (note)", content_type = "application/problem+json"),
))]
pub async fn settle(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path((id, query)): Path<(i64, i64)>,
    body: RawJson,
) -> ApiResult<ContactQueryBody> {
    let who = &person.1;
    queries::of_engagement(&state, who, id, query).await?;
    // No outcome: refused after every check and before anything is written.
    let refused = queries::settle(&state, who, query, "", "");
    let body: SettleQueryBody = parse_after(&body, refused).await?;
    let outcome = match body.outcome {
        SettlementKey::Upheld => "upheld",
        SettlementKey::Corrected => "corrected",
    };
    queries::settle(&state, who, query, outcome, &body.note).await?;
    query_of(&state, who, (id, query)).await
}
