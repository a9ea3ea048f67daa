//! Scoring and the moderation meeting through the API: a member's queue, their review of
//! one application (others' submitted reviews only once theirs is submitted), saving and
//! submitting it, the ranked moderation list, and the agreed score the chair records. The
//! use cases are `convene_app::panels::{reviews, moderation}`.

use super::parse_after;
use super::settings::RubricBody;
use crate::api::{ApiResult, RawJson};
use crate::auth::ApiUser;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use convene_app::panels::moderation::{self, Line, Record};
use convene_app::panels::reviews::{self, Review, ReviewState, ScoreInput, Scoring};
use convene_domain::panels::scoring::show_tenths;
use convene_domain::{ApplicationId, RoundId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where a review stands.
fn state_key(state: ReviewState) -> &'static str {
    match state {
        ReviewState::NotStarted => "not_started",
        ReviewState::Draft => "draft",
        ReviewState::Submitted => "submitted",
    }
}

/// An application in your review queue.
#[derive(Serialize, ToSchema)]
pub struct QueueLineBody {
    pub application_id: i64,
    pub reference: Option<String>,
    pub place_name: String,
    /// not_started, draft or submitted.
    pub state: String,
}

/// The applications assigned to you in the round, with how far each review has got
/// (panel members; any you have since declared a conflict on are left out).
#[utoipa::path(get, path = "/rounds/{id}/reviews", operation_id = "list_my_reviews", tag = "panels",
    params(("id" = i64, Path, description = "The round's id")),
    responses(
        (status = 200, description = "Your queue", body = Vec<QueueLineBody>),
        (status = 403, description = "An admin of the programme who does not sit on the panel", content_type = "application/problem+json"),
        (status = 404, description = "No such round, or you do not sit on its panel", content_type = "application/problem+json"),
))]
pub async fn queue(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Vec<QueueLineBody>> {
    let (_, lines) = reviews::queue(&state, &person.1, RoundId(id)).await?;
    Ok(Json(
        lines
            .into_iter()
            .map(|l| QueueLineBody {
                application_id: l.application.listed.id,
                reference: l.application.listed.reference,
                place_name: l.application.listed.place_name,
                state: state_key(l.state).into(),
            })
            .collect(),
    ))
}

/// A score and comment on one criterion.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct ScoreBody {
    /// A criterion's key from the rubric.
    pub criterion: String,
    /// 1 to 5; null while not chosen (only in a draft).
    #[schema(minimum = 1, maximum = 5)]
    pub score: Option<i64>,
    /// Up to 5,000 characters.
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub comment: String,
}

fn scores_of(r: &Review) -> Vec<ScoreBody> {
    r.scores
        .iter()
        .map(|s| ScoreBody {
            criterion: s.criterion.clone(),
            score: s.score.map(i64::from),
            comment: s.comment.clone(),
        })
        .collect()
}

/// Another reviewer's submitted review.
#[derive(Serialize, ToSchema)]
pub struct OtherReviewBody {
    pub reviewer: String,
    /// UTC, ISO 8601.
    pub submitted_at: Option<String>,
    pub scores: Vec<ScoreBody>,
}

/// Your review of an application.
#[derive(Serialize, ToSchema)]
pub struct ReviewBody {
    pub application_id: i64,
    pub round_id: i64,
    pub reference: Option<String>,
    pub place_name: String,
    pub rubric: RubricBody,
    /// not_started, draft or submitted.
    pub state: String,
    /// Send this back when saving (0 before your first save).
    pub version: i64,
    /// UTC, ISO 8601; null until submitted.
    pub submitted_at: Option<String>,
    pub scores: Vec<ScoreBody>,
    /// The other reviewers' submitted reviews: null until yours is submitted.
    pub others: Option<Vec<OtherReviewBody>>,
}

impl From<&Scoring> for ReviewBody {
    fn from(s: &Scoring) -> Self {
        let a = &s.application;
        let state = match &s.mine {
            None => ReviewState::NotStarted,
            Some(r) if r.submitted() => ReviewState::Submitted,
            Some(_) => ReviewState::Draft,
        };
        ReviewBody {
            application_id: a.application.id.0,
            round_id: a.round.id.0,
            reference: a.application.reference.clone(),
            place_name: a.place.name.clone(),
            rubric: RubricBody::of(&s.rubric),
            state: state_key(state).into(),
            version: s.mine.as_ref().map_or(0, |r| r.version),
            submitted_at: s.mine.as_ref().and_then(|r| r.submitted_at).map(|t| t.iso()),
            scores: s.mine.as_ref().map(scores_of).unwrap_or_default(),
            others: s.others.as_ref().map(|others| {
                others
                    .iter()
                    .map(|(name, r)| OtherReviewBody {
                        reviewer: name.clone(),
                        submitted_at: r.submitted_at.map(|t| t.iso()),
                        scores: scores_of(r),
                    })
                    .collect()
            }),
        }
    }
}

/// Your review of an application assigned to you (panel members with no conflict on it;
/// read the application itself at GET /applications/{id}).
#[utoipa::path(get, path = "/applications/{id}/review", operation_id = "get_my_review", tag = "panels",
    params(("id" = i64, Path, description = "The application's id")),
    responses(
        (status = 200, description = "Your review, and the others once yours is submitted", body = ReviewBody),
        (status = 403, description = "Not assigned to you, or you have a conflict of interest with it", content_type = "application/problem+json"),
        (status = 404, description = "No such application, or not on a panel of yours", content_type = "application/problem+json"),
))]
pub async fn get_review(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<ReviewBody> {
    let scoring = reviews::open(&state, &person.1, ApplicationId(id)).await?;
    Ok(Json(ReviewBody::from(&scoring)))
}

/// Your scores to save over the version last read.
#[derive(Deserialize, ToSchema)]
pub struct SaveReviewBody {
    /// Your review's version as last read (0 before your first save).
    pub version: i64,
    /// True to submit: every criterion must be scored, and the review no longer changes.
    #[serde(default)]
    pub submit: bool,
    pub scores: Vec<ScoreBody>,
}

/// Saves your review as a draft, or submits it. A version that is no longer current is
/// refused with 409 and nothing is saved.
#[utoipa::path(put, path = "/applications/{id}/review", operation_id = "save_my_review", tag = "panels",
    params(("id" = i64, Path, description = "The application's id")),
    request_body = SaveReviewBody,
    responses(
        (status = 200, description = "Your review after the save", body = ReviewBody),
        (status = 403, description = "Not assigned to you, or you have a conflict of interest with it", content_type = "application/problem+json"),
        (status = 404, description = "No such application, or not on a panel of yours", content_type = "application/problem+json"),
        (status = 409, description = "Saved elsewhere (or submitted) since that version, or the round has no rubric yet", content_type = "application/problem+json"),
        (status = 422, description = "A score outside 1 to 5 or an overlong comment (scores.KEY), a criterion not in the rubric (criterion), or on submitting a criterion left unscored (scores.KEY); nothing is saved", content_type = "application/problem+json"),
))]
pub async fn save_review(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
    body: RawJson,
) -> ApiResult<ReviewBody> {
    let application = ApplicationId(id);
    let body: SaveReviewBody = parse_after(&body, reviews::open(&state, &person.1, application)).await?;
    let inputs: Vec<ScoreInput> = body
        .scores
        .into_iter()
        .map(|s| ScoreInput {
            criterion: s.criterion,
            score: s.score.map(|n| n.to_string()).unwrap_or_default(),
            comment: s.comment,
        })
        .collect();
    reviews::save(&state, &person.1, application, body.version, &inputs, body.submit).await?;
    let scoring = reviews::open(&state, &person.1, application).await?;
    Ok(Json(ReviewBody::from(&scoring)))
}

/// One submitted review in the meeting.
#[derive(Serialize, ToSchema)]
pub struct MeetingReviewBody {
    pub reviewer: String,
    /// UTC, ISO 8601.
    pub submitted_at: Option<String>,
    pub scores: Vec<ScoreBody>,
}

/// The panel's agreed score and note on an application.
#[derive(Serialize, ToSchema)]
pub struct AgreedBody {
    /// From 1.0 to 5.0, in tenths, like "3.5".
    pub agreed_score: String,
    pub note: String,
    /// UTC, ISO 8601.
    pub updated_at: String,
}

/// An application in the meeting's ranked list.
#[derive(Serialize, ToSchema)]
pub struct MeetingLineBody {
    pub application_id: i64,
    pub reference: Option<String>,
    pub place_name: String,
    /// The mean of the submitted reviews' weighted scores in hundredths of a point (347 is
    /// 3.47 out of 5); null before any review is submitted.
    pub mean: Option<i64>,
    /// The highest weighted score less the lowest, in hundredths of a point.
    pub spread: Option<i64>,
    /// The criteria (keys, in rubric order) on which reviewers differ by 2 points or more.
    pub flagged: Vec<String>,
    pub reviews: Vec<MeetingReviewBody>,
    /// The names of the members who stood aside with a conflict of interest.
    pub stood_aside: Vec<String>,
    /// The agreed score, or null before the chair records one.
    pub agreed: Option<AgreedBody>,
    /// Send this back when recording the agreed score (0 before the first).
    pub version: i64,
}

impl From<&Line> for MeetingLineBody {
    fn from(l: &Line) -> Self {
        MeetingLineBody {
            application_id: l.listed.id,
            reference: l.listed.reference.clone(),
            place_name: l.listed.place_name.clone(),
            mean: l.summary.mean,
            spread: l.summary.spread,
            flagged: l.summary.flagged.clone(),
            reviews: l
                .reviews
                .iter()
                .map(|(name, r)| MeetingReviewBody {
                    reviewer: name.clone(),
                    submitted_at: r.submitted_at.map(|t| t.iso()),
                    scores: scores_of(r),
                })
                .collect(),
            stood_aside: l.stood_aside.clone(),
            agreed: l.moderation.as_ref().map(|m| AgreedBody {
                agreed_score: show_tenths(m.agreed_tenths),
                note: m.note.clone(),
                updated_at: m.updated_at.iso(),
            }),
            version: l.moderation.as_ref().map_or(0, |m| m.version),
        }
    }
}

/// The moderation meeting's list.
#[derive(Serialize, ToSchema)]
pub struct MeetingBody {
    pub round_id: i64,
    /// True when you may record agreed scores (the chair, or an admin).
    pub can_record: bool,
    pub rubric: RubricBody,
    /// Highest mean first; unscored last.
    pub lines: Vec<MeetingLineBody>,
}

/// The round's submitted applications ranked for the moderation meeting (programme admins
/// and panel members; a member sees nothing of an application they have a conflict with).
#[utoipa::path(get, path = "/rounds/{id}/moderation", operation_id = "get_moderation", tag = "panels",
    params(("id" = i64, Path, description = "The round's id")),
    responses(
        (status = 200, description = "The ranked list", body = MeetingBody),
        (status = 404, description = "No such round, or you neither run its programme nor sit on its panel", content_type = "application/problem+json"),
))]
pub async fn meeting(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<MeetingBody> {
    let meeting = moderation::meeting(&state, &person.1, RoundId(id)).await?;
    Ok(Json(MeetingBody {
        round_id: meeting.panel.round.id.0,
        can_record: meeting.can_record,
        rubric: RubricBody::of(&meeting.panel.rubric),
        lines: meeting.lines.iter().map(MeetingLineBody::from).collect(),
    }))
}

/// The panel's agreed score and note, over the version last read.
#[derive(Deserialize, ToSchema)]
pub struct RecordBody {
    /// The line's version as last read (0 when none was recorded).
    pub version: i64,
    /// From 1 to 5 with at most one decimal place, like "3.5".
    #[schema(pattern = r"^\s*[1-5](\.[0-9])?\s*$")]
    pub agreed_score: String,
    /// Up to 5,000 characters.
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub note: String,
}

/// What was recorded.
#[derive(Serialize, ToSchema)]
pub struct RecordedBody {
    pub application_id: i64,
    /// Send this back with the next change.
    pub version: i64,
}

/// Records the panel's agreed score and note on an application (the panel's chair or a
/// programme admin, never someone with a conflict of interest on it). The later of two
/// saves over the same version is refused with 409.
#[utoipa::path(put, path = "/applications/{id}/moderation", operation_id = "record_moderation", tag = "panels",
    params(("id" = i64, Path, description = "The application's id")),
    request_body = RecordBody,
    responses(
        (status = 200, description = "Recorded", body = RecordedBody),
        (status = 403, description = "Not the chair nor an admin, conflicted on it, or not a submitted application", content_type = "application/problem+json"),
        (status = 404, description = "No such application, or not on a panel of yours", content_type = "application/problem+json"),
        (status = 409, description = "Saved elsewhere since that version", content_type = "application/problem+json"),
        (status = 422, description = "An agreed score that is not 1 to 5 in tenths (agreed_score), or a note over 5,000 characters (note)", content_type = "application/problem+json"),
))]
pub async fn record(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
    body: RawJson,
) -> ApiResult<RecordedBody> {
    let application = ApplicationId(id);
    // An empty agreed score is refused after every check and before anything is written.
    let empty = Record::default();
    let refused = moderation::record(&state, &person.1, application, &empty);
    let body: RecordBody = parse_after(&body, refused).await?;
    let input = Record {
        agreed_score: body.agreed_score,
        note: body.note,
        expected_version: body.version,
    };
    let version = moderation::record(&state, &person.1, application, &input).await?;
    Ok(Json(RecordedBody {
        application_id: id,
        version,
    }))
}
