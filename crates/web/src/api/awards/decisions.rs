//! The panel's decisions through the API: the round's board (the fund, each application's
//! score, decision and award), recording a decision, and offering a place a declined award
//! frees to the top reserve. The use cases are `convene_app::awards::{decisions, offers}`.

use super::{AwardBody, parse_after};
use crate::api::{ApiError, ApiResult, RawJson};
use crate::auth::ApiUser;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use convene_app::awards::decisions::{self, Board, DecisionInput, Line};
use convene_app::awards::{Decision, Fund, Outcome, offers};
use convene_domain::{ApplicationId, RoundId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A decision on one application.
#[derive(Serialize, ToSchema)]
pub struct PanelDecisionBody {
    pub application_id: i64,
    /// fund, reserve or decline.
    pub outcome: String,
    /// The panel's feedback, sent to the place in its letter.
    pub feedback: String,
    /// Why it was decided before every review was in; null when it was not.
    pub override_reason: Option<String>,
    /// Send this back as expected_version with the next change.
    pub version: i64,
    /// UTC, ISO 8601.
    pub decided_at: String,
}

impl From<&Decision> for PanelDecisionBody {
    fn from(d: &Decision) -> Self {
        PanelDecisionBody {
            application_id: d.application_id.0,
            outcome: d.outcome.key().into(),
            feedback: d.feedback.clone(),
            override_reason: d.override_reason.clone(),
            version: d.version,
            decided_at: d.decided_at.iso(),
        }
    }
}

/// An award on the board, in short.
#[derive(Serialize, ToSchema)]
pub struct BoardAwardBody {
    pub id: i64,
    /// offered, accepted or declined.
    pub status: String,
    pub value_pence: i64,
}

/// An application on the board.
#[derive(Serialize, ToSchema)]
pub struct DecisionLineBody {
    pub application_id: i64,
    pub reference: Option<String>,
    pub place_name: String,
    /// The moderated score in hundredths of a point; null until scored.
    pub score: Option<i64>,
    /// Reviews still to come (a decision before then needs a reason).
    pub reviews_missing: u32,
    /// The decision, or null before one is made.
    pub decision: Option<PanelDecisionBody>,
    /// The award funding made, or null.
    pub award: Option<BoardAwardBody>,
    /// The members who stand aside from it with a conflict of interest, by name.
    pub stood_aside: Vec<String>,
    /// True once its letter has gone out or is due: the decision can no longer change.
    pub announced: bool,
}

impl From<&Line> for DecisionLineBody {
    fn from(l: &Line) -> Self {
        DecisionLineBody {
            application_id: l.id().0,
            reference: l.standing.listed.reference.clone(),
            place_name: l.standing.listed.place_name.clone(),
            score: l.score,
            reviews_missing: l.reviews_missing,
            decision: l.decision.as_ref().map(PanelDecisionBody::from),
            award: l.award.as_ref().map(|a| BoardAwardBody {
                id: a.id,
                status: a.status.key().into(),
                value_pence: a.value.0,
            }),
            stood_aside: l.stood_aside.clone(),
            announced: l.announced,
        }
    }
}

/// The programme's fund, in pence.
#[derive(Serialize, ToSchema)]
pub struct FundBody {
    /// Partner contributions plus the match contributions of places that accepted.
    pub total_pence: i64,
    /// What is left as the public sees it (announced awards only).
    pub left_pence: i64,
    /// What may still be awarded: the total less awards announced and decided.
    pub available_pence: i64,
    /// Awards announced and not declined.
    pub awarded_pence: i64,
    /// Awards decided but not yet announced.
    pub committed_pence: i64,
}

impl From<&Fund> for FundBody {
    fn from(f: &Fund) -> Self {
        FundBody {
            total_pence: f.total().0,
            left_pence: f.left().0,
            available_pence: f.available().0,
            awarded_pence: f.awarded.0,
            committed_pence: f.committed.0,
        }
    }
}

/// How many applications have each decision.
#[derive(Serialize, ToSchema)]
pub struct CountsBody {
    pub fund: usize,
    pub reserve: usize,
    pub decline: usize,
    pub undecided: usize,
}

/// The reserve with the highest moderated score not yet offered a place.
#[derive(Serialize, ToSchema)]
pub struct TopReserveBody {
    pub application_id: i64,
    pub reference: Option<String>,
    pub place_name: String,
    pub score: Option<i64>,
}

/// A round's decisions.
#[derive(Serialize, ToSchema)]
pub struct BoardBody {
    pub round_id: i64,
    /// True when you may decide (the panel's chair or an admin, on what you have no
    /// conflict with).
    pub can_decide: bool,
    pub fund: FundBody,
    pub counts: CountsBody,
    /// Highest score first; unscored last.
    pub lines: Vec<DecisionLineBody>,
    /// How many applications your conflicts of interest leave out.
    pub hidden: usize,
    /// Declined offers whose place may go to the top reserve.
    pub declined: Vec<AwardBody>,
    /// The reserve a declined place would be offered to, or null when none is left.
    pub top_reserve: Option<TopReserveBody>,
}

impl From<&Board> for BoardBody {
    fn from(b: &Board) -> Self {
        BoardBody {
            round_id: b.panel.round.id.0,
            can_decide: b.can_decide,
            fund: FundBody::from(&b.fund),
            counts: CountsBody {
                fund: b.counts(Outcome::Fund),
                reserve: b.counts(Outcome::Reserve),
                decline: b.counts(Outcome::Decline),
                undecided: b.undecided(),
            },
            lines: b.lines.iter().map(DecisionLineBody::from).collect(),
            hidden: b.hidden,
            declined: b.declined.iter().map(AwardBody::from).collect(),
            top_reserve: b.top_reserve().map(|l| TopReserveBody {
                application_id: l.id().0,
                reference: l.standing.listed.reference.clone(),
                place_name: l.standing.listed.place_name.clone(),
                score: l.score,
            }),
        }
    }
}

/// A round's decisions: the fund, and each application's moderated score, decision and
/// award (programme admins and panel members; a member sees nothing of an application they
/// have a conflict with).
#[utoipa::path(get, path = "/rounds/{id}/decisions", operation_id = "get_decisions", tag = "awards",
    params(("id" = i64, Path, description = "The round's id")),
    responses(
        (status = 200, description = "The board", body = BoardBody),
        (status = 404, description = "No such round, or you neither run its programme nor sit on its panel", content_type = "application/problem+json"),
))]
pub async fn board(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<BoardBody> {
    let board = decisions::board(&state, &person.1, RoundId(id)).await?;
    Ok(Json(BoardBody::from(&board)))
}

/// The panel's decision.
#[derive(Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKey {
    Fund,
    Reserve,
    Decline,
}

impl From<OutcomeKey> for Outcome {
    fn from(k: OutcomeKey) -> Self {
        match k {
            OutcomeKey::Fund => Outcome::Fund,
            OutcomeKey::Reserve => Outcome::Reserve,
            OutcomeKey::Decline => Outcome::Decline,
        }
    }
}

/// A decision to record over the version last read.
#[derive(Deserialize, ToSchema)]
pub struct DecisionInputBody {
    pub outcome: OutcomeKey,
    /// The panel's feedback for the place, up to 5,000 characters.
    #[schema(min_length = 1, max_length = 5000)]
    pub feedback: String,
    /// Why to decide before every review is in (needed only then), up to 5,000 characters.
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub override_reason: String,
    /// The decision's version as last read (0 when none was made).
    pub expected_version: i64,
}

/// Records the decision on one application, or changes it until its letter is due (the
/// panel's chair or a programme admin, never someone with a conflict of interest on it).
/// Funding makes the award, never beyond what the fund has available; changing away from
/// fund withdraws the award. The later of two saves over the same version is refused.
#[utoipa::path(put, path = "/applications/{id}/decision", operation_id = "record_decision", tag = "awards",
    params(("id" = i64, Path, description = "The application's id")),
    request_body = DecisionInputBody,
    responses(
        (status = 200, description = "The decision recorded", body = PanelDecisionBody),
        (status = 403, description = "Not the chair nor an admin, or conflicted on it", content_type = "application/problem+json"),
        (status = 404, description = "No such application, or you neither run its programme nor sit on its panel", content_type = "application/problem+json"),
        (status = 409, description = "Saved elsewhere since that version; already announced; not a submitted application; or its place has no accountable organisation", content_type = "application/problem+json"),
        (status = 422, description = "No feedback or too long (feedback); reviews still to come and no reason (override_reason); an award over what the fund has available (outcome)", content_type = "application/problem+json"),
))]
pub async fn record(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
    body: RawJson,
) -> ApiResult<PanelDecisionBody> {
    let application = ApplicationId(id);
    // No outcome: refused after every check and before anything is written.
    let empty = DecisionInput::default();
    let refused = decisions::record(&state, &person.1, application, &empty);
    let body: DecisionInputBody = parse_after(&body, refused).await?;
    let input = DecisionInput {
        outcome: Outcome::from(body.outcome).key().into(),
        feedback: body.feedback,
        override_reason: body.override_reason,
        expected_version: body.expected_version,
    };
    let decision = decisions::record(&state, &person.1, application, &input).await?;
    Ok(Json(PanelDecisionBody::from(&decision)))
}

/// The reserve to offer a declined place to.
#[derive(Deserialize, ToSchema)]
pub struct ReplacementBody {
    /// The round's top reserve, as the board names it (top_reserve).
    pub reserve_application_id: i64,
}

/// Offers the place a declined award frees to the round's top reserve (the panel's chair
/// or a programme admin). The reserve is funded at once and its offer letter sent.
#[utoipa::path(post, path = "/awards/{id}/replacement", operation_id = "offer_to_reserve", tag = "awards",
    params(("id" = i64, Path, description = "The declined award's id")),
    request_body = ReplacementBody,
    responses(
        (status = 201, description = "The reserve's award", body = AwardBody),
        (status = 403, description = "Not the chair nor an admin, or conflicted on the reserve", content_type = "application/problem+json"),
        (status = 404, description = "No such award, or you neither run its programme nor sit on its round's panel", content_type = "application/problem+json"),
        (status = 409, description = "Not a declined award, already replaced, not the top reserve (any more), no reserve left, or more than the fund has available", content_type = "application/problem+json"),
))]
pub async fn replace(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
    body: RawJson,
) -> Result<Response, ApiError> {
    // No application has id 0, so it is never the top reserve: refused before any write.
    let refused = offers::offer_to_reserve(&state, &person.1, id, ApplicationId(0));
    let body: ReplacementBody = parse_after(&body, refused).await?;
    let reserve = ApplicationId(body.reserve_application_id);
    let award = offers::offer_to_reserve(&state, &person.1, id, reserve).await?;
    Ok((StatusCode::CREATED, Json(AwardBody::from(&award))).into_response())
}
