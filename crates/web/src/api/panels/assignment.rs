//! Conflicts of interest, bids and the reviewer assignment through the API: a member's own
//! declarations and what they may declare, their bids on the applications they may see,
//! and for the programme's admins the assignment's runs, its overview and changes by hand.
//! The use cases are `convene_app::panels::{conflicts, assignment}`.

use super::{Whole, parse_after, renamed};
use crate::api::{ApiError, ApiResult, RawJson};
use crate::auth::ApiUser;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use convene_app::panels::assignment::{self, Overview, RunOutcome, ShortLine};
use convene_app::panels::conflicts::{self, Declaration, Declared};
use convene_app::panels::{self, PanelError};
use convene_domain::policy::Action;
use convene_domain::{ApplicationId, RoundId, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A conflict of interest you declared.
#[derive(Serialize, ToSchema)]
pub struct DeclaredBody {
    pub id: i64,
    /// What it is with: organisation:ID or place:ID.
    pub with: String,
    /// The organisation's or place's name.
    pub name: String,
    pub reason: String,
    /// When it was declared (UTC, ISO 8601).
    pub declared_at: String,
}

impl From<&Declared> for DeclaredBody {
    fn from(d: &Declared) -> Self {
        DeclaredBody {
            id: d.id,
            with: conflicts::with_key(d.with),
            name: d.name.clone(),
            reason: d.reason.clone(),
            declared_at: d.declared_at.iso(),
        }
    }
}

/// An organisation or place you may declare a conflict with.
#[derive(Serialize, ToSchema)]
pub struct DeclarableBody {
    /// What to send as `with`: organisation:ID or place:ID.
    pub with: String,
    pub name: String,
}

/// Your conflicts of interest in a round, and what you may declare one with: the places
/// that applied and the organisations their applications name.
#[derive(Serialize, ToSchema)]
pub struct ConflictsBody {
    pub declared: Vec<DeclaredBody>,
    /// Organisations first, then places, each by name.
    pub declarable: Vec<DeclarableBody>,
}

/// Your own conflicts of interest in the round, and what you may declare (panel members).
#[utoipa::path(get, path = "/rounds/{id}/conflicts", operation_id = "list_my_conflicts", tag = "panels",
    params(("id" = i64, Path, description = "The round's id")),
    responses(
        (status = 200, description = "Your declarations and what you may declare", body = ConflictsBody),
        (status = 403, description = "An admin of the programme who does not sit on the panel", content_type = "application/problem+json"),
        (status = 404, description = "No such round, or you do not sit on its panel", content_type = "application/problem+json"),
))]
pub async fn mine(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<ConflictsBody> {
    let mine = conflicts::mine(&state, &person.1, RoundId(id)).await?;
    let organisations = mine
        .declarable
        .organisations
        .iter()
        .map(|(id, name)| DeclarableBody {
            with: format!("organisation:{id}"),
            name: name.clone(),
        });
    let places = mine.declarable.places.iter().map(|(id, name)| DeclarableBody {
        with: format!("place:{}", id.0),
        name: name.clone(),
    });
    Ok(Json(ConflictsBody {
        declared: mine.declared.iter().map(DeclaredBody::from).collect(),
        declarable: organisations.chain(places).collect(),
    }))
}

/// A conflict of interest to declare.
#[derive(Deserialize, ToSchema)]
pub struct DeclareBody {
    /// organisation:ID or place:ID, from `declarable`.
    #[schema(pattern = r"^(organisation|place):[0-9]+$")]
    pub with: String,
    /// Why, in up to 1,000 characters.
    #[schema(min_length = 1, max_length = 1000, pattern = r"\S")]
    pub reason: String,
}

/// Declares a conflict of interest with an organisation or place (panel members, for
/// themselves). From then on the panel shows you nothing of the applications it covers.
#[utoipa::path(post, path = "/rounds/{id}/conflicts", operation_id = "declare_conflict", tag = "panels",
    params(("id" = i64, Path, description = "The round's id")),
    request_body = DeclareBody,
    responses(
        (status = 201, description = "Declared", body = DeclaredBody),
        (status = 403, description = "An admin of the programme who does not sit on the panel", content_type = "application/problem+json"),
        (status = 404, description = "No such round, or you do not sit on its panel", content_type = "application/problem+json"),
        (status = 422, description = "Not one of the organisations or places offered, already declared (with), or no reason or one too long (reason)", content_type = "application/problem+json"),
))]
pub async fn declare(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
    body: RawJson,
) -> Result<Response, ApiError> {
    let round = RoundId(id);
    let body: DeclareBody = parse_after(&body, conflicts::mine(&state, &person.1, round)).await?;
    let input = Declaration {
        with: body.with,
        reason: body.reason,
    };
    let made = conflicts::declare(&state, &person.1, round, &input).await?;
    let mine = conflicts::mine(&state, &person.1, round).await?;
    let declared = mine
        .declared
        .iter()
        .find(|d| d.id == made)
        .ok_or_else(ApiError::not_found)?;
    Ok((StatusCode::CREATED, Json(DeclaredBody::from(declared))).into_response())
}

/// A submitted application you may bid on, with your bid.
#[derive(Serialize, ToSchema)]
pub struct BidLineBody {
    pub application_id: i64,
    pub reference: Option<String>,
    pub place_name: String,
    pub region: Option<String>,
    /// The round's theme the application chose, if any.
    pub theme: Option<String>,
    /// 0 (no wish, also when you have not bid) to 3 (keen to review it).
    pub bid: u8,
}

/// The round's submitted applications you may bid on (none you have a conflict with), with
/// your bids (panel members).
#[utoipa::path(get, path = "/rounds/{id}/bids", operation_id = "list_my_bids", tag = "panels",
    params(("id" = i64, Path, description = "The round's id")),
    responses(
        (status = 200, description = "The applications and your bids", body = Vec<BidLineBody>),
        (status = 403, description = "An admin of the programme who does not sit on the panel", content_type = "application/problem+json"),
        (status = 404, description = "No such round, or you do not sit on its panel", content_type = "application/problem+json"),
))]
pub async fn bids(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Vec<BidLineBody>> {
    let (_, lines) = assignment::biddable(&state, &person.1, RoundId(id)).await?;
    Ok(Json(
        lines
            .into_iter()
            .map(|l| BidLineBody {
                application_id: l.application.listed.id,
                reference: l.application.listed.reference,
                place_name: l.application.listed.place_name,
                region: l.application.listed.region,
                theme: l.application.theme,
                bid: l.bid,
            })
            .collect(),
    ))
}

/// How much you would like to review an application.
#[derive(Deserialize, ToSchema)]
pub struct BidBody {
    /// 0 (no wish) to 3 (keen).
    pub bid: Whole,
}

/// Places or changes your bid on an application (panel members, on the applications they
/// may see).
#[utoipa::path(put, path = "/applications/{id}/bid", operation_id = "place_bid", tag = "panels",
    params(("id" = i64, Path, description = "The application's id")),
    request_body = BidBody,
    responses(
        (status = 204, description = "Saved"),
        (status = 403, description = "Not a member of the round's panel", content_type = "application/problem+json"),
        (status = 404, description = "No such application, or not one you may see", content_type = "application/problem+json"),
        (status = 422, description = "A bid outside 0 to 3 (bid)", content_type = "application/problem+json"),
))]
pub async fn bid(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
    body: RawJson,
) -> Result<StatusCode, ApiError> {
    let application = ApplicationId(id);
    // An empty bid is refused after every check and before anything is written.
    let refused = assignment::bid(&state, &person.1, application, "");
    let body: BidBody = parse_after(&body, refused).await?;
    assignment::bid(&state, &person.1, application, &body.bid.typed()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An application the assignment could not give all its reviews.
#[derive(Serialize, ToSchema)]
pub struct ShortBody {
    pub application_id: i64,
    pub reference: String,
    pub place_name: String,
    /// Members with no conflict on it.
    pub unconflicted: u32,
    /// Reviews the best partial assignment gave it.
    pub assigned: u32,
    /// Reviews each application needs.
    pub needed: u32,
}

impl From<&ShortLine> for ShortBody {
    fn from(s: &ShortLine) -> Self {
        ShortBody {
            application_id: s.application_id,
            reference: s.reference.clone(),
            place_name: s.place_name.clone(),
            unconflicted: s.unconflicted,
            assigned: s.assigned,
            needed: s.needed,
        }
    }
}

/// What a run of the assignment found.
#[derive(Serialize, ToSchema)]
#[serde(tag = "outcome", rename_all = "lowercase")]
pub enum RunBody {
    /// Every application has its reviews; the pairs replace the last run's.
    Assigned {
        /// Member and application pairs made.
        pairs: usize,
        /// The sum of the pairs' affinities (themes, region and bids).
        total_affinity: i64,
    },
    /// No assignment gives every application its reviews; nothing was assigned.
    Short { short: Vec<ShortBody> },
}

/// Runs the reviewer assignment (programme admins): the best assignment that gives every
/// application its reviews with no conflict and no member over their load, or why there
/// is none. A run is recorded either way.
#[utoipa::path(post, path = "/rounds/{id}/assignment-runs", operation_id = "run_assignment", tag = "panels",
    params(("id" = i64, Path, description = "The round's id")),
    responses(
        (status = 201, description = "The run: assigned, or short with the applications left short", body = RunBody),
        (status = 403, description = "A panel member, not an admin of the programme", content_type = "application/problem+json"),
        (status = 404, description = "No such round, or not yours", content_type = "application/problem+json"),
        (status = 409, description = "Scoring has begun, or there are no submitted applications", content_type = "application/problem+json"),
        (status = 422, description = "The panel's settings give no assignment to look for, such as a member with a load cap of 0 (assignment)", content_type = "application/problem+json"),
))]
pub async fn run(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let body = match assignment::run(&state, &person.1, RoundId(id)).await? {
        RunOutcome::Assigned {
            pairs,
            total_affinity,
        } => RunBody::Assigned {
            pairs,
            total_affinity,
        },
        RunOutcome::Short(lines) => RunBody::Short {
            short: lines.iter().map(ShortBody::from).collect(),
        },
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// A member, by id and name.
#[derive(Serialize, ToSchema)]
pub struct MemberRef {
    pub user_id: i64,
    pub name: String,
}

/// One reviewer of one application.
#[derive(Serialize, ToSchema)]
pub struct PairBody {
    pub application_id: i64,
    pub user_id: i64,
    pub name: String,
    /// How well the member suits the application (themes, region and bid).
    pub affinity: i64,
    /// True when an admin made the pair by hand, after a run.
    pub by_hand: bool,
}

/// A submitted application in the assignment, with the members who stood aside from it.
#[derive(Serialize, ToSchema)]
pub struct AssignedApplicationBody {
    pub application_id: i64,
    pub reference: Option<String>,
    pub place_name: String,
    /// Members with a conflict of interest on it.
    pub stood_aside: Vec<MemberRef>,
}

/// A member's load.
#[derive(Serialize, ToSchema)]
pub struct LoadBody {
    pub user_id: i64,
    pub name: String,
    /// Applications assigned to them.
    pub assigned: u32,
    pub load_cap: u32,
}

/// A pair changed by hand.
#[derive(Serialize, ToSchema)]
pub struct ChangeBody {
    pub application_id: i64,
    pub removed_user_id: Option<i64>,
    pub added_user_id: Option<i64>,
    /// The affinity the change gave up (0 or more).
    pub affinity_lost: i64,
    /// UTC, ISO 8601.
    pub changed_at: String,
}

/// The latest run.
#[derive(Serialize, ToSchema)]
pub struct RunRecordBody {
    pub id: i64,
    /// UTC, ISO 8601.
    pub run_at: String,
    /// assigned or short.
    pub outcome: String,
    pub total_affinity: i64,
    /// For a short run, the applications it left short.
    pub short: Vec<ShortBody>,
}

/// The whole assignment as the programme's admins see it.
#[derive(Serialize, ToSchema)]
pub struct OverviewBody {
    /// The latest run, or null before the first.
    pub run: Option<RunRecordBody>,
    /// The sum of the current pairs' affinities.
    pub total_affinity: i64,
    pub applications: Vec<AssignedApplicationBody>,
    pub pairs: Vec<PairBody>,
    /// Every member of the panel.
    pub loads: Vec<LoadBody>,
    /// Changes by hand, oldest first.
    pub changes: Vec<ChangeBody>,
}

impl From<&Overview> for OverviewBody {
    fn from(o: &Overview) -> Self {
        let member = |id: UserId| MemberRef {
            user_id: id.0,
            name: o.member_name(id).to_string(),
        };
        OverviewBody {
            run: o.run.as_ref().map(|r| RunRecordBody {
                id: r.id,
                run_at: r.run_at.iso(),
                outcome: r.outcome.clone(),
                total_affinity: r.total_affinity,
                short: assignment::shortfalls(r).iter().map(ShortBody::from).collect(),
            }),
            total_affinity: o.total_affinity(),
            applications: o
                .applications
                .iter()
                .map(|a| AssignedApplicationBody {
                    application_id: a.listed.id,
                    reference: a.listed.reference.clone(),
                    place_name: a.listed.place_name.clone(),
                    stood_aside: o
                        .stood_aside
                        .get(&a.id())
                        .into_iter()
                        .flatten()
                        .map(|u| member(*u))
                        .collect(),
                })
                .collect(),
            pairs: o
                .pairs
                .iter()
                .map(|p| PairBody {
                    application_id: p.application_id.0,
                    user_id: p.user_id.0,
                    name: o.member_name(p.user_id).to_string(),
                    affinity: p.affinity,
                    by_hand: p.by_hand,
                })
                .collect(),
            loads: o
                .panel
                .members
                .iter()
                .map(|m| LoadBody {
                    user_id: m.user_id.0,
                    name: m.name.clone(),
                    assigned: o.loads.get(&m.user_id).copied().unwrap_or(0),
                    load_cap: m.load_cap,
                })
                .collect(),
            changes: o
                .changes
                .iter()
                .map(|c| ChangeBody {
                    application_id: c.application_id.0,
                    removed_user_id: c.removed.map(|u| u.0),
                    added_user_id: c.added.map(|u| u.0),
                    affinity_lost: c.affinity_lost,
                    changed_at: c.changed_at.iso(),
                })
                .collect(),
        }
    }
}

/// The round's assignment: the latest run, every pair with its affinity, each member's
/// load, the changes made by hand and who stood aside from each application (programme
/// admins).
#[utoipa::path(get, path = "/rounds/{id}/assignment", operation_id = "get_assignment", tag = "panels",
    params(("id" = i64, Path, description = "The round's id")),
    responses(
        (status = 200, description = "The assignment", body = OverviewBody),
        (status = 403, description = "A panel member, not an admin of the programme", content_type = "application/problem+json"),
        (status = 404, description = "No such round, or not yours", content_type = "application/problem+json"),
))]
pub async fn overview(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<OverviewBody> {
    let overview = assignment::overview(&state, &person.1, RoundId(id)).await?;
    Ok(Json(OverviewBody::from(&overview)))
}

/// One pair to change: who stops reviewing an application and who starts.
#[derive(Deserialize, ToSchema)]
pub struct ChangePairBody {
    /// A submitted application of this round.
    pub application_id: i64,
    /// A member assigned the application.
    pub remove_user_id: i64,
    /// A member of the panel with no conflict on it and room under their load cap.
    pub add_user_id: i64,
}

/// What a change cost.
#[derive(Serialize, ToSchema)]
pub struct ChangedBody {
    /// The affinity the change gave up (0 or more).
    pub affinity_lost: i64,
}

/// Changes one pair of the assignment by hand, never to a member with a conflict
/// (programme admins).
#[utoipa::path(post, path = "/rounds/{id}/assignment/changes", operation_id = "change_assignment_pair", tag = "panels",
    params(("id" = i64, Path, description = "The round's id")),
    request_body = ChangePairBody,
    responses(
        (status = 201, description = "Changed", body = ChangedBody),
        (status = 403, description = "A panel member, not an admin of the programme", content_type = "application/problem+json"),
        (status = 404, description = "No such round, or not yours", content_type = "application/problem+json"),
        (status = 422, description = "Not a submitted application of this round (application_id), not a member assigned it (remove_user_id), or a member who is not on the panel, is conflicted, is at their load cap or already assigned it (add_user_id)", content_type = "application/problem+json"),
))]
pub async fn change(
    State(state): State<AppState>,
    ApiUser(person): ApiUser,
    Path(id): Path<i64>,
    body: RawJson,
) -> Result<Response, ApiError> {
    let round = RoundId(id);
    panels::panel(&state, &person.1, round, Action::Edit).await?;
    let body: ChangePairBody = body.parse()?;
    // The change is made in the application's own round: it must be the one in the path.
    let application = ApplicationId(body.application_id);
    if !assignment::submitted(&state, round)
        .await?
        .iter()
        .any(|a| a.id() == application)
    {
        return Err(PanelError::Invalid(vec![panels::Problem {
            field: "application_id".into(),
            message: "Choose a submitted application of this round".into(),
        }])
        .into());
    }
    let (remove, add) = (UserId(body.remove_user_id), UserId(body.add_user_id));
    let affinity_lost = assignment::change_pair(&state, &person.1, application, remove, add)
        .await
        .map_err(|e| renamed(e, &[("remove", "remove_user_id"), ("add", "add_user_id")]))?;
    Ok((StatusCode::CREATED, Json(ChangedBody { affinity_lost })).into_response())
}
