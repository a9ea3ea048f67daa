//! Choosing, both ways, and the matching through the API: a funded place's ranking of the
//! enablers it would accept, an enabler's ranking of the places that chose them, and for
//! the programme's admins the matching's runs, changes by hand (told which pairs they
//! unsettle) and its confirmation, which starts the engagements. The use cases are
//! `convene_app::enablers::matching`.

use super::{date_field, parse_after, programme_of, renamed};
use crate::api::{ApiError, ApiResult, RawJson};
use crate::auth::ApiUser;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use convene_app::enablers::matching::{self, Proposal};
use convene_domain::Timestamp;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

/// A funded place's ranking of the programme's enablers.
#[derive(Deserialize, ToSchema)]
pub struct PlaceRankingBody {
    /// Enablers of the programme's approved pool (ids) the place would accept, best first,
    /// each once, at least one. Replaces the place's last ranking.
    #[schema(min_items = 1)]
    pub enablers: Vec<i64>,
}

/// Ranks the enablers a funded place would accept, best first (a lead of the place; the
/// place is named by its accepted award).
#[utoipa::path(put, path = "/awards/{id}/enabler-choices", operation_id = "set_place_ranking", tag = "enablers",
    params(("id" = i64, Path, description = "The place's accepted award")),
    request_body = PlaceRankingBody,
    responses(
        (status = 204, description = "Saved"),
        (status = 403, description = "An admin of the programme, not a lead of the place", content_type = "application/problem+json"),
        (status = 404, description = "No such award, not accepted, or not your place's", content_type = "application/problem+json"),
        (status = 422, description = "No enabler, one not in the programme's approved pool, or one named twice (enablers)", content_type = "application/problem+json"),
))]
pub async fn set_place_ranking(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
    body: RawJson,
) -> Result<StatusCode, ApiError> {
    // No enabler: refused after every check and before anything is written.
    let refused = matching::set_place_choices(&state, &person.1, id, &[]);
    let body: PlaceRankingBody = parse_after(&body, refused).await?;
    matching::set_place_choices(&state, &person.1, id, &body.enablers).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An enabler's ranking of the places that chose them.
#[derive(Deserialize, ToSchema)]
pub struct EnablerRankingBody {
    /// Places that chose you (by their award ids), best first. A place that chose you and
    /// is in neither list is ranked after these.
    pub ranked: Vec<i64>,
    /// Places that chose you that you cannot take (a conflict of interest, say).
    #[serde(default)]
    pub cannot_take: Vec<i64>,
}

/// Ranks the places that chose an enabler and names those they cannot take (the enabler,
/// for themselves). Replaces their last ranking.
#[utoipa::path(put, path = "/enablers/{id}/place-choices", operation_id = "set_enabler_ranking", tag = "enablers",
    params(("id" = i64, Path, description = "Your place in the programme's enabler pool")),
    request_body = EnablerRankingBody,
    responses(
        (status = 204, description = "Saved"),
        (status = 403, description = "An admin of the programme, not the enabler", content_type = "application/problem+json"),
        (status = 404, description = "No such enabler, or not you", content_type = "application/problem+json"),
        (status = 422, description = "A place that did not choose you, or one named twice in or across the lists (ranked; cannot_take when ranked is empty)", content_type = "application/problem+json"),
))]
pub async fn set_enabler_ranking(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
    body: RawJson,
) -> Result<StatusCode, ApiError> {
    // No award has id 0, so no place with it chose anyone: refused after every check and
    // before anything is written.
    let refused = matching::set_enabler_choices(&state, &person.1, id, &[0], &[]);
    let body: EnablerRankingBody = parse_after(&body, refused).await?;
    // The use case checks both lists as one ("places"): name the list that was sent.
    let list = if body.ranked.is_empty() {
        "cannot_take"
    } else {
        "ranked"
    };
    matching::set_enabler_choices(&state, &person.1, id, &body.ranked, &body.cannot_take)
        .await
        .map_err(|e| renamed(e, &[("places", list)]))?;
    Ok(StatusCode::NO_CONTENT)
}

/// A place and the enabler the matching gives it.
#[derive(Serialize, ToSchema)]
pub struct MatchedPairBody {
    /// The place, by its accepted award.
    pub award_id: i64,
    pub enabler_id: i64,
    /// Where the place ranked the enabler (1 best); null where it did not.
    pub place_rank: Option<usize>,
    /// Where the enabler ranked the place (1 best); null where they did not rank it.
    pub enabler_rank: Option<usize>,
    /// True when an admin made the pair by hand.
    pub by_hand: bool,
}

/// Why an enabler a place chose did not take it.
#[derive(Serialize, ToSchema)]
pub struct MatchRefusalBody {
    pub enabler_id: i64,
    /// full (with places they prefer) or conflict (they cannot take it).
    pub reason: String,
}

/// A place the matching left without an enabler, and why.
#[derive(Serialize, ToSchema)]
pub struct UnmatchedPlaceBody {
    pub award_id: i64,
    /// Each enabler the place chose, in its order, with their answer (empty when an admin
    /// left it unmatched by hand).
    pub refused_by: Vec<MatchRefusalBody>,
}

/// A run of the matching and what it proposes now (with any changes by hand).
#[derive(Serialize, ToSchema)]
pub struct MatchingRunBody {
    pub id: i64,
    /// Send it back with a change or the confirmation: each change adds one.
    pub version: i64,
    /// When it ran (UTC, ISO 8601).
    pub run_at: String,
    /// When it was confirmed and the engagements started; null until then.
    pub confirmed_at: Option<String>,
    pub pairs: Vec<MatchedPairBody>,
    pub unmatched: Vec<UnmatchedPlaceBody>,
}

/// What the API tells of a run record (the use cases give it with its proposal).
struct RunFacts {
    id: i64,
    version: i64,
    run_at: Timestamp,
    confirmed_at: Option<Timestamp>,
}

/// The body of a run record `$run` and its proposal.
macro_rules! run_body {
    ($run:expr, $proposal:expr) => {
        MatchingRunBody::of(
            RunFacts {
                id: $run.id,
                version: $run.version,
                run_at: $run.run_at,
                confirmed_at: $run.confirmed_at,
            },
            $proposal,
        )
    };
}

impl MatchingRunBody {
    fn of(run: RunFacts, proposal: &Proposal) -> MatchingRunBody {
        MatchingRunBody {
            id: run.id,
            version: run.version,
            run_at: run.run_at.iso(),
            confirmed_at: run.confirmed_at.map(|t| t.iso()),
            pairs: proposal
                .pairs
                .iter()
                .map(|p| MatchedPairBody {
                    award_id: p.award_id,
                    enabler_id: p.enabler_id,
                    place_rank: p.place_rank,
                    enabler_rank: p.enabler_rank,
                    by_hand: p.by_hand,
                })
                .collect(),
            unmatched: proposal
                .unmatched
                .iter()
                .map(|u| UnmatchedPlaceBody {
                    award_id: u.award_id,
                    refused_by: u
                        .refused_by
                        .iter()
                        .map(|(enabler_id, reason)| MatchRefusalBody {
                            enabler_id: *enabler_id,
                            reason: reason.clone(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// Runs the matching over the programme's rankings as they stand (its admins): the
/// place-proposing stable matching of its funded places with its approved enablers, kept
/// as the programme's latest run.
#[utoipa::path(post, path = "/programmes/{slug}/matching-runs", operation_id = "run_matching", tag = "enablers",
    params(("slug" = String, Path, description = "The programme's slug")),
    responses(
        (status = 201, description = "The run and what it proposes", body = MatchingRunBody),
        (status = 404, description = "No such programme, or you do not run it", content_type = "application/problem+json"),
        (status = 409, description = "The rankings cannot be matched as they stand, saying why", content_type = "application/problem+json"),
))]
pub async fn run(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(slug): Path<String>,
) -> Result<Response, ApiError> {
    let programme = programme_of(&state, &slug).await?;
    let (run, proposal) = matching::run(&state, &person.1, programme).await?;
    let body = run_body!(run, &proposal);
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// The programme's matching.
#[derive(Serialize, ToSchema)]
pub struct MatchingBody {
    /// The latest run, or null before the first.
    pub run: Option<MatchingRunBody>,
}

/// The programme's latest matching run, with its pairs, each side's rank of the other, the
/// places left unmatched and why (its admins).
#[utoipa::path(get, path = "/programmes/{slug}/matching", operation_id = "get_matching", tag = "enablers",
    params(("slug" = String, Path, description = "The programme's slug")),
    responses(
        (status = 200, description = "The latest run, or null", body = MatchingBody),
        (status = 404, description = "No such programme, or you do not run it", content_type = "application/problem+json"),
))]
pub async fn latest(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(slug): Path<String>,
) -> ApiResult<MatchingBody> {
    let programme = programme_of(&state, &slug).await?;
    let latest = matching::latest(&state, &person.1, programme).await?;
    Ok(Json(MatchingBody {
        run: latest.map(|(run, proposal)| run_body!(run, &proposal)),
    }))
}

/// Present, even as null: a missing field is refused rather than read as null.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Option::<i64>::deserialize(d)
}

/// One place's enabler, changed by hand over the run shown.
#[derive(Deserialize, ToSchema)]
pub struct MatchingChangeBody {
    /// The run you were shown, and its version.
    pub run_id: i64,
    pub version: i64,
    /// A place (by its award) that ranked enablers.
    pub award_id: i64,
    /// An enabler of the approved pool with room, who can take the place; null to leave the
    /// place unmatched.
    #[serde(deserialize_with = "present")]
    #[schema(required = true)]
    pub enabler_id: Option<i64>,
}

/// A pair that would each rather have the other than what the matching gives them.
#[derive(Serialize, ToSchema)]
pub struct BlockingPairBody {
    pub award_id: i64,
    pub enabler_id: i64,
}

/// A change made, and what it unsettled.
#[derive(Serialize, ToSchema)]
pub struct MatchingChangedBody {
    /// Warnings: the pairs the change leaves wanting each other (empty while the matching
    /// is still stable).
    pub blocking_pairs: Vec<BlockingPairBody>,
    /// The run as it now stands, with its new version.
    pub run: MatchingRunBody,
}

/// Gives a place to an enabler by hand, or leaves it unmatched (the programme's admins),
/// over the version shown; answers with the pairs that change unsettles.
#[utoipa::path(post, path = "/programmes/{slug}/matching/changes", operation_id = "change_matching", tag = "enablers",
    params(("slug" = String, Path, description = "The programme's slug")),
    request_body = MatchingChangeBody,
    responses(
        (status = 200, description = "Changed, with any pairs it unsettles", body = MatchingChangedBody),
        (status = 404, description = "No such programme, you do not run it, or it has no run", content_type = "application/problem+json"),
        (status = 409, description = "Not the latest run, or changed or confirmed since that version", content_type = "application/problem+json"),
        (status = 422, description = "A place that did not rank enablers, an enabler not in the pool, full or who cannot take the place (enabler_id)", content_type = "application/problem+json"),
))]
pub async fn change(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(slug): Path<String>,
    body: RawJson,
) -> ApiResult<MatchingChangedBody> {
    let programme = programme_of(&state, &slug).await?;
    // 404 before the body is read.
    matching::latest(&state, &person.1, programme).await?;
    let body: MatchingChangeBody = body.parse()?;
    let blocking = matching::change(
        &state,
        &person.1,
        programme,
        (body.award_id, body.enabler_id),
        (body.run_id, body.version),
    )
    .await
    .map_err(|e| renamed(e, &[("enabler", "enabler_id")]))?;
    let (run, proposal) = matching::latest(&state, &person.1, programme)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(MatchingChangedBody {
        blocking_pairs: blocking
            .into_iter()
            .map(|(award_id, enabler_id)| BlockingPairBody { award_id, enabler_id })
            .collect(),
        run: run_body!(run, &proposal),
    }))
}

/// The confirmation of a run, at the version shown.
#[derive(Deserialize, ToSchema)]
pub struct MatchingConfirmBody {
    pub run_id: i64,
    pub version: i64,
    /// The day the engagements start (YYYY-MM-DD); each runs to the 31 March after.
    #[schema(format = Date)]
    pub start_date: String,
}

/// The engagements a confirmation started.
#[derive(Serialize, ToSchema)]
pub struct MatchingConfirmedBody {
    pub engagement_ids: Vec<i64>,
}

/// Confirms the latest run at the version shown (the programme's admins): each pair's
/// engagement starts on the day given with its allocation to the 31 March after, and both
/// sides are emailed.
#[utoipa::path(post, path = "/programmes/{slug}/matching/confirmation", operation_id = "confirm_matching", tag = "enablers",
    params(("slug" = String, Path, description = "The programme's slug")),
    request_body = MatchingConfirmBody,
    responses(
        (status = 201, description = "Confirmed: the engagements started", body = MatchingConfirmedBody),
        (status = 404, description = "No such programme, you do not run it, or it has no run", content_type = "application/problem+json"),
        (status = 409, description = "Not the latest run, changed or confirmed since that version, or a pair that can no longer be matched or already has an engagement", content_type = "application/problem+json"),
        (status = 422, description = "Not a date, or one whose year's bank holidays are not known (start_date)", content_type = "application/problem+json"),
))]
pub async fn confirm(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(slug): Path<String>,
    body: RawJson,
) -> Result<Response, ApiError> {
    let programme = programme_of(&state, &slug).await?;
    // 404 before the body is read.
    matching::latest(&state, &person.1, programme).await?;
    let body: MatchingConfirmBody = body.parse()?;
    let starts_on = date_field(&body.start_date, "start_date")?;
    let engagement_ids = matching::confirm(
        &state,
        &person.1,
        programme,
        (body.run_id, body.version),
        starts_on,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(MatchingConfirmedBody { engagement_ids }),
    )
        .into_response())
}
